// caps_read.cpp - reads CPUID and the VMX capability MSRs of this machine:
// from the module (/dev/biosx) when loaded, else from the msr driver
// (/dev/cpu/N/msr, pread at offset = MSR index). Never reads an MSR whose
// SDM existence rule does not hold. Userspace, needs root for the MSRs.
#include <cerrno>
#include <cpuid.h>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

#include "uapi/biosx.h"
#include "x86/vmx_msrs.h"

#include "core/caps/caps.h"
#include "core/device/biosx_device.h"
#include "core/error.h"

namespace biosx::caps {

static_assert(std::size(biosx_caps{}.msr) == BIOSX_VMX_MSR_COUNT && BIOSX_VMX_MSR_COUNT <= 32,
              "struct biosx_caps holds one value and one present bit per MSR of BIOSX_VMX_MSRS");

namespace {

void put(RawCaps& r, const char* key, uint32_t v) { r.cpuid[key] = v; }

// "0-3,5,7-8" (/sys/devices/system/cpu/online) -> {0,1,2,3,5,7,8}
std::vector<int> online_cpus()
{
    std::vector<int> r;
    std::ifstream f("/sys/devices/system/cpu/online");
    std::string s;
    if (!(f >> s)) return {0};
    size_t pos = 0;
    while (pos < s.size()) {
        size_t comma = s.find(',', pos);
        std::string part = s.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        auto dash = part.find('-');
        int a = std::stoi(part.substr(0, dash));
        int b = dash == std::string::npos ? a : std::stoi(part.substr(dash + 1));
        for (int i = a; i <= b; ++i) r.push_back(i);
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    return r.empty() ? std::vector<int>{0} : r;
}

}  // namespace

RawCaps read_cpuid_host()
{
    RawCaps r;
    unsigned a = 0, b = 0, c = 0, d = 0;
    const unsigned max = __get_cpuid_max(0, nullptr);
    __cpuid(0, a, b, c, d);
    char vendor[13] = {};
    std::memcpy(vendor, &b, 4);
    std::memcpy(vendor + 4, &d, 4);
    std::memcpy(vendor + 8, &c, 4);
    r.vendor = vendor;
    if (max >= 1) {
        __cpuid(1, a, b, c, d);
        put(r, "1.ecx", c);
    } else {
        put(r, "1.ecx", 0);
    }
    const unsigned ext = __get_cpuid_max(0x80000000u, nullptr);
    if (ext >= 0x80000004u) {
        char brand[49] = {};
        for (unsigned i = 0; i < 3; ++i) {
            __cpuid(0x80000002u + i, a, b, c, d);
            std::memcpy(brand + 16 * i, &a, 4);
            std::memcpy(brand + 16 * i + 4, &b, 4);
            std::memcpy(brand + 16 * i + 8, &c, 4);
            std::memcpy(brand + 16 * i + 12, &d, 4);
        }
        std::string s = brand;
        while (!s.empty() && s.front() == ' ') s.erase(0, 1);
        while (!s.empty() && s.back() == ' ') s.pop_back();
        r.model = s;
    }
    if (ext >= 0x80000001u) {
        __cpuid(0x80000001u, a, b, c, d);
        put(r, "80000001.ecx", c);
        // AMD APM Vol. 3: Fn8000_000A exists when Fn8000_0001_ECX.SVM is 1.
        if ((c & BIOSX_CPUID80000001_ECX_SVM) && ext >= BIOSX_CPUID_SVM_LEAF) {
            __cpuid(BIOSX_CPUID_SVM_LEAF, a, b, c, d);
            put(r, "8000000a.eax", a);
            put(r, "8000000a.ebx", b);
            put(r, "8000000a.edx", d);
        }
    }
    return r;
}

void read_msrs_host(RawCaps& raw, const ReadOptions& opt)
{
    std::vector<int> cpus;
    if (opt.cpu)
        cpus = {*opt.cpu};
    else if (opt.all_cpus)
        cpus = online_cpus();
    else
        cpus = {0};
    const uint32_t ecx1 = raw.cpuid_reg("1.ecx").value_or(0);
    for (int n : cpus) {
        const std::string dev = "/dev/cpu/" + std::to_string(n) + "/msr";
        const int fd = ::open(dev.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            const int e = errno;
            if (e == EACCES || e == EPERM)
                fail(ErrorKind::environment, dev + ": permission denied: reading MSRs needs root (CAP_SYS_RAWIO), or load biosx.ko");
            struct stat st;
            if (e == ENOENT && opt.cpu && ::stat(("/dev/cpu/" + std::to_string(n)).c_str(), &st) != 0 &&
                ::stat("/dev/cpu/0", &st) == 0)
                fail(ErrorKind::usage, "--cpu " + std::to_string(n) + ": no such CPU");
            if (e == ENOENT)
                fail(ErrorKind::environment, dev + " does not exist: load the msr driver (modprobe msr) or biosx.ko");
            fail(ErrorKind::environment, dev + ": " + std::strerror(e));
        }
        CpuValues v;
        v.cpu = n;
        // known_msrs() is in index order, and every rule depends only on
        // MSRs with a lower index, so each decision sees what it needs.
        for (uint32_t idx : known_msrs()) {
            if (msr_exists(idx, ecx1, v) != Exists::yes) continue;
            uint64_t val = 0;
            if (::pread(fd, &val, sizeof val, idx) == static_cast<ssize_t>(sizeof val))
                v.msr[idx] = val;
            else
                v.absent[idx] = true;  // EIO: RDMSR faulted although the SDM says it exists
        }
        ::close(fd);
        raw.cpus.push_back(std::move(v));
    }
}

// The module's BIOSX_IOC_GET_CAPS (shared/uapi/biosx.h): one call per CPU;
// the module reads only MSRs whose SDM rule holds and says which in
// `present` (bit i = the i-th MSR of shared/x86/vmx_msrs.h). Returns false
// when the module is not loaded, so the caller falls back to the msr driver;
// a module that is there but unusable is an error (BiosxDevice's policy).
bool read_msrs_module(RawCaps& raw, const ReadOptions& opt)
{
    auto dev = BiosxDevice::open_if_present();
    if (!dev) return false;
    std::vector<int> cpus = opt.cpu ? std::vector<int>{*opt.cpu} : opt.all_cpus ? online_cpus() : std::vector<int>{0};
    const uint32_t ecx1 = raw.cpuid_reg("1.ecx").value_or(0);
    std::vector<CpuValues> got;
    for (int n : cpus) {
        biosx_caps c{};
        c.cpu = static_cast<__u32>(n);
        if (int e = dev->try_ioctl(BIOSX_IOC_GET_CAPS, &c)) {
            if (e == EINVAL && opt.cpu) fail(ErrorKind::usage, "--cpu " + std::to_string(n) + ": no such online CPU");
            BiosxDevice::fail_ioctl(BIOSX_IOC_GET_CAPS, e);
        }
        CpuValues v;
        v.cpu = n;
        // c.msr[i] is the i-th MSR of the shared table, known_msrs()[i].
        for (size_t i = 0; i < known_msrs().size(); ++i)
            if ((c.present >> i) & 1) v.msr[known_msrs()[i]] = c.msr[i];
        // What the module did not read although the SDM says it exists.
        for (uint32_t idx : known_msrs())
            if (!v.msr.count(idx) && msr_exists(idx, c.cpuid1_ecx ? c.cpuid1_ecx : ecx1, v) == Exists::yes)
                v.absent[idx] = true;
        got.push_back(std::move(v));
    }
    for (auto& v : got) raw.cpus.push_back(std::move(v));
    return true;
}

RawCaps read_host(const ReadOptions& opt)
{
    RawCaps raw = read_cpuid_host();
    if (!raw.has_vmx()) {
        raw.source = "cpuid";
        return raw;
    }
    if (read_msrs_module(raw, opt)) {
        raw.source = "module";
        return raw;
    }
    raw.source = "msr";
    read_msrs_host(raw, opt);
    return raw;
}

}  // namespace biosx::caps
