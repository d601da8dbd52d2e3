# bash completion for concbench
_concbench()
{
    local cur prev words cword
    _init_completion -s 2>/dev/null || {
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD-1]}
        cword=$COMP_CWORD
    }
    local opts="--mode --task --workers --repetitions --warmup --iterations
        --sleep --fib --start --format --output --context --per-sample
        --quiet --help --version"

    case $prev in
        -m|--mode) COMPREPLY=($(compgen -W "threads processes serial" -- "$cur")); return ;;
        -t|--task) COMPREPLY=($(compgen -W "cpu io fib" -- "$cur")); return ;;
        --start) COMPREPLY=($(compgen -W "immediate barrier" -- "$cur")); return ;;
        -f|--format) COMPREPLY=($(compgen -W "json table markdown csv" -- "$cur")); return ;;
        -o|--output) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        -n|--workers) COMPREPLY=($(compgen -W "1 2 4 8 max 1..16 1..64:x2" -- "$cur")); return ;;
        --sleep) COMPREPLY=($(compgen -W "1ms 10ms 100ms 1s" -- "$cur")); return ;;
    esac
    case $cur in
        --mode=*) COMPREPLY=($(compgen -W "threads processes serial" -- "${cur#*=}")); return ;;
        --task=*) COMPREPLY=($(compgen -W "cpu io fib" -- "${cur#*=}")); return ;;
        --start=*) COMPREPLY=($(compgen -W "immediate barrier" -- "${cur#*=}")); return ;;
        --format=*) COMPREPLY=($(compgen -W "json table markdown csv" -- "${cur#*=}")); return ;;
    esac
    if [[ $cword -eq 1 && $cur != -* ]]; then
        COMPREPLY=($(compgen -W "run list" -- "$cur"))
    else
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    fi
}
complete -F _concbench concbench
