// caps_decode.cpp - existence rules and decoding of the VMX capability MSRs
// (SDM Vol. 3D Appendix A), and biosx's verdict on its two strategies (the
// module's own, shared/x86/vmx_verdict.h). Pure computation on recorded
// values. Userspace.
#include <algorithm>
#include <cstdio>

#include "core/caps/caps.h"
#include "x86/vmx_msrs.h"
#include "x86/vmx_verdict.h"

namespace biosx::caps {

namespace {

std::string hex(uint64_t v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

struct MsrInfo {
    const char* name;
    uint32_t index;
    int rule;
};
constexpr MsrInfo kMsrs[] = {
#define X(n, i, r) {#n, i, r},
    BIOSX_VMX_MSRS(X)
#undef X
};

std::optional<uint64_t> get(const CpuValues& v, uint32_t idx)
{
    auto it = v.msr.find(idx);
    if (it == v.msr.end()) return std::nullopt;
    return it->second;
}

}  // namespace

std::optional<uint32_t> RawCaps::cpuid_reg(const std::string& key) const
{
    auto it = cpuid.find(key);
    if (it == cpuid.end()) return std::nullopt;
    return it->second;
}

bool RawCaps::has_vmx() const
{
    auto ecx = cpuid_reg("1.ecx");
    return ecx && (*ecx & BIOSX_CPUID1_ECX_VMX);
}

const std::vector<uint32_t>& known_msrs()
{
    static const std::vector<uint32_t> v = [] {
        std::vector<uint32_t> r;
        for (const auto& m : kMsrs) r.push_back(m.index);
        return r;
    }();
    return v;
}

std::string msr_name(uint32_t index)
{
    for (const auto& m : kMsrs)
        if (m.index == index) return m.name;
    return "MSR " + hex(index);
}

Exists msr_exists(uint32_t index, uint32_t ecx1, const CpuValues& v, std::string* why)
{
    const MsrInfo* info = nullptr;
    for (const auto& m : kMsrs)
        if (m.index == index) info = &m;
    if (!info) {
        if (why) *why = "not a VMX capability MSR";
        return Exists::unknown;
    }
    if (why) *why = biosx_vmx_msr_rule_text(info->rule);
    // The rule of shared/x86/vmx_msrs.h, over what this CPU's record knows:
    // a value read, or 0 for an MSR recorded as absent (it allows nothing).
    biosx_vmx_msr_facts facts{};
    facts.cpuid1_ecx = ecx1;
    for (const auto& a : v.absent) biosx_vmx_msr_fact(&facts, a.first, 0);
    for (const auto& [idx, value] : v.msr) biosx_vmx_msr_fact(&facts, idx, value);
    switch (biosx_vmx_msr_exists(info->rule, &facts)) {
    case BIOSX_MSR_EXISTS_YES: return Exists::yes;
    case BIOSX_MSR_EXISTS_NO: return Exists::no;
    default: return Exists::unknown;
    }
}

const char* setting_name(Setting s)
{
    switch (s) {
    case Setting::flexible: return "flexible";
    case Setting::must_be_1: return "must-be-1";
    case Setting::must_be_0: return "must-be-0";
    case Setting::default1_clearable: return "default1-clearable";
    case Setting::contradictory: return "contradictory";
    }
    return "?";
}

namespace {

struct BitName {
    const char* name;
    int bit;
    const char* sdm;
};
#define BIOSX_BITNAME(n, b, s) {#n, b, s},
constexpr BitName kPin[] = {BIOSX_PIN_BASED_CONTROLS(BIOSX_BITNAME)};
constexpr BitName kPrimary[] = {BIOSX_CPU_BASED_CONTROLS(BIOSX_BITNAME)};
constexpr BitName kSecondary[] = {BIOSX_SECONDARY_EXEC_CONTROLS(BIOSX_BITNAME)};
constexpr BitName kTertiary[] = {BIOSX_TERTIARY_EXEC_CONTROLS(BIOSX_BITNAME)};
constexpr BitName kExit[] = {BIOSX_VM_EXIT_CONTROLS(BIOSX_BITNAME)};
constexpr BitName kExit2[] = {BIOSX_SECONDARY_VM_EXIT_CONTROLS(BIOSX_BITNAME)};
constexpr BitName kEntry[] = {BIOSX_VM_ENTRY_CONTROLS(BIOSX_BITNAME)};
constexpr BitName kFeatureControl[] = {BIOSX_FEATURE_CONTROL_BITS(BIOSX_BITNAME)};
constexpr BitName kEptVpid[] = {BIOSX_EPT_VPID_CAP_BITS(BIOSX_BITNAME)};
constexpr BitName kVmfunc[] = {BIOSX_VMFUNC_BITS(BIOSX_BITNAME)};
#undef BIOSX_BITNAME

struct CrName {
    const char* name;
    int bit;
};
#define BIOSX_CRNAME(n, b) {#n, b},
constexpr CrName kCr0[] = {BIOSX_CR0_BITS(BIOSX_CRNAME)};
constexpr CrName kCr4[] = {BIOSX_CR4_BITS(BIOSX_CRNAME)};
#undef BIOSX_CRNAME

// AMD APM Vol. 3, CPUID Fn8000_000A_EDX (names as Linux's cpufeatures.h).
constexpr BitName kSvm[] = {
    {"NPT", 0, "nested paging"},
    {"LBRV", 1, "LBR virtualization"},
    {"SVML", 2, "SVM lock"},
    {"NRIPS", 3, "next-RIP save"},
    {"TSCRATEMSR", 4, "MSR-based TSC rate control"},
    {"VMCBCLEAN", 5, "VMCB clean bits"},
    {"FLUSHBYASID", 6, "flush by ASID"},
    {"DECODEASSISTS", 7, "decode assists"},
    {"PAUSEFILTER", 10, "PAUSE intercept filter"},
    {"PFTHRESHOLD", 12, "PAUSE filter threshold"},
    {"AVIC", 13, "AMD virtual interrupt controller"},
    {"V_VMSAVE_VMLOAD", 15, "virtualized VMSAVE/VMLOAD"},
    {"VGIF", 16, "virtualized GIF"},
    {"X2AVIC", 18, "virtual x2APIC"},
    {"V_SPEC_CTRL", 20, "virtualized SPEC_CTRL"},
    {"SVME_ADDR_CHK", 28, "SVME address check"},
};

template <size_t N>
std::vector<NamedFlag> flags(const BitName (&names)[N], uint64_t value)
{
    std::vector<NamedFlag> r;
    for (const auto& b : names) r.push_back({b.name, b.sdm, b.bit, ((value >> b.bit) & 1) != 0});
    return r;
}

struct ControlSpec {
    const char* key;
    const char* title;
    uint32_t msr, true_msr;
    uint32_t default1;
    bool wide;
    const BitName* names;
    size_t count;
};

template <size_t N>
constexpr size_t count_of(const BitName (&)[N])
{
    return N;
}

const ControlSpec kControls[] = {
    {"pin_based", "Pin-based VM-execution controls", BIOSX_MSR_IA32_VMX_PINBASED_CTLS,
     BIOSX_MSR_IA32_VMX_TRUE_PINBASED_CTLS, BIOSX_PIN_BASED_DEFAULT1, false, kPin, count_of(kPin)},
    {"primary", "Primary processor-based VM-execution controls", BIOSX_MSR_IA32_VMX_PROCBASED_CTLS,
     BIOSX_MSR_IA32_VMX_TRUE_PROCBASED_CTLS, BIOSX_CPU_BASED_DEFAULT1, false, kPrimary, count_of(kPrimary)},
    {"secondary", "Secondary processor-based VM-execution controls", BIOSX_MSR_IA32_VMX_PROCBASED_CTLS2, 0, 0,
     false, kSecondary, count_of(kSecondary)},
    {"tertiary", "Tertiary processor-based VM-execution controls", BIOSX_MSR_IA32_VMX_PROCBASED_CTLS3, 0, 0,
     true, kTertiary, count_of(kTertiary)},
    {"exit", "Primary VM-exit controls", BIOSX_MSR_IA32_VMX_EXIT_CTLS, BIOSX_MSR_IA32_VMX_TRUE_EXIT_CTLS,
     BIOSX_VM_EXIT_DEFAULT1, false, kExit, count_of(kExit)},
    {"exit2", "Secondary VM-exit controls", BIOSX_MSR_IA32_VMX_EXIT_CTLS2, 0, 0, true, kExit2, count_of(kExit2)},
    {"entry", "VM-entry controls", BIOSX_MSR_IA32_VMX_ENTRY_CTLS, BIOSX_MSR_IA32_VMX_TRUE_ENTRY_CTLS,
     BIOSX_VM_ENTRY_DEFAULT1, false, kEntry, count_of(kEntry)},
};

CrFixed decode_cr(const CpuValues& v, uint32_t f0, uint32_t f1, const CrName* names, size_t n)
{
    CrFixed c;
    auto a = get(v, f0), b = get(v, f1);
    if (!a || !b) return c;
    c.present = true;
    c.fixed0 = *a;
    c.fixed1 = *b;
    // §A.7/§A.8: a bit set in FIXED0 must be 1; a bit clear in FIXED1 must be 0.
    for (size_t i = 0; i < n; ++i) {
        const uint64_t m = 1ull << names[i].bit;
        if (c.fixed0 & m)
            c.must_be_1.push_back(names[i].name);
        else if (!(c.fixed1 & m))
            c.must_be_0.push_back(names[i].name);
        else
            c.flexible.push_back(names[i].name);
    }
    return c;
}

}  // namespace

ControlCaps decode_control(const std::string& key, const CpuValues& v, bool true_ctls)
{
    const ControlSpec* spec = nullptr;
    for (const auto& s : kControls)
        if (key == s.key) spec = &s;
    ControlCaps c;
    if (!spec) return c;
    c.key = spec->key;
    c.title = spec->title;
    c.msr = spec->msr;
    c.true_msr = spec->true_msr;
    c.wide = spec->wide;
    auto plain = get(v, spec->msr);
    if (!plain) return c;
    c.present = true;
    c.raw = *plain;
    std::optional<uint64_t> tru;
    if (true_ctls && spec->true_msr) tru = get(v, spec->true_msr);
    c.uses_true = tru.has_value();
    if (tru) c.raw_true = *tru;
    const uint64_t eff = tru ? *tru : *plain;
    if (spec->wide) {
        // §A.3.4/§A.4.2: a 64-bit allowed-1 mask; every bit may be 0.
        c.must_be_1 = 0;
        c.may_be_1 = eff;
    } else {
        // §A.3.1: bits 31:0 allowed-0 settings (1 = must be 1), bits 63:32
        // allowed-1 settings (1 = may be 1).
        c.must_be_1 = eff & 0xffffffffull;
        c.may_be_1 = eff >> 32;
    }
    const int width = spec->wide ? 64 : 32;
    for (int bit = 0; bit < width; ++bit) {
        ControlBit b;
        b.bit = bit;
        for (size_t i = 0; i < spec->count; ++i)
            if (spec->names[i].bit == bit) {
                b.name = spec->names[i].name;
                b.sdm = spec->names[i].sdm;
            }
        b.default1 = bit < 32 && ((spec->default1 >> bit) & 1);
        b.may_be_0 = !((c.must_be_1 >> bit) & 1);
        b.may_be_1 = (c.may_be_1 >> bit) & 1;
        const bool plain_forced = !spec->wide && ((*plain >> bit) & 1);
        if (b.may_be_0 && b.may_be_1)
            b.setting = (b.default1 && tru && plain_forced) ? Setting::default1_clearable : Setting::flexible;
        else if (b.may_be_1)
            b.setting = Setting::must_be_1;
        else if (b.may_be_0)
            b.setting = Setting::must_be_0;
        else
            b.setting = Setting::contradictory;
        // Keep every named bit, and reserved bits that are anything but a plain 0.
        if (!b.name.empty() || b.setting != Setting::must_be_0) c.bits.push_back(b);
    }
    return c;
}

namespace {

// The verdict of shared/x86/vmx_verdict.h, the one the module's probe acts
// on, over what this CPU's record knows; each strategy lists every condition
// it needs that is not met (the module logs the first), or notes when it can run.
void judge(Decoded& d, const CpuValues& v, uint32_t ecx1)
{
    biosx_vmx_values values{};
    values.cpuid1_ecx = ecx1;
    unsigned present = 0;
    for (size_t i = 0; i < std::size(kMsrs); ++i)
        if (auto x = get(v, kMsrs[i].index)) {
            values.msr[i] = *x;
            present |= 1u << i;
        }
    biosx_vmx_values_settle(&values, present);
    biosx_vmx_verdict verdict{};
    biosx_vmx_judge(&values, &verdict);
    d.verdict = biosx_vmx_verdict_name(verdict.verdict);

    std::vector<std::string> notes;
    if (d.pa_32bit) notes.push_back("note: VMXON/VMCS regions must lie below 4 GiB (IA32_VMX_BASIC[48] = 1)");
    if (biosx_vmx_has_preemption_timer(&values) == BIOSX_VMX_NO)
        notes.push_back("note: no VMX-preemption timer: an hrtimer ends each slice");
    if (biosx_vmx_has_load_efer(&values) == BIOSX_VMX_NO)
        notes.push_back("note: no \"load IA32_EFER\" controls: EFER is switched by the VM-entry/VM-exit MSR-load lists");
    const auto fill = [&](Strategy& s, int strategy, int answer) {
        s.possible = answer == BIOSX_VMX_YES;
        s.known = answer != BIOSX_VMX_UNKNOWN;
        s.reasons.clear();
        if (s.possible) {
            s.reasons = notes;
            return;
        }
        const unsigned needs = biosx_vmx_strategy_needs(strategy);
        for (unsigned cond = 0; cond < BIOSX_COND_COUNT; ++cond) {
            const char* why = nullptr;
            if (!(needs & (1u << cond)) || biosx_vmx_condition(&values, cond, &why) == BIOSX_VMX_YES) continue;
            if (std::find(s.reasons.begin(), s.reasons.end(), why) == s.reasons.end()) s.reasons.push_back(why);
        }
    };
    fill(d.unrestricted, BIOSX_VMX_STRATEGY_UNRESTRICTED, verdict.unrestricted);
    fill(d.vm86, BIOSX_VMX_STRATEGY_VM86, verdict.vm86);
}

}  // namespace

Decoded decode(const RawCaps& raw, int cpu_index)
{
    Decoded d;
    d.vendor = raw.vendor;
    d.model = raw.model;
    d.source = raw.source;
    d.vmx = raw.has_vmx();
    const uint32_t ecx1 = raw.cpuid_reg("1.ecx").value_or(0);

    if (!d.vmx) {
        auto e1 = raw.cpuid_reg("80000001.ecx");
        d.svm = e1 && (*e1 & BIOSX_CPUID80000001_ECX_SVM);
        if (d.svm) {
            d.svm_revision = raw.cpuid_reg("8000000a.eax").value_or(0) & 0xff;
            d.svm_asids = raw.cpuid_reg("8000000a.ebx").value_or(0);
            d.svm_features = raw.cpuid_reg("8000000a.edx").value_or(0);
            d.svm_feature_bits = flags(kSvm, d.svm_features);
        }
        d.verdict = "none";
        d.unrestricted.reasons.push_back("the CPU has no VMX (CPUID.1:ECX.VMX = 0)");
        d.vm86.reasons = d.unrestricted.reasons;
        return d;
    }
    if (raw.cpus.empty()) {
        judge(d, CpuValues{}, ecx1);  // nothing known: "unknown", naming the first MSR
        return d;
    }
    if (cpu_index < 0 || cpu_index >= static_cast<int>(raw.cpus.size())) cpu_index = 0;
    const CpuValues& v = raw.cpus[cpu_index];
    d.cpu = v.cpu;
    for (const auto& c : raw.cpus) {
        d.cpus.push_back(c.cpu);
        if (&c == &v) continue;
        std::vector<uint32_t> diff;
        for (uint32_t idx : known_msrs()) {
            auto a = get(v, idx), b = get(c, idx);
            if (a != b) diff.push_back(idx);
        }
        if (!diff.empty()) d.differing[c.cpu] = diff;
    }

    for (const auto& m : kMsrs) {
        Decoded::MsrState s{m.index, m.name, "", "", get(v, m.index)};
        Exists e = msr_exists(m.index, ecx1, v, &s.rule);
        const bool recorded = s.value.has_value();
        const bool marked_absent = v.absent.count(m.index) != 0;
        if (e == Exists::no)
            s.state = recorded ? "unexpected" : "absent";
        else if (recorded)
            s.state = "present";
        else if (marked_absent && e == Exists::yes)
            s.state = "missing";
        else
            s.state = "not recorded";
        d.msrs.push_back(s);
    }
    // Values the SDM says do not exist are not decoded.
    CpuValues ok = v;
    for (const auto& s : d.msrs)
        if (s.state == "unexpected") ok.msr.erase(s.index);

    d.feature_control = get(ok, BIOSX_MSR_IA32_FEATURE_CONTROL);
    if (d.feature_control) d.feature_control_bits = flags(kFeatureControl, *d.feature_control);

    d.basic = get(ok, BIOSX_MSR_IA32_VMX_BASIC);
    if (d.basic) {
        const uint64_t b = *d.basic;
        d.revision = b & BIOSX_VMX_BASIC_REVISION_MASK;
        d.region_size = (b >> BIOSX_VMX_BASIC_VMCS_SIZE_SHIFT) & BIOSX_VMX_BASIC_VMCS_SIZE_MASK;
        d.memory_type = (b >> BIOSX_VMX_BASIC_MEM_TYPE_SHIFT) & BIOSX_VMX_BASIC_MEM_TYPE_MASK;
        d.pa_32bit = b & BIOSX_VMX_BASIC_PA_32BIT;
        d.dual_monitor = b & BIOSX_VMX_BASIC_DUAL_MONITOR;
        d.ins_outs_info = b & BIOSX_VMX_BASIC_INOUT;
        d.true_ctls = b & BIOSX_VMX_BASIC_TRUE_CTLS;
        d.no_errcode_check = b & BIOSX_VMX_BASIC_NO_HW_ERRCODE_CHECK;
    }
    d.pin = decode_control("pin_based", ok, d.true_ctls);
    d.primary = decode_control("primary", ok, d.true_ctls);
    d.secondary = decode_control("secondary", ok, d.true_ctls);
    d.tertiary = decode_control("tertiary", ok, d.true_ctls);
    d.exit = decode_control("exit", ok, d.true_ctls);
    d.exit2 = decode_control("exit2", ok, d.true_ctls);
    d.entry = decode_control("entry", ok, d.true_ctls);

    d.misc = get(ok, BIOSX_MSR_IA32_VMX_MISC);
    if (d.misc) {
        const uint64_t m = *d.misc;
        d.preemption_timer_rate = m & BIOSX_VMX_MISC_PREEMPT_RATE_MASK;
        d.misc_save_efer_lma = m & BIOSX_VMX_MISC_SAVE_EFER_LMA;
        d.act_hlt = m & BIOSX_VMX_MISC_ACTIVITY_HLT;
        d.act_shutdown = m & BIOSX_VMX_MISC_ACTIVITY_SHUTDOWN;
        d.act_wait_sipi = m & BIOSX_VMX_MISC_ACTIVITY_WAIT_SIPI;
        d.pt_in_vmx = m & BIOSX_VMX_MISC_PT_IN_VMX;
        d.rdmsr_smbase = m & BIOSX_VMX_MISC_RDMSR_SMBASE;
        d.cr3_targets = (m >> BIOSX_VMX_MISC_CR3_TARGETS_SHIFT) & BIOSX_VMX_MISC_CR3_TARGETS_MASK;
        d.max_msr_list = 512u * (((m >> BIOSX_VMX_MISC_MSR_LIST_SHIFT) & BIOSX_VMX_MISC_MSR_LIST_MASK) + 1);
        d.smm_monitor_ctl_b2 = m & BIOSX_VMX_MISC_SMM_MONITOR_CTL_B2;
        d.vmwrite_any = m & BIOSX_VMX_MISC_VMWRITE_ANY;
        d.zero_len_inject = m & BIOSX_VMX_MISC_ZERO_LEN_INJECT;
        d.mseg_revision = static_cast<uint32_t>(m >> BIOSX_VMX_MISC_MSEG_REV_SHIFT);
    }
    d.cr0 = decode_cr(ok, BIOSX_MSR_IA32_VMX_CR0_FIXED0, BIOSX_MSR_IA32_VMX_CR0_FIXED1, kCr0, std::size(kCr0));
    d.cr4 = decode_cr(ok, BIOSX_MSR_IA32_VMX_CR4_FIXED0, BIOSX_MSR_IA32_VMX_CR4_FIXED1, kCr4, std::size(kCr4));
    d.vmcs_enum = get(ok, BIOSX_MSR_IA32_VMX_VMCS_ENUM);
    if (d.vmcs_enum) d.vmcs_max_index = BIOSX_VMX_VMCS_ENUM_MAX_INDEX(*d.vmcs_enum);
    d.ept_vpid = get(ok, BIOSX_MSR_IA32_VMX_EPT_VPID_CAP);
    if (d.ept_vpid) {
        d.ept_vpid_bits = flags(kEptVpid, *d.ept_vpid);
        d.hlat_prefix_size = (*d.ept_vpid >> BIOSX_EPT_VPID_CAP_HLAT_PREFIX_SHIFT) & BIOSX_EPT_VPID_CAP_HLAT_PREFIX_MASK;
    }
    d.vmfunc = get(ok, BIOSX_MSR_IA32_VMX_VMFUNC);
    if (d.vmfunc) d.vmfunc_bits = flags(kVmfunc, *d.vmfunc);
    judge(d, ok, ecx1);
    return d;
}

}  // namespace biosx::caps
