// vbe_render.h - the text and JSON views of `biosx vbe` and `biosx edid`:
// the controller, the mode table (sortable), the current mode, the EDID
// (schemas biosx.vbe and biosx.edid, docs/vbe.md). Userspace.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "core/meaning/edid.h"
#include "core/meaning/meaning.h"
#include "lib/vbe.h"

namespace biosx::lib {

inline constexpr int kVbeSchemaVersion = 1;
inline constexpr int kEdidSchemaVersion = 1;

// One row of the mode table: 4F01h's answer for `number`, or why it failed.
struct VbeModeRow {
    uint16_t number = 0;
    meaning::Decoded info;  // valid when error is empty
    std::string error;
};

// The sort keys of `vbe modes --sort`, in the order the help lists them.
inline constexpr const char* kVbeSortKeys[] = {"mode", "resolution", "bpp", "model", "lfb"};
// Sorts `rows` by `key` (one of kVbeSortKeys), stable; modes that failed last.
void sort_vbe_modes(std::vector<VbeModeRow>& rows, const std::string& key);

std::string render_vbe_controller(const meaning::Decoded& controller);
std::string render_vbe_modes(const std::vector<VbeModeRow>& rows);
// The current mode (4F03h), with 4F01h's resolution and depth when known.
std::string render_vbe_current(const meaning::Decoded& current, const meaning::Decoded* info);
std::string render_edid(unsigned port, const DdcCapabilities& ddc, const meaning::Edid& e);

// The members of a biosx.vbe / biosx.edid object besides schema, backend
// and source, which the caller adds.
nlohmann::json vbe_controller_json(const meaning::Decoded& controller);
nlohmann::json vbe_modes_json(const std::vector<VbeModeRow>& rows);
nlohmann::json vbe_current_json(const meaning::Decoded& current, const meaning::Decoded* info);
nlohmann::json edid_json(unsigned port, const DdcCapabilities& ddc, const std::vector<uint8_t>& bytes,
                         const meaning::Edid& e);

}  // namespace biosx::lib
