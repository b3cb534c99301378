"""Input injection (docs/ui.md, input section): QMP send-key and
input-send-event, HMP sendkey/mouse_move/mouse_button, -k, with QEMU's
shapes and errors; keys typed into a text console through its keyboard
handler; and the Linux guest's shell on tty1 typed into through
virtio-keyboard-device, from QMP, HMP and a VNC client (the last needs a
graphic console: virtio-gpu-device)."""
import os
import re
import struct

import pytest

from conftest import qcore_run
from test_vnc import RFB, full_screen, needs_font, vnc  # noqa: F401
import test_linux
from test_linux import linux  # noqa: F401 (fixture)

# Characters to QKeyCode names on a US keyboard.
SHIFTED = {'!': '1', '@': '2', '#': '3', '$': '4', '%': '5', '^': '6',
           '&': '7', '*': '8', '(': '9', ')': '0', '_': 'minus',
           '+': 'equal', '{': 'bracket_left', '}': 'bracket_right',
           '|': 'backslash', ':': 'semicolon', '"': 'apostrophe',
           '~': 'grave_accent', '<': 'comma', '>': 'dot', '?': 'slash'}
PLAIN = {' ': 'spc', '-': 'minus', '=': 'equal', '[': 'bracket_left',
         ']': 'bracket_right', '\\': 'backslash', ';': 'semicolon',
         "'": 'apostrophe', '`': 'grave_accent', ',': 'comma', '.': 'dot',
         '/': 'slash', '\n': 'ret'}


def qcodes(ch):
    if ch.isdigit() or ch.islower():
        return [ch]
    if ch.isupper():
        return ['shift', ch.lower()]
    if ch in SHIFTED:
        return ['shift', SHIFTED[ch]]
    return [PLAIN[ch]]


def send_text(c, text):
    """Type @text with one send-key per character (modifiers held)."""
    for ch in text:
        c.ok('send-key', keys=[{'type': 'qcode', 'data': k}
                               for k in qcodes(ch)])


def hmp(c, line):
    return c.ok('human-monitor-command', **{'command-line': line})


# ---- without a guest -------------------------------------------------------

def test_errors_are_qemus(vm, qmp):
    # -S: a stopped VM takes no injected events.
    r = qmp.cmd('input-send-event', events=[
        {'type': 'key', 'data': {'key': {'type': 'qcode', 'data': 'a'},
                                 'down': True}}])
    assert r['error'] == {'class': 'GenericError', 'desc': 'VM not running'}
    r = qmp.cmd('input-send-event', device='nope', events=[])
    assert r['error'] == {'class': 'DeviceNotFound',
                          'desc': "Device 'nope' not found"}
    qmp.ok('cont')
    r = qmp.cmd('input-send-event', events=[
        {'type': 'rel', 'data': {'axis': 'x', 'value': 5}}])
    assert r['error']['desc'] == 'Input handler not found for event type rel'
    r = qmp.cmd('send-key', keys=[{'type': 'qcode', 'data': 'nokey'}])
    assert r['error']['class'] == 'GenericError'
    assert qmp.ok('send-key', keys=[{'type': 'number', 'data': 0x1e}],
                  **{'hold-time': 50}) == {}
    assert hmp(qmp, 'sendkey foo') == 'invalid parameter: foo\r\n'
    assert hmp(qmp, 'sendkey a-') == 'invalid parameter: \r\n'
    assert hmp(qmp, 'sendkey 0xzz') == 'invalid parameter: 0xzz\r\n'
    assert hmp(qmp, 'sendkey ctrl-alt-f1 x') == \
        "invalid char 'x' in expression\r\n"
    assert hmp(qmp, 'sendkey ctrl-alt-f1 100') == ''
    assert hmp(qmp, 'mouse_move 1 2') == ''
    assert hmp(qmp, 'mouse_button x') == "invalid char 'x' in expression\r\n"
    assert qmp.ok('query-status')['status'] == 'running'


def test_unknown_keyboard_layout():
    r = qcore_run(['-M', 'virt', '-display', 'none', '-k', 'nolayout',
                   '-vnc', 'unix:/nonexistent/x'])
    assert r.returncode == 1
    assert r.stderr.decode().strip() == \
        "qcore: -vnc unix:/nonexistent/x: could not read keymap file: " \
        "'nolayout'"
    assert b'-k language' in qcore_run(['-h']).stdout


def test_devices_are_listed():
    out = qcore_run(['-device', 'help']).stdout.decode()
    for name in ('virtio-keyboard-device', 'virtio-mouse-device',
                 'virtio-tablet-device'):
        assert 'name "%s", bus virtio-bus' % name in out


@needs_font
def test_send_key_types_into_a_text_console(vnc):
    c = full_screen(vnc)
    vnc.ctl.ok('cont')
    # The monitor's console is shown: send-key types there, as in QEMU.
    send_text(vnc.ctl, 'info name\n')
    rows = c.wait_text(lambda r: any(x.strip() == 'demo' for x in r),
                       'the answer of "info name"')
    assert any(x.startswith('(qemu) info name') for x in rows)
    # HMP's sendkey, with QEMU's key names, goes the same way.
    for key in 'i n f o spc s t a t u s ret'.split():
        assert hmp(vnc.ctl, 'sendkey ' + key) == ''
    c.wait_text(lambda r: any('VM status: running' in x for x in r),
                'the answer of "info status"')


# ---- the Linux guest -------------------------------------------------------

needs_linux = test_linux.pytestmark


def sysfs_lines(text):
    """The grep -r lines (the echoed command may wrap: not those)."""
    return sorted(l.strip() for l in text.splitlines()
                  if re.match(r'/sys/class/input/input0/[\w/]+:', l))


def wait_tty1_shell(con):
    """The keyboard driver bound, and the shell of inittab on tty1."""
    out, status = con.run('cat /sys/class/input/input*/name')
    assert 'QEMU Virtio Keyboard' in out, out
    # Bounded (30 s of guest polling): a missing shell fails, not hangs.
    out, status = con.run(
        'for i in $(seq 300); do for p in /proc/[0-9]*; do readlink $p/fd/0;'
        ' done 2>/dev/null | grep -q tty1 && break; sleep 0.1; done;'
        ' [ $i -lt 300 ]')
    assert status == 0


# Linux's virtio_input wants VERSION_1: QEMU's virt needs this too.
MODERN = ['-global', 'virtio-mmio.force-legacy=false']
SYSFS = ('/sys/class/input/input0/name /sys/class/input/input0/id/ '
         '/sys/class/input/input0/capabilities/ '
         '/sys/class/input/input0/properties')


@needs_linux
def test_keys_type_into_the_guest_shell(linux):
    q, con, c = linux(extra=MODERN + ['-device', 'virtio-keyboard-device'])
    con.boot()
    # What Linux sees of the device is what it sees of QEMU 7.2's
    # (expected/*.sysfs: the same command on qemu-system-riscv64).
    out, status = con.run('grep -r . ' + SYSFS)
    with open(os.path.join(test_linux.EXPECTED,
                           'virtio-keyboard.sysfs')) as f:
        assert sysfs_lines(out) == sysfs_lines(f.read())
    wait_tty1_shell(con)
    # What is typed on tty1 prints on the serial port: only the shell's
    # expansion can produce the marker.
    send_text(c, 'echo typed-$((6*7)) > /dev/ttyS0\n')
    con.expect(b'typed-42')
    for keys in ('e c h o spc h m p minus shift-4 shift-9 shift-9 5 '
                 'shift-equal 5 shift-0 shift-0 spc shift-dot spc slash d e '
                 'v slash t t y shift-s 0 ret').split():
        assert hmp(c, 'sendkey ' + keys) == ''
    con.expect(b'hmp-10')


@needs_linux
@pytest.mark.parametrize('dev', ['mouse', 'tablet'])
def test_pointer_devices_look_as_in_qemu(linux, dev):
    q, con, c = linux(extra=MODERN + ['-device', 'virtio-%s-device' % dev])
    con.boot()
    out, status = con.run('grep -r . ' + SYSFS)
    with open(os.path.join(test_linux.EXPECTED,
                           'virtio-%s.sysfs' % dev)) as f:
        assert sysfs_lines(out) == sysfs_lines(f.read())


XK_SHIFT_L, XK_RETURN = 0xffe1, 0xff0d


def vnc_type(rfb, text):
    for ch in text:
        shifted = ch.isupper() or ch in SHIFTED
        if shifted:
            rfb.s.sendall(struct.pack('>BBxxI', 4, 1, XK_SHIFT_L))
        rfb.key(XK_RETURN if ch == '\n' else ord(ch))
        if shifted:
            rfb.s.sendall(struct.pack('>BBxxI', 4, 0, XK_SHIFT_L))


@needs_linux
def test_vnc_keys_type_into_the_guest_shell(linux, tmpdir_short):
    path = os.path.join(tmpdir_short, 'vnc.sock')
    q, con, c = linux(extra=MODERN + ['-device', 'virtio-keyboard-device',
                                     '-device', 'virtio-gpu-device,id=gpu0',
                                     '-vnc', 'unix:' + path])
    con.boot()
    wait_tty1_shell(con)
    rfb = RFB(path).handshake()
    vnc_type(rfb, 'echo VNC-$((6*7)) > /dev/ttyS0\n')
    con.expect(b'VNC-42')
    # The QEMU Extended Key Event: its XT code decides, not the keysym
    # (sent as 0 here, which no keymap has).
    for name in qcode_text('echo ext-ok > /dev/ttyS0\n'):
        for down in (1, 0) if name != 'shift' else (1,):
            rfb.s.sendall(struct.pack('>BBHII', 255, 0, down, 0, QNUM[name]))
        if name != 'shift':
            rfb.s.sendall(struct.pack('>BBHII', 255, 0, 0, 0, QNUM['shift']))
    con.expect(b'ext-ok')
    rfb.close()
    # input-send-event to the display's console reaches the keyboard too.
    for name in qcode_text('echo dev-ok > /dev/ttyS0\n'):
        ev = [{'type': 'key', 'data': {'down': d, 'key': {
            'type': 'qcode', 'data': name}}}
            for d in ((True, False) if name != 'shift' else (True,))]
        c.ok('input-send-event', device='gpu0', events=ev)
        if name != 'shift':
            c.ok('input-send-event', device='gpu0', events=[
                {'type': 'key', 'data': {'down': False, 'key': {
                    'type': 'qcode', 'data': 'shift'}}}])
    con.expect(b'dev-ok')


@needs_linux
def test_vnc_led_state_follows_the_guest_keyboard(linux, tmpdir_short):
    """QEMU's LED State pseudo-encoding: the state when the client asks
    for it, then each change the guest makes (Caps Lock toggled by a key,
    the kernel sets the LED through virtio-keyboard's status queue)."""
    path = os.path.join(tmpdir_short, 'vnc.sock')
    q, con, c = linux(extra=MODERN + ['-device', 'virtio-keyboard-device',
                                     '-device', 'virtio-gpu-device',
                                     '-vnc', 'unix:' + path])
    con.boot()
    wait_tty1_shell(con)
    rfb = RFB(path).handshake()
    rfb.set_encodings([0, -261])
    assert rfb.read_update() == [-261]
    assert rfb.led_state & 4 == 0
    c.ok('send-key', keys=[{'type': 'qcode', 'data': 'caps_lock'}])
    while rfb.led_state & 4 == 0:
        assert rfb.read_update() == [-261]
    c.ok('send-key', keys=[{'type': 'qcode', 'data': 'caps_lock'}])
    while rfb.led_state & 4:
        assert rfb.read_update() == [-261]
    rfb.close()


# XT scancodes (qnums) of the keys qcode_text() uses.
QNUM = {'e': 0x12, 'c': 0x2e, 'h': 0x23, 'o': 0x18, 'spc': 0x39, 'x': 0x2d,
        't': 0x14, 'minus': 0x0c, 'k': 0x25, 'shift': 0x2a, 'dot': 0x34,
        'slash': 0x35, 'd': 0x20, 'v': 0x2f, 'y': 0x15, 's': 0x1f,
        '0': 0x0b, 'ret': 0x1c}


def qcode_text(text):
    """The key names typing @text, a shift before each shifted key."""
    return [k for ch in text for k in qcodes(ch)]
