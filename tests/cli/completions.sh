#!/bin/bash
# completions.sh BIOSX SRCDIR - the completion scripts in completions/ are
# exactly what the CLI definition generates (so no option is left out), and
# the bash one completes subcommands, options and option values.
set -u
BIOSX=$1 SRC=$2
fails=0
for sh in bash zsh fish; do
    if ! diff -u "$SRC/completions/biosx.$sh" <("$BIOSX" completion "$sh") > /tmp/biosx-compl.diff; then
        echo "FAIL: completions/biosx.$sh is stale; regenerate with: biosx completion $sh > completions/biosx.$sh"
        head -20 /tmp/biosx-compl.diff
        fails=$((fails + 1))
    fi
done
bash -n "$SRC/completions/biosx.bash" || fails=$((fails + 1))
for sh in zsh fish; do
    if command -v $sh > /dev/null; then
        $sh -n "$SRC/completions/biosx.$sh" || fails=$((fails + 1))
    else
        echo "skip: $sh is not installed: completions/biosx.$sh not syntax-checked"
    fi
done

# complete WORDS... : what bash completes for the last word.
complete_words() {
    bash -c 'source "$0"; COMP_WORDS=("${@}"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _biosx; printf "%s\n" "${COMPREPLY[@]}"' \
        "$SRC/completions/biosx.bash" "$@"
}
expect() {  # expect WANTED WORDS...
    want=$1; shift
    if ! complete_words "$@" | grep -qx -- "$want"; then
        echo "FAIL: completing '$*' does not offer $want"; fails=$((fails + 1))
    else
        echo "ok: '$*' offers $want"
    fi
}
expect int biosx i
expect memmap biosx m
expect --eax biosx int --ea
expect --fail-on-carry biosx int 0x11 --fail
expect --read-to biosx call c000:0003 --read-
expect vmx biosx --backend v
expect --json biosx int 0x11 --js
# Option values (issue 11): the strategy, the backend, the shells of `completion`.
expect vm86 biosx int 0x11 --strategy v
expect unrestricted biosx call c000:0003 --strategy u
expect emu biosx memmap --backend e
expect bash biosx completion b
expect fish biosx completion f
# Every subcommand's --help lists the global options it accepts.
for sub in int call caps dump-vmcs memmap; do
    for g in --image --backend --json; do
        "$BIOSX" "$sub" --help | sed -n '/^Global options/,$p' | grep -q -- "^  $g" ||
            { echo "FAIL: biosx $sub --help does not list $g"; fails=$((fails + 1)); }
    done
done
# Every option of `biosx int --help` is completed.
for opt in $("$BIOSX" int --help | grep -o -- '--[a-z0-9-]*' | sort -u); do
    complete_words biosx int "$opt" | grep -qx -- "$opt" || complete_words biosx int "${opt%?}" | grep -qx -- "$opt" ||
        { echo "FAIL: int option $opt is not completed"; fails=$((fails + 1)); }
done
[ "$fails" -eq 0 ] && echo "completions: all checks passed"
[ "$fails" -eq 0 ]
