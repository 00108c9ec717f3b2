// batch.h - the protocol of `biosx batch`: JSON Lines in, one call per
// line with the fields of `biosx int`/`call` (docs/batch.md), JSON Lines
// out, one biosx.run object per call or one biosx.error object per bad
// line. Userspace.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "core/call/call.h"
#include "core/error.h"

namespace biosx::lib {

struct BatchCall {
    CallSpec spec;
    nlohmann::json id;  // the line's "id", echoed in its answer; null when absent
};

// One input line as a call, parsed by the command line's own parsers
// (parse_vector, parse_seg_off, parse_regs_json, parse_buffer_write/read,
// parse_max_instructions, parse_timeout). `id` receives the line's "id" as
// soon as it is known, so that an error object can carry it too. Throws
// Error(usage) naming the field (the caller names the line).
BatchCall parse_batch_line(std::string_view line, nlohmann::json& id);

// The answer to a line that could not run: schema "biosx.error".
nlohmann::json batch_error(size_t number, const nlohmann::json& id, ErrorKind kind, const std::string& message);

}  // namespace biosx::lib
