#!/usr/bin/env bash
# two_rooms.sh VECHE VECHE_PEER - two rooms on two media workers at once
# (TAP).
#
# The server runs with media_workers=2.  Two pairs of native peers meet in
# two rooms at the same time and exchange audio and video for 10 s.
# Checked: each room was pinned to its own worker (the server logs the
# worker of each room, on the worker's own thread); the server process has
# the two worker threads (veche-media0, veche-media1) and both used CPU
# while media flowed, so the two rooms' packets really went through two
# threads; each peer got its partner's audio and video (>= 99 %,
# identical); the server answers /healthz and exits cleanly (it_finish).
set -u
VECHE=$1
PEER=$2
. "$(dirname "$0")/lib.sh"

DURATION=10
IT_SERVER_ARGS=(--set media_workers=2)
it_start_server "$VECHE" || it_finish

it_note "A1 and B1 in room one, A2 and B2 in room two, for $DURATION s"
it_peer A1 --room one --duration $DURATION --expect-peers 1; PID_A1=$PEER_PID
it_peer A2 --room two --duration $DURATION --expect-peers 1; PID_A2=$PEER_PID
it_peer B1 --room one --duration $DURATION --expect-peers 1; PID_B1=$PEER_PID
it_peer B2 --room two --duration $DURATION --expect-peers 1; PID_B2=$PEER_PID

# CPU time (utime + stime, clock ticks) of the server's thread named $1.
thread_cpu() {
    local t
    for t in /proc/"$SERVER_PID"/task/*; do
        if [ "$(cat "$t/comm" 2>/dev/null)" = "$1" ]; then
            awk '{print $14 + $15}' "$t/stat" 2>/dev/null
            return 0
        fi
    done
    echo -1
}

sleep $((DURATION / 2))
CPU0_MID=$(thread_cpu veche-media0)
CPU1_MID=$(thread_cpu veche-media1)

WAIT=$((DURATION + 30))
for n in A1 A2 B1 B2; do
    pid_var=PID_$n
    it_wait_peer "$n" "${!pid_var}" $WAIT
done
CPU0=$(thread_cpu veche-media0)
CPU1=$(thread_cpu veche-media1)

it_receives A1 B1
it_receives B1 A1
it_receives A2 B2
it_receives B2 A2
it_jq_check A1 '[tracks[] | select(.name == "A2" or .name == "B2")] | length == 0' \
    "room one saw nothing of room two"

W1=$(sed -n 's/.*room=one .*room created on media worker \([0-9]*\).*/\1/p' "$IT_TMP/server.log" | head -1)
W2=$(sed -n 's/.*room=two .*room created on media worker \([0-9]*\).*/\1/p' "$IT_TMP/server.log" | head -1)
it_check "rooms one and two run on different media workers (${W1:-?} and ${W2:-?})" \
    test -n "$W1" -a -n "$W2" -a "$W1" != "$W2"
it_check "the server runs threads veche-media0 and veche-media1 (cpu ticks at mid-run: $CPU0_MID, $CPU1_MID)" \
    test "$CPU0_MID" -ge 0 -a "$CPU1_MID" -ge 0
it_check "both worker threads carried media (cpu ticks at the end: $CPU0, $CPU1)" \
    test "$CPU0" -gt 0 -a "$CPU1" -gt 0
it_finish
