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
        --quiet --help --version --max-time --timeout --stack-size --pin
        --compare-to --worker-memory --parent-memory --payload --transport
        --gil --switch-interval --lock"

    case $prev in
        -m|--mode) COMPREPLY=($(compgen -W "threads processes serial" -- "$cur")); return ;;
        -t|--task) COMPREPLY=($(compgen -W "cpu io fib lock" -- "$cur")); return ;;
        --pin) COMPREPLY=($(compgen -W "none spread compact" -- "$cur")); return ;;
        --transport) COMPREPLY=($(compgen -W "pipe shm" -- "$cur")); return ;;
        --lock) COMPREPLY=($(compgen -W "mutex spin semaphore" -- "$cur")); return ;;
        --compare-to) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --start) COMPREPLY=($(compgen -W "immediate barrier" -- "$cur")); return ;;
        -f|--format) COMPREPLY=($(compgen -W "json table markdown csv bmf github-action-benchmark" -- "$cur")); return ;;
        -o|--output) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        -n|--workers) COMPREPLY=($(compgen -W "1 2 4 8 max 1..16 1..64:x2" -- "$cur")); return ;;
        --sleep) COMPREPLY=($(compgen -W "1ms 10ms 100ms 1s" -- "$cur")); return ;;
    esac
    case $cur in
        --mode=*) COMPREPLY=($(compgen -W "threads processes serial" -- "${cur#*=}")); return ;;
        --task=*) COMPREPLY=($(compgen -W "cpu io fib lock" -- "${cur#*=}")); return ;;
        --pin=*) COMPREPLY=($(compgen -W "none spread compact" -- "${cur#*=}")); return ;;
        --start=*) COMPREPLY=($(compgen -W "immediate barrier" -- "${cur#*=}")); return ;;
        --format=*) COMPREPLY=($(compgen -W "json table markdown csv bmf github-action-benchmark" -- "${cur#*=}")); return ;;
    esac
    if [[ $cword -eq 1 && $cur != -* ]]; then
        COMPREPLY=($(compgen -W "run list compare report" -- "$cur"))
    elif [[ ${COMP_WORDS[1]} == compare || ${COMP_WORDS[1]} == report ]] && [[ $cur != -* ]]; then
        COMPREPLY=($(compgen -f -- "$cur"))
    else
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    fi
}
complete -F _concbench concbench
