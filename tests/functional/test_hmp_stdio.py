"""HMP on the terminal, driven through a pty: the issue's example command
line with -monitor stdio, the line editor (Ctrl-A/E/K/U/W, arrows,
Backspace, history, Tab completion), and the stdio mux of -serial
mon:stdio with its Ctrl-A escapes."""
import re

import pytest

from conftest import strip_ansi

PROMPT = b'(qemu) '
BANNER = re.compile(rb"monitor - type 'help' for more information\r*\n")


def output_lines(chunk):
    """The lines a command printed: ANSI removed, \\r dropped, without the
    echoed input line and the final prompt."""
    text = strip_ansi(chunk).replace(b'\r', b'').decode(errors='replace')
    lines = text.split('\n')
    return [l for l in lines[1:] if l != PROMPT.decode()]


class Console:
    def __init__(self, term):
        self.term = term

    def prompt(self):
        return self.term.expect(PROMPT)

    def type(self, keys):
        """Type @keys (ending with Enter); return the lines printed
        before the next prompt."""
        self.term.write(keys)
        return output_lines(self.term.expect(b'\n' + PROMPT))


@pytest.fixture
def example(start):
    """qcore -M none -qmp unix:qmp.sock,server=on,wait=off -monitor stdio
    -object iothread,id=io0 -name demo -S   (the QMP socket is added by
    the fixture, as is the control monitor that says start-up is over)."""
    q = start(['-monitor', 'stdio', '-object', 'iothread,id=io0',
               '-name', 'demo', '-S'], base=('-M', 'none'), pty=True)
    q.con = Console(q.term)
    q.term.expect(BANNER)
    q.con.prompt()
    return q


def test_example_command_line(example):
    q, con = example, example.con
    assert con.type(b'info status\r') == ['VM status: paused (prelaunch)']
    c = q.qmp()
    assert c.ok('query-name') == {'name': 'demo'}
    assert c.ok('query-status')['status'] == 'prelaunch'
    (io0,) = c.ok('query-iothreads')
    assert io0['id'] == 'io0' and io0['thread-id'] in q.tids()
    out = con.type(b'info iothreads\r')
    assert out[0] == 'io0:'
    assert '  thread_id=%d' % io0['thread-id'] in out
    assert con.type(b'cont\r') == []
    c.event('RESUME')
    assert c.ok('query-status')['status'] == 'running'
    q.term.write(b'quit\r')
    ev = c.event('SHUTDOWN')
    assert ev['data'] == {'guest': False, 'reason': 'host-qmp-quit'}
    c.wait_eof()
    assert q.wait() == 0


def test_ctrl_a_and_ctrl_e_move_to_the_ends(example):
    assert example.con.type(b'nfo nam\x01i\x05e\r') == ['demo']


def test_left_arrow_then_insert(example):
    assert example.con.type(b'info nme\x1b[D\x1b[Da\r') == ['demo']


def test_right_arrow_and_home_end_keys(example):
    assert example.con.type(b'nfo name\x1b[Hi\x1b[F\r') == ['demo']
    assert example.con.type(b'ifo name\x01\x1b[Cn\r') == ['demo']


def test_ctrl_k_kills_to_the_end(example):
    assert example.con.type(b'info name garbage' + b'\x1b[D' * 8 +
                            b'\x0b\r') == ['demo']


def test_ctrl_u_kills_the_line(example):
    assert example.con.type(b'junk junk\x15info name\r') == ['demo']


def test_ctrl_w_kills_the_previous_word(example):
    assert example.con.type(b'info name junk\x17\r') == ['demo']


def test_backspace(example):
    assert example.con.type(b'info namxx\x7f\x7fe\r') == ['demo']
    assert example.con.type(b'info namx\x08e\r') == ['demo']


def test_history_with_up_and_down_arrows(example):
    con = example.con
    assert con.type(b'info name\r') == ['demo']
    assert con.type(b'info status\r') == ['VM status: paused (prelaunch)']
    assert con.type(b'\x1b[A\x1b[A\r') == ['demo']
    assert con.type(b'\x1b[A\x1b[A\x1b[A\x1b[B\r') == \
        ['VM status: paused (prelaunch)']


def test_tab_completes_a_command_name(example):
    example.term.write(b'system_pow\t')
    echo = example.term.expect(b'system_powerdown')
    assert b'system_powerdown' in strip_ansi(echo)
    example.con.type(b'\r')
    example.ctl.event('POWERDOWN')


def test_tab_completes_an_info_subcommand(example):
    assert example.con.type(b'info nam\t\r') == ['demo']


def test_tab_lists_ambiguous_completions(example):
    example.term.write(b'qom-\t')
    out = strip_ansi(example.term.expect(b'qom-set'))
    out += strip_ansi(example.term.expect(PROMPT))
    for name in (b'qom-get', b'qom-list', b'qom-set'):
        assert name in out
    # The line typed so far is kept.
    assert example.con.type(b'get /objects/io0 type\r') == ['"iothread"']


def test_editing_does_not_corrupt_the_next_line(example):
    con = example.con
    con.type(b'abc\x01\x0b\r')          # an emptied line runs nothing
    assert con.type(b'info name\r') == ['demo']


def test_nographic_gives_the_monitor_on_the_terminal(start):
    # -nographic: with no -qmp/-mon the default monitor is on stdio.
    q = start(['-nographic', '-name', 'demo'], base=('-M', 'none'),
              pty=True, qmp=False, ctl=False)
    q.term.expect(BANNER)
    con = Console(q.term)
    con.prompt()
    assert con.type(b'info name\r') == ['demo']
    q.term.write(b'quit\r')
    q.term.read_to_eof()
    assert q.wait() == 0


# -- the mux ------------------------------------------------------------------

@pytest.fixture
def mux(start):
    q = start(['-serial', 'mon:stdio', '-name', 'demo'], pty=True)
    q.con = Console(q.term)
    q.term.expect(BANNER)
    q.con.prompt()
    return q


def test_mux_monitor_answers(mux):
    assert mux.con.type(b'info name\r') == ['demo']
    assert mux.con.type(b'info status\r') == ['VM status: running']


def test_mux_ctrl_a_ctrl_a_sends_ctrl_a(mux):
    assert mux.con.type(b'nfo name\x01\x01i\r') == ['demo']


def test_mux_ctrl_a_h_prints_the_escape_help(mux):
    mux.term.write(b'\x01h')
    out = mux.term.expect(b'C-a C-a  sends C-a')
    text = out.replace(b'\r', b'')
    assert b'C-a h    print this help' in text
    assert b'C-a x    exit emulator' in text
    assert b'C-a c    switch between console and monitor' in text


def test_mux_ctrl_a_c_switches_away_and_back(mux):
    # Each switch hands the focus out and back in (there is no serial
    # frontend with -M none); the monitor answers each with a new prompt.
    mux.term.write(b'\x01c')
    mux.con.prompt()
    mux.term.write(b'\x01c')
    mux.con.prompt()
    mux.term.write(b'\x15')         # whatever the switch left on the line
    assert mux.con.type(b'info name\r')[-1] == 'demo'
    assert mux.alive()


def test_mux_ctrl_a_x_terminates_with_status_0(mux):
    mux.term.write(b'\x01x')
    ev = mux.ctl.event('SHUTDOWN')
    assert ev['data']['guest'] is False
    out = mux.term.read_to_eof()
    assert b'Terminated' in out
    assert mux.wait() == 0
