#!/usr/bin/env python3
"""pack-snapshot.py IMAGE NATIVE.txt - appends the CMOS the probe dumped
natively (the "CMOS" line of NATIVE.txt) to IMAGE, the emulator's first MiB,
in the snapshot format of docs/snapshot.md: a CMOS section (128 bytes, all
captured) and the footer. Written independently of biosx's own writer
(src/core/run/snapshot.cpp), from the document, so the tests that read
these fixtures check the format as documented. The file is replaced
atomically; an IMAGE that already has a footer is refused.
"""
import os
import struct
import sys

image, native = sys.argv[1:3]
cmos = None
for line in open(native):
    w = line.split()
    if len(w) == 2 and w[0] == "CMOS":
        cmos = bytes.fromhex(w[1])
if cmos is None or len(cmos) != 128:
    sys.exit(f"pack-snapshot.py: {native}: no CMOS line of 128 bytes")
memory = open(image, "rb").read()
if memory[-32:-24] == b"BIOSXSNP":
    sys.exit(f"pack-snapshot.py: {image} already carries device state")
# Section: tag, length, the bytes, one "captured" bit per byte (all set).
data = cmos + b"\xff" * 16
sections = b"CMOS" + struct.pack("<I", len(data)) + data
footer = b"BIOSXSNP" + struct.pack("<IIQQ", 1, 32, len(memory), len(sections))
tmp = image + ".tmp"
with open(tmp, "wb") as f:
    f.write(memory + sections + footer)
os.replace(tmp, image)
