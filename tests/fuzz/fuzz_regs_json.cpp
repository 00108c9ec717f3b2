// fuzz_regs_json.cpp - `--regs` / `--regs-file` JSON: parsed with duplicate
// detection and applied by the one rule (widest first, each register once).
#include "core/run/registers.h"
#include "fuzz_common.h"

using namespace biosx;

// Inputs up to 4 KiB: every alias with a 32-bit hex string fits in 700
// bytes; the rest is room for nesting, whitespace and escapes.
BIOSX_FUZZ_MAX_LEN(4096)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string text = fuzz::text_of(data, size);
    fuzz::refused_ok([&] {
        auto as = parse_regs_json(text, "--regs");
        Registers r;
        apply_assignments(r, as);
        // The rule is order-free: the same assignments reversed give the same registers.
        std::vector<RegAssignment> rev(as.rbegin(), as.rend());
        Registers q;
        apply_assignments(q, rev);
        if (!(q == r)) __builtin_trap();
        fuzz::dump_size(to_json(r));
    });
    return 0;
}
