"""VeNCrypt (RFB security type 19) with TLS: tls-creds-x509 and
tls-creds-anon objects, -vnc ...,tls-creds=ID, against real TLS clients:
Python's ssl module (OpenSSL) carrying the RFB client of test_vnc.py, and
gtk-vnc's gvnccapture for anonymous TLS.  The certificates are made at test
time with certtool (Debian gnutls-bin).  Messages, answers and the
monitor's view are compared with qemu-system-riscv64 7.2 where it is
installed."""
import os
import shutil
import socket
import ssl
import struct
import subprocess

import pytest

from conftest import QCORE, TIMEOUT
from test_vnc import (BANNER, RFB, qemu72, read_png, screen_text,
                      vnc_response)

CERTTOOL = shutil.which('certtool')
needs_certtool = pytest.mark.skipif(
    not CERTTOOL, reason='certtool missing (install-deps.sh: gnutls-bin)')

VENCRYPT = 19
TLSNONE, TLSVNC, X509NONE, X509VNC = 257, 258, 260, 261
CLIENT_DN = 'C=GB,O=qcore,CN=qcore-client'


def certtool(*args, stdin=None):
    r = subprocess.run([CERTTOOL] + list(args), capture_output=True,
                       timeout=TIMEOUT)
    assert r.returncode == 0, r.stderr
    return r.stdout


def make_pki(d):
    """A CA, a server certificate for localhost and a client certificate
    in @d, with the file names tls-creds-x509 looks for."""
    def template(name, text):
        path = os.path.join(d, name + '.info')
        with open(path, 'w') as f:
            f.write(text)
        return path

    def key(name):
        path = os.path.join(d, name)
        with open(path, 'wb') as f:
            f.write(certtool('--generate-privkey', '--key-type=ecdsa'))
        return path

    os.makedirs(d, exist_ok=True)
    ca_key = key('ca-key.pem')
    certtool('--generate-self-signed', '--load-privkey', ca_key,
             '--template', template('ca', 'cn = qcore test CA\nca\n'
                                    'cert_signing_key\nexpiration_days = 2\n'),
             '--outfile', os.path.join(d, 'ca-cert.pem'))
    for who, info in (('server', 'organization = qcore\ncn = localhost\n'
                       'dns_name = localhost\ntls_www_server\n'),
                      ('client', 'country = GB\norganization = qcore\n'
                       'cn = qcore-client\ntls_www_client\n')):
        k = key(who + '-key.pem')
        certtool('--generate-certificate', '--load-ca-certificate',
                 os.path.join(d, 'ca-cert.pem'), '--load-ca-privkey', ca_key,
                 '--load-privkey', k, '--template',
                 template(who, info + 'encryption_key\nsigning_key\n'
                          'expiration_days = 2\n'),
                 '--outfile', os.path.join(d, who + '-cert.pem'))
    return d


@pytest.fixture(scope='module')
def pki(tmp_path_factory):
    if not CERTTOOL:
        pytest.skip('certtool missing (install-deps.sh: gnutls-bin)')
    return make_pki(str(tmp_path_factory.mktemp('pki')))


def x509_context(pki, client_cert=False):
    ctx = ssl.create_default_context(cafile=os.path.join(pki, 'ca-cert.pem'))
    if client_cert:
        ctx.load_cert_chain(os.path.join(pki, 'client-cert.pem'),
                            os.path.join(pki, 'client-key.pem'))
    return ctx


def anon_context():
    """Anonymous Diffie-Hellman, TLS 1.2 (1.3 has no anonymous suites),
    which OpenSSL only allows at security level 0."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers('aNULL:@SECLEVEL=0')
    return ctx


def vencrypt_negotiate(c, subtype=None, version=b'\x00\x02'):
    """The clear part: RFB 3.8 security type 19, VeNCrypt's version and
    the subtype list.  Returns the subtypes offered and the server's
    answer to @subtype (None: the first offered)."""
    assert c.recv(12) == b'RFB 003.008\n'
    c.s.sendall(b'RFB 003.008\n')
    n = c.recv(1)[0]
    assert list(c.recv(n)) == [VENCRYPT]
    c.s.sendall(bytes([VENCRYPT]))
    assert c.recv(2) == b'\x00\x02'
    c.s.sendall(version)
    status = c.recv(1)
    if status != b'\x00':
        return None, status
    n = c.recv(1)[0]
    offered = list(struct.unpack('>%dI' % n, c.recv(4 * n)))
    c.s.sendall(struct.pack('>I', subtype or offered[0]))
    return offered, c.recv(1)


def tls_client(path, ctx, hostname=None, subtype=None):
    """A client through VeNCrypt and the TLS handshake: the RFB client
    with its socket wrapped, and the subtypes offered."""
    c = RFB(path)
    offered, accepted = vencrypt_negotiate(c, subtype)
    assert accepted == b'\x01'
    c.s = ctx.wrap_socket(c.s, server_hostname=hostname)
    return c, offered


def security_result(c):
    return struct.unpack('>I', c.recv(4))[0]


@pytest.fixture
def tls_vnc(start, tmpdir_short, pki):
    """start_tls(creds, vnc_opts='') -> qcore -M virt -S with the
    -object and -vnc unix:...,tls-creds=tls0, the monitor on a VC."""
    def start_tls(creds, vnc_opts=''):
        path = os.path.join(tmpdir_short, 'vnc.sock')
        q = start(['-object', creds % {'pki': pki},
                   '-vnc', 'unix:%s,tls-creds=tls0%s' % (path, vnc_opts),
                   '-S', '-monitor', 'vc:80Cx24C'], base=('-M', 'virt'))
        q.vnc_path = path
        return q
    return start_tls


X509 = 'tls-creds-x509,id=tls0,dir=%(pki)s,endpoint=server'
ANON = 'tls-creds-anon,id=tls0,endpoint=server'


def read_screen(c):
    c.set_encodings([0])
    c.request(incremental=False)
    c.read_update()
    c.wait_text(lambda r: BANNER in r[0], 'the monitor banner')


def test_x509_none(tls_vnc, pki):
    """x509none: the server proves itself with its certificate (checked
    by the client against the CA, for the name localhost), no client
    certificate (verify-peer=off), then RFB inside TLS."""
    q = tls_vnc(X509 + ',verify-peer=off')
    c, offered = tls_client(q.vnc_path, x509_context(pki), 'localhost')
    assert offered == [X509NONE]
    assert security_result(c) == 0
    c.client_init()
    read_screen(c)
    # Keys reach the monitor through TLS too.
    c.type('info status\r')
    c.wait_text(lambda r: any('VM status: paused' in x for x in r),
                'the answer to info status')
    info = q.ctl.ok('query-vnc')
    assert info['auth'] == 'vencrypt+x509+none'
    assert 'x509_dname' not in info['clients'][0]
    c.close()


def test_x509_untrusted_server_is_refused_by_client(tls_vnc, tmpdir_short):
    """The point of x509: a client with another CA refuses the server."""
    q = tls_vnc(X509 + ',verify-peer=off')
    other = make_pki(os.path.join(tmpdir_short, 'other'))
    with pytest.raises(ssl.SSLCertVerificationError):
        tls_client(q.vnc_path, x509_context(other), 'localhost')
    q.assert_serving()


def test_x509_verify_peer(tls_vnc, pki):
    """verify-peer=on (the default): a client without a certificate is
    closed after the handshake, without VNC_INITIALIZED; one with a
    certificate from the CA gets in and query-vnc / info vnc show its
    distinguished name."""
    q = tls_vnc(X509)
    qmp = q.qmp()
    c, _ = tls_client(q.vnc_path, x509_context(pki), 'localhost')
    with pytest.raises((EOFError, ConnectionResetError, ssl.SSLError)):
        security_result(c)
    qmp.event('VNC_DISCONNECTED')
    c, _ = tls_client(q.vnc_path, x509_context(pki, client_cert=True),
                      'localhost')
    assert security_result(c) == 0
    c.client_init()
    qmp.event('VNC_INITIALIZED')
    clients = q.ctl.ok('query-vnc')['clients']
    assert [x.get('x509_dname') for x in clients] == [CLIENT_DN]
    out = q.ctl.ok('human-monitor-command', **{'command-line': 'info vnc'})
    assert '    x509_dname: %s\r\n' % CLIENT_DN in out
    c.close()
    qmp.close()


def test_x509_vnc_password(tls_vnc, pki):
    """x509vnc (tls-creds with password=on): the VNC challenge inside TLS;
    a wrong password fails as without TLS."""
    pytest.importorskip('cryptography')
    q = tls_vnc(X509 + ',verify-peer=off', ',password=on')
    q.ctl.ok('change-vnc-password', password='secret12')
    for pw, result in (('wrong', 1), ('secret12', 0)):
        c, offered = tls_client(q.vnc_path, x509_context(pki), 'localhost')
        assert offered == [X509VNC]
        challenge = c.recv(16)
        c.s.sendall(vnc_response(pw, challenge))
        assert security_result(c) == result
        if result:
            assert c.recv(struct.unpack('>I', c.recv(4))[0]) == \
                b'Authentication failed'
            assert c.closed()
        else:
            c.client_init()
            read_screen(c)
        c.close()
    assert q.ctl.ok('query-vnc')['auth'] == 'vencrypt+x509+vnc'


def test_anon_tls_none_and_vnc(tls_vnc):
    """tls-creds-anon: anonymous DH (TLS 1.2), tlsnone and, with
    password=on, tlsvnc."""
    q = tls_vnc(ANON)
    c, offered = tls_client(q.vnc_path, anon_context())
    assert offered == [TLSNONE]
    assert c.s.version() == 'TLSv1.2'
    assert security_result(c) == 0
    c.client_init()
    read_screen(c)
    c.close()


def test_anon_tls_vnc(tls_vnc):
    pytest.importorskip('cryptography')
    q = tls_vnc(ANON, ',password=on')
    q.ctl.ok('change-vnc-password', password='pw')
    c, offered = tls_client(q.vnc_path, anon_context())
    assert offered == [TLSVNC]
    c.s.sendall(vnc_response('pw', c.recv(16)))
    assert security_result(c) == 0
    c.client_init()
    read_screen(c)
    c.close()


def test_gvnccapture_over_anonymous_tls(start, pki):
    """A real viewer: gtk-vnc's gvnccapture picks VeNCrypt, TLSNone, and
    captures the screen.  (gtk-vnc reads x509 CAs only from ~/.pki of the
    passwd entry, which a test must not touch: x509 is tested with
    OpenSSL above.)"""
    gvnc = shutil.which('gvnccapture')
    if not gvnc:
        pytest.skip('gvnccapture missing (install-deps.sh: gvncviewer)')
    q = start(['-object', ANON, '-vnc', '127.0.0.1:0,to=2000,tls-creds=tls0',
               '-S', '-monitor', 'vc'], base=('-M', 'virt'))
    port = int(q.ctl.ok('query-vnc')['service'])
    c = RFB(addr=('127.0.0.1', port))
    c.s = None
    sock = socket.create_connection(('127.0.0.1', port))
    sock.settimeout(TIMEOUT)
    c.s = sock
    vencrypt_negotiate(c)
    c.s = anon_context().wrap_socket(c.s)
    assert security_result(c) == 0
    c.client_init()
    read_screen(c)              # the banner is drawn
    c.close()
    png = os.path.join(q.tmpdir, 'screen.png')
    r = subprocess.run([gvnc, '127.0.0.1:%d' % (port - 5900), png],
                       capture_output=True, timeout=TIMEOUT)
    assert r.returncode == 0, r.stderr
    w, h, pixels = read_png(png)
    assert BANNER in screen_text(pixels, w)[0]


def test_hostile_vencrypt_clients(tls_vnc, pki):
    """QEMU's answers: VeNCrypt 0.1 is refused (1) and closed, a subtype
    not offered is refused (0) and closed, an RFB 3.3 client gets
    'invalid' (0), and bytes that are not TLS end the handshake; qcore
    serves on."""
    q = tls_vnc(X509 + ',verify-peer=off')
    c = RFB(q.vnc_path)
    assert vencrypt_negotiate(c, version=b'\x00\x01') == (None, b'\x01')
    assert c.closed()
    c = RFB(q.vnc_path)
    assert vencrypt_negotiate(c, subtype=TLSNONE) == ([X509NONE], b'\x00')
    assert c.closed()
    c = RFB(q.vnc_path)
    assert c.recv(12) == b'RFB 003.008\n'
    c.s.sendall(b'RFB 003.003\n')
    assert c.recv(4) == b'\0\0\0\0'
    assert c.closed()
    c = RFB(q.vnc_path)
    vencrypt_negotiate(c)
    c.s.sendall(b'GET / HTTP/1.1\r\n\r\n' * 20)
    assert c.closed()
    # A client that goes away in the middle of the handshake.
    c = RFB(q.vnc_path)
    vencrypt_negotiate(c)
    c.s.sendall(b'\x16\x03\x01')
    c.close()
    q.assert_serving()
    c, _ = tls_client(q.vnc_path, x509_context(pki), 'localhost')
    assert security_result(c) == 0
    c.close()


def test_monitor_view_as_qemu(tls_vnc, pki, tmpdir_short):
    """query-vnc, query-vnc-servers and info vnc name VeNCrypt and its
    subtype as QEMU 7.2 does, for each kind of credentials."""
    cases = [(X509 + ',verify-peer=off', '', 'vencrypt+x509+none',
              'x509-none'),
             (X509 + ',verify-peer=off', ',password=on', 'vencrypt+x509+vnc',
              'x509-vnc'),
             (ANON, '', 'vencrypt+tls+none', 'tls-none'),
             (ANON, ',password=on', 'vencrypt+tls+vnc', 'tls-vnc')]
    seen = []
    for creds, opts, auth, sub in cases:
        q = tls_vnc(creds, opts)
        info = q.ctl.ok('query-vnc')
        servers = q.ctl.ok('query-vnc-servers')
        out = q.ctl.ok('human-monitor-command',
                       **{'command-line': 'info vnc'})
        assert info['auth'] == auth
        assert (servers[0]['auth'], servers[0]['vencrypt']) == \
            ('vencrypt', sub)
        assert [(s['auth'], s['vencrypt']) for s in servers[0]['server']] \
            == [('vencrypt', sub)]
        assert '    Auth: vencrypt (Sub: %s)\r\n' % sub in out
        seen.append((info['auth'], servers[0]['vencrypt'],
                     out.split('\r\n')[2]))
        q.shutdown()
        q.cleanup()
    for i, ((creds, opts, _, _), mine) in enumerate(zip(cases, seen)):
        qsock = os.path.join(tmpdir_short, 'q%d.sock' % i)
        with qemu72(tmpdir_short, ['-S', '-object', creds % {'pki': pki},
                                   '-vnc', 'unix:%s,tls-creds=tls0%s'
                                   % (qsock, opts)]) as qmp:
            info = qmp.ok('query-vnc')
            servers = qmp.ok('query-vnc-servers')
            out = qmp.ok('human-monitor-command',
                         **{'command-line': 'info vnc'})
            assert (info['auth'], servers[0]['vencrypt'],
                    out.split('\r\n')[2]) == mine


# (extra arguments, the error QEMU 7.2 prints after "PROGRAM: " and, for
# the -vnc ones, the option's location)
ERRORS = [
    (['-vnc', ':50,tls-creds=nope'], "No TLS credentials with id 'nope'"),
    (['-object', 'tls-creds-x509,id=tls0,dir=%(pki)s,endpoint=client',
      '-vnc', ':50,tls-creds=tls0'],
     'Expected TLS credentials for a server endpoint'),
    (['-object', 'iothread,id=tls0', '-vnc', ':50,tls-creds=tls0'],
     "Object with id 'tls0' is not TLS credentials"),
    (['-object', 'tls-creds-x509,id=tls0,dir=/nonexistent,endpoint=server'],
     'Unable to access credentials /nonexistent/ca-cert.pem: '
     'No such file or directory'),
    (['-object', 'tls-creds-x509,id=tls0,endpoint=server'],
     "Missing 'dir' property value"),
    (['-object', 'tls-creds-x509,id=tls0,dir=%(pki)s,endpoint=bogus'],
     "Parameter 'endpoint' does not accept value 'bogus'"),
    (['-object', 'tls-creds-x509,id=tls0,dir=%(pki)s,endpoint=server,'
      'verify-peer=maybe'], "Parameter 'verify-peer' expects 'on' or 'off'"),
    (['-object', 'tls-creds-x509,id=tls0,dir=%(other)s,endpoint=server'],
     'Our own certificate %(other)s/server-cert.pem failed validation '
     "against %(other)s/ca-cert.pem: The certificate hasn't got a known "
     'issuer'),
    (['-object', 'tls-creds-x509,id=tls0,dir=%(notca)s,endpoint=server'],
     'The certificate %(notca)s/ca-cert.pem basic constraints do not show '
     'a CA'),
]


def test_tls_websocket_refused(pki):
    """QEMU would run TLS under the websocket (wss://); qcore has no TLS
    websockets, and says so rather than serve it in the clear."""
    r = subprocess.run([QCORE, '-M', 'virt', '-display', 'none', '-S',
                        '-object', ANON, '-vnc',
                        '127.0.0.1:0,to=2000,websocket=0,tls-creds=tls0'],
                       capture_output=True, text=True, timeout=TIMEOUT)
    assert r.returncode == 1
    assert r.stderr.endswith('tls-creds with websocket is not supported: '
                             'qcore has no TLS websockets (wss)\n'), r.stderr


@pytest.mark.parametrize('args,msg', ERRORS)
def test_creds_errors_as_qemu(args, msg, pki, tmpdir_short):
    """Bad credentials and bad tls-creds= fail at start-up with QEMU's
    message (qcore names the -object it came from in every case; QEMU only
    when the option itself is malformed), and QEMU 7.2 prints the same."""
    other = os.path.join(tmpdir_short, 'other')
    notca = os.path.join(tmpdir_short, 'notca')
    # A server certificate from another CA; a CA that is not one.
    os.makedirs(other)
    shutil.copy(os.path.join(make_pki(os.path.join(tmpdir_short, 'x')),
                             'ca-cert.pem'), other)
    os.makedirs(notca)
    for f in ('server-cert.pem', 'server-key.pem'):
        shutil.copy(os.path.join(pki, f), other)
        shutil.copy(os.path.join(pki, f), notca)
    shutil.copy(os.path.join(pki, 'server-cert.pem'),
                os.path.join(notca, 'ca-cert.pem'))
    subst = {'pki': pki, 'other': other, 'notca': notca}
    args = [a % subst for a in args]
    msg = msg % subst
    base = ['-M', 'virt', '-bios', 'none', '-display', 'none', '-S']
    r = subprocess.run([QCORE] + base + args, capture_output=True, text=True,
                       timeout=TIMEOUT)
    assert r.returncode == 1
    assert r.stderr.startswith('qcore: ') and r.stderr.endswith(
        ': ' + msg + '\n'), r.stderr
    qemu = shutil.which('qemu-system-riscv64')
    if qemu:
        r = subprocess.run([qemu] + base + args, capture_output=True,
                           text=True, timeout=TIMEOUT)
        assert r.returncode == 1
        assert r.stderr.endswith(': ' + msg + '\n'), r.stderr
