#!/usr/bin/env bash
# install.sh - `meson install` into a DESTDIR gives the Debian layout
# (docs/operations.md), the staged binary finds its own web client,
# configuration and state directory, a binary run from the build tree keeps
# the checkout's defaults, and `systemd-analyze verify` accepts the unit
# (with no warning at all) while `systemd-analyze security` rates it well
# hardened.
#
#   install.sh BUILD_DIR VECHE_IN_BUILD_TREE      (TAP on stdout)
#
# Everything happens in a temporary directory; the staged server listens on
# 127.0.0.1 only.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
BUILD=$1
BUILT=$2
DEST=$IT_TMP/dest

if DESTDIR=$DEST meson install -C "$BUILD" --no-rebuild --quiet >"$IT_TMP/install.log" 2>&1; then
    it_ok "meson install into a DESTDIR"
else
    it_not_ok "meson install into a DESTDIR"
    it_note_file "$IT_TMP/install.log"
fi

# The layout.
for f in usr/bin/veche usr/bin/vechectl; do
    it_check "$f is an executable" test -x "$DEST/$f"
done
for f in usr/share/veche/web-client/index.html usr/share/veche/web-client/js/protocol.js \
         etc/veche/veche.conf usr/lib/systemd/system/veche.service \
         usr/lib/sysusers.d/veche.conf usr/share/doc/veche/operations.md \
         usr/share/doc/veche/examples/nginx-veche.conf; do
    it_check "$f is installed" test -f "$DEST/$f"
done
it_check "var/lib/veche exists, not readable by others" \
    bash -c "[ -d '$DEST/var/lib/veche' ] && [ \"\$(stat -c %a '$DEST/var/lib/veche')\" = 750 ]"
it_check "etc/veche/veche.conf is not readable by others (it may hold secrets)" \
    bash -c "[ \"\$(stat -c %a '$DEST/etc/veche/veche.conf')\" = 640 ]"
# The server, vechectl, and the recorder and lesson renderer the server
# starts (built when GStreamer is there); never veche-peer or other tools.
WANT="veche vechectl"
[ -x "$BUILD/recorder/veche-recorder" ] && WANT="$WANT veche-recorder"
[ -x "$BUILD/render/veche-render" ] && WANT="$WANT veche-render"
WANT=$(echo "$WANT" | tr ' ' '\n' | sort | tr '\n' ' ')
it_check "only the server and its own programs are installed in usr/bin" \
    bash -c "[ \"\$(ls '$DEST/usr/bin' | sort | tr '\n' ' ')\" = '$WANT' ]"
it_check "the installed configuration leaves web_root and data_dir to the defaults" \
    bash -c "! grep -Eq '^(web_root|data_dir) *=' '$DEST/etc/veche/veche.conf'"
it_check "the unit runs /usr/bin/veche with /etc/veche/veche.conf" \
    grep -qx 'ExecStart=/usr/bin/veche -c /etc/veche/veche.conf' \
    "$DEST/usr/lib/systemd/system/veche.service"

# The staged binary reads its own etc/veche/veche.conf (a mark put in it
# shows up) and defaults to its own web client and state directory.
echo 'public_url = "https://staged.example"' >>"$DEST/etc/veche/veche.conf"
"$DEST/usr/bin/veche" --help-config >"$IT_TMP/staged.conf" 2>&1
it_check "installed: web_root is the installed web client" \
    grep -qx "web_root = \"$DEST/usr/share/veche/web-client\"" "$IT_TMP/staged.conf"
it_check "installed: data_dir is var/lib/veche" \
    grep -qx "data_dir = \"$DEST/var/lib/veche\"" "$IT_TMP/staged.conf"
it_check "installed: etc/veche/veche.conf is read without -c" \
    grep -qx 'public_url = "https://staged.example"' "$IT_TMP/staged.conf"
"$DEST/usr/bin/vechectl" migrate >"$IT_TMP/vechectl.out" 2>&1
it_check "installed: vechectl writes the database in var/lib/veche" \
    test -f "$DEST/var/lib/veche/veche.db"
"$BUILT" --help-config >"$IT_TMP/tree.conf" 2>&1
it_check "build tree: web_root stays web-client" grep -qx 'web_root = "web-client"' "$IT_TMP/tree.conf"
it_check "build tree: data_dir stays ./veche-data" grep -qx 'data_dir = "./veche-data"' "$IT_TMP/tree.conf"

# The staged server serves the installed web client.
PORT=$(it_free_port)
"$DEST/usr/bin/veche" --set listen_address=127.0.0.1 --set port="$PORT" \
    --set ice_addresses=127.0.0.1 >"$IT_TMP/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 200); do it_listening && break; sleep 0.1; done
curl -ks --noproxy '*' --max-time 5 "https://127.0.0.1:$PORT/" -o "$IT_TMP/index.html"
it_check "installed server serves usr/share/veche/web-client/index.html" \
    cmp -s "$IT_TMP/index.html" "$DEST/usr/share/veche/web-client/index.html"
it_check "installed server keeps its state in var/lib/veche" \
    test -f "$DEST/var/lib/veche/cert.pem"
it_stop "$SERVER_PID"
SERVER_PID=

# systemd-analyze verify needs ExecStart's binary to exist: point the unit
# at the staged copy (nothing else changes).  Any warning fails the check.
mkdir -p "$IT_TMP/unit"
sed "s|/usr/bin/veche|$DEST/usr/bin/veche|" "$DEST/usr/lib/systemd/system/veche.service" \
    >"$IT_TMP/unit/veche.service"
if systemd-analyze verify "$IT_TMP/unit/veche.service" >"$IT_TMP/verify.log" 2>&1 &&
    [ ! -s "$IT_TMP/verify.log" ]; then
    it_ok "systemd-analyze verify accepts veche.service"
else
    it_not_ok "systemd-analyze verify accepts veche.service"
    it_note_file "$IT_TMP/verify.log"
fi
systemd-analyze security --offline=yes "$IT_TMP/unit/veche.service" >"$IT_TMP/security.log" 2>&1
level=$(sed -n 's/.*Overall exposure level for veche.service: \([0-9.]*\).*/\1/p' "$IT_TMP/security.log")
it_note "systemd-analyze security: exposure ${level:-?} (0 = fully locked down, 10 = none)"
it_check "systemd-analyze security rates the unit below 2.5" \
    awk -v l="${level:-99}" 'BEGIN { exit !(l < 2.5) }'

it_finish
