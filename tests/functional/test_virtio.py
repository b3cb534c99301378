"""virtio on the virt board (docs/virtio.md): the eight virtio-mmio slots
in the device tree as QEMU 7.2 writes them, -device/-global on the command
line as QEMU's, and the Linux guest of tests/linux using virtio-rng
(/dev/hwrng, legacy and modern transports, main loop and IOThread,
rng-builtin and rng-random) and virtio-serial (a shell on the virtio
console over a socket chardev, a named virtserialport both ways).

The test kernel has CONFIG_HVC_RISCV_SBI, whose SBI console takes hvc0
(on QEMU 7.2 too); the virtio console port is therefore hvc1.
"""
import os
import re
import shutil
import socket
import subprocess
import tty

import pytest

import fdt
from conftest import QCORE, TIMEOUT, qcore_run, wait_readable
import test_linux
from test_linux import Console, linux_args

QEMU = shutil.which('qemu-system-riscv64')
needs_linux = test_linux.pytestmark


@pytest.fixture
def guest(start):
    """guest(extra) -> (Qcore, Console, QMP client), booted to the shell."""
    def _start(extra=()):
        q = start(linux_args() + ['-S'] + list(extra), base=(), pty=True)
        c = q.qmp()
        c.ok('cont')
        con = Console(q, c)
        con.boot()
        return q, con, c
    return _start


# ---- Without a guest ---------------------------------------------------

def virtio_nodes(path):
    nodes = fdt.read(path)
    soc = nodes['/soc']
    return [(n.path, n.props) for n in soc.children
            if n.path.startswith('/soc/virtio_mmio@')]


def test_device_tree_has_eight_slots_as_qemu(tmp_path):
    dtb = tmp_path / 'qcore.dtb'
    r = qcore_run(['-M', 'virt,dumpdtb=%s' % dtb,
                   '-device', 'virtio-rng-device'])
    assert r.returncode == 0, r.stderr
    ours = virtio_nodes(dtb)
    assert [p for p, _ in ours] == ['/soc/virtio_mmio@%x' % (0x10008000 - i *
                                                            0x1000)
                                    for i in range(8)]
    for path, props in ours:
        n = fdt.Node(path)
        n.props = props
        base = int(path.split('@')[1], 16)
        assert n.str('compatible') == 'virtio,mmio'
        assert n.u32s('reg') == [0, base, 0, 0x1000]
        assert n.u32('interrupts') == (base - 0x10001000) // 0x1000 + 1
    if QEMU:
        theirs = tmp_path / 'qemu.dtb'
        r = subprocess.run([QEMU, '-M', 'virt,dumpdtb=%s' % theirs,
                            '-device', 'virtio-rng-device'],
                           capture_output=True, timeout=TIMEOUT)
        assert r.returncode == 0, r.stderr
        assert virtio_nodes(theirs) == ours


def test_device_help_lists_virtio_devices_as_qemu():
    r = qcore_run(['-M', 'virt', '-device', 'help'], text=True)
    assert r.returncode == 0
    out = r.stdout
    # QEMU's category and order (docs/ui.md for the virtio-input ones).
    assert 'Input devices:\nname "virtconsole", bus virtio-serial-bus\n' \
           'name "virtio-keyboard-device", bus virtio-bus\n' \
           'name "virtio-mouse-device", bus virtio-bus\n' \
           'name "virtio-serial-device", bus virtio-bus\n' \
           'name "virtio-tablet-device", bus virtio-bus\n' \
           'name "virtserialport", bus virtio-serial-bus\n' in out
    assert 'name "virtio-rng-device", bus virtio-bus\n' in out
    r = qcore_run(['-device', 'virtconsole,help'], text=True)
    assert r.returncode == 0
    assert r.stdout == (
        'virtconsole options:\n'
        '  chardev=<str>          - ID of a chardev to use as a backend\n'
        '  name=<str>\n'
        '  nr=<uint32>            -  (default: 4294967295)\n')
    r = qcore_run(['-device', 'virtio-rng-device,help'], text=True)
    assert r.returncode == 0
    for line in ['  event_idx=<bool>       - on/off (default: true)',
                 '  indirect_desc=<bool>   - on/off (default: true)',
                 '  max-bytes=<uint64>     -  (default: 9223372036854775807)',
                 '  period=<uint32>        -  (default: 65536)',
                 '  rng=<link<rng-backend>>']:
        assert line + '\n' in r.stdout
    # The disk's and the card's backend properties, QEMU 7.2's lines.
    for dev, lines in [
            ('virtio-blk-device', [
                '  drive=<str>            - Node name or ID of a block '
                'device to use as a backend',
                '  iothread=<link<iothread>>',
                '  serial=<str>']),
            ('virtio-net-device', [
                '  mac=<str>              - Ethernet 6-byte MAC Address, '
                'example: 52:54:00:12:34:56',
                '  netdev=<str>           - ID of a netdev to use as a '
                'backend',
                '  mrg_rxbuf=<bool>       - on/off (default: true)'])]:
        r = qcore_run(['-device', dev + ',help'], text=True)
        assert r.returncode == 0 and r.stdout.startswith(dev + ' options:\n')
        for line in lines:
            assert line + '\n' in r.stdout, (dev, line)


@pytest.mark.parametrize('args, message', [
    (['-M', 'none', '-device', 'virtio-rng-device'],
     "-device virtio-rng-device: No 'virtio-bus' bus found for device "
     "'virtio-rng-device'"),
    (['-M', 'virt', '-device', 'virtconsole'],
     "-device virtconsole: No 'virtio-serial-bus' bus found for device "
     "'virtconsole'"),
    (['-M', 'virt', '-device', 'virtio-rng-device,foo=1'],
     "-device virtio-rng-device,foo=1: Property 'virtio-rng-device.foo' "
     "not found"),
    (['-M', 'virt', '-device', 'virtio-rng-device,rng=nope'],
     "-device virtio-rng-device,rng=nope: Device 'nope' not found"),
    (['-M', 'virt', '-object', 'rng-random,id=r,filename=/nonexistent'],
     "Could not open '/nonexistent': No such file or directory"),
    (['-M', 'virt', '-device', 'virtio-serial-device',
      '-device', 'virtserialport,nr=0'],
     "-device virtserialport,nr=0: Port number 0 on virtio-serial devices "
     "reserved for virtconsole devices for backward compatibility."),
    (['-M', 'virt'] + ['-device', 'virtio-rng-device'] * 9,
     "No 'virtio-bus' bus found for device 'virtio-rng-device'"),
])
def test_device_errors_exit_1_with_qemus_message(args, message):
    r = qcore_run(args + ['-display', 'none'], text=True)
    assert r.returncode == 1
    assert message in r.stderr, r.stderr
    if QEMU:
        r = subprocess.run([QEMU] + args + ['-display', 'none'],
                           capture_output=True, text=True, timeout=TIMEOUT)
        assert r.returncode == 1
        assert message in r.stderr, r.stderr


def test_devices_are_in_the_qom_tree(start):
    q = start(['-device', 'virtio-rng-device', '-device',
               'virtio-serial-device,id=ser0', '-chardev', 'null,id=n0',
               '-device', 'virtconsole,chardev=n0,id=con0', '-S'],
              base=('-M', 'virt', '-display', 'none'))
    c = q.qmp()
    anon = c.ok('qom-list', path='/machine/peripheral-anon')
    assert {'name': 'device[0]', 'type': 'child<virtio-rng-device>'} in anon
    names = {p['name'] for p in c.ok('qom-list',
                                      path='/machine/peripheral/ser0')}
    assert {'realized', 'max_ports', 'emergency-write', 'event_idx'} <= names
    assert c.ok('qom-get', path='/machine/peripheral/con0',
                property='chardev') == 'n0'
    assert c.ok('qom-get', path='/machine/peripheral-anon/device[0]',
                property='default-backend') is not None
    # The transports, as QEMU's: eight virtio-mmio objects.
    unattached = c.ok('qom-list', path='/machine/unattached')
    assert sum(p['type'] == 'child<virtio-mmio>' for p in unattached) == 8


# ---- With the Linux guest ------------------------------------------------

def hwrng_bytes(con, n=64):
    out, status = con.run('head -c %d /dev/hwrng | od -An -tx1 -v | '
                          'tr -d " \\n"; echo' % n)
    assert status == 0, out
    # The last line: a long echoed command wraps onto several.
    hexes = out.strip().splitlines()[-1]
    assert re.fullmatch(r'[0-9a-f]{%d}' % (2 * n), hexes), out
    return bytes.fromhex(hexes)


@needs_linux
@pytest.mark.parametrize('args', [
    ['-device', 'virtio-rng-device'],             # QEMU's default backend
    ['-object', 'rng-builtin,id=rb0', '-device', 'virtio-rng-device,rng=rb0'],
], ids=['default', 'rng-builtin'])
def test_virtio_rng_feeds_dev_hwrng(guest, args):
    q, con, c = guest(args)
    out, status = con.run('cat /sys/class/misc/hw_random/rng_current')
    assert out.strip() == 'virtio_rng.0'
    a, b = hwrng_bytes(con), hwrng_bytes(con)
    assert a != b and a != bytes(64)
    # Legacy by default, as QEMU: no VERSION_1 (bit 32) negotiated.
    out, _ = con.run('cat /sys/bus/virtio/devices/virtio0/features')
    assert out.strip()[32] == '0'


@needs_linux
def test_virtio_rng_modern_in_an_iothread_from_rng_random(guest):
    q, con, c = guest(['-object', 'iothread,id=io0',
                       '-object', 'rng-random,id=r0,filename=/dev/urandom',
                       '-device', 'virtio-rng-device,rng=r0,iothread=io0',
                       '-global', 'virtio-mmio.force-legacy=false'])
    out, _ = con.run('cat /sys/bus/virtio/devices/virtio0/features')
    assert out.strip()[32] == '1'
    out, _ = con.run('cat /sys/class/misc/hw_random/rng_current')
    assert out.strip() == 'virtio_rng.0'
    assert hwrng_bytes(con, 4096) != bytes(4096)
    # The guest found it in the highest slot, on PLIC source 8.
    out, _ = con.run('grep virtio0 /proc/interrupts')
    assert re.search(r'PLIC\s+8\s', out), out
    out, _ = con.run('ls /sys/bus/platform/devices/ | grep virtio_mmio')
    assert '10008000.virtio_mmio' in out


def recv_until(sock, marker, timeout=test_linux.BOOT_TIMEOUT):
    sock.settimeout(timeout)
    buf = b''
    while marker not in buf:
        d = sock.recv(4096)
        assert d, 'socket closed; got %r' % buf
        buf += d
    return buf


@needs_linux
def test_shell_on_virtio_console_over_a_socket(guest, tmpdir_short):
    path = os.path.join(tmpdir_short, 'hvc.sock')
    q, con, c = guest(['-chardev', 'socket,id=c0,path=%s,server=on,wait=off'
                       % path, '-device', 'virtio-serial-device',
                       '-device', 'virtconsole,chardev=c0'])
    out, status = con.run('ls /sys/class/virtio-ports/')
    assert out.split() == ['vport0p0']
    # A login-style shell on the virtio console (hvc1, see above).
    con.run("setsid sh -c 'exec sh -i </dev/hvc1 >/dev/hvc1 2>&1' & true")
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.sendall(b'echo hvc-$((6*7)); tty\n')
    out = recv_until(s, b'hvc-42')
    out += recv_until(s, b'/dev/hvc1')
    # Bulk output comes through whole.
    s.sendall(b'seq 1 3000 | md5sum\n')
    want = subprocess.run('seq 1 3000 | md5sum', shell=True,
                          capture_output=True).stdout.split()[0]
    recv_until(s, want)
    s.close()


@needs_linux
def test_shell_on_virtio_console_over_a_pty(guest):
    q, con, c = guest(['-chardev', 'pty,id=c0', '-device',
                       'virtio-serial-device', '-device',
                       'virtconsole,chardev=c0'])
    # Where QEMU says it is: query-chardev's "pty:/dev/pts/N".
    ptys = [ch['filename'] for ch in c.ok('query-chardev')
            if ch['label'] == 'c0']
    assert len(ptys) == 1 and ptys[0].startswith('pty:/dev/pts/'), ptys
    fd = os.open(ptys[0][4:], os.O_RDWR | os.O_NOCTTY)
    try:
        tty.setraw(fd)
        con.run("setsid sh -c 'exec sh -i </dev/hvc1 >/dev/hvc1 2>&1' & true")
        os.write(fd, b'echo pty-$((6*7)); tty\n')
        buf = b''
        while b'pty-42' not in buf or b'/dev/hvc1' not in buf:
            wait_readable([fd], test_linux.BOOT_TIMEOUT, 'the shell on hvc1')
            buf += os.read(fd, 4096)
    finally:
        os.close(fd)


@needs_linux
def test_virtio_console_output_into_a_file(guest, tmpdir_short):
    path = os.path.join(tmpdir_short, 'hvc.log')
    q, con, c = guest(['-chardev', 'file,id=c0,path=%s' % path,
                       '-device', 'virtio-serial-device',
                       '-device', 'virtconsole,chardev=c0'])
    # The write returns once the device has used the buffer, which it
    # does after handing the bytes to the chardev: the file has them.
    out, status = con.run('echo file-$((6*7)) > /dev/hvc1; seq 1 2000 '
                          '> /dev/hvc1')
    assert status == 0, out
    with open(path, 'rb') as f:
        data = f.read()
    want = b'file-42\n' + subprocess.run('seq 1 2000', shell=True,
                                          capture_output=True).stdout
    assert data.replace(b'\r\n', b'\n') == want


@needs_linux
def test_named_virtserialport_both_ways(guest, tmpdir_short):
    path = os.path.join(tmpdir_short, 'port.sock')
    q, con, c = guest(['-chardev', 'socket,id=p1,path=%s,server=on,wait=off'
                       % path, '-device', 'virtio-serial-device',
                       '-device', 'virtserialport,chardev=p1,'
                       'name=org.qcore.test'])
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    out, _ = con.run('cat /sys/class/virtio-ports/vport0p1/name')
    assert out.strip() == 'org.qcore.test'
    out, _ = con.run('ls /dev/virtio-ports/ 2>/dev/null; ls /dev/vport0p1')
    assert '/dev/vport0p1' in out
    con.run('echo from-guest > /dev/vport0p1')
    recv_until(s, b'from-guest\n')
    # Host to guest: the guest reads a line the host sends.
    con.term.write(b'head -n 1 /dev/vport0p1 > /tmp/got; '
                   b'echo "@@$?@@"\n')
    s.sendall(b'from-host\n')
    con.expect(re.compile(rb'@@0@@'))
    con.expect(test_linux.PROMPT)
    out, _ = con.run('cat /tmp/got')
    assert out.strip() == 'from-host'
    s.close()


# ---- Against QEMU 7.2, same kernel and initramfs ---------------------------

SYSFS = ('cat:/sys/class/misc/hw_random/rng_current,'
         'cat:/sys/bus/virtio/devices/virtio0/features,'
         'cat:/sys/bus/virtio/devices/virtio0/device,'
         'ls:/sys/class/virtio-ports')


def run_to_poweroff(binary, extra, qemu):
    """Boot with qcore_run=SYSFS (init runs it and powers off); the lines
    the commands printed."""
    args = [binary, '-M', 'virt', '-smp', '1', '-m', '512M', '-nographic',
            '-kernel', test_linux.IMAGE, '-initrd', test_linux.INITRD,
            '-append', 'console=ttyS0 quiet qcore_run=' + SYSFS] + extra
    if qemu:
        args += ['-cpu', 'rv64,h=off']
    r = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=test_linux.BOOT_TIMEOUT)
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode(errors='replace').replace('\r', '')
    start = out.index('qcore-linux: init ready')
    return [line for line in out[start:].split('\n')[1:]
            if line and not line.startswith(('qcore-linux:', '['))]


@needs_linux
@pytest.mark.skipif(not QEMU, reason='qemu-system-riscv64 is not installed')
@pytest.mark.parametrize('legacy', ['on', 'off'])
def test_guest_sees_the_same_devices_on_qemu(legacy):
    extra = ['-device', 'virtio-rng-device',
             '-device', 'virtio-serial-device',
             '-global', 'virtio-mmio.force-legacy=' + legacy]
    ours = run_to_poweroff(QCORE, extra, False)
    theirs = run_to_poweroff(QEMU, extra, True)
    assert ours == theirs
    assert ours[0] == 'virtio_rng.0' and ours[2] == '0x0004'
