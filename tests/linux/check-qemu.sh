#!/bin/sh
# Boot the Linux guest (scripts/build-linux.sh) on Debian's QEMU 7.2 and
# check it: init on every hart, the FP self-check as in expected/, the
# threaded program on all harts, no WARN/BUG/Oops, power-off with status 0.
# The counterpart of tests/guest/check-qemu.sh for the Linux guest.
#   ./check-qemu.sh [--update]   (--update rewrites expected/fpcheck.out)
# Environment: QEMU (default qemu-system-riscv64), TIMEOUT (seconds, 300),
# LINUX_DIR (default: the cache directory build-linux.sh names), SMP (4).
set -u
cd "$(dirname "$0")"

QEMU=${QEMU:-qemu-system-riscv64}
TIMEOUT=${TIMEOUT:-300}
SMP=${SMP:-4}
update=0
[ "${1:-}" = "--update" ] && update=1

command -v "$QEMU" >/dev/null || { echo "check-qemu: $QEMU not found" >&2; exit 2; }
dir=${LINUX_DIR:-$(../../scripts/build-linux.sh --dir)}
[ -f "$dir/Image" ] || { echo "check-qemu: no $dir/Image (make linux)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{
    timeout "$TIMEOUT" "$QEMU" -M virt -cpu rv64,h=off -smp "$SMP" -m 512M -nographic \
        -kernel "$dir/Image" -initrd "$dir/initramfs.cpio.gz" \
        -append "console=ttyS0 qcore_run=fpcheck,spin" < /dev/null 2> "$tmp/err"
    echo $? > "$tmp/status"
} | tr -d '\r' > "$tmp/out"
sed -n '/^fpcheck: start/,/^fpcheck: done/p' "$tmp/out" > "$tmp/fpcheck.out"

if [ $update = 1 ]; then
    cp "$tmp/fpcheck.out" expected/fpcheck.out
    echo "updated expected/fpcheck.out"
fi
bad=0
check() {
    if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; bad=1; fi
}
check "init on $SMP harts" "grep -q 'qcore-linux: init ready on $SMP harts' $tmp/out"
check "fpcheck as expected/fpcheck.out" "cmp -s $tmp/fpcheck.out expected/fpcheck.out"
check "fpcheck exit status" "grep -q 'qcore-linux: fpcheck exited with 0' $tmp/out"
check "spin on every hart" "[ \$(grep -c 'spin: thread \\([0-9]\\) ran on cpu \\1:' $tmp/out) = $SMP ]"
check "spin exit status" "grep -q 'qcore-linux: spin exited with 0' $tmp/out"
check "no WARN, BUG or Oops" "! grep -E 'WARNING:|BUG:|Oops|Call Trace' $tmp/out"
check "power-off, exit status 0" "grep -q 'reboot: Power down' $tmp/out && [ \$(cat $tmp/status) = 0 ]"
if [ $bad = 1 ]; then
    diff -u expected/fpcheck.out "$tmp/fpcheck.out" | head -20
    tail -20 "$tmp/out"
    sed 's/^/    stderr: /' "$tmp/err" | head -5
fi
exit $bad
