#!/usr/bin/env bash
# deb.sh - the Debian package builds from the tree and holds the install
# layout (docs/operations.md): `dpkg-buildpackage -us -uc -b` on a copy of
# the checkout (its tracked and new files, as a fresh clone has them), then
# the .deb inspected with dpkg-deb -I/-c/-e/-x: the four programs in /usr/bin,
# the web client in /usr/share/veche, /etc/veche/veche.conf a conffile
# (0640), the systemd unit and sysusers file, /var/lib/veche (0750), the
# documentation with the nginx example, library dependencies resolved; the
# packaged binary runs and accepts the packaged configuration
# (--check-config); lintian (Debian's) reports no error.  The package
# build skips its own unit-test run (DEB_BUILD_OPTIONS=nocheck): the same
# tests run in the suites beside this one.  Nothing is installed on the
# machine; no network.
#
#   deb.sh    (TAP on stdout; VECHE_SOURCE_ROOT is the checkout)
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
ROOT=${VECHE_SOURCE_ROOT:-$(cd "$HERE/../.." && pwd)}
SRC=$IT_TMP/veche

for tool in dpkg-buildpackage dpkg-deb dh fakeroot; do
    command -v "$tool" >/dev/null ||
        { it_not_ok "$tool is installed (scripts/deps.sh test)"; it_finish; }
done

# The copy: what git tracks plus new files it does not ignore (no build
# folders); a tree without git is copied without its build folders.
mkdir -p "$SRC"
if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
    (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard |
        tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -xf - -C "$SRC"
else
    tar -C "$ROOT" --exclude='./build*' --exclude='./tests/browser/node_modules' -cf - . |
        tar -xf - -C "$SRC"
fi
it_check "the tree is copied (debian/ included)" test -f "$SRC/debian/control"

start=$SECONDS
if (cd "$SRC" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
        dpkg-buildpackage -us -uc -b >"$IT_TMP/build.log" 2>&1); then
    it_ok "dpkg-buildpackage -us -uc -b ($((SECONDS - start)) s)"
else
    it_not_ok "dpkg-buildpackage -us -uc -b"
    it_note_file "$IT_TMP/build.log" 60
fi

mapfile -t debs < <(find "$IT_TMP" -maxdepth 1 -name 'veche_*.deb')
if [ "${#debs[@]}" -ne 1 ]; then
    it_not_ok "one veche .deb was built (found ${#debs[@]})"
    it_finish
fi
DEB=${debs[0]}
it_ok "one veche .deb was built: $(basename "$DEB")"

# Control data.
dpkg-deb -I "$DEB" >"$IT_TMP/info" 2>&1
it_check "control: Package veche, this machine's architecture" \
    grep -qx " Architecture: $(dpkg --print-architecture)" "$IT_TMP/info"
it_check "control: the libraries' packages are dependencies (shlibs resolved)" \
    bash -c "grep '^ Depends:' '$IT_TMP/info' | grep -q libnice10 &&
             grep '^ Depends:' '$IT_TMP/info' | grep -q libwebsockets &&
             grep '^ Depends:' '$IT_TMP/info' | grep -q libsqlite3"
it_check "control: the recorder's GStreamer plugins are dependencies" \
    bash -c "grep '^ Depends:' '$IT_TMP/info' | grep -q gstreamer1.0-plugins-good"
it_note_file "$IT_TMP/info" 40 | grep -E 'Depends|Installed-Size' || true
dpkg-deb -e "$DEB" "$IT_TMP/DEBIAN"
it_check "conffiles: /etc/veche/veche.conf (an upgrade keeps the administrator's edits)" \
    grep -qx /etc/veche/veche.conf "$IT_TMP/DEBIAN/conffiles"
it_check "postinst creates the system user and enables the unit" \
    bash -c "grep -q 'adduser --system' '$IT_TMP/DEBIAN/postinst' &&
             grep -q 'deb-systemd-helper' '$IT_TMP/DEBIAN/postinst'"

# Contents: "perms owner/group size date time ./path".
dpkg-deb -c "$DEB" >"$IT_TMP/contents" 2>&1
has() {  # has MODE-PREFIX PATH
    awk -v m="$1" -v p="./$2" '$6 == p && index($1, m) == 1 { found = 1 }
        END { exit !found }' "$IT_TMP/contents"
}
for f in usr/bin/veche usr/bin/vechectl usr/bin/veche-recorder usr/bin/veche-render; do
    it_check "$f, executable" has -rwxr-xr-x "$f"
done
for f in usr/share/veche/web-client/index.html usr/share/veche/web-client/js/protocol.js \
         lib/systemd/system/veche.service usr/lib/sysusers.d/veche.conf \
         usr/share/doc/veche/copyright usr/share/doc/veche/operations.md \
         usr/share/doc/veche/examples/nginx-veche.conf; do
    it_check "$f" has -rw-r--r-- "$f"
done
it_check "etc/veche/veche.conf, mode 0640" has -rw-r----- etc/veche/veche.conf
it_check "var/lib/veche/, mode 0750" has drwxr-x--- var/lib/veche/
it_check "nothing under /usr/local or a build path" \
    bash -c "! grep -qE '\./usr/local/|/build' '$IT_TMP/contents'"

# The packaged programs run, with the packaged configuration.
ROOTFS=$IT_TMP/root
dpkg-deb -x "$DEB" "$ROOTFS"
# Run "$@" with its output in file $1 (TAP allows no other lines on stdout).
to_file() {
    local out=$1
    shift
    "$@" >"$out" 2>&1
}
it_check "the packaged veche accepts the packaged configuration (--check-config)" \
    to_file "$IT_TMP/check-config.out" \
    "$ROOTFS/usr/bin/veche" --check-config "$ROOTFS/etc/veche/veche.conf"
it_check "the unit starts the packaged binary with the packaged configuration" \
    grep -qx 'ExecStart=/usr/bin/veche -c /etc/veche/veche.conf' \
    "$ROOTFS/lib/systemd/system/veche.service"
it_check "the packaged vechectl runs (--help)" \
    to_file "$IT_TMP/vechectl-help.out" "$ROOTFS/usr/bin/vechectl" --help

# lintian when installed (Debian's; scripts/deps.sh test installs it).
if command -v lintian >/dev/null; then
    lintian --no-tag-display-limit "$DEB" >"$IT_TMP/lintian" 2>&1
    if grep -q '^E: ' "$IT_TMP/lintian"; then
        it_not_ok "lintian reports no error"
        grep '^E: ' "$IT_TMP/lintian" | head -n 30 | sed 's/^/#     /'
    else
        it_ok "lintian reports no error ($(grep -c '^W: ' "$IT_TMP/lintian") warnings)"
        grep '^W: ' "$IT_TMP/lintian" | head -n 20 | sed 's/^/#     /'
    fi
fi
it_finish
