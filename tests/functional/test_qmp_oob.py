"""QMP out-of-band execution as QEMU 7.2: the oob capability, exec-oob,
the monitor I/O thread that runs allow-oob commands (yank, query-yank)
while the main loop is stuck, and the in-band request queue.

The main loop is kept busy without sleeps or timing: pmemsave to a FIFO
blocks the main thread in open() until the test opens the FIFO's reading
end, exactly as it blocks QEMU's.  Everything asserted here was checked
against Debian's qemu-system-riscv64 7.2 with the same requests."""
import contextlib
import os
import socket

import pytest

from qmp import QMPClient


@contextlib.contextmanager
def main_loop_blocked(tmpdir, client, id='blk'):
    """Send an in-band pmemsave to a FIFO: the main thread blocks in
    open() until the block is lifted on leaving the with-block."""
    fifo = os.path.join(tmpdir, 'block.fifo')
    os.mkfifo(fifo)
    client.request('pmemsave', {'val': 0, 'size': 0, 'filename': fifo},
                   id=id)
    try:
        yield
    finally:
        os.close(os.open(fifo, os.O_RDONLY))


def oob_client(vm):
    c = vm.qmp(negotiate=False)
    assert c.cmd('qmp_capabilities', enable=['oob']) == {'return': {}}
    return c


def exec_oob(c, name, id, **args):
    msg = {'exec-oob': name, 'id': id}
    if args:
        msg['arguments'] = args
    c.send(msg)


def test_greeting_offers_oob_on_a_socket_monitor(vm):
    assert vm.qmp(negotiate=False).greeting['QMP']['capabilities'] == ['oob']


def test_enabling_oob_starts_the_monitor_io_thread(vm):
    def names():
        out = set()
        for tid in os.listdir('/proc/%d/task' % vm.pid):
            with open('/proc/%d/task/%s/comm' % (vm.pid, tid)) as f:
                out.add(f.read().strip())
        return out
    assert 'IO mon_iothread' not in names()
    c = oob_client(vm)
    assert c.ok('query-status')['status'] == 'prelaunch'
    assert 'IO mon_iothread' in names()


def test_exec_oob_before_enabling_oob_is_an_unexpected_member(vm):
    c = vm.qmp()
    exec_oob(c, 'query-yank', 1)
    assert c.response() == {'id': 1, 'error': {
        'class': 'GenericError',
        'desc': "QMP input member 'exec-oob' is unexpected"}}


def test_exec_oob_of_a_command_without_allow_oob_is_refused(vm):
    c = oob_client(vm)
    exec_oob(c, 'query-status', 'x')
    assert c.response() == {'id': 'x', 'error': {
        'class': 'GenericError',
        'desc': 'The command query-status does not support OOB'}}
    c.send({'exec-oob': 'query-yank', 'execute': 'query-status'})
    assert c.response()['error']['desc'] == \
        "QMP input member 'execute' clashes with 'exec-oob'"
    c.send({'exec-oob': 3})
    assert c.response()['error']['desc'] == \
        "QMP input member 'exec-oob' must be a string"
    exec_oob(c, 'no-such', 'n')
    assert c.response()['error'] == {
        'class': 'CommandNotFound',
        'desc': 'The command no-such has not been found'}


def test_query_yank_lists_socket_chardevs(start):
    vm = start(['-chardev', 'null,id=n0'])
    c = oob_client(vm)
    exec_oob(c, 'query-yank', 'y')
    r = c.response()
    assert r['id'] == 'y'
    assert {'type': 'chardev', 'id': 'ctl'} in r['return']
    assert all(i['type'] == 'chardev' for i in r['return'])
    assert {'type': 'chardev', 'id': 'n0'} not in r['return']
    # ... in-band too, like any command.
    assert c.ok('query-yank') == r['return']


def test_yank_checks_its_instances_as_qemu(vm):
    c = oob_client(vm)
    cases = [
        ([{'type': 'chardev', 'id': 'nope'}], 'DeviceNotFound',
         'Instance not found'),
        ([{'type': 'migration'}], 'DeviceNotFound', 'Instance not found'),
        ([{'type': 'foo'}], 'GenericError',
         "Parameter 'type' does not accept value 'foo'"),
        ([{'id': 'x'}], 'GenericError',
         "Parameter 'instances[0].type' is missing"),
        ([{'type': 'chardev'}], 'GenericError',
         "Parameter 'instances[0].id' is missing"),
        ([{'type': 'chardev', 'id': 'ctl', 'x': 1}], 'GenericError',
         "Parameter 'instances[0].x' is unexpected"),
        ([3], 'GenericError',
         "Invalid parameter type for 'instances[0]', expected: object"),
    ]
    for i, (instances, cls, desc) in enumerate(cases):
        exec_oob(c, 'yank', i, instances=instances)
        assert c.response() == {'id': i, 'error': {'class': cls,
                                                   'desc': desc}}
    exec_oob(c, 'yank', 'empty', instances=[])
    assert c.response() == {'id': 'empty', 'return': {}}


def test_oob_answer_overtakes_an_in_band_command_that_blocks(vm, tmpdir_short):
    c = oob_client(vm)
    with main_loop_blocked(tmpdir_short, c):
        c.request('query-status', id='after')
        exec_oob(c, 'query-yank', 'oob')
        # Answered while the main thread is stuck in pmemsave.
        r = c.response()
        assert r['id'] == 'oob'
        assert {'type': 'chardev', 'id': 'ctl'} in r['return']
    assert c.response() == {'return': {}, 'id': 'blk'}
    assert c.response()['id'] == 'after'


def test_yank_cuts_a_connection_while_the_main_loop_is_stuck(start,
                                                             tmpdir_short):
    path = os.path.join(tmpdir_short, 'peer.sock')
    vm = start(['-chardev', 'socket,id=peer,path=%s,server=on,wait=off'
                % path])
    peer = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    peer.connect(path)
    c = oob_client(vm)
    # The main loop has accepted the peer: its name lost "disconnected:".
    # (Commands run after the accept that the connect() made pending.)
    peer_info = [d for d in c.ok('query-chardev') if d['label'] == 'peer']
    assert peer_info[0]['filename'] == 'unix:%s,server=on' % path
    with main_loop_blocked(tmpdir_short, c):
        exec_oob(c, 'yank', 'y', instances=[{'type': 'chardev', 'id': 'peer'}])
        assert c.response() == {'id': 'y', 'return': {}}
        # Nothing but the yank could end it: the main loop is stuck.
        peer.settimeout(60)
        assert peer.recv(1) == b''
    assert c.response() == {'return': {}, 'id': 'blk'}
    peer.close()


def test_full_queue_stops_reading_until_there_is_room(vm, tmpdir_short):
    """With oob the monitor queues up to 8 in-band requests, then stops
    reading: an exec-oob sent after the 8th is not even read until the
    main loop takes one; nothing is dropped (QEMU 7.2 has no
    COMMAND_DROPPED any more)."""
    c = oob_client(vm)
    with main_loop_blocked(tmpdir_short, c):
        for i in range(7):
            c.request('query-name', id=i)
        exec_oob(c, 'query-yank', 'seven-queued')
        assert c.response()['id'] == 'seven-queued'
        c.request('query-name', id=7)
        exec_oob(c, 'query-yank', 'eight-queued')
        for i in range(8, 12):
            c.request('query-name', id=i)
    got = [c.response()['id'] for _ in range(14)]
    # The blocked command was answered before the late exec-oob was read.
    assert got.index('blk') < got.index('eight-queued')
    assert [i for i in got if i not in ('blk', 'eight-queued')] == \
        list(range(12))


def test_without_oob_nothing_is_dropped(vm, tmpdir_short):
    c = vm.qmp()
    with main_loop_blocked(tmpdir_short, c):
        for i in range(20):
            c.request('query-name', id=i)
    assert c.response() == {'return': {}, 'id': 'blk'}
    assert [c.response()['id'] for _ in range(20)] == list(range(20))
    assert not c.events


def test_oob_monitor_reconnect_starts_without_oob(vm):
    c = oob_client(vm)
    c.close()
    d = vm.qmp(negotiate=False)
    assert d.greeting['QMP']['capabilities'] == ['oob']
    d.negotiate()
    exec_oob(d, 'query-yank', 1)
    assert d.response()['error']['desc'] == \
        "QMP input member 'exec-oob' is unexpected"
    assert d.ok('query-name') == {'name': 'demo'}


def test_events_and_answers_do_not_interleave(vm):
    """Answers from the I/O thread and events and answers from the main
    loop share one stream: every line must be one whole message."""
    c = oob_client(vm)
    for i in range(50):
        c.request('stop' if i % 2 else 'cont', id='c%d' % i)
        exec_oob(c, 'query-yank', 'o%d' % i)
    ids = []
    while len(ids) < 100:
        m = c.recv()                       # json.loads of a whole line
        if 'event' in m:
            assert m['event'] in ('STOP', 'RESUME')
        else:
            assert 'return' in m, m
            ids.append(m['id'])
    assert [i for i in ids if i.startswith('c')] == \
        ['c%d' % i for i in range(50)]


def test_requests_read_with_the_oob_negotiation_keep_their_order(vm):
    """qmp_capabilities moves the monitor to the I/O thread once the
    read that brought it is done; what came in the same write (here a
    system_reset, whose answer waits for RESET) is answered in order."""
    c = vm.qmp(negotiate=False)
    c.send_raw(b'{"execute": "qmp_capabilities", "id": 0,'
               b' "arguments": {"enable": ["oob"]}}'
               b'{"execute": "system_reset", "id": 1}'
               b'{"execute": "query-name", "id": 2}'
               b'{"exec-oob": "query-yank", "id": 3}')
    got = [c.recv() for _ in range(5)]
    assert [m.get('event', m.get('id')) for m in got] == \
        [0, 'RESET', 1, 2, 3]
    exec_oob(c, 'query-yank', 4)
    assert c.response()['id'] == 4


def test_schema_marks_the_allow_oob_commands(qmp):
    schema = qmp.ok('query-qmp-schema')
    oob = sorted(e['name'] for e in schema if e.get('allow-oob'))
    assert oob == ['query-yank', 'yank']
