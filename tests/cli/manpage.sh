#!/bin/sh
# manpage.sh BIOSX SRCDIR - the man page names every subcommand and every
# long option `--help` lists, and renders without errors.
set -u
BIOSX=$1 MAN=$2/docs/biosx.1
fails=0
for cmd in int call batch caps dump-vmcs memmap vbe edid exec completion; do
    grep -q "^\\\\fB$(echo "$cmd" | sed 's/-/\\\\\\\\-/g')\\|^\\.B $(echo "$cmd" | sed 's/-/\\\\\\\\-/g')" "$MAN" ||
        grep -q "$(echo "$cmd" | sed 's/-/\\\\-/g')" "$MAN" || { echo "FAIL: subcommand $cmd missing"; fails=$((fails + 1)); }
    for opt in $("$BIOSX" "$cmd" --help | grep -o -- '--[a-z0-9-]*' | sort -u); do
        case $opt in --help|--version|--test-bad-entry) continue ;; esac
        esc=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
        grep -q -- "$esc" "$MAN" || { echo "FAIL: $cmd $opt is not in the man page"; fails=$((fails + 1)); }
    done
done
if command -v man > /dev/null; then
    err=$(MANWIDTH=80 man -l "$MAN" 2>&1 >/dev/null)
    [ -z "$err" ] || { echo "FAIL: man reports: $err"; fails=$((fails + 1)); }
else
    echo "skip: man is not installed: the page's rendering not checked"
fi
for section in "EXIT STATUS" "I/O POLICY" "JSON" "EXAMPLES"; do
    grep -q "^\.SH $section" "$MAN" || { echo "FAIL: no $section section"; fails=$((fails + 1)); }
done
[ "$fails" -eq 0 ] && echo "man page: every subcommand and option documented"
[ "$fails" -eq 0 ]
