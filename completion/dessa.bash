# bash completion for dessa: commands, options, scenario files (*.lua), directories for -o,
# the words of --progress=, and NAME= for --set from the param("NAME", ...) calls of the
# scenario already on the command line.
_dessa_params()
{
    local f=$1
    [ -f "$f" ] || return
    local q="[\"']"
    sed -n "s/.*param[[:space:]]*([[:space:]]*$q\([A-Za-z0-9_.-]*\)$q.*/\1/p" "$f" 2>/dev/null |
        sort -u
}

_dessa()
{
    local cur prev cmd scenario i
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    COMPREPLY=()
    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "run sweep merge check plot report warmup help --help --version" -- "$cur"))
        return
    fi
    cmd=${COMP_WORDS[1]}
    for ((i = 2; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
        *.lua) scenario=${COMP_WORDS[i]} ;;
        esac
    done
    case $cmd in
    help)
        [ "$COMP_CWORD" -eq 2 ] && COMPREPLY=($(compgen -W "run sweep merge check plot report warmup" -- "$cur"))
        return
        ;;
    plot | report | warmup)   # a results directory
        case $cur in
        -*) COMPREPLY=($(compgen -W "--format --rep --no-charts --metric --window --quiet --help" -- "$cur")) ;;
        *) COMPREPLY=($(compgen -d -- "$cur")) ;;
        esac
        return
        ;;
    merge)   # the shards' directories
        case $cur in
        -*) COMPREPLY=($(compgen -W "--out --quiet --help" -- "$cur")) ;;
        *) COMPREPLY=($(compgen -d -- "$cur")) ;;
        esac
        return
        ;;
    run | sweep | check) ;;
    *) return ;;
    esac
    case $prev in
    -o | --out)
        COMPREPLY=($(compgen -d -- "$cur"))
        return
        ;;
    --seed | --reps | -j | --jobs | --precision | --target | --batches | --shard | --compare)
        return
        ;;
    --set | --param)
        local names
        names=$(_dessa_params "$scenario")
        COMPREPLY=($(compgen -W "$names" -S = -- "$cur"))
        compopt -o nospace 2>/dev/null
        return
        ;;
    esac
    case $cur in
    --progress=*)
        COMPREPLY=($(compgen -W "auto always never" -- "${cur#--progress=}"))
        return
        ;;
    --set=*)
        COMPREPLY=($(compgen -W "$(_dessa_params "$scenario")" -S = -- "${cur#--set=}"))
        compopt -o nospace 2>/dev/null
        return
        ;;
    -*)
        local opts="--set --seed --unsafe --help"
        [ "$cmd" = run ] && opts="$opts --out --force --reps --jobs --quiet --progress --progress=
            --precision --target --batches --rows"
        [ "$cmd" = sweep ] && opts="$opts --out --reps --jobs --quiet --param --resume --shard
            --compare --precision --target"
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return
        ;;
    esac
    # The scenario: *.lua files and directories to walk into.
    COMPREPLY=($(compgen -f -X '!*.lua' -- "$cur") $(compgen -d -- "$cur"))
    compopt -o filenames 2>/dev/null
}
complete -F _dessa dessa
