"""A small QMP client written with the Python standard library only.

    c = QMPClient.connect('/tmp/x/qmp.sock')   # reads the greeting
    c.negotiate()                              # qmp_capabilities
    c.cmd('query-status')                      # -> {'return': {...}}
    c.cmd('qom-set', path='/objects/io0', property='poll-max-ns', value=0)
    c.cmd('object-add', **{'qom-type': 'iothread', 'id': 'io1'})
    c.event('STOP')                            # waits for the event

Every wait has a generous timeout that only guards against a hung test:
nothing here sleeps to synchronise.  Events that arrive while waiting for
a response are queued and handed out by event()/events.
"""
import json
import os
import select
import socket
import time

# Guard against hangs only; never a performance assertion.  Generous so
# that the suite also passes against a sanitizer build.
DEFAULT_TIMEOUT = float(os.environ.get('QCORE_TEST_TIMEOUT', '60'))


class QMPTimeout(AssertionError):
    pass


class QMPClosed(AssertionError):
    pass


class QMPClient:
    def __init__(self, sock, timeout=DEFAULT_TIMEOUT):
        self.sock = sock
        self.timeout = timeout
        self.buf = b''
        self.events = []          # events not yet consumed by event()
        self.greeting = None
        self._next_id = 0

    # -- connection -------------------------------------------------------

    @classmethod
    def connect(cls, path, timeout=DEFAULT_TIMEOUT, greeting=True):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
        c = cls(s, timeout)
        if greeting:
            c.read_greeting()
        return c

    @classmethod
    def from_socket(cls, sock, timeout=DEFAULT_TIMEOUT, greeting=True):
        c = cls(sock, timeout)
        if greeting:
            c.read_greeting()
        return c

    def read_greeting(self):
        msg = self.recv()
        assert 'QMP' in msg, 'expected a greeting, got %r' % (msg,)
        self.greeting = msg
        return msg

    def negotiate(self):
        r = self.cmd('qmp_capabilities')
        assert r == {'return': {}}, r
        return self

    def close(self):
        if self.sock is not None:
            try:
                self.sock.close()
            finally:
                self.sock = None

    def fileno(self):
        return self.sock.fileno()

    # -- sending ----------------------------------------------------------

    def send_raw(self, data):
        """Write bytes exactly as given (no framing, no newline added)."""
        self.sock.sendall(data)

    def send(self, obj):
        self.send_raw(json.dumps(obj).encode() + b'\n')

    def request(self, name, args=None, id=None):
        msg = {'execute': name}
        if args is not None:
            msg['arguments'] = args
        if id is not None:
            msg['id'] = id
        self.send(msg)

    # -- receiving --------------------------------------------------------

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise QMPTimeout('no data from qcore within %ss' % self.timeout)
        r, _, _ = select.select([self.sock], [], [], left)
        if not r:
            raise QMPTimeout('no data from qcore within %ss' % self.timeout)
        data = self.sock.recv(1 << 20)
        if not data:
            raise QMPClosed('qcore closed the connection')
        self.buf += data

    def recv_line(self, timeout=None):
        """The next raw line the server wrote (without the line end)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while b'\n' not in self.buf:
            self._fill(deadline)
        line, self.buf = self.buf.split(b'\n', 1)
        return line.rstrip(b'\r')

    def recv(self, timeout=None):
        """The next message, response or event, parsed."""
        while True:
            line = self.recv_line(timeout)
            if line.strip():
                return json.loads(line)

    def response(self, timeout=None):
        """The next response; events met on the way are queued."""
        while True:
            msg = self.recv(timeout)
            if 'event' in msg:
                self.events.append(msg)
                continue
            return msg

    def cmd(self, name, **args):
        """Run a command; returns the whole response dict."""
        self._next_id += 1
        tag = '__qmp_py_%d' % self._next_id
        self.request(name, args if args else None, id=tag)
        while True:
            r = self.response()
            if r.get('id') == tag:
                del r['id']
                return r
            raise AssertionError('unexpected response %r' % (r,))

    def ok(self, name, **args):
        """Run a command that must succeed; returns its 'return' value."""
        r = self.cmd(name, **args)
        assert 'return' in r, '%s failed: %r' % (name, r)
        return r['return']

    def event(self, name, timeout=None):
        """Wait for (and consume) the first event called @name."""
        for i, e in enumerate(self.events):
            if e['event'] == name:
                return self.events.pop(i)
        while True:
            msg = self.recv(timeout)
            if msg.get('event') == name:
                return msg
            if 'event' in msg:
                self.events.append(msg)
            else:
                raise AssertionError('unexpected message %r while waiting '
                                     'for %s' % (msg, name))

    def wait_eof(self, timeout=None):
        """Wait until the server closes the connection; returns the
        messages that arrived before the end."""
        deadline = time.monotonic() + (timeout or self.timeout)
        msgs = []
        while True:
            while b'\n' in self.buf:
                line, self.buf = self.buf.split(b'\n', 1)
                if line.strip():
                    msgs.append(json.loads(line))
            try:
                self._fill(deadline)
            except QMPClosed:
                return msgs
            except ConnectionResetError:
                return msgs
