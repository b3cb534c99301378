#!/bin/sh
# Boot every guest program on Debian's qemu-system-riscv64 and compare the
# serial output and exit status with expected/.  Exits 1 on any difference.
#   ./check-qemu.sh [--update] [prog...]
#     --update   write expected/<prog>.out and .status instead of comparing
# Environment: QEMU (default qemu-system-riscv64), TIMEOUT (seconds, 30).
# The CPU is QEMU's rv64 without H, which is what qcore's rv64 is.
set -u
cd "$(dirname "$0")"

QEMU=${QEMU:-qemu-system-riscv64}
TIMEOUT=${TIMEOUT:-30}
update=0
if [ "${1:-}" = "--update" ]; then
    update=1
    shift
fi
progs=${*:-"hello isa traps timer amo smp compressed sv39 echo exitcode pmp fuzz bitfuzz bitmanip counters sstc svx fp fpfuzz"}

command -v "$QEMU" >/dev/null || { echo "check-qemu: $QEMU not found" >&2; exit 2; }
make -s all || exit 2

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad=0
for p in $progs; do
    elf=build/$p.elf
    if [ "$p" = echo ]; then
        timeout "$TIMEOUT" "$QEMU" -M virt -cpu rv64,h=off -smp 4 -m 128M -bios none \
            -kernel "$elf" -serial stdio -display none -monitor none \
            < expected/echo.in > "$tmp/$p.out" 2> "$tmp/$p.err"
    else
        timeout "$TIMEOUT" "$QEMU" -M virt -cpu rv64,h=off -smp 4 -m 128M -bios none \
            -kernel "$elf" -nographic \
            < /dev/null > "$tmp/$p.out" 2> "$tmp/$p.err"
    fi
    echo $? > "$tmp/$p.status"
    if [ $update = 1 ]; then
        cp "$tmp/$p.out" "expected/$p.out"
        cp "$tmp/$p.status" "expected/$p.status"
        echo "updated $p (status $(cat "$tmp/$p.status"))"
        continue
    fi
    if cmp -s "$tmp/$p.out" "expected/$p.out" &&
       cmp -s "$tmp/$p.status" "expected/$p.status"; then
        echo "ok   $p"
    else
        echo "FAIL $p (status $(cat "$tmp/$p.status"), expected $(cat "expected/$p.status" 2>/dev/null))"
        diff -u "expected/$p.out" "$tmp/$p.out" | head -40
        sed 's/^/    stderr: /' "$tmp/$p.err" | head -5
        bad=1
    fi
done
exit $bad
