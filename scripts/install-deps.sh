#!/bin/sh
# Install the Debian packages qcore needs, and nothing when they are all present.
#   scripts/install-deps.sh          build and test dependencies
#   scripts/install-deps.sh bench    also the peers the benchmarks compare against
set -e

pkgs="gcc make pkg-config meson ninja-build libglib2.0-dev libfdt-dev python3-pytest gcc-riscv64-unknown-elf opensbi u-boot-qemu"
case "${1:-}" in
bench) pkgs="$pkgs libuv1-dev libevent-dev liburing-dev qemu-system-x86 qemu-system-misc" ;;
"") ;;
*) echo "usage: $0 [bench]" >&2; exit 1 ;;
esac

missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing$missing"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends $missing
