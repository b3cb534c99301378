"""SIGTERM and SIGINT: a SHUTDOWN event with reason host-signal reaches
every connected monitor before qcore exits with status 0."""
import os
import signal

import pytest


@pytest.mark.parametrize('signo', [signal.SIGTERM, signal.SIGINT],
                         ids=['SIGTERM', 'SIGINT'])
def test_signal_sends_shutdown_to_every_monitor_then_exits_0(start, signo):
    q = start(['-S'])
    clients = [q.qmp(), q.ctl]
    os.kill(q.pid, signo)
    for c in clients:
        msgs = c.wait_eof()
        shut = [m for m in msgs if m.get('event') == 'SHUTDOWN']
        assert len(shut) == 1, msgs
        assert shut[0]['data'] == {'guest': False, 'reason': 'host-signal'}
    assert q.wait() == 0


def test_signal_while_running_and_with_iothreads(start):
    q = start(['-object', 'iothread,id=a', '-object', 'iothread,id=b'])
    c = q.qmp()
    c.ok('object-add', **{'qom-type': 'iothread', 'id': 'c'})
    os.kill(q.pid, signal.SIGTERM)
    ev = c.event('SHUTDOWN')
    assert ev['data']['reason'] == 'host-signal'
    c.wait_eof()
    assert q.wait() == 0


def test_signal_with_a_client_that_never_reads(start):
    """A client that reads nothing must not keep the others from getting
    SHUTDOWN or the process from exiting."""
    q = start()
    stuck = q.raw()     # connected; greeting and answers never read
    stuck.sendall(b'{"execute": "qmp_capabilities"}' +
                  b'{"execute": "query-qmp-schema"}' * 200)
    os.kill(q.pid, signal.SIGTERM)
    assert q.ctl.event('SHUTDOWN')['data']['reason'] == 'host-signal'
    assert q.wait() == 0
    stuck.close()
