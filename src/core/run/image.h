// image.h - the snapshot image format (docs/snapshot.md): the real-mode
// address space as a file, physical address = file offset, at least 1 MiB,
// and the device state (run/snapshot.h) after it. Opening one as a
// Memory (--image), writing one (memmap --save), and finding the SeaBIOS
// snapshot shipped with biosx. Userspace.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/run/memory.h"

namespace biosx {

// A snapshot file: physical address = file offset, at least 1 MiB of memory,
// larger ones mapped as far as they go (16 MiB), and the device state its
// trailer carries, if any (Memory::devices). Copy-on-write private mapping.
// `what` names the file in messages ("--image", "the bundled snapshot").
std::unique_ptr<Memory> open_image(const std::string& path, const std::string& what = "--image");

// Writes the first `size` bytes of `mem` to `path` in the image format
// (physical address = file offset), followed by the device state
// `mem.devices` holds, if any. Throws Usage for a size the memory does
// not hold or below 1 MiB, Environment when the file cannot be written.
void save_image(Memory& mem, const std::string& path, uint64_t size);

// Path of the SeaBIOS snapshot shipped with biosx, or "" when none exists.
std::string default_image_path();

}  // namespace biosx
