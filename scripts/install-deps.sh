#!/bin/sh
# Install the Debian packages qcore needs, and nothing when they are all present.
#   scripts/install-deps.sh          build and test dependencies
#   scripts/install-deps.sh bench    also the peers the benchmarks compare against
#   scripts/install-deps.sh fuzz     also clang and its libFuzzer runtime (make fuzz)
#   scripts/install-deps.sh linux    also the Linux guest's sources and cross tools (make linux)
set -e

# One group per line, so that branches adding packages do not collide.
pkgs="gcc make pkg-config meson ninja-build libglib2.0-dev libfdt-dev"
pkgs="$pkgs liburing-dev libaio-dev"                # block/file-posix.c
pkgs="$pkgs libslirp-dev iproute2"                  # net/
pkgs="$pkgs qemu-utils python3-pytest python3-pytest-rerunfailures gcc-riscv64-unknown-elf opensbi u-boot-qemu gdb-multiarch"
pkgs="$pkgs libpixman-1-dev zlib1g-dev nettle-dev console-setup-linux"   # ui/
pkgs="$pkgs libpng-dev libjpeg62-turbo-dev"         # screendump, Tight JPEG
pkgs="$pkgs libxkbcommon-dev xkb-data"              # -k keymaps (ui/keymaps.c)
pkgs="$pkgs gvncviewer python3-cryptography"        # VNC tests
pkgs="$pkgs chromium novnc python3-websocket"       # noVNC test
pkgs="$pkgs libgnutls28-dev gnutls-bin"             # VeNCrypt (crypto/), test certificates
case "${1:-}" in
bench) pkgs="$pkgs libuv1-dev libevent-dev liburing-dev qemu-system-x86 qemu-system-misc valgrind" ;;
fuzz) pkgs="$pkgs clang libclang-rt-14-dev" ;;
linux) pkgs="$pkgs linux-source-6.1 gcc-riscv64-linux-gnu libc6-dev-riscv64-cross bc bison flex cpio dpkg-dev xz-utils" ;;
"") ;;
*) echo "usage: $0 [bench|fuzz|linux]" >&2; exit 1 ;;
esac

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive

# Busybox comes from Debian's source package (apt-get source), which needs a
# deb-src entry for Debian's own archive.
srclist=/etc/apt/sources.list.d/qcore-debian-src.sources
if [ "${1:-}" = linux ] && [ ! -f $srclist ] &&
   ! grep -rqs '^ *\(deb-src\|Types:.*deb-src\)' /etc/apt/sources.list /etc/apt/sources.list.d; then
    echo "install-deps: adding $srclist"
    printf '%s\n' 'Types: deb-src' 'URIs: http://deb.debian.org/debian' \
        'Suites: bookworm bookworm-updates' 'Components: main' \
        'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' |
        $sudo tee $srclist >/dev/null
    $sudo apt-get update -q
fi

missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing$missing"
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 $missing
