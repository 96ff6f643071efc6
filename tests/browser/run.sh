#!/usr/bin/env bash
# run.sh - run the browser tests against a real server on 127.0.0.1.
#   tests/browser/run.sh [SERVER_BINARY]      (default: build/server/veche)
# Installs the npm dependencies when node_modules is missing, starts the
# server on a free port with the demo organization (--set demo=true: the
# accounts of server/api/demo.c, shared by every test file) (TLS with a generated self-signed certificate, ICE on
# 127.0.0.1 only), waits for /healthz, runs every *.test.mjs here (or those
# named in VECHE_TESTS) in one node --test run with TAP on stdout, stops the
# server and exits with the tests' status.  The server log
# goes to stderr when something failed (VECHE_LOG_LEVEL=debug for more).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SERVER=${1:-build/server/veche}
case $SERVER in /*) ;; *) SERVER=$ROOT/$SERVER ;; esac

bail() { echo "not ok 1 - browser tests: $*"; echo "1..1"; exit 1; }

[ -x "$SERVER" ] || bail "server binary $SERVER not found (build it first)"
[ -x /usr/bin/chromium ] || bail "/usr/bin/chromium is missing (apt-get install chromium)"
[ -x /usr/bin/firefox-esr ] || bail "/usr/bin/firefox-esr is missing (apt-get install firefox-esr)"
command -v Xvfb >/dev/null || bail "Xvfb is missing (apt-get install xvfb)"
cd "$HERE" || exit 1
# (again when package-lock.json changed since the last install)
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund >&2 || bail "npm ci failed"
fi

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DATA=$(mktemp -d)
LOG=$DATA/server.log
"$SERVER" --set listen_address=127.0.0.1 --set port="$PORT" --set ice_addresses=127.0.0.1 \
    --set web_root="$ROOT/web-client" --set data_dir="$DATA" --set demo=true \
    --set log_level="${VECHE_LOG_LEVEL:-info}" > "$LOG" 2>&1 &
SERVER_PID=$!
cleanup() {
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID"
        for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$SERVER_PID" 2>/dev/null
    fi
    rm -rf "$DATA"
}
trap cleanup EXIT

# Up = /healthz answers 200 (the status line is enough; give up after 20 s).
up=0
deadline=$((SECONDS + 20))
while [ $SECONDS -lt $deadline ] && kill -0 "$SERVER_PID" 2>/dev/null; do
    code=$(curl -ks -o /dev/null -w '%{http_code}' --max-time 2 "https://127.0.0.1:$PORT/healthz")
    if [ "$code" = 200 ]; then up=1; break; fi
    sleep 0.2
done
if [ $up -ne 1 ]; then
    echo "--- server log ---" >&2; tail -100 "$LOG" >&2
    bail "the server did not answer https://127.0.0.1:$PORT/healthz"
fi

# One node --test run: its TAP lists every test of every file at the top
# level (what scripts/summarize.py counts); files run one after another.
read -r -a TESTS <<< "${VECHE_TESTS:-$(ls ./*.test.mjs | tr '\n' ' ')}"
# bigroom.test.mjs imports a roster with vechectl into the server's database.
VECHE_DATA_DIR="$DATA" VECHE_VECHECTL="$(dirname "$SERVER")/../tools/vechectl/vechectl" \
VECHE_DATA="$DATA" VECHE_URL="https://127.0.0.1:$PORT/" VECHE_SERVER="$SERVER" node --test --test-concurrency=1 --test-reporter=tap "${TESTS[@]}"

status=$?

# Stop the server and check that it survived the tests and exits cleanly
# (a sanitizer build reports leaks and errors at exit).
if kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID"
    for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$SERVER_PID" 2>/dev/null && { echo "# the server ignored SIGTERM for 10 s" >&2; status=1; }
else
    echo "# the server exited during the tests" >&2
    status=1
fi
wait "$SERVER_PID" 2>/dev/null
server_status=$?
if [ $server_status -ne 0 ] && [ $server_status -ne 143 ]; then
    echo "# the server exited with status $server_status" >&2
    status=1
fi
if [ $status -ne 0 ] || [ -n "${VECHE_TEST_VERBOSE:-}" ]; then
    echo "--- server log (last 300 lines) ---" >&2; tail -300 "$LOG" >&2
fi
exit $status
