#!/usr/bin/env bash
# include_rules.sh - the planes of server/ include only the planes below
# them (server/meson.build enforces the same with include paths; this also
# catches a relative "../store/x.h"):
#   core: core   media: core media   sfu: core media sfu
# TAP output, one test per plane.
set -u
root=${1:-$(dirname "$0")/..}
cd "$root/server" || exit 1
n=0 bad=0
check() {
    local plane=$1; shift
    local allowed=" $* " offenders=""
    n=$((n + 1))
    for f in "$plane"/*.[ch]; do
        while read -r inc; do
            base=${inc##*/}
            dir=""
            for d in core media sfu signal store gov api; do
                [ -f "$d/$base" ] && dir=$d
            done
            case $inc in */*) dir=${inc%/*}; dir=${dir##*/} ;; esac
            [ -z "$dir" ] && continue          # a system or generated header
            case $allowed in *" $dir "*) ;; *) offenders="$offenders $f:$inc" ;; esac
        done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
    done
    if [ -z "$offenders" ]; then
        echo "ok $n - $plane includes only: $*"
    else
        echo "not ok $n - $plane includes outside its planes:$offenders"; bad=1
    fi
}
# No JSON below signalling: the media and SFU planes emit typed events
# (sfu/sfu_msg.h) and only server/signal turns them into protocol JSON.
no_json() {
    n=$((n + 1))
    local offenders
    offenders=$(grep -ln '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]jansson\.h[>"]' "$@" 2>/dev/null | tr '\n' ' ')
    if [ -z "$offenders" ]; then
        echo "ok $n - no jansson.h in ${1%%/*}"
    else
        echo "not ok $n - jansson.h included by: $offenders"; bad=1
    fi
}
echo "1..5"
check core core
check media core media
check sfu core media sfu
no_json media/*.[ch]
no_json sfu/*.[ch]
exit $bad
