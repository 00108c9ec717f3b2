// decoder.h - what the memmap decoders share: bounds-checked little-endian
// reads from a byte span (Reader: every address and length is checked
// against the span with 64-bit arithmetic, so lengths taken from the data
// cannot overflow or reach outside it), the constructors of decoded fields,
// and EISA ids. Userspace, pure code, for src/core/memmap/ and the call
// decoders (src/core/meaning/).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/memmap/memmap.h"

namespace biosx::memmap {

class Reader {
public:
    explicit Reader(std::span<const uint8_t> m) : m_(m) {}
    size_t size() const { return m_.size(); }
    // True when [addr, addr+len) lies inside the span.
    bool has(uint64_t addr, uint64_t len) const { return addr <= m_.size() && len <= m_.size() - addr; }
    // Reads return 0 outside the span; callers check has() first when it matters.
    uint8_t u8(uint64_t a) const { return has(a, 1) ? m_[a] : 0; }
    uint16_t u16(uint64_t a) const { return static_cast<uint16_t>(u8(a) | u8(a + 1) << 8); }
    uint32_t u32(uint64_t a) const { return u16(a) | static_cast<uint32_t>(u16(a + 2)) << 16; }
    uint64_t u64(uint64_t a) const { return u32(a) | static_cast<uint64_t>(u32(a + 4)) << 32; }
    // True when the bytes at `a` equal `sig` (and lie inside the span).
    bool matches(uint64_t a, std::string_view sig) const
    {
        if (!has(a, sig.size())) return false;
        for (size_t i = 0; i < sig.size(); ++i)
            if (m_[a + i] != static_cast<uint8_t>(sig[i])) return false;
        return true;
    }
    // Sum of [a, a+len) mod 256; the span must hold the range.
    uint8_t sum(uint64_t a, uint64_t len) const
    {
        uint8_t s = 0;
        if (!has(a, len)) return 0xff;
        for (uint64_t i = 0; i < len; ++i) s = static_cast<uint8_t>(s + m_[a + i]);
        return s;
    }
    // Fixed-size text field, trailing spaces and NULs kept as the data has
    // them but non-printable bytes shown as '.'.
    std::string text(uint64_t a, size_t len) const
    {
        std::string s;
        for (size_t i = 0; i < len && has(a + i, 1); ++i) {
            uint8_t c = m_[a + i];
            s += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '.';
        }
        return s;
    }
    // NUL-terminated string of at most `max` bytes, ending at `limit` at the latest.
    std::string cstr(uint64_t a, size_t max, uint64_t limit) const
    {
        std::string s;
        for (size_t i = 0; i < max && a + i < limit && has(a + i, 1); ++i) {
            uint8_t c = m_[a + i];
            if (c == 0) break;
            s += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '.';
        }
        return s;
    }

private:
    std::span<const uint8_t> m_;
};

// A decoded field: a number (hex when `hex_digits` is not 0), a string, a flag.
inline Field num(std::string key, uint64_t v, int hex_digits = 0) { return {std::move(key), v, hex_digits}; }
inline Field str(std::string key, std::string v) { return {std::move(key), std::move(v), 0}; }
inline Field flag(std::string key, bool v) { return {std::move(key), v, 0}; }

// Compressed EISA/PnP id ("PNP0A03"): three 5-bit letters then four hex
// digits, stored most significant byte first (PnP BIOS spec 1.0A, app. B).
inline std::string eisa_id(uint32_t le)
{
    static const char kHex[] = "0123456789ABCDEF";
    uint8_t b0 = le & 0xff, b1 = (le >> 8) & 0xff, b2 = (le >> 16) & 0xff, b3 = le >> 24;
    uint16_t w = static_cast<uint16_t>(b0 << 8 | b1);
    std::string s;
    for (int sh : {10, 5, 0}) {
        int c = (w >> sh) & 0x1f;
        s += (c >= 1 && c <= 26) ? static_cast<char>('@' + c) : '?';
    }
    for (uint8_t b : {b2, b3}) {
        s += kHex[b >> 4];
        s += kHex[b & 0xf];
    }
    return s;
}

}  // namespace biosx::memmap
