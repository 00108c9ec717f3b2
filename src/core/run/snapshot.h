// snapshot.h - the snapshot file format (docs/snapshot.md): the real-mode
// memory at file offset = physical address, optionally followed by
// sections of device state (the CMOS/RTC contents) and a footer that names
// the format and its version. A bare memory image (no footer) is a snapshot
// without device state. Userspace, pure code (the file I/O is the caller's).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace biosx::snapshot {

inline constexpr char kMagic[8] = {'B', 'I', 'O', 'S', 'X', 'S', 'N', 'P'};
inline constexpr uint32_t kVersion = 1;
inline constexpr size_t kFooterSize = 32;
// Section tags: four ASCII bytes.
inline constexpr char kCmosTag[4] = {'C', 'M', 'O', 'S'};

// The CMOS/RTC contents: 128 bytes (the MC146818 and its successors behind
// ports 0x70/0x71) or 256 (chipsets with an upper bank at 0x72/0x73), and
// which of them were captured: a byte nobody could read is not invented.
struct Cmos {
    std::vector<uint8_t> bytes;  // 128 or 256
    std::vector<bool> known;     // parallel to bytes
    size_t known_count() const;
};

// Everything a snapshot carries besides the memory.
struct DeviceState {
    std::optional<Cmos> cmos;
    bool empty() const { return !cmos; }
};

// Where the memory ends and what follows it, read from the end of a file
// of `file_size` bytes whose last bytes are `tail` (at least the footer;
// the whole trailer when it is there). `what` names the file in messages.
struct Layout {
    uint64_t memory_bytes = 0;   // the file's size when there is no footer
    uint64_t trailer_bytes = 0;  // sections + footer; 0 for a bare image
};
// The layout from the footer alone (the last kFooterSize bytes of the
// file, or fewer when the file is shorter). Throws Error(usage) for a
// footer that names this format but is inconsistent or of a newer version.
Layout parse_footer(std::span<const uint8_t> footer, uint64_t file_size, const std::string& what);
// The device state from the trailer (the last trailer_bytes of the file).
// Unknown section tags are skipped (a newer biosx may add some); a CMOS
// section of the wrong size is an Error(usage).
DeviceState parse_trailer(std::span<const uint8_t> trailer, const std::string& what);

// The bytes to append after `memory_bytes` of memory to carry `state`
// (nothing for an empty state: the file stays a bare image).
std::vector<uint8_t> encode_trailer(const DeviceState& state, uint64_t memory_bytes);

// One line on what the state holds, for people ("CMOS 128 bytes, 114 captured").
std::string describe(const DeviceState& state);

}  // namespace biosx::snapshot
