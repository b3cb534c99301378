"""Hostile QMP input.  Each case gets a clear error (or a correct answer)
on its own connection, and afterwards the process is alive and a fresh
client is served.  A QMP socket takes one client at a time, as QEMU's
does, so the hostile client is closed before the fresh one connects."""
import json
import os
import random
import socket
import threading

import pytest

from conftest import TIMEOUT
from qmp import QMPClient

MiB = 1024 * 1024


def answer_after(c, tag):
    """Send a good request tagged @tag and return its response, skipping
    the error responses the bad input before it may still produce."""
    c.send_raw(json.dumps({'execute': 'query-status', 'id': tag}).encode()
               + b'\n')
    while True:
        r = c.response()
        if r.get('id') == tag:
            return r
        assert 'error' in r, r


def errors_until_answer(c, tag):
    c.send_raw(json.dumps({'execute': 'query-status', 'id': tag}).encode()
               + b'\n')
    errors = []
    while True:
        r = c.response()
        if r.get('id') == tag:
            return errors, r
        assert 'error' in r, r
        errors.append(r['error'])


@pytest.fixture
def hq(start):
    """A qcore plus its baseline RSS (ASan's quarantine capped: see
    conftest.ASAN_QUARANTINE_MB)."""
    q = start(['-object', 'iothread,id=io0'], measure_memory=True)
    c = q.qmp()
    c.ok('query-qmp-schema')
    c.close()
    q.baseline_kib = q.rss_kib()
    return q


def assert_recovered(q):
    q.assert_serving()
    assert q.rss_kib() < q.baseline_kib + 64 * 1024


def test_one_megabyte_string_argument(hq):
    c = hq.qmp()
    big = 'A' * MiB
    c.request('qom-get', {'path': big, 'property': 'x'}, id='big')
    r = c.response()
    assert r['id'] == 'big'
    assert r['error']['class'] in ('DeviceNotFound', 'GenericError')
    assert answer_after(c, 'after')['return']['status'] == 'running'
    c.close()
    assert_recovered(hq)


def test_one_megabyte_string_round_trips_through_hmp(hq):
    c = hq.qmp()
    prop = 'p' * MiB
    r = c.cmd('human-monitor-command',
              **{'command-line': 'qom-get /objects/io0 ' + prop})
    assert isinstance(r['return'], str)
    assert 'not found' in r['return']
    c.close()
    assert_recovered(hq)


def test_1000_deep_nesting(hq):
    c = hq.qmp()
    deep = b'[' * 1000 + b']' * 1000
    c.send_raw(b'{"execute": "qom-set", "id": "deep", "arguments": '
               b'{"path": "/objects/io0", "property": "poll-max-ns", '
               b'"value": ' + deep + b'}}\n')
    r = c.response()
    assert r['error']['class'] == 'GenericError'
    assert answer_after(c, 'after')['return']['status'] == 'running'
    assert c.ok('qom-get', path='/objects/io0', property='poll-max-ns') \
        == 32768
    c.close()
    assert_recovered(hq)


@pytest.mark.parametrize('depth', [100000, 1000000])
def test_extreme_nesting_is_refused_with_the_depth_error(hq, depth):
    c = hq.qmp()
    # As QEMU: each 1025th bracket drops the message and the next one
    # starts a new message, so the last ones stay open (and would swallow
    # the next command) until the client resynchronises with 0xFF.
    c.send_raw(b'[' * depth + b'\n\xff')
    errors, r = errors_until_answer(c, 'after')
    assert errors[:-1] == [{'class': 'GenericError',
                            'desc': 'JSON nesting depth limit exceeded'}] \
        * (depth // 1025)
    assert errors[-1]['desc'] == "JSON parse error, stray '\\xff'"
    assert r['return']['status'] == 'running'
    c.close()
    assert_recovered(hq)


@pytest.mark.parametrize('bad', [
    b'\xc3\x28',                # bad continuation byte
    b'\xed\xa0\x80',            # a UTF-16 surrogate
    b'\xc0\xaf',                # overlong '/'
    b'\xf8\x88\x80\x80\x80',    # 5-byte sequence
    b'\xf4\x90\x80\x80',        # above U+10FFFF
    b'\xe2\x82',                # truncated
], ids=['continuation', 'surrogate', 'overlong', 'five-byte', 'too-big',
        'truncated'])
def test_invalid_utf8_in_a_string(hq, bad):
    c = hq.qmp()
    c.send_raw(b'{"execute": "qom-get", "arguments": {"path": "/x' + bad +
               b'y", "property": "type"}}\n')
    r = c.response()
    assert r['error']['class'] == 'GenericError'
    assert 'UTF-8' in r['error']['desc']
    assert answer_after(c, 'after')['return']['status'] == 'running'
    c.close()
    assert_recovered(hq)


def test_invalid_utf8_in_several_messages_each_get_an_error(hq):
    c = hq.qmp()
    for bad in (b'\xc3\x28', b'\xed\xa0\x80', b'\xc0\xaf'):
        c.send_raw(b'{"execute": "qom-get", "arguments": {"path": "' + bad +
                   b'", "property": "type"}}\n')
    for _ in range(3):
        assert 'UTF-8' in c.response()['error']['desc']
    assert answer_after(c, 'after')['return']['status'] == 'running'


@pytest.mark.parametrize('seed', [1, 2, 3])
def test_random_garbage(hq, seed):
    rnd = random.Random(seed)
    c = hq.qmp()
    c.send_raw(bytes(rnd.getrandbits(8) for _ in range(64 * 1024)))
    # 0xFF (never valid in JSON) makes the parser start over, as in QEMU.
    c.send_raw(b'\xff\n')
    assert answer_after(c, 'after')['return']['status'] == 'running'
    c.close()
    assert_recovered(hq)


@pytest.mark.parametrize('seed', [4, 5])
def test_random_json_punctuation(hq, seed):
    rnd = random.Random(seed)
    c = hq.qmp()
    c.send_raw(bytes(rnd.choice(b'{}[]:,"\\ \n0123456789-eE.tfn\x00\x1f\x7f')
                     for _ in range(64 * 1024)))
    c.send_raw(b'\xff\n')
    assert answer_after(c, 'after')['return']['status'] == 'running'
    c.close()
    assert_recovered(hq)


def test_request_split_byte_by_byte(hq):
    c = hq.qmp()
    req = json.dumps({'execute': 'qom-get', 'id': 'slow',
                      'arguments': {'path': '/objects/io0',
                                    'property': 'poll-max-ns'}}).encode()
    for b in req:
        c.send_raw(bytes([b]))
    assert c.response() == {'return': 32768, 'id': 'slow'}
    c.close()
    assert_recovered(hq)


def test_request_split_inside_multibyte_utf8(hq):
    c = hq.qmp()
    req = json.dumps({'execute': 'qom-get', 'id': 1,
                      'arguments': {'path': '/\u20ac\U0001F600',
                                    'property': 'x'}},
                     ensure_ascii=False).encode()
    for b in req:
        c.send_raw(bytes([b]))
    r = c.response()
    assert r['error']['desc'] == "Device '/\u20ac\U0001F600' not found"


def test_100_requests_in_one_write(hq):
    c = hq.qmp()
    c.send_raw(b''.join(json.dumps({'execute': 'query-status',
                                    'id': i}).encode() for i in range(100)))
    ids = [c.response()['id'] for _ in range(100)]
    assert ids == list(range(100))
    c.close()
    assert_recovered(hq)


def test_32_clients_queued_on_one_socket_are_all_served(hq):
    """A QMP socket serves one client at a time (QEMU's rule); 32 clients
    that connect at once all get a greeting and their answers in turn."""
    results = [None] * 32
    errors = []

    def client(i):
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(hq.qmp_path)      # may wait in the listen backlog
            c = QMPClient.from_socket(s).negotiate()
            results[i] = c.ok('qom-get', path='/objects/io0',
                              property='type')
            c.close()
        except Exception as e:          # reported below
            errors.append((i, repr(e)))

    threads = [threading.Thread(target=client, args=(i,), daemon=True)
               for i in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
    assert not errors, errors
    assert results == ['iothread'] * 32
    assert_recovered(hq)


def test_32_monitors_serve_32_concurrent_clients(start, tmpdir_short):
    """32 QMP monitors, 32 clients connected at the same time: all get
    greetings, answers, and every event."""
    paths = [os.path.join(tmpdir_short, 'm%d.sock' % i) for i in range(32)]
    args = []
    for p in paths:
        args += ['-qmp', 'unix:%s,server=on,wait=off' % p]
    q = start(args + ['-S'])
    clients = [QMPClient.connect(p, greeting=False) for p in paths]
    for c in clients:
        c.read_greeting()
    for c in clients:
        c.request('qmp_capabilities', id='neg')
    for i, c in enumerate(clients):
        assert c.response() == {'return': {}, 'id': 'neg'}
        c.request('query-status', id=i)
    for i, c in enumerate(clients):
        assert c.response() == {'return': {'status': 'prelaunch',
                                           'singlestep': False,
                                           'running': False}, 'id': i}
    clients[7].ok('cont')
    for c in clients:
        assert c.event('RESUME')['event'] == 'RESUME'
    for c in clients:
        c.close()
    assert q.alive()


def test_client_disconnects_mid_request(hq):
    s = hq.raw()
    s.recv(4096)                                   # greeting
    s.sendall(b'{"execute": "qmp_capabilities"}\n{"execute": "qom-get", '
              b'"arguments": {"path": "/obj')
    s.close()
    assert_recovered(hq)


def test_client_disconnects_mid_greeting_and_mid_response(hq):
    s = hq.raw()
    s.close()                                      # before the greeting
    s = hq.raw()
    s.sendall(b'{"execute": "qmp_capabilities"}' +
              b'{"execute": "query-qmp-schema"}' * 50)
    s.close()                                      # answers unread
    assert_recovered(hq)


def test_client_resets_the_connection(hq):
    import struct
    s = hq.raw()
    s.sendall(b'{"execute": "qmp_capabilities"}' +
              b'{"execute": "query-qmp-schema"}' * 50)
    # SO_LINGER 0: close with a reset, unread data discarded.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    s.close()
    assert_recovered(hq)


def test_client_that_never_reads_keeps_memory_bounded(start):
    """A client floods requests with big answers and reads nothing.  The
    server must bound what it queues for it (stop reading its requests)
    and keep serving everybody else with bounded memory.  RSS is what is
    measured, with ASan's quarantine capped (conftest.ASAN_QUARANTINE_MB)
    so that under ASan it too counts what qcore holds, not what it freed."""
    q = start(['-object', 'iothread,id=io0'], measure_memory=True)
    probe = q.ctl
    probe.ok('query-qmp-schema')
    baseline = q.rss_kib()

    flood = q.raw()
    flood.sendall(b'{"execute": "qmp_capabilities"}')
    # ~10 KiB of answer per request: unbounded queueing of 20000 of them
    # would take ~200 MiB.  The last request stops the machine, which
    # every monitor sees: if the server ever got that far, it processed
    # every request of the flood.
    req = b'{"execute": "query-qmp-schema"}'
    data = req * 20000 + b'{"execute": "stop"}'
    done = threading.Event()
    sent_all = []

    def writer():
        try:
            flood.sendall(data)
            sent_all.append(True)
        except OSError:
            pass            # the server dropped us, or we shut it down
        done.set()

    t = threading.Thread(target=writer, daemon=True)
    t.start()
    peak = 0
    # Each round trip is a main-loop iteration in which the server may
    # read more of the flood; memory must stay bounded throughout, and
    # the other monitor must keep being answered.
    for _ in range(500):
        assert probe.ok('query-status')['status'] in ('running', 'paused')
        peak = max(peak, q.rss_kib())
        if done.is_set():
            break
    if sent_all:
        # The server took the whole flood (no back-pressure): wait until
        # it has processed all of it, then memory must still be bounded.
        probe.event('STOP')
        peak = max(peak, q.rss_kib())
    assert peak < baseline + 64 * 1024, (baseline, peak)
    flood.shutdown(socket.SHUT_RDWR)
    flood.close()
    t.join(TIMEOUT)
    assert not t.is_alive()
    q.assert_serving()
    assert q.rss_kib() < baseline + 64 * 1024
