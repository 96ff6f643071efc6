#!/usr/bin/env bash
# deps.sh - install the Debian 12 packages Veche needs, only those missing.
#   deps.sh run    build and run the server
#   deps.sh test   also everything the test suites need
set -euo pipefail
RUN_PKGS="meson ninja-build pkg-config gcc libc6-dev python3 openssl curl ca-certificates procps
  libglib2.0-dev libnice-dev libssl-dev libsrtp2-dev libwebsockets-dev libjansson-dev
  libopus-dev libvpx-dev libsoup-3.0-dev libsqlite3-dev libsodium-dev libcurl4-openssl-dev tzdata
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev gstreamer1.0-plugins-base
  gstreamer1.0-plugins-good"
TEST_PKGS="clang libclang-rt-14-dev chromium firefox-esr xvfb jq iproute2 nftables nodejs npm
  python3-gi gir1.2-gst-plugins-base-1.0 gir1.2-gst-plugins-bad-1.0 gstreamer1.0-plugins-base
  gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-nice coturn systemd
  gstreamer1.0-tools gir1.2-gstreamer-1.0 util-linux gstreamer1.0-plugins-base-apps
  prometheus python3-websockets nginx dpkg-dev debhelper fakeroot lintian"
want="$RUN_PKGS"
[ "${1:-run}" = test ] && want="$want $TEST_PKGS"
missing=""
for p in $want; do
    # node/npm may come from elsewhere on developer machines: accept any.
    case $p in
        nodejs) command -v node >/dev/null && continue ;;
        npm) command -v npm >/dev/null && continue ;;
    esac
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing
    # The tests run nginx, coturn and prometheus as their own processes on
    # loopback: on a machine with systemd, installing these packages also
    # starts their services (nginx on port 80): stop and disable them.
    if [ -d /run/systemd/system ]; then
        for p in $missing; do
            case $p in
                nginx | coturn | prometheus)
                    systemctl disable --now "$p" >/dev/null 2>&1 ||
                        echo "warning: could not stop the $p service" >&2 ;;
            esac
        done
    fi
fi

# libsrtp2 with its OpenSSL backend, built once from Debian's source package
# (meson.build prefers it; the packaged one is NSS-based: docs/performance.md).
bash "$(dirname "$0")/srtp-openssl.sh" ||
    echo "warning: libsrtp2 with OpenSSL could not be built; the packaged (NSS) one is used" >&2
