# lib.sh - shared helpers of the integration scripts (sourced, not run).
#
# Output is TAP: each check prints "ok N - ..." or "not ok N - ...", notes
# go out as "# ..." lines, and it_finish prints the plan "1..N" last and
# exits 0 only when every check passed.  Meson (protocol 'tap') counts each
# check.
#
# Everything listens on and talks to 127.0.0.1 only: the server gets
# listen_address and ice_addresses 127.0.0.1, every veche-peer
# --ice-address 127.0.0.1, and garbage datagrams go only to UDP ports that
# our own server process has open on 127.0.0.1.  Processes started here are
# remembered by PID and stopped by PID (never by name) in it_cleanup, which
# runs on any exit.  Set VECHE_IT_KEEP=1 to keep the temporary directory.
#
# Peers write their JSON-lines report (tools/veche-peer/report.h) to
# $IT_TMP/NAME.jsonl and their log to $IT_TMP/NAME.err.

IT_PIDS=()
IT_SERVER_ARGS=()   # more server arguments, e.g. (--set media_workers=2)
IT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/veche-it.XXXXXX")
IT_N=0
IT_FAILED=0
SERVER_PID=
PORT=
RTP_MIN=
RTP_MAX=

it_note() { printf '# %s\n' "$*"; }

# Indent a file's last lines as TAP comments.
it_note_file() {
    local f=$1 n=${2:-30}
    [ -s "$f" ] && tail -n "$n" "$f" | sed 's/^/#     /'
    return 0
}

it_ok() {
    IT_N=$((IT_N + 1))
    printf 'ok %d - %s\n' "$IT_N" "$*"
}

it_not_ok() {
    IT_N=$((IT_N + 1))
    IT_FAILED=1
    printf 'not ok %d - %s\n' "$IT_N" "$*"
}

# it_check DESCRIPTION CMD...: one check from a command's status.
it_check() {
    local desc=$1
    shift
    if "$@"; then it_ok "$desc"; else it_not_ok "$desc"; fi
}

# Stop one of our processes by PID: TERM, then KILL after $2 s (default 5).
# Sets IT_STATUS to its exit status (or 137 when it had to be killed).
it_stop() {
    local pid=$1 grace=${2:-5} i
    IT_STATUS=
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null
        for i in $(seq 1 $((grace * 10))); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
    IT_STATUS=$?
}

it_cleanup() {
    local pid
    for pid in "${IT_PIDS[@]}" $SERVER_PID; do
        it_stop "$pid"
    done
    if [ "${VECHE_IT_KEEP:-0}" = 1 ]; then
        echo "# kept $IT_TMP"
    else
        rm -rf "$IT_TMP"
    fi
}
trap it_cleanup EXIT
trap 'exit 130' INT TERM HUP

# A TCP port on 127.0.0.1 that nothing listens on (best effort).
it_free_port() {
    local p i
    for i in $(seq 1 50); do
        p=$(( 20000 + RANDOM % 12000 ))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

it_listening() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

it_healthz() {
    curl -ks --noproxy "*" --max-time 3 "https://127.0.0.1:$PORT/healthz" 2>/dev/null | tr -d '\r\n'
}

it_healthz_ok() { [ "$(it_healthz)" = ok ]; }

it_server_alive() { [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; }

# it_start_server VECHE: start veche on a free port with its own data
# directory and RTP port range; one check that it listens within 20 s, one
# that it answers /healthz.  Returns non-zero when it does not listen.
it_start_server() {
    local veche=$1 src i
    src=${VECHE_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
    if ! PORT=$(it_free_port); then
        it_not_ok "server starts (no free TCP port found)"
        return 1
    fi
    RTP_MIN=$(( 40000 + (RANDOM % 100) * 200 ))
    RTP_MAX=$(( RTP_MIN + 199 ))
    mkdir -p "$IT_TMP/data"
    "$veche" --set listen_address=127.0.0.1 --set port="$PORT" \
        --set ice_addresses=127.0.0.1 \
        --set rtp_port_min="$RTP_MIN" --set rtp_port_max="$RTP_MAX" \
        --set web_root="$src/web-client" --set data_dir="$IT_TMP/data" \
        --set log_level="${VECHE_IT_LOG_LEVEL:-info}" "${IT_SERVER_ARGS[@]}" \
        >"$IT_TMP/server.log" 2>&1 &
    SERVER_PID=$!
    for i in $(seq 1 200); do
        if it_listening; then
            it_ok "server listens on 127.0.0.1:$PORT (pid $SERVER_PID)"
            it_check "server answers /healthz" it_healthz_ok
            return 0
        fi
        it_server_alive || break
        sleep 0.1
    done
    it_not_ok "server listens on 127.0.0.1:$PORT"
    it_server_log
    return 1
}

it_server_log() {
    it_note "---- last lines of the server log ----"
    it_note_file "$IT_TMP/server.log" 40
}

# it_peer NAME ARGS...: start a veche-peer in the background; its pid goes
# into IT_PIDS and PEER_PID.
it_peer() {
    local name=$1
    shift
    "$PEER" --url "wss://127.0.0.1:$PORT/ws" --name "$name" \
        --ice-address 127.0.0.1 --report "$IT_TMP/$name.jsonl" "$@" \
        2>"$IT_TMP/$name.err" &
    PEER_PID=$!
    IT_PIDS+=("$PEER_PID")
}

# it_wait_peer NAME PID SECONDS: wait up to SECONDS for a peer to end; one
# check that it exited 0 (it met all its own expectations); its failures
# and log go out as notes otherwise.
it_wait_peer() {
    local name=$1 pid=$2 secs=$3 i
    for i in $(seq 1 $((secs * 10))); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    it_stop "$pid"
    if [ "$IT_STATUS" = 0 ]; then
        it_ok "peer $name met its expectations"
    else
        it_not_ok "peer $name met its expectations (exit status $IT_STATUS)"
        it_note_file "$IT_TMP/$name.err" 40
    fi
}

# jq definitions over a peer's records (jq -s: an array of them).
IT_JQ_DEFS='
def tracks: map(select(.record == "track"));
def events($e): map(select(.record == "event" and .event == $e));
def finish_t: ([events("finish")[].t] | max) // 1e9;
# the latest track of kind $k of the latest incarnation of name $n
def latest($n; $k): tracks as $all
  | [$all[] | select(.name == $n)] as $t
  | if ($t | length) == 0 then null else
      ($t | max_by(.added) | .participant) as $p
      | [$t[] | select(.participant == $p and .kind == $k)]
      | if length == 0 then null else max_by(.added) end
    end;
def ratio: if .packets + .lost == 0 then 0 else .packets / (.packets + .lost) end;
def good($min): . != null and .packets > 0 and ratio >= $min
  and .identical == .packets and .after_removed == 0;
'

# it_jq NAME FILTER: true when FILTER holds on NAME's records.
it_jq() {
    [ -s "$IT_TMP/$1.jsonl" ] &&
        jq -e -s "$IT_JQ_DEFS $2" "$IT_TMP/$1.jsonl" >/dev/null 2>&1
}

# it_jq_check NAME FILTER DESCRIPTION: one check.
it_jq_check() {
    it_check "$3" it_jq "$1" "$2"
}

# it_receives RECEIVER SENDER: two checks, that RECEIVER got SENDER's latest
# audio and video with >= 99 % of packets delivered, every packet identical
# to what was sent, and nothing after removal.
it_receives() {
    local r=$1 s=$2 k line
    for k in audio video; do
        line=$(jq -c -s "$IT_JQ_DEFS latest(\"$s\"; \"$k\") |
            if . == null then \"none\" else
            {packets, lost, identical, after_removed, ratio: (ratio * 10000 | floor / 10000)} end" \
            "$IT_TMP/$r.jsonl" 2>/dev/null)
        it_jq_check "$r" "latest(\"$s\"; \"$k\") | good(0.99)" \
            "$r receives $s's $k: >= 99% delivered, identical ($line)"
    done
}

# it_clip_hashes NAMES...: one check that every peer built the same clip.
it_clip_hashes() {
    local n
    n=$(for p in "$@"; do
            jq -r -s 'map(select(.record == "result"))[0].clip_sha256' \
                "$IT_TMP/$p.jsonl" 2>/dev/null
        done | sort -u | grep -cv '^null$')
    it_check "all peers built the same clip (${n:-0} distinct hashes)" \
        test "${n:-0}" = 1
}

# UDP ports our server process has open on 127.0.0.1 (its ICE sockets).
it_server_udp_ports() {
    ss -Huanp 2>/dev/null | grep "pid=$SERVER_PID," |
        awk '{print $4}' | grep '^127\.0\.0\.1:' | sed 's/.*://' | sort -un
}

# it_udp_garbage: send junk (random bytes, a STUN-looking header, RTP- and
# RTCP-looking headers, a DTLS-looking record; one datagram each) to every
# UDP port of our own server on 127.0.0.1.  Sets GARBAGE_PORTS to how many
# ports got it.
it_udp_garbage() {
    local p f g=$IT_TMP/garbage
    GARBAGE_PORTS=0
    mkdir -p "$g"
    head -c 300 /dev/urandom >"$g/1"
    { printf '\x00\x01\x00\x08\x21\x12\xa4\x42'; head -c 20 /dev/urandom; } >"$g/2"
    { printf '\x80\x60\x12\x34'; head -c 200 /dev/urandom; } >"$g/3"
    { printf '\x80\xc8\x00\x40'; head -c 60 /dev/urandom; } >"$g/4"
    { printf '\x16\xfe\xfd\x00\x00\x00\x00\x00\x00\x00\x00\x00\x30\x01'
      head -c 47 /dev/urandom; } >"$g/5"
    for p in $(it_server_udp_ports); do
        [ "$p" -ge "$RTP_MIN" ] && [ "$p" -le "$RTP_MAX" ] || continue
        for f in "$g"/*; do
            # cat writes a small file with one write(): one datagram
            cat "$f" 2>/dev/null >"/dev/udp/127.0.0.1/$p"
        done
        GARBAGE_PORTS=$((GARBAGE_PORTS + 1))
    done
}

# it_veth_pair NS_A IF_A IP_A NS_B IF_B IP_B: two new network namespaces
# joined by a veth pair, IF_A with IP_A/24 in NS_A and IF_B with IP_B/24 in
# NS_B, every link up (the caller deletes the namespaces on exit).
it_veth_pair() {
    ip netns add "$1" && ip netns add "$4" &&
    ip link add "$2" netns "$1" type veth peer name "$5" netns "$4" &&
    ip -n "$1" addr add "$3/24" dev "$2" &&
    ip -n "$4" addr add "$6/24" dev "$5" &&
    ip -n "$1" link set lo up && ip -n "$4" link set lo up &&
    ip -n "$1" link set "$2" up && ip -n "$4" link set "$5" up
}

# it_finish: final server checks (alive, /healthz, clean exit on SIGTERM,
# no error lines in its log), then the plan; exits 0 only when all passed.
it_finish() {
    if [ -n "$SERVER_PID" ]; then
        it_check "server is still running" it_server_alive
        it_check "server still answers /healthz" it_healthz_ok
        it_stop "$SERVER_PID" 20
        SERVER_PID_DONE=$SERVER_PID
        SERVER_PID=
        it_check "server exits cleanly on SIGTERM (status $IT_STATUS)" \
            test "$IT_STATUS" = 0
        if grep -qE '^[^ ]+ error ' "$IT_TMP/server.log" ||
           grep -qE 'runtime error|Sanitizer' "$IT_TMP/server.log"; then
            it_not_ok "server logged no errors"
            grep -E '^[^ ]+ error |runtime error|Sanitizer' "$IT_TMP/server.log" |
                head -n 20 | sed 's/^/#     /'
        else
            it_ok "server logged no errors"
        fi
    fi
    [ "$IT_FAILED" = 0 ] || it_server_log
    printf '1..%d\n' "$IT_N"
    [ "$IT_FAILED" = 0 ] && [ "$IT_N" -gt 0 ]
    exit $?
}
