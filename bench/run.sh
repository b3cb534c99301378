#!/bin/sh
# Run every event-loop benchmark (bench/w*.c) and the QMP benchmark
# (bench/qmp-bench.c, against qemu-system-x86_64) and the RISC-V guest
# benchmark (bench/riscv-bench.c, against qemu-system-riscv64) and the
# main loop under abuse (bench/abuse-bench.c, the same QEMU) and the Linux
# guest (bench/linux-bench.c, the same QEMU) and VNC (bench/vnc-bench.py,
# the same QEMU) built in the
# build directory given as $1 and print their tables.  `make bench` calls this.
# BENCH_SCALE=0.1 shrinks the iteration counts for a quick smoke run.
set -u

build=${1:?usage: bench/run.sh BUILD_DIR}
if ! ls "$build"/bench/bench-w* >/dev/null 2>&1; then
    echo "no benchmarks in $build/bench; configure it with -Dbench=true" >&2
    exit 1
fi

echo "qcore event-loop benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), kernel $(uname -r)"
echo "peers: glib $(pkg-config --modversion glib-2.0 2>/dev/null)," \
     "libuv $(pkg-config --modversion libuv 2>/dev/null)," \
     "libevent $(pkg-config --modversion libevent 2>/dev/null)"
echo "each number is the best (minimum) of 3 runs; CLOCK_MONOTONIC"

status=0
for bin in "$build"/bench/bench-w*; do
    [ -x "$bin" ] && [ -f "$bin" ] || continue
    if ! "$bin"; then
        echo "FAILED: $bin" >&2
        status=1
    fi
done
# QMP against Debian's qemu-system-x86_64 (skips QEMU if not installed).
if [ -x "$build/bench/bench-qmp" ]; then
    if ! "$build/bench/bench-qmp" "$build/qcore"; then
        echo "FAILED: $build/bench/bench-qmp" >&2
        status=1
    fi
fi
# RISC-V guest against Debian's qemu-system-riscv64 (skips QEMU if not
# installed; skips entirely without the guest ELFs and no cross compiler).
guest=$(dirname "$0")/../tests/guest
if [ -x "$build/bench/bench-riscv" ]; then
    if [ ! -f "$guest/build/bench-mips.elf" ] || [ ! -f "$guest/build/hello.elf" ] ||
       [ ! -f "$guest/build/bench-abuse.elf" ] || [ ! -f "$guest/build/bench-gpu.elf" ]; then
        if command -v riscv64-unknown-elf-gcc >/dev/null 2>&1; then
            make -s -C "$guest" >&2 || echo "FAILED: make -C $guest" >&2
        fi
    fi
    if [ -f "$guest/build/bench-mips.elf" ] && [ -f "$guest/build/hello.elf" ]; then
        if ! "$build/bench/bench-riscv" "$build/qcore" "$guest/build"; then
            echo "FAILED: $build/bench/bench-riscv" >&2
            status=1
        fi
    else
        echo
        echo "RISC-V guest: SKIPPED (no riscv64-unknown-elf-gcc to build tests/guest)"
    fi
fi
# Main loop under abuse, against qemu-system-riscv64 (needs the guest
# bench-abuse.elf, built above with the others).
if [ -x "$build/bench/bench-abuse" ]; then
    if [ -f "$guest/build/bench-abuse.elf" ]; then
        if ! "$build/bench/bench-abuse" "$build/qcore" "$guest/build"; then
            echo "FAILED: $build/bench/bench-abuse" >&2
            status=1
        fi
    else
        echo
        echo "Main loop under abuse: SKIPPED (no tests/guest/build/bench-abuse.elf)"
    fi
fi
# The Linux guest against the same QEMU (needs `make linux`'s cache; the
# kernel build is not started from here).
linux=$(dirname "$0")/../scripts/build-linux.sh
linux=$("$linux" --dir)
if [ -x "$build/bench/bench-linux" ]; then
    if [ -f "$linux/Image" ] && [ -f "$linux/initramfs.cpio.gz" ]; then
        if ! "$build/bench/bench-linux" "$build/qcore" "$linux"; then
            echo "FAILED: $build/bench/bench-linux" >&2
            status=1
        fi
    else
        echo
        echo "Linux guest: SKIPPED (no $linux; run make linux)"
    fi
fi
# virtio-net on the Linux guest against QEMU (the same cache).
if [ -f "$linux/Image" ] && [ -f "$linux/initramfs.cpio.gz" ]; then
    if ! python3 "$(dirname "$0")/net-bench.py" "$build/qcore" "$linux"; then
        echo "FAILED: bench/net-bench.py" >&2
        status=1
    fi
else
    echo
    echo "Network: SKIPPED (no $linux; run make linux)"
fi
# VNC on virtio-gpu-device against the same QEMU (needs tests/guest's
# bench-gpu ELFs, built above with the others).
if [ -f "$guest/build/bench-gpu.elf" ] && [ -f "$guest/build/bench-gpu-small.elf" ]; then
    if ! python3 "$(dirname "$0")/vnc-bench.py" "$build/qcore" "$guest/build"; then
        echo "FAILED: bench/vnc-bench.py" >&2
        status=1
    fi
else
    echo
    echo "VNC: SKIPPED (no tests/guest/build/bench-gpu.elf)"
fi
if [ -x "$build/bench/bench-fdmon-probe" ]; then
    "$build/bench/bench-fdmon-probe" || status=1
fi
exit $status
