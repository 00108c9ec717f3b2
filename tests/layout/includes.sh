#!/bin/sh
# includes.sh SRCDIR - no #include runs from a lower layer to a higher one
# (docs/architecture.md): shared/ includes nothing of biosx's own but
# shared/; kernel/ nothing of src/; src/core/ nothing of src/lib/ or
# src/cli/, src/lib/ nothing of src/cli/; and inside src/core/ each part
# only parts of its own rank or below; src/compat/ only the public header.
set -u
SRC=$1
fails=0

# rank PATH: the layer of a file (relative to src/) or of an include path.
rank() {
    case $1 in
        core/error.h|core/format.*|core/lockdown.*|core/files.*|core/json_fill.h) echo 0 ;;
        core/device/*|core/run/*) echo 1 ;;
        core/vmx/*|core/caps/*) echo 2 ;;
        core/backend/*) echo 3 ;;
        core/call/*|core/memmap/*|core/meaning/*|core/machine.*) echo 4 ;;
        lib/*) echo 5 ;;
        cli/*) echo 6 ;;
        *) echo unknown ;;
    esac
}

refuse() { echo "FAIL: $1"; fails=$((fails + 1)); }

# Every "quoted" include of FILES, as "FILE INCLUDED" lines.
includes() { grep -H '^#include "' "$@" | sed 's/:#include "\([^"]*\)".*/ \1/'; }

for f in $(cd "$SRC" && find shared -name '*.h'); do
    includes "$SRC/$f" | while read -r file inc; do
        case $inc in x86/*|uapi/*|*/*) ;; *) continue ;; esac
        [ -f "$SRC/shared/$inc" ] || echo "FAIL: $f includes $inc, which is not in shared/"
    done
done | grep FAIL && fails=$((fails + 1))

includes $(find "$SRC/kernel" -name '*.[chS]') | grep -E ' (core|cli)/' && refuse "kernel/ includes src/"

for f in $(cd "$SRC/src" && find core lib cli -name '*.cpp' -o -name '*.h'); do
    own=$(rank "$f")
    [ "$own" = unknown ] && { refuse "src/$f has no layer in tests/layout/includes.sh (docs/architecture.md)"; continue; }
    for inc in $(includes "$SRC/src/$f" | cut -d' ' -f2); do
        case $inc in core/*|lib/*|cli/*) ;; *) continue ;; esac
        r=$(rank "$inc")
        if [ "$r" = unknown ]; then
            refuse "src/$f includes $inc, which has no layer"
        elif [ "$r" -gt "$own" ]; then
            refuse "src/$f (layer $own) includes $inc (layer $r): a lower layer reaches up"
        fi
    done
done

# src/compat/ (libx86.so.1, docs/lrmi.md) is a client of libbiosx's public
# API like any program: its own headers and <biosx/biosx.h>, nothing else of biosx.
for f in $(cd "$SRC/src" && find compat -name '*.[ch]'); do
    for inc in $(includes "$SRC/src/$f" | cut -d' ' -f2); do
        case $inc in compat/*|biosx/biosx.h) ;; *) refuse "src/$f includes $inc: compat/ uses the public API only" ;; esac
    done
done

[ "$fails" -eq 0 ] && echo "layering: every include runs down (or across a layer)"
[ "$fails" -eq 0 ]
