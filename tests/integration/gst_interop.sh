#!/usr/bin/env bash
# gst_interop.sh VECHE - GStreamer webrtcbin as a third client stack (TAP).
#
# A webrtcbin publisher (tools/gst-peer, VP8 640x360 + Opus test sources)
# and a webrtcbin subscriber meet in one room, both with bundle-policy
# max-bundle: the publisher's offer carries its second m-line as
# `a=bundle-only` with port 0 (RFC 8843), which the server must accept and
# bundle.  Then the same again with max-compat.  Checked, one TAP line each:
#   - both peers exit 0 (each met its own expectations: no ICE failure, no
#     server error; the subscriber received and decoded video and audio);
#   - the subscriber decoded >= 3 s of the publisher's video frames and
#     audio frames, lost < 2 % of the video packets, and its first decoded
#     frame came less than 10 s after it started joining;
#   - the server stays up, answers /healthz and exits cleanly.
# Needs python3-gi and GStreamer's base/good/bad plugins and libnice
# (scripts/deps.sh test); all traffic on 127.0.0.1.
set -u
VECHE=$1
. "$(dirname "$0")/lib.sh"
SRC=${VECHE_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
GSTPEER="$SRC/tools/gst-peer/veche_gst_peer.py"
DURATION=8

it_start_server "$VECHE" || it_finish

# gst_run NAME ARGS...: one webrtcbin peer process in the background.
gst_run() {
    local name=$1
    shift
    /usr/bin/python3 "$GSTPEER" --port "$PORT" --ice-address 127.0.0.1 \
        --name "$name" --report "$IT_TMP/$name.jsonl" "$@" 2>"$IT_TMP/$name.err" &
    PEER_PID=$!
    IT_PIDS+=("$PEER_PID")
}

for policy in max-bundle max-compat; do
    room=gst-$policy
    it_note "webrtcbin publisher and subscriber with bundle-policy $policy in room $room"
    gst_run "pub-$policy" --room "$room" --publish --bundle-policy "$policy" \
        --width 640 --height 360 --bitrate 800 --duration $((DURATION + 3))
    PUB=$PEER_PID
    sleep 1
    gst_run "sub-$policy" --room "$room" --subscribers 1 --bundle-policy "$policy" \
        --duration $DURATION
    SUB=$PEER_PID
    it_wait_peer "sub-$policy" "$SUB" $((DURATION + 30))
    it_wait_peer "pub-$policy" "$PUB" 30
    f="sub-$policy"
    line=$(jq -c -s 'map(select(.record == "result"))[0] | {first_frame_ms, video, audio}' \
        "$IT_TMP/$f.jsonl" 2>/dev/null)
    it_note "$f: $line"
    it_jq_check "$f" 'map(select(.record == "result"))[0] | .video.frames >= 90' \
        "$policy: the webrtcbin subscriber decoded the publisher's video (>= 3 s of frames)"
    it_jq_check "$f" 'map(select(.record == "result"))[0] | .audio.frames >= 150' \
        "$policy: the webrtcbin subscriber decoded the publisher's audio (>= 3 s)"
    it_jq_check "$f" 'map(select(.record == "result"))[0].video
        | .expected > 0 and .lost / .expected < 0.02' \
        "$policy: video packets lost < 2 %"
    it_jq_check "$f" 'map(select(.record == "result"))[0].first_frame_ms
        | . != null and . < 10000' \
        "$policy: first decoded video frame within 10 s of joining"
done

it_finish
