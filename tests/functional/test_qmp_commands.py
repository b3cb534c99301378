"""Every QMP command's result shape, runstate transitions and their
events, QOM and iothreads, chardevs, HMP passthrough, the schema, and the
main-loop introspection."""
import os
import re

import pytest

COMMANDS = {
    'qmp_capabilities', 'query-version', 'query-commands', 'query-name',
    'query-status', 'stop', 'cont', 'system_reset', 'system_powerdown',
    'quit', 'qom-list', 'qom-get', 'qom-set', 'qom-list-types',
    'qom-list-properties', 'object-add', 'object-del', 'query-iothreads',
    'query-chardev', 'human-monitor-command', 'query-qmp-schema',
    'x-query-main-loop', 'query-chardev-backends', 'chardev-remove',
    'ringbuf-write', 'ringbuf-read',
}
EVENTS = {'STOP', 'RESUME', 'SHUTDOWN', 'RESET', 'POWERDOWN'}


def check_timestamp(ev):
    ts = ev['timestamp']
    assert set(ts) == {'seconds', 'microseconds'}
    assert isinstance(ts['seconds'], int) and ts['seconds'] > 0
    assert isinstance(ts['microseconds'], int)
    assert 0 <= ts['microseconds'] < 1000000


# -- queries ----------------------------------------------------------------

def test_query_commands_lists_every_command(qmp):
    names = [c['name'] for c in qmp.ok('query-commands')]
    assert len(names) == len(set(names))
    assert set(names) >= COMMANDS


def test_query_name(qmp):
    assert qmp.ok('query-name') == {'name': 'demo'}


def test_query_name_without_name_is_empty(start):
    q = start()
    assert q.qmp().ok('query-name') == {}


def test_ringbuf_write_read_and_chardev_remove(start):
    q = start(['-chardev', 'ringbuf,id=rb0,size=64'])
    c = q.qmp()
    assert c.ok('ringbuf-write', device='rb0', data='hello ') == {}
    assert c.ok('ringbuf-write', device='rb0', data='d29ybGQ=',
                format='base64') == {}
    assert c.ok('ringbuf-read', device='rb0', size=5) == 'hello'
    assert c.ok('ringbuf-read', device='rb0', size=100,
                format='base64') == 'IHdvcmxk'          # " world"
    r = c.cmd('ringbuf-read', device='rb0', size=4, format='hex')
    assert r['error']['desc'] == \
        "Parameter 'format' does not accept value 'hex'"
    r = c.cmd('ringbuf-read', device='nosuch', size=4)
    assert r['error']['class'] == 'DeviceNotFound'
    assert c.ok('chardev-remove', id='rb0') == {}
    r = c.cmd('chardev-remove', id='rb0')
    assert r['error'] == {'class': 'DeviceNotFound',
                          'desc': "Chardev 'rb0' not found"}
    names = {b['name'] for b in c.ok('query-chardev-backends')}
    assert {'socket', 'ringbuf', 'null', 'stdio'} <= names


def test_query_version_shape(qmp):
    v = qmp.ok('query-version')
    assert set(v) == {'qemu', 'package'}
    assert set(v['qemu']) == {'major', 'minor', 'micro'}


def test_query_status_prelaunch_with_S(qmp):
    assert qmp.ok('query-status') == {'status': 'prelaunch',
                                      'singlestep': False, 'running': False}


def test_query_status_running_without_S(start):
    c = start().qmp()
    assert c.ok('query-status') == {'status': 'running',
                                    'singlestep': False, 'running': True}


# -- runstate and events ----------------------------------------------------

def test_cont_from_prelaunch_runs_and_emits_resume(qmp):
    assert qmp.cmd('cont') == {'return': {}}
    ev = qmp.event('RESUME')
    check_timestamp(ev)
    assert 'data' not in ev
    assert qmp.ok('query-status') == {'status': 'running',
                                      'singlestep': False, 'running': True}


def test_stop_pauses_and_emits_stop(qmp):
    qmp.ok('cont')
    qmp.event('RESUME')
    assert qmp.cmd('stop') == {'return': {}}
    check_timestamp(qmp.event('STOP'))
    assert qmp.ok('query-status') == {'status': 'paused',
                                      'singlestep': False, 'running': False}
    qmp.ok('cont')
    qmp.event('RESUME')
    assert qmp.ok('query-status')['status'] == 'running'


def test_stop_and_cont_twice_emit_one_event_each(qmp):
    qmp.ok('cont')
    qmp.ok('cont')              # already running: no second RESUME
    qmp.ok('stop')
    qmp.ok('stop')              # already paused: no second STOP
    qmp.ok('system_reset')
    got = [qmp.event(n)['event'] for n in ('RESUME', 'STOP', 'RESET')]
    assert got == ['RESUME', 'STOP', 'RESET']
    assert qmp.events == []


def test_events_go_to_every_monitor(vm, qmp):
    other = vm.ctl
    qmp.ok('cont')
    assert qmp.event('RESUME')['event'] == 'RESUME'
    assert other.event('RESUME')['event'] == 'RESUME'


def test_system_reset_emits_reset(qmp):
    assert qmp.cmd('system_reset') == {'return': {}}
    ev = qmp.event('RESET')
    check_timestamp(ev)
    assert ev['data'] == {'guest': False, 'reason': 'host-qmp-system-reset'}


def test_system_powerdown_emits_powerdown(qmp):
    qmp.ok('cont')
    assert qmp.cmd('system_powerdown') == {'return': {}}
    ev = qmp.event('POWERDOWN')
    check_timestamp(ev)
    assert 'data' not in ev


def test_quit_sends_shutdown_then_answer_and_no_stop(start):
    """QEMU 7.2's exact sequence: SHUTDOWN (sent as the main loop ends its
    iteration), then the answer, then the end of the stream; no STOP even
    though the VM was running."""
    vm = start(['-name', 'demo'])
    qmp = vm.qmp()
    assert qmp.ok('query-status')['running'] is True
    qmp.request('quit', id='q')
    msgs = qmp.wait_eof()
    assert [m.get('event', 'answer') for m in msgs] == ['SHUTDOWN', 'answer']
    check_timestamp(msgs[0])
    assert msgs[0]['data'] == {'guest': False, 'reason': 'host-qmp-quit'}
    assert msgs[1] == {'return': {}, 'id': 'q'}
    assert vm.wait() == 0


def test_reset_and_powerdown_events_come_before_their_answers(qmp):
    """As QEMU 7.2: RESET and POWERDOWN are emitted by the main loop at the
    end of the iteration that ran the command, before its answer."""
    qmp.ok('cont')
    qmp.event('RESUME')
    for name, event in (('system_reset', 'RESET'),
                        ('system_powerdown', 'POWERDOWN')):
        qmp.request(name, id=name)
        first, second = qmp.recv(), qmp.recv()
        assert first['event'] == event
        assert second == {'return': {}, 'id': name}


def test_requests_behind_a_held_answer_keep_their_order(qmp):
    """Requests sent in the same write as system_reset wait for its
    answer, which waits for RESET: the order on the wire is QEMU's."""
    qmp.send_raw(b'{"execute": "system_reset", "id": 1}'
                 b'{"execute": "query-name", "id": 2}'
                 b'{"execute": "system_reset", "id": 3}'
                 b'{"execute": "query-name", "id": 4}')
    got = [qmp.recv() for _ in range(6)]
    assert [m.get('event', m.get('id')) for m in got] == \
        ['RESET', 1, 2, 'RESET', 3, 4]


def test_quit_shutdown_event_reaches_other_monitors(vm, qmp):
    qmp.ok('quit')
    ev = vm.ctl.event('SHUTDOWN')
    assert ev['data'] == {'guest': False, 'reason': 'host-qmp-quit'}
    vm.ctl.wait_eof()
    assert vm.wait() == 0


# -- QOM --------------------------------------------------------------------

def test_qom_list_root_has_the_composition_tree(qmp):
    props = {p['name']: p['type'] for p in qmp.ok('qom-list', path='/')}
    assert props.get('objects') == 'child<container>'
    assert props.get('chardevs') == 'child<container>'
    assert props.get('machine', '').startswith('child<')


def test_qom_list_objects_has_io0(qmp):
    props = {p['name']: p['type'] for p in qmp.ok('qom-list',
                                                  path='/objects')}
    assert props['io0'] == 'child<iothread>'


def test_qom_list_iothread_properties(qmp):
    props = {p['name']: p['type'] for p in qmp.ok('qom-list',
                                                  path='/objects/io0')}
    for name in ('poll-max-ns', 'poll-grow', 'poll-shrink'):
        assert props[name] == 'int'
    assert props['type'] == 'string'


def test_qom_get_type_and_poll_max_ns(qmp):
    assert qmp.ok('qom-get', path='/objects/io0', property='type') == \
        'iothread'
    assert qmp.ok('qom-get', path='/objects/io0',
                  property='poll-max-ns') == 32768


def test_qom_set_poll_max_ns_is_seen_by_qom_get_and_query_iothreads(vm, qmp):
    assert qmp.cmd('qom-set', path='/objects/io0', property='poll-max-ns',
                   value=1000) == {'return': {}}
    assert qmp.ok('qom-get', path='/objects/io0',
                  property='poll-max-ns') == 1000
    (io0,) = qmp.ok('query-iothreads')
    assert io0['id'] == 'io0'
    assert io0['poll-max-ns'] == 1000
    qmp.ok('qom-set', path='/objects/io0', property='poll-grow', value=4)
    qmp.ok('qom-set', path='/objects/io0', property='poll-shrink', value=3)
    (io0,) = qmp.ok('query-iothreads')
    assert (io0['poll-grow'], io0['poll-shrink']) == (4, 3)


def test_qom_set_wrong_type_and_range(qmp):
    r = qmp.cmd('qom-set', path='/objects/io0', property='poll-max-ns',
                value='fast')
    assert r['error'] == {'class': 'GenericError',
                          'desc': "Invalid parameter type for 'poll-max-ns', "
                                  "expected: integer"}
    r = qmp.cmd('qom-set', path='/objects/io0', property='poll-max-ns',
                value=-5)
    assert r['error']['class'] == 'GenericError'
    assert qmp.ok('qom-get', path='/objects/io0',
                  property='poll-max-ns') == 32768


def test_qom_set_on_missing_path_is_device_not_found(qmp):
    r = qmp.cmd('qom-set', path='/objects/nope', property='poll-max-ns',
                value=1)
    assert r['error'] == {'class': 'DeviceNotFound',
                          'desc': "Device '/objects/nope' not found"}


def test_qom_list_on_missing_path_is_device_not_found(qmp):
    r = qmp.cmd('qom-list', path='/nope')
    assert r['error'] == {'class': 'DeviceNotFound',
                          'desc': "Device '/nope' not found"}


def test_query_iothreads_thread_id_is_a_real_thread(vm, qmp):
    (io0,) = qmp.ok('query-iothreads')
    assert set(io0) >= {'id', 'thread-id', 'poll-max-ns', 'poll-grow',
                        'poll-shrink'}
    assert io0['thread-id'] in vm.tids()
    assert io0['thread-id'] != vm.pid


def test_object_add_and_del_iothread_creates_and_ends_a_thread(vm, qmp):
    before = vm.tids()
    assert qmp.cmd('object-add', **{'qom-type': 'iothread', 'id': 'io1',
                                    'poll-max-ns': 0}) == {'return': {}}
    threads = {t['id']: t for t in qmp.ok('query-iothreads')}
    assert set(threads) == {'io0', 'io1'}
    tid = threads['io1']['thread-id']
    assert tid not in before and tid in vm.tids()
    assert threads['io1']['poll-max-ns'] == 0
    assert qmp.ok('qom-get', path='/objects/io1', property='type') == \
        'iothread'
    assert qmp.cmd('object-del', id='io1') == {'return': {}}
    # object-del joins the thread before it answers.
    assert tid not in vm.tids()
    assert [t['id'] for t in qmp.ok('query-iothreads')] == ['io0']
    assert qmp.cmd('qom-get', path='/objects/io1',
                   property='type')['error']['class'] == 'DeviceNotFound'


def test_object_add_duplicate_id_is_refused(qmp):
    r = qmp.cmd('object-add', **{'qom-type': 'iothread', 'id': 'io0'})
    assert r['error'] == {
        'class': 'GenericError',
        'desc': "attempt to add duplicate property 'io0' to object "
                "(type 'container')"}
    assert len(qmp.ok('query-iothreads')) == 1


def test_object_add_unknown_type_is_refused(qmp):
    r = qmp.cmd('object-add', **{'qom-type': 'no-such-type', 'id': 'x'})
    assert r['error'] == {
        'class': 'GenericError',
        'desc': "Parameter 'qom-type' does not accept value 'no-such-type'"}


def test_object_add_without_id_is_refused(qmp):
    r = qmp.cmd('object-add', **{'qom-type': 'iothread'})
    assert r['error'] == {'class': 'GenericError',
                          'desc': "Parameter 'id' is missing"}


def test_object_add_bad_property_creates_nothing(vm, qmp):
    before = vm.tids()
    r = qmp.cmd('object-add', **{'qom-type': 'iothread', 'id': 'bad',
                                 'poll-max-ns': 'x'})
    assert r['error']['class'] == 'GenericError'
    assert 'poll-max-ns' in r['error']['desc']
    assert [t['id'] for t in qmp.ok('query-iothreads')] == ['io0']
    assert vm.tids() == before


def test_object_del_unknown_id(qmp):
    r = qmp.cmd('object-del', id='nope')
    assert r['error'] == {'class': 'GenericError',
                          'desc': "object 'nope' not found"}


def test_many_object_add_del_pairs_do_not_leak_threads(vm, qmp):
    before = vm.tids()
    for i in range(50):
        qmp.ok('object-add', **{'qom-type': 'iothread', 'id': 't%d' % i})
        qmp.ok('object-del', id='t%d' % i)
    assert vm.tids() == before


def test_qom_list_types_includes_iothread(qmp):
    types = {t['name']: t for t in qmp.ok('qom-list-types')}
    assert 'iothread' in types
    assert not any(t.get('abstract') for t in types.values())


def test_qom_list_types_abstract_filter(qmp):
    concrete = {t['name'] for t in qmp.ok('qom-list-types')}
    everything = {t['name']: t for t in qmp.ok('qom-list-types',
                                                abstract=True)}
    abstract = {n for n, t in everything.items() if t.get('abstract')}
    assert 'object' in abstract
    assert abstract.isdisjoint(concrete)
    assert set(everything) == concrete | abstract


def test_qom_list_types_implements_filter(qmp):
    names = {t['name'] for t in qmp.ok('qom-list-types',
                                        implements='user-creatable')}
    assert 'iothread' in names
    assert 'container' not in names
    chardevs = {t['name'] for t in qmp.ok('qom-list-types',
                                           implements='chardev')}
    assert 'chardev-socket' in chardevs and 'iothread' not in chardevs


def test_qom_list_properties_iothread(qmp):
    props = {p['name']: p for p in qmp.ok('qom-list-properties',
                                           typename='iothread')}
    for name in ('poll-max-ns', 'poll-grow', 'poll-shrink'):
        assert props[name]['type'] == 'int'


def test_qom_list_properties_unknown_class(qmp):
    r = qmp.cmd('qom-list-properties', typename='nope')
    assert r['error'] == {'class': 'DeviceNotFound',
                          'desc': "Class 'nope' not found"}


# -- chardevs ---------------------------------------------------------------

def test_query_chardev_lists_the_monitors_chardevs(vm, qmp):
    devs = {d['label']: d for d in qmp.ok('query-chardev')}
    for d in devs.values():
        assert set(d) >= {'label', 'filename', 'frontend-open'}
    assert 'ctl' in devs
    assert vm.ctl_path in devs['ctl']['filename']
    qmp_devs = [d for d in devs.values() if vm.qmp_path in d['filename']]
    assert len(qmp_devs) == 1
    assert qmp_devs[0]['filename'].startswith('unix:')
    assert 'server=on' in qmp_devs[0]['filename']


def test_query_chardev_lists_chardev_option_devices(start):
    q = start(['-chardev', 'null,id=n0', '-chardev', 'ringbuf,id=rb0'])
    devs = {d['label']: d for d in q.qmp().ok('query-chardev')}
    assert devs['n0']['filename'] == 'null'
    assert 'rb0' in devs


# -- HMP through QMP ---------------------------------------------------------

def hmp(qmp, line):
    r = qmp.cmd('human-monitor-command', **{'command-line': line})
    assert 'return' in r, r
    assert isinstance(r['return'], str)
    return r['return']


def test_hmp_info_status(qmp):
    assert hmp(qmp, 'info status').strip() == 'VM status: paused (prelaunch)'
    qmp.ok('cont')
    assert hmp(qmp, 'info status').strip() == 'VM status: running'
    qmp.ok('stop')
    assert hmp(qmp, 'info status').strip() == 'VM status: paused'


def test_hmp_info_version(qmp):
    v = qmp.ok('query-version')
    q = v['qemu']
    out = hmp(qmp, 'info version')
    assert out.startswith('%d.%d.%d' % (q['major'], q['minor'], q['micro']))


def test_hmp_info_name(qmp):
    assert hmp(qmp, 'info name').strip() == 'demo'


def test_hmp_info_iothreads(qmp):
    (io0,) = qmp.ok('query-iothreads')
    out = hmp(qmp, 'info iothreads')
    assert out.startswith('io0:')
    assert 'thread_id=%d' % io0['thread-id'] in out
    assert 'poll-max-ns=32768' in out


def test_hmp_info_qom_tree_starts_at_the_machine(qmp):
    lines = hmp(qmp, 'info qom-tree').replace('\r', '').splitlines()
    assert lines[0] == '/machine (none-machine)'
    assert any(re.match(r'\s+/peripheral \(container\)$', l) for l in lines)


def test_hmp_info_qom_tree(qmp):
    out = hmp(qmp, 'info qom-tree /')
    lines = out.replace('\r', '').splitlines()
    assert lines[0].startswith('/ ')
    assert any(re.match(r'\s+/io0 \(iothread\)$', l) for l in lines)
    assert any(re.match(r'\s+/objects \(container\)$', l) for l in lines)


def test_hmp_info_mainloop(vm, qmp):
    out = hmp(qmp, 'info mainloop')
    (io0,) = qmp.ok('query-iothreads')
    assert 'io0' in out
    assert str(io0['thread-id']) in out


def test_hmp_info_chardev(vm, qmp):
    out = hmp(qmp, 'info chardev')
    assert re.search(r'^ctl: filename=', out, re.M)
    assert vm.qmp_path in out


def test_hmp_commands_change_state(qmp):
    assert hmp(qmp, 'cont') == ''
    qmp.event('RESUME')
    assert hmp(qmp, 'stop') == ''
    qmp.event('STOP')
    assert qmp.ok('query-status')['status'] == 'paused'


def test_hmp_unknown_command_is_reported_in_the_output(qmp):
    assert "unknown command: 'bogus'" in hmp(qmp, 'bogus')


# -- schema -------------------------------------------------------------------

def test_query_qmp_schema_mentions_every_command_and_event(qmp):
    schema = qmp.ok('query-qmp-schema')
    commands = {e['name'] for e in schema if e['meta-type'] == 'command'}
    events = {e['name'] for e in schema if e['meta-type'] == 'event'}
    listed = {c['name'] for c in qmp.ok('query-commands')}
    assert commands == listed
    assert events >= EVENTS


def test_query_qmp_schema_is_self_consistent(qmp):
    schema = qmp.ok('query-qmp-schema')
    names = [e['name'] for e in schema]
    assert len(names) == len(set(names))
    defined = set(names)
    builtin = {'str', 'int', 'number', 'bool', 'null', 'any', 'uint8',
               'uint16', 'uint32', 'uint64', 'int8', 'int16', 'int32',
               'int64', 'size'}
    for e in schema:
        mt = e['meta-type']
        refs = []
        if mt == 'command':
            refs = [e['arg-type'], e['ret-type']]
        elif mt == 'event':
            refs = [e['arg-type']]
        elif mt == 'object':
            refs = [m['type'] for m in e['members']]
            refs += [v['type'] for v in e.get('variants', [])]
        elif mt == 'array':
            refs = [e['element-type']]
        elif mt == 'alternate':
            refs = [m['type'] for m in e['members']]
        for r in refs:
            assert r in defined or r in builtin, \
                '%s refers to undefined type %s' % (e['name'], r)


def test_query_qmp_schema_masks_type_names_as_qemu(qmp):
    # Only commands, events, builtins and arrays keep their names; clients
    # must reach every other type through a reference.
    for e in qmp.ok('query-qmp-schema'):
        if e['meta-type'] in ('object', 'enum', 'alternate'):
            assert e['name'].isdigit(), e


def test_every_command_checks_its_arguments_against_the_schema(qmp):
    # The dispatcher and the schema come from one source: each command
    # rejects what its arg-type does not allow, naming the member, before
    # it runs (so quit and system_reset are safe to call here).
    schema = {e['name']: e for e in qmp.ok('query-qmp-schema')}
    commands = [e for e in schema.values() if e['meta-type'] == 'command']
    assert len(commands) == len(qmp.ok('query-commands'))
    for c in commands:
        if c['name'] == 'qmp_capabilities':
            continue
        members = schema[c['arg-type']]['members']
        required = [m['name'] for m in members if 'default' not in m]
        if required:
            r = qmp.cmd(c['name'])
            want = "Parameter '%s' is missing" % required[0]
        else:
            r = qmp.cmd(c['name'], bogus=1)
            want = "Parameter 'bogus' is unexpected"
        assert r['error'] == {'class': 'GenericError', 'desc': want}, c
    assert qmp.ok('query-status')['status'] == 'prelaunch'


def test_query_qmp_schema_describes_event_data(qmp):
    schema = {e['name']: e for e in qmp.ok('query-qmp-schema')}
    shutdown = schema[schema['SHUTDOWN']['arg-type']]
    assert {m['name'] for m in shutdown['members']} >= {'guest', 'reason'}
    reset = schema[schema['RESET']['arg-type']]
    assert {m['name'] for m in reset['members']} >= {'guest', 'reason'}


# -- main loop introspection --------------------------------------------------

def test_x_query_main_loop_shape(vm, qmp):
    ml = qmp.ok('x-query-main-loop')
    assert isinstance(ml['iterations'], int) and ml['iterations'] > 0
    ctxs = ml['contexts']
    by_name = {c['name']: c for c in ctxs}
    assert 'io0' in by_name
    (io0,) = qmp.ok('query-iothreads')
    assert by_name['io0']['thread-id'] == io0['thread-id']
    main = [c for c in ctxs if c['thread-id'] == vm.pid]
    assert main, 'no context of the main thread'
    for c in ctxs:
        assert {'name', 'thread-id', 'priority', 'dispatch-count',
                'handlers'} <= set(c)
        for h in c['handlers']:
            assert isinstance(h['fd'], int) and h['fd'] >= 0
            assert set(h['events']) <= {'in', 'out', 'err', 'hup', 'pri'}
            assert isinstance(h['dispatch-count'], int)
            # Every fd it names is a real fd of the process.
            assert os.path.exists('/proc/%d/fd/%d' % (vm.pid, h['fd']))


def test_x_query_main_loop_counts_dispatches(qmp):
    def monitor_dispatches():
        ml = qmp.ok('x-query-main-loop')
        return sum(h['dispatch-count'] for c in ml['contexts']
                   for h in c['handlers'])
    first = monitor_dispatches()
    for _ in range(5):
        qmp.ok('query-status')
    assert monitor_dispatches() > first
