"""Nothing wedges the main loop: the reproducers of issue 8's hangs.

Each case once stopped qcore's main loop for ever (only SIGKILL ended
it).  Each test drives the real binary into the situation and asserts
what a user relies on: the work completes and every other client keeps
being served while it runs."""
import json
import os
import threading

import pytest

from conftest import TIMEOUT
from test_virt import serial  # noqa: F401 (the fixture)

MiB = 1024 * 1024


def big_answer_while_probing(q, client, request, expect_len):
    """Send @request on @client and read its whole answer in a thread,
    while the control monitor is asked query-status over and over.
    Returns (answer line, probes answered, peak RSS in KiB)."""
    got = {}

    def reader():
        try:
            got['line'] = client.recv_line(timeout=TIMEOUT)
        except AssertionError as e:
            got['error'] = e

    client.send_raw(request)
    t = threading.Thread(target=reader, daemon=True)
    t.start()
    probes = 0
    peak = 0
    while t.is_alive():
        # Each answer proves the loop went round while the big answer
        # was being written; a wedged loop fails here with a timeout.
        assert q.ctl.ok('query-status')['status'] in ('running', 'paused')
        probes += 1
        peak = max(peak, q.rss_kib())
        t.join(0)
    t.join()
    assert 'error' not in got, got.get('error')
    assert len(got['line']) >= expect_len
    return got['line'], probes, peak


@pytest.mark.parametrize('size', [4 * MiB])
def test_large_qmp_answer_to_a_reading_client(start, size):
    """A 4 MiB id comes back whole; other monitors are answered and new
    clients greeted meanwhile; memory stays within a few answers."""
    q = start(['-object', 'iothread,id=io0'], measure_memory=True)
    baseline = q.rss_kib()
    c = q.qmp()
    tag = 'A' * size
    req = json.dumps({'execute': 'query-status', 'id': tag}).encode() + b'\n'
    line, probes, peak = big_answer_while_probing(q, c, req, size)
    r = json.loads(line)
    assert r['id'] == tag and r['return']['status'] == 'running'
    assert probes >= 1
    # The request, its parse, the answer and the output queue each hold
    # about one copy of the id.
    assert peak - baseline < 3 * size // 1024 + 8 * 1024, (baseline, peak)
    # The same client goes on working, and so does the loop.
    assert c.ok('query-status')['status'] == 'running'
    c.close()
    q.assert_serving()


def peak_rss_kib(q):
    with open('/proc/%d/status' % q.pid) as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1])
    raise AssertionError('no VmHWM for %d' % q.pid)


def test_16mib_answer_is_written_as_the_client_reads(start):
    """A 16 MiB answer is serialised as the client takes it, not in one
    go: while its client has read only the start, other monitors are
    answered, qcore holds about one copy of the id (the request's), and
    an event and a pipelined request wait for their turn behind the
    answer, which then arrives whole and unbroken."""
    size = 16 * MiB
    q = start([], measure_memory=True)
    baseline = q.rss_kib()
    c = q.qmp()
    tag = 'A' * size
    c.send({'execute': 'query-status', 'id': tag})
    # The answer has started: its first 64 KiB are here.
    while len(c.buf) < 64 * 1024:
        chunk = c.sock.recv(64 * 1024)
        assert chunk, 'qcore closed the connection'
        c.buf += chunk
    assert c.buf.startswith(b'{"return": {') and b'"id": "AAAA' in c.buf
    # The answer is far from complete, and the loop serves everyone.
    assert q.ctl.ok('query-status')['status'] == 'running'
    q.ctl.ok('stop')
    c.send({'execute': 'query-status', 'id': 'after'})
    assert q.ctl.ok('query-status')['status'] == 'paused'
    # Serialised in full up front, the answer was a second copy: the
    # peak (VmHWM) was twice the id.
    grown = peak_rss_kib(q) - baseline
    assert grown < size * 3 // 2 // 1024, (baseline, grown)
    line = c.recv_line()
    r = json.loads(line)
    assert r['id'] == tag and r['return']['status'] == 'running'
    # What came meanwhile, in order and each on its own line.
    assert c.recv()['event'] == 'STOP'
    r = c.recv()
    assert r['id'] == 'after' and r['return']['status'] == 'paused'
    q.ctl.ok('cont')
    c.close()
    q.assert_serving()


def test_16mib_answers_to_two_clients_at_once(start):
    """Two monitors each receive a 16 MiB answer, read in turns: both
    come back whole, each on its own connection."""
    q = start([])
    a, b = q.qmp(), q.ctl
    tags = {'a': 'A' * (16 * MiB), 'b': 'B' * (16 * MiB)}
    a.send({'execute': 'query-status', 'id': tags['a']})
    b.send({'execute': 'query-status', 'id': tags['b']})
    lines = {}
    while len(lines) < 2:
        for name, c in (('a', a), ('b', b)):
            if name in lines:
                continue
            chunk = c.sock.recv(256 * 1024)
            assert chunk, 'qcore closed the connection'
            c.buf += chunk
            if b'\n' in c.buf:
                lines[name] = c.recv_line()
    for name, line in lines.items():
        assert json.loads(line)['id'] == tags[name]
    assert b.ok('query-status')['status'] == 'running'
    a.close()
    q.assert_serving()


def test_large_hmp_answer_through_human_monitor_command(start):
    """The same through HMP: an unknown command is echoed in its error."""
    q = start([])
    c = q.qmp()
    word = 'B' * (2 * MiB)
    req = json.dumps({'execute': 'human-monitor-command',
                      'arguments': {'command-line': word}}).encode()
    line, _, _ = big_answer_while_probing(q, c, req + b'\n', 2 * MiB)
    assert word in json.loads(line)['return']
    c.close()
    q.assert_serving()


FW_JUMP = '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf'
UBOOT = '/usr/lib/u-boot/qemu-riscv64_smode/uboot.elf'


@pytest.mark.skipif(not (os.path.exists(FW_JUMP) and os.path.exists(UBOOT)),
                    reason="Debian's opensbi and u-boot-qemu are not installed")
@pytest.mark.parametrize('how', ['guest', 'qmp'])
def test_reset_under_opensbi_reboots_to_u_boot(start, serial, how):
    """U-Boot's `reset` (an SBI system reset) or QMP system_reset while
    Debian's OpenSBI runs: the board comes back to the U-Boot prompt."""
    q = start(['-M', 'virt', '-m', '256M', '-bios', FW_JUMP,
               '-kernel', UBOOT] + serial.arg(), base=('-display', 'none'))
    serial.accept()
    for boot in range(2):
        serial.expect(b'Hit any key to stop autoboot')
        serial.term.write(b'\r')
        serial.expect(b'=> ')
        assert q.ctl.ok('query-status')['status'] == 'running'
        if boot:
            break
        if how == 'guest':
            serial.term.write(b'reset\r')
            serial.expect(b'resetting ...')
        else:
            q.ctl.ok('system_reset')
        serial.expect(b'OpenSBI v')
