// state_file.cpp - encoding and checking state files. Userspace.
#include "lib/state_file.h"

#include <cstring>

#include "core/error.h"
#include "x86/realmode.h"

namespace biosx::lib {

namespace {

constexpr char kMagic[8] = {'B', 'I', 'O', 'S', 'X', 'S', 'T', '1'};
constexpr uint32_t kVersion = 1;

void put(std::vector<uint8_t>& out, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

uint64_t get(std::span<const uint8_t> in, size_t at, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= uint64_t{in[at + i]} << (8 * i);
    return v;
}

}  // namespace

uint64_t image_id(Memory& mem)
{
    // FNV-1a, 64-bit: a fingerprint, not a defence against forgery.
    uint64_t h = 0xcbf29ce484222325ull;
    for (uint8_t b : mem.read(BIOSX_ROM_BEGIN, BIOSX_REALMODE_END - BIOSX_ROM_BEGIN)) {
        h ^= b;
        h *= 0x100000001b3ull;
    }
    return h;
}

std::vector<uint8_t> encode_state(Memory& mem, uint64_t id)
{
    std::vector<uint8_t> out(kMagic, kMagic + sizeof kMagic);
    put(out, kVersion, 4);
    put(out, kStateRamBytes, 4);
    put(out, id, 8);
    put(out, 0, 8);
    auto m = mem.bytes();
    out.insert(out.end(), m.begin(), m.begin() + kStateRamBytes);
    return out;
}

void decode_state(std::span<const uint8_t> in, Memory& mem, uint64_t id, const std::string& what)
{
    if (in.size() < kStateHeaderBytes || std::memcmp(in.data(), kMagic, sizeof kMagic) != 0)
        fail(ErrorKind::usage, what + ": not a biosx state file (saved by --state or biosx_state_save)");
    if (get(in, 8, 4) != kVersion)
        fail(ErrorKind::usage, what + ": state file version " + std::to_string(get(in, 8, 4)) +
                                   " (this biosx reads version 1)");
    if (get(in, 12, 4) != kStateRamBytes || in.size() != kStateHeaderBytes + kStateRamBytes)
        fail(ErrorKind::usage, what + ": truncated or malformed state file (" + std::to_string(in.size()) +
                                   " bytes, expected " + std::to_string(kStateHeaderBytes + kStateRamBytes) + ")");
    if (get(in, 16, 8) != id)
        fail(ErrorKind::usage, what + ": saved over a different image (its ROM area 0xC0000-0xFFFFF differs); "
                                      "use a new state file for this image");
    mem.write(0, in.subspan(kStateHeaderBytes));
}

}  // namespace biosx::lib
