// snapshot.cpp - reading and writing the snapshot trailer (docs/snapshot.md).
// Every length comes from the file and is checked against what is there.
// Userspace, pure code.
#include "core/run/snapshot.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"

namespace biosx::snapshot {

namespace {

uint32_t le32(std::span<const uint8_t> b, size_t at)
{
    return b[at] | b[at + 1] << 8 | b[at + 2] << 16 | static_cast<uint32_t>(b[at + 3]) << 24;
}

uint64_t le64(std::span<const uint8_t> b, size_t at) { return le32(b, at) | uint64_t{le32(b, at + 4)} << 32; }

void put32(std::vector<uint8_t>& out, uint32_t v)
{
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void put64(std::vector<uint8_t>& out, uint64_t v)
{
    put32(out, static_cast<uint32_t>(v));
    put32(out, static_cast<uint32_t>(v >> 32));
}

[[noreturn]] void bad(const std::string& what, const std::string& why)
{
    fail(ErrorKind::usage, what + ": " + why + " (docs/snapshot.md)");
}

// The CMOS section: the bytes, then one bit per byte (LSB first) set when
// the byte was captured.
Cmos parse_cmos(std::span<const uint8_t> data, const std::string& what)
{
    size_t n = data.size() == 128 + 16 ? 128 : data.size() == 256 + 32 ? 256 : 0;
    if (!n)
        bad(what, "the CMOS section holds " + std::to_string(data.size()) + " bytes, not 144 (128 + map) or 288 (256 + map)");
    Cmos c;
    c.bytes.assign(data.begin(), data.begin() + n);
    c.known.resize(n);
    for (size_t i = 0; i < n; ++i) c.known[i] = data[n + i / 8] >> (i % 8) & 1;
    return c;
}

}  // namespace

size_t Cmos::known_count() const { return static_cast<size_t>(std::count(known.begin(), known.end(), true)); }

Layout parse_footer(std::span<const uint8_t> footer, uint64_t file_size, const std::string& what)
{
    Layout l{file_size, 0};
    if (footer.size() < kFooterSize || std::memcmp(footer.data() + footer.size() - kFooterSize, kMagic, 8) != 0)
        return l;  // a bare image: all of it is memory
    auto f = footer.subspan(footer.size() - kFooterSize);
    const uint32_t version = le32(f, 8), size = le32(f, 12);
    const uint64_t memory = le64(f, 16), sections = le64(f, 24);
    if (version > kVersion)
        bad(what, "snapshot format version " + std::to_string(version) + " is newer than this biosx reads (" +
                      std::to_string(kVersion) + ")");
    if (version == 0 || size != kFooterSize) bad(what, "the snapshot footer is damaged (version 0 or a wrong size)");
    if (memory > file_size || sections > file_size || memory + sections + kFooterSize != file_size)
        bad(what, "the snapshot footer says " + std::to_string(memory) + " bytes of memory and " +
                      std::to_string(sections) + " of device state, but the file holds " + std::to_string(file_size));
    l.memory_bytes = memory;
    l.trailer_bytes = sections + kFooterSize;
    return l;
}

DeviceState parse_trailer(std::span<const uint8_t> trailer, const std::string& what)
{
    DeviceState s;
    if (trailer.size() < kFooterSize) return s;
    auto sections = trailer.first(trailer.size() - kFooterSize);
    size_t at = 0;
    while (at < sections.size()) {
        if (sections.size() - at < 8) bad(what, "a device-state section header is cut short");
        const uint32_t len = le32(sections, at + 4);
        if (len > sections.size() - at - 8) bad(what, "a device-state section runs past the footer");
        auto data = sections.subspan(at + 8, len);
        if (std::memcmp(sections.data() + at, kCmosTag, 4) == 0) {
            if (s.cmos) bad(what, "the snapshot holds two CMOS sections");
            s.cmos = parse_cmos(data, what);
        }
        at += 8 + len;
    }
    return s;
}

std::vector<uint8_t> encode_trailer(const DeviceState& state, uint64_t memory_bytes)
{
    std::vector<uint8_t> out;
    if (state.empty()) return out;
    if (state.cmos) {
        const Cmos& c = *state.cmos;
        std::vector<uint8_t> map(c.bytes.size() / 8, 0);
        for (size_t i = 0; i < c.bytes.size() && i < c.known.size(); ++i)
            if (c.known[i]) map[i / 8] |= static_cast<uint8_t>(1u << (i % 8));
        out.insert(out.end(), kCmosTag, kCmosTag + 4);
        put32(out, static_cast<uint32_t>(c.bytes.size() + map.size()));
        out.insert(out.end(), c.bytes.begin(), c.bytes.end());
        out.insert(out.end(), map.begin(), map.end());
    }
    const uint64_t sections = out.size();
    out.insert(out.end(), kMagic, kMagic + 8);
    put32(out, kVersion);
    put32(out, kFooterSize);
    put64(out, memory_bytes);
    put64(out, sections);
    return out;
}

std::string describe(const DeviceState& state)
{
    if (!state.cmos) return "no device state";
    return "CMOS " + std::to_string(state.cmos->bytes.size()) + " bytes, " + std::to_string(state.cmos->known_count()) +
           " captured";
}

}  // namespace biosx::snapshot
