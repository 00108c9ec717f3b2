// edid.h - a display's EDID (VESA E-EDID 1.3/1.4, 128-byte blocks) decoded:
// the identity of the monitor (manufacturer, product, serial, date), its
// version and size, the preferred timing and the range limits, with every
// block's checksum verified. What `biosx edid` prints; the bytes come from
// VBE/DDC (INT 10h AX=4F15h). Userspace, pure code (no I/O).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/memmap/memmap.h"

namespace biosx::meaning {

inline constexpr size_t kEdidBlock = 128;

// A detailed timing descriptor (E-EDID 1.4 §3.10.2): pixel clock, active,
// blanking, sync offset and width per axis, image size, flags.
struct EdidTiming {
    uint32_t pixel_clock_khz = 0;
    uint16_t h_active = 0, h_blank = 0, h_sync_offset = 0, h_sync_width = 0;
    uint16_t v_active = 0, v_blank = 0, v_sync_offset = 0, v_sync_width = 0;
    uint16_t width_mm = 0, height_mm = 0;
    bool interlaced = false;
    double refresh_hz() const;
};

// The display range limits descriptor (tag FDh, §3.10.3.3).
struct EdidRange {
    unsigned min_v_hz = 0, max_v_hz = 0, min_h_khz = 0, max_h_khz = 0, max_pixel_clock_mhz = 0;
};

struct Edid {
    bool header_ok = false;
    std::vector<bool> checksum_ok;  // one per block given
    std::string manufacturer;       // three letters, "BOC"
    uint16_t product_code = 0;
    uint32_t serial = 0;
    unsigned week = 0, year = 0;  // year of manufacture, or the model year when week is FFh
    bool model_year = false;
    unsigned version = 0, revision = 0;
    bool digital = false;
    unsigned width_cm = 0, height_cm = 0;  // 0: not given (a projector, or unknown)
    unsigned extensions = 0;               // byte 126: blocks that follow
    std::optional<EdidTiming> preferred;   // the first detailed timing
    std::optional<EdidRange> range;
    std::string name, serial_text;  // descriptors FCh and FFh
    std::vector<std::string> notes;  // what is wrong with the bytes
};

// Decodes block 0 (and checks the checksum of every further block of
// `bytes`, which holds 128 bytes per block). Never throws: what cannot be
// decoded is a note.
Edid decode_edid(std::span<const uint8_t> bytes);

// The fields of `e` for text and JSON (memmap::Field).
memmap::Fields edid_fields(const Edid& e);

}  // namespace biosx::meaning
