#!/usr/bin/env python3
"""Write the binary seeds of tests/fuzz/corpus (riscv-decode, virt-mmio).

usage: tests/fuzz/gen-seeds.py     (from anywhere; rewrites the files)

The text seeds of the other targets are written by hand; these two
targets take binary input, so their seeds are spelled out here, where
they can be read.  The formats are in tests/fuzz/README.md.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    path = os.path.join(HERE, 'corpus', target, name)
    with open(path, 'wb') as f:
        f.write(data)


def words(*insns):
    return b''.join(struct.pack('<I', i) for i in insns)


def half(*insns):
    return b''.join(struct.pack('<H', i) for i in insns)


# ---- riscv-decode: one page of code ------------------------------------
write('riscv-decode', 'base', words(
    0x00000537,     # lui a0, 0
    0x00a00593,     # li a1, 10
    0x00b50633,     # add a2, a0, a1
    0x02b50533,     # mul a0, a0, a1
    0x00c5b023,     # sd a2, 0(a1)
    0x0005b603,     # ld a2, 0(a1)
    0xfe0518e3,     # bnez a0, -16
    0x0000006f,     # j .
    0x30200073,     # mret
    0x10500073,     # wfi
    0x34202573,     # csrr a0, mcause
    0x0000100f,     # fence.i
    0x100525af,     # lr.w a1, (a0)
    0x00000073,     # ecall
))
# A branch over exactly one addi, addiw, add: the fused forms.
write('riscv-decode', 'skip-forms', words(
    0x00050463, 0x00158593,     # beqz a0, +8; addi a1, a1, 1
    0x00051463, 0x0015859b,     # bnez a0, +8; addiw a1, a1, 1
    0x00b54463, 0x00b585b3,     # blt a0, a1, +8; add a1, a1, a1
    0x00050363, 0x0001,         # beqz a0, +6; c.nop
))
write('riscv-decode', 'compressed', half(
    0x4501, 0x0505, 0x852e, 0x9532, 0x8082, 0xa001, 0xc119, 0xe119,
    0x6108, 0xe108, 0x4108, 0xc108, 0x1101, 0x0000, 0xffff, 0x9002,
))
# F and D: f0 as destination is a register, not the sink; rs3 and rm.
write('riscv-decode', 'fp', words(
    0x02208053,     # fadd.d f0, f1, f2, rne
    0x2020f043,     # fmadd.s f0, f1, f2, f4, dyn
    0xc2051553,     # fcvt.w.d a0, fa0, rtz
    0xa0209053,     # flt.s zero, ft1, ft2
    0x00053007,     # fld ft0, 0(a0)
    0x00a53427,     # fsd fa0, 8(a0)
    0xf0050053,     # fmv.w.x ft0, a0
    0x0220d053,     # fadd.d f0, f1, f2, rm 5: illegal
) + half(0x2120, 0xa522, 0x2542, 0x0000))
# A 32-bit instruction in the last halfword of the page.
write('riscv-decode', 'cross-page', bytes(4094) + b'\x13\x05')

# ---- virt-mmio: qtest commands on the device windows -------------------
UART, CLINT, PLIC, TEST, EDU, RAM = range(6)
SIZE = {1: 0, 2: 1, 4: 2, 8: 3}
EDU_DMA_START = 0x40000
RAM_BASE = 0x80000000
RAM_SIZE = 16 << 20


def sel(win, size):
    # Window ((sel >> 4) << 2 | (sel & 3)) % 6; the first four need no
    # high bits, so the seeds written before edu and RAM keep their bytes.
    return (win & 3) | SIZE[size] << 2 | (win >> 2) << 4


def rd(win, off, size=4):
    return bytes([0, sel(win, size)]) + struct.pack('<I', off)


def wr(win, off, val, size=4):
    return bytes([1, sel(win, size)]) + struct.pack('<IQ', off, val)


def step_ns(ns):
    return b'\x07' + struct.pack('<I', ns)


STEP, RX, LOOP = b'\x04', b'\x05', b'\x06'


def edu_dma(src, dst, count, cmd):
    return b''.join([wr(EDU, 0x80, src, 8), wr(EDU, 0x88, dst, 8),
                     wr(EDU, 0x90, count, 8), wr(EDU, 0x98, cmd, 8)])


write('virt-mmio', 'uart', b''.join([
    wr(UART, 3, 0x80, 1), wr(UART, 0, 1, 1), wr(UART, 1, 0, 1),
    wr(UART, 3, 0x03, 1), wr(UART, 2, 0xc7, 1), wr(UART, 1, 0x0f, 1),
    wr(UART, 4, 0x0b, 1), wr(UART, 0, 0x41, 1), LOOP,
    RX + b'x', RX + b'y', rd(UART, 5, 1), rd(UART, 0, 1), rd(UART, 2, 1),
    wr(UART, 4, 0x10, 1), wr(UART, 0, 0x42, 1), rd(UART, 0, 1),
    rd(UART, 7, 1), rd(UART, 5, 8),
]))
write('virt-mmio', 'clint', b''.join([
    rd(CLINT, 0xbff8, 8), wr(CLINT, 0x4000, 0, 8), STEP,
    wr(CLINT, 0x4000, 0xffffffffffffffff, 8), STEP, wr(CLINT, 0, 1),
    rd(CLINT, 0), wr(CLINT, 0, 0), wr(CLINT, 0xbff8, 0x1234, 8), STEP,
    rd(CLINT, 0x4004), wr(CLINT, 0x4004, 0), STEP,
]))
write('virt-mmio', 'plic', b''.join([
    wr(PLIC, 4 * 10, 7), wr(PLIC, 0x2000, 1 << 10), wr(PLIC, 0x200000, 0),
    RX + b'a', wr(UART, 1, 1, 1), RX + b'b', LOOP,
    rd(PLIC, 0x1000), rd(PLIC, 0x200004), wr(PLIC, 0x200004, 10),
    rd(PLIC, 0x200004, 8), wr(PLIC, 0x201000, 3), rd(PLIC, 0x3ffffc),
]))
write('virt-mmio', 'sifive-test', b''.join([
    rd(TEST, 0), wr(TEST, 0, 0x5555), wr(TEST, 0, 0x13333),
    wr(TEST, 0, 0x7777), wr(TEST, 4, 1), wr(TEST, 0, 0x5555, 2),
    wr(TEST, 0, 0x5555, 1), rd(TEST, 0, 8),
]))

# edu: registers, and the factorial with its interrupt through the PLIC
# (source 12 enabled for hart 0's M-mode context).
write('virt-mmio', 'edu', b''.join([
    rd(EDU, 0), wr(EDU, 4, 0x12345678), rd(EDU, 4), rd(EDU, 0x20),
    wr(PLIC, 4 * 12, 1), wr(PLIC, 0x2000, 1 << 12), wr(PLIC, 0x200000, 0),
    wr(EDU, 0x20, 0x80), wr(EDU, 8, 10), rd(EDU, 0x20), LOOP,
    rd(EDU, 8), rd(EDU, 0x24), rd(PLIC, 0x1000), rd(PLIC, 0x200004),
    wr(EDU, 0x64, 1), wr(PLIC, 0x200004, 12), wr(EDU, 0x60, 0x40),
    rd(EDU, 0x24), wr(EDU, 0x64, 0xffffffff), rd(EDU, 0x3c), rd(EDU, 0, 8),
    wr(EDU, 8, 0xffffffff), wr(EDU, 8, 3), LOOP, rd(EDU, 8),
]))
# edu DMA: RAM to the buffer, the buffer back to RAM elsewhere, timed by
# clock_step (to the deadline, and by a count of ns).
write('virt-mmio', 'edu-dma', b''.join([
    wr(RAM, 0x1000, 0x0123456789abcdef, 8), wr(RAM, 0x1008, 0xfeedface, 8),
    edu_dma(RAM_BASE + 0x1000, EDU_DMA_START, 16, 0x5), rd(EDU, 0x98),
    STEP, rd(EDU, 0x98), rd(EDU, 0x24), wr(EDU, 0x64, 0x100),
    edu_dma(EDU_DMA_START + 4, RAM_BASE + 0x2000, 12, 0x7), step_ns(999),
    rd(RAM, 0x2000, 8), step_ns(1), rd(RAM, 0x2000, 8), rd(EDU, 0x98, 8),
    edu_dma(RAM_BASE, EDU_DMA_START + 4095, 1, 0x1), STEP,
    edu_dma(EDU_DMA_START, RAM_BASE + 0xfff000, 4096, 0x3), STEP,
    rd(RAM, 0xfffff8, 8),
]))
# edu DMA outside RAM, each refused (error bit 3): into a device, a
# hole, the boot ROM, straddling the end of RAM, wrapping the address
# space, past the buffer, more than the buffer, and a restart while busy.
write('virt-mmio', 'edu-dma-outside-ram', b''.join([
    edu_dma(EDU_DMA_START, 0x10000000, 8, 0x3), STEP, rd(EDU, 0x98),
    edu_dma(0x10200000, EDU_DMA_START, 8, 0x1), STEP, rd(EDU, 0x98),
    edu_dma(0x30000000, EDU_DMA_START, 8, 0x5), STEP, rd(EDU, 0x24),
    edu_dma(EDU_DMA_START, 0x1000, 8, 0x3), STEP,
    edu_dma(EDU_DMA_START, RAM_BASE + RAM_SIZE - 8, 16, 0x3), STEP,
    edu_dma(0xfffffffffffffff8, EDU_DMA_START, 16, 0x1), STEP,
    edu_dma(RAM_BASE, EDU_DMA_START + 4090, 16, 0x1), STEP,
    edu_dma(RAM_BASE, EDU_DMA_START, 4097, 0x1), STEP,
    edu_dma(RAM_BASE, EDU_DMA_START, 8, 0x1), wr(EDU, 0x98, 0x3, 8),
    wr(EDU, 0x80, 0, 8), step_ns(500), rd(EDU, 0x98), step_ns(500),
    rd(EDU, 0x98, 8), rd(EDU, 0x9c),
]))

# ---- Regression inputs: what fuzzing found (README.md, "Found") ---------
# mtime set below the raw clock, then mtimecmp = all ones: the deadline
# wrapped into the past and the timer re-armed itself for ever.
# Under qtest the case starts at virtual time 0, where mtime = 0 does not
# move mtime back, so the clock steps first (real time used to pass).
# The timer, re-armed in the past, is keyed 1 ns ahead each time it runs
# (util/qemu-timer.c), so the hang is the last clock_step walking 4.3 s
# of virtual time 1 ns per firing.
write('virt-mmio', 'hang-aclint-timecmp-wrap', b''.join([
    step_ns(1000), wr(CLINT, 0xbff8, 0, 8),
    wr(CLINT, 0x4000, 0xffffffffffffffff, 8), STEP, step_ns(0xffffffff),
]))
