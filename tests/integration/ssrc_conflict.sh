#!/usr/bin/env bash
# ssrc_conflict.sh VECHE VECHE_PEER - a member publishing an SSRC that is
# already in use in the room is refused, and everybody else's media keeps
# flowing, byte for byte (TAP).
#
# A publishes with fixed SSRCs (audio 1111, video 2222) and B with random
# ones; both stay 14 s.  2 s in, C joins and publishes with A's video SSRC
# (2222) and D publishes with the SSRCs the server gave its own subscribe
# offer (--ssrc-from-offer: a downtrack's).  Both must be refused with
# ssrc-conflict while they still subscribe.  A drops ~2 % of the video it
# receives (RTX must bring it back through the rewritten OSN) and B leaves
# out ~2 % of its video (the server NACKs B through the NACK translation).
# Checked here, one TAP line each:
#   - each peer exits 0 (report.h: all expected media delivered and
#     identical, every check passed, no error; for C and D the
#     publish-refused check);
#   - A and B receive each other, C and D receive A and B, >= 99 %,
#     identical;
#   - the refusals name the SSRC, nobody ever gets a track of C or D;
#   - no subscriber sees a publisher's own SSRC (1111, 2222): the server
#     gives every subscriber its own;
#   - loss repair went through the rewriting (RTX to A, NACKs to B);
#   - the server stays up and answers /healthz (it_finish).
set -u
VECHE=$1
PEER=$2
. "$(dirname "$0")/lib.sh"

DURATION=14
it_start_server "$VECHE" || it_finish

it_note "A (SSRCs 1111/2222) and B in room clash for $DURATION s; C copies A's video SSRC,"
it_note "D the SSRCs of its own subscribe offer; both are refused"
it_peer A --room clash --duration $DURATION --expect-peers 1 \
    --ssrc-audio 1111 --ssrc-video 2222 --rtx --drop-video 20; PID_A=$PEER_PID
it_peer B --room clash --duration $DURATION --expect-peers 1 --drop-send 20; PID_B=$PEER_PID
sleep 2
it_peer C --room clash --duration $((DURATION - 2)) --expect-peers 2 \
    --ssrc-audio 3333 --ssrc-video 2222 --expect-refused ssrc-conflict; PID_C=$PEER_PID
it_peer D --room clash --duration $((DURATION - 2)) --expect-peers 2 \
    --ssrc-from-offer --expect-refused ssrc-conflict; PID_D=$PEER_PID

WAIT=$((DURATION + 30))
it_wait_peer A "$PID_A" $WAIT
it_wait_peer B "$PID_B" $WAIT
it_wait_peer C "$PID_C" $WAIT
it_wait_peer D "$PID_D" $WAIT

it_receives A B
it_receives B A
for r in C D; do
    it_receives $r A
    it_receives $r B
done

it_jq_check C '[.[] | select(.record == "check" and .name == "publish-refused")] as $c
    | ($c | length) == 1 and $c[0].ok and ($c[0].detail | test("SSRC 2222 "))' \
    "C's publish with A's video SSRC was refused (ssrc-conflict, naming 2222)"
it_jq_check D '(events("ssrcs-from-offer") | length) == 1 and
    ([.[] | select(.record == "check" and .name == "publish-refused")] as $c
     | ($c | length) == 1 and $c[0].ok and ($c[0].detail | test("in use")))' \
    "D's publish with its own downtrack SSRCs was refused (ssrc-conflict)"
for r in A B C D; do
    it_jq_check $r '[tracks[] | select(.name == "C" or .name == "D")] | length == 0' \
        "$r never got a track of C or D"
    it_jq_check $r '(tracks | length) >= 2
        and ([tracks[] | select(.ssrc == 1111 or .ssrc == 2222)] | length == 0)' \
        "$r got its tracks on SSRCs of the server's, not A's 1111/2222"
done
# D copied SSRCs from its offer: they are the server's, distinct from A's.
it_jq_check D 'events("ssrcs-from-offer")[0] as $e
    | [tracks[].ssrc] as $s | ($s | index($e.audio)) != null and ($s | index($e.video)) != null' \
    "D's copied SSRCs are those its subscribe offer gave A's or B's tracks"

it_jq_check A 'map(select(.record == "result"))[0].nack.dropped as $d
    | $d > 0 and ([tracks[].rtx] | add) * 10 >= $d * 8' \
    "A's thrown-away video came back as RTX on the rewritten numbering"
it_jq_check B 'map(select(.record == "result"))[0].sent as $s
    | $s.skipped > 0 and $s.nack_seqs > 0' \
    "B's left-out video was NACKed by the server (translated back)"

it_clip_hashes A B C D
it_finish
