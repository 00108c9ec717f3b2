#!/bin/sh
# cli.sh HELPER IMAGE MANPAGE - biosx-v86d's command line: the man page
# names every option --help lists, usage errors are one line
# and exit 2, a session that cannot open exits 2 or 3 (in the foreground, and
# through the detaching parent, which passes on the child's status), and, as
# root, a detached start over the snapshot exits 0 once the helper is
# listening, its session open, its log on stderr. Userspace.
set -u
helper=$1 image=$2 manpage=$3
fails=0
check() { # check NAME GOT WANT
    if [ "$2" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: got '$2', want '$3'"; fails=$((fails + 1)); fi
}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

"$helper" --help > "$out/help" 2>&1
check help-rc $? 0
check help-names-uvesafb "$(grep -c 'modprobe uvesafb v86d=' "$out/help")" 1
for opt in $(grep -o '^ *\(-h,\)\?--[a-z-]*' "$out/help" | sed 's/.*--/--/' | grep -v -- '--help'); do
    check "manpage-$opt" "$(sed 's/\\-/-/g; s/\\f[BIR]//g' "$manpage" | grep -c -- "^$opt")" 1
done

"$helper" --backend nosuch > /dev/null 2> "$out/err"
check bad-backend-rc $? 2
check bad-backend-one-line "$(wc -l < "$out/err")" 1

"$helper" --log nowhere > /dev/null 2> "$out/err"
check bad-log-rc $? 2

if [ "$(id -u)" != 0 ]; then
    "$helper" --foreground --image "$image" > /dev/null 2> "$out/err"
    check not-root-rc $? 3
    check not-root-says "$(grep -c 'run as root' "$out/err")" 1
    [ $fails -eq 0 ] || exit 1
    echo "SKIP: not root: the connector group cannot be bound, the rest is not checked"
    exit 77
fi

for mode in --foreground ""; do
    "$helper" $mode --image "$out/nosuch.img" > /dev/null 2> "$out/err"
    check "bad-image-rc${mode}" $? 2
    check "bad-image-one-line${mode}" "$(wc -l < "$out/err")" 1
done

# Detached: the parent returns once the child's session is open.
"$helper" --image "$image" --log stderr > /dev/null 2> "$out/log"
check detached-rc $? 0
check detached-session-logged "$(grep -c 'session open: backend emu, memory image:' "$out/log")" 1
pid=$(pgrep -n -x biosx-v86d)
check detached-running "$([ -n "$pid" ] && echo yes)" yes
[ -z "$pid" ] || kill "$pid"
[ $fails -eq 0 ]
