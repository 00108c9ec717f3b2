// test_vmcs.cpp - the VMCS field table (every encoding's derived width and
// type, name <-> encoding), exit reasons, and the dump-vmcs decoders on
// known values (SDM Vol. 3C Chapters 25 and 28, Vol. 3D Appendices B and C).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <memory>
#include <set>

#include "uapi/biosx.h"

#include "core/vmx/vmcs.h"
#include "core/vmx/vmcs_record.h"

using namespace biosx::vmx;

namespace {
constexpr uint32_t E(Field f) { return static_cast<uint32_t>(f); }
}  // namespace

TEST_CASE("vmcs table: every encoding's derived width, type and index agree with the declaration")
{
    std::set<uint32_t> encodings;
    std::set<std::string_view> names;
    int per_width[4] = {}, per_group[4] = {};
    for (const auto& f : vmcs_fields()) {
        INFO(f.name);
        CHECK(encodings.insert(f.encoding).second);
        CHECK(names.insert(f.name).second);
        CHECK(encoding_width(f.encoding) == f.width);
        CHECK(encoding_group(f.encoding) == f.group);
        CHECK_FALSE(encoding_is_high(f.encoding));
        CHECK((f.encoding & 0xffff9000u) == 0);  // bit 12 and bits 31:15 reserved
        CHECK(encode(f.width, f.group, encoding_index(f.encoding)) == f.encoding);
        // Names carry their group where the SDM does (GUEST_/HOST_ prefixes).
        if (f.name.starts_with("HOST_")) CHECK(f.group == Group::host);
        if (f.name.starts_with("GUEST_") && f.name != "GUEST_PHYSICAL_ADDRESS" && f.name != "GUEST_LINEAR_ADDRESS")
            CHECK(f.group == Group::guest);
        ++per_width[static_cast<int>(f.width)];
        ++per_group[static_cast<int>(f.group)];
        // A 64-bit field's HIGH half finds the same field; others have none.
        if (f.width == Width::w64) {
            const FieldInfo* h = find_field(f.encoding | 1);
            REQUIRE(h != nullptr);
            CHECK(h->encoding == f.encoding);
        } else {
            CHECK(find_field(f.encoding | 1) == nullptr);
        }
    }
    CHECK(vmcs_fields().size() == 180);
    CHECK(per_width[static_cast<int>(Width::w16)] == 23);
    CHECK(per_width[static_cast<int>(Width::w64)] == 54);
    CHECK(per_width[static_cast<int>(Width::w32)] == 51);
    CHECK(per_width[static_cast<int>(Width::natural)] == 52);
    CHECK(per_group[static_cast<int>(Group::exit_info)] == 15);
}

TEST_CASE("vmcs table: name <-> encoding round trip, and well-known encodings")
{
    for (const auto& f : vmcs_fields()) {
        const FieldInfo* by_name = find_field(f.name);
        REQUIRE(by_name != nullptr);
        CHECK(by_name->encoding == f.encoding);
        const FieldInfo* by_enc = find_field(f.encoding);
        REQUIRE(by_enc != nullptr);
        CHECK(by_enc->name == f.name);
    }
    // Spot checks against SDM Vol. 3D Appendix B.
    CHECK(E(Field::GUEST_ES_SELECTOR) == 0x0800);
    CHECK(E(Field::VIRTUAL_PROCESSOR_ID) == 0x0000);
    CHECK(E(Field::EPT_POINTER) == 0x201a);
    CHECK(E(Field::CPU_BASED_VM_EXEC_CONTROL) == 0x4002);
    CHECK(E(Field::SECONDARY_VM_EXEC_CONTROL) == 0x401e);
    CHECK(E(Field::VM_EXIT_REASON) == 0x4402);
    CHECK(E(Field::EXIT_QUALIFICATION) == 0x6400);
    CHECK(E(Field::GUEST_RIP) == 0x681e);
    CHECK(E(Field::HOST_RIP) == 0x6c16);
    CHECK(E(Field::VMX_PREEMPTION_TIMER_VALUE) == 0x482e);
    CHECK(find_field("NO_SUCH_FIELD") == nullptr);
    CHECK(find_field(0x7fffu) == nullptr);
    CHECK(width_name(Width::natural) == "natural");
    CHECK(group_name(Group::exit_info) == "exit_info");
}

TEST_CASE("vmcs table: every existence condition names a field")
{
    int n = 0;
#define X(name, cap, bit)                                   \
    CHECK(find_field(#name) != nullptr);                    \
    CHECK((cap >= 0 && cap < BIOSX_CAP_NR && bit < 64));    \
    ++n;
    BIOSX_VMCS_FIELD_CONDS(X)
#undef X
    CHECK(n > 50);
}

TEST_CASE("exit reasons: numbers and names round-trip")
{
    std::set<uint32_t> seen;
#define X(name, nr)                                      \
    CHECK(seen.insert(nr).second);                       \
    CHECK(exit_reason_name(nr) == #name);                \
    CHECK(exit_reason_by_name(#name) == uint32_t{nr});
    BIOSX_EXIT_REASONS(X)
#undef X
    CHECK(static_cast<uint32_t>(ExitReason::HLT) == 12);
    CHECK(static_cast<uint32_t>(ExitReason::EPT_VIOLATION) == 48);
    CHECK(exit_reason_name(35).empty());  // unassigned
    CHECK_FALSE(exit_reason_by_name("NOPE").has_value());
    CHECK(decode_exit_reason(12) == "HLT (12)");
    CHECK(decode_exit_reason(0x80000021u) == "INVALID_STATE (33), VM-entry failure");
    CHECK(decode_exit_reason(0x80000022u) == "MSR_LOAD_FAIL (34), VM-entry failure");
    CHECK(decode_exit_reason(999) == "unknown (999)");
    CHECK(vm_instruction_error_text(7) == "VM entry with invalid control field(s)");
    CHECK(vm_instruction_error_text(8) == "VM entry with invalid host-state field(s)");
    CHECK(vm_instruction_error_text(14).empty());
}

TEST_CASE("decoders: segment access rights")
{
    CHECK(decode_access_rights(0x93) == "data RW accessed, S, DPL0, P, 16-bit");
    CHECK(decode_access_rights(0x9b) == "code RX accessed, S, DPL0, P, 16-bit");
    CHECK(decode_access_rights(0xf3) == "data RW accessed, S, DPL3, P, 16-bit");  // virtual-8086 segments
    CHECK(decode_access_rights(0xc09b) == "code RX accessed, S, DPL0, P, 32-bit, G");
    CHECK(decode_access_rights(0xa09b) == "code RX accessed, S, DPL0, P, L, 16-bit, G");
    CHECK(decode_access_rights(0x8b) == "32/64-bit TSS (busy), system, DPL0, P, 16-bit");
    CHECK(decode_access_rights(0x82) == "LDT, system, DPL0, P, 16-bit");
    CHECK(decode_access_rights(0x10000) == "unusable");
}

TEST_CASE("decoders: I/O, CR-access and EPT-violation qualifications")
{
    const uint32_t io = static_cast<uint32_t>(ExitReason::IO_INSTRUCTION);
    CHECK(decode_exit_qualification(io, 0x00800000) == "OUT 1 byte, port 0x80, port in DX");
    CHECK(decode_exit_qualification(io, (0x61u << 16) | 8 | 64) == "IN 1 byte, port 0x61, immediate operand");
    CHECK(decode_exit_qualification(io, (0x3f8u << 16) | 1 | 16 | 32) == "OUTS 2 bytes, port 0x3f8, REP, port in DX");
    CHECK(decode_exit_qualification(io, (0xcf8u << 16) | 3 | 8) == "IN 4 bytes, port 0xcf8, port in DX");
    CHECK(decode_exit_qualification(28, 0) == "MOV to CR0 from RAX");
    CHECK(decode_exit_qualification(28, 3 | (1 << 4) | (3 << 8)) == "MOV from CR3 to RBX");
    CHECK(decode_exit_qualification(28, 2 << 4) == "CLTS");
    CHECK(decode_exit_qualification(28, (3 << 4) | (0x1u << 16)) == "LMSW register operand, source data 0x1");
    CHECK(decode_exit_qualification(48, 0x181) ==
          "access: read; EPT entry allows ---; guest linear address valid, access to the translated address");
    CHECK(decode_exit_qualification(48, 0x2 | 0x8 | 0x20) == "access: write; EPT entry allows r-x; no guest linear address");
    CHECK(decode_exit_qualification(48, 0x4 | 0x80) ==
          "access: fetch; EPT entry allows ---; guest linear address valid, access to a paging structure");
    CHECK(decode_exit_qualification(0x80000021u, 0) == "guest-state check failed (no further detail)");
    CHECK(decode_exit_qualification(0x80000021u, 4) == "invalid VMCS link pointer");
    CHECK(decode_exit_qualification(0x80000022u, 2) == "VM-entry MSR-load entry 2 failed");
    CHECK(decode_exit_qualification(12, 0).empty());  // HLT has none
    CHECK(decode_exit_qualification(52, 0).empty());  // preemption timer has none
    CHECK(decode_exit_qualification(2, 0).empty());   // triple fault has none
    CHECK(decode_exit_qualification(0, 0x1000) == "exception-specific: 0x1000 (#PF: linear address; #DB: debug status)");
}

TEST_CASE("decoders: interruption information, interruptibility, activity, controls")
{
    CHECK(decode_interruption_info(0x80000b0d) == "hardware exception, vector 13 (#GP), error code valid");
    CHECK(decode_interruption_info(0x80000306) == "hardware exception, vector 6 (#UD)");
    CHECK(decode_interruption_info(0x80000202) == "NMI, vector 2 (NMI)");
    CHECK(decode_interruption_info(0x80000020) == "external interrupt, vector 32");
    CHECK(decode_interruption_info(0x80000410) == "software interrupt, vector 16");
    CHECK(decode_interruption_info(0x00000b0d) == "not valid");
    CHECK(decode_interruptibility(0) == "none");
    CHECK(decode_interruptibility(3) == "blocking by STI blocking by MOV SS");
    CHECK(decode_activity_state(1) == "HLT");
    CHECK(control_bit_names(Field::CPU_BASED_VM_EXEC_CONTROL, 0x80 | (1u << 25) | (1u << 31)) ==
          std::vector<std::string>{"HLT_EXITING", "USE_IO_BITMAPS", "ACTIVATE_SECONDARY_CONTROLS"});
    CHECK(control_bit_names(Field::SECONDARY_VM_EXEC_CONTROL, 0x82) ==
          std::vector<std::string>{"ENABLE_EPT", "UNRESTRICTED_GUEST"});
    CHECK(control_bit_names(Field::PIN_BASED_VM_EXEC_CONTROL, 0x16) == std::vector<std::string>{"bit1", "bit2", "bit4"});
    CHECK(control_bit_names(Field::VM_ENTRY_CONTROLS, 1u << 9) == std::vector<std::string>{"IA32E_MODE"});
    CHECK(control_bit_names(Field::GUEST_RIP, 1).empty());
    CHECK(decode_field(Field::GUEST_CR0, 0x80000031) == "PE ET NE PG");
    CHECK(decode_field(Field::GUEST_CR4, 0x2001) == "VME VMXE");
    CHECK(decode_field(Field::GUEST_RFLAGS, 0x23202) == "IF VM IOPL=3");
    CHECK(decode_field(Field::EXCEPTION_BITMAP, (1u << 13) | (1u << 6)) == "#UD #GP");
    CHECK(decode_field(Field::VM_INSTRUCTION_ERROR, 0) == "none");
    CHECK(decode_field(Field::VM_INSTRUCTION_ERROR, 7) == "VM entry with invalid control field(s)");
    CHECK(decode_field(Field::GUEST_RIP, 0x600).empty());
}

TEST_CASE("VmcsRecord: text groups, decoded exit, JSON and raw")
{
    VmcsRecord r;
    r.vmxon_pa = 0x1234000;
    r.vmcs_pa = 0x1235000;
    r.raw.assign(4096, 0);
    r.raw[0] = 0x2b;  // revision id 0x2b
    r.fields = {
        {E(Field::GUEST_CS_SELECTOR), 0},        {E(Field::GUEST_CS_BASE), 0},
        {E(Field::GUEST_CS_LIMIT), 0xffff},      {E(Field::GUEST_CS_AR_BYTES), 0x9b},
        {E(Field::GUEST_RIP), 0x601},            {E(Field::GUEST_RFLAGS), 0x2},
        {E(Field::HOST_RIP), 0xffffffffc0001000}, {E(Field::CPU_BASED_VM_EXEC_CONTROL), 0x82000080},
        {E(Field::VM_EXIT_REASON), 12},          {E(Field::EXIT_QUALIFICATION), 0},
        {E(Field::VM_INSTRUCTION_ERROR), 0},     {0x7ffe, 5},
    };
    const std::string t = render_vmcs_text(r);
    const auto g = t.find("*** Guest State ***"), h = t.find("*** Host State ***"), c = t.find("*** Controls ***"),
               x = t.find("*** VM-Exit Information ***");
    REQUIRE(g != std::string::npos);
    CHECK(g < h);
    CHECK(h < c);
    CHECK(c < x);
    CHECK(t.find("revision 0x2b") != std::string::npos);
    CHECK(t.find("CS    0x0000    0x0000000000000000  0x0000ffff  0x009b code RX accessed") != std::string::npos);
    CHECK(t.find("HLT_EXITING USE_IO_BITMAPS ACTIVATE_SECONDARY_CONTROLS") != std::string::npos);
    CHECK(t.find("VM_EXIT_REASON                 0x0000000c  HLT (12)") != std::string::npos);
    CHECK(t.find("unknown field 0x7ffe") != std::string::npos);
    CHECK(t.find("GUEST_CS_AR_BYTES") == std::string::npos);  // shown in the segment table only

    const nlohmann::json j = vmcs_to_json(r);
    CHECK(j["schema"] == "biosx.vmcs");
    CHECK(j["vmcs_pa"] == 0x1235000);
    CHECK(j["vmcs_pa_hex"] == "0x0000000001235000");
    CHECK(j["revision_id"] == 0x2b);
    CHECK(j["exit"]["name"] == "HLT");
    CHECK(j["exit"]["entry_failure"] == false);
    CHECK(j["fields"][3]["name"] == "GUEST_CS_AR_BYTES");
    CHECK(j["fields"][3]["encoding"] == 0x4816);
    CHECK(j["fields"][3]["value"] == 0x9b);
    CHECK(j["fields"][3]["value_hex"] == "0x0000009b");
    CHECK(j["fields"][3]["width"] == "32");
    CHECK(j["fields"][3]["group"] == "guest");
    CHECK(j["fields"][3]["decoded"] == "code RX accessed, S, DPL0, P, 16-bit");
    CHECK(j["raw"].get<std::string>().size() == 8192);

    const std::string raw = render_vmcs_raw(r);
    CHECK(raw.find("VMXON region physical address 0x0000000001234000") != std::string::npos);
    CHECK(raw.find("4096 bytes") != std::string::npos);

    // A failed entry: exit reason with bit 31 and the VM-instruction error.
    VmcsRecord f;
    f.fields = {{E(Field::VM_EXIT_REASON), 0x80000021u}, {E(Field::EXIT_QUALIFICATION), 0}, {E(Field::VM_INSTRUCTION_ERROR), 7}};
    const nlohmann::json fj = vmcs_to_json(f);
    CHECK(fj["exit"]["entry_failure"] == true);
    CHECK(fj["exit"]["name"] == "INVALID_STATE");
    CHECK(fj["exit"]["vm_instruction_error"]["number"] == 7);
    CHECK(render_vmcs_text(f).find("guest-state check failed") != std::string::npos);
}

TEST_CASE("VmcsRecord from the module's BIOSX_IOC_GET_VMCS record")
{
    auto u = std::make_unique<biosx_vmcs_record>();
    u->valid = 1;
    u->nfields = 2;
    u->vmxon_pa = 0x1000;
    u->vmcs_pa = 0x2000;
    u->fields[0] = {E(Field::GUEST_RIP), 0, 0x601};
    u->fields[1] = {E(Field::VM_EXIT_REASON), 0, 12};
    u->fields[2] = {E(Field::HOST_RIP), 0, 0xdead};  // beyond nfields: ignored
    u->raw[0] = 0x2b;
    const VmcsRecord r = vmcs_record_from_uapi(*u);
    CHECK(r.vmxon_pa == 0x1000);
    CHECK(r.vmcs_pa == 0x2000);
    REQUIRE(r.fields.size() == 2);
    CHECK(r.get(E(Field::GUEST_RIP)) == 0x601u);
    CHECK_FALSE(r.get(E(Field::HOST_RIP)).has_value());
    CHECK(r.raw.size() == 4096);
    CHECK(r.raw[0] == 0x2b);
}
