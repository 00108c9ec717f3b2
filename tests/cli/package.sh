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
         /usr/lib/udev/rules.d/99-biosx.rules /usr/src/biosx-*/dkms.conf /usr/src/biosx-*/shared/uapi/biosx.h; do
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
v=$("$tmp/root/usr/bin/biosx" --version) || { echo "FAIL: installed biosx --version failed"; fails=$((fails + 1)); }
echo "installed tree: $v"
[[ $v == "biosx "* ]] || { echo "FAIL: unexpected --version output"; fails=$((fails + 1)); }
if grep -q '^/usr/share/biosx/seabios.img$' "$tmp/files"; then
    # The bundled snapshot is found relative to the installed binary.
    out=$("$tmp/root/usr/bin/biosx" --backend emu int 0x11 2>&1 >/dev/null | head -1)
    case $out in *"$tmp/root/usr/share/biosx/seabios.img"*|"") echo "ok: installed biosx finds its snapshot" ;;
        *) echo "FAIL: installed biosx does not use its own snapshot: $out"; fails=$((fails + 1)) ;; esac
fi
[ "$fails" -eq 0 ] && echo "package: all checks passed"
[ "$fails" -eq 0 ]
