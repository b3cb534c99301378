#!/usr/bin/env python3
"""Network benchmark: virtio-net-device on the Linux guest, qcore against
Debian's qemu-system-riscv64 (TCG, -cpu rv64,h=off), identical options:
-M virt -smp 1 -m 512M -nographic, the kernel and initramfs of
scripts/build-linux.sh, -device virtio-net-device (legacy virtio-mmio,
both defaults).

1. slirp (-netdev user), TCP guest -> host: the guest runs
   `dd if=/dev/zero bs=64k count=N | nc 10.0.2.2 PORT`, a listener of
   this script on 127.0.0.1 counts the bytes from accept to EOF.
2. slirp, TCP host -> guest: the guest runs `nc 10.0.2.2 PORT >/dev/null`,
   the listener sends N*64 KiB and closes; timed from accept to the
   guest's end marker on the console (so it includes the guest draining
   every byte).
3. -netdev socket, TCP guest A -> guest B: two emulators of the same
   kind on one socket wire (listen/connect on 127.0.0.1), static
   addresses; B runs `nc -l -p 5001 >/dev/null`, A
   `dd ... | nc 192.168.76.2 5001`; timed on the host from A's command
   to A's end marker.  Then the other way, B (the connecting side's
   guest) -> A, the same way.
4. slirp round trip: `ping -c 20 -i 0.2 10.0.2.2` in the guest, the
   median of the 20; socket round trip: the same from A to B.

Guests reach the host only as 10.0.2.2 (slirp's alias of 127.0.0.1):
all traffic is on the loopback.  Peers alternate in each of REPS rounds;
the table shows the best and the median, and qcore/QEMU ratios (for
throughput >1 is better, for latency <1 is better).

usage: net-bench.py QCORE_BINARY LINUX_DIR [REPS]
"""
import os
import re
import select
import socket
import statistics
import subprocess
import sys
import threading
import time

PROMPT = b'linux:/root# '
MIB = 1 << 20
COUNT = 256             # 64 KiB blocks: 16 MiB per transfer


class Guest:
    def __init__(self, binary, linux, netargs, qemu):
        args = [binary, '-M', 'virt', '-smp', '1', '-m', '512M',
                '-nographic', '-kernel', os.path.join(linux, 'Image'),
                '-initrd', os.path.join(linux, 'initramfs.cpio.gz'),
                '-append', 'console=ttyS0'] + netargs
        if qemu:
            args[1:1] = ['-cpu', 'rv64,h=off']
        self.p = subprocess.Popen(args, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)
        self.buf = b''
        self.expect(PROMPT, 300)

    def expect(self, pat, timeout=300):
        deadline = time.monotonic() + timeout
        fd = self.p.stdout.fileno()
        while True:
            i = self.buf.find(pat)
            if i >= 0:
                out = self.buf[:i]
                self.buf = self.buf[i + len(pat):]
                return out
            left = deadline - time.monotonic()
            r, _, _ = select.select([fd], [], [], max(left, 0))
            if not r:
                raise RuntimeError('timeout waiting for %r; got %r'
                                   % (pat, self.buf[-500:]))
            data = os.read(fd, 65536)
            if not data:
                raise RuntimeError('emulator exited: %r' % self.buf[-500:])
            self.buf += data

    def run(self, cmd, timeout=300):
        """Run @cmd; its output, after the status marker says 0."""
        self.p.stdin.write(cmd.encode() + b'; echo "@@$?""@@"\n')
        self.p.stdin.flush()
        out = self.expect(b'@@0@@', timeout)
        self.expect(PROMPT)
        return out

    def close(self):
        try:
            self.p.stdin.write(b'poweroff -f\n')
            self.p.stdin.flush()
            self.p.wait(30)
        except Exception:
            self.p.kill()
            self.p.wait()


def listener():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    s.listen(1)
    return s, s.getsockname()[1]


def dhcp(g):
    g.run('udhcpc -i eth0 -n -q -s /usr/share/udhcpc/default.script')


def slirp_guest_to_host(g):
    s, port = listener()
    res = {}

    def serve():
        c, _ = s.accept()
        t0 = time.monotonic()
        n = 0
        while True:
            d = c.recv(1 << 16)
            if not d:
                break
            n += len(d)
        res['t'] = time.monotonic() - t0
        res['n'] = n
        c.close()
    th = threading.Thread(target=serve)
    th.start()
    g.run('dd if=/dev/zero bs=64k count=%d 2>/dev/null | nc 10.0.2.2 %d'
          % (COUNT, port))
    th.join(60)
    s.close()
    assert res['n'] == COUNT * 65536, res
    return res['n'] / res['t'] / MIB


def slirp_host_to_guest(g):
    s, port = listener()
    res = {}

    def serve():
        c, _ = s.accept()
        res['t0'] = time.monotonic()
        block = b'\0' * 65536
        for _ in range(COUNT):
            c.sendall(block)
        c.close()
    th = threading.Thread(target=serve)
    th.start()
    out = g.run('nc 10.0.2.2 %d </dev/null | wc -c' % port)
    t1 = time.monotonic()
    th.join(60)
    s.close()
    n = int(re.findall(rb'^(\d+)\s*$', out, re.M)[-1])
    assert n == COUNT * 65536, out
    return n / (t1 - res['t0']) / MIB


def ping(g, addr):
    """The median round trip of 20 pings, in ms: a median, because one
    ping in twenty that meets a host hiccup (tens of ms, on either peer)
    would decide an average."""
    out = g.run('ping -c 20 -i 0.2 %s' % addr)
    rtts = [float(t) for t in re.findall(rb'time=([\d.]+) ms', out)]
    assert len(rtts) == 20, out
    return statistics.median(rtts)


def listening_port(pid):
    inodes = set()
    for fd in os.listdir('/proc/%d/fd' % pid):
        try:
            m = re.match(r'socket:\[(\d+)\]',
                         os.readlink('/proc/%d/fd/%s' % (pid, fd)))
        except OSError:
            continue
        if m:
            inodes.add(m.group(1))
    with open('/proc/%d/net/tcp' % pid) as f:
        next(f)
        for line in f:
            fl = line.split()
            if fl[3] == '0A' and fl[9] in inodes:
                return int(fl[1].split(':')[1], 16)
    raise RuntimeError('no listening socket')


def socket_pair(binary, linux, qemu):
    a = Guest(binary, linux, ['-netdev', 'socket,id=w,listen=127.0.0.1:0',
                              '-device', 'virtio-net-device,netdev=w'], qemu)
    port = listening_port(a.p.pid)
    b = Guest(binary, linux, ['-netdev', 'socket,id=w,connect=127.0.0.1:%d'
                              % port, '-device', 'virtio-net-device,'
                              'netdev=w,mac=52:54:00:12:34:57'], qemu)
    a.run('ip addr add 192.168.76.1/24 dev eth0 && ip link set eth0 up')
    b.run('ip addr add 192.168.76.2/24 dev eth0 && ip link set eth0 up')
    a.run('ping -c 1 -W 10 192.168.76.2')
    return a, b


def socket_send(a, b, b_addr):
    """TCP throughput from @a to @b (at @b_addr) in MiB/s."""
    # B: a persistent listener whose connection handler counts the bytes
    # and writes the count back to the sender.
    b.run("(nc -ll -p 5001 -e sh -c 'wc -c' >/dev/null 2>&1 &)")
    # Until it answers (not timed): B's nc reaches listen() on its own time.
    a.run('until echo x | nc %s 5001 >/dev/null 2>&1; do :; done' % b_addr)
    t0 = time.monotonic()
    out = a.run('dd if=/dev/zero bs=64k count=%d 2>/dev/null | '
                'nc %s 5001' % (COUNT, b_addr))
    t1 = time.monotonic()
    n = int(re.findall(rb'^(\d+)\s*$', out, re.M)[-1])
    assert n == COUNT * 65536, out
    return n / (t1 - t0) / MIB


def main():
    binary, linux = sys.argv[1], sys.argv[2]
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    qemu = os.environ.get('BENCH_QEMU_RISCV', 'qemu-system-riscv64')
    peers = [('qcore', binary, False), ('QEMU', qemu, True)]
    metrics = ['slirp TCP guest->host (MiB/s)',
               'slirp TCP host->guest (MiB/s)',
               'socket TCP guest A->guest B (MiB/s)',
               'slirp ping 10.0.2.2 median (ms)',
               'socket TCP guest B->guest A (MiB/s)',
               'socket ping A->B median (ms)']
    higher = [True, True, True, False, True, False]
    res = {p[0]: [[] for _ in metrics] for p in peers}
    ver = subprocess.run([qemu, '--version'], capture_output=True,
                         text=True).stdout.splitlines()[0]
    print('Network: virtio-net-device, Linux guest, -smp 1; %d rounds, '
          'peers alternating; %s; %s' % (reps, ver, time.strftime(
              '%Y-%m-%d %H:%M UTC', time.gmtime())))
    for r in range(reps):
        for name, path, isq in peers:
            g = Guest(path, linux, ['-netdev', 'user,id=n0',
                                    '-device', 'virtio-net-device,netdev=n0'],
                      isq)
            try:
                dhcp(g)
                res[name][0].append(slirp_guest_to_host(g))
                res[name][1].append(slirp_host_to_guest(g))
                res[name][3].append(ping(g, '10.0.2.2'))
            finally:
                g.close()
            a, b = socket_pair(path, linux, isq)
            try:
                res[name][2].append(socket_send(a, b, '192.168.76.2'))
                res[name][4].append(socket_send(b, a, '192.168.76.1'))
                res[name][5].append(ping(a, '192.168.76.2'))
            finally:
                a.close()
                b.close()
            print('  round %d %s: %s' % (r + 1, name, ', '.join(
                '%.2f' % v[-1] for v in res[name])), flush=True)
    print()
    print('| metric | qcore best | qcore median | QEMU best | QEMU median '
          '| ratio (median) |')
    print('| --- | --- | --- | --- | --- | --- |')
    for i, m in enumerate(metrics):
        pick = max if higher[i] else min
        qb, qm = pick(res['qcore'][i]), statistics.median(res['qcore'][i])
        eb, em = pick(res['QEMU'][i]), statistics.median(res['QEMU'][i])
        print('| %s | %.2f | %.2f | %.2f | %.2f | %.2fx |'
              % (m, qb, qm, eb, em, qm / em))


if __name__ == '__main__':
    main()
