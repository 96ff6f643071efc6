#!/usr/bin/env bash
# bad_input.sh VECHE VECHE_PEER - a misbehaving client must not hurt the
# others (TAP).
#
# A and B are normal peers in room "bad".  Once their media flows, M joins
# with --misbehave: malformed JSON, a JSON array, an unknown message type, a
# candidate for an unknown pc, a second join, an answer with no offer, a
# publish with SDP that does not parse and one offering only PCMU, and a
# 100 KiB message (> ws_max_message: the server must answer too-large and
# close 1009; M reconnects and rejoins); then it publishes and subscribes,
# sends garbage datagrams to the server's candidates it was given (libnice
# drops them: they come from an unknown address) and junk RTCP and RTP
# through its own SRTP connections (malformed and nonsensical feedback,
# unknown SSRCs: these reach the server's RTP/RTCP code), and goes on
# normally.  Meanwhile this script sends garbage datagrams to every UDP
# port the server process has open on 127.0.0.1 (all three peers'
# transports).  Checked, one TAP line each: every expected error reply,
# the close, the rejoin; A and B keep receiving each other (>= 99 %,
# identical, until the end) and get M's new incarnation; the server stays
# up, answers /healthz and exits cleanly.
set -u
VECHE=$1
PEER=$2
. "$(dirname "$0")/lib.sh"

DURATION=24
M_DELAY=4
it_start_server "$VECHE" || it_finish

it_note "A and B in room bad for $DURATION s; M (--misbehave) joins at $M_DELAY s"
it_peer A --room bad --duration $DURATION --expect-peers 2; PID_A=$PEER_PID
it_peer B --room bad --duration $DURATION --expect-peers 2 --trickle-only; PID_B=$PEER_PID
sleep $M_DELAY
it_peer M --room bad --duration $((DURATION - M_DELAY - 2)) --expect-peers 2 \
    --misbehave; PID_M=$PEER_PID

# M's signalling steps take a second or two; spray once M publishes again.
sleep 8
it_udp_garbage
it_check "garbage datagrams went to the server's UDP ports ($GARBAGE_PORTS ports)" \
    test "$GARBAGE_PORTS" -ge 4
it_check "server answers /healthz during the garbage" it_healthz_ok

WAIT=$((DURATION + 30))
it_wait_peer A "$PID_A" $WAIT
it_wait_peer B "$PID_B" $WAIT
it_wait_peer M "$PID_M" $WAIT

for check in bad-json not-an-object unknown-type bad-request already-joined \
             bad-state bad-sdp unsupported-sdp too-large too-large-close \
             udp-garbage srtp-junk-publish srtp-junk-subscribe; do
    detail=$(jq -r -s "map(select(.record == \"check\" and
                                  .name == \"$check\"))[0].detail // \"missing\"" \
        "$IT_TMP/M.jsonl" 2>/dev/null)
    it_jq_check M "[.[] | select(.record == \"check\" and .name == \"$check\")] as \$c
        | (\$c | length) == 1 and \$c[0].ok" \
        "misbehaving client: $check ($detail)"
done
it_jq_check M 'events("joined") | length == 2' \
    "M rejoined after the too-large close"

it_receives A B
it_receives B A
for r in A B; do
    s=$([ $r = A ] && echo B || echo A)
    it_jq_check $r "finish_t as \$fin | [latest(\"$s\"; \"audio\"), latest(\"$s\"; \"video\")]
        | all(.[]; . != null and .last >= (.removed // \$fin) - 2)" \
        "$r kept receiving $s until the end"
    it_receives $r M
done

it_clip_hashes A B M
it_finish
