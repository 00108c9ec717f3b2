// format.h - numbers and bytes as users write them and as biosx prints
// them: hex, SEG:OFF, dumps, printable user text. Userspace.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace biosx {

// "0x" followed by `digits` hex digits (at least), lower case.
std::string hex(uint64_t v, int digits = 0);
// Hex digits without prefix, zero-padded to `digits`.
std::string hex_digits(uint64_t v, int digits);
// Bytes as one lower-case hex string ("55aa01").
std::string hex_string(std::span<const uint8_t> bytes);
// Parses a number as users write it: 0x4f00, 4f00h, 0b101, or decimal.
// Throws biosx::Error(Usage) naming `what` when it is not a number.
uint64_t parse_number(std::string_view text, std::string_view what);

// Parses a hex string (spaces allowed between bytes); throws Usage naming `what`.
std::vector<uint8_t> parse_hex_string(std::string_view text, std::string_view what);
// A classic 16-bytes-per-line dump with addresses starting at `base`.
std::string hex_dump(std::span<const uint8_t> bytes, uint32_t base);
// User-supplied text fit for a one-line message: control and non-ASCII
// bytes as \xNN, cut to `max` characters with "...".
std::string printable(std::string_view text, size_t max = 60);
// SEG:OFF as "f000:ff53".
std::string seg_off(uint16_t seg, uint16_t off);

}  // namespace biosx
