"""virtio-blk-device with the Linux guest of tests/linux: disks made by
Debian's qemu-img, served from an IOThread, formatted and written by the
guest, checked from the host with e2fsprogs' debugfs and qemu-img (QEMU's
hw/block/virtio-blk.c; docs/virtio.md, docs/block.md).  What the guest
sees of the device is compared with QEMU 7.2 booting the same kernel.
"""
import os
import re
import resource
import shutil
import signal
import subprocess

import pytest

from conftest import QCORE
import test_linux
from test_linux import Console, linux_args

QEMU = shutil.which('qemu-system-riscv64')
QEMU_IMG = shutil.which('qemu-img')
DEBUGFS = shutil.which('debugfs') or '/usr/sbin/debugfs'

pytestmark = [
    test_linux.pytestmark,
    pytest.mark.skipif(not QEMU_IMG, reason='qemu-img is not installed'),
]


def qemu_img(*args):
    r = subprocess.run([QEMU_IMG] + list(args), capture_output=True,
                       text=True, timeout=60)
    return r.returncode, r.stdout + r.stderr


def make_image(tmp, name, fmt, size='64M'):
    path = os.path.join(tmp, name)
    rc, out = qemu_img('create', '-f', fmt, path, size)
    assert rc == 0, out
    return path


def debugfs_cat(image, path):
    r = subprocess.run([DEBUGFS, '-R', 'cat ' + path, image],
                       capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout


def disk_args(image, fmt, drive_id='d0', extra_drive='', extra_dev=''):
    return ['-drive', 'file=%s,format=%s,if=none,id=%s%s'
            % (image, fmt, drive_id, extra_drive),
            '-device', 'virtio-blk-device,drive=%s,iothread=io0%s'
            % (drive_id, extra_dev)]


@pytest.fixture
def guest(start):
    """guest(extra) -> (Qcore, Console, QMP client) at the shell, with an
    IOThread io0 for the disks."""
    def _start(extra=(), smp=2):
        q = start(linux_args(smp) + ['-S', '-object', 'iothread,id=io0'] +
                  list(extra), base=(), pty=True)
        c = q.qmp()
        c.ok('cont')
        con = Console(q, c)
        con.expect(b'qcore-linux: init ready on %d harts' % smp)
        con.expect(test_linux.PROMPT)
        return q, con, c
    return _start


def sh(con, cmd, timeout=test_linux.BOOT_TIMEOUT):
    out, status = con.run(cmd, timeout)
    assert status == 0, '%s: %s' % (cmd, out)
    return out


def poweroff(q, con):
    con.term.write(b'poweroff\n')
    con.expect(b'reboot: Power down')
    assert q.wait() == 0


# A file the guest writes and the host reads back: 200 KiB of numbered
# lines, so a misplaced or lost block shows.
MAKE_FILE = "seq 1 30000 | sed 's/$/ qcore/' > %s"


def expected_file():
    return ''.join('%d qcore\n' % i for i in range(1, 30001)).encode()


@pytest.mark.parametrize('fmt, drive, dev', [
    ('raw', '', ''), ('qcow2', '', ''),
    # Linux AIO (libaio) and io_uring, each with O_DIRECT.
    ('raw', ',cache.direct=on,aio=native', ''),
    ('qcow2', ',cache.direct=on,aio=io_uring', ''),
    # Adjacent requests merged (QEMU's default, not qcore's).
    ('qcow2', ',cache.direct=on', ',request-merging=on'),
])
def test_ext4_written_by_the_guest_reads_back_on_the_host(guest,
                                                          tmpdir_short, fmt,
                                                          drive, dev):
    image = make_image(tmpdir_short, 'disk.' + fmt, fmt)
    q, con, c = guest(disk_args(image, fmt, extra_drive=drive,
                                extra_dev=',serial=QC0001' + dev))
    # The guest sees the size and the serial (GET_ID) it was given.
    assert sh(con, 'cat /sys/block/vda/size') == '131072\n'
    assert sh(con, 'cat /sys/block/vda/serial') == 'QC0001'
    sh(con, 'mke2fs /dev/vda > /dev/null')
    sh(con, 'mount /dev/vda /mnt')
    sh(con, 'echo hello from the guest > /mnt/hello')
    sh(con, MAKE_FILE % '/mnt/lines')
    sh(con, 'mkdir /mnt/d && cp /mnt/lines /mnt/d/copy')
    # Direct 1 MiB requests, which Linux cuts at seg_max into two (the
    # pairs request-merging joins when they meet in one handler run).
    sh(con, 'dd if=/mnt/lines of=/mnt/big bs=64k count=3 2>/dev/null')
    sh(con, 'for i in 1 2 3 4 5 6 7 8; do cat /mnt/big; done > /mnt/big8')
    sh(con, 'dd if=/mnt/big8 of=/mnt/direct bs=1M oflag=direct 2>/dev/null')
    big_md5 = sh(con, 'md5sum /mnt/big8').split()[0]
    sh(con, 'dd if=/mnt/direct of=/tmp/back bs=1M iflag=direct 2>/dev/null')
    assert sh(con, 'md5sum /tmp/back').split()[0] == big_md5
    md5 = sh(con, 'md5sum /mnt/lines').split()[0]
    sh(con, 'sync && umount /mnt')
    # Read back after remounting: what came from the disk, not the cache.
    sh(con, 'echo 3 > /proc/sys/vm/drop_caches')
    sh(con, 'mount -o ro /dev/vda /mnt')
    assert sh(con, 'md5sum /mnt/d/copy').split()[0] == md5
    sh(con, 'umount /mnt')
    stats = c.ok('query-blockstats')[0]['stats']
    assert stats['wr_operations'] > 0 and stats['rd_operations'] > 0
    assert stats['flush_operations'] > 0
    # The IOThread can busy-poll (poll-max-ns, as in QEMU): every handler
    # it watches for the disk, the queue's kick and Linux AIO's or
    # io_uring's completions, has an io_poll callback; one without would
    # turn polling off for the whole thread.
    io0 = [x for x in c.ok('x-query-main-loop')['contexts']
           if x['name'] == 'io0'][0]
    assert len(io0['handlers']) >= 2 + ('aio=' in drive)
    assert all(h['io-poll'] for h in io0['handlers']), io0['handlers']
    poweroff(q, con)

    if fmt == 'qcow2':
        rc, out = qemu_img('check', image)
        assert rc == 0 and 'No errors were found' in out, out
        raw = os.path.join(tmpdir_short, 'converted.raw')
        rc, out = qemu_img('convert', '-O', 'raw', image, raw)
        assert rc == 0, out
        image = raw
    assert debugfs_cat(image, '/hello') == b'hello from the guest\n'
    assert debugfs_cat(image, '/lines') == expected_file()
    assert debugfs_cat(image, '/d/copy') == expected_file()
    assert debugfs_cat(image, '/direct') == expected_file()[:196608] * 8


def test_guest_sees_qemus_virtio_blk(tmpdir_short):
    """Features, size and queue limits in sysfs, legacy and modern, as
    QEMU 7.2 shows them (QEMU without iothread=: TCG has no ioeventfd)."""
    if not QEMU:
        pytest.skip('qemu-system-riscv64 is not installed')
    image = make_image(tmpdir_short, 'disk.raw', 'raw')
    cmds = ','.join('cat:/sys/block/vda/' + f for f in (
        'device/features', 'size', 'ro', 'cache_type',
        'queue/logical_block_size', 'queue/physical_block_size',
        'queue/max_segments', 'queue/max_hw_sectors_kb',
        'queue/discard_granularity', 'queue/discard_max_hw_bytes',
        'queue/max_discard_segments', 'queue/write_zeroes_max_bytes'))
    for legacy in ('on', 'off'):
        outs = []
        for binary, extra in ((QCORE, ['-object', 'iothread,id=io0']),
                              (QEMU, ['-cpu', 'rv64,h=off'])):
            dev = 'virtio-blk-device,drive=d0'
            if binary == QCORE:
                dev += ',iothread=io0'
            args = [binary, '-M', 'virt', '-smp', '1', '-m', '512M',
                    '-nographic', '-kernel', test_linux.IMAGE,
                    '-initrd', test_linux.INITRD,
                    '-append', 'console=ttyS0 quiet qcore_run=' + cmds,
                    '-drive', 'file=%s,format=raw,if=none,id=d0' % image,
                    '-device', dev,
                    '-global', 'virtio-mmio.force-legacy=' + legacy] + extra
            r = subprocess.run(args, stdin=subprocess.DEVNULL,
                               capture_output=True,
                               timeout=test_linux.BOOT_TIMEOUT)
            assert r.returncode == 0, r.stderr
            out = r.stdout.decode(errors='replace').replace('\r', '')
            out = out[out.index('qcore-linux: init ready'):].split('\n')[1:]
            outs.append([line for line in out if line and
                         not line.startswith(('qcore-linux:', '['))])
        assert outs[0] == outs[1], legacy
        assert len(outs[0]) == 12 and outs[0][1] == '131072'


def test_sigkill_keeps_every_write_acknowledged_after_a_flush(
        guest, tmpdir_short):
    image = make_image(tmpdir_short, 'disk.qcow2', 'qcow2')
    q, con, c = guest(disk_args(image, 'qcow2'))
    # Block i of the disk gets 4 KiB of "blk i", written and flushed
    # (conv=fsync: a VIRTIO_BLK_T_FLUSH) before "acked i" is printed.
    con.term.write(b'i=0; while true; do yes "blk $i" | head -c 4096 > /tmp/p; '
                   b'dd if=/tmp/p of=/dev/vda bs=4096 seek=$i count=1 '
                   b'conv=fsync 2>/dev/null && echo "acked-$i-"; '
                   b'i=$((i+1)); done\n')
    out = con.expect(re.compile(rb'acked-(\d+)-'))
    while int(re.findall(rb'acked-(\d+)-', out)[-1]) < 40:
        out = con.expect(re.compile(rb'acked-(\d+)-'))
    last = int(re.findall(rb'acked-(\d+)-', out)[-1])
    os.kill(q.pid, signal.SIGKILL)
    q.proc.wait()

    # Killed: the image may leak clusters (exit status 3), never corrupt.
    rc, out = qemu_img('check', image)
    assert rc in (0, 3) and 'ERROR' not in out, out
    raw = os.path.join(tmpdir_short, 'disk.raw')
    rc, out = qemu_img('convert', '-U', '-O', 'raw', image, raw)
    assert rc == 0, out
    with open(raw, 'rb') as f:
        for i in range(last + 1):
            block = f.read(4096)
            want = (b'blk %d\n' % i) * (4096 // len(b'blk %d\n' % i) + 1)
            assert block == want[:4096], 'block %d of %d' % (i, last)


def test_stop_with_requests_in_flight_then_cont(guest, tmpdir_short):
    image = make_image(tmpdir_short, 'disk.raw', 'raw')
    q, con, c = guest(disk_args(image, 'raw', extra_drive=',cache=none'))
    sh(con, "yes 0123456789abcdef | head -c 1048576 > /tmp/pat")
    con.term.write(b'for i in $(seq 0 47); do dd if=/tmp/pat of=/dev/vda '
                   b'bs=1M seek=$i oflag=direct 2>/dev/null || echo B""AD; '
                   b'done; sync; echo "wr""ote-all"\n')
    # Wait until the guest's writes are reaching the disk, then stop.
    while not c.ok('query-blockstats')[0]['stats']['wr_operations']:
        pass
    c.ok('stop')
    # Drained before stop returned, nothing moves while stopped.
    before = c.ok('query-blockstats')[0]['stats']
    assert c.ok('query-status')['status'] == 'paused'
    again = c.ok('query-blockstats')[0]['stats']
    assert again['wr_operations'] == before['wr_operations']
    assert again['wr_bytes'] == before['wr_bytes']
    assert before['wr_bytes'] < 48 << 20
    c.ok('cont')
    out = con.expect(b'wrote-all')
    assert b'BAD' not in out
    con.expect(test_linux.PROMPT)
    poweroff(q, con)
    with open(image, 'rb') as f:
        pattern = (b'0123456789abcdef\n' * 61681)[:1 << 20]
        for i in range(48):
            assert f.read(1 << 20) == pattern, 'MiB %d' % i


def test_werror_stop_then_cont_retries_the_write(guest, tmpdir_short):
    """A write the host refuses (EFBIG past RLIMIT_FSIZE) stops the VM with
    BLOCK_IO_ERROR; once the limit is lifted, cont retries it and the
    guest never sees an error."""
    image = make_image(tmpdir_short, 'disk.raw', 'raw')
    old = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # inherited
    try:
        q, con, c = guest(disk_args(image, 'raw',
                                    extra_drive=',werror=stop,rerror=stop'))
    finally:
        signal.signal(signal.SIGXFSZ, old)
    # The soft limit only: lifting it again needs no privilege.
    resource.prlimit(q.pid, resource.RLIMIT_FSIZE,
                     (32 << 20, resource.RLIM_INFINITY))
    sh(con, "yes qcore-werror | head -c 1048576 > /tmp/pat")
    con.term.write(b'dd if=/tmp/pat of=/dev/vda bs=1M seek=40 oflag=direct '
                   b'&& echo "dd-""ok" || echo "dd-""failed"\n')
    ev = c.event('BLOCK_IO_ERROR')
    assert ev['data']['device'] == 'd0'
    assert ev['data']['operation'] == 'write'
    assert ev['data']['action'] == 'stop'
    c.event('STOP')
    assert c.ok('query-status')['status'] == 'io-error'
    assert c.ok('query-block')[0]['io-status'] == 'failed'
    resource.prlimit(q.pid, resource.RLIMIT_FSIZE,
                     (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    c.ok('cont')
    out = con.expect(re.compile(rb'dd-(ok|failed)'))
    assert out.endswith(b'dd-ok'), out
    assert c.ok('query-block')[0]['io-status'] == 'ok'
    con.expect(test_linux.PROMPT)
    poweroff(q, con)
    with open(image, 'rb') as f:
        f.seek(40 << 20)
        assert f.read(1 << 20) == \
            (b'qcore-werror\n' * 80660)[:1 << 20]


def test_werror_report_gives_the_guest_an_io_error(guest, tmpdir_short):
    image = make_image(tmpdir_short, 'disk.raw', 'raw')
    old = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    try:
        q, con, c = guest(disk_args(image, 'raw',
                                    extra_drive=',werror=report'))
    finally:
        signal.signal(signal.SIGXFSZ, old)
    resource.prlimit(q.pid, resource.RLIMIT_FSIZE,
                     (32 << 20, resource.RLIM_INFINITY))
    out, status = con.run('dd if=/dev/zero of=/dev/vda bs=4096 count=1 '
                          'seek=10000 oflag=direct')
    assert status != 0 and 'I/O error' in out, out
    ev = c.event('BLOCK_IO_ERROR')
    assert ev['data']['action'] == 'report'
    assert c.ok('query-status')['status'] == 'running'
    # Below the limit the disk still works.
    sh(con, 'dd if=/dev/zero of=/dev/vda bs=4096 count=1 oflag=direct')


def test_block_resize_reaches_the_guest(guest, tmpdir_short):
    image = make_image(tmpdir_short, 'disk.qcow2', 'qcow2')
    q, con, c = guest(disk_args(image, 'qcow2'))
    assert sh(con, 'cat /sys/block/vda/size') == '131072\n'
    sh(con, 'dmesg -n 1')       # kernel messages out of the shell's way
    c.ok('block_resize', device='d0', size=96 << 20)
    # The config interrupt makes the driver re-read the capacity.
    sh(con, 'until [ $(cat /sys/block/vda/size) = 196608 ]; do :; done')
    assert 'vda: detected capacity change from 131072 to 196608' in \
        sh(con, 'dmesg')
    sh(con, 'dd if=/dev/zero of=/dev/vda bs=1M seek=95 count=1 oflag=direct')
    poweroff(q, con)
    rc, out = qemu_img('check', image)
    assert rc == 0, out


@pytest.mark.parametrize('drive', [
    '',
    # The ring is closed at quit while its IOThread may still be in the
    # completion callback (test-block's /block/iothread/detach-in-callback).
    ',cache.direct=on,aio=io_uring',
])
def test_reset_and_quit_with_io_running(guest, tmpdir_short, drive):
    """system_reset while the guest writes: in-flight requests finish
    first, the rebooted guest finds a working disk; quit as well."""
    image = make_image(tmpdir_short, 'disk.qcow2', 'qcow2')
    q, con, c = guest(disk_args(image, 'qcow2', extra_drive=drive))
    con.term.write(b'while true; do dd if=/dev/zero of=/dev/vda bs=64k '
                   b'count=64 oflag=direct 2>/dev/null; done &\n')
    while not c.ok('query-blockstats')[0]['stats']['wr_operations']:
        pass
    c.ok('system_reset')
    con.expect(b'OpenSBI v')
    con.expect(b'qcore-linux: init ready')
    con.expect(test_linux.PROMPT)
    sh(con, 'dd if=/dev/zero of=/dev/vda bs=64k count=16 oflag=direct')
    con.term.write(b'while true; do dd if=/dev/vda of=/dev/null bs=64k '
                   b'count=64 iflag=direct 2>/dev/null; done &\n')
    before = c.ok('query-blockstats')[0]['stats']['rd_operations']
    while c.ok('query-blockstats')[0]['stats']['rd_operations'] == before:
        pass
    c.ok('quit')
    assert q.wait() == 0
    rc, out = qemu_img('check', image)
    assert rc == 0, out


def test_blockdev_add_at_run_time(guest, tmpdir_short):
    """QEMU 7.2 cannot hot-plug a virtio-blk-device on virt's virtio-mmio
    ("Bus 'virtio-mmio-bus.7' does not support hotplugging"); what it
    supports is adding the node: it appears beside the running disk,
    usable by the monitor, and goes away with blockdev-del while the
    guest's disk keeps working."""
    image = make_image(tmpdir_short, 'disk.raw', 'raw')
    second = make_image(tmpdir_short, 'second.qcow2', 'qcow2', '16M')
    q, con, c = guest(disk_args(image, 'raw'))
    c.ok('blockdev-add', driver='qcow2', **{'node-name': 'n1'},
         file={'driver': 'file', 'filename': second})
    nodes = {n['node-name']: n for n in c.ok('query-named-block-nodes')}
    assert nodes['n1']['drv'] == 'qcow2'
    assert nodes['n1']['image']['virtual-size'] == 16 << 20
    sh(con, 'dd if=/dev/zero of=/dev/vda bs=4096 count=8 oflag=direct')
    c.ok('blockdev-del', **{'node-name': 'n1'})
    assert 'n1' not in {n['node-name']
                        for n in c.ok('query-named-block-nodes')}
    sh(con, 'dd if=/dev/vda of=/dev/null bs=4096 count=8 iflag=direct')
    poweroff(q, con)
    rc, out = qemu_img('check', second)
    assert rc == 0, out


def test_blockdev_snapshot_puts_an_added_node_under_the_guest(
        guest, tmpdir_short):
    """What QEMU 7.2 offers instead of hot-plug for reading a node added at
    run time: blockdev-snapshot makes it the top of the running disk's
    chain.  The guest then reads the new node's data, the old disk's
    through it, and writes into it, with the disk on an IOThread."""
    base = make_image(tmpdir_short, 'base.raw', 'raw')
    with open(base, 'r+b') as f:
        f.write(b'BASE')
        f.seek(1 << 20)
        f.write(b'BAS2')
    overlay = os.path.join(tmpdir_short, 'overlay.qcow2')
    rc, out = qemu_img('create', '-f', 'qcow2', '-b', base, '-F', 'raw',
                       overlay)
    assert rc == 0, out
    r = subprocess.run(['qemu-io', '-f', 'qcow2', '-c',
                        'write -P 0x4f 0 4096', overlay],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    q, con, c = guest(disk_args(base, 'raw'))
    # r N: the first 4 bytes of sector N, past the guest's page cache.
    sh(con, 'r() { dd if=/dev/vda bs=512 skip=$1 count=1 iflag=direct '
       '2>/dev/null | head -c 4; echo; }')
    read4 = 'r %d'
    assert sh(con, read4 % 0) == 'BASE\n'
    c.ok('blockdev-add', driver='qcow2', **{'node-name': 'ov'},
         file={'driver': 'file', 'filename': overlay}, backing=None)
    c.ok('blockdev-snapshot', node='d0', overlay='ov')
    assert sh(con, read4 % 0) == 'OOOO\n'
    assert sh(con, read4 % 2048) == 'BAS2\n'          # 1 MiB: the base's
    sh(con, 'w() { (printf NEW!; head -c 508 /dev/zero) | '
       'dd of=/dev/vda bs=512 seek=$1 oflag=direct 2>/dev/null; }')
    sh(con, 'w 4096')
    assert sh(con, read4 % 4096) == 'NEW!\n'
    disk = [b for b in c.ok('query-block') if b['device'] == 'd0'][0]
    assert disk['inserted']['node-name'] == 'ov'
    assert disk['inserted']['backing_file_depth'] == 1
    assert disk['inserted']['image']['backing-image']['filename'] == base
    err = c.cmd('blockdev-del', **{'node-name': 'ov'})['error']
    assert err['desc'] == 'Node ov is in use'
    poweroff(q, con)
    rc, out = qemu_img('check', overlay)
    assert rc == 0, out
    with open(base, 'rb') as f:
        f.seek(2 << 20)
        assert f.read(4) == bytes(4)        # the write went to the overlay
    flat = os.path.join(tmpdir_short, 'flat.raw')
    rc, out = qemu_img('convert', '-O', 'raw', overlay, flat)
    assert rc == 0, out
    with open(flat, 'rb') as f:
        data = f.read(3 << 20)
    assert data[:4] == b'OOOO' and data[1 << 20:(1 << 20) + 4] == b'BAS2'
    assert data[2 << 20:(2 << 20) + 4] == b'NEW!'


def test_blockdev_node_as_the_disk_with_two_queues(guest, tmpdir_short):
    """drive= naming a -blockdev node, num-queues=2 (two request queues
    in the guest, served by the same IOThread), read-only shown as such."""
    image = make_image(tmpdir_short, 'disk.qcow2', 'qcow2', '8M')
    q, con, c = guest([
        '-blockdev', 'driver=qcow2,node-name=q0,file.driver=file,'
        'file.filename=%s,read-only=on' % image,
        '-device', 'virtio-blk-device,drive=q0,iothread=io0,num-queues=2'])
    assert sh(con, 'ls -1 /sys/block/vda/mq') == '0\n1\n'
    assert sh(con, 'cat /sys/block/vda/ro') == '1\n'
    sh(con, 'dd if=/dev/vda of=/dev/null bs=64k iflag=direct')
    out, status = con.run('dd if=/dev/zero of=/dev/vda bs=4096 count=1 '
                          'oflag=direct')
    assert status != 0
    info = c.ok('query-block')
    assert [b['qdev'] for b in info] == ['/machine/peripheral-anon/device[0]']
    poweroff(q, con)


@pytest.mark.parametrize('args, message', [
    (['-device', 'virtio-blk-device'], 'drive property not set'),
    (['-device', 'virtio-blk-device,drive=nope'],
     "Property 'virtio-blk-device.drive' can't find value 'nope'"),
    (['-drive', 'file=IMG,format=raw,if=none,id=d0',
      '-device', 'virtio-blk-device,drive=d0',
      '-device', 'virtio-blk-device,drive=d0'],
     "Drive 'd0' is already in use by another device"),
    (['-drive', 'file=IMG,format=raw,if=none,id=d0',
      '-device', 'virtio-blk-device,drive=d0,queue-size=100'],
     'invalid queue-size property (100), must be a power of 2'),
    (['-drive', 'file=IMG,format=raw,if=none,id=d0',
      '-device', 'virtio-blk-device,drive=d0,iothread=nope'],
     "Device 'nope' not found"),
    (['-drive', 'file=IMG,format=raw,if=none,id=d0',
      '-device', 'virtio-blk-device,drive=d0,num-queues=0'],
     'num-queues property must be larger than 0'),
    (['-drive', 'file=IMG,format=raw,if=none,id=d0',
      '-device', 'virtio-blk-device,drive=d0,logical_block_size=4096'],
     'logical_block_size > physical_block_size not supported'),
])
def test_device_errors_as_qemu(tmpdir_short, args, message):
    image = make_image(tmpdir_short, 'disk.raw', 'raw', '1M')
    args = [a.replace('IMG', image) for a in args]
    for binary in [QCORE] + ([QEMU] if QEMU else []):
        r = subprocess.run([binary, '-M', 'virt', '-display', 'none'] + args,
                           stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=60)
        assert r.returncode == 1, (binary, r.stderr)
        assert message in r.stderr, (binary, r.stderr)
