// fuzz_registers.cpp - register values and their aliases as users type them:
// parse_number, every alias's range, VECTOR, --timeout and
// --max-instructions. First byte picks the alias, the rest is the text.
#include "core/call/call_input.h"
#include "core/format.h"
#include "core/run/registers.h"
#include "fuzz_common.h"

using namespace biosx;

// Inputs up to 256 bytes: a 64-bit number in binary with a separator
// between digits is 129 characters; longer text only repeats the same loops.
BIOSX_FUZZ_MAX_LEN(256)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1) return 0;
    const auto& aliases = reg_aliases();
    const RegAlias& a = aliases[data[0] % aliases.size()];
    const std::string text = fuzz::text_of(data + 1, size - 1);
    fuzz::refused_ok([&] {
        Registers r;
        uint64_t v = parse_number(text, "--x");
        set_alias(r, a, v, "--x");
        // The part holds exactly the value; nothing outside it changed.
        const uint32_t got = (r[a.reg] >> a.shift) & static_cast<uint32_t>((uint64_t{1} << a.bits) - 1);
        if (got != v) __builtin_trap();
        if ((r[a.reg] & ~static_cast<uint32_t>(((uint64_t{1} << a.bits) - 1) << a.shift)) != 0) __builtin_trap();
    });
    fuzz::refused_ok([&] { parse_vector(text); });
    fuzz::refused_ok([&] {
        double t = parse_timeout(text, "--timeout");
        if (!(t > 0 && t <= kMaxTimeoutS)) __builtin_trap();
    });
    fuzz::refused_ok([&] {
        uint64_t n = parse_max_instructions(text, "--max-instructions");
        if (n < 1 || n > kMaxInstructionsLimit) __builtin_trap();
    });
    return 0;
}
