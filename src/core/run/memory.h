// memory.h - the real-mode address space a routine runs over (Memory), and
// the host's first MiB as one. The other sources: an image file (image.h),
// the module's guest memory (the vmx backend). Userspace.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/run/snapshot.h"

namespace biosx {

inline constexpr size_t kRealModeSize = 1u << 20;   // 1 MiB
inline constexpr size_t kHmaSize = 0x10000 - 0x10;  // FFFF:0010..FFFF:FFFF, reachable with A20 on

enum class MemoryKind { image, host, vmx };

// A writable view of physical addresses [0, size()). Writes never reach the
// source file or host RAM: sources are private copies (or, for vmx, the
// module's per-file guest memory); only the VGA window of the host and vmx
// sources may be the adapter's own (live_vga()).
class Memory {
public:
    virtual ~Memory() = default;
    virtual MemoryKind kind() const = 0;
    // Where the bytes came from, for messages and JSON ("image:/path").
    virtual std::string describe() const = 0;
    virtual std::span<uint8_t> bytes() = 0;
    // True when 0xA0000-0xBFFFF is the machine's VGA window, not a copy.
    virtual bool live_vga() const { return false; }

    size_t size() { return bytes().size(); }
    // The byte at `phys`, unchecked: for callers that have checked the
    // range themselves (the fuzz targets resetting their memory).
    uint8_t* at(uint32_t phys) { return bytes().data() + phys; }
    uint16_t read16(uint32_t phys);
    void write16(uint32_t phys, uint16_t v);
    // Bounds-checked copy in/out; throw Usage naming the range when outside.
    void write(uint32_t phys, std::span<const uint8_t> data);
    std::vector<uint8_t> read(uint32_t phys, size_t len);

    // What a snapshot carried beside the memory (docs/snapshot.md): the
    // emulation backend serves its CMOS at ports 0x70/0x71. A private copy,
    // as the memory is: what a routine writes there never reaches the file.
    snapshot::DeviceState devices;
};

// The host's first MiB through /dev/mem (root), copied privately, with the
// VGA window mapped from /dev/mem where the kernel allows it.
std::unique_ptr<Memory> open_host_memory();

// Maps the machine's VGA window (physical 0xA0000-0xBFFFF through /dev/mem,
// shared; uncached, as /dev/mem maps what is not RAM) at `at`, in place of
// what was mapped there. `devmem` is an open /dev/mem, or -1 to open one.
// False when the kernel refuses (no /dev/mem, no CAP_SYS_RAWIO, lockdown);
// then `at` may have lost its old mapping and the caller maps it again.
bool map_machine_vga(uint8_t* at, int devmem = -1);

}  // namespace biosx
