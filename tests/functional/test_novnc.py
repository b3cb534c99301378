"""noVNC in a real browser: Debian's chromium (headless), driven through the
Chrome DevTools protocol (python3-websocket), loads Debian's noVNC
(vnc_lite.html, served by a small HTTP server here) which connects to
qcore's websocket port.  The screen noVNC draws (its canvas, read back
through CDP) must equal what gtk-vnc's gvnccapture captures over the plain
RFB port, and keys typed into the page must reach the HMP monitor's text
console."""
import base64
import functools
import http.server
import json
import os
import shutil
import subprocess
import threading
import time

import pytest

from conftest import TIMEOUT
from test_vnc import BANNER, needs_font, read_png, screen_text

NOVNC = '/usr/share/novnc'
CHROMIUM = shutil.which('chromium')

pytestmark = [
    pytest.mark.skipif(not CHROMIUM, reason='no chromium (install-deps.sh)'),
    pytest.mark.skipif(not os.path.exists(NOVNC + '/vnc_lite.html'),
                       reason='no novnc (install-deps.sh)'),
]


def poll(cond, what, timeout=TIMEOUT):
    """Wait until cond() returns something true; returns it."""
    deadline = time.monotonic() + timeout
    while True:
        r = cond()
        if r:
            return r
        assert time.monotonic() < deadline, 'timed out waiting for ' + what
        threading.Event().wait(0.05)


class CDP:
    """A Chrome DevTools protocol client over the browser's websocket."""

    def __init__(self, url):
        import websocket
        self.ws = websocket.create_connection(url, timeout=TIMEOUT)
        self.next_id = 0

    def call(self, method, session=None, **params):
        self.next_id += 1
        msg = {'id': self.next_id, 'method': method, 'params': params}
        if session:
            msg['sessionId'] = session
        self.ws.send(json.dumps(msg))
        while True:
            r = json.loads(self.ws.recv())
            if r.get('id') == self.next_id:     # events are skipped
                assert 'error' not in r, '%s: %r' % (method, r['error'])
                return r['result']

    def close(self):
        self.ws.close()


class Page:
    def __init__(self, cdp, url):
        self.cdp = cdp
        target = cdp.call('Target.createTarget', url='about:blank')
        self.session = cdp.call('Target.attachToTarget', flatten=True,
                                targetId=target['targetId'])['sessionId']
        self.call('Page.enable')
        self.call('Page.navigate', url=url)

    def call(self, method, **params):
        return self.cdp.call(method, self.session, **params)

    def eval(self, expr):
        r = self.call('Runtime.evaluate', expression=expr, returnByValue=True)
        assert 'exceptionDetails' not in r, r
        return r['result'].get('value')

    def canvas(self):
        """noVNC's framebuffer: (width, height, [(r, g, b)]) or None."""
        url = self.eval("(() => { const c = document.querySelector("
                        "'#screen canvas'); return c && c.width ? "
                        "c.toDataURL('image/png') : null; })()")
        if not url:
            return None
        png = os.path.join(self.tmpdir, 'canvas.png')
        with open(png, 'wb') as f:
            f.write(base64.b64decode(url.split(',', 1)[1]))
        return read_png(png)

    def key(self, key, code, vk, text=None):
        for kind in ('keyDown', 'keyUp'):
            ev = dict(type=kind, key=key, code=code,
                      windowsVirtualKeyCode=vk, nativeVirtualKeyCode=vk)
            if text and kind == 'keyDown':
                ev['text'] = text
            self.call('Input.dispatchKeyEvent', **ev)

    def type(self, s):
        for ch in s:
            if ch == '\r':
                self.key('Enter', 'Enter', 13, '\r')
            elif ch == ' ':
                self.key(' ', 'Space', 32, ' ')
            else:
                self.key(ch, 'Key' + ch.upper(), ord(ch.upper()), ch)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def novnc_http():
    """noVNC's files over HTTP (its ES modules do not load from file:)."""
    srv = http.server.ThreadingHTTPServer(
        ('127.0.0.1', 0), functools.partial(QuietHandler, directory=NOVNC))
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv.server_address[1]
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def browser(tmpdir_short):
    prof = os.path.join(tmpdir_short, 'chromium')
    err = open(os.path.join(tmpdir_short, 'chromium.log'), 'wb')
    p = subprocess.Popen([CHROMIUM, '--headless=new', '--no-sandbox',
                          '--disable-gpu', '--no-first-run',
                          '--user-data-dir=' + prof,
                          '--remote-debugging-port=0', 'about:blank'],
                         stdout=subprocess.DEVNULL, stderr=err)
    active = os.path.join(prof, 'DevToolsActivePort')

    def devtools():
        assert p.poll() is None, 'chromium exited: see chromium.log'
        try:
            lines = open(active).read().split('\n')
        except FileNotFoundError:
            return None
        return len(lines) >= 2 and lines[1] and lines
    port, path = poll(devtools, 'chromium\'s DevTools port')[:2]
    cdp = CDP('ws://127.0.0.1:%s%s' % (port, path))
    yield cdp
    cdp.close()
    p.terminate()
    p.wait(TIMEOUT)
    err.close()


def page_status(page, prefix):
    # null while the page loads
    s = page.eval("(document.getElementById('status') || {})"
                  ".textContent") or ''
    return s.startswith(prefix) and s


@needs_font
def test_novnc_screen_and_keys(start, novnc_http, browser, tmpdir_short):
    q = start(['-vnc', '127.0.0.1:0,to=2000,share=ignore,'
               'websocket=127.0.0.1:0', '-S', '-monitor', 'vc:80Cx24C'],
              base=('-M', 'virt'))
    servers = q.ctl.ok('query-vnc-servers')[0]['server']
    ws = [s for s in servers if s['websocket']][0]['service']
    rfb = [s for s in servers if not s['websocket']][0]['service']
    # noVNC's URL; path= empty: QEMU's websocket answers on "/" only.
    page = Page(browser, 'http://127.0.0.1:%d/vnc_lite.html?host=127.0.0.1'
                '&port=%s&path=' % (novnc_http, ws))
    page.tmpdir = tmpdir_short
    status = poll(lambda: page_status(page, 'Connected'), 'noVNC to connect')
    assert status == 'Connected to QEMU'
    ev = q.ctl.event('VNC_INITIALIZED')
    assert ev['data']['client']['websocket'] is True

    def shows(pred):
        def check():
            shot = page.canvas()
            return shot and pred(screen_text(shot[2], shot[0])) and shot
        return check
    w, h, pixels = poll(shows(lambda r: BANNER in r[0]),
                        'the monitor banner in noVNC')
    assert (w, h) == (640, 384)

    # Keys typed into the page reach the monitor through noVNC.
    page.eval("document.querySelector('#screen canvas').focus()")
    page.type('info status\r')
    w, h, pixels = poll(shows(lambda r: any('VM status: paused' in x
                                            for x in r)),
                        'the answer of "info status" in noVNC')
    rows = screen_text(pixels, w)
    assert any(x.startswith('(qemu) info status') for x in rows)

    # What noVNC shows is what another client captures, pixel for pixel.
    if not shutil.which('gvnccapture'):
        pytest.skip('gvnccapture missing (install-deps.sh)')
    png = os.path.join(q.tmpdir, 'gvnc.png')
    r = subprocess.run(['gvnccapture', '127.0.0.1:%d' % (int(rfb) - 5900),
                        png], capture_output=True, timeout=TIMEOUT)
    assert r.returncode == 0, r.stderr
    gw, gh, gpixels = read_png(png)
    assert (gw, gh) == (w, h)
    assert gpixels == pixels
    q.assert_serving()


def test_novnc_password(start, novnc_http, browser, tmpdir_short):
    """password=on over websockets: noVNC's VNC authentication (its own
    DES) with the password change-vnc-password set gets in; a wrong one
    is refused and counted as a disconnection."""
    q = start(['-vnc', 'unix:%s/v.sock,password=on,websocket=127.0.0.1:0'
               % tmpdir_short, '-S'], base=('-M', 'virt'))
    q.ctl.ok('change-vnc-password', password='sesame')
    servers = q.ctl.ok('query-vnc-servers')[0]['server']
    ws = [s for s in servers if s['websocket']][0]['service']
    url = ('http://127.0.0.1:%d/vnc_lite.html?host=127.0.0.1&port=%s&path='
           '&password=' % (novnc_http, ws))
    bad = Page(browser, url + 'wrong')
    poll(lambda: page_status(bad, 'Something went wrong') or
         page_status(bad, 'Disconnected'), 'noVNC to be refused')
    # Its whole life in events: an INITIALIZED would come before this.
    assert q.ctl.event('VNC_DISCONNECTED')['data']['client']['websocket']
    assert not [e for e in q.ctl.events if e['event'] == 'VNC_INITIALIZED']
    good = Page(browser, url + 'sesame')
    assert poll(lambda: page_status(good, 'Connected'),
                'noVNC to connect') == 'Connected to QEMU'
    ev = q.ctl.event('VNC_INITIALIZED')
    assert ev['data']['server']['auth'] == 'vnc'
    assert ev['data']['client']['websocket'] is True
    q.assert_serving()
