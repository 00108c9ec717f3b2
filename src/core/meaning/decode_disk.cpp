// decode_disk.cpp - decoders of INT 13h AH=08h (drive parameters: the
// packed cylinder/head/sector limits) and AH=15h (disk type and size).
// Meanings from Ralf Brown's Interrupt List, release 61. Userspace, pure code.
#include "core/meaning/meaning.h"
#include "core/format.h"

namespace biosx::meaning {

namespace {

void drive_fields(const CallView& v, Decoded& d)
{
    const uint8_t drive = static_cast<uint8_t>(v.in()[Reg::edx]);
    d.fields.push_back(num("drive", drive, 2));
    d.fields.push_back(str("drive_kind", drive & 0x80 ? "hard disk" : "diskette"));
}

// #00242, "Values for diskette drive type".
const char* diskette_type_name(uint8_t t)
{
    switch (t) {
    case 0x01: return "360K";
    case 0x02: return "1.2M";
    case 0x03: return "720K";
    case 0x04: return "1.44M";
    case 0x05: return "2.88M on some BIOSes (reportedly an obscure IBM type)";
    case 0x06: return "2.88M";
    case 0x10: return "ATAPI removable media device";
    default: return nullptr;
    }
}

}  // namespace

void decode_drive_params(const CallView& v, Decoded& d)
{
    drive_fields(v, d);
    const uint8_t ch = v.hi(Reg::ecx), cl = v.lo(Reg::ecx), dh = v.hi(Reg::edx);
    // CL bits 7-6 are bits 9-8 of the maximum cylinder; bits 5-0 the
    // maximum sector (sectors count from 1, cylinders and heads from 0).
    const unsigned max_cylinder = ch | (cl & 0xc0u) << 2, max_sector = cl & 0x3fu, max_head = dh;
    const uint64_t cylinders = max_cylinder + 1u, heads = max_head + 1u, sectors = max_sector;
    d.fields.push_back(num("drives", v.lo(Reg::edx)));
    d.fields.push_back(num("max_cylinder", max_cylinder));
    d.fields.push_back(num("max_head", max_head));
    d.fields.push_back(num("max_sector", max_sector));
    d.fields.push_back(num("cylinders", cylinders));
    d.fields.push_back(num("heads", heads));
    d.fields.push_back(num("sectors_per_track", sectors));
    d.fields.push_back(num("chs_sectors", cylinders * heads * sectors));
    d.fields.push_back(num("chs_bytes", cylinders * heads * sectors * 512));
    if (!(v.in()[Reg::edx] & 0x80)) {
        const uint8_t bl = v.lo(Reg::ebx);
        d.fields.push_back(num("drive_type", bl, 2));
        if (const char* n = diskette_type_name(bl)) d.fields.push_back(str("drive_type_name", n));
        far_pointer(d.fields, "parameter_table", v.out()[Reg::es] << 16 | v.w(Reg::edi));
    }
    if (v.lo(Reg::edx) == 0)
        d.notes.push_back("DL=0: no drive of this kind; the geometry is not that of a drive");
    else if (v.in()[Reg::edx] & 0x80)
        d.notes.push_back("hard disks: many BIOSes keep the last cylinder for diagnostics and do not count it");
}

void decode_disk_type(const CallView& v, Decoded& d)
{
    drive_fields(v, d);
    const uint8_t type = v.hi(Reg::eax);
    static const char* kTypes[] = {"no such drive", "diskette without change-line support",
                                   "diskette or removable drive with change-line support", "hard disk"};
    d.fields.push_back(num("type", type, 2));
    if (type < 4) d.fields.push_back(str("type_name", kTypes[type]));
    if (type == 3) {
        const uint64_t sectors = uint64_t{v.w(Reg::ecx)} << 16 | v.w(Reg::edx);
        d.fields.push_back(num("sectors", sectors));
        d.fields.push_back(num("bytes", sectors * 512));
    }
}

}  // namespace biosx::meaning
