"""The VNC server's transport and management: websockets (RFC 6455) with a
client written here from the RFC (handshake, masking, fragmentation,
ping/pong, close) carrying the same RFB test client as test_vnc.py, and
hostile websocket clients; query-vnc-servers, set_password and
expire_password with QEMU's errors, the VNC_* events, display=, and the
VNC sources in "info mainloop"."""
import base64
import hashlib
import os
import socket
import struct
import time

import pytest

from conftest import TIMEOUT, qcore_run
from test_vnc import (BANNER, RFB, assert_stuck_reader_is_bounded,
                      auth_attempt, needs_font)

GUID = b'258EAFA5-E914-47DA-95CA-C5AB0DC85B11'


def http_request(key, path='/', version='13', extra=''):
    return ('GET %s HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n'
            'Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n'
            'Sec-WebSocket-Version: %s\r\n%s\r\n'
            % (path, key, version, extra)).encode()


class WSSocket:
    """A socket-like websocket client: recv() returns the payload of the
    server's binary frames, sendall() sends one masked binary frame (or
    @fragments of them)."""

    def __init__(self, port, protocols=None):
        self.raw = socket.create_connection(('127.0.0.1', port))
        self.raw.settimeout(TIMEOUT)
        self.buf = b''          # wire bytes not yet parsed
        self.payload = b''      # binary payload not yet returned
        self.control = []       # (opcode, payload) of control frames seen
        key = base64.b64encode(os.urandom(16)).decode()
        extra = 'Sec-WebSocket-Protocol: %s\r\n' % protocols \
            if protocols else ''
        self.raw.sendall(http_request(key, extra=extra))
        head = self.read_http()
        assert head.startswith('HTTP/1.1 101 Switching Protocols\r\n'), head
        hdrs = dict(line.split(': ', 1) for line in head.split('\r\n')[1:]
                    if line)
        # RFC 6455 4.2.2: base64(SHA-1(key + GUID)).
        want = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest())
        assert hdrs['Sec-WebSocket-Accept'] == want.decode()
        assert hdrs['Upgrade'] == 'websocket'
        assert ('Sec-WebSocket-Protocol' in hdrs) == bool(protocols)

    def read_http(self):
        while b'\r\n\r\n' not in self.buf:
            d = self.raw.recv(4096)
            if not d:
                raise EOFError('closed during the handshake: %r' % self.buf)
            self.buf += d
        head, self.buf = self.buf.split(b'\r\n\r\n', 1)
        return head.decode()

    def settimeout(self, t):
        self.raw.settimeout(t)

    def setsockopt(self, *a):
        self.raw.setsockopt(*a)

    def close(self):
        self.raw.close()

    @staticmethod
    def frame(opcode, data, fin=True, mask=True, rsv=0, length=None):
        n = len(data) if length is None else length
        hdr = bytes([(0x80 if fin else 0) | rsv | opcode])
        m = 0x80 if mask else 0
        if n < 126:
            hdr += bytes([m | n])
        elif n < 65536:
            hdr += bytes([m | 126]) + struct.pack('>H', n)
        else:
            hdr += bytes([m | 127]) + struct.pack('>Q', n)
        if not mask:
            return hdr + data
        key = os.urandom(4)
        return hdr + key + bytes(b ^ key[i % 4] for i, b in enumerate(data))

    def sendall(self, data, fragments=1):
        if fragments == 1:
            self.raw.sendall(self.frame(2, data))
            return
        step = max(1, len(data) // fragments)
        parts = [data[i:i + step] for i in range(0, len(data), step)]
        wire = b''
        for i, part in enumerate(parts):
            wire += self.frame(2 if i == 0 else 0, part,
                               fin=i == len(parts) - 1)
        self.raw.sendall(wire)

    def read_frame(self):
        """One frame from the server: (fin, opcode, payload)."""
        def need(n):
            while len(self.buf) < n:
                d = self.raw.recv(65536)
                if not d:
                    raise EOFError('server closed')
                self.buf += d
        need(2)
        b0, b1 = self.buf[0], self.buf[1]
        assert not b1 & 0x80, 'server frames are never masked'
        n, off = b1 & 0x7f, 2
        if n == 126:
            need(4)
            n, off = struct.unpack('>H', self.buf[2:4])[0], 4
        elif n == 127:
            need(10)
            n, off = struct.unpack('>Q', self.buf[2:10])[0], 10
        need(off + n)
        data, self.buf = self.buf[off:off + n], self.buf[off + n:]
        return bool(b0 & 0x80), b0 & 0x0f, data

    def recv(self, n):
        while not self.payload:
            fin, op, data = self.read_frame()
            if op == 2:
                self.payload += data
            elif op == 8:
                self.control.append((op, data))
                return b''
            else:
                self.control.append((op, data))
        d, self.payload = self.payload[:n], self.payload[n:]
        return d


def ws_rfb(port, **kw):
    """The RFB test client of test_vnc.py over a websocket."""
    c = RFB.__new__(RFB)
    c.s = WSSocket(port, **kw)
    return c


def ws_port(q, vd=0):
    servers = q.ctl.ok('query-vnc-servers')[vd]['server']
    return int([s for s in servers if s['websocket']][0]['service'])


@pytest.fixture
def wsvnc(start, tmpdir_short):
    """-vnc on a UNIX socket with a websocket on a free TCP port (port 0:
    the kernel picks it, query-vnc-servers tells which); the HMP monitor
    on console 0."""
    path = os.path.join(tmpdir_short, 'vnc.sock')
    q = start(['-vnc', 'unix:%s,websocket=127.0.0.1:0' % path, '-S',
               '-monitor', 'vc:80Cx24C'], base=('-M', 'virt'))
    q.vnc_path = path
    q.ws_port = ws_port(q)
    return q


def ws_full_screen(q, **kw):
    c = ws_rfb(q.ws_port, **kw).handshake()
    c.set_encodings([0])
    c.request(incremental=False)
    c.read_update()
    c.wait_text(lambda r: BANNER in r[0], 'the monitor banner')
    return c


@needs_font
@pytest.mark.parametrize('protocols', [None, 'binary', 'chat, binary'])
def test_websocket_screen_and_keys(wsvnc, protocols):
    """The same RFB stream as on the plain socket: the screen arrives and
    keys typed reach the monitor's console."""
    c = ws_full_screen(wsvnc, protocols=protocols)
    assert c.name == 'QEMU'
    c.type('info status\r')
    c.wait_text(lambda r: any('VM status: paused' in x for x in r),
                'the answer of "info status" over a websocket')


@needs_font
def test_websocket_fragments_and_ping(wsvnc):
    """Client messages split across frames (fragments) and across TCP
    writes byte by byte, and a ping between them, all work; a ping is
    answered with a pong carrying its payload."""
    c = ws_full_screen(wsvnc)
    ws = c.s
    msg = b''.join(struct.pack('>BBxxI', 4, down, ord(ch))
                   for ch in 'info version' for down in (1, 0))
    ws.sendall(msg, fragments=7)
    ws.raw.sendall(WSSocket.frame(9, b'are you there'))
    wire = WSSocket.frame(2, b''.join(struct.pack('>BBxxI', 4, d, 0xff0d)
                                      for d in (1, 0)))
    for i in range(len(wire)):
        ws.raw.sendall(wire[i:i + 1])
    rows = c.wait_text(lambda r: any(x.startswith('(qemu) info version')
                                     for x in r) and
                       sum(1 for x in r if x.startswith('(qemu)')) >= 2,
                       'the answer of "info version"')
    assert (10, b'are you there') in ws.control
    # An empty binary frame is harmless: the stream goes on.
    ws.raw.sendall(WSSocket.frame(2, b''))
    c.request(incremental=False)
    assert c.read_update() == [0]
    assert any(x.startswith('(qemu) info version') for x in rows)


def test_websocket_close(wsvnc):
    """A close frame is answered with QEMU's close (1000) and the
    connection ends; QMP says VNC_DISCONNECTED for a websocket client."""
    c = ws_rfb(wsvnc.ws_port).handshake()
    ws = c.s
    ws.raw.sendall(WSSocket.frame(8, struct.pack('>H', 1000) + b'bye'))
    while True:
        fin, op, data = ws.read_frame()
        if op == 8:
            break
    assert data == struct.pack('>H', 1000) + b'peer requested close'
    assert ws.raw.recv(1) == b''
    ev = wsvnc.ctl.event('VNC_DISCONNECTED')
    assert ev['data']['client']['websocket'] is True
    wsvnc.assert_serving()


def hostile(port, data):
    """Connect to the websocket port, upgrade (unless @data is the whole
    request), send @data; returns everything until the server closes."""
    s = socket.create_connection(('127.0.0.1', port))
    s.settimeout(TIMEOUT)
    s.sendall(data)
    out = b''
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            out += d
    except ConnectionResetError:
        pass
    s.close()
    return out


def upgraded(port, frames):
    key = base64.b64encode(os.urandom(16)).decode()
    out = hostile(port, http_request(key) + frames)
    head, rest = out.split(b'\r\n\r\n', 1)
    assert head.startswith(b'HTTP/1.1 101'), out
    # The server's greeting frame, then its close frame.
    assert rest.startswith(b'\x82\x0cRFB 003.008\n'), rest
    return rest[14:]


def test_websocket_bad_handshakes(wsvnc):
    key = base64.b64encode(os.urandom(16)).decode()
    cases = [
        (http_request(key, path='/vnc'), b'HTTP/1.1 404 Not Found\r\n',
         'Unexpected HTTP path /vnc'),
        (http_request(key, version='8'), b'HTTP/1.1 400 Bad Request\r\n',
         "Version '13' is not supported by client '8'"),
        (http_request('c2hvcnQ='), b'HTTP/1.1 400 Bad Request\r\n',
         "Key length '8' was not as expected '24'"),
        (http_request(key, extra='Sec-WebSocket-Protocol: chat\r\n'),
         b'HTTP/1.1 400 Bad Request\r\n',
         "No 'binary' protocol is supported by client 'chat'"),
        (b'POST / HTTP/1.1\r\n\r\n', b'HTTP/1.1 400 Bad Request\r\n',
         'Unsupported HTTP method POST'),
        (b'RFB 003.008\n\r\n\r\n', b'HTTP/1.1 400 Bad Request\r\n',
         'Malformed HTTP request line'),
        (b'GET / HTTP/1.1\r\n' + b'X: y\r\n' * 1000,
         b'HTTP/1.1 403 Request Entity Too Large\r\n',
         'End of headers not found in first 4096 bytes'),
    ]
    for req, status, msg in cases:
        out = hostile(wsvnc.ws_port, req)
        assert out.startswith(status), (req, out)
        assert 'websocket handshake with 127.0.0.1:' in wsvnc.output()
        assert msg in wsvnc.output(), msg
    wsvnc.assert_serving()


@pytest.mark.parametrize('frames,msg', [
    (WSSocket.frame(2, b'RFB 003.008\n', mask=False),
     'client websocket frames must be masked'),
    (WSSocket.frame(1, b'RFB 003.008\n'),
     'unsupported opcode: 0x01; only binary, ping, pong and close '
     'websocket frames are supported'),
    (WSSocket.frame(2, b'', length=1 << 40),
     'websocket frame payload of 1099511627776 bytes exceeds our limit'),
    (WSSocket.frame(9, b'x' * 126),
     'websocket control frame is too large'),
    (WSSocket.frame(9, b'x', fin=False),
     'websocket control frame is fragmented'),
    (WSSocket.frame(0, b'RFB'),
     'websocket continuation frame without a message to continue'),
    (WSSocket.frame(2, b'RFB', fin=False) + WSSocket.frame(2, b'x'),
     'new websocket message inside a fragmented one'),
    (WSSocket.frame(2, b'RFB', rsv=0x40),
     'websocket frame has reserved bits set 0x40'),
])
def test_websocket_bad_frames(wsvnc, frames, msg):
    """A malformed frame: QEMU's close (1002, protocol error), the
    connection closed, the reason logged, qcore serving on."""
    rest = upgraded(wsvnc.ws_port, frames)
    assert rest == b'\x88\x10\x03\xeaprotocol error'
    assert 'vnc: websocket client 127.0.0.1:' in wsvnc.output()
    assert msg in wsvnc.output()
    ws_full_screen(wsvnc).close()
    wsvnc.assert_serving()


def test_websocket_hostile_rfb(wsvnc):
    """The RFB checks hold over websockets: an oversized ClientCutText."""
    c = ws_rfb(wsvnc.ws_port).handshake()
    c.s.sendall(struct.pack('>BxxxI', 6, 2 << 20))
    assert c.s.raw.recv(1) == b''   # closed, as on the plain socket
    assert 'client_cut_text msg payload has 2097152 bytes' in wsvnc.output()
    wsvnc.assert_serving()


@needs_font
def test_websocket_client_that_never_reads(start, tmpdir_short):
    """The output throttle counts framed bytes: a websocket client that
    asks for full updates and never reads costs bounded memory and does
    not hold back a client on the plain socket."""
    path = os.path.join(tmpdir_short, 'v.sock')
    q = start(['-vnc', 'unix:%s,websocket=127.0.0.1:0' % path, '-S',
               '-monitor', 'vc:80Cx24C'], base=('-M', 'virt'),
              measure_memory=True)
    q.vnc_path = path
    good = RFB(path).handshake()
    good.set_encodings([0])
    good.request(incremental=False)
    good.read_update()
    good.wait_text(lambda r: BANNER in r[0], 'the monitor banner')
    assert_stuck_reader_is_bounded(q, good, ws_rfb(ws_port(q)).handshake(),
                                   30)


def test_websocket_options(start):
    """websocket=HOST:PORT and websocket=PORT (on the VNC host) as QEMU;
    anything else is a port name, so "off" fails as in QEMU."""
    q = start(['-vnc', '127.0.0.1:0,to=2000,websocket=0', '-S'])
    servers = q.ctl.ok('query-vnc-servers')[0]['server']
    assert [(s['host'], s['family'], s['websocket']) for s in servers] == \
        [('127.0.0.1', 'ipv4', True), ('127.0.0.1', 'ipv4', False)]
    r = qcore_run(['-M', 'none', '-vnc',
                   '127.0.0.1:0,to=2000,websocket=off'])
    assert r.returncode == 1
    assert r.stderr.decode().strip() == (
        'qcore: -vnc 127.0.0.1:0,to=2000,websocket=off: address resolution '
        'failed for 127.0.0.1:off: Servname not supported for ai_socktype')


def test_websocket_on_port(start):
    """websocket=on listens on 5700 + the display number, as QEMU; the
    test looks for a display N whose ports 5900+N and 5700+N are free."""
    for d in range(60, 99):
        free = True
        for port in (5900 + d, 5700 + d):
            s = socket.socket()
            try:
                s.bind(('127.0.0.1', port))
            except OSError:
                free = False
            s.close()
        if free:
            break
    else:
        pytest.skip('no free display')
    q = start(['-vnc', '127.0.0.1:%d,websocket=on' % d, '-S'])
    servers = q.ctl.ok('query-vnc-servers')[0]['server']
    assert [(s['service'], s['websocket']) for s in servers] == \
        [(str(5700 + d), True), (str(5900 + d), False)]
    c = ws_rfb(5700 + d).handshake()
    c.close()


def test_query_vnc_servers_and_info_vnc(wsvnc):
    out = wsvnc.ctl.ok('query-vnc-servers')
    assert out == [{
        'id': 'default', 'auth': 'none', 'clients': [],
        'server': [
            {'host': '127.0.0.1', 'service': str(wsvnc.ws_port),
             'family': 'ipv4', 'websocket': True, 'auth': 'none'},
            {'host': '', 'service': wsvnc.vnc_path, 'family': 'unix',
             'websocket': False, 'auth': 'none'}]}]
    c = ws_rfb(wsvnc.ws_port).handshake()
    clients = wsvnc.ctl.ok('query-vnc-servers')[0]['clients']
    assert [(x['host'], x['family'], x['websocket']) for x in clients] == \
        [('127.0.0.1', 'ipv4', True)]
    assert wsvnc.ctl.ok('query-vnc')['clients'][0]['websocket'] is True
    info = wsvnc.ctl.ok('human-monitor-command',
                        **{'command-line': 'info vnc'})
    port = clients[0]['service']
    assert info == (
        'default:\r\n'
        '  Server: 127.0.0.1:%d (ipv4 (Websocket))\r\n'
        '    Auth: none (Sub: none)\r\n'
        '  Server: :%s (unix)\r\n'
        '    Auth: none (Sub: none)\r\n'
        '  Client: 127.0.0.1:%s (ipv4 (Websocket))\r\n'
        '    x509_dname: none\r\n'
        '    sasl_username: none\r\n' % (wsvnc.ws_port, wsvnc.vnc_path, port))
    c.close()


def test_events(wsvnc):
    """VNC_CONNECTED on accept, VNC_INITIALIZED after ClientInit,
    VNC_DISCONNECTED on close, with QEMU's payloads: the server is the
    plain listener even for a websocket client."""
    server = {'host': '', 'service': wsvnc.vnc_path, 'family': 'unix',
              'websocket': False, 'auth': 'none'}
    c = RFB(wsvnc.vnc_path)
    unix = {'host': '', 'service': wsvnc.vnc_path, 'family': 'unix',
            'websocket': False}
    ev = wsvnc.ctl.event('VNC_CONNECTED')
    assert ev['data'] == {'server': server, 'client': unix}
    c.handshake()
    ev = wsvnc.ctl.event('VNC_INITIALIZED')
    assert ev['data'] == {'server': server, 'client': unix}
    c.close()
    ev = wsvnc.ctl.event('VNC_DISCONNECTED')
    assert ev['data'] == {'server': server, 'client': unix}

    w = ws_rfb(wsvnc.ws_port)
    ev = wsvnc.ctl.event('VNC_CONNECTED')
    client = ev['data']['client']
    assert ev['data']['server'] == server
    assert client['websocket'] is True and client['family'] == 'ipv4'
    assert int(client['service']) == w.s.raw.getsockname()[1]
    w.handshake()
    assert wsvnc.ctl.event('VNC_INITIALIZED')['data']['client'] == client
    w.close()
    assert wsvnc.ctl.event('VNC_DISCONNECTED')['data']['client'] == client

    # A client refused at the version: connected and disconnected only.
    r = RFB(wsvnc.vnc_path)
    r.recv(12)
    r.s.sendall(b'RFB 009.008\n')
    assert r.closed()
    wsvnc.ctl.event('VNC_CONNECTED')
    wsvnc.ctl.event('VNC_DISCONNECTED')
    assert not [e for e in wsvnc.ctl.events
                if e['event'] == 'VNC_INITIALIZED']


def test_set_password_and_expire(start, tmpdir_short):
    pytest.importorskip('cryptography')
    path = os.path.join(tmpdir_short, 'v.sock')
    q = start(['-vnc', 'unix:%s,password=on,id=vnc0' % path, '-S'],
              base=('-M', 'virt'))
    ok, cmd = q.ctl.ok, q.ctl.cmd
    assert ok('set_password', protocol='vnc', password='pw1') == {}
    assert auth_attempt(path, 'pw1')[0] == 0
    assert ok('set_password', protocol='vnc', password='pw2',
              connected='keep', display='vnc0') == {}
    assert auth_attempt(path, 'pw1')[0] == 1
    assert auth_attempt(path, 'pw2')[0] == 0
    # QEMU's errors.
    assert cmd('set_password', protocol='vnc', password='x',
               connected='fail')['error'] == {
        'class': 'GenericError', 'desc': "Invalid parameter 'connected'"}
    assert cmd('set_password', protocol='vnc', password='x',
               display='nope')['error'] == {
        'class': 'GenericError', 'desc': 'Could not set password'}
    assert cmd('set_password', protocol='spice', password='x')['error'] == {
        'class': 'DeviceNotActive', 'desc': 'SPICE is not in use'}
    assert cmd('expire_password', protocol='vnc', time='now',
               display='nope')['error'] == {
        'class': 'GenericError', 'desc': 'Could not set password expire time'}
    # Expiry: now (and any time past; an unparsable one is 0, as in QEMU)
    # refuses the right password.
    for when in ('now', '12345', 'bad'):
        assert ok('expire_password', protocol='vnc', time=when) == {}
        result, reason, c = auth_attempt(path, 'pw2')
        assert (result, reason) == (1, 'Authentication failed'), when
        assert c.closed()
        ok('expire_password', protocol='vnc', time='never')
        assert auth_attempt(path, 'pw2')[0] == 0
    assert ok('expire_password', protocol='vnc', time='+3600') == {}
    assert auth_attempt(path, 'pw2')[0] == 0
    assert ok('expire_password', protocol='vnc',
              time=str(int(time.time()) + 3600)) == {}
    assert auth_attempt(path, 'pw2')[0] == 0

    def hmp(line):
        return ok('human-monitor-command', **{'command-line': line})
    assert hmp('set_password vnc pw3 -d vnc0') == ''
    assert auth_attempt(path, 'pw3')[0] == 0
    assert hmp('set_password vnc pw4 keep') == ''
    assert auth_attempt(path, 'pw4')[0] == 0
    assert hmp('set_password vnc x fail') == \
        "Error: Invalid parameter 'connected'\r\n"
    assert hmp('set_password vnc x foo') == \
        'Error: invalid parameter value: foo\r\n'
    assert hmp('set_password foo x') == \
        'Error: invalid parameter value: foo\r\n'
    assert hmp('set_password vnc x -d nope') == \
        'Error: Could not set password\r\n'
    assert hmp('expire_password vnc now -d vnc0') == ''
    assert auth_attempt(path, 'pw4')[0] == 1
    assert hmp('expire_password vnc never') == ''
    assert auth_attempt(path, 'pw4')[0] == 0
    assert hmp('expire_password vnc now -d nope') == \
        'Error: Could not set password expire time\r\n'
    assert hmp('expire_password spice now') == \
        'Error: SPICE is not in use\r\n'
    assert hmp('help expire_password') == \
        'expire_password protocol time [-d display] -- set spice/vnc ' \
        'password expire-time\r\n'
    q.assert_serving()


def test_no_vnc_management(start):
    q = start([])
    assert q.ctl.ok('query-vnc-servers') == []
    assert q.ctl.cmd('set_password', protocol='vnc',
                     password='x')['error']['desc'] == 'Could not set password'
    assert q.ctl.cmd('expire_password', protocol='vnc', time='now')[
        'error']['desc'] == 'Could not set password expire time'


def test_display_option(tmpdir_short):
    """display= names a device whose console the server shows; QEMU's
    errors for a missing device and for one without a console."""
    path = os.path.join(tmpdir_short, 'v.sock')
    r = qcore_run(['-M', 'virt', '-display', 'none', '-vnc',
                   'unix:%s,display=nope' % path])
    assert r.returncode == 1
    assert r.stderr.decode().strip() == \
        "qcore: -vnc unix:%s,display=nope: Device 'nope' not found" % path
    r = qcore_run(['-M', 'virt', '-display', 'none', '-device',
                   'virtio-rng-device,id=rng0', '-vnc',
                   'unix:%s,display=rng0,head=1' % path])
    assert r.returncode == 1
    assert r.stderr.decode().strip().endswith(
        'display=rng0,head=1: Device rng0 (head 1) is not bound to a '
        'QemuConsole')


def test_info_mainloop_shows_vnc(wsvnc):
    """The listeners, each client and the worker thread, by name."""
    c = ws_full_screen(wsvnc)
    out = wsvnc.ctl.ok('human-monitor-command',
                       **{'command-line': 'info mainloop'})
    assert out.count('vnc_listen_read') == 1
    assert out.count('vnc_listen_websocket_read') == 1
    assert 'vnc_client_read' in out
    assert 'vnc_worker' in out
    c.close()


@needs_font
def test_fifty_websocket_clients(wsvnc):
    """50 websocket clients at once, each served its full screen and then
    the change a plain client typed; qcore keeps serving."""
    clients = [ws_rfb(wsvnc.ws_port).handshake() for _ in range(50)]
    for c in clients:
        c.set_encodings([0])
        c.request(incremental=False)
    for c in clients:
        assert c.skip_update() == 640 * 384
    servers = wsvnc.ctl.ok('query-vnc-servers')[0]
    assert sum(1 for x in servers['clients'] if x['websocket']) == 50
    watcher = RFB(wsvnc.vnc_path).handshake()
    watcher.set_encodings([0])
    watcher.request(incremental=False)
    watcher.read_update()
    watcher.type('info status\r')
    watcher.wait_text(lambda r: any('VM status: paused' in x for x in r),
                      'the answer')
    for c in clients:
        c.request(incremental=True)
        assert c.skip_update() > 0
    for c in clients:
        c.close()
    wsvnc.assert_serving()


def test_display_bound_to_device(start, tmpdir_short):
    """display=ID binds the server to that device's console, and
    query-vnc-servers / info vnc name it (QEMU's "Display:" line last)."""
    path = os.path.join(tmpdir_short, 'v.sock')
    q = start(['-device', 'virtio-gpu-device,id=gpu0', '-vnc',
               'unix:%s,display=gpu0' % path, '-S'], base=('-M', 'virt'))
    assert q.ctl.ok('query-vnc-servers')[0]['display'] == 'gpu0'
    out = q.ctl.ok('human-monitor-command', **{'command-line': 'info vnc'})
    assert out.endswith('  Display: gpu0\r\n')
