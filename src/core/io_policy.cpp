// io_policy.cpp - the default port deny list. Userspace.
#include "core/io_policy.h"

namespace biosx {

const std::vector<PortRange>& default_denied_ports()
{
    // Ports a BIOS routine may legitimately poll but whose programming can
    // reset the machine or take timer/interrupt control away from Linux.
    static const std::vector<PortRange> deny = {
        {0x0020, 0x0021, true, "master PIC: reprogramming remaps or masks Linux's interrupts"},
        {0x00a0, 0x00a1, true, "slave PIC: reprogramming remaps or masks Linux's interrupts"},
        {0x0040, 0x0043, true, "PIT: reprogramming changes the timer Linux may rely on"},
        {0x0064, 0x0064, true, "keyboard controller commands (0xFE pulses CPU reset, 0xD1 drives A20)"},
        {0x0092, 0x0092, true, "system control port A: fast A20 and fast reset"},
        {0x0cf9, 0x0cf9, true, "reset control register: resets the machine"},
    };
    return deny;
}

const PortRange* IoPolicy::denied(uint16_t port, bool write) const
{
    for (const auto& r : deny)
        if (port >= r.first && port <= r.last && (write || !r.writes_only)) return &r;
    return nullptr;
}

}  // namespace biosx
