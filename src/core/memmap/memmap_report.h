// memmap_report.h - what `biosx memmap` reports, whole: the scan of a
// memory source, the sections asked for, and the firmware's own map when
// it was asked; or, for --save, the image written. Their text and JSON
// views are memmap_render.cpp. Userspace.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/memmap/firmware_map.h"
#include "core/memmap/memmap.h"
#include "core/run/snapshot.h"

namespace biosx::memmap {

struct MemmapReport {
    std::string source;  // Memory::describe()
    Scan scan;
    Sections sections;
    std::optional<FirmwareMap> firmware_map;  // --e820 / --all
    std::string backend;                      // the backend that asked the firmware
};

// The documented `biosx.memmap` object (docs/memmap.md): the scan's
// sections, and "firmware_map" and "backend" when the firmware was asked.
nlohmann::json memmap_to_json(const MemmapReport& r);
// The text: the source, then each section asked for (the map drawn as
// boxes, the IVT with runs of alike vectors on one line, the BDA, option
// ROMs, BIOS tables, the firmware's map with totals per type).
std::string render_memmap_text(const MemmapReport& r);

// `memmap --save`: `bytes` of `source` written to `file`, with the device
// state (docs/snapshot.md): what was captured from a live host and from
// where, and what could not be.
struct SavedImage {
    std::string source, file;
    uint64_t bytes = 0;
    snapshot::DeviceState devices;
    std::vector<std::string> sources, notes;
};
// Writes the first `size` bytes of `mem` to `path` as a snapshot: a live
// host's CMOS/RTC captured through the kernel (backend/capture_host.h)
// goes with them, an image keeps the device state it carries.
SavedImage save_snapshot(Memory& mem, const std::string& path, uint64_t size);
nlohmann::json saved_image_to_json(const SavedImage& s);
std::string render_saved_image_text(const SavedImage& s);

}  // namespace biosx::memmap
