// vmcs_render.cpp - text, JSON and raw views of a VmcsRecord
// (`biosx dump-vmcs`). Pure formatting. Userspace.
#include "core/vmx/vmcs_record.h"

#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/format.h"
#include "core/vmx/vmcs.h"

namespace biosx::vmx {

namespace {

constexpr uint32_t E(Field f) { return static_cast<uint32_t>(f); }

std::string value_hex(const FieldInfo& f, uint64_t v) { return hex(v, width_bytes(f.width) * 2); }

struct Seg {
    const char* name;
    Field sel, base, limit, ar;
};
constexpr Seg kSegs[] = {
    {"ES", Field::GUEST_ES_SELECTOR, Field::GUEST_ES_BASE, Field::GUEST_ES_LIMIT, Field::GUEST_ES_AR_BYTES},
    {"CS", Field::GUEST_CS_SELECTOR, Field::GUEST_CS_BASE, Field::GUEST_CS_LIMIT, Field::GUEST_CS_AR_BYTES},
    {"SS", Field::GUEST_SS_SELECTOR, Field::GUEST_SS_BASE, Field::GUEST_SS_LIMIT, Field::GUEST_SS_AR_BYTES},
    {"DS", Field::GUEST_DS_SELECTOR, Field::GUEST_DS_BASE, Field::GUEST_DS_LIMIT, Field::GUEST_DS_AR_BYTES},
    {"FS", Field::GUEST_FS_SELECTOR, Field::GUEST_FS_BASE, Field::GUEST_FS_LIMIT, Field::GUEST_FS_AR_BYTES},
    {"GS", Field::GUEST_GS_SELECTOR, Field::GUEST_GS_BASE, Field::GUEST_GS_LIMIT, Field::GUEST_GS_AR_BYTES},
    {"LDTR", Field::GUEST_LDTR_SELECTOR, Field::GUEST_LDTR_BASE, Field::GUEST_LDTR_LIMIT, Field::GUEST_LDTR_AR_BYTES},
    {"TR", Field::GUEST_TR_SELECTOR, Field::GUEST_TR_BASE, Field::GUEST_TR_LIMIT, Field::GUEST_TR_AR_BYTES},
};

uint32_t u32le(const std::vector<uint8_t>& raw, size_t off)
{
    uint32_t v = 0;
    if (raw.size() >= off + 4) std::memcpy(&v, raw.data() + off, 4);
    return v;
}

}  // namespace

std::string render_vmcs_text(const VmcsRecord& r)
{
    std::ostringstream o;
    const uint32_t reason = static_cast<uint32_t>(r.get(E(Field::VM_EXIT_REASON)).value_or(0));
    std::set<uint32_t> shown;
    auto line = [&](const FieldInfo& f, uint64_t v) {
        char buf[96];
        std::snprintf(buf, sizeof buf, "  %-30s %s", std::string(f.name).c_str(), value_hex(f, v).c_str());
        o << buf;
        const std::string d = decode_field(static_cast<Field>(f.encoding), v, reason);
        if (!d.empty()) o << "  " << d;
        o << "\n";
        shown.insert(f.encoding);
    };
    auto group = [&](Group g) {
        for (const auto& f : vmcs_fields()) {
            if (f.group != g || shown.count(f.encoding)) continue;
            if (auto v = r.get(f.encoding)) line(f, *v);
        }
    };

    o << "VMXON region " << hex(r.vmxon_pa, 16) << ", VMCS " << hex(r.vmcs_pa, 16);
    if (r.raw.size() >= 8)
        o << " (revision " << hex(u32le(r.raw, 0) & 0x7fffffff) << ", abort indicator " << u32le(r.raw, 4) << ")";
    o << ", " << r.fields.size() << " fields recorded\n";
    if (r.addresses_hidden)
        o << "Kernel and host-physical addresses hidden (kptr_restrict; shown as 0): "
             "host RIP/RSP, bases, CR3, bitmap and EPT addresses, the raw region\n";

    o << "\n*** Guest State ***\n";
    // Segments first, as one table: selector, base, limit, access rights.
    bool any_seg = false;
    for (const auto& s : kSegs) {
        auto sel = r.get(E(s.sel)), base = r.get(E(s.base)), lim = r.get(E(s.limit)), ar = r.get(E(s.ar));
        if (!sel && !base && !lim && !ar) continue;
        if (!any_seg) o << "  seg   selector  base                limit       access rights\n";
        any_seg = true;
        char buf[160];
        std::snprintf(buf, sizeof buf, "  %-5s %-9s %-19s %-11s %s\n", s.name, sel ? hex(*sel, 4).c_str() : "-",
                      base ? hex(*base, 16).c_str() : "-", lim ? hex(*lim, 8).c_str() : "-",
                      ar ? (hex(*ar, 4) + " " + decode_access_rights(static_cast<uint32_t>(*ar))).c_str() : "-");
        o << buf;
        for (Field f : {s.sel, s.base, s.limit, s.ar}) shown.insert(E(f));
    }
    for (auto [name, base, limit] : {std::tuple{"GDTR", Field::GUEST_GDTR_BASE, Field::GUEST_GDTR_LIMIT},
                                     std::tuple{"IDTR", Field::GUEST_IDTR_BASE, Field::GUEST_IDTR_LIMIT}}) {
        auto b = r.get(E(base)), l = r.get(E(limit));
        if (!b && !l) continue;
        char buf[96];
        std::snprintf(buf, sizeof buf, "  %-5s %-9s %-19s %s\n", name, "", b ? hex(*b, 16).c_str() : "-",
                      l ? hex(*l, 8).c_str() : "-");
        o << buf;
        shown.insert(E(base));
        shown.insert(E(limit));
    }
    group(Group::guest);
    o << "\n*** Host State ***\n";
    group(Group::host);
    o << "\n*** Controls ***\n";
    group(Group::control);
    o << "\n*** VM-Exit Information ***\n";
    group(Group::exit_info);
    // Anything the table does not know (a newer module or CPU).
    for (const auto& [e, v] : r.fields)
        if (!find_field(e)) o << "  unknown field " << hex(e, 4) << " = " << hex(v, 16) << "\n";
    return o.str();
}

nlohmann::json vmcs_to_json(const VmcsRecord& r)
{
    nlohmann::json j;
    j["schema"] = "biosx.vmcs";
    j["schema_version"] = kVmcsSchemaVersion;
    // 64-bit values: the number, and the exact hex string beside it.
    j["vmxon_pa"] = r.vmxon_pa;
    j["vmxon_pa_hex"] = hex(r.vmxon_pa, 16);
    j["vmcs_pa"] = r.vmcs_pa;
    j["vmcs_pa_hex"] = hex(r.vmcs_pa, 16);
    j["addresses_hidden"] = r.addresses_hidden;
    if (r.raw.size() >= 8) {
        j["revision_id"] = u32le(r.raw, 0) & 0x7fffffff;
        j["abort_indicator"] = u32le(r.raw, 4);
    }
    const uint32_t reason = static_cast<uint32_t>(r.get(E(Field::VM_EXIT_REASON)).value_or(0));
    auto& fields = j["fields"] = nlohmann::json::array();
    for (const auto& [e, v] : r.fields) {
        nlohmann::json x;
        const FieldInfo* f = find_field(e);
        x["name"] = f ? nlohmann::json(std::string(f->name)) : nlohmann::json(nullptr);
        x["encoding"] = e;
        x["value"] = v;
        if (f) {
            x["width"] = std::string(width_name(f->width));
            x["group"] = std::string(group_name(f->group));
            x["value_hex"] = value_hex(*f, v);
            const std::string d = decode_field(static_cast<Field>(e), v, reason);
            if (!d.empty()) x["decoded"] = d;
        } else {
            x["value_hex"] = hex(v, 16);
        }
        fields.push_back(x);
    }
    if (auto rv = r.get(E(Field::VM_EXIT_REASON))) {
        nlohmann::json x;
        x["reason"] = *rv;
        x["basic"] = BIOSX_EXIT_REASON_BASIC(static_cast<uint32_t>(*rv));
        auto n = exit_reason_name(BIOSX_EXIT_REASON_BASIC(static_cast<uint32_t>(*rv)));
        x["name"] = n.empty() ? nlohmann::json(nullptr) : nlohmann::json(std::string(n));
        x["entry_failure"] = (*rv & BIOSX_EXIT_REASON_ENTRY_FAILURE) != 0;
        if (auto q = r.get(E(Field::EXIT_QUALIFICATION))) x["qualification"] = decode_exit_qualification(reason, *q);
        if (auto e = r.get(E(Field::VM_INSTRUCTION_ERROR)); e && *e)
            x["vm_instruction_error"] = {{"number", *e}, {"text", std::string(vm_instruction_error_text(static_cast<uint32_t>(*e)))}};
        j["exit"] = x;
    }
    j["raw"] = hex_string(r.raw);
    return j;
}

std::string render_vmcs_raw(const VmcsRecord& r)
{
    std::ostringstream o;
    o << "VMXON region physical address " << hex(r.vmxon_pa, 16) << "\n"
      << "VMCS region physical address  " << hex(r.vmcs_pa, 16) << "\n"
      << "VMCS region after VMCLEAR (" << r.raw.size() << " bytes; layout is implementation-specific, SDM Vol. 3C §25.2):\n";
    o << hex_dump(r.raw, 0);
    return o.str();
}

}  // namespace biosx::vmx
