# lib.sh - shared helpers of the integration scripts (sourced, not run).
#
# Everything listens on and talks to 127.0.0.1 only.  Processes started here
# are remembered by PID and killed by PID in cleanup; nothing is killed by
# name.  Set VECHE_IT_KEEP=1 to keep the temporary directory.

IT_PIDS=()
IT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/veche-it.XXXXXX")
IT_FAILED=0
SERVER_PID=
PORT=

it_log() { printf '%s %s\n' "[$(date +%H:%M:%S)]" "$*"; }

it_fail() {
    printf 'FAIL: %s\n' "$*"
    IT_FAILED=1
}

# Stop one of our processes by PID: TERM, then KILL after 5 s.
it_stop() {
    local pid=$1 i
    kill "$pid" 2>/dev/null || return 0
    for i in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
}

it_cleanup() {
    local pid
    for pid in "${IT_PIDS[@]}" $SERVER_PID; do
        it_stop "$pid"
    done
    if [ "${VECHE_IT_KEEP:-0}" = 1 ]; then
        echo "kept $IT_TMP"
    else
        rm -rf "$IT_TMP"
    fi
}
trap it_cleanup EXIT
trap 'exit 130' INT TERM

# A TCP port on 127.0.0.1 that nothing listens on (best effort).
it_free_port() {
    local p i
    for i in $(seq 1 50); do
        p=$(( 20000 + RANDOM % 20000 ))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

# it_start_server VECHE: start veche on a free port, wait for /healthz.
it_start_server() {
    local veche=$1 src rtp i
    src=${VECHE_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
    PORT=$(it_free_port) || { it_fail "no free port"; return 1; }
    rtp=$(( 40000 + (RANDOM % 100) * 200 ))
    mkdir -p "$IT_TMP/data"
    "$veche" --set listen_address=127.0.0.1 --set port="$PORT" \
        --set ice_addresses=127.0.0.1 \
        --set rtp_port_min="$rtp" --set rtp_port_max=$(( rtp + 199 )) \
        --set web_root="$src/web-client" --set data_dir="$IT_TMP/data" \
        >"$IT_TMP/server.log" 2>&1 &
    SERVER_PID=$!
    for i in $(seq 1 100); do
        if [ "$(it_healthz)" = ok ]; then
            it_log "server up on 127.0.0.1:$PORT (pid $SERVER_PID)"
            return 0
        fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            it_fail "server exited during start-up"
            it_server_log
            return 1
        fi
        sleep 0.1
    done
    it_fail "server did not answer /healthz within 10 s"
    it_server_log
    return 1
}

it_healthz() {
    curl -ks --max-time 2 "https://127.0.0.1:$PORT/healthz" 2>/dev/null | tr -d '\r\n'
}

it_server_log() {
    echo "---- last lines of the server log ----"
    tail -n 40 "$IT_TMP/server.log"
    echo "--------------------------------------"
}

# it_peer NAME ARGS...: start a veche-peer in the background; its pid goes
# into IT_PIDS and PEER_PID, its report to $IT_TMP/NAME.json.
it_peer() {
    local name=$1
    shift
    "$PEER" --url "wss://127.0.0.1:$PORT/ws" --name "$name" \
        --ice-address 127.0.0.1 --report "$IT_TMP/$name.json" "$@" \
        >"$IT_TMP/$name.out" 2>&1 &
    PEER_PID=$!
    IT_PIDS+=("$PEER_PID")
}

# it_wait_peer NAME PID: wait for a peer; fail with its output and report
# summary unless it exited 0.
it_wait_peer() {
    local name=$1 pid=$2 rc
    wait "$pid"
    rc=$?
    it_summary "$name"
    if [ "$rc" != 0 ]; then
        it_fail "peer $name exited with status $rc"
        sed 's/^/    /' "$IT_TMP/$name.out" | tail -n 30
    fi
}

# A readable summary of one report.
it_summary() {
    local f="$IT_TMP/$1.json"
    if [ ! -s "$f" ]; then
        echo "  $1: no report"
        return
    fi
    jq -r '"  \(.name) (\(.participant)): ok=\(.ok) sent audio=\(.sent.audio) video=\(.sent.video) nacks=\(.sent.nack_seqs) pli=\(.sent.pli)",
           (.tracks[] | "    \(.name)/\(.kind) \(.participant) ssrc=\(.ssrc) packets=\(.packets) lost=\(.lost) identical=\(.identical) mismatched=\(.mismatched) after_removed=\(.after_removed)"),
           (.checks[]? | "    check \(.name): \(if .ok then "ok" else "FAILED" end) (\(.detail))"),
           (.errors[]? | "    error: \(.)"),
           (.failures[]? | "    failure: \(.)")' "$f"
}

# it_jq NAME FILTER DESCRIPTION: fail unless FILTER is true on NAME's report.
it_jq() {
    if ! jq -e "$2" "$IT_TMP/$1.json" >/dev/null 2>&1; then
        it_fail "$1: $3"
    fi
}

it_finish() {
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        it_fail "the server is no longer running"
    elif [ "$(it_healthz)" != ok ]; then
        it_fail "the server no longer answers /healthz"
    fi
    if [ "$IT_FAILED" != 0 ]; then
        it_server_log
        echo "FAILED"
        exit 1
    fi
    echo "PASSED"
    exit 0
}
