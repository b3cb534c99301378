"""The gdbstub with the real debugger: gdb-multiarch (batch mode, and MI
for Ctrl-C) against tests/guest/build/gdb.elf on the virt board, plus the
protocol's error paths on a raw socket.

Every wait is for an event: gdb's own output or exit, a packet, the
process exiting.  Skipped without gdb-multiarch or the guest programs.
"""
import os
import re
import select
import shutil
import socket
import subprocess
import time

import pytest

from conftest import ROOT, TIMEOUT, qcore_run

GDB = shutil.which('gdb-multiarch')
GUEST = os.path.join(ROOT, 'tests', 'guest')
ELF = os.path.join(GUEST, 'build', 'gdb.elf')

pytestmark = pytest.mark.skipif(GDB is None, reason='no gdb-multiarch')


@pytest.fixture(scope='module')
def guest():
    if shutil.which('riscv64-unknown-elf-gcc'):
        r = subprocess.run(['make', '-s', '-C', GUEST, 'build/gdb.elf'],
                           capture_output=True, timeout=600)
        assert r.returncode == 0, r.stderr.decode(errors='replace')
    if not os.path.exists(ELF):
        pytest.skip('tests/guest/build/gdb.elf not built')
    return ELF


@pytest.fixture
def debuggee(start, tmpdir_short, guest):
    """debuggee(smp=2) -> (qcore stopped at reset under -S, gdb socket)."""
    def _start(smp=2, extra=()):
        sock = os.path.join(tmpdir_short, 'gdb.sock')
        q = start(['-M', 'virt', '-smp', str(smp), '-m', '128M',
                   '-bios', 'none', '-kernel', guest, '-S',
                   '-gdb', 'unix:%s,server=on,wait=off' % sock] +
                  list(extra), base=('-display', 'none'))
        return q, sock
    return _start


def gdb(sock, *commands, check=True):
    """One gdb-multiarch --batch session; its whole output."""
    args = [GDB, '--batch', '-nx', '-q', ELF,
            '-ex', 'set pagination off', '-ex', 'set confirm off',
            '-ex', 'target remote ' + sock]
    for c in commands:
        args += ['-ex', c]
    r = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=TIMEOUT)
    out = r.stdout.decode(errors='replace') + r.stderr.decode(errors='replace')
    if check:
        assert 'Remote communication error' not in out, out
        assert 'Remote connection closed' not in out, out
    return out


def value(out, n):
    """The value gdb printed as $n."""
    for line in out.splitlines():
        if line.startswith('$%d = ' % n):
            return line.split(' = ', 1)[1]
    raise AssertionError('no $%d in:\n%s' % (n, out))


# ---- with gdb --------------------------------------------------------------


def test_break_at_symbol_step_and_read_registers_and_memory(debuggee):
    q, sock = debuggee()
    out = gdb(sock, 'break bump', 'continue',
              'print $pc == (long)&bump',           # $1
              'print counter',                      # $2
              'stepi',
              'print (long)$pc - (long)&bump',      # $3
              'finish',
              'print counter',                      # $4
              'print/x $mhartid',                   # $5
              'print/x $misa',                      # $6
              'print $priv',                        # $7
              'print/x *(unsigned long *)&readme',  # $8
              'set var readme = 9',
              'print readme',                       # $9
              'print $sp != 0',                     # $10
              'monitor info status')
    assert 'hit Breakpoint 1, bump () at gdb.c' in out, out
    assert value(out, 1) == '1'
    assert value(out, 2) == '0'
    # One instruction further: a 2- or 4-byte one, still in bump.
    assert value(out, 3) in ('2', '4')
    assert 'main (hartid=' in out           # finish: back in the caller
    assert value(out, 4) == '1'
    assert value(out, 5) == '0x0'
    # RV64 with A, C, D, F, I, M, S, U, as QEMU's rv64 with h=off.
    assert value(out, 6) == '0x800000000014112d'
    assert value(out, 7) == '3'             # M-mode
    assert value(out, 8) == '0x7'
    assert value(out, 9) == '9'             # memory written through M/X
    assert value(out, 10) == '1'
    assert 'VM status: paused (debug)' in out
    # gdb detached at the end of the batch: the guest runs again.
    assert q.ctl.ok('query-status')['status'] == 'running'


def test_watchpoints_write_read_and_access_stop_the_guest(debuggee):
    q, sock = debuggee()
    out = gdb(sock, 'watch counter', 'continue',
              'delete', 'rwatch readme', 'continue',
              'delete', 'awatch counter', 'continue',
              'print counter')
    # crt0 zeroes .bss first: a write of the same value, which gdb passes.
    assert ('Hardware watchpoint 1: counter\n\nOld value = 0\n'
            'New value = 1') in out, out
    assert 'Hardware read watchpoint 2: readme\n\nValue = 7' in out, out
    # The read of counter in that bump is done: next comes its store.
    assert ('Hardware access (read/write) watchpoint 3: counter\n\n'
            'Old value = 1\nNew value = 2') in out, out
    assert value(out, 1) == '2'


def test_threads_are_harts_and_all_stop_together(debuggee):
    q, sock = debuggee(smp=2)
    # Hart 0 reaches its spin; then hart 1 is caught in its own loop.
    out = gdb(sock, 'break wait_for_release', 'continue',
              'break tick', 'continue',
              'info threads',
              'print $_thread',                     # $1
              'print $mhartid',                     # $2
              'print spins[1]',                     # $3
              'thread 1',
              'print $mhartid',                     # $4
              'bt 1',
              'print spins[1]',                     # $5: hart 1 stopped too
              'thread 2', 'delete', 'stepi', 'stepi',
              'print $_thread',                     # $6
              'print $pc >= (long)&tick && '
              '$pc < (long)&secondary_main')        # $7
    assert 'Thread 2 hit Breakpoint 2, tick (hartid=hartid@entry=1)' in out, out
    assert 'Thread 1.1 (CPU#0' in out and 'Thread 1.2 (CPU#1' in out, out
    assert value(out, 1) == '2'
    assert value(out, 2) == '1'
    assert '[Switching to thread 1 (Thread 1.1)]' in out
    assert value(out, 4) == '0'
    assert 'wait_for_release ()' in out
    # All-stop: while gdb looks at hart 0, hart 1 does not run.
    assert value(out, 3) == value(out, 5)
    # Steps go to the selected hart, which stays in its own loop.
    assert value(out, 6) == '2'
    assert value(out, 7) == '1'


class MI:
    """gdb-multiarch --interpreter=mi2 on pipes."""

    def __init__(self, sock):
        self.p = subprocess.Popen([GDB, '-nx', '-q', '--interpreter=mi2',
                                   ELF], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)
        self.buf = b''
        self.expect(b'(gdb)')
        # Commands while the target runs (-exec-interrupt) need async mode.
        self.cmd('-gdb-set mi-async on', b'^done')
        self.cmd('-target-select remote ' + sock, b'^connected')

    def expect(self, what):
        deadline = time.monotonic() + TIMEOUT
        while what not in self.buf:
            left = deadline - time.monotonic()
            r, _, _ = select.select([self.p.stdout], [], [], max(left, 0))
            if not r:
                raise AssertionError('gdb: no %r in %r' % (what, self.buf))
            data = os.read(self.p.stdout.fileno(), 65536)
            if not data:
                raise AssertionError('gdb exited: %r' % self.buf)
            self.buf += data
        i = self.buf.index(what) + len(what)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def cmd(self, line, what):
        self.p.stdin.write(line.encode() + b'\n')
        self.p.stdin.flush()
        return self.expect(what)

    def close(self):
        self.p.stdin.close()
        try:
            self.p.wait(TIMEOUT)
        finally:
            if self.p.poll() is None:
                self.p.kill()
                self.p.wait()


def test_ctrl_c_interrupts_a_running_guest(debuggee):
    q, sock = debuggee()
    mi = MI(sock)
    try:
        # To where the guest spins until we set release, then run.
        mi.cmd('-break-insert wait_for_release', b'^done')
        mi.cmd('-exec-continue', b'*stopped,reason="breakpoint-hit"')
        mi.cmd('-break-delete', b'^done')
        mi.cmd('-exec-continue', b'*running')
        mi.cmd('-exec-interrupt', b'*stopped')
        out = mi.expect(b'\n')
        assert b'signal-name="SIGINT"' in out, out
        assert q.ctl.ok('query-status')['status'] == 'paused'
        mi.cmd('-data-evaluate-expression "$pc >= (long)&wait_for_release '
               '&& $pc < (long)&secondary_loop"', b'^done,value="1"')
        mi.cmd('-target-detach', b'^done')
    finally:
        mi.close()


def test_detach_and_reconnect_then_the_guest_exits(debuggee):
    q, sock = debuggee()
    out = gdb(sock, 'break bump', 'continue', 'detach')
    assert 'hit Breakpoint 1' in out and 'detached' in out, out
    # The breakpoint went with the debugger: the guest reaches its spin.
    out = gdb(sock, 'info threads', 'set var release = 1', 'continue')
    assert 'Thread 1.1' in out, out
    # The guest exits 0 ("W00"): gdb says so and qcore ends with it.
    assert '[Inferior 1 (process 1) exited normally]' in out, out
    assert q.wait() == 0


def test_kill_ends_qcore(debuggee):
    q, sock = debuggee()
    out = gdb(sock, 'break bump', 'continue', 'kill')
    assert '[Inferior 1 (process 1) killed]' in out, out
    assert q.wait() == 0
    assert 'QEMU: Terminated via GDBstub' in q.output()


# ---- against QEMU 7.2 ------------------------------------------------------

def test_fp_registers_read_and_write(debuggee):
    q, sock = debuggee()
    out = gdb(sock, 'break bump', 'continue',
              'set $ft2.double = 2.5',
              'set $fa0 = 0x3ff8000000000000',
              'set $fflags = 5', 'set $frm = 3',
              'info registers float',
              'print $f2',                          # $1
              'print $fcsr',                        # $2
              'print $f10.double',                  # $3
              'print ($mstatus >> 13) & 3')         # $4
    assert value(out, 1) == '{float = 0, double = 2.5}'
    assert value(out, 2) == str(3 << 5 | 5)
    assert value(out, 3) == '1.5'
    assert re.search(r'^fa0 .*raw 0x3ff8000000000000', out, re.M), out
    # Writing fflags from gdb makes the FP state dirty, as in QEMU.
    assert value(out, 4) == '3'
    for name in ('ft0', 'fs11', 'ft11', 'fflags', 'frm', 'fcsr'):
        assert re.search(r'^%s\s' % name, out, re.M), out
    assert 'FRM:3 [RUP' in out


SESSION = ['break bump', 'continue', 'info registers pc sp ra', 'stepi',
           'x/2i $pc', 'finish', 'watch counter', 'continue', 'delete',
           'rwatch readme', 'continue', 'delete', 'awatch counter',
           'continue', 'delete', 'break wait_for_release', 'continue',
           'break tick', 'continue', 'info threads', 'print $mhartid',
           'thread 1', 'print $mhartid', 'print/x $mstatus', 'print $priv',
           'x/4xw &counter', 'print/x $mtvec', 'monitor info status',
           'delete', 'detach']


def comparable(out):
    """Hart 0's place in its spin loop depends on timing: leave it out."""
    return [line for line in out.splitlines()
            if 'wait_for_release' not in line and 'spins[0]++' not in line
            and 'while (!release)' not in line]


@pytest.mark.skipif(shutil.which('qemu-system-riscv64') is None,
                    reason='no qemu-system-riscv64')
def test_gdb_session_reads_the_same_as_on_qemu(debuggee, tmpdir_short):
    q, sock = debuggee(smp=2)
    ours = gdb(sock, *SESSION)
    # QEMU gets its gdb socket already listening (fd=), so no race.
    path = os.path.join(tmpdir_short, 'qemu-gdb.sock')
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)
    qemu = subprocess.Popen(
        ['qemu-system-riscv64', '-M', 'virt', '-smp', '2', '-m', '128M',
         '-bios', 'none', '-kernel', ELF, '-display', 'none',
         '-monitor', 'none', '-serial', 'null', '-S',
         '-chardev', 'socket,id=g,fd=%d,server=on,wait=off'
         % listener.fileno(), '-gdb', 'chardev:g'],
        pass_fds=[listener.fileno()], stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    listener.close()
    try:
        theirs = gdb(path, *SESSION)
    finally:
        qemu.kill()
        qemu.wait()
    assert 'Hardware access (read/write) watchpoint' in ours, ours
    assert comparable(ours) == comparable(theirs)


# ---- the protocol on a raw socket ---------------------------------------


def checksum(data):
    return b'%02x' % (sum(data) & 0xff)


class RSP:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.buf = b''

    def _fill(self):
        r, _, _ = select.select([self.s], [], [], TIMEOUT)
        assert r, 'no answer; have %r' % self.buf
        data = self.s.recv(65536)
        assert data, 'connection closed; have %r' % self.buf
        self.buf += data

    def send_raw(self, data):
        self.s.sendall(data)

    def send(self, payload):
        self.send_raw(b'$' + payload + b'#' + checksum(payload))
        return self.reply()

    def ack(self):
        while not self.buf:
            self._fill()
        c, self.buf = self.buf[:1], self.buf[1:]
        return c

    def reply(self):
        assert self.ack() == b'+'
        while True:
            start = self.buf.find(b'$')
            end = self.buf.find(b'#', start)
            if start >= 0 and end >= 0 and len(self.buf) >= end + 3:
                payload = self.buf[start + 1:end]
                assert self.buf[end + 1:end + 3] == checksum(payload)
                self.buf = self.buf[end + 3:]
                self.s.sendall(b'+')
                return payload
            self._fill()


def test_hostile_packets_get_errors_and_the_stub_keeps_serving(debuggee):
    q, sock = debuggee()
    r = RSP(sock)
    # A bad checksum is refused with '-'.
    r.send_raw(b'$g#00')
    assert r.ack() == b'-'
    # An overlong packet is dropped; the next one is answered.
    r.send_raw(b'$' + b'm' * 10000 + b'#00')
    assert r.send(b'?') == b'T05thread:01;'
    assert r.send(b'm80000000,100000') == b'E22'      # too long to answer
    assert r.send(b'm0,4') == b'E14'                  # nothing there
    assert r.send(b'M80001000,2:zz') == b'E22'
    assert r.send(b'p99999') == b'E14'
    assert r.send(b'Z9,0,0') == b''                   # unknown type
    assert r.send(b'z0,80000000,2') == b'E22'         # none there
    assert r.send(b'Hg99') == b'E22'
    assert r.send(b'qRcmd,6') == b'E22'
    assert r.send(b'vCont;x') == b'E22'
    assert r.send(b'\xff\x00garbage') == b''
    # Run-length encoding ('0*"' is 5 more zeros) and escapes are decoded.
    assert r.send(b'm80000000,0*"4') == r.send(b'm80000000,0004')
    assert r.send(b'X80001110,1:}]') == b'OK'          # 0x7d, escaped
    assert r.send(b'm80001110,1') == b'7d'
    assert q.alive()
    q.assert_serving()


def test_qsupported_and_target_description_as_qemu(debuggee):
    q, sock = debuggee()
    r = RSP(sock)
    assert r.send(b'qSupported:multiprocess+;swbreak+') == \
        b'PacketSize=1000;qXfer:features:read+;vContSupported+;multiprocess+'
    assert r.send(b'qfThreadInfo') == b'mp01.01'
    assert r.send(b'qsThreadInfo') == b'mp01.02'
    assert r.send(b'qsThreadInfo') == b'l'
    xml = r.send(b'qXfer:features:read:target.xml:0,ffb')
    assert xml.startswith(b'l<?xml') and b'riscv:rv64' in xml
    csr = b''
    off = 0
    while True:
        part = r.send(b'qXfer:features:read:riscv-csr.xml:%x,200' % off)
        csr += part[1:]
        off += len(part) - 1
        if part[:1] == b'l':
            break
    # CSR n is register 66 + n: f0..f31 are 33..64 and priv 65, as QEMU.
    assert b'<reg name="mstatus" bitsize="64" regnum="834"/>' in csr
    assert r.send(b'p%x' % (66 + 0xf14)) == b'0000000000000000'  # mhartid
    fpu = r.send(b'qXfer:features:read:riscv-64bit-fpu.xml:0,ffb')
    assert b'<reg name="ft0" bitsize="64" type="riscv_double" regnum="33"/>' \
        in fpu, fpu
    assert r.send(b'p%x' % 65) == b'0300000000000000'             # priv: M
    assert r.send(b'qXfer:features:read:nosuch.xml:0,10') == b'E00'


# ---- the command line ------------------------------------------------------


def test_gdb_on_an_invalid_device_exits_1():
    r = qcore_run(['-M', 'virt', '-gdb', 'foo:bar', '-display', 'none'])
    assert r.returncode == 1
    assert b"qcore: -gdb foo:bar: 'foo:bar' is not a valid char driver" \
        in r.stderr


def test_s_without_a_cpu_exits_1():
    r = qcore_run(['-M', 'none', '-s', '-display', 'none'])
    assert r.returncode == 1
    assert (b'qcore: -s: gdbstub: meaningless to attach gdb to a machine '
            b'without any CPU.') in r.stderr


def test_help_lists_s_and_gdb():
    out = qcore_run(['-h']).stdout
    assert b'-gdb dev' in out and b'-s              shorthand for -gdb ' \
        b'tcp::1234' in out
