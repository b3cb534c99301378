"""virtio-gpu-device and screendump with the Linux guest: the kernel's
virtio-gpu DRM driver and fbcon draw the console (tty1) on the device, a
screendump is read back as text by matching each 8x16 cell against the
glyphs of Debian's VGA PSF font (the kernel's built-in 8x16 font has the
same ASCII glyphs), and what the guest sees of the device is compared with
QEMU 7.2 booting the same kernel.  Device-level checks are in
tests/qtest/virtio-gpu-test.c.
"""
import os
import shutil
import struct
import subprocess
import time

import pytest

from conftest import QCORE, TIMEOUT, Term
from qmp import QMPClient
import test_linux
from test_linux import Console, linux_args
from test_vnc import GLYPHS, RFB, screen_text

QEMU = shutil.which('qemu-system-riscv64')
# virtio-gpu needs virtio 1.x: Linux's driver refuses a legacy device
# (QEMU 7.2's default virt has force-legacy=on; the same there).
GPU = ['-global', 'virtio-mmio.force-legacy=false',
       '-device', 'virtio-gpu-device,id=gpu0']
MARKER = 'qcore-gpu-marker-%d' % os.getpid()

needs_font = pytest.mark.skipif(GLYPHS is None, reason='no PSF font')


def read_ppm(path):
    """(width, height, [(r, g, b), ...]) of a binary PPM."""
    with open(path, 'rb') as f:
        data = f.read()
    n, lines = 0, 0
    while lines < 3:        # pixels may look like blanks: count newlines
        lines += data[n] == 0x0a
        n += 1
    magic, size, maxval = data[:n].split(b'\n')[:3]
    assert magic == b'P6' and maxval == b'255'
    w, h = map(int, size.split())
    px = data[n:]
    assert len(px) == w * h * 3
    return w, h, [tuple(px[i:i + 3]) for i in range(0, len(px), 3)]


def screen(c, path, **args):
    c.ok('screendump', filename=path, **args)
    return read_ppm(path)


def wait_screen_text(c, path, text, what):
    """screendump until @text is on the screen: the guest flushes fbcon's
    damage from a worker, after its write has returned.  Each try is a QMP
    round trip and a decode (no sleeping); gives up after the boot
    timeout."""
    deadline = time.monotonic() + test_linux.BOOT_TIMEOUT
    while True:
        w, h, px = screen(c, path)
        rows = screen_text(px, w)
        if any(text in r for r in rows):
            return w, h, px, rows
        assert time.monotonic() < deadline, \
            '%s: %r not on the screen: %r' % (what, text, rows)


SMP = 2


@pytest.fixture
def gpu_linux(start, tmpdir_short):
    """(Qcore, Console, QMP client) of the Linux guest with a virtio-gpu
    and a VNC server on q.vnc_path, at its shell."""
    vnc = os.path.join(tmpdir_short, 'vnc.sock')
    q = start(linux_args(SMP) + ['-S', '-vnc', 'unix:' + vnc] + GPU,
              base=(), pty=True)
    q.vnc_path = vnc
    c = q.qmp()
    c.ok('cont')
    con = Console(q, c)
    boot(con)
    return q, con, c


def boot(con):
    con.expect(b'qcore-linux: init ready on %d harts' % SMP)
    con.expect(test_linux.PROMPT)


def marker_band(w, px, rows):
    """The pixels of the text row that holds MARKER (16 pixel rows)."""
    i = next(i for i, r in enumerate(rows) if MARKER in r)
    return px[i * 16 * w:(i + 1) * 16 * w]


def test_device_shows_in_qom_and_device_help(start):
    q = start(GPU, base=('-M', 'virt', '-display', 'none', '-S'))
    c = q.qmp()
    tree = c.ok('human-monitor-command', **{'command-line': 'info qom-tree'})
    assert '/gpu0 (virtio-gpu-device)' in tree
    r = subprocess.run([QCORE, '-device', 'help'], capture_output=True,
                       text=True, timeout=TIMEOUT)
    assert 'Display devices:\nname "virtio-gpu-device", bus virtio-bus' \
        in r.stdout
    r = subprocess.run([QCORE, '-device', 'virtio-gpu-device,help'],
                       capture_output=True, text=True, timeout=TIMEOUT)
    for prop in ('xres=<uint32>', 'yres=<uint32>', 'max_outputs=<uint32>',
                 'max_hostmem=<size>', 'edid=<bool>'):
        assert prop in r.stdout, r.stdout


@pytest.mark.parametrize('args,message', [
    (['-device', 'virtio-gpu-device,max_outputs=17'],
     'invalid max_outputs > 16'),
    (['-device', 'virtio-gpu-device,max_hostmem=lots'],
     "Parameter 'max_hostmem' expects size"),
])
def test_device_errors_as_qemu(args, message):
    for binary in [QCORE] + ([QEMU] if QEMU else []):
        r = subprocess.run([binary, '-M', 'virt', '-display', 'none'] + args,
                           stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=60)
        assert r.returncode == 1, (binary, r.stderr)
        assert message in r.stderr, (binary, r.stderr)


def test_hmp_screendump_of_a_text_console(start, tmpdir_short):
    """Console 0 is the HMP monitor's vc: its banner is in the PPM; the
    PNG has the same size."""
    q = start(['-monitor', 'vc:80Cx24C'])
    c = q.qmp()
    ppm = os.path.join(tmpdir_short, 's.ppm')
    png = os.path.join(tmpdir_short, 's.png')
    hmp = c.ok('human-monitor-command',
               **{'command-line': 'screendump %s' % ppm})
    assert hmp == ''
    w, h, px = read_ppm(ppm)
    assert (w, h) == (640, 384)             # vc:80Cx24C of 8x16 cells
    if GLYPHS is not None:
        assert "monitor - type 'help' for more information" in \
            '\n'.join(screen_text(px, w))
    c.ok('human-monitor-command',
         **{'command-line': 'screendump %s -f png' % png})
    with open(png, 'rb') as f:
        head = f.read(24)
    assert head[:8] == b'\x89PNG\r\n\x1a\n'
    assert int.from_bytes(head[16:20], 'big') == 640
    assert int.from_bytes(head[20:24], 'big') == 384
    out = c.ok('human-monitor-command',
               **{'command-line': 'screendump %s -f gif' % ppm})
    assert out == 'Error: invalid parameter value: gif\r\n'
    out = c.ok('human-monitor-command',
               **{'command-line': 'screendump %s nodev' % ppm})
    assert out == "Error: Device 'nodev' not found\r\n"


def test_screendump_without_a_console(start, tmpdir_short):
    c = start().qmp()
    r = c.cmd('screendump', filename=os.path.join(tmpdir_short, 'x.ppm'))
    assert r['error'] == {'class': 'GenericError', 'desc':
                          'There is no console to take a screendump from.'}


@needs_font
def test_fbcon_draws_tty1_on_virtio_gpu(gpu_linux, tmpdir_short):
    q, con, c = gpu_linux
    # (Commands short enough not to wrap on the 80-column serial tty.)
    fb0 = '/sys/class/graphics/fb0/'
    out, status = con.run('cat %svirtual_size' % fb0)
    assert status == 0 and out.split() == ['1280,800'], out
    out, status = con.run('cat %sbits_per_pixel' % fb0)
    assert status == 0 and out.split() == ['32'], out
    out, status = con.run('echo %s > /dev/tty1' % MARKER)
    assert status == 0
    path = os.path.join(tmpdir_short, 'gpu.ppm')
    w, h, px, rows = wait_screen_text(c, path, MARKER, 'qcore')
    assert (w, h) == (1280, 800)
    # The same through the device's id and head 0.
    w2, h2, px2 = screen(c, path, device='gpu0', head=0, format='ppm')
    assert (w2, h2) == (w, h)
    assert MARKER in '\n'.join(screen_text(px2, w2))
    assert os.path.getsize(path) == len('P6\n1280 800\n255\n') + w * h * 3
    # A VNC client sees the same screen (the console is the device's).
    v = RFB(q.vnc_path).handshake()
    v.set_encodings([0, -223])
    v.request(incremental=False)
    v.read_update()
    assert (v.width, v.height) == (1280, 800)
    v.wait_text(lambda rows: any(MARKER in r for r in rows), MARKER)
    v.close()


@needs_font
def test_guest_sees_qemus_virtio_gpu(gpu_linux, tmpdir_short):
    """The same kernel on QEMU 7.2 and on qcore: the device's features,
    the preferred mode from the EDID, the framebuffer's size; and the row
    of the screen that shows the marker echoed to tty1 is the same,
    pixel for pixel."""
    if not QEMU:
        pytest.skip('qemu-system-riscv64 is not installed')
    # Each short enough not to wrap on the 80-column serial tty.
    checks = ('cat /sys/bus/virtio/devices/virtio0/features',
              'cat /sys/class/graphics/fb0/virtual_size',
              'head -n1 /sys/class/drm/card0-Virtual-1/modes')
    blink = 'echo 0 > /sys/class/graphics/fbcon/cursor_blink'
    bands, outs = [], []

    q, con, c = gpu_linux
    outs.append([con.run(cmd) for cmd in checks])
    con.run(blink)
    con.run('echo %s > /dev/tty1' % MARKER)
    path = os.path.join(tmpdir_short, 'qcore.ppm')
    w, h, px, rows = wait_screen_text(c, path, MARKER, 'qcore')
    bands.append(marker_band(w, px, rows))

    sock = os.path.join(tmpdir_short, 'qemu-qmp.sock')
    master, slave = os.openpty()
    proc = subprocess.Popen(
        [QEMU] + linux_args(SMP) + GPU +
        ['-cpu', 'rv64,h=off', '-qmp', 'unix:%s,server=on,wait=off' % sock],
        stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
    os.close(slave)
    try:
        peer = type('Peer', (), {'term': Term(master)})()
        qcon = Console(peer)
        boot(qcon)
        outs.append([qcon.run(cmd) for cmd in checks])
        qcon.run(blink)
        qcon.run('echo %s > /dev/tty1' % MARKER)
        qc = QMPClient.connect(sock).negotiate()
        path = os.path.join(tmpdir_short, 'qemu.ppm')
        qw, qh, qpx, qrows = wait_screen_text(qc, path, MARKER, 'QEMU')
        bands.append(marker_band(qw, qpx, qrows))
        qc.close()
    finally:
        proc.kill()
        proc.wait()
        peer.term.close()
    assert outs[0] == outs[1]
    assert [o.strip() for o, status in outs[0][1:]] == \
        ['1280,800', '1280x800'], outs
    assert (w, h) == (qw, qh)
    assert bands[0] == bands[1]


def test_linux_takes_the_size_a_vnc_client_asks_for(gpu_linux):
    """SetDesktopSize from a VNC client reaches Linux's virtio-gpu driver
    as QEMU's does it: the device raises VIRTIO_GPU_EVENT_DISPLAY, the
    driver re-reads display info and EDID, and on its next probe (here
    forced through sysfs) the connector's preferred mode is the size the
    client asked for."""
    from test_vnc import set_desktop_size_answers
    q, con, c = gpu_linux
    # Short commands: the serial tty is 80 columns.
    assert con.run('d=/sys/class/drm/card0-Virtual-1') == ('', 0)
    probe = 'echo detect > $d/status; head -n1 $d/modes'
    assert con.run(probe) == ('1280x800\n', 0)
    answer, = set_desktop_size_answers(q.vnc_path, [(1024, 768)])
    assert struct.unpack('>HH', answer[4:8]) == (1, 4)  # forwarded
    # The driver handles the event from a work queue: probe until it has
    # (each try is a command round trip in the guest).
    deadline = time.monotonic() + test_linux.BOOT_TIMEOUT
    while con.run(probe) != ('1024x768\n', 0):
        assert time.monotonic() < deadline, 'the mode never changed'
