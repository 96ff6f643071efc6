#!/usr/bin/env bash
# run.sh - install what is missing, build, and start Veche on
# https://localhost:8443/ with a self-signed certificate in ./veche-data.
# Extra arguments go to the veche binary (e.g. --set port=9443).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh run
[ -d build ] || meson setup build --buildtype=debugoptimized
ninja -C build
echo "Veche: open https://localhost:8443/ in two browser tabs (accept the self-signed certificate)"
exec build/server/veche -c conf/veche.conf "$@"
