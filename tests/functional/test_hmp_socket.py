"""HMP on a socket (-monitor unix:..., and -chardev + -mon mode=readline):
banner, prompt, help, commands and their errors.  Every change made from
HMP is checked through QMP (HMP commands are the QMP ones)."""
import os
import re
import socket

import pytest

from conftest import Term

BANNER = re.compile(rb"monitor - type 'help' for more information\r?\n")
PROMPT = b'(qemu) '


class HMP:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.term = Term(self.sock.fileno())

    def banner(self):
        out = self.term.expect(BANNER)
        self.term.expect(PROMPT)
        return out

    def run(self, line):
        """Type @line, return its output (without the echo and prompt)."""
        self.term.write(line.encode() + b'\r')
        out = self.term.expect(b'\n' + PROMPT)
        out = out[:-len(PROMPT)]
        echo, _, rest = out.partition(b'\n')
        assert line.encode() in echo, (line, out)
        return rest.replace(b'\r', b'').decode()

    def close(self):
        self.sock.close()


@pytest.fixture
def hmp_vm(start, tmpdir_short):
    path = os.path.join(tmpdir_short, 'hmp.sock')
    q = start(['-object', 'iothread,id=io0', '-name', 'demo', '-S',
               '-monitor', 'unix:%s,server=on,wait=off' % path])
    q.hmp_path = path
    return q


@pytest.fixture
def hmp(hmp_vm):
    h = HMP(hmp_vm.hmp_path)
    h.banner()
    yield h
    h.close()


def test_banner_and_prompt(hmp_vm):
    h = HMP(hmp_vm.hmp_path)
    out = h.banner()
    assert out.startswith(b'qcore ') or out.startswith(b'QEMU ')


def test_reconnect_gets_a_new_banner(hmp_vm):
    h = HMP(hmp_vm.hmp_path)
    h.banner()
    h.close()
    h = HMP(hmp_vm.hmp_path)
    h.banner()
    assert h.run('info name').strip() == 'demo'


def test_mon_mode_readline_on_a_chardev(start, tmpdir_short):
    path = os.path.join(tmpdir_short, 'h2.sock')
    q = start(['-chardev', 'socket,id=h2,path=%s,server=on,wait=off' % path,
               '-mon', 'chardev=h2,mode=readline'])
    h = HMP(path)
    h.banner()
    assert h.run('info status').strip() == 'VM status: running'
    h.close()


def test_help_lists_the_commands(hmp):
    out = hmp.run('help')
    names = set()
    for line in out.splitlines():
        m = re.match(r'^([a-z_|?-]+)', line)
        if m:
            names.update(m.group(1).split('|'))
    for cmd in ('help', 'info', 'stop', 'cont', 'quit', 'system_reset',
                'system_powerdown', 'object_add', 'object_del', 'qom-list',
                'qom-get', 'qom-set'):
        assert cmd in names, cmd


def test_help_for_one_command(hmp):
    out = hmp.run('help qom-get')
    assert out.startswith('qom-get path property')


def test_info_lists_subcommands(hmp):
    out = hmp.run('info')
    for sub in ('status', 'version', 'name', 'iothreads', 'chardev',
                'qom-tree', 'mainloop'):
        assert re.search(r'^info %s\b' % sub, out, re.M), sub


def test_info_status_and_name(hmp):
    assert hmp.run('info status').strip() == 'VM status: paused (prelaunch)'
    assert hmp.run('info name').strip() == 'demo'


def test_info_version_matches_qmp(hmp_vm, hmp):
    v = hmp_vm.ctl.ok('query-version')['qemu']
    assert hmp.run('info version').startswith(
        '%d.%d.%d' % (v['major'], v['minor'], v['micro']))


def test_stop_and_cont_change_the_runstate_and_emit_events(hmp_vm, hmp):
    ctl = hmp_vm.ctl
    assert hmp.run('cont') == ''
    ctl.event('RESUME')
    assert hmp.run('info status').strip() == 'VM status: running'
    assert hmp.run('stop') == ''
    ctl.event('STOP')
    assert ctl.ok('query-status')['status'] == 'paused'
    assert hmp.run('c') == ''           # the short alias
    ctl.event('RESUME')


def test_system_reset_and_powerdown(hmp_vm, hmp):
    hmp.run('system_reset')
    ev = hmp_vm.ctl.event('RESET')
    assert ev['data'] == {'guest': False, 'reason': 'host-qmp-system-reset'}
    hmp.run('system_powerdown')
    hmp_vm.ctl.event('POWERDOWN')


def test_qom_get_and_set(hmp_vm, hmp):
    assert hmp.run('qom-get /objects/io0 poll-max-ns').strip() == '32768'
    assert hmp.run('qom-set /objects/io0 poll-max-ns 5') == ''
    assert hmp.run('qom-get /objects/io0 poll-max-ns').strip() == '5'
    assert hmp_vm.ctl.ok('qom-get', path='/objects/io0',
                         property='poll-max-ns') == 5


def test_qom_list(hmp):
    lines = hmp.run('qom-list /objects').splitlines()
    assert 'io0 (child<iothread>)' in lines


def test_object_add_and_del(hmp_vm, hmp):
    assert hmp.run('object_add iothread,id=x1,poll-max-ns=7') == ''
    threads = {t['id']: t for t in hmp_vm.ctl.ok('query-iothreads')}
    assert threads['x1']['poll-max-ns'] == 7
    assert threads['x1']['thread-id'] in hmp_vm.tids()
    assert 'x1:' in hmp.run('info iothreads')
    assert hmp.run('object_del x1') == ''
    assert 'x1' not in {t['id'] for t in hmp_vm.ctl.ok('query-iothreads')}
    assert threads['x1']['thread-id'] not in hmp_vm.tids()


@pytest.mark.parametrize('line,expected', [
    ('bogus', "unknown command: 'bogus'"),
    ('info bogus', "unknown command: 'info bogus'"),
    ('qom-get /nope x', "Error: Device '/nope' not found"),
    ('object_del nope', "Error: object 'nope' not found"),
    ('object_add iothread', "Error: Parameter 'id' is missing"),
    ('object_add iothread,id=io0', "Error: attempt to add duplicate property "
                                   "'io0' to object (type 'container')"),
    ('qom-get', 'qom-get: string expected'),
])
def test_errors_are_reported_and_the_monitor_goes_on(hmp, line, expected):
    assert hmp.run(line).splitlines()[0] == expected
    assert hmp.run('info status').strip() == 'VM status: paused (prelaunch)'


def test_qom_set_bad_value(hmp):
    out = hmp.run('qom-set /objects/io0 poll-max-ns abc')
    assert out.startswith('Error: ')
    assert 'poll-max-ns' in out
    assert hmp.run('qom-get /objects/io0 poll-max-ns').strip() == '32768'


def test_empty_line_just_prompts_again(hmp):
    assert hmp.run('') == ''


def test_very_long_line_is_survived(hmp_vm, hmp):
    hmp.term.write(b'x' * 100000 + b'\r')
    hmp.term.expect(PROMPT)
    hmp.term.write(b'\x15')       # Ctrl-U: whatever is left on the line
    assert hmp.run('info name').strip() == 'demo'
    assert hmp_vm.alive()


def test_quit_exits_0(hmp_vm, hmp):
    hmp.term.write(b'quit\r')
    hmp.term.read_to_eof()
    assert hmp_vm.wait() == 0
