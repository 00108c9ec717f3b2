// format.cpp - numbers and bytes as users write them and as biosx prints
// them. Userspace.
#include "core/format.h"

#include <charconv>
#include <cstdio>
#include <vector>

#include "core/error.h"

namespace biosx {

std::string hex_digits(uint64_t v, int digits)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%0*llx", digits, static_cast<unsigned long long>(v));
    return buf;
}

std::string hex(uint64_t v, int digits) { return "0x" + hex_digits(v, digits); }

std::string hex_string(std::span<const uint8_t> bytes)
{
    static const char* d = "0123456789abcdef";
    std::string s;
    s.reserve(bytes.size() * 2);
    for (uint8_t b : bytes) {
        s += d[b >> 4];
        s += d[b & 15];
    }
    return s;
}

uint64_t parse_number(std::string_view text, std::string_view what)
{
    std::string_view s = text;
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    int base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s.remove_prefix(2);
    } else if (s.size() > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
        base = 2;
        s.remove_prefix(2);
    } else if (s.size() > 1 && (s.back() == 'h' || s.back() == 'H')) {
        base = 16;
        s.remove_suffix(1);
    }
    // Digit separators as in the style guide's own example (0x1_0000_0000).
    std::string digits;
    for (char c : s)
        if (c != '_') digits += c;
    if (!digits.empty() && digits[0] == '-')
        fail(ErrorKind::usage, std::string(what) + ": '" + printable(text) + "' is negative");
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, base);
    if (digits.empty() || ec == std::errc::invalid_argument || p != digits.data() + digits.size())
        fail(ErrorKind::usage, std::string(what) + ": '" + printable(text) +
                                   "' is not a number (use decimal, 0x4f00 or 4f00h)");
    if (ec == std::errc::result_out_of_range)
        fail(ErrorKind::usage, std::string(what) + ": '" + printable(text) + "' does not fit in 64 bits");
    return v;
}

std::vector<uint8_t> parse_hex_string(std::string_view text, std::string_view what)
{
    std::vector<uint8_t> out;
    int nib = -1;
    for (char c : text) {
        if (c == ' ' || c == ':' || c == '\n' || c == '\t') continue;
        int v = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
        if (v < 0)
            fail(ErrorKind::usage, std::string(what) + ": '" + std::string(1, c) + "' is not a hex digit");
        if (nib < 0) {
            nib = v;
        } else {
            out.push_back(static_cast<uint8_t>(nib << 4 | v));
            nib = -1;
        }
    }
    if (nib >= 0) fail(ErrorKind::usage, std::string(what) + ": odd number of hex digits");
    if (out.empty()) fail(ErrorKind::usage, std::string(what) + ": no bytes given");
    return out;
}

std::string hex_dump(std::span<const uint8_t> bytes, uint32_t base)
{
    std::string out;
    for (size_t i = 0; i < bytes.size(); i += 16) {
        char line[128];
        int n = std::snprintf(line, sizeof line, "%05x ", static_cast<unsigned>(base + i));
        std::string ascii;
        for (size_t k = 0; k < 16; ++k) {
            if (i + k < bytes.size()) {
                uint8_t b = bytes[i + k];
                n += std::snprintf(line + n, sizeof line - n, "%s%02x", k == 8 ? "  " : " ", b);
                ascii += (b >= 0x20 && b < 0x7f) ? static_cast<char>(b) : '.';
            } else {
                n += std::snprintf(line + n, sizeof line - n, "%s  ", k == 8 ? "   " : " ");
            }
        }
        out += std::string(line) + "  |" + ascii + "|\n";
    }
    return out;
}

std::string printable(std::string_view text, size_t max)
{
    std::string out;
    for (char c : text) {
        if (out.size() >= max) return out + "...";
        auto u = static_cast<unsigned char>(c);
        if (u >= 0x20 && u < 0x7f) {
            out += c;
        } else {
            char b[8];
            std::snprintf(b, sizeof b, "\\x%02x", u);
            out += b;
        }
    }
    return out;
}

std::string seg_off(uint16_t seg, uint16_t off) { return hex_digits(seg, 4) + ":" + hex_digits(off, 4); }

}  // namespace biosx
