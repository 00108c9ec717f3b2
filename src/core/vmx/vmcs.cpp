// vmcs.cpp - lookups over the VMCS field table and exit reasons, and the
// decoders of access rights, control words, interruption information and
// exit qualifications (SDM Vol. 3C Chapters 25 and 28). Pure code. Userspace.
#include "core/vmx/vmcs.h"

#include <cstdio>

#include "x86/exceptions.h"
#include "x86/vmx_msrs.h"

namespace biosx::vmx {

namespace {

constexpr FieldInfo kFields[] = {
#define X(n, e, w, g) {#n, e, static_cast<Width>(w), static_cast<Group>(g)},
    BIOSX_VMCS_FIELDS(X)
#undef X
};

struct Reason {
    std::string_view name;
    uint32_t number;
};
constexpr Reason kReasons[] = {
#define X(n, v) {#n, v},
    BIOSX_EXIT_REASONS(X)
#undef X
};

struct InsnError {
    uint32_t number;
    std::string_view text;
};
constexpr InsnError kInsnErrors[] = {
#define X(n, v, t) {v, t},
    BIOSX_VM_INSTRUCTION_ERRORS(X)
#undef X
};

struct BitName {
    std::string_view name;
    int bit;
};
#define BIOSX_BN(n, b, s) {#n, b},
constexpr BitName kPin[] = {BIOSX_PIN_BASED_CONTROLS(BIOSX_BN)};
constexpr BitName kPrimary[] = {BIOSX_CPU_BASED_CONTROLS(BIOSX_BN)};
constexpr BitName kSecondary[] = {BIOSX_SECONDARY_EXEC_CONTROLS(BIOSX_BN)};
constexpr BitName kTertiary[] = {BIOSX_TERTIARY_EXEC_CONTROLS(BIOSX_BN)};
constexpr BitName kExit[] = {BIOSX_VM_EXIT_CONTROLS(BIOSX_BN)};
constexpr BitName kExit2[] = {BIOSX_SECONDARY_VM_EXIT_CONTROLS(BIOSX_BN)};
constexpr BitName kEntry[] = {BIOSX_VM_ENTRY_CONTROLS(BIOSX_BN)};
#undef BIOSX_BN
#define BIOSX_CRN(n, b) {#n, b},
constexpr BitName kCr0[] = {BIOSX_CR0_BITS(BIOSX_CRN)};
constexpr BitName kCr4[] = {BIOSX_CR4_BITS(BIOSX_CRN)};
#undef BIOSX_CRN

std::string hex(uint64_t v)
{
    char b[24];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}

std::string join(const std::vector<std::string>& v)
{
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : " ") + x;
    return s;
}

std::vector<std::string> names_of(std::span<const BitName> names, uint64_t value, int width, bool reserved_too)
{
    std::vector<std::string> r;
    for (int bit = 0; bit < width; ++bit) {
        if (!((value >> bit) & 1)) continue;
        std::string n;
        for (const auto& b : names)
            if (b.bit == bit) n = b.name;
        if (n.empty()) {
            if (!reserved_too) continue;
            n = "bit" + std::to_string(bit);
        }
        r.push_back(n);
    }
    return r;
}

const char* kEventTypes[] = {"external interrupt", "reserved", "NMI", "hardware exception",
                             "software interrupt", "privileged software exception", "software exception", "other event"};

}  // namespace

std::string_view width_name(Width w)
{
    switch (w) {
    case Width::w16: return "16";
    case Width::w64: return "64";
    case Width::w32: return "32";
    case Width::natural: return "natural";
    }
    return "?";
}

std::string_view group_name(Group g)
{
    switch (g) {
    case Group::control: return "control";
    case Group::exit_info: return "exit_info";
    case Group::guest: return "guest";
    case Group::host: return "host";
    }
    return "?";
}

std::span<const FieldInfo> vmcs_fields() { return kFields; }

const FieldInfo* find_field(uint32_t encoding)
{
    const uint32_t full = encoding & ~1u;
    for (const auto& f : kFields) {
        if (f.encoding == encoding) return &f;
        if (encoding_is_high(encoding) && f.width == Width::w64 && f.encoding == full) return &f;
    }
    return nullptr;
}

const FieldInfo* find_field(std::string_view name)
{
    for (const auto& f : kFields)
        if (f.name == name) return &f;
    return nullptr;
}

std::string_view exit_reason_name(uint32_t basic)
{
    for (const auto& r : kReasons)
        if (r.number == basic) return r.name;
    return {};
}

std::optional<uint32_t> exit_reason_by_name(std::string_view name)
{
    for (const auto& r : kReasons)
        if (r.name == name) return r.number;
    return std::nullopt;
}

std::string_view vm_instruction_error_text(uint32_t number)
{
    for (const auto& e : kInsnErrors)
        if (e.number == number) return e.text;
    return {};
}

std::vector<std::string> control_bit_names(Field field, uint64_t value)
{
    switch (field) {
    case Field::PIN_BASED_VM_EXEC_CONTROL: return names_of(kPin, value, 32, true);
    case Field::CPU_BASED_VM_EXEC_CONTROL: return names_of(kPrimary, value, 32, true);
    case Field::SECONDARY_VM_EXEC_CONTROL: return names_of(kSecondary, value, 32, true);
    case Field::TERTIARY_VM_EXEC_CONTROL: return names_of(kTertiary, value, 64, true);
    case Field::VM_EXIT_CONTROLS: return names_of(kExit, value, 32, true);
    case Field::SECONDARY_VM_EXIT_CONTROLS: return names_of(kExit2, value, 64, true);
    case Field::VM_ENTRY_CONTROLS: return names_of(kEntry, value, 32, true);
    default: return {};
    }
}

std::string decode_access_rights(uint32_t ar)
{
    if (ar & (1u << 16)) return "unusable";
    const unsigned type = ar & 0xf;
    const bool s = ar & (1u << 4);
    std::string t;
    if (s) {
        if (type & 8) {
            t = "code";
            t += (type & 2) ? " RX" : " X";
            if (type & 4) t += " conforming";
        } else {
            t = "data";
            t += (type & 2) ? " RW" : " RO";
            if (type & 4) t += " expand-down";
        }
        if (type & 1) t += " accessed";
    } else {
        static const char* sys[16] = {"reserved", "16-bit TSS (available)", "LDT", "16-bit TSS (busy)",
                                      "16-bit call gate", "task gate", "16-bit interrupt gate", "16-bit trap gate",
                                      "reserved", "32/64-bit TSS (available)", "reserved", "32/64-bit TSS (busy)",
                                      "32/64-bit call gate", "reserved", "32/64-bit interrupt gate", "32/64-bit trap gate"};
        t = sys[type];
    }
    std::string r = t + (s ? ", S" : ", system") + ", DPL" + std::to_string((ar >> 5) & 3);
    if (ar & (1u << 7)) r += ", P";
    if (ar & (1u << 12)) r += ", AVL";
    if (ar & (1u << 13)) r += ", L";
    r += (ar & (1u << 14)) ? ", 32-bit" : ", 16-bit";
    if (ar & (1u << 15)) r += ", G";
    return r;
}

std::string decode_interruption_info(uint32_t info)
{
    if (!(info & BIOSX_INTR_INFO_VALID)) return "not valid";
    const unsigned vector = BIOSX_INTR_INFO_VECTOR(info), type = BIOSX_INTR_INFO_TYPE(info);
    std::string r = std::string(kEventTypes[type]) + ", vector " + std::to_string(vector);
    if (type == BIOSX_INTR_TYPE_HARD_EXCEPTION || type == BIOSX_INTR_TYPE_NMI)
        if (const char* m = biosx_exception_mnemonic(vector)) r += std::string(" (") + m + ")";
    if (info & BIOSX_INTR_INFO_ERROR_CODE_VALID) r += ", error code valid";
    if (info & BIOSX_INTR_INFO_NMI_UNBLOCKING) r += ", NMI unblocking due to IRET";
    return r;
}

std::string decode_exit_reason(uint32_t reason)
{
    const uint32_t basic = BIOSX_EXIT_REASON_BASIC(reason);
    std::string_view n = exit_reason_name(basic);
    std::string r = (n.empty() ? std::string("unknown") : std::string(n)) + " (" + std::to_string(basic) + ")";
    if (reason & BIOSX_EXIT_REASON_ENTRY_FAILURE) r += ", VM-entry failure";
    if (reason & BIOSX_EXIT_REASON_FROM_VMX_ROOT) r += ", from VMX root operation";
    if (reason & BIOSX_EXIT_REASON_PENDING_MTF) r += ", pending MTF";
    if (reason & BIOSX_EXIT_REASON_ENCLAVE_MODE) r += ", enclave mode";
    if (reason & BIOSX_EXIT_REASON_BUS_LOCK_ASSERTED) r += ", bus lock asserted";
    if (reason & BIOSX_EXIT_REASON_SHADOW_STACK_BUSY) r += ", shadow stack prematurely busy";
    return r;
}

std::string decode_exit_qualification(uint32_t reason, uint64_t q)
{
    const uint32_t basic = BIOSX_EXIT_REASON_BASIC(reason);
    switch (basic) {
    case static_cast<uint32_t>(ExitReason::IO_INSTRUCTION): {
        // SDM Vol. 3C §28.2.1 Table 28-5.
        const unsigned size = (q & 7) + 1, port = (q >> 16) & 0xffff;
        std::string r = std::string((q & 8) ? "IN" : "OUT");
        if (q & 16) r += "S";
        r += " " + std::to_string(size) + " byte" + (size > 1 ? "s" : "") + ", port " + hex(port);
        if (q & 32) r += ", REP";
        r += (q & 64) ? ", immediate operand" : ", port in DX";
        return r;
    }
    case static_cast<uint32_t>(ExitReason::CR_ACCESS): {
        // Table 28-3.
        static const char* gpr[16] = {"RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI",
                                      "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15"};
        const unsigned cr = q & 15, type = (q >> 4) & 3, reg = BIOSX_QUAL_GPR(q);
        switch (type) {
        case 0: return "MOV to CR" + std::to_string(cr) + " from " + gpr[reg];
        case 1: return "MOV from CR" + std::to_string(cr) + " to " + gpr[reg];
        case 2: return "CLTS";
        default: return std::string("LMSW ") + ((q & 64) ? "memory" : "register") + " operand, source data " + hex((q >> 16) & 0xffff);
        }
    }
    case static_cast<uint32_t>(ExitReason::EPT_VIOLATION): {
        // Table 28-7.
        std::vector<std::string> acc;
        if (q & 1) acc.push_back("read");
        if (q & 2) acc.push_back("write");
        if (q & 4) acc.push_back("fetch");
        std::string r = "access: " + (acc.empty() ? std::string("none") : join(acc));
        std::string perm;
        perm += (q & 8) ? 'r' : '-';
        perm += (q & 16) ? 'w' : '-';
        perm += (q & 32) ? 'x' : '-';
        r += "; EPT entry allows " + perm;
        if (q & 64) r += " (user-mode x)";
        if (q & 128)
            r += (q & 256) ? "; guest linear address valid, access to the translated address"
                           : "; guest linear address valid, access to a paging structure";
        else
            r += "; no guest linear address";
        if (q & (1u << 12)) r += "; NMI unblocking due to IRET";
        if (q & (1u << 16)) r += "; asynchronous to instruction execution";
        return r;
    }
    case static_cast<uint32_t>(ExitReason::EXCEPTION_NMI):
        return q ? "exception-specific: " + hex(q) + " (#PF: linear address; #DB: debug status)" : "";
    case static_cast<uint32_t>(ExitReason::INVALID_STATE):
        // SDM Vol. 3C §27.8: exit qualification of a failed VM entry.
        switch (q) {
        case 0: return "guest-state check failed (no further detail)";
        case 2: return "failure loading PDPTEs";
        case 3: return "NMI injection blocked by STI blocking";
        case 4: return "invalid VMCS link pointer";
        default: return "qualification " + hex(q);
        }
    case static_cast<uint32_t>(ExitReason::MSR_LOAD_FAIL):
        return "VM-entry MSR-load entry " + std::to_string(q) + " failed";
    default:
        return q ? hex(q) : "";
    }
}

std::string decode_interruptibility(uint32_t v)
{
    std::vector<std::string> r;
    if (v & BIOSX_GUEST_INTR_STATE_STI) r.push_back("blocking by STI");
    if (v & BIOSX_GUEST_INTR_STATE_MOV_SS) r.push_back("blocking by MOV SS");
    if (v & BIOSX_GUEST_INTR_STATE_SMI) r.push_back("blocking by SMI");
    if (v & BIOSX_GUEST_INTR_STATE_NMI) r.push_back("blocking by NMI");
    if (v & BIOSX_GUEST_INTR_STATE_ENCLAVE) r.push_back("enclave interruption");
    return r.empty() ? "none" : join(r);
}

std::string decode_activity_state(uint32_t v)
{
    switch (v) {
    case 0: return "active";
    case 1: return "HLT";
    case 2: return "shutdown";
    case 3: return "wait-for-SIPI";
    default: return "reserved";
    }
}

std::string decode_field(Field field, uint64_t value, uint32_t reason)
{
    switch (field) {
    case Field::GUEST_ES_AR_BYTES: case Field::GUEST_CS_AR_BYTES: case Field::GUEST_SS_AR_BYTES:
    case Field::GUEST_DS_AR_BYTES: case Field::GUEST_FS_AR_BYTES: case Field::GUEST_GS_AR_BYTES:
    case Field::GUEST_LDTR_AR_BYTES: case Field::GUEST_TR_AR_BYTES:
        return decode_access_rights(static_cast<uint32_t>(value));
    case Field::PIN_BASED_VM_EXEC_CONTROL: case Field::CPU_BASED_VM_EXEC_CONTROL:
    case Field::SECONDARY_VM_EXEC_CONTROL: case Field::TERTIARY_VM_EXEC_CONTROL:
    case Field::VM_EXIT_CONTROLS: case Field::SECONDARY_VM_EXIT_CONTROLS: case Field::VM_ENTRY_CONTROLS: {
        auto n = control_bit_names(field, value);
        return n.empty() ? "none" : join(n);
    }
    case Field::VM_EXIT_REASON: return decode_exit_reason(static_cast<uint32_t>(value));
    case Field::EXIT_QUALIFICATION: return decode_exit_qualification(reason, value);
    case Field::VM_EXIT_INTR_INFO: case Field::IDT_VECTORING_INFO_FIELD: case Field::VM_ENTRY_INTR_INFO_FIELD:
        return decode_interruption_info(static_cast<uint32_t>(value));
    case Field::VM_INSTRUCTION_ERROR: {
        if (!value) return "none";
        auto t = vm_instruction_error_text(static_cast<uint32_t>(value));
        return t.empty() ? "unknown error" : std::string(t);
    }
    case Field::GUEST_INTERRUPTIBILITY_INFO: return decode_interruptibility(static_cast<uint32_t>(value));
    case Field::GUEST_ACTIVITY_STATE: return decode_activity_state(static_cast<uint32_t>(value));
    case Field::GUEST_CR0: case Field::HOST_CR0: case Field::CR0_READ_SHADOW: case Field::CR0_GUEST_HOST_MASK:
        return join(names_of(kCr0, value, 64, false));
    case Field::GUEST_CR4: case Field::HOST_CR4: case Field::CR4_READ_SHADOW: case Field::CR4_GUEST_HOST_MASK:
        return join(names_of(kCr4, value, 64, false));
    case Field::GUEST_RFLAGS: {
        std::vector<std::string> r;
        static const BitName fl[] = {{"CF", 0}, {"PF", 2}, {"AF", 4}, {"ZF", 6}, {"SF", 7}, {"TF", 8}, {"IF", 9},
                                     {"DF", 10}, {"OF", 11}, {"NT", 14}, {"RF", 16}, {"VM", 17}, {"AC", 18},
                                     {"VIF", 19}, {"VIP", 20}, {"ID", 21}};
        r = names_of(fl, value, 32, false);
        if ((value >> 12) & 3) r.push_back("IOPL=" + std::to_string((value >> 12) & 3));
        return join(r);
    }
    case Field::EXCEPTION_BITMAP: {
        std::vector<std::string> r;
        for (unsigned v = 0; v < 32; ++v)
            if ((value >> v) & 1) {
                const char* m = biosx_exception_mnemonic(v);
                r.push_back(m ? std::string(m) : "vector" + std::to_string(v));
            }
        return r.empty() ? "none" : join(r);
    }
    default: return "";
    }
}

}  // namespace biosx::vmx
