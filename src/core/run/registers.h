// registers.h - the sixteen registers of a real-mode call, their names and
// the sub-register aliases (AX, AH, AL, ...) BIOS documentation uses. Userspace.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace biosx {

// Index of each architectural register, in the mission's order.
enum class Reg : int { eax, ebx, ecx, edx, esi, edi, ebp, esp, eip, eflags, cs, ds, es, fs, gs, ss };
inline constexpr int kRegCount = 16;

struct Registers {
    uint32_t v[kRegCount] = {};
    uint32_t& operator[](Reg r) { return v[static_cast<int>(r)]; }
    uint32_t operator[](Reg r) const { return v[static_cast<int>(r)]; }
    bool operator==(const Registers&) const = default;
};

// Lower-case name of a register ("eax", "cs").
std::string_view reg_name(Reg r);
// Width of the architectural register in bits (32 or 16 for selectors).
int reg_bits(Reg r);

// A name a user may set: a full register or a part of one (ax, ah, al, si...).
struct RegAlias {
    std::string_view name;
    Reg reg;
    int shift;  // bit position of the part inside the register
    int bits;   // width of the part
};
const std::vector<RegAlias>& reg_aliases();
const RegAlias* find_alias(std::string_view name);

// Sets `alias` in `regs` to `value`; throws Usage naming the flag and the
// limit when the value does not fit the part.
void set_alias(Registers& regs, const RegAlias& alias, uint64_t value, std::string_view flag);

// One register a user sets: the alias, the value as written, and where it
// came from for messages ("--ah", "--regs: ah").
struct RegAssignment {
    const RegAlias* alias;
    std::string text;  // a number as users write it, or a JSON number's digits
    std::string what;
};

// The one rule for flags and JSON alike: every alias at most once (a second
// one is refused naming both), applied widest first (32-, then 16-, then
// 8-bit parts), so narrower parts override what a wider one set whatever
// order they were written in: {"ax":"0xe820","ah":"0x12"} is 0x1220.
void apply_assignments(Registers& regs, const std::vector<RegAssignment>& a);

// The assignments of a JSON object of registers {"eax": 1, "ah": "0x4f"}:
// keys are aliases, values non-negative integers or numeric strings. Parses
// `text` itself so duplicate keys are seen (a JSON parser keeps the last).
// Throws Usage naming `origin` for bad JSON, unknown or repeated keys.
std::vector<RegAssignment> parse_regs_json(std::string_view text, std::string_view origin);

// The registers as {"eax": 0, ...}: JSON numbers (they fit in 32 bits).
nlohmann::json to_json(const Registers& regs);

// EFLAGS bits by their conventional names.
struct FlagBit {
    std::string_view name;
    int bit;
};
const std::vector<FlagBit>& eflags_bits();
nlohmann::json decode_eflags(uint32_t eflags);

}  // namespace biosx
