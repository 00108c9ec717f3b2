#!/bin/bash
# package.sh BUILDDIR - `cpack -G DEB` builds a .deb holding what a user and a
# packager expect, and biosx runs from the unpacked tree.
set -u
B=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
# cpack -G DEB and the checks need Debian's dpkg-deb: SKIP (77) without it.
command -v dpkg-deb > /dev/null || { echo "SKIP: dpkg-deb is not installed (not a Debian host)"; exit 77; }
(cd "$B" && cpack -G DEB -B "$tmp/pkg" > "$tmp/cpack.log" 2>&1) || { cat "$tmp/cpack.log"; exit 1; }
deb=$(ls "$tmp"/pkg/*.deb | head -1)
[ -f "$deb" ] || { echo "FAIL: no .deb produced"; exit 1; }
echo "built $(basename "$deb") ($(stat -c %s "$deb") bytes)"
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' > "$tmp/files"
for f in /usr/bin/biosx /usr/share/man/man1/biosx.1 /usr/share/bash-completion/completions/biosx \
         /usr/share/zsh/vendor-completions/_biosx /usr/share/fish/vendor_completions.d/biosx.fish \
         /usr/lib/udev/rules.d/99-biosx.rules /usr/src/biosx-*/dkms.conf /usr/src/biosx-*/shared/uapi/biosx.h \
         /usr/include/biosx/biosx.h /usr/lib*/libbiosx.so.1 /usr/lib*/libbiosx.so /usr/lib*/libbiosx.a \
         /usr/lib*/pkgconfig/biosx.pc /usr/lib*/biosx/compat/libx86.so.1; do
    if grep -qx -- "${f//\*/[^/]*}" "$tmp/files"; then
        echo "ok: $f"
    else
        echo "FAIL: $f missing from the package"; fails=$((fails + 1))
    fi
done
if grep -q '^/usr/src/biosx-[^/]*/kernel/Kbuild$\|^/usr/src/biosx-[^/]*/kernel/Makefile$' "$tmp/files"; then
    echo "ok: module source with its Kbuild/Makefile"
else
    echo "FAIL: the module's Kbuild/Makefile are not in the package"; fails=$((fails + 1))
fi
dpkg-deb -f "$deb" Depends | grep -q libx86emu || { echo "FAIL: Depends lacks libx86emu"; fails=$((fails + 1)); }
dpkg-deb -x "$deb" "$tmp/root"
# DKMS builds the module from this tree: every object Kbuild links needs its source there.
kdir=$(echo "$tmp"/root/usr/src/biosx-*/kernel)
objs=$(sed -n '/^biosx-y :=/,/[^\\]$/p' "$kdir/Kbuild" | sed 's/^biosx-y :=//; s/\\$//' | tr -s ' \t' '\n' | grep '\.o$')
[ -n "$objs" ] || { echo "FAIL: no biosx-y objects found in the packaged Kbuild"; fails=$((fails + 1)); }
missing=0
for o in $objs; do
    [ -f "$kdir/${o%.o}.c" ] || [ -f "$kdir/${o%.o}.S" ] || { echo "FAIL: $o has no source in the DKMS tree"; missing=$((missing + 1)); }
done
fails=$((fails + missing))
[ "$missing" -eq 0 ] && echo "ok: the DKMS tree holds the source of all $(echo $objs | wc -w) objects Kbuild links"
# biosx's libx86.so.1 stays out of the default library path (Debian's
# libx86-1 owns that name there); `biosx exec` finds it from the binary.
if grep -q '^/usr/lib[^/]*/libx86\.so\|^/usr/lib/[^/]*/libx86\.so' "$tmp/files"; then
    echo "FAIL: a libx86.so in the default library path"; fails=$((fails + 1))
fi
v=$("$tmp/root/usr/bin/biosx" --version) || { echo "FAIL: installed biosx --version failed"; fails=$((fails + 1)); }
echo "installed tree: $v"
[[ $v == "biosx "* ]] || { echo "FAIL: unexpected --version output"; fails=$((fails + 1)); }
ld=$("$tmp/root/usr/bin/biosx" exec -- sh -c 'echo "$LD_LIBRARY_PATH"' 2>&1)
if [ -f "${ld%%:*}/libx86.so.1" ] && [ "${ld%%:*}" = "$(cd "$tmp"/root/usr/lib*/biosx/compat && pwd -P)" ]; then
    echo "ok: installed biosx exec puts its libx86.so.1 first: ${ld%%:*}"
else
    echo "FAIL: installed biosx exec: LD_LIBRARY_PATH=$ld"; fails=$((fails + 1))
fi
case $(ldd "${ld%%:*}/libx86.so.1" | grep libbiosx.so.1) in
    *"$tmp/root/"*) echo "ok: the packaged libx86.so.1 loads the packaged libbiosx.so.1 (RUNPATH \$ORIGIN/../..)" ;;
    *) echo "FAIL: the packaged libx86.so.1 does not find the packaged libbiosx.so.1"; fails=$((fails + 1)) ;;
esac
if grep -q '^/usr/share/biosx/seabios.img$' "$tmp/files"; then
    # The bundled snapshot is found relative to the installed binary.
    out=$("$tmp/root/usr/bin/biosx" --backend emu int 0x11 2>&1 >/dev/null | head -1)
    case $out in *"$tmp/root/usr/share/biosx/seabios.img"*|"") echo "ok: installed biosx finds its snapshot" ;;
        *) echo "FAIL: installed biosx does not use its own snapshot: $out"; fails=$((fails + 1)) ;; esac
fi
# libbiosx from the unpacked tree: pkg-config finds it (the .pc file is
# relative to where it lies), a C program builds against it, shared and
# static, and runs over the packaged snapshot.
pc=$(ls -d "$tmp"/root/usr/lib*/pkgconfig | head -1)
cat > "$tmp/t.c" <<'C'
#include <biosx/biosx.h>
#include <stdio.h>
int main(int argc, char **argv)
{
	struct biosx_open_options o;
	struct biosx_session *s;
	struct biosx_registers r;
	biosx_open_options_init(&o);
	o.image = argv[argc - 1];
	if (biosx_session_open(&s, &o) != BIOSX_OK) return fprintf(stderr, "%s\n", biosx_last_error()), 1;
	biosx_registers_init(&r);
	if (biosx_int(s, 0x12, &r) != BIOSX_OK) return 1;
	printf("%u KiB\n", r.eax & 0xffff);
	biosx_session_close(s);
	return 0;
}
C
img="$tmp/root/usr/share/biosx/seabios.img"
flags=$(PKG_CONFIG_PATH=$pc pkg-config --cflags --libs biosx) || { echo "FAIL: pkg-config biosx"; fails=$((fails + 1)); }
sflags=$(PKG_CONFIG_PATH=$pc pkg-config --static --cflags --libs biosx)
incdir=$(realpath -m "$(printf '%s\n' $flags | sed -n 's/^-I//p' | head -1)")
if [ "$incdir" = "$tmp/root/usr/include" ]; then echo "ok: pkg-config biosx: $flags"; else
    echo "FAIL: pkg-config's include directory is not the package's: $flags"; fails=$((fails + 1)); fi
if nm -D "$(ls "$tmp"/root/usr/lib*/libbiosx.so.1 | head -1)" | grep -q ' U __asan_'; then
    # The asan preset: the library needs the sanitizers' runtime, which a
    # plain C program does not bring (lib.example links it that way).
    echo "skip: C programs against the package's libbiosx (built with the sanitizers)"
elif [ -f "$img" ]; then
    libdir=$(dirname "$pc")
    # shellcheck disable=SC2086
    if cc -std=c99 -Wall -Werror "$tmp/t.c" $flags -o "$tmp/t-shared" && LD_LIBRARY_PATH=$libdir "$tmp/t-shared" "$img" | grep -q 'KiB$'; then
        echo "ok: a C program links libbiosx.so.1 and runs"
    else
        echo "FAIL: a C program against the packaged libbiosx.so"; fails=$((fails + 1))
    fi
    # shellcheck disable=SC2086
    if cc -std=c99 -Wall -Werror "$tmp/t.c" -Wl,-Bstatic -lbiosx -Wl,-Bdynamic $sflags -o "$tmp/t-static" &&
       ! ldd "$tmp/t-static" | grep -q libbiosx && "$tmp/t-static" "$img" | grep -q 'KiB$'; then
        echo "ok: a C program links libbiosx.a statically and runs"
    else
        echo "FAIL: a C program against the packaged libbiosx.a"; fails=$((fails + 1))
    fi
fi
# uvesafb's helper (docs/v86d.md), where modprobe's v86d= will name it.
if grep -qx /usr/sbin/biosx-v86d "$tmp/files" && grep -qx /usr/share/man/man8/biosx-v86d.8 "$tmp/files" &&
   "$tmp/root/usr/sbin/biosx-v86d" --version | grep -q '^biosx-v86d '; then
    echo "ok: /usr/sbin/biosx-v86d and its man page"
else
    echo "FAIL: /usr/sbin/biosx-v86d missing from the package or does not run"; fails=$((fails + 1))
fi
[ "$fails" -eq 0 ] && echo "package: all checks passed"
[ "$fails" -eq 0 ]
