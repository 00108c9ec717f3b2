// caps_render.cpp - `biosx caps` output: text grouped like SDM Vol. 3D
// Appendix A, and JSON (schema in docs/caps.md). Userspace.
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/caps/caps.h"
#include "core/format.h"

namespace biosx::caps {

namespace {

const char* mem_type_name(uint32_t t)
{
    switch (t) {
    case 0: return "UC";
    case 6: return "WB";
    default: return "reserved";
    }
}

std::string join(const std::vector<std::string>& v, const char* sep = " ")
{
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
    return s.empty() ? "-" : s;
}

const char* yn(bool b) { return b ? "yes" : "no"; }

void control_text(std::ostringstream& o, const char* section, const ControlCaps& c)
{
    o << "\n" << section << " " << c.title << " (" << msr_name(c.msr) << " " << hex(c.msr, 3);
    if (!c.present) {
        o << "): not available\n";
        return;
    }
    o << " = " << hex(c.raw, 16);
    if (c.uses_true) o << "; " << msr_name(c.true_msr) << " = " << hex(c.raw_true, 16);
    o << ")\n";
    for (const auto& b : c.bits) {
        char line[160];
        const std::string name = b.name.empty() ? "(reserved" + std::string(b.default1 ? ", default1)" : ")") : b.sdm;
        std::snprintf(line, sizeof line, "  %2d  %-46s %s\n", b.bit, name.c_str(), setting_name(b.setting));
        o << line;
    }
}

void flags_text(std::ostringstream& o, const std::vector<NamedFlag>& f)
{
    for (const auto& x : f) {
        char line[160];
        std::snprintf(line, sizeof line, "  %2d  %-54s %s\n", x.bit, x.description.c_str(), yn(x.set));
        o << line;
    }
}

void strategy_text(std::ostringstream& o, const char* name, const Strategy& s)
{
    o << "  " << name << ": "
      << (s.possible ? "possible" : s.known ? "not possible" : "undecided (a value it needs is not known)") << "\n";
    for (const auto& r : s.reasons) o << "    - " << r << "\n";
}

// A 64-bit value: the number, and its exact hex string beside it (jq and
// JavaScript read numbers as doubles, exact only up to 2^53).
void put64(nlohmann::json& j, const std::string& key, uint64_t v)
{
    j[key] = v;
    j[key + "_hex"] = hex(v, 16);
}

nlohmann::json flags_json(const std::vector<NamedFlag>& f)
{
    nlohmann::json j = nlohmann::json::object();
    for (const auto& x : f) j[x.name] = x.set;
    return j;
}

nlohmann::json control_json(const ControlCaps& c)
{
    nlohmann::json j;
    j["msr"] = c.msr;
    j["present"] = c.present;
    if (!c.present) return j;
    put64(j, "raw", c.raw);
    if (c.true_msr) j["true_msr"] = c.true_msr;
    j["uses_true"] = c.uses_true;
    if (c.uses_true) put64(j, "raw_true", c.raw_true);
    put64(j, "must_be_1", c.must_be_1);
    put64(j, "may_be_1", c.may_be_1);
    auto& bits = j["bits"] = nlohmann::json::array();
    for (const auto& b : c.bits) {
        nlohmann::json x;
        x["bit"] = b.bit;
        x["name"] = b.name.empty() ? nlohmann::json(nullptr) : nlohmann::json(b.name);
        x["sdm_name"] = b.sdm.empty() ? nlohmann::json(nullptr) : nlohmann::json(b.sdm);
        x["may_be_0"] = b.may_be_0;
        x["may_be_1"] = b.may_be_1;
        x["default1"] = b.default1;
        x["setting"] = setting_name(b.setting);
        bits.push_back(x);
    }
    return j;
}

nlohmann::json cr_json(const CrFixed& c)
{
    nlohmann::json j;
    j["present"] = c.present;
    if (!c.present) return j;
    put64(j, "fixed0", c.fixed0);
    put64(j, "fixed1", c.fixed1);
    j["must_be_1"] = c.must_be_1;
    j["must_be_0"] = c.must_be_0;
    j["flexible"] = c.flexible;
    return j;
}

}  // namespace

std::string no_vmx_line(const Decoded& d)
{
    std::string s = "no VMX on this CPU (" + (d.vendor.empty() ? std::string("unknown vendor") : d.vendor) +
                    ", CPUID.1:ECX.VMX = 0)";
    if (d.svm) {
        std::vector<std::string> on;
        for (const auto& f : d.svm_feature_bits)
            if (f.set) on.push_back(f.name);
        s += "; AMD-V (SVM) revision " + std::to_string(d.svm_revision) + ", " + std::to_string(d.svm_asids) +
             " ASIDs, features " + hex(d.svm_features, 8) + " (" + join(on) + ")";
    } else if (d.vendor == "AuthenticAMD" || d.vendor == "HygonGenuine") {
        s += "; no AMD-V either (CPUID 0x80000001:ECX.SVM = 0)";
    }
    s += ": the vmx backend cannot run here";
    return s;
}

std::string render_text(const Decoded& d)
{
    std::ostringstream o;
    o << "CPU: " << (d.model.empty() ? "unknown model" : d.model) << " (" << d.vendor << "), source: " << d.source
      << ", CPU " << d.cpu;
    if (d.cpus.size() > 1) {
        o << " of " << d.cpus.size();
        if (d.differing.empty())
            o << " (all identical)";
    }
    o << "\n";
    for (const auto& [cpu, msrs] : d.differing) {
        std::vector<std::string> n;
        for (uint32_t i : msrs) n.push_back(msr_name(i));
        o << "  CPU " << cpu << " differs from CPU " << d.cpu << " in " << join(n, ", ") << "\n";
    }
    if (!d.vmx) {
        o << no_vmx_line(d) << "\n";
        return o.str();
    }

    o << "\nCapability MSRs\n";
    for (const auto& m : d.msrs) {
        char line[200];
        std::snprintf(line, sizeof line, "  %s %-30s %-18s %s\n", hex(m.index, 3).c_str(), m.name.c_str(),
                      m.value ? hex(*m.value, 16).c_str() : "", m.state.c_str());
        o << line;
    }
    if (d.feature_control) {
        o << "\nIA32_FEATURE_CONTROL (0x03a) = " << hex(*d.feature_control, 16) << "\n";
        flags_text(o, d.feature_control_bits);
    }
    if (d.basic) {
        o << "\nA.1 Basic VMX information (IA32_VMX_BASIC = " << hex(*d.basic, 16) << ")\n"
          << "  VMCS revision identifier        " << hex(d.revision) << "\n"
          << "  VMXON/VMCS region size          " << d.region_size << " bytes\n"
          << "  Physical addresses limited to 32 bits  " << yn(d.pa_32bit) << "\n"
          << "  Dual-monitor treatment of SMM   " << yn(d.dual_monitor) << "\n"
          << "  VMCS memory type                " << d.memory_type << " (" << mem_type_name(d.memory_type) << ")\n"
          << "  INS/OUTS exit information       " << yn(d.ins_outs_info) << "\n"
          << "  TRUE controls (default1 clearable)  " << yn(d.true_ctls) << "\n"
          << "  HW exceptions without error-code check  " << yn(d.no_errcode_check) << "\n";
    }
    control_text(o, "A.3.1", d.pin);
    control_text(o, "A.3.2", d.primary);
    control_text(o, "A.3.3", d.secondary);
    control_text(o, "A.3.4", d.tertiary);
    control_text(o, "A.4.1", d.exit);
    control_text(o, "A.4.2", d.exit2);
    control_text(o, "A.5", d.entry);
    if (d.misc) {
        o << "\nA.6 Miscellaneous data (IA32_VMX_MISC = " << hex(*d.misc, 16) << ")\n"
          << "  VMX-preemption timer rate       TSC bit " << d.preemption_timer_rate << " (1 tick per "
          << (1ull << d.preemption_timer_rate) << " TSC cycles)\n"
          << "  Exit stores EFER.LMA            " << yn(d.misc_save_efer_lma) << "\n"
          << "  Activity states                 HLT " << yn(d.act_hlt) << ", shutdown " << yn(d.act_shutdown)
          << ", wait-for-SIPI " << yn(d.act_wait_sipi) << "\n"
          << "  Intel PT in VMX operation       " << yn(d.pt_in_vmx) << "\n"
          << "  RDMSR of IA32_SMBASE in SMM     " << yn(d.rdmsr_smbase) << "\n"
          << "  CR3-target values               " << d.cr3_targets << "\n"
          << "  MSR-list maximum                " << d.max_msr_list << " entries\n"
          << "  IA32_SMM_MONITOR_CTL[2] settable  " << yn(d.smm_monitor_ctl_b2) << "\n"
          << "  VMWRITE to exit-information fields  " << yn(d.vmwrite_any) << "\n"
          << "  Zero-length software-event injection  " << yn(d.zero_len_inject) << "\n"
          << "  MSEG revision identifier        " << hex(d.mseg_revision) << "\n";
    }
    if (d.cr0.present)
        o << "\nA.7 CR0 in VMX operation (FIXED0 = " << hex(d.cr0.fixed0, 16) << ", FIXED1 = " << hex(d.cr0.fixed1, 16)
          << ")\n  fixed to 1: " << join(d.cr0.must_be_1) << "\n  fixed to 0: " << join(d.cr0.must_be_0)
          << "\n  flexible:   " << join(d.cr0.flexible)
          << "\n  (PE and PG may be 0 in the guest under \"unrestricted guest\", SDM Vol. 3C §26.3.1.1)\n";
    if (d.cr4.present)
        o << "\nA.8 CR4 in VMX operation (FIXED0 = " << hex(d.cr4.fixed0, 16) << ", FIXED1 = " << hex(d.cr4.fixed1, 16)
          << ")\n  fixed to 1: " << join(d.cr4.must_be_1) << "\n  fixed to 0: " << join(d.cr4.must_be_0)
          << "\n  flexible:   " << join(d.cr4.flexible) << "\n";
    if (d.vmcs_enum)
        o << "\nA.9 VMCS enumeration (IA32_VMX_VMCS_ENUM = " << hex(*d.vmcs_enum, 16) << ")\n  highest index "
          << d.vmcs_max_index << " (" << hex(d.vmcs_max_index) << ")\n";
    if (d.ept_vpid) {
        o << "\nA.10 EPT and VPID capabilities (IA32_VMX_EPT_VPID_CAP = " << hex(*d.ept_vpid, 16) << ")\n";
        flags_text(o, d.ept_vpid_bits);
        o << "      maximum HLAT prefix size                            " << d.hlat_prefix_size << "\n";
    }
    if (d.vmfunc) {
        o << "\nA.11 VM functions (IA32_VMX_VMFUNC = " << hex(*d.vmfunc, 16) << ")\n";
        flags_text(o, d.vmfunc_bits);
    }
    o << "\nbiosx verdict: " << d.verdict << "\n";
    strategy_text(o, "unrestricted guest", d.unrestricted);
    strategy_text(o, "virtual-8086", d.vm86);
    return o.str();
}

nlohmann::json to_json(const Decoded& d)
{
    nlohmann::json j;
    j["schema"] = "biosx.caps";
    j["schema_version"] = kCapsSchemaVersion;
    j["source"] = d.source;
    j["model"] = d.model;
    j["vendor"] = d.vendor;
    j["vmx"] = d.vmx;
    if (!d.vmx) {
        nlohmann::json s;
        s["present"] = d.svm;
        if (d.svm) {
            s["revision"] = d.svm_revision;
            s["asids"] = d.svm_asids;
            s["features_raw"] = d.svm_features;
            s["features"] = flags_json(d.svm_feature_bits);
        }
        j["svm"] = s;
        j["verdict"] = {{"strategy", "none"}, {"reason", no_vmx_line(d)}};
        return j;
    }
    j["cpu"] = d.cpu;
    j["cpus"] = d.cpus;
    auto& diff = j["differing_cpus"] = nlohmann::json::array();
    for (const auto& [cpu, msrs] : d.differing) {
        nlohmann::json x;
        x["cpu"] = cpu;
        for (uint32_t i : msrs) x["msrs"].push_back(msr_name(i));
        diff.push_back(x);
    }
    auto& msrs = j["msrs"] = nlohmann::json::array();
    for (const auto& m : d.msrs) {
        nlohmann::json x;
        x["index"] = m.index;
        x["name"] = m.name;
        x["state"] = m.state;
        x["rule"] = m.rule;
        x["value"] = m.value ? nlohmann::json(*m.value) : nlohmann::json(nullptr);
        x["value_hex"] = m.value ? nlohmann::json(hex(*m.value, 16)) : nlohmann::json(nullptr);
        msrs.push_back(x);
    }
    if (d.feature_control) {
        j["feature_control"] = flags_json(d.feature_control_bits);
        put64(j["feature_control"], "raw", *d.feature_control);
    }
    if (d.basic)
        j["basic"] = {{"raw", *d.basic},
                      {"raw_hex", hex(*d.basic, 16)},
                      {"revision", d.revision},
                      {"region_size", d.region_size},
                      {"pa_32bit", d.pa_32bit},
                      {"dual_monitor_smm", d.dual_monitor},
                      {"memory_type", d.memory_type},
                      {"memory_type_name", mem_type_name(d.memory_type)},
                      {"ins_outs_info", d.ins_outs_info},
                      {"true_controls", d.true_ctls},
                      {"no_hw_errcode_check", d.no_errcode_check}};
    auto& ctl = j["controls"];
    for (const ControlCaps* c : {&d.pin, &d.primary, &d.secondary, &d.tertiary, &d.exit, &d.exit2, &d.entry})
        ctl[c->key] = control_json(*c);
    if (d.misc)
        j["misc"] = {{"raw", *d.misc},
                     {"raw_hex", hex(*d.misc, 16)},
                     {"preemption_timer_tsc_bit", d.preemption_timer_rate},
                     {"save_efer_lma", d.misc_save_efer_lma},
                     {"activity_hlt", d.act_hlt},
                     {"activity_shutdown", d.act_shutdown},
                     {"activity_wait_for_sipi", d.act_wait_sipi},
                     {"pt_in_vmx", d.pt_in_vmx},
                     {"rdmsr_smbase_in_smm", d.rdmsr_smbase},
                     {"cr3_target_count", d.cr3_targets},
                     {"max_msr_list", d.max_msr_list},
                     {"smm_monitor_ctl_bit2", d.smm_monitor_ctl_b2},
                     {"vmwrite_any_field", d.vmwrite_any},
                     {"zero_length_injection", d.zero_len_inject},
                     {"mseg_revision", d.mseg_revision}};
    j["cr0"] = cr_json(d.cr0);
    j["cr4"] = cr_json(d.cr4);
    if (d.vmcs_enum)
        j["vmcs_enum"] = {{"raw", *d.vmcs_enum}, {"raw_hex", hex(*d.vmcs_enum, 16)}, {"highest_index", d.vmcs_max_index}};
    if (d.ept_vpid) {
        j["ept_vpid"] = flags_json(d.ept_vpid_bits);
        put64(j["ept_vpid"], "raw", *d.ept_vpid);
        j["ept_vpid"]["hlat_prefix_size"] = d.hlat_prefix_size;
    }
    if (d.vmfunc) {
        j["vmfunc"] = flags_json(d.vmfunc_bits);
        put64(j["vmfunc"], "raw", *d.vmfunc);
    }
    j["verdict"] = {{"strategy", d.verdict},
                    {"unrestricted_guest", {{"possible", d.unrestricted.possible}, {"reasons", d.unrestricted.reasons}}},
                    {"vm86", {{"possible", d.vm86.possible}, {"reasons", d.vm86.reasons}}}};
    return j;
}

}  // namespace biosx::caps
