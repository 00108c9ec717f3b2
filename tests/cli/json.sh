#!/bin/sh
# json.sh BIOSX IMAGE SRCDIR - the JSON output is for scripts: the cookbook's
# and json-schema.md's jq one-liners work with Debian 12's jq (1.6) and give
# the right numbers; every document is one object with a biosx.* schema and
# version; every key is reachable with jq 1.6's dotted syntax; every number
# past 2^53 has its exact "<key>_hex" string beside it.
set -u
BIOSX=$1 IMG=$2 SRC=$3
# Without jq there is nothing to run the one-liners with: SKIP (77), saying so.
command -v jq > /dev/null || { echo "SKIP: jq is not installed (scripts/install-deps.sh --test)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
B="$BIOSX --image $IMG"

# same NAME GOT WANTED
same() {
    if [ "$2" = "$3" ]; then echo "ok: $1 = $2"; else echo "FAIL: $1: got '$2', wanted '$3'"; fails=$((fails + 1)); fi
}

# The documents every check below looks at.
$B int 0x11 --json > "$tmp/int11.json"
$B int 0x15 --eax 0xe820 --edx 0x534d4150 --ecx 24 --di 0x7e00 --read 0000:7e00:24 --io-log --json > "$tmp/e820.json"
$B int 0x13 --ah 8 --dl 0 --json > "$tmp/int13.json"
$B int 0x10 --ax 0x4f00 --es 0x2000 --di 0 --write 2000:0000=56424532 --read 2000:0000:512 --json > "$tmp/vbe.json"
$B call f000:fff0 --max-instructions 10 --json > "$tmp/call.json" 2> /dev/null
$B memmap --all --json > "$tmp/memmap.json"
$B memmap --save "$tmp/copy.img" --json > "$tmp/save.json"
$BIOSX caps --from "$SRC/tests/vm/cpu-models/corei7_skylake_x.msr" --json > "$tmp/caps.json"
$BIOSX caps --from "$SRC/tests/vm/cpu-models/core2_penryn_t9600.msr" --json > "$tmp/caps2.json"
printf 'vendor AuthenticAMD\ncpuid1.ecx 0x0\ncpuid80000001.ecx 0x4\ncpuid8000000a.eax 0x1\n' > "$tmp/amd.msr"
$BIOSX caps --from "$tmp/amd.msr" --json > "$tmp/caps-amd.json" 2> /dev/null

for f in int11 e820 int13 vbe call memmap save caps caps2 caps-amd; do
    # One document: jq -s sees exactly one value, an object.
    same "$f: one JSON object" "$(jq -s 'length == 1 and (.[0] | type == "object")' "$tmp/$f.json")" true
    # biosx.run (decoded) and biosx.memmap (save.cmos) are at version 3, the others at 2.
    same "$f: schema name and version" \
        "$(jq -r '(.schema | test("^biosx\\.(run|caps|memmap|vmcs)$")) and
                  .schema_version == (if .schema == "biosx.run" then 4 elif .schema == "biosx.memmap" or .schema == "biosx.caps" then 3 else 2 end)' "$tmp/$f.json")" true
    bad=$(jq -c '[paths | .[] | strings | select(test("^[A-Za-z_][A-Za-z0-9_]*$") | not)] | unique' "$tmp/$f.json")
    same "$f: every key is a jq 1.6 identifier" "$bad" "[]"
    # Numbers jq cannot hold exactly have their exact hex beside them.
    big=$(jq -c '[paths(type == "number") as $p | select(getpath($p) >= 9007199254740992)
                 | select(($p[-1] | type) != "string" or (getpath($p[:-1]) | has($p[-1] + "_hex") | not))] | length' "$tmp/$f.json")
    same "$f: numbers past 2^53 have an exact _hex string" "$big" 0
done

# Registers are numbers jq computes with (json-schema.md and the cookbook).
same "equipment word" "$($B int 0x11 --json | jq '.out.eax % 65536')" \
    "$(od -An -tu2 -j $((0x410)) -N2 "$IMG" | tr -d ' ')"
same "conventional memory in bytes" "$($B int 0x12 --json | jq '.out.eax % 65536 * 1024')" \
    "$(($(od -An -tu2 -j $((0x413)) -N2 "$IMG" | tr -d ' ') * 1024))"
same "E820 first step: carry, continuation" "$(jq -c '[.carry, .out.ebx]' "$tmp/e820.json")" "[false,1]"
same "E820 first step: the buffer" "$(jq -r '.buffers[0] | "\(.segment):\(.offset) \(.linear) \(.length)"' "$tmp/e820.json")" "0:32256 32256 24"
# The decoded member (json-schema.md one-liners): the 1.44M diskette of the
# snapshot's machine, the first E820 entry's type, the VBE mode list.
same "decoded: diskette geometry" "$(jq -c '.decoded.fields | [.cylinders, .heads, .sectors_per_track]' "$tmp/int13.json")" "[80,2,18]"
same "decoded: E820 entry type" "$(jq -r '.decoded.structure.fields.type_name' "$tmp/e820.json")" usable
same "decoded: E820 base and its exact hex" "$(jq -r '.decoded.structure.fields | "\(.base) \(.base_hex)"' "$tmp/e820.json")" "0 0x0000000000000000"
same "decoded: VBE modes are numbers" "$(jq '.decoded.structure.modes | (length > 0) and all(type == "number")' "$tmp/vbe.json")" true
same "decoded: INT 11h is a known call" "$(jq -r '.decoded.call' "$tmp/int11.json")" int11
same "decoded: absent for a far call" "$(jq 'has("decoded")' "$tmp/call.json")" false
same "run: entry vector is a number" "$(jq '.entry.vector' "$tmp/int11.json")" 17
same "call: entry segment, offset, linear" "$(jq -c '.entry | [.segment, .offset, .linear]' "$tmp/call.json")" "[61440,65520,1048560]"
same "memmap: usable E820 ranges summed" \
    "$(jq '[.firmware_map.entries[] | select(.type == 1) | .length] | add' "$tmp/memmap.json")" \
    "$(jq '[.firmware_map.totals[] | select(.type == 1) | .bytes] | add' "$tmp/memmap.json")"
same "memmap: E820 number and hex agree" \
    "$(jq -r '.firmware_map.entries[0] | "\(.base) \(.base_hex)"' "$tmp/memmap.json")" "0 0x0000000000000000"
same "memmap: E820 lines for people" \
    "$($B memmap --e820 --json | jq -r '.firmware_map.entries[] | "\(.base_hex) \(.length_hex) \(.type_name)"' | head -1)" \
    "0x0000000000000000 0x000000000009fc00 usable"
same "memmap: IVT linear = segment * 16 + offset" "$(jq '[.ivt[] | .segment * 16 + .offset == .linear] | all' "$tmp/memmap.json")" true
same "memmap: the RSDP's address is a number" \
    "$(jq '.tables[] | select(.signature == "RSD PTR ") | .address | type' "$tmp/memmap.json")" '"number"'
same "memmap --save: one biosx.memmap object with save" "$(jq -c '.save.bytes' "$tmp/save.json")" 1048576
same "memmap --save: the snapshot's CMOS goes along" "$(jq -c '[.save.cmos.size, .save.cmos.captured]' "$tmp/save.json")" "[128,128]"
same "caps: verdict" "$(jq -r '.verdict.strategy' "$tmp/caps.json")" unrestricted
same "caps: IA32_VMX_BASIC value and exact hex" \
    "$(jq -r '.msrs[] | select(.name == "IA32_VMX_BASIC") | .value_hex' "$tmp/caps.json")" \
    "$(awk '$1 == "msr" && $2 == "0x480" {print $3}' "$SRC/tests/vm/cpu-models/corei7_skylake_x.msr" | tr A-F a-f)"
same "caps: secondary controls allowed-1 is a number" "$(jq '.controls.secondary.may_be_1 | type' "$tmp/caps.json")" '"number"'

# The cookbook's one-liners, as printed there, run here over the image.
grep -o "| jq [^#]*" "$SRC/docs/cookbook.md" | sed 's/^| jq //; s/ *$//' | while read -r prog; do
    echo "$prog"
done > "$tmp/cookbook"
[ -s "$tmp/cookbook" ] || { echo "FAIL: no jq one-liners found in docs/cookbook.md"; fails=$((fails + 1)); }
while read -r line; do
    eval "set -- $line"
    case "$*" in
    *firmware_map*|*.tables*|*.ivt*|*.bda*) doc=memmap ;; *.decoded.structure.modes*) doc=vbe ;; *.verdict*|*.msrs*|*.controls*) doc=caps ;; *) doc=int11 ;;
    esac
    if jq "$@" "$tmp/$doc.json" > "$tmp/out" 2> "$tmp/err" && [ -s "$tmp/out" ]; then
        echo "ok: cookbook jq $* -> $(head -c 60 "$tmp/out" | tr '\n' ' ')"
    else
        echo "FAIL: cookbook jq $*: $(cat "$tmp/err")"; fails=$((fails + 1))
    fi
done < "$tmp/cookbook"

[ "$fails" -eq 0 ] && echo "json: all checks passed" || echo "json: $fails check(s) failed"
[ "$fails" -eq 0 ]
