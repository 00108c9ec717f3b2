// save_snapshot.cpp - `memmap --save`: the memory and the device state
// that goes with it, written as one snapshot (docs/snapshot.md). Userspace.
#include "core/backend/capture_host.h"
#include "core/memmap/memmap_report.h"
#include "core/run/image.h"

namespace biosx::memmap {

SavedImage save_snapshot(Memory& mem, const std::string& path, uint64_t size)
{
    SavedImage s{mem.describe(), path, size, {}, {}, {}};
    // A live host's CMOS/RTC is captured through the kernel, never its
    // ports; an image keeps what it carries.
    if (mem.kind() != MemoryKind::image) {
        auto cap = snapshot::capture_host_devices();
        mem.devices = cap.state;
        s.sources = std::move(cap.sources);
        s.notes = std::move(cap.notes);
    }
    save_image(mem, path, size);
    s.devices = mem.devices;
    return s;
}

}  // namespace biosx::memmap
