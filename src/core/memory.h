// memory.h - memory sources: the real-mode address space a routine runs over
// (an image file, the host's first MiB via /dev/mem, or the module's mmap).
// Userspace.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/snapshot/snapshot.h"

namespace biosx {

inline constexpr size_t kRealModeSize = 1u << 20;   // 1 MiB
inline constexpr size_t kHmaSize = 0x10000 - 0x10;  // FFFF:0010..FFFF:FFFF

enum class MemoryKind { image, host, vmx };

// A writable view of physical addresses [0, size()). Writes never reach the
// source file or host RAM: sources are private copies (or, for vmx, the
// module's per-file guest memory).
class Memory {
public:
    virtual ~Memory() = default;
    virtual MemoryKind kind() const = 0;
    // Where the bytes came from, for messages and JSON ("image:/path").
    virtual std::string describe() const = 0;
    virtual std::span<uint8_t> bytes() = 0;

    size_t size() { return bytes().size(); }
    uint8_t* at(uint32_t phys) { return bytes().data() + phys; }
    uint16_t read16(uint32_t phys);
    uint32_t read32(uint32_t phys);
    void write16(uint32_t phys, uint16_t v);
    // Bounds-checked copy in/out; throw Usage naming the range when outside.
    void write(uint32_t phys, std::span<const uint8_t> data);
    std::vector<uint8_t> read(uint32_t phys, size_t len);

    // What a snapshot carried beside the memory (docs/snapshot.md): the
    // emulation backend serves its CMOS at ports 0x70/0x71. A private copy,
    // as the memory is: what a routine writes there never reaches the file.
    snapshot::DeviceState devices;
};

// A snapshot file (docs/snapshot.md): physical address = file offset, at
// least 1 MiB of memory, larger ones mapped as far as they go (16 MiB), and
// the device state its trailer carries, if any. Copy-on-write private
// mapping.
// `what` names the file in messages ("--image", "the bundled snapshot").
std::unique_ptr<Memory> open_image(const std::string& path, const std::string& what = "--image");

// The host's first MiB through /dev/mem (root), copied privately.
std::unique_ptr<Memory> open_host_memory();

// Path of the SeaBIOS snapshot shipped with biosx, or "" when none exists.
std::string default_image_path();

}  // namespace biosx
