#!/usr/bin/env python3
"""Where a block request's time goes, phase by phase, on QEMU 7.2 and on
qcore, from both programs' own trace events (docs/tracing.md): the same
-trace command line, the same "TID@SECONDS.MICROSECONDS:name args" lines.

    bench/trace-phases.py [--tests seqread,seqwrite] [--aio io_uring]
                          [--runs 2] [--secs 3] [--qcore build-bench/qcore]

The guest, image and command line are block-bench.py's (raw, cache=none,
-smp 1); QEMU's disk is on its main loop (it refuses iothread= under TCG),
qcore's on an IOThread; the peers alternate, one boot each per run.

A cycle runs from one InterruptACK (virtio_mmio_setting_irq 0, written by
the guest) to the next, and is cut at the events every request passes:

  ack -> notify       the guest completes the request, issues the next one
                      and kicks; notify is virtio_queue_notify, when the
                      queue's handler runs (QEMU: in the vCPU's MMIO write;
                      qcore: in the IOThread, after the kick's eventfd)
  notify -> submit    the handler pops and builds the request, the block
                      layer submits it (luring_io_uring_submit or
                      thread_pool_submit, the first of the cycle)
  submit -> complete  the host I/O, to the last completion of the cycle
                      (luring_process_completion or thread_pool_complete)
  complete -> irq     completing, filling the used ring, raising the line
                      (virtio_mmio_setting_irq 1, the last of the cycle)
  irq -> ack          the vCPU wakes, takes the interrupt, acknowledges it

Quartiles in microseconds over every whole cycle of the test.  Tracing
costs both programs a formatted line per event (a few us each); the
phases are comparable with each other, not with untraced runs.
"""
import argparse
import importlib
import os
import re
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'bench'))
bb = importlib.import_module('block-bench')

EVENTS = ['virtio_queue_notify', 'virtio_mmio_setting_irq',
          'luring_io_uring_submit', 'luring_process_completion',
          'thread_pool_submit', 'thread_pool_complete']
PHASES = ['cycle', 'ack->notify', 'notify->submit', 'submit->complete',
          'complete->irq', 'irq->ack']
LINE = re.compile(r'^\d+@(\d+)\.(\d{6}):(\w+) ?(.*)$')


def read_events(path):
    """(time in us, kind) in time order; kind is one of
    notify, submit, complete, irq1, ack."""
    kinds = {'virtio_queue_notify': 'notify',
             'luring_io_uring_submit': 'submit',
             'thread_pool_submit': 'submit',
             'luring_process_completion': 'complete',
             'thread_pool_complete': 'complete'}
    out = []
    with open(path, errors='replace') as f:
        for line in f:
            m = LINE.match(line)
            if not m:
                continue
            t = int(m.group(1)) * 1000000 + int(m.group(2))
            name, args = m.group(3), m.group(4)
            if name == 'virtio_mmio_setting_irq':
                kind = 'irq1' if args.endswith(' 1') else 'ack'
            elif name in kinds:
                kind = kinds[name]
            else:
                continue
            out.append((t, kind))
    out.sort()
    return out


def cycles(events):
    """Per whole cycle (ack to next ack), the phases in us."""
    acks = [i for i, (_, k) in enumerate(events) if k == 'ack']
    rows = []
    for a, b in zip(acks, acks[1:]):
        seg = events[a + 1:b]
        t0, t1 = events[a][0], events[b][0]
        notify = next((t for t, k in seg if k == 'notify'), None)
        if notify is None:
            continue
        submit = next((t for t, k in seg if k == 'submit' and t >= notify),
                      None)
        irq = [t for t, k in seg if k == 'irq1']
        if submit is None or not irq:
            continue
        done = [t for t, k in seg if k == 'complete' and submit <= t <= irq[-1]]
        if not done:
            continue
        rows.append({'cycle': t1 - t0, 'ack->notify': notify - t0,
                     'notify->submit': submit - notify,
                     'submit->complete': done[-1] - submit,
                     'complete->irq': irq[-1] - done[-1],
                     'irq->ack': t1 - irq[-1]})
    return rows


def quartiles(values):
    if len(values) < 4:
        return '-'
    q = statistics.quantiles(values, n=4)
    return '%d/%d/%d' % (q[0], q[1], q[2])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tests', default='seqread,seqwrite')
    ap.add_argument('--aio', default='io_uring')
    ap.add_argument('--runs', type=int, default=2)
    ap.add_argument('--secs', default='3')
    ap.add_argument('--qcore', default=os.path.join(ROOT, 'build-bench',
                                                    'qcore'))
    ap.add_argument('--linux', default=os.path.join(ROOT, 'build', 'linux'))
    opts = ap.parse_args()
    qemu = 'qemu-system-riscv64'
    with tempfile.TemporaryDirectory() as tmp:
        initrd = bb.make_initrd(opts.linux, tmp)
        image = os.path.join(tmp, 'disk.raw')
        subprocess.run(['qemu-img', 'create', '-q', '-f', 'raw', '-o',
                        'preallocation=full', image, '256M'], check=True)
        print('# trace-phases: raw, aio=%s, cache=none, %ss per test; '
              'quartiles in us over whole cycles (n)' % (opts.aio,
                                                         opts.secs))
        print('%-9s %-9s %-3s %6s ' % ('test', 'who', 'run', 'n') +
              ' '.join('%-16s' % p for p in PHASES))
        for test in opts.tests.split(','):
            for run in range(opts.runs):
                for who, binary, iothread in (('qemu', qemu, False),
                                              ('qcore-io', opts.qcore,
                                               True)):
                    log = os.path.join(tmp, 'trace.log')
                    extra = ['-msg', 'timestamp=on', '-D', log]
                    for ev in EVENTS:
                        extra += ['-trace', ev]
                    bb.boot(binary, image, 'raw', opts.aio, iothread,
                            opts.secs, opts.linux, who == 'qemu', initrd,
                            [test], extra)
                    rows = cycles(read_events(log))
                    print('%-9s %-9s %-3d %6d ' % (test, who, run + 1,
                                                   len(rows)) +
                          ' '.join('%-16s' % quartiles([r[p] for r in rows])
                                   for p in PHASES))
                    sys.stdout.flush()


if __name__ == '__main__':
    main()
