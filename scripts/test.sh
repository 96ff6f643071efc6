#!/usr/bin/env bash
# test.sh - install what is missing, build, and run every test suite:
#   1. C unit, fuzz-corpus and integration tests (meson), normal build, and
#      the Debian package build (suite 'package', this step only)
#   2. the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   3. libFuzzer smoke run of every fuzz target (clang)
#   4. browser tests (Playwright + Debian's chromium)
# Ends with one line "N passed, N failed" over all of them; exits non-zero
# when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
bash scripts/deps.sh test || { echo "dependency installation failed"; echo "0 passed, 1 failed"; exit 1; }
RESULTS=$(mktemp -d)
FUZZ_SECONDS=${FUZZ_SECONDS:-20}

# Record "<passed> <failed>" for one step.
record() { echo "$2 $3" > "$RESULTS/$1"; }

meson_suites() {
    local dir=$1 name=$2; shift 2
    meson test -C "$dir" --print-errorlogs --num-processes 2 "$@"
    python3 scripts/summarize.py meson "$dir/meson-logs/testlog.json" > "$RESULTS/$name"
}

# Build folders set up before meson.build defaulted to prefix /usr keep
# /usr/local; the install test checks the /usr layout (docs/operations.md).
use_usr_prefix() { [ ! -d "$1" ] || meson configure "$1" -Dprefix=/usr >/dev/null; }
use_usr_prefix build
use_usr_prefix build-asan

# 1. normal build
if { [ -d build ] || meson setup build --buildtype=debugoptimized; } && ninja -C build; then
    meson_suites build plain --suite unit --suite fuzz --suite integration --suite package
else
    record plain 0 1
fi

# 2. sanitizers
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export LSAN_OPTIONS=suppressions=$ROOT/tests/lsan.supp:print_suppressions=0
if { [ -d build-asan ] || meson setup build-asan -Db_sanitize=address,undefined \
        -Db_lundef=false --buildtype=debug; } && ninja -C build-asan; then
    meson_suites build-asan asan --suite unit --suite fuzz --suite integration
else
    record asan 0 1
fi
unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS

# 3. libFuzzer smoke run
if { [ -d build-fuzz ] || CC=clang meson setup build-fuzz -Dfuzz=true \
        -Db_sanitize=address,undefined -Db_lundef=false --buildtype=debug; } &&
        ninja -C build-fuzz; then
    pass=0 fail=0
    for f in build-fuzz/tests/fuzz/fuzz_*; do
        [ -f "$f" ] && [ -x "$f" ] || continue
        name=$(basename "$f" | sed 's/^fuzz_//')
        work=$(mktemp -d)
        cp -r "tests/fuzz/corpus/$name/." "$work/" 2>/dev/null
        if "$f" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -print_final_stats=0 \
                "$work" > "$RESULTS/fuzz-$name.log" 2>&1; then
            echo "ok - libFuzzer $name ($FUZZ_SECONDS s)"; pass=$((pass + 1))
        else
            echo "not ok - libFuzzer $name: see below"; tail -40 "$RESULTS/fuzz-$name.log"
            fail=$((fail + 1))
        fi
        rm -rf "$work"
    done
    record libfuzzer $pass $fail
else
    record libfuzzer 0 1
fi

# 4. browser tests
if bash tests/browser/run.sh "$ROOT/build/server/veche" > "$RESULTS/browser.log" 2>&1; then :; fi
cat "$RESULTS/browser.log"
python3 scripts/summarize.py tap "$RESULTS/browser.log" > "$RESULTS/browser"

total_pass=0 total_fail=0
for f in "$RESULTS"/plain "$RESULTS"/asan "$RESULTS"/libfuzzer "$RESULTS"/browser; do
    read -r p fl < "$f" || { p=0; fl=1; }
    echo "suite $(basename "$f"): $p passed, $fl failed"
    total_pass=$((total_pass + p)); total_fail=$((total_fail + fl))
done
rm -rf "$RESULTS"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ] && [ "$total_pass" -gt 0 ]
