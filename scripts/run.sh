#!/usr/bin/env bash
# run.sh - install what is missing, build, and start Veche for trying it
# out on this machine with the development configuration conf/dev.conf
# (127.0.0.1 only, the demo organization, a self-signed certificate in
# ./veche-data).  Extra arguments go to the veche binary (e.g.
# --set port=9443); the URL printed is the one those settings give.
# For a real server start from conf/veche.conf instead.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh run
[ -d build ] || meson setup build --buildtype=debugoptimized
ninja -C build
CONF=conf/dev.conf

# The values in effect (the file, then the arguments) as veche prints them.
setting() {
    build/server/veche -c "$CONF" "${@:2}" --help-config |
        sed -n "s/^$1 = \"\{0,1\}\([^\"]*\)\"\{0,1\}$/\1/p"
}
args=("$@")
port=$(setting port "${args[@]}")
tls=$(setting tls "${args[@]}")
addr=$(setting listen_address "${args[@]}")
case $addr in
    0.0.0.0 | :: | 127.* | ::1 | "") host=localhost ;;
    *:*) host="[$addr]" ;;
    *) host=$addr ;;
esac
scheme=https
[ "$tls" = true ] || scheme=http
echo "Veche: open $scheme://$host:$port/ in two browser tabs (accept the self-signed certificate)"
exec build/server/veche -c "$CONF" "$@"
