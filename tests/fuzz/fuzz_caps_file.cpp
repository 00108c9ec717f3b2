// fuzz_caps_file.cpp - `biosx caps --from FILE`: the text format parsed,
// decoded against the SDM rules, rendered as text and JSON.
#include "core/caps/caps.h"
#include "fuzz_common.h"

using namespace biosx;

// Inputs up to 4 KiB: a whole Bochs model dump is 700 bytes, four CPUs of
// it (all the target decodes) 2.8 KiB.
BIOSX_FUZZ_MAX_LEN(4096)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string text = fuzz::text_of(data, size);
    fuzz::refused_ok([&] {
        caps::RawCaps raw = caps::parse_caps_file(text, "fuzz.msr");
        for (int index = 0; index < static_cast<int>(raw.cpus.size()) || index == 0; ++index) {
            const caps::Decoded d = caps::decode(raw, index);
            fuzz::dump_size(caps::to_json(d));
            if (d.vmx) caps::render_text(d);
            if (index >= 3) break;
        }
        // What --save writes reads back to the same values.
        caps::RawCaps again = caps::parse_caps_file(caps::format_caps_file(raw), "again.msr");
        if (again.cpus.size() != raw.cpus.size()) __builtin_trap();
    });
    return 0;
}
