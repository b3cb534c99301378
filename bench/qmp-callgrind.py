#!/usr/bin/python3
"""User-space instructions per pipelined QMP query-status, counted by
valgrind's callgrind: a measure of the monitor's cost that does not
depend on the machine's load, unlike the wall-clock rows of bench-qmp.

Each binary runs twice under callgrind as "-M none -display none
-nodefaults -qmp unix:PATH": once answering N pipelined query-status
(written 100 per send from a thread while the answers are read) and once
answering none; the difference over N is printed.  The batching of
requests per read varies between runs; the instruction count per request
barely does (the read and write system calls are kernel work, not
counted).

    bench/qmp-callgrind.py BINARY...        (N=20000 in the environment)
"""
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading


def run(binary, n):
    d = tempfile.mkdtemp()
    path, out = d + '/qmp.sock', d + '/callgrind.out'
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(path)
    srv.listen(1)
    p = subprocess.Popen(['valgrind', '--tool=callgrind',
                          '--callgrind-out-file=' + out, binary,
                          '-M', 'none', '-display', 'none', '-nodefaults',
                          '-qmp', 'unix:' + path],
                         stderr=subprocess.PIPE)
    c, _ = srv.accept()
    f = c.makefile('rb', buffering=1 << 16)
    f.readline()
    c.sendall(b'{"execute":"qmp_capabilities"}\n')
    f.readline()
    req = b'{"execute":"query-status"}\n'

    def writer():
        for i in range(0, n, 100):
            c.sendall(req * min(100, n - i))

    t = threading.Thread(target=writer)
    t.start()
    for _ in range(n):
        assert b'"return"' in f.readline()
    t.join()
    c.sendall(b'{"execute":"quit"}\n')
    err = p.communicate()[1].decode()
    return int(re.search(r'Collected : (\d+)', err).group(1))


def main():
    n = int(os.environ.get('N', 20000))
    for binary in sys.argv[1:]:
        per = (run(binary, n) - run(binary, 0)) / n
        print('%-48s %8.0f instructions per query-status' % (binary, per))


if __name__ == '__main__':
    main()
