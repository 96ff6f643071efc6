#!/usr/bin/env python3
"""summarize.py - count passed and failed test cases for test.sh.

  summarize.py meson build/meson-logs/testlog.json
      each TAP test counts its "ok"/"not ok" lines; other tests count as one
      (a TAP test that failed without any "not ok" line counts one failure)
  summarize.py tap LOG
      counts "ok"/"not ok" lines of a TAP stream (node --test reporter)
Prints "<passed> <failed>".
"""
import json
import re
import sys

TAP = re.compile(r"^\s*(not ok|ok)\b(?!.*# SKIP)")


def tap_counts(text):
    passed = failed = 0
    for line in text.splitlines():
        m = TAP.match(line)
        if m and line.startswith(("ok", "not ok")):
            if m.group(1) == "ok":
                passed += 1
            else:
                failed += 1
    return passed, failed


def meson(path):
    passed = failed = 0
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError:
        return 0, 1
    for line in lines:
        t = json.loads(line)
        ok = t.get("result") in ("OK", "EXPECTEDFAIL")
        out = t.get("stdout") or ""
        if t.get("protocol") == "tap" or re.search(r"^1\.\.\d+", out, re.M):
            p, f = tap_counts(out)
            if not ok and f == 0:
                f = 1
            if p + f == 0:
                p = 1 if ok else 0
            passed += p
            failed += f
        elif ok:
            passed += 1
        else:
            failed += 1
    return passed, failed


def main():
    kind, path = sys.argv[1], sys.argv[2]
    if kind == "meson":
        p, f = meson(path)
    else:
        try:
            p, f = tap_counts(open(path, encoding="utf-8", errors="replace").read())
        except OSError:
            p, f = 0, 1
        if p + f == 0:
            f = 1  # the browser suite ran nothing: that is a failure
    print(p, f)


if __name__ == "__main__":
    main()
