// virtual_cmos.cpp - the snapshot's CMOS at ports 0x70-0x73 for the
// emulation backend. Userspace, pure code.
#include "core/backend/virtual_cmos.h"

namespace biosx::snapshot {

bool VirtualCmos::data(uint8_t at, bool write, uint32_t& value)
{
    if (at >= c_.bytes.size()) return false;
    if (write) {
        c_.bytes[at] = static_cast<uint8_t>(value);
        c_.known[at] = true;
        return true;
    }
    if (at == kCmosRegA) {
        value = (c_.known[at] ? c_.bytes[at] : kCmosRegADefault) & ~kCmosUip & 0xffu;
        return true;
    }
    if (!c_.known[at]) return false;
    value = c_.bytes[at];
    return true;
}

bool VirtualCmos::access(uint16_t port, unsigned size, bool write, uint32_t& value)
{
    if (size != 1) return false;
    const bool upper = c_.bytes.size() > 128;
    switch (port) {
    case 0x70:
        // Bit 7 of the index masks NMI on a PC: not part of the index.
        if (write) index_ = value & 0x7f;
        return write;
    case 0x71: return data(index_, write, value);
    case 0x72:
        // The upper bank's own index (Intel chipsets: bytes 80h-FFh).
        if (write && upper) upper_index_ = static_cast<uint8_t>(0x80 | (value & 0x7f));
        return write && upper;
    case 0x73: return upper && data(upper_index_, write, value);
    default: return false;
    }
}

}  // namespace biosx::snapshot
