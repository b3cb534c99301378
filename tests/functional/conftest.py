"""Fixtures that start the real qcore binary without races.

Every qcore is started with, besides the test's own options, an extra QMP
monitor in client mode ("ctl") that connects to a socket this file listens
on before exec.  qcore connects it during start-up, after every other
chardev has been created, so when its greeting arrives start-up is over
and every server socket is listening.  A pidfd watches for the process
dying first, so a failed start-up fails at once with its stderr.

Nothing here sleeps: every wait is on a real event (a connection, a
greeting, a prompt, EOF, process exit) with a generous timeout that only
guards against a hung test.
"""
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest

from qmp import QMPClient, DEFAULT_TIMEOUT

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
QCORE = os.environ.get('QCORE_BINARY') or os.path.join(ROOT, 'build', 'qcore')
TIMEOUT = DEFAULT_TIMEOUT

# ASan keeps freed memory unused in a quarantine (256 MiB by default) to
# catch use after free, so under ASan a process that frees as much as it
# allocates still grows by whatever it churned through, up to that cap.  A
# test that bounds memory (measure_memory=True) gets this much instead,
# which its bound has room for: what it measures is then, under ASan as in
# a plain build, what qcore holds.  The variable means nothing to a binary
# built without ASan.
ASAN_QUARANTINE_MB = 4


class GuestFirmwareRace(Exception):
    """The guest's firmware lost a race that a loaded host widens, not a
    fault of qcore's (test_linux.Console.bringup_failed says which).  A
    test that raises it runs once more, through Debian's
    pytest-rerunfailures; twice in a row is a failure."""


def pytest_configure(config):
    # Session-wide in this plugin's version (10.2): the marker's own
    # only_rerun is ignored.  Anchored: the report's first line is the
    # exception's name, so an assertion that merely quotes it is no match.
    if config.pluginmanager.hasplugin('rerunfailures') and \
            not config.option.only_rerun:
        config.option.only_rerun = [r'^(conftest\.)?GuestFirmwareRace\b']


def pytest_collection_modifyitems(config, items):
    if not config.pluginmanager.hasplugin('rerunfailures'):
        return
    for item in items:
        item.add_marker(pytest.mark.flaky(reruns=1))


def qcore_run(args, timeout=TIMEOUT, **kw):
    """Run qcore to completion (for options that exit at once)."""
    return subprocess.run([QCORE] + list(args), stdin=subprocess.DEVNULL,
                          capture_output=True, timeout=timeout, **kw)


def wait_readable(fds, timeout, what):
    r, _, _ = select.select(fds, [], [], timeout)
    if not r:
        raise AssertionError('timed out (%ss) waiting for %s' % (timeout, what))
    return r


class Term:
    """The master side of a pty that qcore's stdio is attached to."""

    def __init__(self, fd):
        self.fd = fd
        self.buf = b''
        self.eof = False

    def write(self, data):
        os.write(self.fd, data)

    def _fill(self, deadline, what):
        left = deadline - time.monotonic()
        wait_readable([self.fd], max(left, 0), what)
        try:
            data = os.read(self.fd, 65536)
        except OSError:         # EIO: every slave fd is closed
            data = b''
        if not data:
            self.eof = True
            raise EOFError('terminal closed while waiting for %s; got %r'
                           % (what, self.buf))
        self.buf += data

    def expect(self, pattern, timeout=TIMEOUT):
        """Read until @pattern (bytes, or compiled bytes regex) appears;
        return everything up to and including it, keep the rest."""
        deadline = time.monotonic() + timeout
        while True:
            if isinstance(pattern, bytes):
                i = self.buf.find(pattern)
                end = i + len(pattern) if i >= 0 else -1
            else:
                m = pattern.search(self.buf)
                end = m.end() if m else -1
            if end >= 0:
                out, self.buf = self.buf[:end], self.buf[end:]
                return out
            self._fill(deadline, repr(pattern))

    def read_to_eof(self, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        try:
            while True:
                self._fill(deadline, 'EOF')
        except EOFError:
            pass
        out, self.buf = self.buf, b''
        return out

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class Qcore:
    """One qcore process.  @args are the test's own options; -M none and
    -display none come first unless @base is given."""

    def __init__(self, tmpdir, args=(), qmp=True, ctl=True, pty=False,
                 base=('-M', 'none', '-display', 'none'), name='vm',
                 measure_memory=False):
        self.tmpdir = tmpdir
        self.env = None
        if measure_memory:
            asan = [o for o in os.environ.get('ASAN_OPTIONS', '').split(':')
                    if o]
            asan += ['quarantine_size_mb=%d' % ASAN_QUARANTINE_MB,
                     'thread_local_quarantine_size_kb=64']
            self.env = dict(os.environ, ASAN_OPTIONS=':'.join(asan))
        self.args = list(base) + list(args)
        self.qmp_path = os.path.join(tmpdir, name + '-qmp.sock') if qmp \
            else None
        self.ctl_path = os.path.join(tmpdir, name + '-ctl.sock') if ctl \
            else None
        self.want_pty = pty
        self.stderr_path = os.path.join(tmpdir, name + '-stderr.log')
        self.proc = None
        self.ctl = None
        self.term = None
        self.clients = []

    @property
    def pid(self):
        return self.proc.pid

    def command_line(self):
        args = [QCORE] + self.args
        if self.qmp_path:
            args += ['-qmp', 'unix:%s,server=on,wait=off' % self.qmp_path]
        if self.ctl_path:
            args += ['-chardev', 'socket,id=ctl,path=%s' % self.ctl_path,
                     '-mon', 'chardev=ctl,mode=control']
        return args

    def start(self):
        listener = None
        if self.ctl_path:
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            listener.bind(self.ctl_path)
            listener.listen(1)
        if self.want_pty:
            master, slave = os.openpty()
            self.term = Term(master)
            stdio = dict(stdin=slave, stdout=slave, stderr=slave)
        else:
            self.stderr_file = open(self.stderr_path, 'wb')
            stdio = dict(stdin=subprocess.DEVNULL,
                         stdout=self.stderr_file, stderr=self.stderr_file)
        self.proc = subprocess.Popen(self.command_line(), start_new_session=True,
                                     env=self.env, **stdio)
        if self.want_pty:
            os.close(slave)
        if listener is None:
            return self
        pidfd = os.pidfd_open(self.proc.pid)
        try:
            r = wait_readable([listener, pidfd], TIMEOUT,
                              'qcore to connect its control monitor')
            if listener not in r:
                self.proc.wait()
                if self.term is not None:   # its message is on the pty
                    self.term.buf = self.term.read_to_eof()
                raise AssertionError('qcore exited with %d during start-up: %s'
                                     % (self.proc.returncode, self.output()))
            conn, _ = listener.accept()
        finally:
            os.close(pidfd)
            listener.close()
        self.ctl = QMPClient.from_socket(conn).negotiate()
        return self

    def output(self):
        if self.term is not None:
            return self.term.buf.decode(errors='replace')
        try:
            with open(self.stderr_path, 'rb') as f:
                return f.read().decode(errors='replace')
        except OSError:
            return ''

    def qmp(self, negotiate=True):
        """A new client on the QMP socket (greeting read)."""
        c = QMPClient.connect(self.qmp_path)
        self.clients.append(c)
        return c.negotiate() if negotiate else c

    def raw(self):
        """A plain connected socket to the QMP socket, greeting unread."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(self.qmp_path)
        self.clients.append(s)
        return s

    def alive(self):
        return self.proc.poll() is None

    def wait(self, timeout=TIMEOUT):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError('qcore (pid %d) did not exit within %ss'
                                 % (self.proc.pid, timeout))

    def rss_kib(self):
        with open('/proc/%d/status' % self.proc.pid) as f:
            for line in f:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1])
        raise AssertionError('no VmRSS for %d' % self.proc.pid)

    def tids(self):
        return {int(t) for t in os.listdir('/proc/%d/task' % self.proc.pid)}

    def assert_serving(self):
        """The process is alive and a fresh client on the QMP socket gets
        a greeting and an answer."""
        assert self.alive(), 'qcore died: %s' % self.output()
        c = self.qmp()
        assert c.ok('query-status')['status'] in ('running', 'paused',
                                                  'prelaunch')
        c.close()
        assert self.alive()

    def shutdown(self):
        """Quit through the control monitor; returns the exit status."""
        for c in self.clients:
            try:
                c.close()
            except OSError:
                pass
        self.clients = []
        if self.alive() and self.ctl is not None:
            try:
                self.ctl.request('quit')
                self.ctl.wait_eof()
            except (OSError, AssertionError):
                pass
        try:
            return self.proc.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError('qcore did not exit after quit')

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def cleanup(self):
        self.kill()
        if self.ctl:
            self.ctl.close()
        if self.term:
            self.term.close()
        for c in self.clients:
            try:
                c.close()
            except OSError:
                pass
        if getattr(self, 'stderr_file', None):
            self.stderr_file.close()


@pytest.fixture
def tmpdir_short():
    # Unix socket paths are limited to 108 bytes: stay under /tmp.
    d = tempfile.mkdtemp(prefix='qcf-', dir='/tmp')
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def start(tmpdir_short):
    """start(args, **kw) -> a started Qcore; on teardown every one still
    running is quit and must exit with status 0 (under ASan that also
    means: no leak, no error at exit)."""
    started = []

    def _start(args=(), **kw):
        kw.setdefault('name', 'vm%d' % len(started))
        q = Qcore(tmpdir_short, args, **kw)
        started.append(q)
        return q.start()

    yield _start
    problems = []
    for q in started:
        try:
            if q.proc and q.proc.poll() is None:
                rc = q.shutdown()
                if rc != 0:
                    problems.append('qcore exited with %d at teardown: %s'
                                    % (rc, q.output()[-4000:]))
        finally:
            q.cleanup()
    assert not problems, '\n'.join(problems)


@pytest.fixture
def vm(start):
    """The issue's machine: -name demo, an iothread io0, paused (-S)."""
    return start(['-object', 'iothread,id=io0', '-name', 'demo', '-S'])


@pytest.fixture
def qmp(vm):
    """A negotiated QMP client of @vm."""
    return vm.qmp()


ANSI = re.compile(rb'\x1b\[[0-9;]*[A-Za-z]')


def strip_ansi(b):
    return ANSI.sub(b'', b)
