// vmcs.h - the VMCS field table (x86/vmcs_fields.h) and the exit reasons
// (x86/exit_reasons.h) as C++: constexpr encoders/decoders, lookup by name
// and encoding, and the decoders of the fields' bit layouts that
// `biosx dump-vmcs` prints. Pure code, no OS. Userspace.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "x86/exit_reasons.h"
#include "x86/vmcs_fields.h"

namespace biosx::vmx {

// Every field, by its SDM/Linux name: Field::GUEST_RIP == 0x681e.
enum class Field : uint32_t {
#define X(n, e, w, g) n = e,
    BIOSX_VMCS_FIELDS(X)
#undef X
};

// Basic exit reasons by name: ExitReason::HLT == 12.
enum class ExitReason : uint32_t {
#define X(n, v) n = v,
    BIOSX_EXIT_REASONS(X)
#undef X
};

enum class Width { w16 = BIOSX_W16, w64 = BIOSX_W64, w32 = BIOSX_W32, natural = BIOSX_WNAT };
enum class Group { control = BIOSX_G_CONTROL, exit_info = BIOSX_G_EXIT_INFO, guest = BIOSX_G_GUEST, host = BIOSX_G_HOST };

// SDM Vol. 3C §25.11.2: the encoding's parts.
constexpr Width encoding_width(uint32_t enc) { return static_cast<Width>(BIOSX_VMCS_ENC_WIDTH(enc)); }
constexpr Group encoding_group(uint32_t enc) { return static_cast<Group>(BIOSX_VMCS_ENC_TYPE(enc)); }
constexpr unsigned encoding_index(uint32_t enc) { return BIOSX_VMCS_ENC_INDEX(enc); }
constexpr bool encoding_is_high(uint32_t enc) { return BIOSX_VMCS_ENC_ACCESS_HIGH(enc); }
constexpr uint32_t encode(Width w, Group g, unsigned index, bool high = false)
{
    return BIOSX_VMCS_ENCODE(static_cast<unsigned>(w), static_cast<unsigned>(g), index, high);
}
// Bytes biosx stores per value (natural width = 8 on x86-64).
constexpr int width_bytes(Width w) { return w == Width::w16 ? 2 : w == Width::w32 ? 4 : 8; }
static_assert(encode(Width::natural, Group::guest, 0x0f) == static_cast<uint32_t>(Field::GUEST_RIP));
static_assert(encoding_width(static_cast<uint32_t>(Field::EPT_POINTER)) == Width::w64);

std::string_view width_name(Width w);  // "16", "64", "32", "natural"
std::string_view group_name(Group g);  // "control", "exit_info", "guest", "host"

struct FieldInfo {
    std::string_view name;
    uint32_t encoding;
    Width width;
    Group group;
};
std::span<const FieldInfo> vmcs_fields();
const FieldInfo* find_field(uint32_t encoding);  // also a 64-bit field's HIGH encoding
const FieldInfo* find_field(std::string_view name);

// ---- Exit reasons (SDM Appendix C) and VM-instruction errors (§31.4) ----
std::string_view exit_reason_name(uint32_t basic);  // "HLT", "" when unknown
std::optional<uint32_t> exit_reason_by_name(std::string_view name);
std::string_view vm_instruction_error_text(uint32_t number);  // "" when unknown

// ---- Bit-layout decoders ------------------------------------------------

// The names of the set bits of a control word, reserved bits as "bit N".
// `field` is one of the control fields (pin-based, primary, secondary,
// tertiary, VM-exit, secondary VM-exit, VM-entry).
std::vector<std::string> control_bit_names(Field field, uint64_t value);

// Segment access rights in the VMCS format (SDM Vol. 3C §25.4.1 Table 25-2):
// "0x0093 data RW accessed, S, DPL0, P, 16-bit" or "unusable".
std::string decode_access_rights(uint32_t ar);

// VM-exit/IDT-vectoring/VM-entry interruption information (§25.9.2, §25.8.3).
std::string decode_interruption_info(uint32_t info);

// The exit-reason field: "HLT (12)", plus "VM-entry failure" etc.
std::string decode_exit_reason(uint32_t reason);

// The exit qualification of `reason` (basic or full field value), for the
// exits biosx can see: I/O, CR access, EPT violation, #PF/#DB, invalid
// guest state / MSR loading entry failures. "" when there is nothing to say.
std::string decode_exit_qualification(uint32_t reason, uint64_t qualification);

// Guest interruptibility state (§25.4.2 Table 25-3) and activity state.
std::string decode_interruptibility(uint32_t v);
std::string decode_activity_state(uint32_t v);

// One decoded line for any field's value, or "" when the field has no
// layout biosx knows. `reason` is VM_EXIT_REASON for qualifications.
std::string decode_field(Field field, uint64_t value, uint32_t reason = 0);

}  // namespace biosx::vmx
