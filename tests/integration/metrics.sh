#!/usr/bin/env bash
# metrics.sh VECHE VECHE_PEER [VECHE_RECORDER] - GET /metrics (TAP).
#
# Part 1, on 127.0.0.1: three native peers meet for 12 s (A leaves out
# ~3 % of its video the first time, so the server NACKs it; B accepts RTX
# and throws away ~3 % of what it gets, so the server resends).  /metrics
# is read before, during and after the meeting:
#   - every page passes `promtool check metrics`;
#   - during the meeting the gauges show one meeting room, three
#     participants and six tracks;
#   - every metric conf/grafana-dashboard.json uses is on the page;
#   - afterwards the media counters moved (RTP and bytes in and out,
#     NACKs both ways, RTX, PLIs sent), the join histogram counted three
#     joins, the signalling round-trip histogram counted requests.
# Part 1b, on 127.0.0.1: the recorder's and the lesson renderer's state
# (metrics_recording.py drives it and saves the pages): the trainer's
# GStreamer peer publishes camera, screen and audio; the page before, while
# recording (one room recorded), after record-stop (a part closed, bytes
# counted), after a kill -9 of the recorder during a second part (a restart,
# the part repaired, the recorder up again) and after the lesson render
# (a render finished, the queue empty again); every page passes promtool.
# VECHE_RECORDER defaults to ../recorder/veche-recorder beside VECHE.
# Part 2, in two network namespaces of our own (10.99.71.1 the server's,
# 10.99.71.2 a client's; nothing leaves the machine):
#   - with metrics_token set, a client on another address gets 401 without
#     the token and with a wrong one, 200 with it; loopback needs it too;
#   - without metrics_token, the other address gets 403 and loopback 200.
set -u
VECHE=$1
PEER=$2
RECORDER=${3:-$(dirname "$VECHE")/../recorder/veche-recorder}
. "$(dirname "$0")/lib.sh"

NS_SRV=veche-mt-srv-$$
NS_CLI=veche-mt-cli-$$
IF_SRV=vmts$$
IF_CLI=vmtc$$
IP_SRV=10.99.71.1
IP_CLI=10.99.71.2
TOKEN=metrics-$$-$RANDOM$RANDOM

ns_teardown() {
    ip netns del "$NS_CLI" 2>/dev/null
    ip netns del "$NS_SRV" 2>/dev/null
    return 0
}
trap 'it_cleanup; ns_teardown' EXIT

for tool in promtool curl ip; do
    if ! command -v "$tool" >/dev/null; then
        it_not_ok "$tool is installed (scripts/deps.sh test installs prometheus, curl, iproute2)"
        it_finish
    fi
done

# scrape FILE [CURL ARGS...]: GET /metrics from 127.0.0.1 into FILE; prints
# the HTTP status.
scrape() {
    local f=$1
    shift
    curl -ks --noproxy "*" --max-time 5 -o "$f" -w '%{http_code}' "$@" \
        "https://127.0.0.1:$PORT/metrics" 2>/dev/null
}

# value FILE SAMPLE: the value of one sample line ("name" or 'name{...}').
value() {
    [ -s "$1" ] || { echo none; return; }
    awk -v k="$2" '$1 == k { print $2; found = 1 } END { if (!found) print "none" }' "$1"
}

# check_gt FILE SAMPLE MIN DESCRIPTION: one check that SAMPLE > MIN.
check_gt() {
    local v
    v=$(value "$1" "$2")
    it_check "$4 ($2 = $v)" awk -v v="$v" -v m="$3" 'BEGIN { exit !(v != "none" && v + 0 > m + 0) }'
}

check_eq() {
    local v
    v=$(value "$1" "$2")
    it_check "$4 ($2 = $v)" awk -v v="$v" -v m="$3" 'BEGIN { exit !(v != "none" && v + 0 == m + 0) }'
}

promtool_ok() {
    if promtool check metrics <"$1" >"$1.lint" 2>&1; then
        return 0
    fi
    it_note_file "$1.lint" 20
    return 1
}

# ---- part 1: a three-peer meeting on 127.0.0.1 ------------------------------
IT_SERVER_ARGS=(--set media_workers=2)
it_start_server "$VECHE" || it_finish

M0=$IT_TMP/m0.txt M1=$IT_TMP/m1.txt M2=$IT_TMP/m2.txt
it_check "GET /metrics from 127.0.0.1 without a token: 200" test "$(scrape "$M0")" = 200
it_check "the idle page passes promtool check metrics" promtool_ok "$M0"
check_eq "$M0" 'veche_participants{kind="meeting"}' 0 "no participants before the meeting"

DURATION=12
it_peer A --room metrics --duration $DURATION --expect-peers 2 --drop-send 30; PID_A=$PEER_PID
it_peer B --room metrics --duration $DURATION --expect-peers 2 --rtx --drop-video 30
PID_B=$PEER_PID
it_peer C --room metrics --duration $DURATION --expect-peers 2; PID_C=$PEER_PID

# During the meeting: wait (slow machines, sanitizer builds) until all
# three are in with their tracks, as the once-a-second snapshot counts them.
in_meeting() {
    ST1=$(scrape "$M1")
    [ "$ST1" = 200 ] &&
        [ "$(value "$M1" 'veche_participants{kind="meeting"}')" = 3 ] &&
        [ "$(value "$M1" 'veche_tracks{kind="meeting"}')" = 6 ]
}
for _ in $(seq 1 $(((DURATION + 30) * 4))); do
    in_meeting && break
    sleep 0.25
done
it_check "GET /metrics during the meeting: 200" test "$ST1" = 200
it_check "the busy page passes promtool check metrics" promtool_ok "$M1"
check_eq "$M1" 'veche_rooms{kind="meeting"}' 1 "one meeting room open"
check_eq "$M1" 'veche_participants{kind="meeting"}' 3 "three participants in it"
check_eq "$M1" 'veche_tracks{kind="meeting"}' 6 "six tracks (audio and video of each)"
check_eq "$M1" 'veche_participants{kind="training"}' 0 "no training participants"

WAIT=$((DURATION + 30))
it_wait_peer A "$PID_A" $WAIT
it_wait_peer B "$PID_B" $WAIT
it_wait_peer C "$PID_C" $WAIT
sleep 1.5  # the gauges' snapshot is taken once a second
it_check "GET /metrics after the meeting: 200" test "$(scrape "$M2")" = 200
it_check "the page after the meeting passes promtool check metrics" promtool_ok "$M2"
for c in veche_rtp_packets_received_total veche_rtp_packets_sent_total \
         veche_rtcp_packets_received_total veche_rtcp_packets_sent_total \
         veche_media_received_bytes_total veche_media_sent_bytes_total; do
    check_gt "$M2" "$c" "$(value "$M0" "$c")" "$c moved during the meeting"
done
check_gt "$M2" veche_rtp_packets_received_total 1000 "thousands of RTP packets received"
check_gt "$M2" veche_nacks_sent_total 0 "the server NACKed A's left-out packets"
check_gt "$M2" veche_rtp_packets_lost_total 0 "the upstream gaps were counted as lost"
check_gt "$M2" veche_rtp_packets_repaired_total 0 "and as repaired when A resent them"
check_gt "$M2" veche_nacks_received_total 0 "B's NACKs were counted"
check_gt "$M2" veche_rtx_packets_sent_total 0 "the server resent to B"
check_gt "$M2" veche_plis_sent_total 0 "key frames were asked of the publishers"
check_gt "$M2" veche_join_seconds_count 2 "three joins in the join latency histogram"
check_gt "$M2" veche_signal_roundtrip_seconds_count 5 \
    "requests in the signalling round-trip histogram"
check_eq "$M2" 'veche_participants{kind="meeting"}' 0 "nobody left in the room afterwards"
check_eq "$M2" 'veche_signal_roundtrip_seconds_bucket{le="+Inf"}' \
    "$(value "$M2" veche_signal_roundtrip_seconds_count)" "the +Inf bucket equals the count"
check_gt "$M2" 'veche_worker_loop_lag_seconds_total{worker="1"}' -1 "worker 1 reports its loop lag"

SRC=${VECHE_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
DASH=$SRC/conf/grafana-dashboard.json
it_check "conf/grafana-dashboard.json is JSON" bash -c "jq -e '.panels | length > 10' '$DASH' >/dev/null"
missing=$(grep -o 'veche_[a-z_]*' "$DASH" | sort -u | while read -r n; do
    grep -q "^$n[ {]" "$M2" || echo "$n"; done | tr '\n' ' ')
it_check "every metric the dashboard uses is on the page${missing:+ (missing: $missing)}" \
    test -z "$missing"

it_finish_server() {
    it_stop "$SERVER_PID" 20
    SERVER_PID=
    it_check "server exits cleanly on SIGTERM (status $IT_STATUS)" test "$IT_STATUS" = 0
}
it_finish_server

# ---- part 1b: recording and lessons -----------------------------------------
R=$IT_TMP/rec
if python3 "$(dirname "$0")/metrics_recording.py" "$VECHE" "$RECORDER" "$R" >"$IT_TMP/rec.out" 2>&1
then
    it_ok "a recording of camera, screen and audio ran, with a recorder kill and a lesson render"
else
    it_not_ok "a recording of camera, screen and audio ran, with a recorder kill and a lesson render"
fi
sed 's/^#*/#/' "$IT_TMP/rec.out"
for f in r0 r1 r2 r3 r4; do
    if [ -s "$R/$f.txt" ]; then
        it_check "recording page $f passes promtool check metrics" promtool_ok "$R/$f.txt"
    else
        it_not_ok "recording page $f was saved"
    fi
done
check_eq "$R/r0.txt" veche_recorder_up 1 "the recorder runs"
check_eq "$R/r0.txt" veche_recordings_active 0 "nothing recorded before record-start"
check_eq "$R/r0.txt" 'veche_recording_parts_total{state="closed"}' 0 "no part closed before"
check_eq "$R/r1.txt" veche_recordings_active 1 "one room recorded while recording"
check_eq "$R/r2.txt" veche_recordings_active 0 "none after record-stop"
check_eq "$R/r2.txt" 'veche_recording_parts_total{state="closed"}' 1 "the part counted closed"
check_gt "$R/r2.txt" veche_recording_bytes_total 100000 "its bytes counted"
check_eq "$R/r2.txt" veche_recorder_restarts_total 0 "no recorder restart yet"
check_eq "$R/r3.txt" veche_recorder_restarts_total 1 "the killed recorder counted as restarted"
check_eq "$R/r3.txt" veche_recorder_up 1 "the recorder up again"
check_eq "$R/r3.txt" 'veche_recording_parts_total{state="repaired"}' 1 \
    "the killed recorder's part counted repaired"
check_eq "$R/r3.txt" veche_recordings_active 0 "no room recorded after the kill"
check_gt "$R/r3.txt" veche_recording_bytes_total "$(value "$R/r2.txt" veche_recording_bytes_total)" \
    "the repaired part's bytes added"
check_gt "$R/r4.txt" 'veche_lesson_renders_total{result="ready"}' 0 "the lesson rendered"
check_eq "$R/r4.txt" 'veche_lesson_renders_total{result="failed"}' 0 "no render failed"
check_eq "$R/r4.txt" veche_lesson_render_queue 0 "the render queue empty again"
check_eq "$R/r4.txt" veche_lesson_rendering 0 "nothing rendering"
it_check "the render queue or the rendering gauge moved while waiting ($(cat "$R/queue.txt" 2>/dev/null))" \
    awk '{ exit !($1 + $2 > 0) }' "$R/queue.txt"

# ---- part 2: access from another address -------------------------------------
if [ "$(id -u)" != 0 ]; then
    it_not_ok "runs as root (needed for ip netns; run the integration suite as root)"
    it_finish
fi
if ! it_veth_pair "$NS_SRV" "$IF_SRV" "$IP_SRV" "$NS_CLI" "$IF_CLI" "$IP_CLI"; then
    it_not_ok "network namespaces $NS_SRV and $NS_CLI with a veth pair"
    it_finish
fi
it_ok "network namespaces $NS_SRV ($IP_SRV) and $NS_CLI ($IP_CLI) with a veth pair"

# ns_server ARGS...: veche in NS_SRV on every address of that namespace.
ns_server() {
    rm -rf "$IT_TMP/ns-data"
    mkdir -p "$IT_TMP/ns-data"
    ip netns exec "$NS_SRV" "$VECHE" --set listen_address=0.0.0.0 --set port="$PORT" \
        --set ice_addresses="$IP_SRV" --set data_dir="$IT_TMP/ns-data" \
        --set backup_interval_hours=0 "$@" >"$IT_TMP/ns-server.log" 2>&1 &
    SERVER_PID=$!
    local i
    for i in $(seq 1 200); do
        ip netns exec "$NS_CLI" bash -c "exec 3<>/dev/tcp/$IP_SRV/$PORT" 2>/dev/null && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    it_note_file "$IT_TMP/ns-server.log" 20
    return 1
}

# from NS [CURL ARGS...]: the status of GET /metrics from namespace NS.
from() {
    local ns=$1 host
    shift
    if [ "$ns" = "$NS_CLI" ]; then host=$IP_SRV; else host=127.0.0.1; fi
    ip netns exec "$ns" curl -ks --noproxy "*" --max-time 5 -o "$IT_TMP/ns-page.txt" \
        -w '%{http_code}' "$@" "https://$host:$PORT/metrics" 2>/dev/null
}

if ns_server --set metrics_token="$TOKEN"; then
    it_ok "server with metrics_token listens in $NS_SRV"
    it_check "from $IP_CLI without the token: 401" test "$(from "$NS_CLI")" = 401
    it_check "from $IP_CLI with a wrong token: 401" \
        test "$(from "$NS_CLI" -H "Authorization: Bearer wrong-$TOKEN")" = 401
    it_check "from $IP_CLI with the token in another scheme: 401" \
        test "$(from "$NS_CLI" -H "Authorization: Basic $TOKEN")" = 401
    it_check "from 127.0.0.1 without the token: 401 (the token is asked of everyone)" \
        test "$(from "$NS_SRV")" = 401
    it_check "from $IP_CLI with the token: 200" \
        test "$(from "$NS_CLI" -H "Authorization: Bearer $TOKEN")" = 200
    it_check "that page passes promtool check metrics" promtool_ok "$IT_TMP/ns-page.txt"
else
    it_not_ok "server with metrics_token listens in $NS_SRV"
fi
it_finish_server

if ns_server; then
    it_ok "server without metrics_token listens in $NS_SRV"
    it_check "from $IP_CLI: 403 (loopback only)" test "$(from "$NS_CLI")" = 403
    it_check "from $IP_CLI with some bearer token: still 403" \
        test "$(from "$NS_CLI" -H "Authorization: Bearer $TOKEN")" = 403
    it_check "from 127.0.0.1 in the server's namespace: 200" test "$(from "$NS_SRV")" = 200
    it_check "the refusals were logged" grep -q "metrics: refused 403 to $IP_CLI" \
        "$IT_TMP/ns-server.log"
else
    it_not_ok "server without metrics_token listens in $NS_SRV"
fi
it_finish_server
it_finish
