#!/usr/bin/env bash
# netem_loss.sh VECHE VECHE_PEER - 5 % packet loss on the publisher's link
# only, repaired by the server's own NACKs (TAP).  Needs root, ip netns and
# tc (iproute2); without them it FAILS, it does not skip.
#
# Two network namespaces that this script creates, joined by a veth pair:
#
#   [ns srv: veche 10.231.0.1, subscribers S1 S2] ==veth== [ns pub: P, R 10.231.0.2]
#                                                  ^ 5 % loss each way
#
# Loss: netem (tc qdisc ... netem loss 5%) on both ends of the veth; on a
# kernel without sch_netem, an nftables rule in the publisher's namespace
# drops 5 % of what goes in and out of its veth (numgen random), the same
# loss on the same link.  The subscribers talk to the server over the
# server namespace's lo, without loss.  They count a 20 s window and then
# wait 1.5 s for the repairs of gaps already seen (--settle-ms: a packet
# lost upstream at the window's very edge is not "lost" while its repair is
# on the way; newer packets are not counted).  They run with --no-nack, so the
# only thing that can bring a lost video packet back is the server's
# upstream NACK generator (server/media/nackgen.c) asking the publishers:
# P answers with plain retransmissions on its media SSRC (veche-peer keeps
# what it sent), R offers RTX (--send-rtx) and answers with RTX, which the
# server unwraps (track.c).  Checked:
#   - the loss was really injected (drop counters > 0) and shows on the
#     audio, which nobody repairs (between 1 % and 10 % lost);
#   - every subscriber got every video packet of P and R, identical: lost == 0,
#     so every video frame is complete;
#   - the subscribers sent no NACK; P and R got NACKs (from the server) and
#     resent at least as many packets as 2 % of their video, R all as RTX;
#   - the server logged the socket buffer sizes and its repair counts with
#     nothing given up; it stays up and exits cleanly.
set -u
VECHE=$1
PEER=$2
. "$(dirname "$0")/lib.sh"

DURATION=20
LOSS_PCT=5
NS_SRV=veche-nl-srv-$$
NS_PUB=veche-nl-pub-$$
IF_SRV=vnls$$
IF_PUB=vnlp$$
IP_SRV=10.231.0.1
IP_PUB=10.231.0.2
LOSS_METHOD=

nl_teardown() {
    ip netns del "$NS_PUB" 2>/dev/null
    ip netns del "$NS_SRV" 2>/dev/null
    return 0
}
trap 'it_cleanup; nl_teardown' EXIT

# lib.sh talks to 127.0.0.1 in our own namespace; here the server lives in
# NS_SRV on IP_SRV.
it_listening() {
    ip netns exec "$NS_SRV" bash -c "exec 3<>/dev/tcp/$IP_SRV/$PORT" 2>/dev/null
}
it_healthz() {
    ip netns exec "$NS_SRV" curl -ks --noproxy "*" --max-time 3 \
        "https://$IP_SRV:$PORT/healthz" 2>/dev/null | tr -d '\r\n'
}

# ---- requirements: FAIL clearly, never skip --------------------------------
if [ "$(id -u)" != 0 ]; then
    it_not_ok "runs as root (needed for ip netns and tc; run the integration suite as root)"
    it_finish
fi
for tool in ip tc jq curl; do
    if ! command -v "$tool" >/dev/null; then
        it_not_ok "$tool is installed (scripts/deps.sh test installs iproute2, jq, curl)"
        it_finish
    fi
done

# ---- namespaces and the lossy link ------------------------------------------
nl_loss_netem() {
    ip netns exec "$NS_PUB" tc qdisc add dev "$IF_PUB" root netem loss "$LOSS_PCT%" \
        2>/dev/null &&
    ip netns exec "$NS_SRV" tc qdisc add dev "$IF_SRV" root netem loss "$LOSS_PCT%" \
        2>/dev/null
}

nl_loss_nft() {
    command -v nft >/dev/null || return 1
    ip netns exec "$NS_PUB" nft -f - <<EOF
table inet veche_loss {
    chain out {
        type filter hook output priority 0;
        oifname "$IF_PUB" numgen random mod 1000 < $((LOSS_PCT * 10)) counter drop
    }
    chain in {
        type filter hook input priority 0;
        iifname "$IF_PUB" numgen random mod 1000 < $((LOSS_PCT * 10)) counter drop
    }
}
EOF
}

# Packets the loss dropped so far (both directions).
nl_dropped() {
    if [ "$LOSS_METHOD" = netem ]; then
        { ip netns exec "$NS_PUB" tc -s qdisc show dev "$IF_PUB"
          ip netns exec "$NS_SRV" tc -s qdisc show dev "$IF_SRV"; } |
            grep -o 'dropped [0-9]*' | awk '{s += $2} END {print s + 0}'
    else
        ip netns exec "$NS_PUB" nft list table inet veche_loss 2>/dev/null |
            grep -o 'packets [0-9]*' | awk '{s += $2} END {print s + 0}'
    fi
}

if ! it_veth_pair "$NS_SRV" "$IF_SRV" "$IP_SRV" "$NS_PUB" "$IF_PUB" "$IP_PUB"; then
    it_not_ok "namespaces $NS_SRV and $NS_PUB joined by a veth pair"
    it_finish
fi
it_ok "namespaces $NS_SRV ($IP_SRV) and $NS_PUB ($IP_PUB) joined by a veth pair"

# ---- the server, in NS_SRV ---------------------------------------------------
SRC=${VECHE_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
PORT=$(( 20000 + RANDOM % 12000 ))
mkdir -p "$IT_TMP/data"
ip netns exec "$NS_SRV" "$VECHE" --set listen_address="$IP_SRV" --set port="$PORT" \
    --set ice_addresses="$IP_SRV" \
    --set web_root="$SRC/web-client" --set data_dir="$IT_TMP/data" \
    --set log_level="${VECHE_IT_LOG_LEVEL:-info}" \
    >"$IT_TMP/server.log" 2>&1 &
SERVER_PID=$!
for i in $(seq 1 200); do
    it_listening && break
    it_server_alive || break
    sleep 0.1
done
if ! it_listening; then
    it_not_ok "server listens on $IP_SRV:$PORT in $NS_SRV"
    it_server_log
    it_finish
fi
it_ok "server listens on $IP_SRV:$PORT in $NS_SRV (pid $SERVER_PID)"
it_check "server answers /healthz" it_healthz_ok

# ---- peers -----------------------------------------------------------------
# nl_peer NS IP NAME ARGS...
nl_peer() {
    local ns=$1 ip=$2 name=$3
    shift 3
    ip netns exec "$ns" "$PEER" --url "wss://$IP_SRV:$PORT/ws" --name "$name" \
        --ice-address "$ip" --report "$IT_TMP/$name.jsonl" "$@" \
        2>"$IT_TMP/$name.err" &
    PEER_PID=$!
    IT_PIDS+=("$PEER_PID")
}

it_note "P and R publish from $NS_PUB for $((DURATION + 6)) s (R with RTX);"
it_note "S1 and S2 subscribe without NACKs for $DURATION s"
nl_peer "$NS_PUB" "$IP_PUB" P --room lossy --duration $((DURATION + 6)) --expect-peers 0 \
    --min-ratio 0
PID_P=$PEER_PID
nl_peer "$NS_PUB" "$IP_PUB" R --room lossy --duration $((DURATION + 6)) --expect-peers 0 \
    --min-ratio 0 --send-rtx
PID_R=$PEER_PID
# The loss starts once both publishers are connected (ICE and DTLS): what is
# tested is the repair of lost media, not connection set-up over a lossy
# link (ICE checks lost on it made R's connection fail now and then).
for _ in $(seq 1 100); do
    [ "$(grep -c 'dtls-srtp connected' "$IT_TMP/server.log")" -ge 2 ] && break
    sleep 0.1
done
if nl_loss_netem; then
    LOSS_METHOD=netem
elif nl_loss_nft; then
    LOSS_METHOD=nftables
    it_note "this kernel has no sch_netem: the loss is an nftables numgen rule instead"
fi
if [ -z "$LOSS_METHOD" ]; then
    it_not_ok "$LOSS_PCT % loss on the publisher's link (neither tc netem nor nft works here)"
    it_finish
fi
it_ok "$LOSS_PCT % loss each way on the publisher's link ($LOSS_METHOD)"
sleep 1
# Audio is not repaired (no NACK for Opus), so about 5 % of it stays lost:
# the subscribers' own delivery threshold is 0.9; video is checked below.
nl_peer "$NS_SRV" "$IP_SRV" S1 --room lossy --duration $DURATION --expect-peers 2 \
    --no-publish --no-nack --min-ratio 0.9 --settle-ms 1500
PID_S1=$PEER_PID
nl_peer "$NS_SRV" "$IP_SRV" S2 --room lossy --duration $DURATION --expect-peers 2 \
    --no-publish --no-nack --min-ratio 0.9 --rtx --settle-ms 1500
PID_S2=$PEER_PID

it_wait_peer S1 "$PID_S1" $((DURATION + 30))
it_wait_peer S2 "$PID_S2" $((DURATION + 30))
it_wait_peer P "$PID_P" 30
it_wait_peer R "$PID_R" 30

DROPPED=$(nl_dropped)
it_check "the link really lost packets ($DROPPED dropped by $LOSS_METHOD)" \
    test "${DROPPED:-0}" -gt 50

for s in S1 S2; do
    for p in P R; do
        V=$(jq -c -s "$IT_JQ_DEFS latest(\"$p\"; \"video\") |
            if . == null then \"none\" else {packets, lost, identical} end" \
            "$IT_TMP/$s.jsonl" 2>/dev/null)
        A=$(jq -c -s "$IT_JQ_DEFS latest(\"$p\"; \"audio\") |
            if . == null then \"none\" else {packets, lost} end" \
            "$IT_TMP/$s.jsonl" 2>/dev/null)
        it_jq_check $s "latest(\"$p\"; \"video\") as \$v
            | \$v != null and \$v.packets > 500 and \$v.lost == 0
              and \$v.identical == \$v.packets and \$v.after_removed == 0" \
            "$s got every video packet of $p (every frame complete), identical ($V)"
        it_jq_check $s "latest(\"$p\"; \"audio\") as \$a
            | \$a != null and (\$a | ratio) < 0.99 and (\$a | ratio) > 0.9" \
            "$s's audio of $p (not repaired) shows the link's loss ($A)"
    done
    it_jq_check $s 'map(select(.record == "result"))[0].nack.requested == 0' \
        "$s sent no NACK (--no-nack)"
done

for p in P R; do
    SENT=$(jq -c -s 'map(select(.record == "result"))[0].sent' "$IT_TMP/$p.jsonl" 2>/dev/null)
    it_note "$p sent: $SENT"
    it_jq_check $p 'map(select(.record == "result"))[0].sent as $s
        | $s.nack_seqs > 0 and $s.resent * 50 >= $s.video' \
        "the server NACKed $p and $p resent at least 2 % of its video"
done
it_jq_check P 'map(select(.record == "result"))[0].sent.resent_rtx == 0' \
    "P resent plainly (same SSRC)"
it_jq_check R 'map(select(.record == "result"))[0].sent as $s
    | $s.resent_rtx > 0 and $s.resent_rtx == $s.resent' \
    "R's offer of RTX was accepted and it resent as RTX"

it_check "server logged its media socket buffer sizes" \
    grep -q 'media socket buffers: ' "$IT_TMP/server.log"
REPAIR=$(grep -o 'upstream loss: .*' "$IT_TMP/server.log" | head -n 4 | tr '\n' ';')
it_note "server: $REPAIR"
it_check "server repaired the upstream loss of both video tracks and gave nothing up" \
    test "$(grep 'upstream loss: ' "$IT_TMP/server.log" | grep -c ' 0 given up')" = 2

it_finish
