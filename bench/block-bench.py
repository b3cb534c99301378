#!/usr/bin/env python3
"""Block benchmark: the Linux guest of tests/linux runs iobench
(tests/linux/iobench.c: O_DIRECT 4 KiB random read/write at queue depth 1
and 32, 1 MiB sequential read/write) on a virtio-blk-device, booted on
qcore and on qemu-system-riscv64 alternately, same kernel, initramfs,
image, cache and aio= (issue 11, section 6; bench/README.md).

    bench/block-bench.py [--secs 5] [--runs 2] [--fmt raw,qcow2]
                         [--aio threads,io_uring] [--qcore build/qcore]
    bench/block-bench.py --scaling [--secs 5] [--runs 2] [--aio threads]
    bench/block-bench.py --decompose [--fmt raw] [--tests randread1,...]
                         [--base OLD_QCORE] [--noev]

--scaling: qcore alone (QEMU has no iothread= on virtio-mmio under TCG):
four raw disks served by 1, 2 and 4 IOThreads (disk i on IOThread
i mod N), the guest at -smp 4 keeping 32 requests in flight on each disk
(randread32, randwrite32); total IOPS and the host CPU per request of the
IOThreads and the pool workers, N alternating within each run.

QEMU 7.2 refuses iothread= on virt's virtio-mmio under TCG ("ioeventfd is
required for iothread"), so QEMU's disk is served by its main loop; qcore
is measured both ways (main loop, and iothread=io0) and the ratio is
given against each.  Both use -global virtio-mmio.force-legacy=false
(virtio 1.x) and cache=none (O_DIRECT on the host: the page cache does
not hide the device path).  Each cell is the best of --runs boots.
"""
import argparse
import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTS = ['randread1', 'randwrite1', 'randread32', 'randwrite32',
         'seqread', 'seqwrite']
SCALING_TESTS = ['randread32', 'randwrite32']


def newc_entry(name, data, mode):
    """One cpio "newc" member (what the kernel's initramfs unpacks)."""
    name = name.encode() + b'\0'
    hdr = b'070701' + b''.join(b'%08X' % v for v in (
        0, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name), 0))
    pad = lambda n: b'\0' * (-n % 4)
    return hdr + name + pad(len(hdr) + len(name)) + data + pad(len(data))


def make_initrd(linux, tmp):
    """The test initramfs plus /bin/iobench, as a second archive."""
    exe = os.path.join(tmp, 'iobench')
    subprocess.run(['riscv64-linux-gnu-gcc', '-O2', '-static', '-Wall',
                    '-pthread', '-o', exe,
                    os.path.join(ROOT, 'bench', 'iobench.c')], check=True)
    with open(exe, 'rb') as f:
        archive = (newc_entry('bin/iobench', f.read(), 0o100755) +
                   newc_entry('TRAILER!!!', b'', 0))
    initrd = os.path.join(tmp, 'initramfs.cpio.gz')
    with open(os.path.join(linux, 'initramfs.cpio.gz'), 'rb') as f:
        base = f.read()
    with open(initrd, 'wb') as f:
        f.write(base + gzip.compress(archive))
    return initrd


def thread_cpu(pid):
    """CPU seconds so far of @pid's threads, summed by thread name: the
    nanosecond run time of /proc/PID/task/TID/schedstat (utime+stime count
    10 ms ticks, too coarse for threads that each run a few ms).  Under
    the key (name, 'wait'), the time they were runnable but waited for a
    host CPU (schedstat's second field); under ('all', 'sleeps') the
    times the threads went to sleep (voluntary context switches)."""
    cpu = {}
    try:
        for tid in os.listdir('/proc/%d/task' % pid):
            with open('/proc/%d/task/%s/comm' % (pid, tid)) as f:
                name = f.read().strip()
            if tid == str(pid):
                name = 'main'       # whatever the binary is called
            with open('/proc/%d/task/%s/schedstat' % (pid, tid)) as f:
                run, wait = (int(v) for v in f.read().split()[:2])
            cpu[name] = cpu.get(name, 0) + run / 1e9
            cpu[(name, 'wait')] = cpu.get((name, 'wait'), 0) + wait / 1e9
            with open('/proc/%d/task/%s/status' % (pid, tid)) as f:
                m = re.search(r'^voluntary_ctxt_switches:\s+(\d+)',
                              f.read(), re.M)
            cpu[('all', 'sleeps')] = cpu.get(('all', 'sleeps'), 0) + \
                int(m.group(1))
    except OSError:
        pass
    return cpu


def run_iobench(binary, args, tests):
    """Boot @args, whose init runs iobench's @tests in order; for each,
    (IOPS, MB/s, {thread name: CPU seconds during it}).  The console is
    read as it comes: at each iobench line, the CPU qcore's threads used
    so far.  Exits with the console's tail when a run fails."""
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = b''
    marks = []
    for line in p.stdout:
        out += line
        if b'init ready' in line or b'iobench: ' in line:
            marks.append(thread_cpu(p.pid))
    err = p.stderr.read()
    p.wait(600)
    out = out.decode(errors='replace')
    rows = {m.group(1): (float(m.group(2)), float(m.group(3)))
            for m in re.finditer(r'iobench: (\w+) iops=([\d.]+) '
                                 r'mbps=([\d.]+)', out)}
    insn = {m.group(1): float(m.group(2))
            for m in re.finditer(r'iobench: (\w+) .* insn=([\d.]+)', out)}
    if p.returncode != 0 or len(rows) != len(tests) or \
            len(marks) != len(tests) + 1:
        sys.exit('%s failed (%d): %s%s' % (binary, p.returncode,
                                           out[-2000:], err.decode()))
    for i, t in enumerate(tests):
        cpu = {k: marks[i + 1].get(k, 0) - marks[i].get(k, 0)
               for k in set(marks[i + 1]) | set(marks[i])}
        rows[t] = rows[t] + (cpu, insn.get(t, 0))
    return rows


def boot(binary, image, fmt, aio, iothread, secs, linux, qemu, initrd,
         tests=None, extra=()):
    dev = 'virtio-blk-device,drive=d0'
    tests = tests or TESTS
    args = [binary, '-M', 'virt', '-smp', '1', '-m', '512M', '-nographic',
            '-kernel', os.path.join(linux, 'Image'),
            '-initrd', initrd,
            # init splits qcore_run at commas: one iobench per test.
            '-append', 'console=ttyS0 quiet qcore_run=' +
            ','.join('iobench:/dev/vda:%s:%s' % (secs, t) for t in tests),
            '-global', 'virtio-mmio.force-legacy=false',
            '-drive', 'file=%s,format=%s,if=none,id=d0,cache=none,aio=%s'
            % (image, fmt, aio)]
    if iothread:
        args += ['-object', 'iothread,id=io0']
        dev += ',iothread=io0'
    args += ['-device', dev] + list(extra)
    if qemu:
        # debug-threads: QEMU's vCPU thread is then "CPU 0/TCG", as
        # qcore's is "CPU 0/riscv" (the per-thread CPU split).
        args += ['-cpu', 'rv64,h=off', '-name', 'debug-threads=on']
    return run_iobench(binary, args, tests)


def boot_scaling(binary, images, aio, niothreads, secs, linux, initrd):
    devs = '+'.join('/dev/vd%s' % c for c in 'abcd'[:len(images)])
    run = ','.join('iobench:%s:%s:%s' % (devs, secs, t)
                   for t in SCALING_TESTS)
    args = [binary, '-M', 'virt', '-smp', '4', '-m', '512M', '-nographic',
            '-kernel', os.path.join(linux, 'Image'), '-initrd', initrd,
            '-append', 'console=ttyS0 quiet qcore_run=' + run,
            '-global', 'virtio-mmio.force-legacy=false']
    for n in range(niothreads):
        args += ['-object', 'iothread,id=io%d' % n]
    for i, image in enumerate(images):
        args += ['-drive', 'file=%s,format=raw,if=none,id=d%d,cache=none,'
                 'aio=%s' % (image, i, aio),
                 '-device', 'virtio-blk-device,drive=d%d,iothread=io%d'
                 % (i, i % niothreads)]
    rows = run_iobench(binary, args, SCALING_TESTS)
    return {t: (v[0], v[2]) for t, v in rows.items()}


def scaling(opts, initrd, tmp):
    images = []
    for i in range(4):
        image = os.path.join(tmp, 'disk%d.raw' % i)
        subprocess.run(['qemu-img', 'create', '-q', '-f', 'raw', '-o',
                        'preallocation=full', image, opts.size], check=True)
        images.append(image)
    aio = opts.aio.split(',')[0]
    print('# block-bench --scaling: qcore, 4 raw disks, aio=%s, cache=none, '
          '-smp 4, 32 requests in flight per disk, %ss per test, best of %d'
          % (aio, opts.secs, opts.runs))
    print('%-9s %-12s %10s %14s %14s %16s' % (
        'iothreads', 'test', 'IOPS', 'IOThreads/req', 'workers/req',
        'busiest IOThread'))
    best = {}
    for _ in range(opts.runs):
        for n in (1, 2, 4):
            res = boot_scaling(opts.qcore, images, aio, n, opts.secs,
                               opts.linux, initrd)
            for t, v in res.items():
                if (n, t) not in best or v[0] > best[(n, t)][0]:
                    best[(n, t)] = v
    secs = float(opts.secs)
    for t in SCALING_TESTS:
        for n in (1, 2, 4):
            iops, cpu = best[(n, t)]
            reqs = iops * secs
            io = {k: v for k, v in cpu.items()
                  if isinstance(k, str) and k.startswith('IO io')}
            print('%-9d %-12s %10.0f %11.1f us %11.1f us %15.0f%%' % (
                n, t, iops, sum(io.values()) / reqs * 1e6,
                cpu.get('worker', 0) / reqs * 1e6,
                max(io.values()) / secs * 100))
        sys.stdout.flush()


def decompose(opts, qemu, initrd, tmp):
    """Where a queue-depth-1 request's time goes, per emulator: the vCPU
    thread's run time (guest code, plus MMIO emulated on it), its wait
    for a host CPU, and the rest, when the vCPU sleeps in wfi for the
    completion (device and loop path, wake-ups included); guest
    instructions per request (instret, exact on qcore only) and the
    interpreter's MIPS; each other thread's run time per request.
    Medians over --runs boots, the peers alternating; --base adds
    another qcore binary (before a change) as peers base and base-io."""
    tests = opts.tests.split(',')
    fmts = opts.fmt.split(',') if opts.fmt_given else ['raw']
    images = {}
    for fmt in fmts:
        images[fmt] = os.path.join(tmp, 'disk.' + fmt)
        subprocess.run(['qemu-img', 'create', '-q', '-f', fmt, '-o',
                        'preallocation=full', images[fmt], opts.size],
                       check=True)
    secs = float(opts.secs)
    print('# block-bench --decompose: cache=none, %ss per test, '
          'median of %d boots; per request, in us' % (opts.secs, opts.runs))
    print('%-6s %-6s %-10s %-11s %6s %7s %7s %7s %7s %6s %5s %7s %7s %7s %6s'
          % ('fmt', 'aio', 'who', 'test', 'IOPS', 'req', 'vcpu', 'vwait',
             'vidle', 'insn', 'MIPS', 'main', 'IO', 'workers', 'sleeps'))
    for fmt, aio in [(f, a) for f in fmts for a in opts.aio.split(',')]:
        res = {}
        peers = [('qemu', qemu, False, True),
                 ('qcore', opts.qcore, False, False),
                 ('qcore-io', opts.qcore, True, False)]
        if opts.base:
            peers += [('base', opts.base, False, False),
                      ('base-io', opts.base, True, False)]
        if opts.noev:
            peers += [('qcore-noev', opts.qcore, False, False)]
        for _ in range(opts.runs):
            for who, binary, io, isq in peers:
                extra = ('-global', 'virtio-mmio.ioeventfd=off') \
                    if who == 'qcore-noev' else ()
                rows = boot(binary, images[fmt], fmt, aio, io, opts.secs,
                            opts.linux, isq, initrd, tests, extra)
                for t in tests:
                    iops, _, cpu, insn = rows[t]
                    reqs = iops * secs
                    per = lambda k: cpu.get(k, 0) / reqs * 1e6
                    vcpu = sum(v for k, v in cpu.items()
                               if isinstance(k, str) and k.startswith('CPU'))
                    vwait = sum(v for k, v in cpu.items()
                                if isinstance(k, tuple) and
                                k[0].startswith('CPU'))
                    main = per('main')
                    req = 1e6 / iops
                    vcpu = vcpu / reqs * 1e6
                    vwait = vwait / reqs * 1e6
                    res.setdefault((who, t), []).append((
                        iops, req, vcpu, vwait, req - vcpu - vwait,
                        insn if who != 'qemu' else 0,
                        insn / vcpu if who != 'qemu' and vcpu else 0,
                        main, per('IO io0'), per('worker'),
                        cpu.get(('all', 'sleeps'), 0) / reqs))
        for t in tests:
            for who, _, _, _ in peers:
                cols = list(zip(*res[(who, t)]))
                med = [sorted(c)[len(c) // 2] for c in cols]
                print('%-6s %-6s %-10s %-11s %6.0f %7.1f %7.1f %7.1f %7.1f '
                      '%6.0f %5.0f %7.1f %7.1f %7.1f %6.2f'
                      % ((fmt, aio, who, t) + tuple(med)))
                sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--secs', default='5')
    ap.add_argument('--runs', type=int, default=2)
    ap.add_argument('--fmt', help='default raw,qcow2 (--decompose: raw)')
    ap.add_argument('--aio', default='threads,io_uring')
    ap.add_argument('--size', default='256M')
    ap.add_argument('--qcore', default=os.path.join(ROOT, 'build', 'qcore'))
    ap.add_argument('--linux', default=os.path.join(ROOT, 'build', 'linux'))
    ap.add_argument('--scaling', action='store_true')
    ap.add_argument('--decompose', action='store_true')
    ap.add_argument('--tests', default='randread1,randwrite1')
    ap.add_argument('--noev', action='store_true',
                    help='--decompose: add qcore with ioeventfd=off '
                    '(kicks handled in the vCPU thread, as QEMU TCG)')
    ap.add_argument('--base', help='another qcore binary (the one before '
                    'a change), measured alongside: main loop in the '
                    'table, main loop and iothread= with --decompose')
    opts = ap.parse_args()
    opts.fmt_given = opts.fmt is not None
    opts.fmt = opts.fmt or 'raw,qcow2'
    qemu = shutil.which('qemu-system-riscv64')
    if not qemu:
        sys.exit('qemu-system-riscv64 is not installed')
    tmp = tempfile.mkdtemp(prefix='block-bench-')
    initrd = make_initrd(opts.linux, tmp)
    if opts.decompose:
        try:
            decompose(opts, qemu, initrd, tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return
    if opts.scaling:
        try:
            scaling(opts, initrd, tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return
    print('# block-bench: %s, -smp 1, cache=none, %ss per test, best of %d'
          % (subprocess.run([qemu, '--version'], capture_output=True,
                            text=True).stdout.split('\n')[0],
             opts.secs, opts.runs))
    print('%-6s %-8s %-12s %12s %12s %12s %8s %8s' %
          ('fmt', 'aio', 'test', 'qemu', 'qcore', 'qcore-io', 'ratio',
           'ratio-io'))
    cpu_rows = []
    try:
        for fmt in opts.fmt.split(','):
            image = os.path.join(tmp, 'disk.' + fmt)
            subprocess.run(['qemu-img', 'create', '-q', '-f', fmt, '-o',
                            'preallocation=full', image, opts.size],
                           check=True)
            for aio in opts.aio.split(','):
                best = {}
                peers = [('qemu', qemu, False, True),
                         ('qcore', opts.qcore, False, False),
                         ('qcore-io', opts.qcore, True, False)]
                if opts.base:
                    peers.append(('base', opts.base, False, False))
                for _ in range(opts.runs):
                    for who, binary, io, isq in peers:
                        rows = boot(binary, image, fmt, aio, io, opts.secs,
                                    opts.linux, isq, initrd)
                        for t, v in rows.items():
                            key = (who, t)
                            if key not in best or v[0] > best[key][0]:
                                best[key] = v
                for t in TESTS:
                    secs = float(opts.secs)
                    reqs = best[('qcore-io', t)][0] * secs
                    cpu = best[('qcore-io', t)][2]
                    io = cpu.get('IO io0', 0)
                    pool = cpu.get('worker', 0)
                    cpu_rows.append('%-6s %-8s %-12s %9.1f us %9.1f us'
                                    % (fmt, aio, t, io / reqs * 1e6,
                                       pool / reqs * 1e6))
                for t in TESTS:
                    col = 1 if t.startswith('seq') else 0
                    unit = 'MB/s' if col else 'IOPS'
                    q, c, ci = (best[(w, t)][col]
                                for w in ('qemu', 'qcore', 'qcore-io'))
                    extra = ''
                    if opts.base:
                        b = best[('base', t)][col]
                        extra = '  base %.1f (%.2fx)' % (b, b / q)
                    print('%-6s %-8s %-12s %12.1f %12.1f %12.1f %7.2fx '
                          '%7.2fx  %s%s' % (fmt, aio, t, q, c, ci, c / q,
                                            ci / q, unit, extra))
                    sys.stdout.flush()
        print('# qcore iothread=io0: host CPU per request (run time of '
              'the IOThread and of the pool workers, schedstat)')
        print('%-6s %-8s %-12s %12s %12s' % ('fmt', 'aio', 'test',
                                             'IO io0', 'workers'))
        print('\n'.join(cpu_rows))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    main()
