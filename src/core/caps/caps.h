// caps.h - `biosx caps`: the VMX capability MSRs of a CPU, read (module,
// /dev/cpu/N/msr or a saved file), decoded as SDM Vol. 3D Appendix A lays
// them out, and judged for biosx's two strategies. Userspace.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace biosx::caps {

// ---- Raw values: what was read, before any interpretation ----------------

// One CPU's MSR values. An index in neither map was not recorded.
struct CpuValues {
    int cpu = 0;
    std::map<uint32_t, uint64_t> msr;   // index -> value
    std::map<uint32_t, bool> absent;    // index -> true: read faulted / marked absent
};

struct RawCaps {
    std::string model;                       // "cpu-model" line, or CPUID brand string
    std::string vendor;                      // "GenuineIntel", "AuthenticAMD", ...
    std::map<std::string, uint32_t> cpuid;   // "1.ecx", "80000001.ecx", "8000000a.edx", ...
    std::string source;                      // "module", "msr", "file PATH"
    std::vector<CpuValues> cpus;             // empty without VMX

    std::optional<uint32_t> cpuid_reg(const std::string& key) const;
    bool has_vmx() const;
};

// ---- Reading --------------------------------------------------------------

struct ReadOptions {
    std::optional<int> cpu;  // --cpu N
    bool all_cpus = false;   // --all-cpus
};

// CPUID of the calling CPU: vendor, brand, leaf 1 ECX, and on AMD the SVM
// leaves (0x80000001 ECX, 0x8000000A EAX/EBX/EDX).
RawCaps read_cpuid_host();

// Fills `raw.cpus` from /dev/cpu/N/msr, reading only MSRs whose existence
// rule (vmx_msrs.h) holds for the values read before them. Throws
// Error(environment) naming the device and the fix when it cannot be opened.
void read_msrs_host(RawCaps& raw, const ReadOptions& opt);

// The module's capability ioctl (BIOSX_IOC_GET_CAPS on /dev/biosx).
// Returns false when /dev/biosx is absent; the caller then falls back to
// /dev/cpu/N/msr. Throws Error(environment) when the module is there but
// cannot be used (permission, another ABI), naming the ioctl that failed.
bool read_msrs_module(RawCaps& raw, const ReadOptions& opt);

// Everything `biosx caps` reads on this machine: module first, msr driver
// second. Without VMX only CPUID is read.
RawCaps read_host(const ReadOptions& opt);

// "--cpu N": 0..8191; throws Usage otherwise.
int parse_cpu(std::string_view text);

// ---- The saved-file format (docs/caps.md) -----------------------------------

// Parses the text format; `origin` names the file in errors. A malformed
// line is Error(usage) "FILE:LINE: ...".
RawCaps parse_caps_file(const std::string& text, const std::string& origin);
RawCaps load_caps_file(const std::string& path);
std::string format_caps_file(const RawCaps& raw);
// The index in raw.cpus of CPU `cpu` (--cpu with --from); throws Usage
// naming `origin` when the file has no such CPU.
int cpu_index(const RawCaps& raw, int cpu, const std::string& origin);

// ---- Existence rules (SDM Vol. 3D Appendix A) -----------------------------

enum class Exists { yes, no, unknown };
// Whether MSR `index` exists given CPUID.1:ECX and the MSRs in `v` (those
// its rule depends on). `why` receives the rule in words.
Exists msr_exists(uint32_t index, uint32_t cpuid1_ecx, const CpuValues& v, std::string* why = nullptr);
// The MSRs biosx caps knows, in reading order.
const std::vector<uint32_t>& known_msrs();
std::string msr_name(uint32_t index);

// ---- Decoding -------------------------------------------------------------

// SDM Vol. 3D §A.2/§A.3.1: what a control bit may be set to.
enum class Setting {
    flexible,            // may be 0 or 1
    must_be_1,           // forced to 1
    must_be_0,           // reserved / unsupported: forced to 0
    default1_clearable,  // default1 class: 1 in the plain MSR, may be 0 under TRUE
    contradictory,       // neither 0 nor 1 allowed: a broken value
};
const char* setting_name(Setting s);

struct ControlBit {
    int bit = 0;
    std::string name;  // Linux-style identifier, "" for a reserved bit
    std::string sdm;   // the SDM's name
    bool may_be_0 = true, may_be_1 = false;
    bool default1 = false;  // in the default1 class (§A.2)
    Setting setting = Setting::must_be_0;
};

struct ControlCaps {
    std::string key;    // "pin_based", "primary", "secondary", "tertiary", "exit", "exit2", "entry"
    std::string title;  // "Pin-based VM-execution controls"
    uint32_t msr = 0, true_msr = 0;
    bool present = false;   // the MSR exists and was read
    bool uses_true = false; // settings from the TRUE MSR
    bool wide = false;      // 64-bit allowed-1 mask (tertiary, secondary exit)
    uint64_t raw = 0, raw_true = 0;
    uint64_t must_be_1 = 0, may_be_1 = 0;  // effective masks
    std::vector<ControlBit> bits;  // named bits and any reserved bit that is not plain 0
    bool allows(int bit) const { return present && ((may_be_1 >> bit) & 1); }
};

struct NamedFlag {
    std::string name, description;
    int bit = 0;
    bool set = false;
};

struct CrFixed {
    uint64_t fixed0 = 0, fixed1 = 0;
    bool present = false;
    std::vector<std::string> must_be_1, must_be_0, flexible;  // named bits
};

// One strategy as shared/x86/vmx_verdict.h judges it (the module's verdict).
struct Strategy {
    bool possible = false;             // false also when undecidable (a value not known)
    bool known = true;                 // false: a value that decides it is not known
    std::vector<std::string> reasons;  // why not (every unmet condition), or notes when possible
};

struct Decoded {
    bool vmx = false;
    std::string vendor, model, source;
    int cpu = 0;
    std::vector<int> cpus;
    std::map<int, std::vector<uint32_t>> differing;  // cpu -> MSRs that differ from `cpu`

    // State of every known MSR on `cpu`: "present", "absent" (SDM: does not
    // exist), "missing" (should exist but could not be read), "not recorded",
    // "unexpected" (recorded although the SDM says it does not exist).
    struct MsrState {
        uint32_t index;
        std::string name, state, rule;
        std::optional<uint64_t> value;
    };
    std::vector<MsrState> msrs;

    std::optional<uint64_t> feature_control;
    std::vector<NamedFlag> feature_control_bits;

    std::optional<uint64_t> basic;
    uint32_t revision = 0, region_size = 0, memory_type = 0;
    bool pa_32bit = false, dual_monitor = false, ins_outs_info = false, true_ctls = false,
         no_errcode_check = false;

    ControlCaps pin, primary, secondary, tertiary, exit, exit2, entry;

    std::optional<uint64_t> misc;
    unsigned preemption_timer_rate = 0, cr3_targets = 0, max_msr_list = 0;
    uint32_t mseg_revision = 0;
    bool misc_save_efer_lma = false, act_hlt = false, act_shutdown = false, act_wait_sipi = false,
         pt_in_vmx = false, rdmsr_smbase = false, smm_monitor_ctl_b2 = false, vmwrite_any = false,
         zero_len_inject = false;

    CrFixed cr0, cr4;
    std::optional<uint64_t> vmcs_enum;
    unsigned vmcs_max_index = 0;

    std::optional<uint64_t> ept_vpid;
    std::vector<NamedFlag> ept_vpid_bits;
    unsigned hlat_prefix_size = 0;

    std::optional<uint64_t> vmfunc;
    std::vector<NamedFlag> vmfunc_bits;

    Strategy unrestricted, vm86;
    std::string verdict;  // "unrestricted", "vm86", "none", or "unknown" while a value that decides it is not known

    // Without VMX: the AMD-V report.
    bool svm = false;
    uint32_t svm_revision = 0, svm_asids = 0, svm_features = 0;
    std::vector<NamedFlag> svm_feature_bits;
};

// Decodes CPU `cpu_index` of `raw` (the first one by default).
Decoded decode(const RawCaps& raw, int cpu_index = 0);
ControlCaps decode_control(const std::string& key, const CpuValues& v, bool true_ctls);

// ---- Output ---------------------------------------------------------------

std::string render_text(const Decoded& d);
inline constexpr int kCapsSchemaVersion = 3;
nlohmann::json to_json(const Decoded& d);
// The one line for a CPU without VMX (with SVM facts when present).
std::string no_vmx_line(const Decoded& d);

}  // namespace biosx::caps
