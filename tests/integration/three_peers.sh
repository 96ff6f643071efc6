#!/usr/bin/env bash
# three_peers.sh VECHE VECHE_PEER - three native peers in one room.
#
# A and B stay for the whole run; C leaves after 6 s and rejoins 3 s later
# as a new participant with a new publish and subscribe.  Every peer checks
# (exit status) that each other peer's latest incarnation delivered >= 99 %
# of its audio and video packets byte-identical to the clip, and that no
# packet of a removed track arrived more than 1 s after its removal.  This
# script adds: A and B saw C leave and come back, C joined twice, all
# reports carry the same clip hash, and the server still answers /healthz.
set -u
VECHE=$1
PEER=$2
. "$(dirname "$0")/lib.sh"

DURATION=20
it_start_server "$VECHE" || it_finish

it_log "starting A, B and C in room three (${DURATION} s; C leaves at 6 s, rejoins at 9 s)"
it_peer A --room three --duration $DURATION --expect-peers 2; PID_A=$PEER_PID
it_peer B --room three --duration $DURATION --expect-peers 2; PID_B=$PEER_PID
it_peer C --room three --duration $DURATION --expect-peers 2 \
    --leave-after 6 --rejoin-after 3; PID_C=$PEER_PID

it_wait_peer A "$PID_A"
it_wait_peer B "$PID_B"
it_wait_peer C "$PID_C"

for p in A B C; do
    [ -s "$IT_TMP/$p.json" ] || it_fail "$p wrote no report"
done

# C joined twice, with two different participant ids.
it_jq C '[.events[] | select(.type == "joined") | .participant] | length == 2 and (unique | length) == 2' \
    "C did not join twice with two participant ids"
C_FIRST=$(jq -r '[.events[] | select(.type == "joined")][0].participant' "$IT_TMP/C.json" 2>/dev/null)
for p in A B; do
    it_jq $p "[.events[] | select(.type == \"participant-left\" and .participant == \"$C_FIRST\")] | length >= 1" \
        "did not see C's first incarnation ($C_FIRST) leave"
    it_jq $p '[.tracks[] | select(.name == "C") | .participant] | unique | length == 2' \
        "did not get tracks from both of C's incarnations"
    it_jq $p '[.tracks[] | select(.after_removed != 0)] | length == 0' \
        "packets arrived more than 1 s after a track was removed"
done
HASHES=$(jq -r .clip_sha256 "$IT_TMP"/A.json "$IT_TMP"/B.json "$IT_TMP"/C.json 2>/dev/null | sort -u | wc -l)
[ "$HASHES" = 1 ] || it_fail "the peers' clips differ ($HASHES distinct hashes)"

it_finish
