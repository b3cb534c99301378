# The two commands (make run, make check) and their friends.  Everything
# is built by meson + ninja; this file only sequences set-up, build and runs.

BUILD     ?= build
MESON     ?= meson
NINJA     ?= ninja
RUN_ARGS  ?= -M virt -smp 4 -m 128M -bios none -kernel tests/guest/build/demo.elf -nographic

.PHONY: all deps build guest linux run check check-sanitize bench fuzz clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja:
	$(MESON) setup $(BUILD)

build: deps $(BUILD)/build.ninja
	$(NINJA) -C $(BUILD)

# The demo guest that make run boots (riscv64-unknown-elf-gcc, see
# tests/guest/README.md).
guest: deps
	$(MAKE) -C tests/guest build/demo.elf

# The Linux guest (kernel Image + initramfs, docs/linux.md), built once into
# a cache outside the checkout; $(BUILD)/linux points at it.
linux:
	scripts/build-linux.sh --link $(BUILD)/linux

run: build guest
	$(BUILD)/qcore $(RUN_ARGS)

# Every suite, then one line "N passed, M failed".
check: build linux
	scripts/run-tests.py $(BUILD)

# ASan+UBSan over every test, then TSan over the threaded ones.  UBSan only
# warns by default: halt_on_error turns any report into a failed test.
check-sanitize: deps
	@[ -f build-asan/build.ninja ] || $(MESON) setup build-asan -Db_sanitize=address,undefined -Db_lundef=false
	$(NINJA) -C build-asan
	scripts/build-linux.sh --link build-asan/linux
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 scripts/run-tests.py build-asan
	@[ -f build-tsan/build.ninja ] || $(MESON) setup build-tsan -Db_sanitize=thread -Db_lundef=false
	$(NINJA) -C build-tsan
	scripts/run-tests.py build-tsan --suite thread

bench:
	@scripts/install-deps.sh bench
	@[ -f build-bench/build.ninja ] || $(MESON) setup build-bench -Dbench=true -Dbuildtype=release
	$(NINJA) -C build-bench
	bench/run.sh build-bench

# Every libFuzzer target for FUZZ_SECONDS (default 60) each, clang with
# ASan+UBSan, from the seeds of tests/fuzz/corpus (tests/fuzz/README.md).
fuzz:
	@scripts/install-deps.sh fuzz
	@[ -f build-fuzz/build.ninja ] || CC=clang $(MESON) setup build-fuzz -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=false
	$(NINJA) -C build-fuzz
	tests/fuzz/run.sh build-fuzz

clean:
	rm -rf build build-asan build-tsan build-bench build-fuzz
