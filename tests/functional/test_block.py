"""The block layer from the command line and the monitor: -drive and
-blockdev, blockdev-add/-del, block_resize, query-block,
query-named-block-nodes, query-blockstats and their HMP views, each
answer's shape and each error's text compared with QEMU 7.2 given the same
images (made by qemu-img) and the same commands."""
import json
import os
import re
import shutil
import subprocess

import pytest

from conftest import QCORE, TIMEOUT

QEMU = shutil.which('qemu-system-riscv64')
QEMU_IMG = shutil.which('qemu-img')
needs_qemu = pytest.mark.skipif(not QEMU or not QEMU_IMG,
                                reason='QEMU 7.2 (qemu-system-misc, '
                                       'qemu-utils) not installed')
needs_img = pytest.mark.skipif(not QEMU_IMG,
                               reason='qemu-img (qemu-utils) not installed')


def qemu_img(*args, cwd):
    subprocess.run([QEMU_IMG] + list(args), cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL)


@pytest.fixture
def images(tmp_path):
    """base.qcow2 <- top.qcow2, and two raw images, in one directory."""
    d = str(tmp_path)
    qemu_img('create', '-q', '-f', 'qcow2', 'base.qcow2', '1M', cwd=d)
    qemu_img('create', '-q', '-f', 'qcow2', '-b', 'base.qcow2', '-F',
             'qcow2', 'top.qcow2', cwd=d)
    qemu_img('create', '-q', '-f', 'raw', 'r.raw', '1M', cwd=d)
    qemu_img('create', '-q', '-f', 'raw', 'r2.raw', '2M', cwd=d)
    qemu_img('create', '-q', '-f', 'qcow2', '-b', 'r.raw', '-F', 'raw',
             'o.qcow2', cwd=d)
    return d


def session(binary, args, commands, cwd):
    """Run @binary with a QMP monitor on stdio, send @commands (name, args)
    then quit; returns (answers, stderr).  The commands are read in order
    from stdin, so no waiting is involved; the timeout only guards."""
    lines = [json.dumps({'execute': 'qmp_capabilities'})]
    for name, a in commands:
        req = {'execute': name}
        if a is not None:
            req['arguments'] = a
        lines.append(json.dumps(req))
    lines.append(json.dumps({'execute': 'quit'}))
    p = subprocess.run([binary, '-M', 'none', '-nodefaults', '-display',
                        'none', '-S', '-qmp', 'stdio'] + list(args),
                       input='\n'.join(lines) + '\n', capture_output=True,
                       text=True, cwd=cwd, timeout=TIMEOUT)
    answers = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
    answers = [a for a in answers if 'event' not in a and 'QMP' not in a]
    assert p.returncode == 0, p.stderr
    # qmp_capabilities first, quit last
    assert answers[0] == {'return': {}} and answers[-1] == {'return': {}}
    return answers[1:-1], p.stderr


def shape(v):
    """The JSON's shape: keys and value types, not values."""
    if isinstance(v, dict):
        return {k: shape(x) for k, x in v.items()}
    if isinstance(v, list):
        return [shape(x) for x in v]
    return type(v).__name__


NODE = re.compile(r'#block\d+')


def normalize(v):
    """Values that differ between runs: generated node names, sizes on
    the host file system, times."""
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            if k in ('actual-size', 'idle_time_ns') or k.endswith('time_ns'):
                out[k] = 'N'
            else:
                out[k] = normalize(x)
        return out
    if isinstance(v, list):
        return [normalize(x) for x in v]
    if isinstance(v, str):
        return NODE.sub('#block', v)
    return v


DRIVES = ['-drive', 'file=top.qcow2,if=none,id=d0',
          '-drive', 'file=r.raw,format=raw,if=none,id=d1,readonly=on,'
                    'cache=none',
          '-blockdev', '{"driver":"raw","node-name":"b0",'
                       '"file":{"driver":"file","filename":"r2.raw"}}']

QUERIES = [
    ('query-block', None),
    ('query-named-block-nodes', None),
    ('query-named-block-nodes', {'flat': True}),
    ('query-blockstats', None),
    ('query-blockstats', {'query-nodes': True}),
    ('human-monitor-command', {'command-line': 'info block'}),
    ('human-monitor-command', {'command-line': 'info block -n'}),
    ('human-monitor-command', {'command-line': 'info blockstats'}),
]


@needs_qemu
def test_queries_match_qemu(images):
    ours, _ = session(QCORE, DRIVES, QUERIES, images)
    theirs, _ = session(QEMU, DRIVES, QUERIES, images)
    for (cmd, a), o, t in zip(QUERIES, ours, theirs):
        assert shape(o) == shape(t), (cmd, a)
        assert normalize(o) == normalize(t), (cmd, a)


MONITOR = [
    ('blockdev-add', {'driver': 'file', 'node-name': 'f1',
                      'filename': 'r2.raw'}),
    ('blockdev-add', {'driver': 'raw', 'node-name': 'r1', 'file': 'f1'}),
    ('blockdev-add', {'driver': 'raw', 'node-name': 'r1', 'file': 'f1'}),
    ('blockdev-del', {'node-name': 'f1'}),
    ('blockdev-add', {'driver': 'raw', 'file': 'f1'}),
    ('blockdev-add', {'driver': 'raw', 'node-name': 'r9', 'file': 'nosuch'}),
    ('blockdev-add', {'driver': 'bogus', 'node-name': 'r9'}),
    ('blockdev-add', {'driver': 'raw', 'node-name': '1bad', 'file': 'f1'}),
    ('blockdev-add', {'driver': 'raw', 'node-name': 'd0', 'file': 'f1'}),
    ('blockdev-add', {'driver': 'qcow2', 'node-name': 'q9',
                      'file': {'driver': 'file', 'filename': 'nonexist'}}),
    ('blockdev-add', {'driver': 'qcow2', 'node-name': 'q9',
                      'file': {'driver': 'file', 'filename': 'r.raw'}}),
    ('blockdev-add', {'driver': 'raw', 'node-name': 'q9'}),
    ('blockdev-add', {'driver': 'qcow2', 'node-name': 'q1', 'backing': None,
                      'file': {'driver': 'file', 'filename': 'top.qcow2',
                               'aio': 'io_uring'}}),
    ('query-named-block-nodes', {'flat': True}),
    ('block_resize', {'device': 'nosuch', 'size': 1}),
    ('block_resize', {'node-name': 'r1', 'size': -1}),
    ('block_resize', {'size': 1}),
    ('block_resize', {'node-name': 'r1', 'size': 4194304}),
    ('block_resize', {'device': 'd1', 'size': 4194304}),
    ('block_resize', {'device': 'd0', 'size': 2097152}),
    ('query-block', None),
    ('blockdev-del', {'node-name': 'nope'}),
    ('blockdev-del', {'node-name': 'd0'}),
    ('blockdev-del', {'node-name': 'r1'}),
    ('blockdev-del', {'node-name': 'f1'}),
    ('blockdev-del', {'node-name': 'f1'}),
    ('blockdev-del', {'node-name': 'q1'}),
    ('query-named-block-nodes', {'flat': True}),
    ('blockdev-snapshot', {'node': 'nosuch', 'overlay': 'x'}),
    ('blockdev-snapshot', {'node': 'd1', 'overlay': 'x'}),
    ('blockdev-snapshot', {'node': 'd1', 'overlay': 'b0'}),
    ('blockdev-add', {'driver': 'qcow2', 'node-name': 'o1', 'backing': None,
                      'file': {'driver': 'file', 'filename': 'o.qcow2'}}),
    ('blockdev-snapshot', {'node': 'd1', 'overlay': 'o1'}),
    ('query-block', None),
    ('blockdev-snapshot', {'node': 'd1', 'overlay': 'o1'}),
    ('blockdev-del', {'node-name': 'o1'}),
]


@needs_qemu
def test_blockdev_add_del_resize_match_qemu(tmp_path, images):
    # Each side gets its own copies: block_resize changes the images.
    mine, theirs_dir = os.path.join(images, 'q'), os.path.join(images, 'e')
    for d in (mine, theirs_dir):
        os.mkdir(d)
        for f in ('base.qcow2', 'top.qcow2', 'r.raw', 'r2.raw', 'o.qcow2'):
            shutil.copy(os.path.join(images, f), d)
    ours, _ = session(QCORE, DRIVES, MONITOR, mine)
    theirs, _ = session(QEMU, DRIVES, MONITOR, theirs_dir)
    for (cmd, a), o, t in zip(MONITOR, ours, theirs):
        assert normalize(o) == normalize(t), (cmd, a)
    # Both resized the same files the same way.
    for f in ('r.raw', 'r2.raw', 'top.qcow2'):
        info = [json.loads(subprocess.run(
            [QEMU_IMG, 'info', '--output=json', '-U', os.path.join(d, f)],
            capture_output=True, text=True, check=True).stdout)
            for d in (mine, theirs_dir)]
        assert info[0]['virtual-size'] == info[1]['virtual-size'], f
    subprocess.run([QEMU_IMG, 'check', os.path.join(mine, 'top.qcow2')],
                   check=True, stdout=subprocess.DEVNULL)


DRIVE_ERRORS = [
    'file=r.raw,if=none,format=foo',
    'file=r.raw,if=none,cache=bogus',
    'file=r.raw,if=none,aio=native',
    'file=r.raw,if=none,cache.direct=off,aio=native',
    'file=r.raw,if=none,cache.direct=maybe',
    'file=r.raw,if=none,format=raw,cache.bogus=on',
    'file=r.raw,if=none,aio=bogus',
    'file=r.raw,if=none,werror=bogus',
    'file=r.raw,if=none,rerror=enospc',
    'file=r.raw,if=none,format=raw,bogus=1',
    'file=nonexist,if=none',
    'file=r.raw,if=none,id=1x',
]


@needs_qemu
@pytest.mark.parametrize('arg', DRIVE_ERRORS)
def test_drive_errors_match_qemu(images, arg):
    out = []
    for binary in (QCORE, QEMU):
        p = subprocess.run([binary, '-M', 'none', '-nodefaults', '-display',
                            'none', '-S', '-drive', arg],
                           stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, cwd=images, timeout=TIMEOUT)
        assert p.returncode == 1
        out.append(p.stderr.split(': ', 1)[1])
    assert out[0] == out[1]


@needs_qemu
def test_drive_duplicate_id_and_blockdev_errors_match_qemu(images):
    cases = [
        ['-drive', 'file=r.raw,format=raw,if=none,id=d0',
         '-drive', 'file=r.raw,format=raw,if=none,id=d0'],
        ['-blockdev', 'driver=file,filename=r.raw'],
        ['-blockdev', '{"driver":"raw"}'],
        ['-blockdev', 'driver=qcow2,node-name=x,file.driver=file,'
                      'file.filename=r.raw'],
        ['-blockdev', 'driver=file,node-name=f,filename=r.raw,aio=native'],
    ]
    for args in cases:
        out = []
        for binary in (QCORE, QEMU):
            p = subprocess.run([binary, '-M', 'none', '-nodefaults',
                                '-display', 'none', '-S'] + args,
                               stdin=subprocess.DEVNULL, capture_output=True,
                               text=True, cwd=images, timeout=TIMEOUT)
            assert p.returncode == 1
            out.append(p.stderr.split(': ', 1)[1])
        assert out[0] == out[1], args


@needs_img
def test_probed_raw_warns_like_qemu(images):
    answers, err = session(QCORE, ['-drive', 'file=r.raw,if=none,id=d0'],
                           [('query-block', None)], images)
    assert "WARNING: Image format was not specified for 'r.raw' and " \
           "probing guessed raw." in err
    assert answers[0]['return'][0]['inserted']['drv'] == 'raw'


@needs_img
def test_dotted_blockdev_and_drive_options(images):
    answers, _ = session(QCORE, [
        '-blockdev', 'driver=qcow2,node-name=q0,file.driver=file,'
                     'file.filename=top.qcow2,file.aio=io_uring,'
                     'cache.direct=on,read-only=on',
        '-drive', 'file=r.raw,format=raw,if=none,id=d5,cache=unsafe,'
                  'aio=threads'],
        [('query-named-block-nodes', {'flat': True}), ('query-block', None)],
        images)
    nodes = {n['node-name']: n for n in answers[0]['return']}
    q0 = nodes['q0']
    assert q0['ro'] and q0['drv'] == 'qcow2'
    assert q0['cache'] == {'writeback': True, 'direct': True,
                           'no-flush': False}
    assert q0['backing_file'] == 'base.qcow2'
    [d5] = answers[1]['return']
    assert d5['device'] == 'd5'
    assert d5['inserted']['cache']['no-flush'] is True


def test_unsupported_interface_is_a_clear_error(images):
    p = subprocess.run([QCORE, '-M', 'none', '-display', 'none', '-drive',
                        'file=r.raw,format=raw,if=virtio'],
                       stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, cwd=images, timeout=TIMEOUT)
    assert p.returncode == 1
    assert 'if=virtio is not supported' in p.stderr


def test_blockdev_del_drains_and_frees_the_node(start, images):
    q = start()
    c = q.qmp()
    path = os.path.join(images, 'top.qcow2')
    assert c.ok('blockdev-add', driver='qcow2', **{'node-name': 't0'},
                file={'driver': 'file', 'filename': path}) == {}
    names = [n['node-name'] for n in c.ok('query-named-block-nodes')]
    assert 't0' in names and len(names) == 4    # file, qcow2, base's two
    assert c.ok('blockdev-del', **{'node-name': 't0'}) == {}
    assert c.ok('query-named-block-nodes') == []
    # The image is closed and intact.
    subprocess.run([QEMU_IMG, 'check', path], check=True,
                   stdout=subprocess.DEVNULL)


@needs_img
def test_runstate_changes_drain_and_quit_closes(start, images):
    """stop, cont, system_reset and quit run their drains with a qcow2
    drive and a blockdev-add node open; at exit the images are closed,
    clean, and unlocked (qemu-img can open them read-write again)."""
    top = os.path.join(images, 'top.qcow2')
    r2 = os.path.join(images, 'r2.raw')
    q = start(['-drive', 'file=%s,if=none,id=d0' % top])
    c = q.qmp()
    assert c.ok('blockdev-add', driver='qcow2', **{'node-name': 'q2'},
                file={'driver': 'file', 'filename': os.path.join(
                    images, 'base.qcow2')}, backing=None,
                **{'read-only': True}) == {}
    # While qcore holds them, QEMU's tools see the locks.
    p = subprocess.run([QEMU_IMG, 'info', top], capture_output=True,
                       text=True)
    assert p.returncode != 0 and 'Failed to get shared "write" lock' \
        in p.stderr
    for cmd in ('cont', 'stop', 'cont', 'system_reset', 'stop'):
        assert c.ok(cmd) == {}
    status = c.ok('query-status')
    assert status['status'] == 'paused'
    assert q.shutdown() == 0
    for img in (top, os.path.join(images, 'base.qcow2')):
        subprocess.run([QEMU_IMG, 'check', img], check=True,
                       stdout=subprocess.DEVNULL)
    # Unlocked: a writer can open it.
    subprocess.run([QEMU_IMG, 'resize', r2, '3M'], check=True,
                   stdout=subprocess.DEVNULL)
