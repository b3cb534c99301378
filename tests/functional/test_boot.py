"""How the virt board boots, as QEMU 7.2's does: the device tree it builds
(node and property order, phandles, /chosen, the goldfish RTC, the PLIC's
riscv,ndev), where it puts the tree (a1) and OpenSBI's fw_dynamic_info
(a2) as tests/guest/boot.c sees them, -kernel with a Linux Image,
-initrd, -append and -dtb, the goldfish RTC read by a guest, and
Debian's OpenSBI (fw_dynamic, the default -bios) starting U-Boot.

The trees are read with tests/functional/fdt.py, not dtc.  Where
qemu-system-riscv64 is installed, one more test compares the two trees
node by node; nothing else needs QEMU.
"""
import os
import re
import shutil
import struct
import subprocess
import time

import pytest

import fdt
from conftest import QCORE, TIMEOUT, qcore_run
from test_virt import elf, guests, serial  # noqa: F401 (fixtures)

OPENSBI = '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin'
UBOOT = '/usr/lib/u-boot/qemu-riscv64_smode/uboot.elf'
QEMU = shutil.which('qemu-system-riscv64')
MiB = 1 << 20

# What QEMU 7.2 writes for -smp 2 -m 256M -kernel K -initrd I -append A,
# in blob order, without the nodes of devices qcore does not have (fw-cfg,
# flash, platform-bus, pci).
QEMU_TREE = [
    ('/', ['#address-cells', '#size-cells', 'compatible', 'model']),
    ('/pmu', ['riscv,event-to-mhpmcounters', 'compatible']),
    ('/chosen', ['linux,initrd-end', 'linux,initrd-start', 'rng-seed',
                 'bootargs', 'stdout-path']),
    ('/poweroff', ['value', 'offset', 'regmap', 'compatible']),
    ('/reboot', ['value', 'offset', 'regmap', 'compatible']),
    ('/memory@80000000', ['device_type', 'reg']),
    ('/cpus', ['#address-cells', '#size-cells', 'timebase-frequency']),
    ('/cpus/cpu@0', ['phandle', 'device_type', 'reg', 'status',
                     'compatible', 'riscv,isa', 'mmu-type']),
    ('/cpus/cpu@0/interrupt-controller', ['#interrupt-cells',
                                          'interrupt-controller',
                                          'compatible', 'phandle']),
    ('/cpus/cpu@1', ['phandle', 'device_type', 'reg', 'status',
                     'compatible', 'riscv,isa', 'mmu-type']),
    ('/cpus/cpu@1/interrupt-controller', ['#interrupt-cells',
                                          'interrupt-controller',
                                          'compatible', 'phandle']),
    ('/cpus/cpu-map', []),
    ('/cpus/cpu-map/cluster0', []),
    ('/cpus/cpu-map/cluster0/core0', ['cpu']),
    ('/cpus/cpu-map/cluster0/core1', ['cpu']),
    ('/soc', ['#address-cells', '#size-cells', 'compatible', 'ranges']),
    ('/soc/rtc@101000', ['interrupts', 'interrupt-parent', 'reg',
                         'compatible']),
    ('/soc/serial@10000000', ['interrupts', 'interrupt-parent',
                              'clock-frequency', 'reg', 'compatible']),
    ('/soc/test@100000', ['phandle', 'reg', 'compatible']),
] + [
    ('/soc/virtio_mmio@%x' % (0x10008000 - 0x1000 * i),
     ['interrupts', 'interrupt-parent', 'reg', 'compatible'])
    for i in range(8)
] + [
    ('/soc/plic@c000000', ['phandle', 'riscv,ndev', 'reg',
                           'interrupts-extended', 'interrupt-controller',
                           'compatible', '#address-cells',
                           '#interrupt-cells']),
    ('/soc/clint@2000000', ['interrupts-extended', 'reg', 'compatible']),
]
QEMU_ONLY = ('/fw-cfg@', '/flash@', '/platform-bus@', '/soc/pci@')


def dump(tmp_path, args, name='virt.dtb'):
    path = tmp_path / name
    r = qcore_run(['-M', 'virt,dumpdtb=%s' % path] + args)
    assert r.returncode == 0, r.stderr
    return fdt.read(str(path))


def linux_args(tmp_path):
    kernel = tmp_path / 'kernel.bin'
    kernel.write_bytes(b'x' * 100)
    initrd = tmp_path / 'initrd'
    initrd.write_bytes(os.urandom(4096))
    return ['-smp', '2', '-m', '256M', '-bios', 'none', '-kernel',
            str(kernel), '-initrd', str(initrd), '-append',
            'console=ttyS0 quiet']


# ---- the device tree -------------------------------------------------------

def test_device_tree_has_qemus_nodes_properties_and_phandles(tmp_path):
    t = dump(tmp_path, linux_args(tmp_path))
    assert [(p, list(n.props)) for p, n in t.items()] == QEMU_TREE

    # Phandles as QEMU numbers them: the harts last to first, each with
    # its interrupt controller, then the PLIC, then the finisher.
    cpu0, cpu1 = t['/cpus/cpu@0'], t['/cpus/cpu@1']
    assert [cpu1.u32('phandle'),
            t['/cpus/cpu@1/interrupt-controller'].u32('phandle'),
            cpu0.u32('phandle'),
            t['/cpus/cpu@0/interrupt-controller'].u32('phandle'),
            t['/soc/plic@c000000'].u32('phandle'),
            t['/soc/test@100000'].u32('phandle')] == [1, 2, 3, 4, 5, 6]
    assert t['/cpus/cpu-map/cluster0/core0'].u32('cpu') == 3
    assert t['/poweroff'].u32('regmap') == 6
    assert (t['/poweroff'].u32('value'), t['/reboot'].u32('value')) == \
        (0x5555, 0x7777)

    plic = t['/soc/plic@c000000']
    assert plic.u32('riscv,ndev') == 0x60
    assert plic.u32s('interrupts-extended') == [4, 11, 4, 9, 2, 11, 2, 9]
    assert t['/soc/clint@2000000'].u32s('interrupts-extended') == \
        [4, 3, 4, 7, 2, 3, 2, 7]

    rtc = t['/soc/rtc@101000']
    assert rtc.str('compatible') == 'google,goldfish-rtc'
    assert rtc.u32s('reg') == [0, 0x101000, 0, 0x1000]
    assert rtc.u32('interrupts') == 11
    assert rtc.u32('interrupt-parent') == 5
    assert t['/soc/serial@10000000'].u32('interrupts') == 10
    assert t['/memory@80000000'].u32s('reg') == [0, 0x80000000, 0, 256 * MiB]

    chosen = t['/chosen']
    assert chosen.str('stdout-path') == '/soc/serial@10000000'
    assert chosen.str('bootargs') == 'console=ttyS0 quiet'
    # QEMU 7.2: at 128 MiB above the kernel (half of RAM if that is less),
    # as 32-bit cells.
    assert chosen.u32('linux,initrd-start') == 0x88000000
    assert chosen.u32('linux,initrd-end') == 0x88000000 + 4096


def test_rng_seed_is_fresh_on_every_boot(tmp_path):
    seeds = [dump(tmp_path, [], 'a.dtb')['/chosen'].props['rng-seed'],
             dump(tmp_path, [], 'b.dtb')['/chosen'].props['rng-seed']]
    assert [len(s) for s in seeds] == [32, 32]
    assert seeds[0] != seeds[1]


def test_rng_seed_is_fresh_after_a_system_reset(start, tmp_path):
    """QEMU 7.2 re-randomizes the seed in guest memory on every reset;
    the rest of the tree is written back as it was."""
    c = start(['-M', 'virt', '-bios', 'none', '-S'],
              base=('-display', 'none', '-serial', 'null')).qmp()
    trees = []
    for i in range(3):
        path = tmp_path / ('mem%d' % i)
        assert c.ok('pmemsave', val=0x87e00000, size=16384,
                    filename=str(path)) == {}
        trees.append(fdt.read(str(path)))
        assert c.ok('system_reset') == {}
        c.event('RESET')
    seeds = [t['/chosen'].props.pop('rng-seed') for t in trees]
    assert len(set(seeds)) == 3 and all(len(s) == 32 for s in seeds)
    assert [(n.path, n.props) for n in trees[0].values()] == \
        [(n.path, n.props) for n in trees[2].values()]


@pytest.mark.skipif(not QEMU, reason='qemu-system-riscv64 not installed')
def test_device_tree_matches_qemu_7_2(tmp_path):
    """Node by node against QEMU's own dump with the same options,
    leaving out the devices qcore does not have, the random seed, and
    the ISA string while F and D are off (docs/cpu.md)."""
    args = linux_args(tmp_path)
    path = tmp_path / 'qemu.dtb'
    r = subprocess.run([QEMU, '-M', 'virt,dumpdtb=%s' % path, '-cpu',
                        'rv64,h=off', '-display', 'none'] + args,
                       capture_output=True, timeout=TIMEOUT)
    assert r.returncode == 0, r.stderr
    theirs = fdt.read(str(path))
    ours = dump(tmp_path, args)

    def comparable(tree):
        out = []
        for p, n in tree.items():
            if p.startswith(QEMU_ONLY):
                continue
            props = dict(n.props)
            for name in ('rng-seed', 'riscv,isa'):
                if name in props:
                    props[name] = None
            out.append((p, list(props.items())))
        return out
    assert comparable(ours) == comparable(theirs)


def test_initrd_goes_below_half_of_a_small_ram(guests, tmp_path):
    initrd = tmp_path / 'initrd'
    initrd.write_bytes(b'\x5a' * 100)
    t = dump(tmp_path, ['-m', '128M', '-bios', 'none', '-kernel',
                        elf('boot'), '-initrd', str(initrd)])
    assert t['/chosen'].u32('linux,initrd-start') == 0x84000000
    assert t['/chosen'].u32('linux,initrd-end') == 0x84000000 + 100


def test_initrd_bytes_are_in_guest_memory(guests, start, tmp_path):
    from test_virt import hmp
    initrd = tmp_path / 'initrd'
    initrd.write_bytes(bytes([1, 2, 3, 4]) * 8)
    q = start(['-M', 'virt', '-m', '256M', '-bios', 'none', '-kernel',
               elf('boot'), '-initrd', str(initrd), '-S'],
              base=('-display', 'none', '-serial', 'null'))
    c = q.qmp()
    assert hmp(c, 'xp /4xb 0x88000000') == \
        '0000000088000000: 0x01 0x02 0x03 0x04\n'


# ---- what the first instruction sees -----------------------------------------

def boot_output(args):
    r = qcore_run(['-M', 'virt', '-nographic'] + args)
    assert r.returncode == 0, r.stderr
    return r.stdout.decode()


def field(out, name):
    m = re.search(r'^boot: .*\b%s (0x[0-9a-f]+|\d+)' % re.escape(name), out,
                  re.M)
    assert m, (name, out)
    return int(m.group(1), 0)


@pytest.mark.parametrize('mem,fdt_addr', [
    ('128M', 0x87e00000), ('512M', 0x9fe00000), ('2G', 0xbfe00000),
    ('4G', 0xbfe00000)])
def test_registers_device_tree_address_and_fw_dynamic_info(guests, mem,
                                                           fdt_addr):
    """QEMU's riscv_compute_fdt_addr: 1 MiB (the tree's buffer) below the
    top of RAM or 3 GiB, 2 MiB aligned; a2 -> fw_dynamic_info after the
    reset vector.  The same numbers as QEMU 7.2 prints for this program."""
    out = boot_output(['-m', mem, '-smp', '2', '-bios', 'none', '-kernel',
                       elf('boot')])
    assert field(out, 'a0') == 0
    assert field(out, 'a1') == fdt_addr
    assert field(out, 'a2') == 0x1028
    assert field(out, 'magic') == 0xd00dfeed
    info = [field(out, 'fw_dynamic_info[%d]' % i) for i in range(6)]
    # magic "OSBI", version 2, next_addr: the kernel's lowest address,
    # next_mode S, options 0, boot_hart 0.
    assert info == [0x4942534f, 2, 0x80000000, 1, 0, 0]


def image(tmp_path, payload, image_size=4 * MiB):
    """A Linux RISC-V Image: the 64-byte header (code0 jumps over it),
    then @payload, linked to run 64 bytes after the load address."""
    header = struct.pack('<IIQQQIIQ8sII', 0x0400006f, 0, 0x200000,
                         image_size, 0, 2, 0, 0, b'RISCV\0\0\0',
                         0x05435352, 0)
    assert len(header) == 64
    path = tmp_path / 'Image'
    with open(payload, 'rb') as f:
        path.write_bytes(header + f.read())
    return str(path)


def test_linux_image_kernel(guests, tmp_path):
    """-bios none puts the Image where QEMU does, at the start of RAM;
    its header jumps to the program behind it."""
    payload = os.path.join(os.path.dirname(elf('boot')), 'boot-image.bin')
    out = boot_output(['-bios', 'none', '-kernel',
                       image(tmp_path, payload)])
    assert field(out, '_start') == 0x80000040
    assert field(out, 'fw_dynamic_info[2]') == 0x80000000


def test_linux_image_larger_than_ram_is_refused(guests, tmp_path):
    payload = os.path.join(os.path.dirname(elf('boot')), 'boot-image.bin')
    r = qcore_run(['-M', 'virt', '-m', '64M', '-bios', 'none',
                   '-display', 'none', '-kernel',
                   image(tmp_path, payload, image_size=65 * MiB)])
    assert r.returncode == 1
    assert b"could not load kernel '" in r.stderr
    assert b'past the end of RAM' in r.stderr


def test_guest_reads_the_time_from_the_goldfish_rtc(guests):
    before = int(time.time())
    out = boot_output(['-bios', 'none', '-kernel', elf('boot')])
    after = int(time.time())
    # Whole seconds of the host's UTC time at reset, then running with it.
    assert before - 1 <= field(out, 'rtc seconds') <= after


def test_dtb_without_chosen_is_refused(tmp_path):
    path = tmp_path / 'bare.dtb'
    path.write_bytes(fdt.minimal())
    assert fdt.read(str(path))['/'].str('model') == 'x'
    r = qcore_run(['-M', 'virt', '-display', 'none', '-dtb', str(path)])
    assert r.returncode == 1
    assert b"Couldn't find node /chosen: FDT_ERR_NOTFOUND" in r.stderr


def test_dtb_replaces_the_tree(guests, tmp_path):
    """-dtb FILE is used as is (here: a 3-hart tree on a 1-hart board),
    with bootargs and a fresh rng-seed put into its /chosen."""
    own = tmp_path / 'own.dtb'
    assert qcore_run(['-M', 'virt,dumpdtb=%s' % own, '-smp', '3',
                      '-m', '64M']).returncode == 0
    t = dump(tmp_path, ['-dtb', str(own), '-bios', 'none', '-kernel',
                        elf('boot'), '-append', 'hello'])
    assert '/cpus/cpu@2' in t
    assert t['/memory@80000000'].u32s('reg') == [0, 0x80000000, 0, 64 * MiB]
    assert t['/chosen'].str('bootargs') == 'hello'
    assert t['/chosen'].props['rng-seed'] != \
        fdt.read(str(own))['/chosen'].props['rng-seed']
    # It is what the guest gets: (file + 10000) * 2 below the top of RAM.
    out = boot_output(['-dtb', str(own), '-bios', 'none', '-kernel',
                       elf('boot')])
    assert field(out, 'a1') == 0x87e00000
    assert field(out, 'magic') == 0xd00dfeed


# ---- OpenSBI by default ------------------------------------------------------

@pytest.mark.skipif(not (os.path.exists(OPENSBI) and os.path.exists(UBOOT)),
                    reason='Debian opensbi and u-boot-qemu not installed')
def test_opensbi_by_default_starts_u_boot(start, serial):
    """No -bios: Debian's fw_dynamic.bin at 0x80000000, handing over to
    the kernel at the next 2 MiB boundary in S-mode with the tree from a1
    (the lines QEMU 7.2's boot prints), then U-Boot to its prompt."""
    q = start(['-M', 'virt', '-smp', '4', '-m', '512M', '-kernel', UBOOT] +
              serial.arg(), base=('-display', 'none'))
    serial.accept()
    serial.expect(b'OpenSBI v')
    out = serial.expect(b'Boot HART ID')
    assert re.search(rb'Firmware Base +: 0x80000000\r?\n', out), out
    assert re.search(rb'Domain0 Next Address +: 0x0000000080200000', out)
    assert re.search(rb'Domain0 Next Arg1 +: 0x000000009fe00000', out)
    assert re.search(rb'Domain0 Next Mode +: S-mode', out)
    serial.expect(b'Hit any key to stop autoboot')
    serial.term.write(b'\r')
    serial.expect(b'=> ')
    # U-Boot reads the tree OpenSBI passed on: the RTC is in it.
    serial.term.write(b'fdt addr $fdtcontroladdr; fdt print /soc/rtc@101000\r')
    serial.expect(b'google,goldfish-rtc')
    serial.expect(b'=> ')
    q.qmp().ok('quit')


@pytest.mark.skipif(not os.path.exists(OPENSBI), reason='no Debian opensbi')
def test_kernel_and_initrd_behind_opensbi(tmp_path):
    """With the default firmware a raw kernel (or Image) goes to 0x80200000
    and the initrd 128 MiB above it, as QEMU 7.2 places them."""
    kernel = tmp_path / 'kernel.bin'
    kernel.write_bytes(bytes(64))
    initrd = tmp_path / 'initrd'
    initrd.write_bytes(bytes(10))
    t = dump(tmp_path, ['-m', '512M', '-kernel', str(kernel), '-initrd',
                        str(initrd)])
    assert t['/chosen'].u32('linux,initrd-start') == 0x88200000
    assert t['/chosen'].u32('linux,initrd-end') == 0x88200000 + 10


def riscv_elf(segments):
    """An ELF64 RISC-V executable with PT_LOAD @segments [(paddr, data)]."""
    phoff, phsize = 64, 56
    data_off = phoff + phsize * len(segments)
    ehdr = struct.pack('<4sBBBBB7sHHIQQQIHHHHHH', b'\x7fELF', 2, 1, 1, 0, 0,
                       bytes(7), 2, 243, 1, segments[0][0], phoff, 0, 0, 64,
                       phsize, len(segments), 64, 0, 0)
    phdrs, blobs = b'', b''
    for paddr, data in segments:
        phdrs += struct.pack('<IIQQQQQQ', 1, 7, data_off + len(blobs), paddr,
                             paddr, len(data), len(data), 4)
        blobs += data
    return ehdr + phdrs + blobs


def test_elf_with_overlapping_segments_is_refused(tmp_path):
    bad = tmp_path / 'bad.elf'
    bad.write_bytes(riscv_elf([(0x80001000, bytes(0x100)),
                               (0x80000000, bytes(0x2000))]))
    r = qcore_run(['-M', 'virt', '-bios', 'none', '-display', 'none',
                   '-kernel', str(bad)])
    assert r.returncode == 1
    assert b'Some ROM regions are overlapping' in r.stderr
    assert b'segments 1 and 0 overlap' in r.stderr
    # The same segments side by side load, and the guest starts.
    good = tmp_path / 'good.elf'
    good.write_bytes(riscv_elf([(0x80001000, bytes(0x100)),
                                (0x80000000, bytes(0x1000))]))
    r = qcore_run(['-M', 'virt,dumpdtb=%s' % (tmp_path / 'x.dtb'),
                   '-bios', 'none', '-display', 'none', '-kernel', str(good)])
    assert r.returncode == 0, r.stderr


def test_missing_opensbi_gives_qemus_error(tmp_path):
    """Without Debian's opensbi (hidden by empty directories mounted over
    it in a private mount namespace: needs root, else skipped) the
    default -bios fails as QEMU's does; -bios none still boots."""
    empty = tmp_path / 'empty'
    empty.mkdir()
    hide = ' && '.join('mount --bind %s %s' % (empty, d) for d in
                       [os.path.dirname(OPENSBI), '/usr/share/qemu']
                       if os.path.isdir(d))
    probe = subprocess.run(['unshare', '-m', 'sh', '-c', hide or 'true'],
                           capture_output=True, timeout=TIMEOUT)
    if probe.returncode != 0:
        pytest.skip('cannot hide OpenSBI: %s' % probe.stderr.decode())
    script = '%s && "$@"' % hide if hide else '"$@"'

    def run(*args):
        return subprocess.run(['unshare', '-m', 'sh', '-c', script, 'sh',
                               QCORE, '-M', 'virt', '-display', 'none'] +
                              list(args), capture_output=True,
                              timeout=TIMEOUT)
    r = run()
    assert r.returncode == 1
    assert r.stderr.startswith(b'qcore: Unable to load the RISC-V firmware '
                               b'"opensbi-riscv64-generic-fw_dynamic.bin"\n')
    r = run('-M', 'virt,dumpdtb=%s' % (tmp_path / 'x.dtb'), '-bios', 'none')
    assert r.returncode == 0, r.stderr


# ---- errors, worded as QEMU's ------------------------------------------------

@pytest.mark.parametrize('args,message', [
    (['-bios', '/nonexistent.bin'],
     'Unable to load the RISC-V firmware "/nonexistent.bin"'),
    (['-append', 'quiet'], '-append only allowed with -kernel option'),
    (['-initrd', '/etc/hostname'],
     '-initrd only allowed with -kernel option'),
    (['-bios', 'none', '-kernel', 'GUEST:boot', '-initrd',
      '/nonexistent'], "could not load ramdisk '/nonexistent'"),
    (['-kernel', 'GUEST:boot'], 'Some ROM regions are overlapping'),
    (['-dtb', '/nonexistent.dtb'],
     "Unable to get size of device tree file '/nonexistent.dtb'"),
    (['-dtb', '/etc/hostname'], 'Unable to copy device tree into memory'),
    (['-bios', 'none', '-kernel', '/dev/zero'],
     "could not load '/dev/zero': not a regular file"),
    (['-bios', 'none', '-kernel', 'GUEST:boot', '-initrd', '/dev/zero'],
     "could not load ramdisk '/dev/zero'"),
    (['-dtb', '/dev/zero'],
     "Unable to get size of device tree file '/dev/zero'"),
], ids=['missing-bios', 'append-without-kernel', 'initrd-without-kernel',
        'missing-initrd', 'kernel-over-opensbi', 'missing-dtb', 'bad-dtb',
        'endless-kernel', 'endless-initrd', 'endless-dtb'])
def test_boot_errors_exit_1(guests, args, message):
    if 'GUEST:boot' in args and not os.path.exists(OPENSBI) and \
            '-bios' not in args:
        pytest.skip('no OpenSBI to overlap')
    args = [elf(a[6:]) if a.startswith('GUEST:') else a for a in args]
    r = qcore_run(['-M', 'virt', '-display', 'none'] + args)
    assert r.returncode == 1, r.stderr
    assert message in r.stderr.decode(), r.stderr


def test_image_larger_than_ram_is_refused_before_reading_it(tmp_path):
    """A sparse 4 GiB file: refused from its size (reading it first would
    take 4 GiB of memory)."""
    big = tmp_path / 'big.img'
    with open(big, 'wb') as f:
        f.truncate(4 << 30)
    r = qcore_run(['-M', 'virt', '-m', '64M', '-bios', 'none', '-display',
                   'none', '-kernel', str(big)])
    assert r.returncode == 1
    assert b'(4294967296 bytes) does not fit in guest RAM at 0x80000000' \
        in r.stderr
