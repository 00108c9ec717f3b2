// virtual_cmos.h - a snapshot's CMOS/RTC served at ports 0x70/0x71 (and
// 0x72/0x73 for a 256-byte CMOS) by the emulation backend, so that BIOS
// code that reads the clock or the memory sizes at call time answers over a
// snapshot as it did on the machine. Userspace.
#pragma once

#include <cstdint>

#include "core/run/snapshot.h"

namespace biosx::snapshot {

// Register A of the MC146818: bit 7 is update-in-progress.
inline constexpr uint8_t kCmosRegA = 0x0a, kCmosUip = 0x80;
// What register A holds when the snapshot did not capture it: the divider
// and rate every PC BIOS programs (32.768 kHz time base, 1024 Hz), UIP clear.
inline constexpr uint8_t kCmosRegADefault = 0x26;

// One run's view of the CMOS: the index registers are the run's own (a run
// starts with index 0); the bytes are the Memory's private copy, so a write
// is seen by later runs over the same memory, never by the file.
class VirtualCmos {
public:
    explicit VirtualCmos(Cmos& cmos) : c_(cmos) {}
    // True when the access was served (read or written here); false when it
    // stays virtual: not a byte access to a CMOS port, a read of an index
    // port (write-only on the chipsets QEMU and Bochs model), or a read of a
    // byte the snapshot did not capture.
    //
    // The clock stands still at the captured time, and register A always
    // reads with update-in-progress clear: a BIOS waiting for an update to
    // finish (SeaBIOS's rtc_updating(), INT 1Ah) returns at once.
    bool access(uint16_t port, unsigned size, bool write, uint32_t& value);

private:
    bool data(uint8_t at, bool write, uint32_t& value);
    Cmos& c_;
    uint8_t index_ = 0, upper_index_ = 0x80;
};

}  // namespace biosx::snapshot
