"""The BQL profiler seen from the monitors: x-query-bql's shape and
ordering, bql-profile-reset, their introspection, and info bql /
bql_profile_reset in HMP, on a running 4-hart guest.  No timing is
asserted: only shapes, orderings and counts that follow from the calls.
"""
import re

from conftest import qcore_run
from test_virt import guests, elf  # noqa: F401 (guests is a fixture)

SITE_KEYS = {'file', 'line', 'function', 'acquisitions', 'contended',
             'wait-ns', 'wait-max-ns', 'hold-ns', 'hold-max-ns',
             'wait-histogram', 'hold-histogram'}


def four_harts(start):
    return start(['-smp', '4', '-m', '128M', '-bios', 'none', '-kernel',
                  elf('demo'), '-serial', 'null'],
                 base=('-M', 'virt', '-display', 'none'))


def check_histogram(h, total):
    # Bucket bounds are powers of two of the profiler's clock, in ns:
    # strictly increasing, the first (no wait at all) "below 1 ns".
    bounds = [b['below-ns'] for b in h if 'below-ns' in b]
    assert bounds == sorted(set(bounds))
    assert all(b >= 1 for b in bounds)
    assert all(b['count'] > 0 for b in h)
    assert sum(b['count'] for b in h) == total


def test_x_query_bql_shape_and_order(guests, start):
    q = four_harts(start)
    c = q.qmp()
    c.ok('query-status')
    info = c.ok('x-query-bql')
    assert info['enabled'] is True
    assert set(info) == {'enabled', 'elapsed-ns', 'acquisitions', 'contended',
                         'wait-ns', 'hold-ns', 'by-wait', 'by-hold'}
    assert 0 < len(info['by-wait']) <= 10
    for site in info['by-wait'] + info['by-hold']:
        assert set(site) == SITE_KEYS
        assert re.match(r'^[a-z]+/[\w/-]+\.c$', site['file']), site['file']
        assert site['contended'] <= site['acquisitions']
        assert site['wait-max-ns'] <= site['wait-ns']
        assert site['hold-max-ns'] <= site['hold-ns']
        check_histogram(site['wait-histogram'], site['acquisitions'])
    waits = [s['wait-ns'] for s in info['by-wait']]
    assert waits == sorted(waits, reverse=True)
    holds = [s['hold-max-ns'] for s in info['by-hold']]
    assert holds == sorted(holds, reverse=True)
    # Serving our commands went round the main loop, which drops and
    # re-takes the BQL around its poll.
    assert any(s['function'] == 'main_loop_wait' and
               s['file'] == 'util/main-loop.c' for s in info['by-wait'])
    assert info['acquisitions'] >= sum(s['acquisitions']
                                       for s in info['by-wait'])


def test_top_limits_and_reset_clears(guests, start):
    q = four_harts(start)
    c = q.qmp()
    one = c.ok('x-query-bql', top=1)
    assert len(one['by-wait']) == 1 and len(one['by-hold']) == 1
    # main() takes the BQL once, at start-up: seen before a reset only.
    startup = lambda info: [s for s in info['by-hold']
                            if s['function'] == 'main' and
                            s['file'] == 'system/vl.c']
    assert startup(c.ok('x-query-bql', top=0))
    assert c.ok('bql-profile-reset') == {}
    assert not startup(c.ok('x-query-bql', top=0))
    r = c.cmd('x-query-bql', top='ten')
    assert r['error']['class'] == 'GenericError'


def test_introspection_lists_the_commands(start):
    c = start().qmp()
    schema = {e['name']: e for e in c.ok('query-qmp-schema')}
    q = schema['x-query-bql']
    assert q['meta-type'] == 'command'
    assert q['features'] == ['unstable']
    assert [m['name'] for m in schema[q['arg-type']]['members']] == ['top']
    # Types are numbered (QEMU's name masking): follow the references.
    ret = {m['name']: m['type'] for m in schema[q['ret-type']]['members']}
    site = schema[schema[ret['by-wait']]['element-type']]
    assert {m['name'] for m in site['members']} == SITE_KEYS
    assert schema[schema['bql-profile-reset']['arg-type']]['members'] == []


def test_info_bql_and_reset_in_hmp(guests, start):
    q = four_harts(start)
    c = q.qmp()
    hmp = lambda line: c.ok('human-monitor-command',
                            **{'command-line': line})
    out = hmp('info bql')
    lines = out.splitlines()
    assert re.match(r'^BQL: \d+ acquisitions \(\d+ contended\) in \S+ \w+; '
                    r'held [\d.]+% of the time; waited \S+ \w+ in all$',
                    lines[0]), lines[0]
    assert lines[1] == 'Top sites by total wait:'
    assert lines[2].split() == ['count', 'contended', 'wait', 'max', 'wait',
                                'max', 'hold', 'site']
    assert 'Top sites by longest hold:' in lines
    assert re.search(r' util/main-loop\.c:\d+ main_loop_wait\r?$', out, re.M)
    assert hmp('bql_profile_reset').strip() == ''
    assert 'info bql' in hmp('help info')


def test_bql_profile_off_records_nothing(start):
    c = start(['-bql-profile', 'off']).qmp()
    c.ok('query-status')
    info = c.ok('x-query-bql')
    assert info['enabled'] is False
    assert info['acquisitions'] == 0
    assert info['by-wait'] == [] and info['by-hold'] == []
    out = c.ok('human-monitor-command', **{'command-line': 'info bql'})
    assert out.strip() == 'BQL profiling is off (-bql-profile off)'


def test_bql_profile_option_errors():
    r = qcore_run(['-M', 'none', '-display', 'none', '-bql-profile', 'maybe'])
    assert r.returncode == 1
    assert b"Parameter 'bql-profile' expects 'on' or 'off'" in r.stderr
