// vmx_backend.cpp - the vmx backend: runs BIOS code through biosx.ko
// (/dev/biosx): the guest memory is the module's mmap, a run is one
// BIOSX_IOC_RUN. Also reads the module's VMCS record for dump-vmcs.
// Userspace.
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "uapi/biosx.h"
#include "core/error.h"
#include "core/io_stall.h"
#include "core/source.h"
#include "core/vmx/vmcs_record.h"
#include "x86/exit_reasons.h"

namespace biosx {

namespace {

constexpr const char* kDevice = "/dev/biosx";

std::string exit_reason_name(unsigned nr)
{
#define X(name, n) if (nr == (n)) return #name;
    BIOSX_EXIT_REASONS(X)
#undef X
    return "EXIT_" + std::to_string(nr);
}

// One open of /dev/biosx and its guest area, shared by the Memory and the
// Backend of a run.
struct Device {
    int fd = -1;
    uint8_t* mem = nullptr;
    ~Device()
    {
        if (mem) munmap(mem, BIOSX_GUEST_BYTES);
        if (fd >= 0) close(fd);
    }
};

std::shared_ptr<Device> g_device;  // one per process: memory and backend must agree

// EPERM from the module: lockdown when it is raised, else privileges.
[[noreturn]] void fail_eperm(const std::string& what)
{
    std::string level = lockdown_level();
    if (!level.empty())
        fail(ErrorKind::environment, what + ": kernel lockdown (" + level +
                                         ") forbids /dev/mem and port I/O, so biosx.ko refuses; "
                                         "use --backend emu over an --image");
    fail(ErrorKind::environment, what + ": " + std::strerror(EPERM) +
                                     " (the module needs root / CAP_SYS_RAWIO; or use --backend emu)");
}

// Opens the device once. Null when it does not exist; throws when it exists
// but cannot be used.
std::shared_ptr<Device> device()
{
    if (g_device) return g_device;
    struct stat st;
    if (::stat(kDevice, &st) != 0) return nullptr;
    auto d = std::make_shared<Device>();
    d->fd = ::open(kDevice, O_RDWR | O_CLOEXEC);
    if (d->fd < 0) {
        int e = errno;
        if (e == EPERM || e == EACCES) fail_eperm(kDevice);
        fail(ErrorKind::environment, std::string(kDevice) + ": cannot open: " + std::strerror(e));
    }
    __u32 version = 0;
    if (::ioctl(d->fd, BIOSX_IOC_VERSION, &version) != 0 || version != BIOSX_ABI_VERSION)
        fail(ErrorKind::environment, std::string(kDevice) + ": the loaded module speaks ABI " +
                                         std::to_string(version) + ", this biosx speaks " +
                                         std::to_string(BIOSX_ABI_VERSION) + " (rebuild or reload biosx.ko)");
    void* p = mmap(nullptr, BIOSX_GUEST_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd, 0);
    if (p == MAP_FAILED)
        fail(ErrorKind::environment, std::string(kDevice) + ": cannot map the guest memory: " + std::strerror(errno));
    d->mem = static_cast<uint8_t*>(p);
    g_device = d;
    return d;
}

class VmxMemory final : public Memory {
public:
    explicit VmxMemory(std::shared_ptr<Device> d) : d_(std::move(d)) {}
    MemoryKind kind() const override { return MemoryKind::vmx; }
    std::string describe() const override { return std::string("vmx:") + kDevice; }
    std::span<uint8_t> bytes() override { return {d_->mem, BIOSX_GUEST_BYTES}; }

private:
    std::shared_ptr<Device> d_;
};

EndKind end_kind(uint32_t end)
{
    switch (end) {
    case BIOSX_END_RETURN_TRAP: return EndKind::return_trap;
    case BIOSX_END_TIMEOUT: return EndKind::timeout;
    case BIOSX_END_HALT: return EndKind::halt;
    case BIOSX_END_EXCEPTION: return EndKind::exception;
    case BIOSX_END_TRIPLE_FAULT: return EndKind::triple_fault;
    case BIOSX_END_EPT_VIOLATION: return EndKind::ept_violation;
    case BIOSX_END_ENTRY_FAILURE: return EndKind::entry_failure;
    case BIOSX_END_MACHINE_CHECK: return EndKind::machine_check;
    case BIOSX_END_INTERRUPTED: return EndKind::interrupted;
    default: return EndKind::other;
    }
}

std::string end_message(const biosx_run& r)
{
    char buf[200];
    switch (r.end) {
    case BIOSX_END_RETURN_TRAP: return "the routine returned to the trap";
    case BIOSX_END_TIMEOUT: return "stopped by the time limit (--timeout)";
    case BIOSX_END_HALT:
        std::snprintf(buf, sizeof buf, "HLT at %04x:%04x outside the return trap", r.regs.cs, r.regs.eip & 0xffff);
        return buf;
    case BIOSX_END_EXCEPTION:
        std::snprintf(buf, sizeof buf, "CPU exception %u at %04x:%04x (error code %s)", r.vector_out, r.regs.cs,
                      r.regs.eip & 0xffff,
                      r.error_code == ~0ull ? "none" : std::to_string(r.error_code).c_str());
        return buf;
    case BIOSX_END_TRIPLE_FAULT: return "triple fault in the guest";
    case BIOSX_END_EPT_VIOLATION:
        std::snprintf(buf, sizeof buf, "access to guest-physical 0x%llx, outside the guest area (EPT violation)",
                      static_cast<unsigned long long>(r.address));
        return buf;
    case BIOSX_END_ENTRY_FAILURE:
        if (r.error_code & (1ull << 31))
            std::snprintf(buf, sizeof buf, "VM entry failed: exit reason %llu (%s), qualification %llu",
                          static_cast<unsigned long long>(r.error_code & 0xffff),
                          exit_reason_name(r.error_code & 0xffff).c_str(),
                          static_cast<unsigned long long>(r.qualification));
        else
            std::snprintf(buf, sizeof buf, "VM entry failed: VM-instruction error %llu",
                          static_cast<unsigned long long>(r.error_code));
        return buf;
    case BIOSX_END_MACHINE_CHECK:
        return "a machine check struck during the run (the kernel's handler has seen it; see dmesg)";
    case BIOSX_END_INTERRUPTED: return "interrupted by a fatal signal or by the system going down";
    default:
        std::snprintf(buf, sizeof buf, "exit %s (qualification 0x%llx) is not handled by biosx",
                      exit_reason_name(r.exit_reason & 0xffff).c_str(),
                      static_cast<unsigned long long>(r.qualification));
        return buf;
    }
}

// Where the last run's VMCS record is kept for `biosx dump-vmcs` in a later
// process: the module keeps records per open file, so that one process never
// sees another's; this file is the user's own.
std::string record_path()
{
    const char* dir = std::getenv("XDG_RUNTIME_DIR");
    std::string d = dir && *dir ? dir : "/tmp";
    return d + "/biosx-last-vmcs-" + std::to_string(getuid()) + ".bin";
}

void save_record(int fd)
{
    auto rec = std::make_unique<biosx_vmcs_record>();
    if (::ioctl(fd, BIOSX_IOC_GET_VMCS, rec.get()) != 0 || !rec->valid) return;
    std::string path = record_path();
    // A fresh file of our own (mkstemp: O_EXCL, 0600), renamed over the
    // record: biosx runs as root and /tmp is everyone's, so never open a
    // fixed name there that someone else may have planted as a symlink.
    std::string tmp = path + ".XXXXXX";
    int out = ::mkostemp(tmp.data(), O_CLOEXEC);
    if (out < 0) return;
    bool ok = ::write(out, rec.get(), sizeof *rec) == static_cast<ssize_t>(sizeof *rec);
    ::close(out);
    if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) ::unlink(tmp.c_str());
}

class VmxBackend final : public Backend {
public:
    explicit VmxBackend(std::shared_ptr<Device> d) : d_(std::move(d)) {}
    std::string name() const override { return "vmx"; }

    RunResult run(Memory& mem, const RunRequest& req) override
    {
        if (mem.kind() != MemoryKind::vmx)
            fail(ErrorKind::usage, "the vmx backend runs over the module's guest memory only");
        check_entry(mem, req.entry);

        biosx_run r{};
        const Registers& in = req.regs;
        r.regs = {in[Reg::eax], in[Reg::ebx], in[Reg::ecx], in[Reg::edx], in[Reg::esi], in[Reg::edi],
                  in[Reg::ebp], in[Reg::esp], in[Reg::eip], in[Reg::eflags],
                  static_cast<__u16>(in[Reg::cs]), static_cast<__u16>(in[Reg::ds]),
                  static_cast<__u16>(in[Reg::es]), static_cast<__u16>(in[Reg::fs]),
                  static_cast<__u16>(in[Reg::gs]), static_cast<__u16>(in[Reg::ss]), 0};
        r.entry = req.entry.kind == Entry::Kind::interrupt ? BIOSX_ENTRY_INT : BIOSX_ENTRY_FAR_CALL;
        r.vector = req.entry.vector;
        r.seg = req.entry.seg;
        r.off = req.entry.off;
        if (req.strategy == "unrestricted") r.flags |= BIOSX_RUN_FORCE_UNRESTRICTED;
        else if (req.strategy == "vm86") r.flags |= BIOSX_RUN_FORCE_VM86;
        else if (req.strategy != "auto")
            fail(ErrorKind::usage, "--strategy " + req.strategy + ": expected auto, unrestricted or vm86");
        if (req.log_io) r.flags |= BIOSX_RUN_LOG_IO;
        if (req.io.virtual_io) r.flags |= BIOSX_RUN_VIRTUAL_IO;
        else if (req.io.pass_io) r.flags |= BIOSX_RUN_PASS_IO;
        if (req.test_bad_entry) r.flags |= BIOSX_RUN_TEST_BAD_ENTRY;
        // The module accepts 1..60000 ms; the CLI's range is (0, 60] s, so
        // only a sub-millisecond value rounds (up, to 1 ms). Nothing clamps.
        double ms = std::ceil(req.limits.timeout_s * 1000.0);
        if (!(ms >= 1 && ms <= kMaxTimeoutS * 1000))
            fail(ErrorKind::usage, "--timeout: " + std::to_string(req.limits.timeout_s) + " is outside (0, 60] seconds");
        r.timeout_ms = static_cast<__u32>(ms);

        // --allow-port as the module's bitmap; the module keeps its own
        // policy table (shared/x86/port_policy.h) and floor.
        std::vector<uint8_t> allow;
        if (!req.io.allow.empty()) {
            allow = req.io.allow_bitmap();
            r.allow_ptr = reinterpret_cast<uintptr_t>(allow.data());
        }
        std::vector<biosx_io_entry> log(req.log_io || req.io.virtual_io ? kIoLogMax : 0);
        r.io_log_cap = static_cast<__u32>(log.size());
        r.io_log_ptr = log.empty() ? 0 : reinterpret_cast<uintptr_t>(log.data());

        auto t0 = std::chrono::steady_clock::now();
        if (::ioctl(d_->fd, BIOSX_IOC_RUN, &r) != 0) {
            int e = errno;
            switch (e) {
            case EBUSY:
                fail(ErrorKind::environment, "VMX is already in use on this CPU (is KVM running a guest?); "
                                             "stop it or use --backend emu");
            case EPERM: fail_eperm("BIOSX_IOC_RUN");
            case ESHUTDOWN: fail(ErrorKind::environment, "BIOSX_IOC_RUN: the system is going down");
            case ENODEV:
                fail(ErrorKind::environment, "this CPU cannot run the '" + req.strategy + "' strategy (see biosx caps)");
            case ENOENT:  // the rules of shared/x86/entry_frame.h, applied by the module
                fail(ErrorKind::environment, "there is no BIOS handler at this entry in the guest's memory "
                                             "(IVT entry 0000:0000, or only 00/FF bytes there)");
            default:
                fail(ErrorKind::environment, std::string("BIOSX_IOC_RUN failed: ") + std::strerror(e));
            }
        }
        RunResult res;
        res.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        res.backend = name();
        res.strategy = r.strategy == BIOSX_STRATEGY_UNRESTRICTED ? "unrestricted" : "vm86";
        Registers& o = res.regs;
        const __u32 gp[] = {r.regs.eax, r.regs.ebx, r.regs.ecx, r.regs.edx, r.regs.esi,
                            r.regs.edi, r.regs.ebp, r.regs.esp, r.regs.eip, r.regs.eflags};
        for (int i = 0; i < 10; ++i) o.v[i] = gp[i];
        o[Reg::cs] = r.regs.cs;
        o[Reg::ds] = r.regs.ds;
        o[Reg::es] = r.regs.es;
        o[Reg::fs] = r.regs.fs;
        o[Reg::gs] = r.regs.gs;
        o[Reg::ss] = r.regs.ss;
        res.end.kind = end_kind(r.end);
        res.end.message = end_message(r);
        if (r.end == BIOSX_END_EXCEPTION) {
            res.end.vector = static_cast<int>(r.vector_out);
            if (r.error_code != ~0ull) res.end.error_code = static_cast<int64_t>(r.error_code);
        } else if (r.end == BIOSX_END_ENTRY_FAILURE) {
            res.end.error_code = static_cast<int64_t>(r.error_code);
        }
        res.end.address = r.address;
        res.exits = r.exits;
        res.tsc_cycles = r.tsc_cycles;
        for (unsigned i = 0; i < BIOSX_EXIT_REASONS_MAX; ++i)
            if (r.exit_counts[i]) res.exits_by_reason[exit_reason_name(i)] = r.exit_counts[i];
        res.io_count = r.io_log_count;
        for (uint32_t i = 0; i < r.io_log_count && i < log.size(); ++i) {
            const auto& l = log[i];
            IoAccess a{l.port, l.size, (l.flags & BIOSX_IO_WRITE) != 0, l.value, IoDisposition::virtual_};
            if (l.flags & BIOSX_IO_DENIED) a.disposition = IoDisposition::denied;
            else if (l.flags & BIOSX_IO_PASSED) a.disposition = IoDisposition::passed;
            else if (l.flags & BIOSX_IO_MEDIATED) a.disposition = IoDisposition::mediated;
            res.io.push_back(a);
        }
        res.msr_count = r.msr_count;
        for (uint32_t i = 0; i < r.msr_count && i < BIOSX_MSR_LOG_MAX; ++i)
            res.msrs.push_back({r.msr_log[i].index, (r.msr_log[i].flags & BIOSX_MSR_WRITE) != 0,
                                (r.msr_log[i].flags & BIOSX_MSR_HOST) != 0, r.msr_log[i].value});
        for (uint32_t i = 0; i < r.port_counts_used && i < BIOSX_PORT_COUNTS_MAX; ++i) {
            const auto& pc = r.port_counts[i];
            res.port_counts.push_back({pc.port, (pc.flags & BIOSX_IO_WRITE) != 0,
                                       (pc.flags & BIOSX_IO_DENIED) ? IoDisposition::denied : IoDisposition::virtual_,
                                       pc.count});
        }
        res.port_counts_lost = r.port_counts_lost;
        res.end.message += polling_note(res, false);
        save_record(d_->fd);
        return res;
    }

private:
    std::shared_ptr<Device> d_;
};

}  // namespace

std::unique_ptr<Backend> make_vmx_backend_if_present()
{
    auto d = device();
    return d ? std::make_unique<VmxBackend>(d) : nullptr;
}

std::unique_ptr<Memory> open_vmx_memory_if_present()
{
    auto d = device();
    return d ? std::make_unique<VmxMemory>(d) : nullptr;
}

namespace vmx {

VmcsRecord fetch_last_vmcs()
{
    std::string path = record_path();
    auto rec = std::make_unique<biosx_vmcs_record>();
    // Only a regular file of this user's (not a symlink someone planted;
    // O_NONBLOCK: a FIFO planted there cannot hang the open).
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    struct stat own;
    bool mine = fd >= 0 && ::fstat(fd, &own) == 0 && S_ISREG(own.st_mode) && own.st_uid == getuid();
    bool got = mine && ::read(fd, rec.get(), sizeof *rec) == static_cast<ssize_t>(sizeof *rec);
    if (fd >= 0) ::close(fd);
    if (!got || !rec->valid) {
        struct stat st;
        if (::stat(kDevice, &st) != 0)
            fail(ErrorKind::environment,
                 "dump-vmcs needs the vmx backend: /dev/biosx does not exist (load biosx.ko on a CPU with VMX)");
        fail(ErrorKind::environment,
             "no VMCS recorded yet: run a call through the vmx backend first (biosx --backend vmx int 0x11)");
    }
    return vmcs_record_from_uapi(*rec);
}

}  // namespace vmx

}  // namespace biosx
