"""Linux on the virt board: the kernel and initramfs of scripts/build-linux.sh
(tests/linux, docs/linux.md) booted through OpenSBI (-bios default) to a
busybox shell, driven over the console as a user would (QEMU's
tests/avocado boot_linux_console.py does the same on its side).

The artifacts come from `make linux` (QCORE_LINUX_DIR, default
BUILD/linux); without them every test here is skipped.  Console waits are
on markers the guest prints: a command's output is framed by a marker
that only its result can produce (the echoed command line cannot).
"""
import os
import re
import shlex
import shutil
import socket
import subprocess

import pytest

from conftest import QCORE, ROOT, TIMEOUT, GuestFirmwareRace, strip_ansi

BUILD = os.environ.get('QCORE_BUILD_DIR') or os.path.join(ROOT, 'build')
LINUX = os.environ.get('QCORE_LINUX_DIR') or os.path.join(BUILD, 'linux')
IMAGE = os.path.join(LINUX, 'Image')
INITRD = os.path.join(LINUX, 'initramfs.cpio.gz')
EXPECTED = os.path.join(ROOT, 'tests', 'linux', 'expected')

pytestmark = pytest.mark.skipif(
    not (os.path.exists(IMAGE) and os.path.exists(INITRD)),
    reason='no Linux guest in %s (make linux)' % LINUX)

SMP = 4
# What QEMU 7.2 (-cpu rv64,h=off) shows the same kernel in /proc/cpuinfo.
ISA = 'rv64imafdc'
# Booting Linux in an interpreter takes a while, more under sanitizers.
BOOT_TIMEOUT = float(os.environ.get('QCORE_LINUX_TIMEOUT', max(TIMEOUT, 300)))

# /etc/profile's PS1 in HOME (ash prints no ~ for it).
PROMPT = b'linux:/root# '
READY = b'qcore-linux: init ready on %d harts' % SMP
PANIC = re.compile(rb'Kernel panic|Unable to handle kernel|Oops')
# Linux gave up on a hart it had asked the firmware to start.
BRINGUP = re.compile(rb'CPU\d+: failed to come online')
# Where the virt board puts the kernel for OpenSBI (hw/riscv/boot.c).
KERNEL_BASE = 0x80200000


def linux_args(smp=SMP, append=''):
    return ['-M', 'virt', '-smp', str(smp), '-m', '512M', '-nographic',
            '-kernel', IMAGE, '-initrd', INITRD,
            '-append', ('console=ttyS0 ' + append).strip()]


class Console:
    """The guest's console on qcore's stdio (-nographic, a pty).  With the
    QMP client @qmp, a hart that does not come online is looked at
    (bringup_failed)."""

    def __init__(self, q, qmp=None):
        self.q = q
        self.term = q.term
        self.qmp = qmp
        self.log = b''

    def expect(self, pattern, timeout=BOOT_TIMEOUT):
        """Wait for @pattern; fail at once on a kernel panic or oops, or on
        a hart that did not come online."""
        if isinstance(pattern, bytes):
            pattern = re.compile(re.escape(pattern))
        both = re.compile(b'|'.join((pattern.pattern, PANIC.pattern,
                                     BRINGUP.pattern)))
        out = self.term.expect(both, timeout)
        self.log += out
        if pattern.search(out):
            return out
        if BRINGUP.search(out):
            self.bringup_failed(out)
        raise AssertionError('guest failed: %s'
                             % self.tail(out + self.term.buf))

    def harts(self):
        """[(pc, satp)] of every hart, from HMP's info registers -a."""
        regs = hmp(self.qmp, 'info registers -a')
        pcs = re.findall(r'^ pc\s+([0-9a-f]+)$', regs, re.M)
        satps = re.findall(r'^ satp\s+([0-9a-f]+)$', regs, re.M)
        return [(int(p, 16), int(t, 16)) for p, t in zip(pcs, satps)]

    def bringup_failed(self, out):
        """Linux gave up waiting for a hart.  Debian 12's OpenSBI (1.1)
        marks a hart START_PENDING before it stores the address the hart
        is to start at; a hart that polls its state in between (a few
        instructions of the boot hart, unless the host deschedules that
        thread there) jumps to the cold-boot address instead, Linux's
        entry point, loses Linux's hart lottery and spins in head.S with
        the MMU off.  Later OpenSBI releases store the address first.  That
        hart is the firmware's (GuestFirmwareRace, run again once); any
        other is qcore's to answer for."""
        end = KERNEL_BASE + os.path.getsize(IMAGE)
        harts = self.harts() if self.qmp else []
        raced = [i for i, (pc, satp) in enumerate(harts)
                 if satp == 0 and KERNEL_BASE <= pc < end]
        text = self.tail(out)
        if raced:
            raise GuestFirmwareRace(
                'hart %s entered Linux at its entry point, not at the '
                'address of its start call (OpenSBI 1.1): %s'
                % (raced, text))
        raise AssertionError('guest failed: a hart did not come online; '
                             'harts (pc, satp): %s\n%s'
                             % (['(%#x, %#x)' % h for h in harts], text))

    def tail(self, text=None):
        text = self.log if text is None else text
        return text[-3000:].decode(errors='replace')

    def boot(self):
        """Wait for init's marker and the shell's first prompt."""
        self.expect(READY)
        self.expect(PROMPT)

    def run(self, cmd, timeout=BOOT_TIMEOUT):
        """Run @cmd in the guest's shell; returns (output, exit status)
        with the output's line ends as \\n, the echoed command left out."""
        self.term.write(cmd.encode() + b'; echo "@@$?@@"\n')
        out = self.expect(re.compile(rb'@@(\d+)@@'), timeout)
        status = int(re.search(rb'@@(\d+)@@', out).group(1))
        self.expect(PROMPT)
        # Output passes two newline translations (guest tty, host pty).
        text = strip_ansi(out).replace(b'\r', b'').decode(errors='replace')
        # Drop the echoed command line, keep what the command printed.
        body = text.split('\n', 1)[1] if '\n' in text else ''
        return body[:body.rfind('@@')].rsplit('@@', 1)[0], status


def hmp(c, line):
    return c.ok('human-monitor-command',
                **{'command-line': line}).replace('\r\n', '\n')


@pytest.fixture
def linux(start):
    """linux(smp, append, extra) -> (Qcore, Console, QMP client): the
    guest booting, the client connected before it runs (-S, then cont)."""
    def _start(smp=SMP, append='', extra=()):
        q = start(linux_args(smp, append) + ['-S'] + list(extra), base=(),
                  pty=True)
        c = q.qmp()
        c.ok('cont')
        c.event('RESUME')
        return q, Console(q, c), c
    return _start


def test_boots_to_a_shell_with_every_hart(linux):
    q, con, c = linux()
    con.boot()
    out, status = con.run('cat /proc/cpuinfo')
    assert status == 0
    harts = re.findall(r'^processor\s*: (\d+)$', out, re.M)
    assert harts == [str(i) for i in range(SMP)], out
    isas = re.findall(r'^isa\s*: (\S+)$', out, re.M)
    assert isas == [isas[0]] * SMP and isas[0].startswith(ISA), out
    assert re.findall(r'^mmu\s*: (\S+)$', out, re.M) in \
        (['sv48'] * SMP, ['sv57'] * SMP), out

    out, status = con.run('dmesg')
    assert status == 0
    assert 'Linux version 6.1' in out
    for bad in ('WARNING:', 'BUG:', 'Oops', 'Call Trace'):
        assert bad not in out, out
    # The goldfish RTC gave the clock a date past the kernel's build.
    assert 'goldfish_rtc' in out and 'setting system clock' in out, out
    out, status = con.run('date +%Y')
    assert status == 0 and int(out.split()[0]) >= 2024


def test_fp_self_check_prints_what_qemu_prints(linux):
    q, con, c = linux()
    con.boot()
    out, status = con.run('fpcheck')
    assert status == 0
    with open(os.path.join(EXPECTED, 'fpcheck.out')) as f:
        expected = f.read()
    assert out == expected


def test_threads_run_on_every_hart(linux):
    q, con, c = linux()
    con.boot()
    out, status = con.run('spin 300000')
    assert status == 0, out
    lines = re.findall(r'spin: thread (\d+) ran on cpu (\d+): (.*)', out)
    assert [(t, cpu) for t, cpu, _ in lines] == \
        [(str(i), str(i)) for i in range(SMP)], out
    assert len({r for _, _, r in lines}) == 1, out
    assert 'spin: all harts ok' in out


def test_vdso_needs_no_relocation(linux):
    # The vDSO runs unrelocated in every process: a relocation left in it
    # is a pointer reading 0.  One in cpu_relax() (Linux 6.1 without
    # CONFIG_JUMP_LABEL) made clock_gettime() die of SIGSEGV at address 4
    # whenever it met the vDSO data mid-update: iobench's 128 threads hit
    # that in about one boot in 15 (bench/README.md).
    q, con, c = linux()
    con.boot()
    out, status = con.run('vdsocheck')
    assert 'vdsocheck: 0 relocations,' in out, out
    assert status == 0, out


def test_poweroff_ends_qcore_with_status_0(linux):
    q, con, c = linux()
    con.boot()
    con.term.write(b'poweroff\n')
    con.expect(b'reboot: Power down')
    # OpenSBI powers off through the sifive_test finisher.  QEMU 7.2 exits
    # at once there, without a SHUTDOWN event; qcore sends one first
    # (test_virt.py): if there is one, it is the guest's.
    shutdowns = [m for m in c.wait_eof(timeout=BOOT_TIMEOUT)
                 if m.get('event') == 'SHUTDOWN']
    assert all(m['data'] == {'guest': True, 'reason': 'guest-shutdown'}
               for m in shutdowns), shutdowns
    assert q.wait() == 0


def test_reboot_comes_back_to_the_shell_twice(linux):
    q, con, c = linux()
    con.boot()
    for n in range(2):
        con.term.write(b'reboot\n')
        con.expect(b'reboot: Restarting system')
        ev = c.event('RESET', timeout=BOOT_TIMEOUT)
        assert ev['data'] == {'guest': True, 'reason': 'guest-reset'}
        con.expect(b'OpenSBI v')
        con.boot()
        out, status = con.run('echo back $((%d + 1))' % n)
        assert (out, status) == ('back %d\n' % (n + 1), 0)
    assert q.alive()


def test_system_reset_mid_boot_reboots(linux):
    q, con, c = linux()
    con.expect(b'Linux version 6.1')
    hmp(c, 'system_reset')
    ev = c.event('RESET')
    assert ev['data'] == {'guest': False, 'reason': 'host-qmp-system-reset'}
    con.expect(b'OpenSBI v')
    con.expect(b'Linux version 6.1')
    con.boot()
    out, status = con.run('cat /proc/sys/kernel/ostype')
    assert (out, status) == ('Linux\n', 0)


def test_stop_cont_mid_boot_resumes(linux):
    q, con, c = linux()
    con.expect(b'Linux version 6.1')
    hmp(c, 'stop')
    c.event('STOP')
    assert c.ok('query-status') == {'running': False, 'singlestep': False,
                                     'status': 'paused'}
    hmp(c, 'cont')
    c.event('RESUME')
    assert c.ok('query-status')['status'] == 'running'
    con.boot()
    out, status = con.run('echo resumed')
    assert (out, status) == ('resumed\n', 0)


def test_monitor_sees_supervisor_mode_and_a_48_or_57_bit_satp(linux):
    q, con, c = linux()
    con.boot()
    # inittab's second shell (tty1) starts beside the console's: wait until
    # it sits in read, so no hart is in user mode for a reason of its own.
    out, status = con.run(
        'for i in $(seq 300); do for p in /proc/[0-9]*; do readlink $p/fd/0;'
        ' done 2>/dev/null | grep -q tty1 && break; sleep 0.1; done;'
        ' [ $i -lt 300 ]')
    assert status == 0
    cpus = hmp(c, 'info cpus').splitlines()
    assert len(cpus) == SMP, cpus
    for i, line in enumerate(cpus):
        assert re.match(r'[ *] CPU #%d: thread_id=\d+$' % i, line), cpus

    c.ok('stop')
    c.event('STOP')
    regs = hmp(c, 'info registers -a')
    c.ok('cont')
    c.event('RESUME')
    satps = re.findall(r'^ satp\s+([0-9a-f]{16})$', regs, re.M)
    assert len(satps) == SMP, regs
    # satp.MODE: 9 is Sv48, 10 Sv57 (Linux 6.1 takes the widest the CPU
    # has); the same on every hart, all on the kernel's page tables.
    modes = {int(s, 16) >> 60 for s in satps}
    assert len(modes) == 1 and modes <= {9, 10}, satps
    # QEMU's "info registers" prints no privilege level: the pc says it.
    # A hart runs the kernel in S-mode (pc in the kernel's upper half), or
    # is in OpenSBI on behalf of it (an SBI call or trap taken from S-mode:
    # mstatus.MPP = 1).
    pcs = [int(p, 16) for p in re.findall(r'^ pc\s+([0-9a-f]{16})$', regs,
                                           re.M)]
    mstatus = [int(m, 16) for m in
               re.findall(r'^ mstatus\s+([0-9a-f]{16})$', regs, re.M)]
    assert len(pcs) == len(mstatus) == SMP, regs
    for pc, ms in zip(pcs, mstatus):
        assert pc >> 63 or (ms >> 11) & 3 == 1, regs
    out, status = con.run('echo still here')
    assert (out, status) == ('still here\n', 0)


def test_qmp_events_are_qemus(linux):
    """STOP, RESUME, RESET and SHUTDOWN with their data, as QEMU 7.2 sends
    them for the same actions on a running Linux."""
    q, con, c = linux()
    con.boot()
    c.ok('stop')
    assert c.event('STOP').get('data', {}) == {}
    c.ok('cont')
    assert c.event('RESUME').get('data', {}) == {}
    c.ok('system_reset')
    assert c.event('RESET')['data'] == {'guest': False,
                                        'reason': 'host-qmp-system-reset'}
    con.boot()
    c.request('quit')
    msgs = c.wait_eof()
    assert [m['data'] for m in msgs if m.get('event') == 'SHUTDOWN'] == \
        [{'guest': False, 'reason': 'host-qmp-quit'}]
    assert q.wait() == 0


@pytest.mark.skipif(not shutil.which('qemu-system-riscv64'),
                    reason='no qemu-system-riscv64 (scripts/install-deps.sh bench)')
def test_same_artifacts_boot_on_qemu():
    """tests/linux/check-qemu.sh: the reference the tests above hold qcore
    to still holds for these artifacts on QEMU 7.2."""
    r = subprocess.run([os.path.join(ROOT, 'tests', 'linux', 'check-qemu.sh')],
                       env=dict(os.environ, LINUX_DIR=LINUX),
                       stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=BOOT_TIMEOUT + 30)
    assert r.returncode == 0, (r.stdout + r.stderr).decode(errors='replace')
    assert r.stdout.count(b'ok   ') == 7


def test_help_example_boots_with_a_disk_and_a_network_card(start, tmp_path):
    """qcore -h ends with a whole guest: that command line, with this
    build's artifacts, a new qcow2 image and a free host port, boots to a
    shell that has the disk (vda, its size) and the card (eth0, QEMU's
    first MAC)."""
    out = subprocess.run([QCORE, '-h'], capture_output=True, text=True,
                         timeout=TIMEOUT).stdout
    example = out.split('\nExample:', 1)[1].split(':\n', 1)[1]
    args = shlex.split(example.replace('\\\n', ' '))
    assert args[0] == 'qcore', example
    disk = str(tmp_path / 'disk.qcow2')
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', disk, '64M'],
                   check=True)
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    swap = {'build/linux/Image': IMAGE,
            'build/linux/initramfs.cpio.gz': INITRD,
            'disk.qcow2': disk, '8080': str(port)}
    args = [re.sub(r'build/linux/Image|build/linux/initramfs\.cpio\.gz|'
                   r'disk\.qcow2|8080', lambda m: swap[m.group(0)], a)
            for a in args[1:]]
    q = start(args + ['-S'], base=(), pty=True)
    c = q.qmp()
    c.ok('cont')
    con = Console(q, c)
    con.boot()
    out, status = con.run('cat /sys/block/vda/size /sys/class/net/eth0/address')
    assert (out, status) == ('131072\n52:54:00:12:34:56\n', 0)
