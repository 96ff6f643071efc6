#!/usr/bin/env bash
# srtp-openssl.sh - build libsrtp2 with its OpenSSL crypto backend from
# Debian's own source package (the same 2.5.0 with Debian's patches), as a
# static library under PREFIX (default /opt/veche/libsrtp2-openssl), once.
#
# Why: Debian builds libsrtp2 on NSS, which costs 1.5x (AES-GCM) to 3.6x
# (AES-CM + HMAC-SHA1) the CPU of the OpenSSL backend per packet and makes
# 14 heap allocations per protect or unprotect (docs/performance.md,
# tools/bench/bench_cipher.c).  meson.build links this build when it is
# there and falls back to the packaged library otherwise (with a warning).
#
# Needs: deb-src for bookworm main (a sources file of ours is added when
# no deb-src entry exists), dpkg-dev (dpkg-source), meson, ninja, libssl-dev.
set -euo pipefail
PREFIX=${1:-/opt/veche/libsrtp2-openssl}
VERSION=2.5.0
if [ -f "$PREFIX/lib/libsrtp2.a" ] && [ -f "$PREFIX/include/srtp2/srtp.h" ] &&
        [ "$(cat "$PREFIX/VERSION" 2>/dev/null)" = "$VERSION-openssl" ]; then
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
need=""
for p in dpkg-dev meson ninja-build libssl-dev pkg-config; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need="$need $p"
done
src_list=/etc/apt/sources.list.d/veche-deb-src.sources
if ! grep -rqs '^\(Types:.*deb-src\|deb-src \)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    cat > "$src_list" <<'SRC'
# Added by Veche's scripts/srtp-openssl.sh: Debian's source packages, for
# building libsrtp2 with its OpenSSL backend.
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    apt-get update -qq
fi
if [ -n "$need" ]; then
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $need
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
# As root, apt fetches into a folder its _apt user cannot write: say so.
chown _apt "$work" 2>/dev/null || true
apt-get source -qq "libsrtp2=$VERSION-3" > source.log 2>&1 ||
    apt-get source -qq libsrtp2 > source.log 2>&1 || { cat source.log; exit 1; }
dir=$(find . -maxdepth 1 -type d -name 'libsrtp*' | head -1)
[ -n "$dir" ] || { echo "srtp-openssl: no source folder"; exit 1; }
cd "$dir"
meson setup b -Dcrypto-library=openssl -Ddefault_library=static -Dtests=disabled \
    -Ddoc=disabled -Dpcap-tests=disabled -Db_pie=true --buildtype=release \
    --prefix="$PREFIX" --libdir=lib > "$work/setup.log" 2>&1 || { cat "$work/setup.log"; exit 1; }
ninja -C b install > "$work/build.log" 2>&1 || { tail -40 "$work/build.log"; exit 1; }
echo "$VERSION-openssl" > "$PREFIX/VERSION"
echo "srtp-openssl: libsrtp2 $VERSION with OpenSSL installed in $PREFIX"
