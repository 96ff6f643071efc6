#!/usr/bin/env bash
# config_check.sh VECHE - `veche --check-config` and the demo rule (TAP).
#   - conf/veche.conf and conf/dev.conf pass --check-config (status 0);
#   - a file with bad lines: status non-zero, each problem reported as
#     FILE:LINE: reason, the cross-field ones on the line that set them;
#   - demo = true on 0.0.0.0 (from a file, or from --set) refuses to start,
#     saying why, and listens on nothing;
#   - demo = true on 127.0.0.1 starts;
#   - with --i-know-demo-is-public it starts on 0.0.0.0 (in a network
#     namespace of our own, so nothing outside can reach the demo).
set -u
VECHE=$1
. "$(dirname "$0")/lib.sh"
SRC=${VECHE_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
NS=veche-cc-$$
trap 'it_cleanup; ip netns del "$NS" 2>/dev/null' EXIT

for f in veche.conf dev.conf; do
    "$VECHE" --check-config "$SRC/conf/$f" >"$IT_TMP/$f.out" 2>&1
    st=$?
    it_check "conf/$f passes --check-config (status $st)" test "$st" = 0
    [ "$st" = 0 ] || it_note_file "$IT_TMP/$f.out"
done

BAD=$IT_TMP/bad.conf
cat >"$BAD" <<'CONF'
# a configuration with mistakes
listen_address = 0.0.0.0
port = 70000
tls = perhaps
colour = blue
rtp_port_min = 40000
demo = true
time_zone = "Mars/Olympus"
CONF
"$VECHE" --check-config "$BAD" >"$IT_TMP/bad.out" 2>&1
st=$?
it_check "a bad file fails --check-config (status $st)" test "$st" != 0
it_note_file "$IT_TMP/bad.out"
for want in "$BAD:3: port: '70000' out of range" \
            "$BAD:4: tls: 'perhaps' is not a boolean" \
            "$BAD:5: unknown directive 'colour'" \
            "$BAD:6: rtp_port_min and rtp_port_max: set both or neither" \
            "$BAD:8: time_zone: 'Mars/Olympus' is not a known time zone" \
            "$BAD:7: demo: demo = true" \
            "$BAD: 6 problems"; do
    it_check "reported: $want" grep -qF "$want" "$IT_TMP/bad.out"
done

# start_refused DESC ARGS...: veche exits non-zero at once, naming the
# flag, and nothing listens on its port.
start_refused() {
    local desc=$1
    shift
    PORT=$(it_free_port)
    timeout 20 "$VECHE" --set port="$PORT" --set data_dir="$IT_TMP/refused" \
        --set web_root="$SRC/web-client" "$@" >"$IT_TMP/refused.out" 2>&1
    local st=$?
    it_check "$desc: refuses to start (status $st)" test "$st" != 0 -a "$st" != 124
    it_check "$desc: says why" grep -q -- "--i-know-demo-is-public" "$IT_TMP/refused.out"
    it_check "$desc: listens on nothing" sh -c "! (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null"
    it_check "$desc: created no data" test ! -e "$IT_TMP/refused"
}
printf 'listen_address = "0.0.0.0"\ndemo = true\n' >"$IT_TMP/demo-public.conf"
start_refused "demo config on 0.0.0.0" -c "$IT_TMP/demo-public.conf"
start_refused "demo on :: from --set" --set listen_address=:: --set demo=true
start_refused "demo on 0.0.0.0 from conf/dev.conf plus --set" -c "$SRC/conf/dev.conf" \
    --set listen_address=0.0.0.0

# demo on loopback starts (lib.sh's server is on 127.0.0.1)
IT_SERVER_ARGS=(--set demo=true)
if it_start_server "$VECHE"; then
    it_check "demo on 127.0.0.1: the demo accounts sign in" sh -c \
        "curl -ks --noproxy '*' --max-time 10 -H 'Content-Type: application/json' \
         -d '{\"email\":\"chair@veche.demo\",\"password\":\"demo-password-1\"}' \
         https://127.0.0.1:$PORT/api/login | grep -q chair@veche.demo"
    it_stop "$SERVER_PID" 20
    SERVER_PID=
fi

# --i-know-demo-is-public, on 0.0.0.0 inside a namespace of our own
if [ "$(id -u)" != 0 ]; then
    it_not_ok "runs as root (needed for ip netns; run the integration suite as root)"
    it_finish
fi
if ip netns add "$NS" && ip -n "$NS" link set lo up; then
    PORT=$(it_free_port)
    ip netns exec "$NS" "$VECHE" --set listen_address=0.0.0.0 --set port="$PORT" \
        --set demo=true --set data_dir="$IT_TMP/public" --set web_root="$SRC/web-client" \
        --i-know-demo-is-public >"$IT_TMP/public.log" 2>&1 &
    SERVER_PID=$!
    up=0
    for _ in $(seq 1 200); do
        [ "$(ip netns exec "$NS" curl -ks --noproxy '*' --max-time 2 \
             "https://127.0.0.1:$PORT/healthz" 2>/dev/null)" = ok ] && { up=1; break; }
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    it_check "demo on 0.0.0.0 with --i-know-demo-is-public starts" test "$up" = 1
    it_check "and warns about the published password" grep -q "demo-password-1" \
        "$IT_TMP/public.log"
    it_stop "$SERVER_PID" 20
    SERVER_PID=
    it_check "and exits cleanly (status $IT_STATUS)" test "$IT_STATUS" = 0
else
    it_not_ok "network namespace $NS"
fi
it_finish
