#!/bin/sh
# install-deps.sh [--test] - installs what biosx needs on Debian 12 (as root,
# or through sudo). Without --test: build and run, plus what makes the bundled
# SeaBIOS snapshot. With --test: also Bochs, Debian's kernel and headers and
# the rest the VM tests need, jq (the JSON tests), and Debian's clang with its
# sanitizer and libFuzzer runtimes (the asan preset, docs/fuzzing.md).
set -eu
run() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

pkgs="build-essential cmake libcli11-dev nlohmann-json3-dev doctest-dev libx86emu-dev
      qemu-system-x86 seabios nasm python3"
[ "${1:-}" = "--bench" ] && pkgs="$pkgs hyperfine"
if [ "${1:-}" = "--test" ]; then
    pkgs="$pkgs bochs bochsbios vgabios bochs-term busybox-static linux-image-amd64 linux-headers-amd64
          xorriso isolinux syslinux-common cpio kmod bsdextrautils util-linux jq clang libclang-rt-14-dev
          vbetool edid-decode read-edid"
fi
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "installing:$missing"
    run env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    # shellcheck disable=SC2086
    run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
fi
