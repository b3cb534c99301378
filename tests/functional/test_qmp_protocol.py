"""QMP wire protocol: greeting, negotiation, ids, framing, error classes
and QEMU's messages for bad requests."""
import json

import pytest


def test_greeting_has_version_and_capabilities(vm):
    c = vm.qmp(negotiate=False)
    g = c.greeting
    assert set(g) == {'QMP'}
    assert set(g['QMP']) >= {'version', 'capabilities'}
    v = g['QMP']['version']
    assert set(v['qemu']) == {'major', 'minor', 'micro'}
    assert all(isinstance(v['qemu'][k], int) for k in v['qemu'])
    assert isinstance(v['package'], str)
    assert isinstance(g['QMP']['capabilities'], list)


def test_greeting_version_matches_query_version(qmp):
    assert qmp.ok('query-version') == qmp.greeting['QMP']['version']


def test_commands_before_negotiation_are_refused(vm):
    c = vm.qmp(negotiate=False)
    r = c.cmd('query-status')
    assert r['error']['class'] == 'CommandNotFound'
    assert r['error']['desc'] == \
        "Expecting capabilities negotiation with 'qmp_capabilities'"
    # ... and the connection is still usable for negotiation.
    c.negotiate()
    assert c.ok('query-status')['status'] == 'prelaunch'


def test_second_qmp_capabilities_is_command_not_found(qmp):
    r = qmp.cmd('qmp_capabilities')
    assert r['error']['class'] == 'CommandNotFound'
    assert r['error']['desc'] == \
        'Capabilities negotiation is already complete, command ignored'
    assert qmp.ok('query-name') == {'name': 'demo'}


def test_qmp_capabilities_rejects_unknown_capability(vm):
    c = vm.qmp(negotiate=False)
    r = c.cmd('qmp_capabilities', enable=['no-such-capability'])
    assert r['error']['class'] == 'GenericError'
    c.negotiate()


def test_negotiation_is_per_connection(vm):
    c1 = vm.qmp()
    c1.close()
    c2 = vm.qmp(negotiate=False)
    assert c2.cmd('query-status')['error']['class'] == 'CommandNotFound'


@pytest.mark.parametrize('ident', [
    7, -1, 2.5, 'a string', '', {'an': ['object', 1]}, [1, 'two', {'3': 4}],
    None, True,
], ids=['int', 'negative', 'float', 'string', 'empty-string', 'object',
        'array', 'null', 'bool'])
def test_id_is_echoed_whatever_its_type(qmp, ident):
    qmp.send({'execute': 'query-status', 'id': ident})
    r = qmp.response()
    assert r['id'] == ident
    assert r['return']['status'] == 'prelaunch'


@pytest.mark.parametrize('text,value', [
    (b'1e400', 1.7976931348623157e+308), (b'-1e400', -1.7976931348623157e+308),
])
def test_id_beyond_double_range_comes_back_as_valid_json(qmp, text, value):
    # QEMU writes "inf" here, which no JSON reader accepts; qcore gives the
    # nearest number JSON can carry (docs/monitor.md).
    qmp.send_raw(b'{"execute": "query-name", "id": %s}\n' % text)
    line = qmp.recv_line()
    r = json.loads(line, parse_constant=lambda c: pytest.fail(
        'not JSON: %r' % line))
    assert r == {'return': {'name': 'demo'}, 'id': value}


def test_id_is_echoed_on_errors(qmp):
    qmp.send({'execute': 'no-such-command', 'id': {'n': 1}})
    r = qmp.response()
    assert r['id'] == {'n': 1}
    assert r['error']['class'] == 'CommandNotFound'


def test_response_without_id_has_no_id(qmp):
    qmp.send({'execute': 'query-name'})
    assert qmp.response() == {'return': {'name': 'demo'}}


def test_responses_are_one_json_object_per_line(qmp):
    qmp.send_raw(b'{"execute": "query-name"}')
    line = qmp.recv_line()
    assert json.loads(line) == {'return': {'name': 'demo'}}


def test_request_without_newline_and_back_to_back(qmp):
    qmp.send_raw(b'{"execute":"query-name","id":1}{"execute":"query-status",'
                 b'"id":2}')
    assert qmp.response() == {'return': {'name': 'demo'}, 'id': 1}
    assert qmp.response()['id'] == 2


def test_unknown_command_is_command_not_found(qmp):
    r = qmp.cmd('no-such-command')
    assert r['error'] == {'class': 'CommandNotFound',
                          'desc': 'The command no-such-command has not been '
                                  'found'}


def test_missing_argument_message(qmp):
    r = qmp.cmd('qom-get', path='/objects/io0')
    assert r['error'] == {'class': 'GenericError',
                          'desc': "Parameter 'property' is missing"}


def test_unexpected_argument_message(qmp):
    r = qmp.cmd('qom-get', path='/objects/io0', property='poll-max-ns',
                bogus=1)
    assert r['error'] == {'class': 'GenericError',
                          'desc': "Parameter 'bogus' is unexpected"}


def test_argument_to_command_without_arguments_is_unexpected(qmp):
    r = qmp.cmd('query-status', extra=True)
    assert r['error'] == {'class': 'GenericError',
                          'desc': "Parameter 'extra' is unexpected"}


@pytest.mark.parametrize('cmd,args,name,expected', [
    ('qom-get', {'path': 1, 'property': 'x'}, 'path', 'string'),
    ('qom-get', {'path': '/', 'property': ['x']}, 'property', 'string'),
    ('qom-list-types', {'abstract': 'yes'}, 'abstract', 'boolean'),
    ('object-del', {'id': {}}, 'id', 'string'),
    ('human-monitor-command', {'command-line': None}, 'command-line',
     'string'),
])
def test_wrongly_typed_argument_message(qmp, cmd, args, name, expected):
    r = qmp.cmd(cmd, **args)
    assert r['error'] == {
        'class': 'GenericError',
        'desc': "Invalid parameter type for '%s', expected: %s"
                % (name, expected)}


def test_qom_get_on_missing_path_is_device_not_found(qmp):
    r = qmp.cmd('qom-get', path='/objects/nope', property='poll-max-ns')
    assert r['error'] == {'class': 'DeviceNotFound',
                          'desc': "Device '/objects/nope' not found"}


def test_qom_get_on_missing_property_is_generic_error(qmp):
    r = qmp.cmd('qom-get', path='/objects/io0', property='nope')
    assert r['error']['class'] == 'GenericError'
    assert 'nope' in r['error']['desc']
    assert 'not found' in r['error']['desc']


@pytest.mark.parametrize('raw,desc', [
    (b'["execute", "query-status"]', 'QMP input must be a JSON object'),
    (b'42', 'QMP input must be a JSON object'),
    (b'{"foo": 1}', "QMP input member 'foo' is unexpected"),
    (b'{"execute": 1}', "QMP input member 'execute' must be a string"),
    (b'{"execute": "query-status", "arguments": []}',
     "QMP input member 'arguments' must be an object"),
    (b'{"arguments": {}}', "QMP input lacks member 'execute'"),
])
def test_malformed_request_messages(qmp, raw, desc):
    qmp.send_raw(raw + b'\n')
    r = qmp.response()
    assert r['error'] == {'class': 'GenericError', 'desc': desc}
    assert qmp.ok('query-name') == {'name': 'demo'}


def test_json_syntax_error_is_reported_and_stream_recovers(qmp):
    qmp.send_raw(b'{"execute": query-status}\n')
    r = qmp.response()
    assert r['error']['class'] == 'GenericError'
    assert r['error']['desc'].startswith('JSON parse error')
    qmp.send_raw(b'{"execute": "query-name", "id": "after"}\n')
    while True:
        r = qmp.response()
        if r.get('id') == 'after':
            break
        assert 'error' in r     # extra parse errors for the tail are fine
    assert r['return'] == {'name': 'demo'}


def test_control_characters_are_escaped_in_output(qmp):
    qmp.request('qom-get', {'path': 'a\x01b\x1fc\td', 'property': 'x'})
    line = qmp.recv_line()
    assert b'\\u0001' in line and b'\\u001f' in line.lower()
    assert not any(b < 0x20 for b in line)
    r = json.loads(line)
    assert r['error']['desc'] == "Device 'a\x01b\x1fc\td' not found"


def test_unicode_round_trips(qmp):
    path = 'caf\u00e9-\u20ac-\U0001F600'
    r = qmp.cmd('qom-get', path=path, property='x')
    assert r['error']['desc'] == "Device '%s' not found" % path


def test_duplicate_key_is_a_parse_error_and_runs_nothing(qmp):
    # Last-wins would run query-status here, unseen by whoever reads the
    # first "execute"; QEMU refuses the whole message.
    qmp.send_raw(b'{"execute": "query-name", "execute": "query-status", '
                 b'"id": 1}\n')
    assert qmp.response() == {'error': {
        'class': 'GenericError', 'desc': 'JSON parse error, duplicate key'}}
    qmp.send_raw(b'{"execute": "query-name", "arguments": '
                 b'{"a": {"b": 1, "b": 2}}, "id": 2}\n')
    assert qmp.response()['error']['desc'] == \
        'JSON parse error, duplicate key'
    assert qmp.cmd('query-name') == {'return': {'name': 'demo'}}


# Recorded from QEMU 7.2 (qemu-system-riscv64 -M none -qmp): the responses
# to each input, in number and class; ours differ only in some wording.
@pytest.mark.parametrize('data,expected', [
    # A stray byte is answered at once and input resumes at the next '{'.
    (b'/* c */{"execute": "query-name"}',
     ["JSON parse error, stray '/'", {'name': 'demo'}]),
    (b'{"execute": @"query-name"}{"execute": "query-name"}',
     ["JSON parse error, stray '@'", 'JSON parse error, expecting value',
      {'name': 'demo'}]),
    (b'1.x{"execute": "query-name"}',
     ["JSON parse error, stray '1.x'", {'name': 'demo'}]),
    # A syntax error costs one answer, given when the brackets balance.
    (b'{"execute" "query-name"}{"execute": "query-name"}',
     ['JSON parse error, missing : in object pair', {'name': 'demo'}]),
    (b'{"execute": "query-name", "arguments": [}]{"execute": "query-name"}',
     ['JSON parse error, expecting value', {'name': 'demo'}]),
    # A bad string runs to its quote; the '{' in it is no bracket.
    (b'{"execute": "a\\qb{"}{"execute": "query-name"}',
     ['JSON parse error, invalid escape sequence in string',
      {'name': 'demo'}]),
    (b'{"execute": "query-name"}}}{"execute": "query-name"}',
     [{'name': 'demo'}, 'JSON parse error, expecting value',
      'JSON parse error, expecting value', {'name': 'demo'}]),
], ids=['comment', 'stray-in-message', 'bad-number', 'missing-colon',
        'mismatched-brackets', 'bad-escape', 'extra-closers'])
def test_parse_errors_resynchronise_as_qemu(qmp, data, expected):
    qmp.send_raw(data + b'\n')
    for want in expected:
        r = qmp.response()
        if isinstance(want, str):
            assert r == {'error': {'class': 'GenericError', 'desc': want}}
        else:
            assert r == {'return': want}
    # Nothing more: the next answer is the next command's.
    assert qmp.cmd('query-status')['return']['status'] == 'prelaunch'
