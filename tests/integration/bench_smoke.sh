#!/usr/bin/env bash
# bench_smoke.sh VECHE - the benchmark (bench/sfu_bench.py) in its smoke mode
# (TAP): one webrtcbin publisher and 2 webrtcbin subscribers for a 4 s
# window, against Veche and, when Debian's janus is installed, Janus
# VideoRoom, in a network namespace the bench creates and deletes (root).
# Checked: the bench exits 0 and, for each server it ran, printed a result
# with every number present and forwarded packets > 0.  No timing or loss
# assertions: the numbers depend on the machine (docs/performance.md).
set -u
VECHE=$1
SRC=${VECHE_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/veche-bench-smoke.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
N=0
FAILED=0
ok() { N=$((N + 1)); echo "ok $N - $*"; }
not_ok() { N=$((N + 1)); FAILED=1; echo "not ok $N - $*"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }

/usr/bin/python3 "$SRC/bench/sfu_bench.py" --smoke --veche "$VECHE" \
    --json "$TMP/results.json" >"$TMP/out.txt" 2>&1
status=$?
sed 's/^/# /' "$TMP/out.txt" | grep -v '^# RESULT'
check "the bench ran (exit status $status)" test "$status" = 0
servers="veche"
command -v janus >/dev/null && servers="veche janus"
for s in $servers; do
    r() { jq -e --arg s "$s" ".results[] | select(.server == \$s) | $1" "$TMP/results.json" >/dev/null 2>&1; }
    check "$s: a result for 2 subscribers" r '.subscribers == 2'
    check "$s: forwarded packets > 0" r '.forwarded_packets > 0'
    check "$s: CPU per forwarded packet, UDP drops and loss are numbers" \
        r '(.cpu_us_per_pkt | type) == "number" and (.udp_drops | type) == "number"
           and (.loss_pct | type) == "number" and .udp_sockets > 0'
    check "$s: API p99 measured" r '(.api_p99_ms | type) == "number" and .api_samples > 10'
    check "$s: both subscribers decoded a frame (join to first frame measured)" \
        r '.subscribers_with_frame == 2 and (.first_frame_ms_median | type) == "number"'
done
command -v janus >/dev/null || echo "# janus is not installed: the bench measured Veche only"
echo "1..$N"
exit $FAILED
