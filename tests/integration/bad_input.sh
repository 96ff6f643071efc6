#!/usr/bin/env bash
# bad_input.sh VECHE VECHE_PEER - a misbehaving peer must not hurt others.
#
# A and B are normal; M runs --misbehave: malformed JSON, an unknown message
# type, a publish with bogus SDP, a 100 KiB message (the server must answer
# too-large and close; M reconnects and rejoins), then garbage datagrams to
# the server's ICE candidates on 127.0.0.1, then it behaves normally.  A and
# B must still meet their expectations (including M's new incarnation), M
# must have got the expected error codes, and the server must still answer
# /healthz afterwards.
set -u
VECHE=$1
PEER=$2
. "$(dirname "$0")/lib.sh"

DURATION=20
it_start_server "$VECHE" || it_finish

it_log "starting A, B and M (--misbehave) in room bad (${DURATION} s)"
it_peer A --room bad --duration $DURATION --expect-peers 2; PID_A=$PEER_PID
it_peer B --room bad --duration $DURATION --expect-peers 2; PID_B=$PEER_PID
it_peer M --room bad --duration $DURATION --expect-peers 2 --misbehave; PID_M=$PEER_PID

it_wait_peer A "$PID_A"
it_wait_peer B "$PID_B"
it_wait_peer M "$PID_M"

for check in bad-json unknown-type bad-sdp too-large too-large-close udp-garbage; do
    it_jq M "[.checks[] | select(.name == \"$check\" and .ok)] | length == 1" \
        "check $check did not pass"
done
it_jq M '[.events[] | select(.type == "joined")] | length == 2' \
    "M did not rejoin after the too-large close"

it_finish
