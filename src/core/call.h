// call.h - one BIOS call end to end: buffers written before, the run, buffers
// read back after. What `biosx int` and `biosx call` do, minus printing.
// Userspace.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/backend.h"
#include "core/meaning/meaning.h"

namespace biosx {

struct BufferWrite {
    std::string spec;  // as the user wrote it, for messages and JSON
    uint32_t linear = 0;
    std::vector<uint8_t> bytes;
};

struct BufferRead {
    std::string spec;
    uint16_t seg = 0, off = 0;
    uint32_t linear = 0;
    uint32_t len = 0;
};

// "SEG:OFF" (hex, 0x optional) → linear address; throws Usage naming `what`.
uint32_t parse_seg_off(std::string_view text, std::string_view what, uint16_t* seg = nullptr, uint16_t* off = nullptr);
// "SEG:OFF=HEX" or "SEG:OFF=@FILE".
BufferWrite parse_buffer_write(std::string_view spec);
// "SEG:OFF:LEN".
BufferRead parse_buffer_read(std::string_view spec);
// "INT vector" text: 0x11, 11h, 17 → 0..255.
uint8_t parse_vector(std::string_view text);

struct CallSpec {
    RunRequest req;
    std::vector<BufferWrite> writes;
    std::vector<BufferRead> reads;
};

struct CallOutcome {
    Entry entry;
    Registers in;       // the registers as given (before the frame was pushed)
    RunResult result;
    std::string source; // Memory::describe()
    std::vector<std::vector<uint8_t>> read_back;  // parallel to CallSpec::reads
    std::optional<meaning::Decoded> decoded;        // a completed INT of the known-calls table
};

// Checks every buffer range against `mem` before anything runs, writes the
// buffers, runs, reads back. Errors before the run throw; the run's own end
// is in the outcome.
CallOutcome run_call(Backend& backend, Memory& mem, const CallSpec& spec);

// The documented JSON object of one run (docs/json-schema.md).
nlohmann::json call_to_json(const CallSpec& spec, const CallOutcome& out);
// 3: the `decoded` member (docs/json-schema.md, "What changed in version 3").
inline constexpr int kJsonSchemaVersion = 3;

}  // namespace biosx
