#!/usr/bin/env python3
"""The VNC benchmark (issue 12, section 5): qcore against QEMU 7.2's -vnc
with the same guest and device.  tests/guest/bench-gpu.elf (full screen)
and bench-gpu-small.elf (a 64x64 square) redraw a virtio-gpu-device
scanout for ever; an RFB client here asks for one encoding, requests the
next update as soon as one is in, and measures frames per second, bytes
per frame and the update latency (request sent to update fully read).
From /proc it reads the emulator's CPU per thread: the vnc_worker thread
per frame, and everything but the vCPU thread ("VNC CPU": main loop plus
worker, minus what the same threads spend over the same time without a
client) per frame.  The guest prints its own frame rate each second;
its mean is shown without and with the client.  Peers alternate per
encoding in the same run.  The client only parses the updates (no
pixel decoding), and its own CPU is printed.

With VNC_BENCH_ROUNDS=N each peer runs N times per row (alternating)
and every column is the median of its rounds.

The guest's speed is also given per CPU second of its vCPU thread
("fr/cpu-s": frames drawn per second of the vCPU thread's CPU time).
The guest waits for the device with WFI, so the vCPU thread's CPU is the
guest's own work: frames per vCPU second is its instruction rate, which
a loaded host does not skew the way it skews frames per wall second.  If
a client made the emulator slower at running the guest (the vCPU doing
VNC work, losing its caches, spinning on a lock) it would drop; if only
the host is busy, it stays.

usage: bench/vnc-bench.py QCORE GUEST_BUILD_DIR [QEMU]
env: BENCH_SCALE=0.3 shortens every phase; VNC_BENCH_ONLY=full|small;
VNC_BENCH_ENC=zlib,tight (only these rows); VNC_BENCH_ROUNDS=3."""
import os
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time

SCALE = float(os.environ.get('BENCH_SCALE', '1'))
PHASE = max(1.0, 3.0 * SCALE)           # seconds per measured phase
HZ = os.sysconf('SC_CLK_TCK')

ENCODINGS = [                           # name, SetEncodings list, lossy
    ('raw', [0], False),
    ('hextile', [5, 0], False),
    ('zlib', [6, 0], False),
    ('zrle', [16, 0], False),
    ('tight', [7, 0], False),
    ('tight+jpeg q5', [7, -32 + 5, 0], True),
]


def thread_cpu(pid):
    """{tid: (name, cpu seconds)} of every thread of @pid."""
    out = {}
    for tid in os.listdir('/proc/%d/task' % pid):
        try:
            with open('/proc/%d/task/%s/stat' % (pid, tid)) as f:
                s = f.read()
        except OSError:
            continue
        name = s[s.index('(') + 1:s.rindex(')')]
        fields = s[s.rindex(')') + 2:].split()
        out[int(tid)] = (name, (int(fields[11]) + int(fields[12])) / HZ)
    return out


def vcpu_cpu(pid):
    """CPU seconds of @pid's vCPU threads ("CPU 0/...")."""
    return sum(t for name, t in thread_cpu(pid).values()
               if name.startswith('CPU '))


def cpu_split(before, after, pid):
    """CPU seconds between two samples: (vcpu, worker, non-vcpu)."""
    vcpu = worker = rest = 0.0
    for tid, (name, t) in after.items():
        d = t - before.get(tid, (name, 0.0))[1]
        if name.startswith('CPU '):
            vcpu += d
        else:
            rest += d
            if name == 'vnc_worker':
                worker += d
    return vcpu, worker, rest


class Emulator:
    def __init__(self, argv, sock):
        self.sock = sock
        self.p = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        self.fps = []                   # (monotonic time, guest fps)
        self.vcpu = []                  # vCPU CPU seconds at each line
        self.draw = []                  # frames per second of drawing
        self.ready = threading.Event()
        threading.Thread(target=self._serial, daemon=True).start()
        if not self.ready.wait(30):
            self.stop()
            raise RuntimeError('%s: the guest did not start: %s' %
                               (argv[0], self.p.stderr.read().decode()))

    def _serial(self):
        for line in self.p.stdout:
            line = line.decode(errors='replace').strip()
            if line.startswith('bench-gpu: fps '):
                w = line.split()
                self.fps.append((time.monotonic(), int(w[2])))
                self.draw.append(int(w[4]) if len(w) > 4 else 0)
                self.vcpu.append(vcpu_cpu(self.p.pid))
            elif line.startswith('bench-gpu: ') and 'x' in line:
                self.ready.set()
            elif line.startswith('bench-gpu:'):
                print('guest: ' + line, file=sys.stderr)

    def guest_fps(self, t0, t1):
        v = [f for t, f in self.fps if t0 < t <= t1 + 0.2]
        return statistics.mean(v) if v else float('nan')

    def guest_draw(self, t0, t1):
        v = [d for (t, _), d in zip(self.fps, self.draw) if t0 < t <= t1 + 0.2]
        return statistics.mean(v) if v else float('nan')

    def guest_per_cpu(self, t0, t1):
        """Frames per vCPU CPU second over the guest's seconds that end
        in (t0, t1]: the frames of those lines over the vCPU time between
        the line before them and the last of them."""
        i = [k for k, (t, _) in enumerate(self.fps) if t0 < t <= t1 and k]
        if not i:
            return float('nan')
        frames = sum(self.fps[k][1] for k in i)
        cpu = self.vcpu[i[-1]] - self.vcpu[i[0] - 1]
        return frames / cpu if cpu > 0 else float('nan')

    def stop(self):
        self.p.kill()
        self.p.wait()


class Client:
    """RFB 3.8, security None, the server's pixel format (32 bpp): parses
    updates without decoding their pixels."""

    def __init__(self, path, encodings):
        self.nbytes = 0
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        deadline = time.monotonic() + 10
        while True:
            try:
                self.s.connect(path)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.f = self.s.makefile('rb', buffering=1 << 20)
        assert self.read(12).startswith(b'RFB 003.')
        self.s.sendall(b'RFB 003.008\n')
        n = self.read(1)[0]
        assert 1 in self.read(n)
        self.s.sendall(b'\x01')
        assert self.read(4) == b'\0\0\0\0'
        self.s.sendall(b'\x01')
        self.w, self.h = struct.unpack('>HH', self.read(4))
        self.read(16)
        self.read(struct.unpack('>I', self.read(4))[0])
        self.s.sendall(struct.pack('>BxH', 2, len(encodings)) +
                       b''.join(struct.pack('>i', e) for e in encodings))

    def read(self, n):
        d = self.f.read(n)
        if len(d) != n:
            raise EOFError('server closed')
        self.nbytes += n
        return d

    def u8(self):
        return self.read(1)[0]

    def request(self, incremental=True):
        self.s.sendall(struct.pack('>BBHHHH', 3, int(incremental), 0, 0,
                                   self.w, self.h))

    def compact(self):
        n = 0
        for i in range(3):
            b = self.u8()
            n |= (b & (0x7f if i < 2 else 0xff)) << (7 * i)
            if i < 2 and not b & 0x80:
                break
        return n

    def tight(self, w, h):
        ctl = self.u8() >> 4
        if ctl == 8:
            self.read(3)
            return
        if ctl == 9:
            self.read(self.compact())
            return
        size = w * h * 3
        if ctl & 4:
            filt = self.u8()
            if filt == 1:
                n = self.u8() + 1
                self.read(n * 3)
                size = (w + 7) // 8 * h if n == 2 else w * h
        if size < 12:
            self.read(size)
        else:
            self.read(self.compact())

    def hextile(self, w, h):
        for ty in range(0, h, 16):
            for tx in range(0, w, 16):
                tw, th = min(16, w - tx), min(16, h - ty)
                sub = self.u8()
                if sub & 1:
                    self.read(tw * th * 4)
                    continue
                n = (sub & 2) * 2 + (sub & 4)
                if n:
                    self.read(n)
                if sub & 8:
                    self.read(self.u8() * (6 if sub & 16 else 2))

    def update(self):
        """Read one server message; True if it was a FramebufferUpdate
        carrying pixels."""
        t = self.u8()
        assert t == 0, 'server message %d' % t
        n = struct.unpack('>xH', self.read(3))[0]
        pixels = False
        for _ in range(n):
            x, y, w, h, enc = struct.unpack('>HHHHi', self.read(12))
            if enc == 0:
                self.read(w * h * 4)
            elif enc == 1:
                self.read(4)
            elif enc == 5:
                self.hextile(w, h)
            elif enc in (6, 16):
                self.read(struct.unpack('>I', self.read(4))[0])
            elif enc == 7:
                self.tight(w, h)
            elif enc == -223:
                self.w, self.h = w, h
                continue
            elif enc == -308:
                self.w, self.h = w, h
                self.read(4 + 16 * 1)
                continue
            else:
                raise AssertionError('encoding %d' % enc)
            pixels = True
        return pixels

    def close(self):
        self.s.close()


def run_one(argv, elf, enc, lossy, tmp):
    path = os.path.join(tmp, 'vnc.sock')
    if os.path.exists(path):
        os.unlink(path)
    vnc = 'unix:' + path + (',lossy=on' if lossy else '')
    emu = Emulator(argv + ['-kernel', elf, '-vnc', vnc], path)
    try:
        pid = emu.p.pid
        time.sleep(1.2)                 # past the first fps line
        # Without a client.
        t0, c0 = time.monotonic(), thread_cpu(pid)
        time.sleep(PHASE)
        t1, c1 = time.monotonic(), thread_cpu(pid)
        idle = cpu_split(c0, c1, pid)
        idle_rate = idle[2] / (t1 - t0)
        guest_idle = emu.guest_fps(t0, t1)
        gcpu_idle = emu.guest_per_cpu(t0, t1)
        # With the client, requesting each next update at once.
        client = Client(path, enc)
        client.request(incremental=False)
        client.update()                 # the first full frame: not counted
        frames, lat = 0, []
        client.nbytes = 0
        p0 = time.process_time()
        t2, c2 = time.monotonic(), thread_cpu(pid)
        while time.monotonic() - t2 < PHASE:
            sent = time.monotonic()
            client.request()
            while not client.update():
                pass
            lat.append(time.monotonic() - sent)
            frames += 1
        t3, c3 = time.monotonic(), thread_cpu(pid)
        client_cpu = time.process_time() - p0
        nbytes = client.nbytes
        client.close()
        busy = cpu_split(c2, c3, pid)
        el = t3 - t2
        vnc_cpu = max(0.0, busy[2] - idle_rate * el)
        return {
            'fps': frames / el,
            'kb': nbytes / max(frames, 1) / 1024,
            'lat': statistics.median(lat) * 1000 if lat else float('nan'),
            'worker': busy[1] / max(frames, 1) * 1000,
            'vnc': vnc_cpu / max(frames, 1) * 1000,
            'gidle': guest_idle,
            'gbusy': emu.guest_fps(t2, t3),
            'gcpu_idle': gcpu_idle,
            'draw_idle': emu.guest_draw(t0, t1),
            'draw_busy': emu.guest_draw(t2, t3),
            'gcpu_busy': emu.guest_per_cpu(t2, t3),
            'client': client_cpu / el * 100,
        }
    finally:
        emu.stop()


def median_result(runs):
    """Per key, the median over rounds (NaNs left out)."""
    out = {}
    for k in runs[0]:
        v = [r[k] for r in runs if r[k] == r[k]]
        out[k] = statistics.median(v) if v else float('nan')
    return out


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    qcore, gdir = sys.argv[1], sys.argv[2]
    qemu = sys.argv[3] if len(sys.argv) > 3 else \
        shutil.which('qemu-system-riscv64')
    rounds = int(os.environ.get('VNC_BENCH_ROUNDS', '1'))
    only_enc = os.environ.get('VNC_BENCH_ENC')
    only_enc = only_enc.split(',') if only_enc else None
    common = ['-M', 'virt', '-m', '128M', '-bios', 'none', '-nodefaults',
              '-serial', 'stdio', '-monitor', 'none',
              '-device', 'virtio-gpu-device']
    peers = [('qcore', [qcore] + common)]
    if qemu:
        peers.append(('QEMU', [qemu, '-cpu', 'rv64,h=off',
                               '-name', 'bench,debug-threads=on'] + common))
    print()
    print('VNC: %s, %.1f s per phase, %d round(s) per peer and row (medians);'
          ' client: this script (parses, does not decode)' %
          (', '.join(p for p, _ in peers), PHASE, rounds))
    print('  fps: updates/s with the next request sent on receipt; KB/fr:'
          ' bytes per update; lat: median request-to-update ms;')
    print('  worker: vnc_worker CPU ms/frame; vnc: non-vCPU CPU ms/frame'
          ' beyond the same threads without a client;')
    print('  guest fps: the guest\'s own frame rate without / with the'
          ' client; draw: frames per second of its drawing time alone'
          ' (its speed,'
          ' without the waits for the device); fr/cpu-s: frames per vCPU'
          ' CPU second;'
          ' client: its CPU %; load: 1-min load average after the row')
    only = os.environ.get('VNC_BENCH_ONLY')
    with tempfile.TemporaryDirectory() as tmp:
        for mode, elf in (('full', 'bench-gpu.elf'),
                          ('small', 'bench-gpu-small.elf')):
            if only and only != mode:
                continue
            elf = os.path.join(gdir, elf)
            print()
            print('VNC %s-screen redraw (800x600; %s)' %
                  (mode, 'every pixel every frame' if mode == 'full' else
                   'a 68x66 rect per frame'))
            print('  %-14s %-6s %6s %7s %6s %7s %7s %11s %11s %11s %6s' %
                  ('encoding', 'peer', 'fps', 'KB/fr', 'lat', 'worker',
                   'vnc', 'guest fps', 'draw', 'fr/cpu-s', 'client'))
            for i, (name, enc, lossy) in enumerate(ENCODINGS):
                if only_enc and name not in only_enc:
                    continue
                runs = {p: [] for p, _ in peers}
                for rnd in range(rounds):
                    order = peers if (i + rnd) % 2 == 0 else peers[::-1]
                    for peer, argv in order:
                        try:
                            runs[peer].append(run_one(argv, elf, enc, lossy,
                                                      tmp))
                        except (RuntimeError, EOFError, AssertionError,
                                OSError) as e:
                            print('  %-14s %-6s FAILED: %s' %
                                  (name, peer, str(e).strip()))
                res = {p: median_result(v) for p, v in runs.items() if v}
                for peer, _ in peers:
                    if peer not in res:
                        continue
                    r = res[peer]
                    print('  %-14s %-6s %6.1f %7.1f %6.1f %7.2f %7.2f '
                          '%5.0f/%-5.0f %5.0f/%-5.0f %5.0f/%-5.0f %5.0f%%' %
                          (name, peer, r['fps'], r['kb'], r['lat'],
                           r['worker'], r['vnc'], r['gidle'], r['gbusy'],
                           r['draw_idle'], r['draw_busy'],
                           r['gcpu_idle'], r['gcpu_busy'], r['client']))
                if len(res) == 2:
                    a, b = res['qcore'], res['QEMU']
                    print('  %-14s ratio qcore/QEMU: fps %.2f, KB/frame %.2f,'
                          ' worker CPU/frame %.2f, vnc CPU/frame %.2f;'
                          ' with/without the client: guest fps qcore %.2f, '
                          'QEMU %.2f; draw rate qcore %.2f, QEMU %.2f;'
                          ' frames per vCPU second qcore %.2f, QEMU %.2f;'
                          ' load %.1f' %
                          ('', a['fps'] / b['fps'], a['kb'] / b['kb'],
                           a['worker'] / b['worker'] if b['worker'] else
                           float('nan'),
                           a['vnc'] / b['vnc'] if b['vnc'] else float('nan'),
                           a['gbusy'] / a['gidle'], b['gbusy'] / b['gidle'],
                           a['draw_busy'] / a['draw_idle'],
                           b['draw_busy'] / b['draw_idle'],
                           a['gcpu_busy'] / a['gcpu_idle'],
                           b['gcpu_busy'] / b['gcpu_idle'],
                           os.getloadavg()[0]))
                sys.stdout.flush()


if __name__ == '__main__':
    main()
