#!/usr/bin/env python3
"""Run qcore's test suites and print one summary line.

usage: run-tests.py BUILDDIR [--suite NAME] [--no-functional]

Unit tests run through meson; meson counts programs, so we count test
cases from the TAP each program printed (kept in meson's JSON log).
Functional tests (tests/functional, pytest against the real binary) are
counted from pytest's JUnit XML.  The last line, "N passed, M failed",
sums every case of every suite.
"""
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_unit(builddir, extra):
    log = os.path.join(builddir, 'meson-logs', 'testlog.json')
    if os.path.exists(log):
        os.unlink(log)
    rc = subprocess.call(['meson', 'test', '-C', builddir,
                          '--print-errorlogs', '--no-rebuild'] + extra)
    passed = failed = 0
    if not os.path.exists(log):
        return 0, 1
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
    if rc and not failed:
        failed = 1
    return passed, failed


def run_functional(builddir):
    tests = os.path.join(ROOT, 'tests', 'functional')
    if not os.path.isdir(tests) or \
            not any(n.startswith('test_') for n in os.listdir(tests)):
        return 0, 0
    xml = os.path.join(builddir, 'functional.xml')
    env = dict(os.environ,
               QCORE_BINARY=os.path.join(os.path.abspath(builddir), 'qcore'),
               QCORE_BUILD_DIR=os.path.abspath(builddir))
    # Debian's interpreter: it is the one install-deps gave pytest to.
    python = '/usr/bin/python3' if os.path.exists('/usr/bin/python3') \
        else sys.executable
    subprocess.call([python, '-m', 'pytest', '-q', '-p', 'no:cacheprovider',
                     '--junitxml', xml, tests], env=env, cwd=ROOT)
    if not os.path.exists(xml):
        return 0, 1
    passed = failed = 0
    for case in ET.parse(xml).getroot().iter('testcase'):
        if case.find('failure') is not None or case.find('error') is not None:
            failed += 1
        elif case.find('skipped') is None:
            passed += 1
    return passed, failed


def main():
    builddir = sys.argv[1]
    args = sys.argv[2:]
    functional = '--no-functional' not in args and '--suite' not in args
    extra = [a for a in args if a != '--no-functional']
    passed, failed = run_unit(builddir, extra)
    if functional:
        p, f = run_functional(builddir)
        passed += p
        failed += f
    print(f'{passed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
