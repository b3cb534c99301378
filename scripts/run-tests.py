#!/usr/bin/env python3
"""Run qcore's test suites through meson and print one summary line.

usage: run-tests.py BUILDDIR [--suite NAME]

meson counts test programs; we count test cases, reading the TAP each
program printed (unit tests) from meson's JSON log, so the last line,
"N passed, M failed", sums every case of every suite.
"""
import json
import os
import re
import subprocess
import sys


def main():
    builddir = sys.argv[1]
    extra = sys.argv[2:]
    log = os.path.join(builddir, 'meson-logs', 'testlog.json')
    if os.path.exists(log):
        os.unlink(log)
    rc = subprocess.call(['meson', 'test', '-C', builddir,
                          '--print-errorlogs', '--no-rebuild'] + extra)
    passed = failed = 0
    with open(log) as f:
        for line in f:
            t = json.loads(line)
            out = t.get('stdout') or ''
            ok = len(re.findall(r'^ok \d+', out, re.M))
            bad = len(re.findall(r'^not ok \d+', out, re.M))
            if t['result'] not in ('OK', 'EXPECTEDFAIL', 'SKIP') and bad == 0:
                # Crashed or timed out before reporting a failing case.
                bad = 1
            passed += ok
            failed += bad
    print(f'{passed} passed, {failed} failed')
    return 1 if failed or rc else 0


if __name__ == '__main__':
    sys.exit(main())
