#!/bin/sh
# Build the Linux guest (kernel Image + initramfs) that tests/linux and
# tests/functional/test_linux.py boot, into a cache outside the checkout
# (docs/linux.md).  Run by `make linux`.  No QEMU counterpart: QEMU's own
# tests download prebuilt guests; here they are built from Debian packages.
#   scripts/build-linux.sh [--dir] [--link PATH]
#     --dir        print the cache directory for the current inputs and exit
#     --link PATH  make PATH a symlink to the cache directory
# Environment: QCORE_LINUX_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/qcore),
# JOBS (parallel jobs, default: the number of CPUs).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SRC=$ROOT/tests/linux
CACHE=${QCORE_LINUX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/qcore}
JOBS=${JOBS:-$(nproc)}
CROSS=riscv64-linux-gnu-

dir_only=0
link=""
while [ $# -gt 0 ]; do
    case "$1" in
    --dir) dir_only=1 ;;
    --link) link=$2; shift ;;
    *) echo "usage: $0 [--dir] [--link PATH]" >&2; exit 1 ;;
    esac
    shift
done

[ $dir_only = 1 ] || "$ROOT/scripts/install-deps.sh" linux

# The cache keys.  Package versions stand for the sources and tools (the
# kernel tarball, busybox's source package, the cross compiler and the
# libc the programs link statically); files are hashed.  The kernel has
# its own key (its source, compiler, config fragment and this script), so
# that a change to a test program or to init rebuilds only the initramfs;
# the published directory's key covers every input.
ver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo none; }
busybox_version() {
    apt-cache showsrc busybox 2>/dev/null | sed -n 's/^Version: //p' |
        sort -V | tail -n 1
}
bbver=$(busybox_version)
kinputs=$(
    echo "linux-source-6.1 $(ver linux-source-6.1)"
    echo "gcc-riscv64-linux-gnu $(ver gcc-12-riscv64-linux-gnu)"
    cd "$ROOT" && sha256sum scripts/build-linux.sh tests/linux/qcore.config
)
inputs=$(
    echo "$kinputs"
    echo "busybox-source ${bbver:-none}"
    echo "libc6-dev-riscv64-cross $(ver libc6-dev-riscv64-cross)"
    echo "linux-libc-dev-riscv64-cross $(ver linux-libc-dev-riscv64-cross)"
    cd "$ROOT" && sha256sum $(ls tests/linux/* -d |
        grep -v -e '/expected$' -e '\.sh$' -e '\.md$' -e '/qcore.config$')
)
kkey=$(echo "$kinputs" | sha256sum | cut -c1-16)
key=$(echo "$inputs" | sha256sum | cut -c1-16)
kdir=$CACHE/kernel-$kkey
out=$CACHE/linux-$key

finish() {
    if [ -n "$link" ]; then
        mkdir -p "$(dirname "$link")"
        ln -sfn "$out" "$link"
    fi
    echo "build-linux: kernel    $out/Image"
    echo "build-linux: initramfs $out/initramfs.cpio.gz"
}

if [ $dir_only = 1 ]; then
    echo "$out"
    exit 0
fi
if [ -f "$out/Image" ] && [ -f "$out/initramfs.cpio.gz" ]; then
    echo "build-linux: cached ($out)"
    finish
    exit 0
fi
[ -n "$bbver" ] || { echo "build-linux: no busybox source package (deb-src?)" >&2; exit 1; }

mkdir -p "$CACHE"
work=$(mktemp -d "$CACHE/tmp-$key-XXXXXX")
trap 'rm -rf "$work"' EXIT
log=$work/build.log
echo "build-linux: building in $work (log: $log)"
start=$(date +%s)

# Reproducible builds: no host name, user or date in the kernel.
export KBUILD_BUILD_TIMESTAMP='1970-01-01' KBUILD_BUILD_USER=qcore \
    KBUILD_BUILD_HOST=qcore SOURCE_DATE_EPOCH=0 KCONFIG_NOTIMESTAMP=1

# The kernel: tinyconfig, then the fragment; every option the fragment asks
# for must survive olddefconfig (a dependency change in a new
# linux-source would otherwise drop a driver silently).  Published on its
# own into kernel-KEY, reused by every initramfs built on it.
build_kernel() {
    echo "build-linux: kernel (linux-source-6.1 $(ver linux-source-6.1))"
    tar -C "$work" -xf /usr/src/linux-source-6.1.tar.xz
    ksrc=$work/linux-source-6.1
    kout=$work/kernel
    kmake() {
        make -C "$ksrc" O="$kout" ARCH=riscv CROSS_COMPILE=$CROSS -j"$JOBS" "$@" >>"$log" 2>&1
    }
    kmake tinyconfig
    (cd "$ksrc" && scripts/kconfig/merge_config.sh -m -O "$kout" "$kout/.config" \
        "$SRC/qcore.config") >>"$log" 2>&1
    kmake olddefconfig
    grep '^CONFIG_' "$SRC/qcore.config" | while read -r opt; do
        grep -qx "$opt" "$kout/.config" ||
            { echo "build-linux: $opt did not stick in the kernel's .config" >&2; exit 1; }
    done
    kmake Image || { tail -30 "$log" >&2; exit 1; }
    # The vDSO is mapped into every process as it is, never relocated: a
    # relocation left in it is a pointer that stays 0 (tests/linux/qcore.config,
    # CONFIG_JUMP_LABEL).
    if ${CROSS}readelf -rW "$kout/arch/riscv/kernel/vdso/vdso.so" | grep 'R_RISCV_' >&2; then
        echo "build-linux: the vDSO has relocations nothing will apply" >&2
        exit 1
    fi
    mkdir -p "$work/kstage"
    cp "$kout/arch/riscv/boot/Image" "$kout/.config" "$work/kstage/"
    # The initramfs packer is a host tool of the same source tree.
    cc -O2 -o "$work/kstage/gen_init_cpio" "$ksrc/usr/gen_init_cpio.c"
    echo "$kinputs" > "$work/kstage/inputs"
    rm -rf "$kdir"
    mv "$work/kstage" "$kdir"
}
if [ -f "$kdir/Image" ]; then
    echo "build-linux: kernel cached ($kdir)"
else
    build_kernel
fi

# Busybox from Debian's source package, with Debian's busybox-static
# configuration.
echo "build-linux: busybox ($bbver)"
(cd "$work" && apt-get source -q "busybox=$bbver") >>"$log" 2>&1 ||
    { tail -30 "$log" >&2; exit 1; }
bsrc=$(ls -d "$work"/busybox-*/)
bout=$work/busybox
mkdir -p "$bout"
cat "$bsrc/debian/config/os/linux" "$bsrc/debian/config/pkg/static" > "$bout/.config"
(yes "" | make -C "$bsrc" O="$bout" CROSS_COMPILE=$CROSS oldconfig) >>"$log" 2>&1
make -C "$bsrc" O="$bout" CROSS_COMPILE=$CROSS -j"$JOBS" busybox >>"$log" 2>&1 ||
    { tail -30 "$log" >&2; exit 1; }

# The test programs: static, lp64d, like any Debian riscv64 binary.
echo "build-linux: test programs"
${CROSS}gcc -O2 -static -Wall -frounding-math -fsignaling-nans \
    -o "$work/fpcheck" "$SRC/fpcheck.c" -lm
${CROSS}gcc -O2 -static -Wall -pthread -o "$work/spin" "$SRC/spin.c"
${CROSS}gcc -O2 -static -Wall -o "$work/fpbench" "$SRC/fpbench.c" -lm
${CROSS}gcc -O2 -static -Wall -o "$work/vdsocheck" "$SRC/vdsocheck.c"

# The initramfs, with the kernel's gen_init_cpio: no root needed for the
# console device node, and fixed timestamps.
{
    for d in /bin /sbin /usr /usr/bin /usr/sbin /usr/share /usr/share/udhcpc \
             /etc /proc /sys /dev /root /mnt; do
        echo "dir $d 755 0 0"
    done
    echo "dir /tmp 1777 0 0"
    echo "nod /dev/console 600 0 0 c 5 1"
    echo "file /init $SRC/init 755 0 0"
    echo "file /etc/inittab $SRC/inittab 644 0 0"
    echo "file /etc/profile $SRC/profile 644 0 0"
    echo "file /bin/busybox $bout/busybox 755 0 0"
    echo "slink /bin/sh busybox 777 0 0"
    echo "file /bin/fpcheck $work/fpcheck 755 0 0"
    echo "file /bin/spin $work/spin 755 0 0"
    echo "file /bin/fpbench $work/fpbench 755 0 0"
    echo "file /bin/vdsocheck $work/vdsocheck 755 0 0"
    echo "file /usr/share/udhcpc/default.script $SRC/udhcpc.script 755 0 0"
} > "$work/initramfs.list"
"$kdir/gen_init_cpio" -t 0 "$work/initramfs.list" | gzip -9n > "$work/initramfs.cpio.gz"

# Publish atomically: a cache directory either has everything or is absent.
stage=$work/out
mkdir -p "$stage"
ln "$kdir/Image" "$stage/Image" 2>/dev/null || cp "$kdir/Image" "$stage/"
cp "$kdir/.config" "$work/initramfs.cpio.gz" "$work/initramfs.list" "$stage/"
cp "$bout/.config" "$stage/busybox.config"
echo "$inputs" > "$stage/inputs"
rm -rf "$out"
mv "$stage" "$out"
echo "build-linux: built in $(( $(date +%s) - start )) s"
finish
