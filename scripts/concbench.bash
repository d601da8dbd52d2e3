# bash completion for concbench: run options, and each subcommand's own
_concbench()
{
    local cur prev words cword
    _init_completion -s 2>/dev/null || {
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD-1]}
        cword=$COMP_CWORD
    }
    local sub=run opts formats values=""
    case ${COMP_WORDS[1]} in compare|report|check) sub=${COMP_WORDS[1]} ;; esac

    case $sub in
    run)
        opts="--mode --task --workers --jobs --repetitions --warmup --iterations
            --sleep --fib --start --format --output --context --per-sample
            --quiet --help --version --min-time --max-time --timeout --stack-size --pin
            --compare-to --worker-memory --parent-memory --cow-touch --payload --transport
            --gil --switch-interval --lock --isolation --start-method --pool-size --chunk --queue --shape --loop-block
            --switch-channel --switch-placement --msg-channel --message
            --region --block --mmap-threshold --tlb-pages"
        formats="json table markdown csv bmf github-action-benchmark" ;;
    compare)
        opts="--threshold --alpha --metric --fail-on --allow-missing --normalize --per-floor --wall-only --cpu-floor --min-samples
            --format --output --help"
        formats="table markdown json" ;;
    report)
        opts="--format --output --help"
        formats="table markdown" ;;
    check)
        opts="--format --output --help"
        formats="table json" ;;
    esac

    # The values of an option, after a blank (prev) or an = (cur).
    local opt=$prev word=$cur
    if [[ $cur == --*=* ]]; then
        opt=${cur%%=*}
        word=${cur#*=}
    fi
    case $sub:$opt in
        run:-m|run:--mode) values="threads processes serial thread-pool process-pool hybrid loop" ;;
        run:-t|run:--task) values="cpu io fib lock switch msg fault malloc tlb" ;;
        run:--pin) values="none spread compact" ;;
        run:--transport) values="pipe shm" ;;
        run:--queue) values="shm pipe" ;;
        run:--lock) values="mutex spin semaphore none" ;;
        run:--switch-channel) values="pipe futex" ;;
        run:--switch-placement) values="same split" ;;
        run:--msg-channel) values="pipe socket shm" ;;
        run:--message) values="8B 64B 1KiB 4KiB" ;;
        run:--start) values="immediate barrier" ;;
        run:--isolation) values="process none" ;;
        run:--start-method) values="fork spawn forkserver" ;;
        run:-n|run:--workers|run:--jobs) values="1 2 4 8 max 1..16 1..64:x2" ;;
        run:--sleep) values="1ms 10ms 100ms 1s" ;;
        compare:--metric) values="wall spawn cpu memory" ;;
        compare:--fail-on) values="slower inconclusive never" ;;
        *:-f|*:--format) values=$formats ;;
        *:-o|*:--output|run:--compare-to)
            COMPREPLY=($(compgen -f -- "$word"))
            return ;;
    esac
    if [[ -n $values ]]; then
        COMPREPLY=($(compgen -W "$values" -- "$word"))
        return
    fi

    if [[ $cword -eq 1 && $cur != -* ]]; then
        COMPREPLY=($(compgen -W "run list compare report check" -- "$cur"))
    elif [[ $sub == check && $cur != -* ]]; then
        COMPREPLY=()
    elif [[ $sub != run && $cur != -* ]]; then
        COMPREPLY=($(compgen -f -- "$cur"))
    else
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    fi
}
complete -F _concbench concbench
