#!/bin/sh
# Run every libFuzzer target of tests/fuzz for a bounded time, one at a
# time, and print one line per target: executions, executions per second,
# corpus size, and what was found.  `make fuzz` calls this.
#   tests/fuzz/run.sh BUILDDIR [TARGET...]       (FUZZ_SECONDS=60 each)
# New inputs go to BUILDDIR/fuzz-corpus/TARGET (the committed seeds in
# tests/fuzz/corpus/TARGET are only read); crashes, leaks and hangs to
# BUILDDIR/fuzz-artifacts/TARGET/, and the run's log next to them.
# Exit status 1 if any target found something.
set -u
build=$1
shift
src=$(cd "$(dirname "$0")" && pwd)
seconds=${FUZZ_SECONDS:-60}
targets=${*:-"json keyval qemu-opts cmdline qmp hmp riscv-decode virt-mmio"}

# UBSan only warns by default: make every report a crash libFuzzer sees.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

status=0
for t in $targets; do
    bin=$build/tests/fuzz/fuzz-$t
    work=$build/fuzz-corpus/$t
    art=$build/fuzz-artifacts/$t
    mkdir -p "$work" "$art"
    touch "$art/.start"     # what is newer was found by this run
    dict=""
    [ -f "$src/$t.dict" ] && dict="-dict=$src/$t.dict"
    # cmdline's exit paths drop what the parser held (as a real exit
    # does), so libFuzzer would run a full leak scan after nearly every
    # input (40x slower); the corpus replay under ASan still checks leaks.
    [ "$t" = cmdline ] && dict="$dict -detect_leaks=0"
    # -timeout: an input running 10 s is a hang (the main loop would be
    # wedged); -close_fd_mask=3: help texts and error messages are noise.
    "$bin" "$work" "$src/corpus/$t" $dict -max_total_time="$seconds" \
        -timeout=10 -max_len=4096 -close_fd_mask=3 -print_final_stats=1 \
        -artifact_prefix="$art/" >"$art/log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$art/log")
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$art/log")
    found=$(find "$art" -type f -newer "$art/.start" ! -name log \
            -printf '%f ')
    printf '%-13s %6ss %10s runs %7s exec/s  corpus %5s  %s\n' "$t" \
        "$seconds" "${runs:-?}" "${speed:-?}" "$(ls "$work" | wc -l)" \
        "${found:-nothing found}"
    if [ $rc -ne 0 ] || [ -n "$found" ]; then
        echo "  see $art/log" >&2
        status=1
    fi
done
exit $status
