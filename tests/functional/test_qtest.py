"""The qtest options from a user's side: -qtest stdio and chardev:ID,
-accel qtest and -machine accel=qtest, -qtest-log, and -accel errors.
The protocol and the devices are tested in C (tests/qtest/); here qcore
runs to completion on piped input, ended by the sifive_test finisher,
so every run is deterministic."""
import subprocess

from conftest import QCORE, TIMEOUT, qcore_run

BASE = ['-M', 'virt', '-bios', 'none', '-display', 'none']
POWEROFF = 'writel 0x100000 0x5555\n'
# qcore answers the finisher's write before the main loop shuts down;
# QEMU 7.2 exits inside the write, without an answer.
POWEROFF_OK = 'OK\n'


def run(args, lines):
    return subprocess.run([QCORE] + BASE + args,
                          input=(lines + POWEROFF).encode(),
                          capture_output=True, timeout=TIMEOUT)


def test_qtest_stdio_answers_and_poweroff_ends_it():
    r = run(['-accel', 'qtest', '-qtest', 'stdio', '-qtest-log', 'none'],
            'endianness\nreadb 0x10000005\nclock_step 100\n')
    assert r.returncode == 0
    assert r.stdout.decode() == ('OK little\nOK 0x0000000000000060\n'
                                 'OK 100\n' + POWEROFF_OK)
    assert r.stderr == b''


def test_qtest_on_a_chardev_by_id():
    r = run(['-chardev', 'stdio,id=q', '-qtest', 'chardev:q',
             '-machine', 'accel=qtest', '-qtest-log', 'none'],
            'clock_set 5000\nreadq 0x200bff8\n')
    assert r.returncode == 0
    assert r.stdout.decode() == 'OK 5000\nOK 0x0000000000000032\n' + POWEROFF_OK


def test_without_qtest_accel_the_clock_is_not_ours():
    # As QEMU 7.2: -qtest alone keeps the interpreter; clock_step is
    # only there with the qtest accelerator.
    r = run(['-qtest', 'stdio', '-qtest-log', 'none', '-S'],
            'clock_step 100\nendianness\n')
    assert r.returncode == 0
    assert r.stdout.decode() == ("FAIL Unknown command 'clock_step'\n"
                                 'OK little\n' + POWEROFF_OK)


def test_qtest_log_goes_to_stderr_by_default():
    r = run(['-accel', 'qtest', '-qtest', 'stdio'], 'endianness\n')
    assert r.returncode == 0
    err = r.stderr.decode()
    assert '] endianness\n' in err and '] OK little\n' in err
    assert err.startswith('[I +')


def test_accel_errors_and_help():
    r = qcore_run(['-accel', 'kvm'])
    assert r.returncode == 1
    assert r.stderr.decode() == 'qcore: -accel kvm: invalid accelerator kvm\n'
    r = qcore_run(['-M', 'virt,accel=foo'])
    assert r.returncode == 1
    assert r.stderr.decode() == 'qcore: invalid accelerator foo\n'
    r = qcore_run(['-accel', 'tcg', '-M', 'virt,accel=tcg'])
    assert r.returncode == 1
    assert r.stderr.decode() == ('qcore: The -accel and "-machine accel=" '
                                 'options are incompatible\n')
    for arg, msg in [('qtest,halt-poll-ns=1', "Invalid parameter "
                      "'halt-poll-ns'"),
                     ('tcg,halt-poll-ns=soon', "Parameter 'halt-poll-ns' "
                      "expects a number"),
                     ('tcg,halt-poll-ns=-1', "Parameter 'halt-poll-ns' "
                      "expects a number"),
                     ('tcg,halt-poll-ns=9223372036854775808', "Value "
                      "'9223372036854775808' is too large for parameter "
                      "'halt-poll-ns'")]:
        r = qcore_run(['-accel', arg])
        assert r.returncode == 1
        assert r.stderr.decode() == 'qcore: -accel %s: %s\n' % (arg, msg)
    r = qcore_run(['-accel', 'help'])
    assert r.returncode == 0
    assert r.stdout.decode() == \
        'Accelerators supported in QEMU binary:\ntcg\nqtest\n'


def test_bad_qtest_chardev_is_an_error():
    r = qcore_run(BASE + ['-qtest', 'chardev:nothing'])
    assert r.returncode == 1
    assert 'qtest' in r.stderr.decode()
