"""The command line: -h, -version, bad options, help listings, option
errors with their location, -pidfile, -daemonize, -S, -trace and -msg."""
import os
import re
import signal
import subprocess

import pytest

from conftest import QCORE, qcore_run, wait_readable, TIMEOUT
from qmp import QMPClient

OPTIONS = ['-M', '-machine', '-name', '-S', '-nodefaults', '-nographic',
           '-display', '-serial', '-monitor', '-qmp', '-qmp-pretty',
           '-chardev', '-mon', '-object', '-pidfile', '-daemonize', '-D',
           '-d', '-dfilter', '-bql-profile', '-version', '-h', '-accel',
           '-qtest', '-qtest-log', '-device', '-trace', '-msg']


def test_help_lists_every_option_and_exits_0():
    r = qcore_run(['-h'])
    assert r.returncode == 0
    out = r.stdout.decode()
    assert out.startswith('qcore ')
    listed = set(re.findall(r'^(-[A-Za-z-]+)', out, re.M))
    for opt in OPTIONS:
        assert opt in listed, '%s missing from -h' % opt
    assert r.stderr == b''


def test_help_long_form_is_the_same():
    assert qcore_run(['-help']).stdout == qcore_run(['-h']).stdout


def test_version():
    r = qcore_run(['-version'])
    assert r.returncode == 0
    assert re.match(rb'qcore emulator version \d+\.\d+\.\d+', r.stdout)


def test_unknown_option_is_rejected():
    r = qcore_run(['-foo'])
    assert r.returncode == 1
    assert r.stderr == b'qcore: -foo: invalid option\n'
    assert r.stdout == b''


def test_double_dash_spelling_is_accepted_like_qemu():
    assert qcore_run(['--version']).returncode == 0


def test_option_without_its_argument():
    r = qcore_run(['-name'])
    assert r.returncode == 1
    assert r.stderr == b'qcore: -name: requires an argument\n'


def test_object_help_lists_iothread():
    r = qcore_run(['-object', 'help'])
    assert r.returncode == 0
    lines = r.stdout.decode().splitlines()
    assert lines[0] == 'List of user creatable objects:'
    assert 'iothread' in [l.strip() for l in lines[1:]]


def test_object_iothread_help_lists_its_properties():
    r = qcore_run(['-object', 'iothread,help'])
    assert r.returncode == 0
    out = r.stdout.decode()
    assert out.splitlines()[0] == 'iothread options:'
    for prop in ('poll-max-ns', 'poll-grow', 'poll-shrink'):
        assert re.search(r'^\s+%s=<int' % prop, out, re.M), out


def test_chardev_help_lists_backends():
    r = qcore_run(['-chardev', 'help'])
    assert r.returncode == 0
    names = {l.strip() for l in r.stdout.decode().splitlines()[1:]}
    assert names >= {'null', 'socket', 'stdio', 'file', 'pty', 'ringbuf'}


def test_machine_help_lists_none():
    r = qcore_run(['-M', 'help'])
    assert r.returncode == 0
    out = r.stdout.decode()
    assert out.splitlines()[0] == 'Supported machines are:'
    assert re.search(r'^none\s', out, re.M)


def test_unknown_machine():
    r = qcore_run(['-M', 'nope', '-display', 'none'])
    assert r.returncode == 1
    assert b'nope' in r.stderr


@pytest.mark.parametrize('arg,what', [
    ('iothread,id=a,poll-max-ns=abc',
     "Parameter 'poll-max-ns' expects an int64 value"),
    ('iothread,id=a,bogus=1', 'bogus'),
    ('nope,id=a', "'nope'"),
    ('iothread', "'id'"),
])
def test_bad_object_reports_the_option_location(arg, what):
    r = qcore_run(['-M', 'none', '-display', 'none', '-object', arg])
    assert r.returncode == 1
    err = r.stderr.decode()
    assert err.startswith('qcore: -object %s: ' % arg), err
    assert what in err
    assert err.count('\n') == 1


def test_duplicate_object_id_reports_the_option_location():
    r = qcore_run(['-M', 'none', '-display', 'none', '-object',
                   'iothread,id=a', '-object', 'iothread,id=a'])
    assert r.returncode == 1
    err = r.stderr.decode()
    assert err.startswith('qcore: -object iothread,id=a: '), err
    assert "'a'" in err


def test_bad_chardev_reports_the_option_location():
    r = qcore_run(['-M', 'none', '-display', 'none', '-chardev', 'nope,id=a'])
    assert r.returncode == 1
    assert r.stderr.decode().startswith('qcore: -chardev nope,id=a: ')


def test_duplicate_chardev_id():
    r = qcore_run(['-M', 'none', '-display', 'none', '-chardev', 'null,id=a',
                   '-chardev', 'null,id=a'])
    assert r.returncode == 1
    assert r.stderr == b"qcore: -chardev null,id=a: Duplicate ID 'a' for " \
        b"chardev\n"


def test_mon_with_unknown_chardev():
    r = qcore_run(['-M', 'none', '-display', 'none', '-mon', 'chardev=nope'])
    assert r.returncode == 1
    assert b'nope' in r.stderr


def test_object_on_command_line_sets_properties(start):
    q = start(['-object', 'iothread,id=io7,poll-max-ns=1234,poll-grow=3,'
               'aio-max-batch=16'])
    (t,) = q.qmp().ok('query-iothreads')
    assert (t['id'], t['poll-max-ns'], t['poll-grow'], t['aio-max-batch']) \
        == ('io7', 1234, 3, 16)


def test_object_as_json_as_libvirt_passes_it(start):
    q = start(['-object', '{"qom-type": "iothread", "id": "io8", '
               '"poll-max-ns": 4321, "poll-grow": 2}'])
    (t,) = q.qmp().ok('query-iothreads')
    assert (t['id'], t['poll-max-ns'], t['poll-grow']) == ('io8', 4321, 2)


@pytest.mark.parametrize('arg,message', [
    ('{x', "JSON parse error, invalid keyword 'x'"),
    ('{"qom-type":"iothread","id":"a"} x', 'Expecting at most one JSON value'),
    ('{"id":"a"}', "Parameter 'qom-type' is missing"),
    ('{"qom-type":5}', "Invalid parameter type for 'qom-type', expected: "
     "string"),
    ('{"qom-type":"iothread"}', "Parameter 'id' is missing"),
    ('{"qom-type":"nosuch","id":"a"}',
     "Parameter 'qom-type' does not accept value 'nosuch'"),
    # JSON values keep their type: a string is not an integer here.
    ('{"qom-type":"iothread","id":"a","poll-max-ns":"5"}',
     "Invalid parameter type for 'poll-max-ns', expected: integer"),
])
def test_bad_json_object_errors_as_qemu(arg, message):
    """QEMU 7.2's words, for the same command lines."""
    r = qcore_run(['-M', 'none', '-display', 'none', '-object', arg])
    assert r.returncode == 1
    assert r.stderr.decode() == 'qcore: -object %s: %s\n' % (arg, message)


def test_S_starts_in_prelaunch_and_cont_runs(start):
    c = start(['-S']).qmp()
    assert c.ok('query-status')['status'] == 'prelaunch'
    c.ok('cont')
    c.event('RESUME')
    assert c.ok('query-status')['status'] == 'running'


def test_name_sets_query_name(start):
    c = start(['-name', 'guest-7,debug-threads=on']).qmp()
    assert c.ok('query-name') == {'name': 'guest-7'}


def test_pidfile_holds_the_pid_and_is_removed_at_exit(start, tmpdir_short):
    path = os.path.join(tmpdir_short, 'qcore.pid')
    q = start(['-pidfile', path])
    with open(path) as f:
        assert int(f.read().strip()) == q.pid
    q.qmp().ok('quit')
    assert q.wait() == 0
    assert not os.path.exists(path)


def test_pidfile_in_missing_directory_fails():
    r = qcore_run(['-M', 'none', '-display', 'none', '-pidfile',
                   '/nonexistent-dir/x.pid'])
    assert r.returncode == 1
    assert r.stderr.startswith(b'qcore: ')
    assert b'pid file' in r.stderr.lower() or b'PID file' in r.stderr


class Daemon:
    """qcore -daemonize with a QMP socket; the parent's stdout/stderr are
    pipes, as a management tool would have them."""

    def __init__(self, tmpdir, extra=()):
        self.sock = os.path.join(tmpdir, 'd-qmp.sock')
        self.pidfile = os.path.join(tmpdir, 'd.pid')
        self.parent = subprocess.Popen(
            [QCORE, '-M', 'none', '-display', 'none', '-daemonize',
             '-pidfile', self.pidfile,
             '-qmp', 'unix:%s,server=on,wait=off' % self.sock] + list(extra),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE)
        self.pid = None
        self.pidfd = None

    def __enter__(self):
        return self

    def started(self):
        rc = self.parent.wait(TIMEOUT)
        assert rc == 0, self.parent.stderr.read()
        # The parent returned only after the child was set up: the pid
        # file and the socket exist now, with no waiting.
        with open(self.pidfile) as f:
            self.pid = int(f.read().strip())
        self.pidfd = os.pidfd_open(self.pid)
        return self

    def __exit__(self, *exc):
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.pidfd is not None:
            os.close(self.pidfd)
        self.parent.stdout.close()
        self.parent.stderr.close()


def test_daemonize_parent_exits_0_once_child_serves(tmpdir_short):
    with Daemon(tmpdir_short) as d:
        d.started()
        assert d.pid != d.parent.pid
        assert os.getsid(d.pid) != os.getsid(0)  # out of our session
        c = QMPClient.connect(d.sock).negotiate()
        assert c.ok('query-status')['status'] == 'running'
        assert c.ok('quit') == {}
        c.wait_eof()
        c.close()
        wait_readable([d.pidfd], TIMEOUT, 'the daemon to exit')
        assert not os.path.exists(d.pidfile)


def test_daemon_detaches_from_the_callers_stdio(tmpdir_short):
    """Like QEMU (os_setup_post): the daemon's stdin, stdout and stderr
    are /dev/null, so a caller reading its pipes sees EOF once the parent
    has exited, not when the daemon ends."""
    with Daemon(tmpdir_short) as d:
        d.started()
        for n in (0, 1, 2):
            target = os.readlink('/proc/%d/fd/%d' % (d.pid, n))
            assert target == '/dev/null', 'fd %d of the daemon is %s' % (
                n, target)
        c = QMPClient.connect(d.sock).negotiate()
        c.ok('quit')
        c.wait_eof()


def test_daemonize_reports_errors_through_the_parent():
    r = qcore_run(['-M', 'none', '-display', 'none', '-daemonize',
                   '-object', 'nope,id=x'])
    assert r.returncode == 1
    assert r.stderr.startswith(b'qcore: ')


def test_D_writes_the_log_to_a_file(start, tmpdir_short):
    log = os.path.join(tmpdir_short, 'log.txt')
    q = start(['-D', log, '-d', 'int'])
    q.qmp().ok('query-status')
    assert os.path.exists(log)


def test_d_help_lists_log_items():
    r = qcore_run(['-d', 'help'])
    assert r.returncode == 0
    assert r.stdout.startswith(b'Log items')


def test_d_unknown_item():
    r = qcore_run(['-M', 'none', '-display', 'none', '-d', 'nope'])
    assert r.returncode == 1
    assert b'nope' in r.stderr


# ---- -cpu ---------------------------------------------------------------------

@pytest.mark.parametrize('machine', [[], ['-M', 'virt']])
def test_cpu_help_lists_the_models(machine):
    """QEMU 7.2 prints one model per line and exits 0; qcore has rv64."""
    r = qcore_run(machine + ['-cpu', 'help'])
    assert r.returncode == 0, r.stderr
    assert r.stdout == b'rv64\n'


@pytest.mark.parametrize('cpu,message', [
    ('max', "unable to find CPU model 'max'"),
    ('rv64,foo=off', "can't apply global rv64-riscv-cpu.foo=off: "
                     "Property 'rv64-riscv-cpu.foo' not found"),
    ('rv64,f=maybe', "can't apply global rv64-riscv-cpu.f=maybe: "
                     "Parameter 'f' expects 'on' or 'off'"),
    ('rv64,u=off', 'Setting S extension without U extension is illegal'),
    ('rv64,i=off', 'Either I or E extension must be set'),
    ('rv64,h=on', 'qcore does not implement the H extension'),
])
def test_cpu_option_errors_as_qemu(cpu, message):
    r = qcore_run(['-M', 'virt', '-cpu', cpu, '-display', 'none'])
    assert r.returncode == 1
    assert r.stderr.decode().startswith('qcore: ' + message), r.stderr


GUEST_BUILD = os.path.join(os.path.dirname(__file__), '..', 'guest', 'build')


def guest(prog):
    path = os.path.join(GUEST_BUILD, prog + '.elf')
    if not os.path.exists(path):
        pytest.skip('tests/guest not built (test_virt.py builds it)')
    return path


def test_cpu_sstc_off_makes_stimecmp_illegal():
    """tests/guest/sstc.c under -cpu rv64,sstc=off: its first stimecmp
    write from S-mode is an illegal instruction, as on QEMU 7.2."""
    r = qcore_run(['-M', 'virt', '-cpu', 'rv64,sstc=off', '-m', '128M',
                   '-bios', 'none', '-kernel', guest('sstc'), '-nographic'])
    assert r.returncode == 1
    assert b'S: sip.STIP at start 0\nunexpected M trap: cause 0x2 ' in \
        r.stdout, r.stdout


def test_cpu_pmu_num_sets_the_hpm_counters():
    """tests/guest/counters.c under -cpu rv64,pmu-num=4 (QEMU 7.2 prints
    the same): counters 3..6 exist, 7 up are illegal, events all kept."""
    r = qcore_run(['-M', 'virt', '-cpu', 'rv64,pmu-num=4', '-m', '128M',
                   '-bios', 'none', '-kernel', guest('counters'),
                   '-nographic'])
    assert r.returncode == 0
    out = r.stdout.decode()
    assert '  6: counter 0x6666 event 0x66\n' in out
    assert '  7: counter trap 2 event 0x77\n' in out
    assert '  fffff fffff U: cycle time instret hpm3 hpm18- hpm19- hpm31-\n' \
        in out


def test_trace_help_lists_the_events():
    r = qcore_run(['-trace', 'help'])
    assert r.returncode == 0
    events = r.stdout.decode().split()
    for ev in ('virtio_blk_handle_read', 'virtio_queue_notify',
               'luring_io_uring_submit', 'thread_pool_submit'):
        assert ev in events
    assert qcore_run(['-trace', 'enable=help']).stdout == r.stdout


def test_trace_option_errors_as_qemu():
    r = qcore_run(['-trace', 'foo=bar'])
    assert r.returncode == 1
    assert r.stderr == b"qcore: -trace foo=bar: Invalid parameter 'foo'\n"
    r = qcore_run(['-trace', 'events=/nonexistent/events'])
    assert r.returncode == 1
    assert r.stderr.startswith(b'qcore: -trace events=/nonexistent/events: ')
    assert b'/nonexistent/events' in r.stderr.split(b': ', 2)[2]
    r = qcore_run(['-msg', 'timestamp=maybe'])
    assert r.returncode == 1
    assert r.stderr == (b"qcore: -msg timestamp=maybe: Parameter "
                        b"'timestamp' expects 'on' or 'off'\n")


def test_unknown_trace_event_is_a_warning_with_timestamp():
    """QEMU warns and goes on; -msg timestamp=on puts the time first."""
    r = qcore_run(['-msg', 'timestamp=on', '-trace', 'no_such_event',
                   '-version'])
    assert r.returncode == 0
    assert re.match(rb'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z qcore: '
                    rb"-trace no_such_event: warning: trace event "
                    rb"'no_such_event' does not exist\n$", r.stderr), r.stderr
