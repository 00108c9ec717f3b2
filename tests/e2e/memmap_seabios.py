#!/usr/bin/env python3
"""memmap_seabios.py BIOSX IMAGE NATIVE - `biosx memmap` on the SeaBIOS
snapshot, checked against the raw bytes (decoded here, independently, from
the specs) and against what the probe saw natively in the same machine:

- every BIOS table on a 16-byte boundary in E0000-FFFFF is found, with the
  same checksum verdict and the same key fields; the ones SeaBIOS publishes
  under QEMU are there and valid (RSDP with OEM id "BOCHS ", SMBIOS 2.x, MP,
  $PIR, BIOS32, PnP);
- the IVT and the BDA decode match the bytes, and the BDA's equipment word
  and memory size match the native INT 11h/12h answers;
- the VGA option ROM (QEMU -vga std, 1234:1111) is found with its checksum;
- `memmap --e820` lists exactly the entries of the native E820 walk;
- `memmap --save` writes the same bytes back, the CMOS it carries included.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

BIOSX, IMAGE, NATIVE = sys.argv[1:4]
snapshot = open(IMAGE, "rb").read()
# The memory is the file up to the footer's memory size (docs/snapshot.md).
if snapshot[-32:-24] == b"BIOSXSNP":
    mem = snapshot[:struct.unpack_from("<Q", snapshot, len(snapshot) - 16)[0]]
else:
    mem = snapshot
fails = 0


def check(cond, what):
    global fails
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        fails += 1


def biosx(*args, code=0):
    p = subprocess.run([BIOSX, "--image", IMAGE, "memmap", *args], capture_output=True, text=True)
    if p.returncode != code:
        check(False, f"biosx memmap {' '.join(args)} exited {p.returncode}, expected {code}: {p.stderr.strip()}")
    return p


def u8(a): return mem[a]
def u16(a): return struct.unpack_from("<H", mem, a)[0]
def u32(a): return struct.unpack_from("<I", mem, a)[0]
def ok_sum(a, n): return a + n <= len(mem) and sum(mem[a:a + n]) % 256 == 0


# ---- tables, decoded here from the specs ------------------------------------
def raw_tables():
    out = {}
    for a in range(0xE0000, 0x100000, 16):
        b = mem[a:a + 8]
        if b.startswith(b"_SM_"):
            n = u8(a + 5)
            out[a] = ("_SM_", ok_sum(a, n) and ok_sum(a + 0x10, 15),
                      {"version": f"{u8(a + 6)}.{u8(a + 7)}", "table_address": u32(a + 0x18),
                       "table_length": u16(a + 0x16), "structures": u16(a + 0x1C)})
        elif b.startswith(b"_SM3_"):
            out[a] = ("_SM3_", ok_sum(a, u8(a + 6)), {})
        elif b.startswith(b"_DMI_") and mem[a - 16:a - 12] != b"_SM_":
            out[a] = ("_DMI_", ok_sum(a, 15), {})
        elif b == b"RSD PTR ":
            rev = u8(a + 15)
            good = ok_sum(a, 20) and (rev < 2 or ok_sum(a, u32(a + 20)))
            out[a] = ("RSD PTR ", good, {"oem_id": mem[a + 9:a + 15].decode("ascii"), "revision": rev,
                                         "rsdt_address": u32(a + 16)})
        elif b.startswith(b"_MP_"):
            out[a] = ("_MP_", ok_sum(a, u8(a + 8) * 16), {"config_table_address": u32(a + 4)})
        elif b.startswith(b"$PIR"):
            size = u16(a + 6)
            out[a] = ("$PIR", ok_sum(a, size), {"slots": (size - 32) // 16})
        elif b.startswith(b"$PnP"):
            out[a] = ("$PnP", ok_sum(a, u8(a + 5)), {"real_mode_entry": f"{u16(a + 0xF):04x}:{u16(a + 0xD):04x}"})
        elif b.startswith(b"_32_"):
            out[a] = ("_32_", ok_sum(a, u8(a + 9) * 16), {"entry_point": u32(a + 4)})
        elif b.startswith(b"$PMM"):
            out[a] = ("$PMM", ok_sum(a, u8(a + 5)), {})
    return out


j = json.loads(biosx("--json").stdout)
got = {t["address"]: t for t in j["tables"]}
raw = raw_tables()
for a, (sig, good, fields) in sorted(raw.items()):
    t = got.get(a)
    check(t is not None and t["signature"] == sig, f"{sig!r} at {a:#x} is reported")
    if not t:
        continue
    check(t["trusted"] == good, f"{sig!r} at {a:#x}: checksum verdict {t['status']} matches the bytes ({good})")
    for k, v in fields.items():
        check(t["fields"].get(k) == v, f"{sig!r} at {a:#x}: {k} = {t['fields'].get(k)!r}, bytes say {v!r}")
extra = [f"{t['signature']}@{a:#x}" for a, t in got.items() if a not in raw and t["signature"] != "PCMP"]
check(not extra, f"no table reported that the bytes do not hold: {extra}")
for sig in ["RSD PTR ", "_SM_", "_MP_", "$PIR", "_32_", "$PnP"]:
    check(any(s == sig and good for s, good, _ in raw.values()), f"the BIOS publishes {sig!r} with a valid checksum")
rsdp = next(t for t in j["tables"] if t["signature"] == "RSD PTR ")
check(rsdp["fields"]["oem_id"] == "BOCHS ", "the RSDP's OEM id is \"BOCHS \" (QEMU's and Bochs's)")
smb = next(t for t in j["tables"] if t["signature"] == "_SM_")
check(smb["fields"]["version"].startswith("2."), "SMBIOS entry point is 2.x")
mp = next(t for t in j["tables"] if t["signature"] == "_MP_")
pcmp = [t for t in j["tables"] if t["signature"] == "PCMP"]
check(len(pcmp) == 1 and pcmp[0]["status"] == "ok" and
      pcmp[0]["address"] == mp["fields"]["config_table_address"],
      "the MP configuration table is reached from _MP_ and its checksum holds")
cfg = u32(mp["address"] + 4)
check(bool(pcmp) and pcmp[0]["fields"]["oem_id"] == mem[cfg + 8:cfg + 16].decode("ascii"),
      "the MP configuration table's OEM id matches the bytes")

# ---- IVT and BDA --------------------------------------------------------------
ivt = j["ivt"]
check(len(ivt) == 256, "256 vectors")
check(all((v["segment"], v["offset"]) == (u16(n * 4 + 2), u16(n * 4)) for n, v in enumerate(ivt)),
      "every vector's SEG:OFF matches the bytes")
check(ivt[0x10]["target"] == "option_rom" and "c0000" in ivt[0x10]["target_name"],
      "INT 10h points into the VGA option ROM at C0000")
check(ivt[0x13]["target"] == "system_bios", "INT 13h points into the system BIOS")
bda = j["bda"]
check(bda["memory_kib"] == u16(0x413), "BDA memory size matches the bytes")
check(bda["ebda_segment"] == u16(0x40E), "BDA EBDA segment matches the bytes")
check(bda["equipment"] == u16(0x410), "BDA equipment word matches the bytes")
check(bda["com"][0] == u16(0x400), "BDA COM1 matches the bytes")
check(bda["ticks"] == u32(0x46C), "BDA tick count matches the bytes")

native = [line.split() for line in open(NATIVE) if line.startswith("CALL ")]


def out_reg(fields, name):
    i = fields.index("OUT")
    for f in fields[i + 1:]:
        if f.startswith(name + "="):
            return int(f.split("=")[1], 16)


for f in native:
    if f[1] == "int11":
        check(bda["equipment"] == out_reg(f, "eax") & 0xFFFF, "BDA equipment word = native INT 11h AX")
    if f[1] == "int12":
        check(bda["memory_kib"] == out_reg(f, "eax") & 0xFFFF, "BDA memory size = native INT 12h AX")
ebda = u16(0x40E) * 16
reg = [r for r in j["regions"] if r["kind"] == "ebda"]
check(len(reg) == 1 and reg[0]["begin"] == ebda and reg[0]["size"] == u8(ebda) * 1024,
      "the EBDA region starts at BDA 0x40E and its size is its first byte in KiB")

# ---- option ROMs -------------------------------------------------------------
roms = {r["address"]: r for r in j["option_roms"]}
vga = roms.get(0xC0000)
check(vga is not None and vga["size"] == u8(0xC0002) * 512 and vga["checksum_ok"] == ok_sum(0xC0000, u8(0xC0002) * 512),
      "the VGA ROM at C0000: size and checksum verdict match the bytes")
pcir = 0xC0000 + u16(0xC0018)
check(vga and vga["pci"] and vga["pci"]["fields"]["vendor"] == u16(pcir + 4) and
      vga["pci"]["fields"]["device"] == u16(pcir + 6) and mem[pcir:pcir + 4] == b"PCIR",
      "the VGA ROM's PCI vendor:device match the bytes")
check(vga and vga["label"].startswith("1234:1111"), "QEMU's -vga std ROM is 1234:1111")
for a in range(0xC0000, 0xF0000, 0x800):
    if mem[a:a + 2] == b"\x55\xaa" and not any(r <= a < r + roms[r]["size"] for r in roms):
        check(False, f"0x55AA at {a:#x} is not reported")

# ---- E820 against the native walk ---------------------------------------------
native_e820 = []
for f in native:
    if f[1] != "e820" or "BUF" not in f:
        continue
    buf = bytes.fromhex(f[f.index("BUF") + 1].split("=")[1])
    n = out_reg(f, "ecx")
    base, length, typ = struct.unpack_from("<QQI", buf)
    native_e820.append((base, length, typ, n))
e = json.loads(biosx("--e820", "--json").stdout)["firmware_map"]
check(e["method"] == "e820", "E820h is used")
ours = [(int(x["base_hex"], 16), int(x["length_hex"], 16), x["type"], x["bytes"]) for x in e["entries"]]
check(all(int(x["base_hex"], 16) == x["base"] and int(x["length_hex"], 16) == x["length"] for x in e["entries"]),
      "E820 bases and lengths: the number and its exact hex string agree")
check(len(native_e820) > 0, f"the native walk has {len(native_e820)} entries")
# The snapshot carries the CMOS: a BIOS that reads it at call time (the
# Bochs BIOS sizes memory from it) answers as natively, with no virtual read.
check(ours == native_e820, f"memmap --e820 equals the native walk ({len(ours)} entries)")
check(e["virtual_reads"] == 0, f"the walk read no port virtually ({e['virtual_reads']} reads)")
if ours != native_e820:
    print("  native:", native_e820)
    print("  biosx: ", ours)
text = biosx("--e820").stdout
check("INT 15h E820h" in text and "totals:" in text, "the text E820 section names the method and has totals")

# ---- text, --save, bad input ----------------------------------------------------
text = biosx().stdout
check("+----" in text and "system BIOS" in text and "RSD PTR" in text, "the text map is drawn")
with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "copy.img")
    biosx("--save", path)
    check(open(path, "rb").read() == snapshot, "--save writes the snapshot back unchanged: its memory and its CMOS")
    p = biosx("--save", path, "--size", "1000", code=2)
    check(p.returncode == 2 and "--size" in p.stderr, "--size below 1 MiB is a usage error (exit 2)")
p = biosx("--size", "0x100000", code=2)
check(p.returncode == 2, "--size without --save is a usage error (exit 2)")

print("memmap_seabios:", "all checks passed" if fails == 0 else f"{fails} checks failed")
sys.exit(1 if fails else 0)
