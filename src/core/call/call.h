// call.h - one BIOS call end to end: buffers written before, the run, buffers
// read back after; and its text and JSON views. What `biosx int` and
// `biosx call` do; the parsing of what the user wrote is call_input.h.
// Userspace.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/backend/backend.h"
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

// ---- Views (call_render.cpp) ----
// The documented JSON object of one run (docs/json-schema.md).
nlohmann::json call_to_json(const CallSpec& spec, const CallOutcome& out);
// The same object written into `j`, which may hold an earlier call's: its
// members are reused in place and those this call lacks are removed
// (core/json_fill.h). A batch of calls allocates once, not once per call.
void fill_call_json(nlohmann::json& j, const CallSpec& spec, const CallOutcome& out);
// The text: entry, backend and how the run ended; input vs output
// registers with the changed ones marked; flags with CF called out; the
// --read buffers as hex dumps; port accesses (all with --io-log), MSR
// accesses and the ports kept from the hardware. ANSI colours when `color`.
std::string render_call_text(const CallSpec& spec, const CallOutcome& out, bool color);
// 3: the `decoded` member (docs/json-schema.md, "What changed in version 3").
inline constexpr int kJsonSchemaVersion = 4;

}  // namespace biosx
