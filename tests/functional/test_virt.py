"""The virt machine end to end: every tests/guest program gives QEMU's
exact serial output and exit status; a running 4-hart guest survives
stop, cont and system_reset over QMP, and its clock stands still while
stopped; a guest that spins or hammers MMIO leaves the monitor
responsive; the device tree dump, query-cpus-fast and the HMP CPU and
memory commands.

Skipped when the guest programs cannot be built (no
riscv64-unknown-elf-gcc and no tests/guest/build).  Nothing sleeps: each
wait is for serial output, a QMP answer or event, or a process exit.
"""
import os
import re
import select
import shutil
import socket
import subprocess

import pytest

import fdt
from conftest import ROOT, QCORE, TIMEOUT, Term, qcore_run

GUEST = os.path.join(ROOT, 'tests', 'guest')
BUILD = os.path.join(GUEST, 'build')
EXPECTED = os.path.join(GUEST, 'expected')
PROGS = ['hello', 'isa', 'traps', 'timer', 'amo', 'smp', 'compressed',
         'sv39', 'echo', 'exitcode', 'pmp', 'fuzz', 'bitfuzz', 'bitmanip',
         'counters', 'sstc', 'svx', 'fp', 'fpfuzz']
BOARD = ['-M', 'virt', '-cpu', 'rv64,h=off', '-smp', '4', '-m', '128M',
         '-bios', 'none']
MTIME = 0x200bff8


@pytest.fixture(scope='module')
def guests():
    """Build tests/guest (including demo.elf) or skip."""
    targets = ['all', 'build/demo.elf']
    if shutil.which('riscv64-unknown-elf-gcc'):
        r = subprocess.run(['make', '-s', '-C', GUEST] + targets,
                           capture_output=True, timeout=600)
        assert r.returncode == 0, r.stderr.decode(errors='replace')
    missing = [p for p in PROGS + ['demo', 'edu']
               if not os.path.exists(os.path.join(BUILD, p + '.elf'))]
    if missing:
        pytest.skip('guest programs not built and no riscv64-unknown-elf-gcc'
                    ': %s' % ' '.join(missing))
    return BUILD


def elf(name):
    return os.path.join(BUILD, name + '.elf')


def expected(prog):
    with open(os.path.join(EXPECTED, prog + '.out'), 'rb') as f:
        out = f.read()
    with open(os.path.join(EXPECTED, prog + '.status')) as f:
        status = int(f.read())
    return out, status


# ---- the guest programs against QEMU's output ----------------------------

@pytest.mark.parametrize('prog', PROGS)
def test_guest_program_matches_qemu(guests, prog):
    """The command lines of tests/guest/check-qemu.sh, as QEMU ran them."""
    out, status = expected(prog)
    if prog == 'echo':
        with open(os.path.join(EXPECTED, 'echo.in'), 'rb') as f:
            r = subprocess.run([QCORE] + BOARD +
                               ['-kernel', elf(prog), '-serial', 'stdio',
                                '-display', 'none', '-monitor', 'none'],
                               stdin=f, capture_output=True, timeout=TIMEOUT)
    else:
        r = qcore_run(BOARD + ['-kernel', elf(prog), '-nographic'])
    assert r.stdout == out, r.stderr.decode(errors='replace')
    assert r.returncode == status, r.stderr.decode(errors='replace')


@pytest.mark.parametrize('prog', ['timer', 'smp'])
@pytest.mark.parametrize('poll', ['0', '1000000000'])
def test_wfi_guests_with_halt_polling_off_and_long(guests, prog, poll):
    """Timer interrupts and IPIs wake harts halted in wfi the same whether
    they sleep at once (halt-poll-ns=0) or poll up to a second."""
    out, status = expected(prog)
    r = qcore_run(BOARD + ['-accel', 'tcg,halt-poll-ns=' + poll,
                           '-kernel', elf(prog), '-nographic'])
    assert r.stdout == out, r.stderr.decode(errors='replace')
    assert r.returncode == status, r.stderr.decode(errors='replace')


def test_edu_guest_does_dma_and_is_refused_outside_ram(guests):
    """tests/guest/edu.c on -device edu.  qcore's transcript: QEMU's edu
    is a PCI device, so QEMU cannot run this program."""
    out, status = expected('edu')
    r = qcore_run(BOARD + ['-kernel', elf('edu'), '-nographic',
                           '-device', 'edu'])
    assert r.stdout == out, r.stderr.decode(errors='replace')
    assert r.returncode == status, r.stderr.decode(errors='replace')


# ---- the board, its options and its errors ---------------------------------

def test_dumpdtb_writes_the_device_tree_and_exits(tmp_path):
    dtb = tmp_path / 'virt.dtb'
    kernel = tmp_path / 'kernel.bin'
    kernel.write_bytes(bytes(16))
    r = qcore_run(['-M', 'virt,dumpdtb=%s' % dtb, '-smp', '2',
                   '-bios', 'none', '-kernel', str(kernel),
                   '-append', 'console=ttyS0 quiet'])
    assert r.returncode == 0, r.stderr
    blob = dtb.read_bytes()
    assert blob[:4] == bytes.fromhex('d00dfeed')
    assert int.from_bytes(blob[4:8], 'big') == len(blob)
    for s in [b'c_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc',
              b'riscv,cpu-intc',
              b'/soc/serial@10000000', b'console=ttyS0 quiet', b'ns16550a',
              b'sifive,test1', b'syscon-poweroff', b'syscon-reboot',
              b'riscv,plic0', b'riscv,clint0', b'memory@80000000',
              b'cpu@0', b'cpu@1', b'timebase-frequency']:
        assert s in blob, s
    assert b'cpu@2' not in blob
    if shutil.which('dtc'):
        dts = subprocess.run(['dtc', '-I', 'dtb', '-O', 'dts', str(dtb)],
                             capture_output=True, timeout=TIMEOUT).stdout
        assert b'timebase-frequency = <0x989680>' in dts
        assert b'reg = <0x00 0x80000000 0x00 0x8000000>' in dts
        assert b'interrupts = <0x0a>' in dts


# What QEMU 7.2 writes for these -cpu options (qemu-system-riscv64 -M
# virt,dumpdtb=x.dtb -cpu ..., then dtc): the hart's riscv,isa and
# mmu-type, and /pmu's event-to-counter map.
PMU_16 = ('0x01 0x01 0x7fff9 0x02 0x02 0x7fffc 0x10019 0x10019 0x7fff8 '
          '0x1001b 0x1001b 0x7fff8 0x10021 0x10021 0x7fff8 '
          '0x00 0x00 0x00 0x00 0x00')


def has_fd(tmp_path):
    """Does this qcore implement F and D yet (-cpu rv64,f=on accepted)?"""
    r = qcore_run(['-M', 'virt,dumpdtb=%s' % (tmp_path / 'fd.dtb'),
                   '-cpu', 'rv64,f=on'])
    return 'does not implement the F and D' not in r.stderr.decode()


@pytest.mark.parametrize('cpu,isa,mmu,pmu', [
    (None, 'rv64imafdc_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc',
     'riscv,sv48', PMU_16),
    ('rv64,h=off,f=off,d=off,sstc=off,zba=off,mmu=off,pmu-num=4',
     'rv64imac_zicsr_zifencei_zihintpause_zbb_zbc_zbs', 'riscv,none',
     PMU_16.replace('0x7fff', '0x7')),
    ('rv64,m=off,a=off,Zifencei=off',
     'rv64ifdc_zicsr_zihintpause_zba_zbb_zbc_zbs_sstc', 'riscv,sv48', PMU_16),
    ('rv64,pmu-num=0,zbs=off,Zihintpause=off',
     'rv64imafdc_zicsr_zifencei_zba_zbb_zbc_sstc', 'riscv,sv48',
     PMU_16.replace('0x7fff', '0xfffffff')),
], ids=['default', 'small', 'no-m-a', 'no-pmu'])
def test_device_tree_describes_the_cpu_as_qemu(tmp_path, cpu, isa, mmu, pmu):
    if not shutil.which('dtc'):
        pytest.skip('no dtc')
    if 'fd' in isa.split('_')[0] and not has_fd(tmp_path):
        # Until F and D are in, qcore's rv64 is QEMU's with f=off,d=off.
        isa = isa.replace('fd', '', 1)
    dtb = tmp_path / 'virt.dtb'
    r = qcore_run(['-M', 'virt,dumpdtb=%s' % dtb, '-smp', '2'] +
                  (['-cpu', cpu] if cpu else []))
    assert r.returncode == 0, r.stderr
    dts = subprocess.run(['dtc', '-I', 'dtb', '-O', 'dts', str(dtb)],
                         capture_output=True, timeout=TIMEOUT,
                         text=True).stdout
    assert dts.count('riscv,isa = "%s";' % isa) == 2, dts
    assert dts.count('mmu-type = "%s";' % mmu) == 2
    m = re.search(r'\n\tpmu \{\n(.*?)\n\t\};', dts, re.S)
    assert m, dts
    assert sorted(m.group(1).split('\n')) == [
        '\t\tcompatible = "riscv,pmu";',
        '\t\triscv,event-to-mhpmcounters = <%s>;' % pmu]


@pytest.mark.parametrize('args,message', [
    (['-kernel', '/bin/sh'], 'not RISC-V'),
    (['-kernel', '/nonexistent.elf'],
     "could not load kernel '/nonexistent.elf'"),
    (['-smp', '9'], 'Invalid SMP CPUs 9. The max CPUs supported by '
                    "machine 'virt' is 8"),
    (['-m', '4K', '-kernel', 'GUEST:hello'], 'is outside guest RAM'),
    (['-cpu', 'nope'], "unable to find CPU model 'nope'"),
], ids=['foreign-elf', 'missing-kernel', 'too-many-harts', 'ram-too-small',
        'bad-cpu'])
def test_board_errors_exit_1(guests, args, message):
    args = [elf(a[6:]) if a.startswith('GUEST:') else a for a in args]
    r = qcore_run(['-M', 'virt', '-bios', 'none', '-display', 'none'] + args)
    assert r.returncode == 1
    assert message in r.stderr.decode(), r.stderr


# ---- a running guest under the monitor ------------------------------------

class Serial:
    """The guest's UART on a socket qcore connects to at start-up."""

    def __init__(self, path):
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(path)
        self.listener.listen(1)
        self.path = path
        self.sock = None
        self.term = None

    def arg(self):
        return ['-serial', 'unix:%s' % self.path]

    def accept(self):
        r, _, _ = select.select([self.listener], [], [], TIMEOUT)
        assert r, 'qcore did not connect the serial socket'
        self.sock, _ = self.listener.accept()
        self.term = Term(os.dup(self.sock.fileno()))
        return self

    def expect(self, pattern):
        return self.term.expect(pattern)

    def pending(self):
        """Whatever is already in the socket, without waiting."""
        out = self.term.buf
        self.term.buf = b''
        while select.select([self.sock], [], [], 0)[0]:
            data = self.sock.recv(65536)
            if not data:
                break
            out += data
        return out

    def close(self):
        if self.term:
            self.term.close()
        for s in (self.sock, self.listener):
            if s:
                s.close()


@pytest.fixture
def serial(tmpdir_short):
    s = Serial(os.path.join(tmpdir_short, 'serial.sock'))
    yield s
    s.close()


def start_demo(start, serial, append=None, extra=()):
    args = BOARD + ['-kernel', elf('demo')] + serial.arg() + list(extra)
    if append:
        args += ['-append', append]
    q = start(args, base=('-display', 'none'))
    serial.accept()
    return q


def hmp(c, line, cpu=None):
    args = {'command-line': line}
    if cpu is not None:
        args['cpu-index'] = cpu
    # HMP ends lines with \r\n, as QEMU's does.
    return c.ok('human-monitor-command', **args).replace('\r\n', '\n')


def read_mtime(c):
    out = hmp(c, 'xp /1xg 0x%x' % MTIME)
    m = re.match(r'%016x: 0x([0-9a-f]{16})\n$' % MTIME, out)
    assert m, out
    return int(m.group(1), 16)


def last_tick(text):
    ticks = re.findall(rb'demo: tick (\d+)\n', text)
    return int(ticks[-1]) if ticks else 0


def test_stop_cont_reset_running_4_hart_guest(guests, start, serial):
    q = start_demo(start, serial)
    serial.expect(b'demo: 4 harts up\n')
    serial.expect(b'demo: tick 2\n')
    c = q.qmp()

    for round in range(3):
        c.ok('stop')
        c.event('STOP')
        assert c.ok('query-status')['status'] == 'paused'
        # Everything the harts wrote before stopping is in the socket.
        seen = last_tick(serial.pending())
        before = read_mtime(c)
        pcs = [hmp(c, 'info registers', cpu=i).split('\n')[0]
               for i in range(4)]
        for _ in range(50):
            c.ok('query-cpus-fast')
        # Virtual time stands still, the harts stand still, no output.
        assert read_mtime(c) == before
        assert [hmp(c, 'info registers', cpu=i).split('\n')[0]
                for i in range(4)] == pcs
        assert b'tick' not in serial.pending()

        c.ok('cont')
        c.event('RESUME')
        # The guest carries on from where it was.
        out = serial.expect(re.compile(rb'demo: tick (\d+)\n'))
        assert last_tick(out) >= seen + 1 or seen == 0
        assert read_mtime(c) > before

    # A reset boots the guest again from its images.
    c.ok('system_reset')
    ev = c.event('RESET')
    assert ev['data'] == {'guest': False, 'reason': 'host-qmp-system-reset'}
    serial.expect(b'qcore demo: a bare-metal guest')
    serial.expect(b'demo: 4 harts up\n')
    serial.expect(b'demo: tick 1\n')

    # And from a stopped machine too, which stays stopped until cont.
    c.ok('stop')
    c.event('STOP')
    c.ok('system_reset')
    c.event('RESET')
    assert c.ok('query-status')['status'] == 'paused'
    # Every hart is back at the reset vector (the mask ROM at 0x1000).
    for i in range(4):
        assert hmp(c, 'info registers', cpu=i).split('\n')[0] == \
            ' pc       0000000000001000'
    c.ok('cont')
    serial.expect(b'qcore demo: a bare-metal guest')
    serial.expect(b'demo: 4 harts up\n')


def test_guest_power_off_is_a_guest_shutdown_with_its_status(guests, start):
    """sifive_test (3 << 16) | 0x3333: SHUTDOWN guest-shutdown, exit 3."""
    q = start(BOARD + ['-kernel', elf('exitcode'), '-S'],
              base=('-display', 'none'))
    c = q.qmp()
    c.ok('cont')
    ev = c.event('SHUTDOWN')
    assert ev['data'] == {'guest': True, 'reason': 'guest-shutdown'}
    c.wait_eof()
    assert q.wait() == 3


@pytest.mark.parametrize('mode', ['spin', 'mmio', 'smc'])
def test_hostile_guest_leaves_monitor_responsive(guests, start, serial, mode):
    q = start_demo(start, serial, append=mode)
    serial.expect(b'forever\n')
    c = q.qmp()
    for _ in range(10):
        assert c.ok('query-status')['status'] == 'running'
        assert len(c.ok('query-cpus-fast')) == 4
        assert 'pc' in hmp(c, 'info registers')
        c.ok('stop')
        c.event('STOP')
        c.ok('cont')
        c.event('RESUME')
    c.ok('system_reset')
    c.event('RESET')
    serial.expect(b'forever\n')
    c.close()   # the QMP socket serves one client at a time
    q.assert_serving()


# ---- CPUs and memory in the monitor -------------------------------------

def test_query_cpus_fast_names_the_vcpu_threads(guests, start, serial):
    q = start_demo(start, serial, append='quiet', extra=['-S'])
    c = q.qmp()
    cpus = c.ok('query-cpus-fast')
    assert [cpu['cpu-index'] for cpu in cpus] == [0, 1, 2, 3]
    for i, cpu in enumerate(cpus):
        assert cpu['qom-path'] == '/machine/soc0/harts[%d]' % i
        assert cpu['target'] == 'riscv64'
        assert cpu['props'] == {'core-id': i}
        with open('/proc/%d/task/%d/comm' % (q.pid, cpu['thread-id'])) as f:
            assert f.read() == 'CPU %d/riscv\n' % i
    assert c.ok('qom-get', path=cpus[2]['qom-path'],
                property='type') == 'rv64-riscv-cpu'


def test_hmp_cpu_and_memory_commands(guests, start, serial):
    q = start_demo(start, serial, append='quiet', extra=['-S'])
    c = q.qmp()

    cpus = hmp(c, 'info cpus').splitlines()
    assert len(cpus) == 4
    assert re.match(r'\* CPU #0: thread_id=\d+$', cpus[0])
    assert re.match(r'  CPU #3: thread_id=\d+$', cpus[3])

    # The reset vector every hart starts in: auipc t0, 0 first.
    assert hmp(c, 'xp /2xw 0x1000') == \
        '0000000000001000: 0x00000297 0x02828613\n'
    # The device tree address it hands over in a1, top of 128M RAM.
    assert hmp(c, 'xp /1xg 0x1020') == \
        '0000000000001020: 0x0000000087e00000\n'
    assert hmp(c, 'xp /4xb 0x87e00000') == \
        '0000000087e00000: 0xd0 0x0d 0xfe 0xed\n'
    assert hmp(c, 'x /1dw 0x1000') == '0000000000001000:        663\n'
    assert hmp(c, 'xp /1xw 0x0') == 'Cannot access memory\n'
    assert 'invalid char in format' in hmp(c, 'xp /1zw 0x1000')

    regs = hmp(c, 'info registers', cpu=2)
    assert ' mhartid  0000000000000002' in regs
    assert regs.startswith(' pc       0000000000001000')
    every = hmp(c, 'info registers -a')
    assert every.count(' mhartid ') == 4 and '\nCPU#3\n' in every

    hmp(c, 'cpu 1')
    assert hmp(c, 'info cpus').splitlines()[1].startswith('* CPU #1')
    assert hmp(c, 'cpu 7') == 'invalid CPU index\n'
    hmp(c, 'cpu 0')

    mtree = hmp(c, 'info mtree')
    for name in ['riscv_virt_board.ram', 'riscv_virt_board.mrom']:
        assert name in mtree
    assert '0000000080000000-0000000087ffffff' in mtree
    # The device windows, as QEMU 7.2's "info mtree" prints them.
    for line in [
            '0000000000100000-0000000000100fff (prio 0, i/o): '
            'riscv.sifive.test',
            '0000000002000000-0000000002003fff (prio 0, i/o): '
            'riscv.aclint.swi',
            '0000000002004000-000000000200bfff (prio 0, i/o): '
            'riscv.aclint.mtimer',
            '000000000c000000-000000000c5fffff (prio 0, i/o): '
            'riscv.sifive.plic',
            '0000000010000000-0000000010000007 (prio 0, i/o): serial']:
        assert line in mtree

    r = c.cmd('human-monitor-command', **{'command-line': 'info cpus',
                                          'cpu-index': 9})
    assert r['error']['class'] == 'GenericError'


@pytest.mark.skipif(not os.path.exists('/sys/kernel/mm/transparent_hugepage'),
                    reason='the host kernel has no transparent huge pages')
def test_guest_ram_is_aligned_and_advised_for_huge_pages(start):
    """Guest RAM starts on a 2 MiB boundary and carries MADV_HUGEPAGE
    (smaps' "hg"), as QEMU's: THP then backs it even in the host's
    default "madvise" mode, which the interpreter's accesses and every
    O_DIRECT disk transfer gain from (bench/README.md, Block)."""
    q = start(BOARD + ['-S', '-m', '96M'], base=('-display', 'none'))
    q.qmp()
    size_kb = 96 * 1024
    found = []
    with open('/proc/%d/smaps' % q.pid) as f:
        vma = None
        for line in f:
            m = re.match(r'([0-9a-f]+)-([0-9a-f]+) ', line)
            if m:
                start_, end = int(m.group(1), 16), int(m.group(2), 16)
                vma = (start_, end)
            elif line.startswith('VmFlags:') and vma and \
                    vma[1] - vma[0] == size_kb * 1024:
                found.append((vma[0], line.split()[1:]))
    assert found, 'no %d KiB mapping for guest RAM' % size_kb
    ram_start, flags = found[0]
    assert ram_start % (2 << 20) == 0
    assert 'hg' in flags


def test_machine_queries_answer_as_qemu(start):
    """What libvirt asks a new QEMU first, with QEMU 7.2's answers."""
    c = start(BOARD + ['-S'], base=('-display', 'none')).qmp()
    assert c.ok('query-target') == {'arch': 'riscv64'}
    assert c.ok('query-kvm') == {'enabled': False, 'present': False}
    assert c.ok('query-uuid') == {
        'UUID': '00000000-0000-0000-0000-000000000000'}
    assert c.ok('query-current-machine') == {'wakeup-suspend-support': False}
    machines = {m['name']: m for m in c.ok('query-machines')}
    assert machines['none'] == {
        'name': 'none', 'is-default': True, 'cpu-max': 1,
        'hotpluggable-cpus': False, 'numa-mem-supported': False,
        'deprecated': False, 'default-ram-id': 'ram'}
    assert machines['virt'] == {
        'name': 'virt', 'cpu-max': 8, 'hotpluggable-cpus': False,
        'numa-mem-supported': False, 'deprecated': False,
        'default-cpu-type': 'rv64-riscv-cpu',
        'default-ram-id': 'riscv_virt_board.ram'}
    r = c.cmd('inject-nmi')
    assert r['error'] == {
        'class': 'GenericError',
        'desc': 'this feature or command is not currently supported'}
    assert hmp(c, 'info kvm') == 'kvm support: not compiled\n'
    assert hmp(c, 'info uuid') == '00000000-0000-0000-0000-000000000000\n'
    assert hmp(c, 'nmi') == \
        'Error: this feature or command is not currently supported\n'


def test_dumpdtb_pmemsave_memsave(start, tmp_path):
    """Dumps to files: the device tree, physical and virtual memory."""
    ref = tmp_path / 'ref.dtb'
    r = qcore_run(['-M', 'virt,dumpdtb=%s' % ref, '-smp', '4'])
    assert r.returncode == 0, r.stderr
    c = start(BOARD + ['-S'], base=('-display', 'none')).qmp()

    dtb = tmp_path / 'qmp.dtb'
    assert c.ok('dumpdtb', filename=str(dtb)) == {}
    # The same tree but for /chosen/rng-seed, fresh on every boot.
    ours, theirs = fdt.read(str(dtb)), fdt.read(str(ref))
    assert ours['/chosen'].props.pop('rng-seed') != \
        theirs['/chosen'].props.pop('rng-seed')
    assert [(n.path, n.props) for n in ours.values()] == \
        [(n.path, n.props) for n in theirs.values()]
    assert hmp(c, 'dumpdtb %s' % (tmp_path / 'hmp.dtb')) == \
        'info: dtb dumped to %s\n' % (tmp_path / 'hmp.dtb')
    r = c.cmd('dumpdtb', filename='/nonexistent/x.dtb')
    assert r['error']['class'] == 'GenericError'
    assert r['error']['desc'].startswith(
        'Error saving FDT to file /nonexistent/x.dtb: ')

    # The reset vector's first words, as xp shows them; with the MMU off
    # the hart's virtual view is the same.
    rom = tmp_path / 'rom'
    assert c.ok('pmemsave', val=0x1000, size=40, filename=str(rom)) == {}
    assert rom.read_bytes()[:8] == bytes.fromhex('9702000013868202')
    assert len(rom.read_bytes()) == 40
    virt = tmp_path / 'virt'
    assert c.ok('memsave', val=0x1000, size=40, filename=str(virt),
                **{'cpu-index': 3}) == {}
    assert virt.read_bytes() == rom.read_bytes()
    hole = tmp_path / 'hole'
    assert c.ok('pmemsave', val=0, size=16, filename=str(hole)) == {}
    assert hole.read_bytes() == bytes(16)
    assert hmp(c, 'pmemsave 0x1000 8 %s' % (tmp_path / 'h')) == ''
    assert (tmp_path / 'h').read_bytes() == rom.read_bytes()[:8]

    for name, args, desc in [
            ('memsave', {'val': 0, 'size': 16}, 'Invalid addr '
             '0x0000000000000000/size 16 specified'),
            ('memsave', {'val': 0x1000, 'size': 16, 'cpu-index': 7},
             "Parameter 'cpu-index' expects a CPU number"),
            ('pmemsave', {'val': 0x1000, 'size': -1},
             "Parameter 'size' expects a non-negative number")]:
        r = c.cmd(name, filename=str(tmp_path / 'x'), **args)
        assert r['error'] == {'class': 'GenericError', 'desc': desc}
    r = c.cmd('pmemsave', val=0, size=1, filename='/nonexistent/x')
    assert r['error']['desc'] == \
        "Could not open '/nonexistent/x': No such file or directory"
    assert hmp(c, 'pmemsave 0x1000 lots x') == \
        'invalid number \'lots\'\nTry "help pmemsave" for more information\n'

    none = start(['-S'], name='none').qmp()
    r = none.cmd('dumpdtb', filename=str(tmp_path / 'n.dtb'))
    assert r['error']['desc'] == "This machine doesn't have a FDT"


def test_bios_file_and_raw_kernel_are_placed_as_qemu_does(guests, start,
                                                          tmp_path):
    """-bios FILE at 0x80000000, a raw -kernel at the next 2 MiB boundary
    (0x80200000), and the reset vector pointing at the firmware with the
    kernel in fw_dynamic_info.next_addr."""
    kernel = tmp_path / 'kernel.bin'
    kernel.write_bytes(bytes(range(16)))
    q = start(BOARD[:-2] + ['-bios', elf('hello'), '-kernel', str(kernel),
                            '-append', 'root=/dev/vda', '-S'],
              base=('-display', 'none', '-serial', 'null'))
    c = q.qmp()
    assert hmp(c, 'xp /4xb 0x80200000') == \
        '0000000080200000: 0x00 0x01 0x02 0x03\n'
    start_addr = hmp(c, 'xp /1xg 0x1018')
    assert start_addr == '0000000000001018: 0x0000000080000000\n'
    # fw_dynamic_info: magic "OSBI", version 2, next_addr, next_mode S.
    assert hmp(c, 'xp /4xg 0x1028') == (
        '0000000000001028: 0x000000004942534f 0x0000000000000002\n'
        '0000000000001038: 0x0000000080200000 0x0000000000000001\n')
    # The firmware runs (hello is a fine "firmware") and powers off.
    c.ok('cont')
    assert c.event('SHUTDOWN')['data']['reason'] == 'guest-shutdown'
    c.wait_eof()
    assert q.wait() == 0


# ---- OpenSBI's view of the hart ----------------------------------------------

FW_JUMP = '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf'
UBOOT = '/usr/lib/u-boot/qemu-riscv64_smode/uboot.elf'


@pytest.mark.skipif(not (os.path.exists(FW_JUMP) and os.path.exists(UBOOT)),
                    reason="Debian's opensbi and u-boot-qemu are not installed")
def test_opensbi_sees_the_hart_qemu_has(start, serial, tmp_path):
    """Debian's OpenSBI probes the hart (extensions, hpm counters, PMP,
    delegation) and prints what it found; QEMU 7.2 -cpu rv64,h=off gives
    these lines (its base ISA has F and D once qcore has them)."""
    q = start(['-M', 'virt', '-smp', '2', '-m', '256M', '-bios', FW_JUMP,
               '-kernel', UBOOT] + serial.arg(), base=('-display', 'none'))
    serial.accept()
    text = serial.expect(b'Boot HART MEDELEG').decode(errors='replace')
    text += serial.expect(b'\n').decode(errors='replace')
    lines = dict(re.findall(r'^(Boot HART [^:]*?)\s*: (.*?)\r?$', text, re.M))
    base_isa = 'rv64imafdc' if has_fd(tmp_path) else 'rv64imac'
    assert lines['Boot HART Base ISA'] == base_isa
    assert lines['Boot HART ISA Extensions'] == 'time,sstc'
    assert lines['Boot HART Priv Version'] == 'v1.12'
    assert lines['Boot HART MHPM Count'] == '16'
    assert lines['Boot HART PMP Count'] == '16'
    assert lines['Boot HART PMP Granularity'] == '4'
    assert lines['Boot HART PMP Address Bits'] == '54'
    assert lines['Boot HART MIDELEG'] == '0x0000000000000222'
    assert lines['Boot HART MEDELEG'] == '0x000000000000b109'
    q.ctl.ok('quit')
