// vbe.h - the VESA BIOS Extension through a session: controller information
// (4F00h), every mode's information (4F01h), the current mode (4F03h), a
// mode set (4F02h) and the display's EDID over VBE/DDC (4F15h), each answer
// decoded by core/meaning. What `biosx vbe` and `biosx edid` run; a program
// can run the same through a lib::Session. Userspace.
#pragma once

#include <cstdint>
#include <vector>

#include "core/meaning/meaning.h"
#include "lib/session.h"

namespace biosx::lib {

// Each function runs its calls in `s`, one after the other, and throws
// Error(incomplete) when a routine does not complete and Error(environment)
// when the BIOS answers AX != 004Fh: one sentence naming the function, the
// mode or port, and what AX says (VBE 3.0: AL != 4Fh unsupported, AH the
// status).

// 4F00h with 'VBE2' in the 512-byte block: the decoded VbeInfoBlock
// (its structure holds the fields and the mode list, "modes").
meaning::Decoded vbe_controller(Session& s);
// The mode numbers of the controller information's list, in its order.
std::vector<uint16_t> vbe_mode_list(const meaning::Decoded& controller);
// 4F01h for `mode`: the decoded ModeInfoBlock.
meaning::Decoded vbe_mode(Session& s, uint16_t mode);
// 4F03h: the current mode (its "mode" field; bit 14 the linear frame buffer).
meaning::Decoded vbe_current_mode(Session& s);
// 4F02h with BX = `mode` (bit 14: linear frame buffer, bit 15: keep memory).
void vbe_set_mode(Session& s, uint16_t mode);

// 4F15h BL=00h for controller unit `port`: BL's DDC level bits (bit 0
// DDC1, bit 1 DDC2) and BH's seconds per 128-byte block.
struct DdcCapabilities {
    uint8_t level = 0;
    uint8_t seconds_per_block = 0;
};
DdcCapabilities ddc_capabilities(Session& s, unsigned port);
// 4F15h BL=01h: block 0 of the EDID, then as many extension blocks as its
// byte 126 announces (at most 255), 128 bytes each.
std::vector<uint8_t> read_edid(Session& s, unsigned port);

}  // namespace biosx::lib
