#!/usr/bin/env bash
# three_peers.sh VECHE VECHE_PEER - three native peers in one room, and a
# fourth that keeps coming and going (TAP).
#
# A and B stay for the whole run; C leaves after 6 s and rejoins 3 s later
# as a new participant with a new publish and subscribe; D leaves and
# rejoins four times (2 s in, 1 s out), the flaky network of a long
# meeting.  A puts its ICE
# candidates in its SDP, B and C trickle all of theirs.  Loss is simulated
# so that the server's NACK handling must repair it: A leaves out ~3 % of
# its video packets the first time (receivers NACK, the server NACKs A,
# A resends), and B accepts RTX and throws away ~3 % of the video it gets
# (B NACKs, the server answers with RTX).  Checked here, one TAP line each:
#   - each peer exits 0: every other peer's latest incarnation delivered
#     >= 99 % of its audio and video packets, identical to what was sent,
#     and still flowing at the end; no packet of a removed track arrived
#     more than 1 s after its removal; no error (report.h);
#   - each of the six receiver/sender pairs, per kind, from the reports;
#   - A and B were told C left (participant-left, track-removed), got C's
#     first incarnation and stopped getting it, and get the rejoined C;
#   - C joined twice and gets A and B again after rejoining;
#   - D's five incarnations: A got each one's audio and video as tracks of
#     their own, identical, on reused m-lines (mid-reused), and the
#     subscribe offers of A and B stayed at most 2 m-lines per other peer
#     plus 2 (without reuse they would grow to 16);
#   - B and C really trickled; the losses were simulated and repaired;
#   - all clips are equal;
#   - the server stays up, answers /healthz and exits cleanly.
set -u
VECHE=$1
PEER=$2
. "$(dirname "$0")/lib.sh"

DURATION=20
it_start_server "$VECHE" || it_finish

it_note "A, B, C and D in room three for $DURATION s; C leaves at 6 s and rejoins at 9 s;"
it_note "D leaves at 2, 5, 8 and 11 s and rejoins 1 s later each time"
it_peer A --room three --duration $DURATION --expect-peers 3 --drop-send 30; PID_A=$PEER_PID
it_peer B --room three --duration $DURATION --expect-peers 3 --trickle-only \
    --rtx --drop-video 30; PID_B=$PEER_PID
it_peer C --room three --duration $DURATION --expect-peers 3 --trickle-only \
    --leave-after 6 --rejoin-after 3; PID_C=$PEER_PID
it_peer D --room three --duration $DURATION --expect-peers 3 \
    --leave-after 2 --rejoin-after 1 --cycles 4; PID_D=$PEER_PID

WAIT=$((DURATION + 30))
it_wait_peer A "$PID_A" $WAIT
it_wait_peer B "$PID_B" $WAIT
it_wait_peer C "$PID_C" $WAIT
it_wait_peer D "$PID_D" $WAIT

for r in A B C D; do
    for s in A B C D; do
        [ "$r" = "$s" ] || it_receives "$r" "$s"
    done
done

# C's two incarnations, as seen by C itself and by A and B.
it_jq_check C '[events("joined")[].participant] | length == 2 and (unique | length) == 2' \
    "C joined twice, with two participant ids"
C1=$(jq -r -s 'map(select(.record == "event" and .event == "joined"))[0].participant' \
    "$IT_TMP/C.jsonl" 2>/dev/null)
it_note "C's first participant id: $C1"
for r in A B; do
    it_jq_check $r "[events(\"participant-left\")[]
                     | select(.participant == \"$C1\")] | length == 1" \
        "$r was told C's first incarnation left (participant-left)"
    it_jq_check $r "[events(\"track-removed\")[] | select(.participant == \"$C1\")] | length == 2" \
        "$r was told both of C's first tracks were removed (track-removed)"
    it_jq_check $r "[tracks[] | select(.participant == \"$C1\")] as \$t
        | (\$t | length) == 2 and all(\$t[]; good(0.99) and .removed != null
              and .last <= .removed + 1.0)" \
        "$r got C's first audio and video (identical) and nothing 1 s after their removal"
    it_jq_check $r '[tracks[] | select(.name == "C") | .participant] | unique | length == 2' \
        "$r got tracks from both of C's incarnations"
done
it_jq_check C '[tracks[] | select(.session == 2 and (.name == "A" or .name == "B"))] as $t
    | ($t | length) == 4 and all($t[]; good(0.99))' \
    "C gets A's and B's audio and video again after rejoining (identical)"

# D's incarnations and the m-lines they left behind.
it_jq_check D '[events("joined")[].participant] | length == 5 and (unique | length) == 5' \
    "D joined five times, with five participant ids"
it_jq_check A '[tracks[] | select(.name == "D")] as $t
    | ($t | length) == 10 and ([$t[].participant] | unique | length) == 5
      and all($t[]; .packets > 0 and .identical == .packets and .after_removed == 0)
      and ([$t[] | .mid] | unique | length) < 10' \
    "A got all five of D's incarnations, each track counted on its own, identical, on reused mids"
for r in A B; do
    MAXS=$(jq -s '[.[] | select(.record == "event" and .event == "subscribe-offer") | .sections] | max' \
        "$IT_TMP/$r.jsonl" 2>/dev/null)
    it_jq_check $r '[events("subscribe-offer")[].sections] | max <= 2 * 3 + 2' \
        "$r's subscribe offers stayed bounded after 5 rejoins (at most $MAXS m-lines, limit 8)"
    it_jq_check $r '[events("mid-reused")[]] | length >= 8' \
        "$r saw ended m-lines reused for new tracks ($(jq -s '[.[] | select(.event == "mid-reused")] | length' "$IT_TMP/$r.jsonl" 2>/dev/null) times)"
done

# Trickle: A put its candidates in the SDP, B and C trickled every one.
it_jq_check A '[events("connected")[] | select(.pc != "signalling")] as $c
    | ($c | length) >= 2 and all($c[]; .candidates_in_sdp >= 1)' \
    "A sent its candidates in its SDP"
for p in B C; do
    it_jq_check $p '[events("connected")[] | select(.pc != "signalling")] as $c
        | ($c | length) >= 2 and all($c[]; .candidates_in_sdp == 0 and .candidates_trickled >= 1)' \
        "$p trickled all its candidates"
done

# Loss repair: NACK upstream (A's left-out packets) and RTX downstream (B).
# (Some left-out packets may go before a subscriber is ready, so nobody
# asks; the receivers' >= 99 % checks show the repair, this that it ran.)
it_jq_check A 'map(select(.record == "result"))[0].sent as $s
    | $s.skipped > 0 and $s.nack_seqs > 0 and $s.resent * 2 >= $s.skipped' \
    "A's left-out video packets were NACKed by the server and resent"
it_jq_check B 'map(select(.record == "result"))[0].nack as $n
    | $n.missing > 0 and $n.requested > 0 and $n.given_up == 0' \
    "B NACKed its missing video packets and got every one of them"
# A's left-out packets reach C late (the server NACKs A as soon as it sees
# the gap, server/media/nackgen.c), usually before C's own NACK is due.
it_jq_check C 'map(select(.record == "result"))[0].nack as $n
    | $n.missing > 0 and $n.given_up == 0 and $n.recovered + 2 >= $n.missing' \
    "C got A's left-out video packets late but every one of them"

# (A packet thrown away just before its track ends is never repaired.)
RTX_B=$(jq -r -s 'map(select(.record == "result"))[0].nack.dropped as $d
    | ([.[] | select(.record == "track") | .rtx] | add) as $r
    | "\($d) thrown away, \($r) back as RTX"' \
    "$IT_TMP/B.jsonl" 2>/dev/null)
it_jq_check B 'map(select(.record == "result"))[0].nack.dropped as $d
    | $d > 0 and ([tracks[].rtx] | add) * 10 >= $d * 8
      and ([tracks[].rtx_refused] | add) == 0' \
    "B's thrown-away video came back as RTX ($RTX_B)"
it_jq_check C '[tracks[].rtx_refused] | add == 0' \
    "C (RTX refused in its answer) never got RTX"

it_clip_hashes A B C D
it_finish
