// vmx_backend.cpp - the vmx backend: runs BIOS code through biosx.ko
// (/dev/biosx, through BiosxDevice): the guest memory is the module's mmap,
// a run is one BIOSX_IOC_RUN. Userspace.
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "core/backend/backend.h"
#include "core/device/biosx_device.h"
#include "core/error.h"
#include "core/run/io_stall.h"
#include "core/run/memory.h"
#include "core/run/start_state.h"
#include "core/vmx/vmcs.h"
#include "core/vmx/vmcs_record.h"
#include "uapi/biosx.h"
#include "x86/realmode.h"

namespace biosx {

namespace {

// Exit counts and unhandled exits by name, "EXIT_n" for a reason the
// table does not know (a newer CPU).
std::string exit_name(unsigned nr)
{
    std::string_view n = vmx::exit_reason_name(nr);
    return n.empty() ? "EXIT_" + std::to_string(nr) : std::string(n);
}

// The module's guest memory, as a Memory over the device's mapping, with
// its VGA window the machine's own where /dev/mem allows it -- as over the
// host on the emulation backend -- so that what a routine draws (the
// module maps the same frames into the guest: BIOSX_RUN_HOST_VGA) and what
// the caller reads there agree. Otherwise the module's copy, taken at open.
class VmxMemory final : public Memory {
public:
    explicit VmxMemory(std::shared_ptr<BiosxDevice> d) : d_(std::move(d)), bytes_(d_->guest_memory())
    {
        live_ = map_machine_vga(bytes_.data() + BIOSX_VGA_BEGIN);
        if (!live_) d_->remap_guest(BIOSX_VGA_BEGIN, kVgaBytes);
    }
    MemoryKind kind() const override { return MemoryKind::vmx; }
    std::string describe() const override { return std::string("vmx:") + BiosxDevice::kPath; }
    std::span<uint8_t> bytes() override { return bytes_; }
    bool live_vga() const override { return live_; }
    // Back to the module's copy: the module refused the machine's window.
    void drop_live_vga()
    {
        d_->remap_guest(BIOSX_VGA_BEGIN, kVgaBytes);
        live_ = false;
    }

private:
    static constexpr size_t kVgaBytes = BIOSX_ROM_BEGIN - BIOSX_VGA_BEGIN;
    std::shared_ptr<BiosxDevice> d_;
    std::span<uint8_t> bytes_;
    bool live_ = false;
};

// How the module says a run ended (biosx_run.end and its details), as the
// backend-neutral RunEnd; the ends both backends know read as the emu
// backend's do (run.h).
RunEnd run_end(const biosx_run& r, double timeout_s)
{
    const uint16_t cs = r.regs.cs, ip = static_cast<uint16_t>(r.regs.eip);
    char buf[200];
    switch (r.end) {
    case BIOSX_END_RETURN_TRAP: return returned_to_trap();
    case BIOSX_END_TIMEOUT: return timed_out(timeout_s);
    case BIOSX_END_HALT: return halted(cs, ip);
    case BIOSX_END_EXCEPTION:
        return cpu_exception(r.vector_out, cs, ip, r.error_code == ~0ull ? -1 : static_cast<int64_t>(r.error_code));
    case BIOSX_END_TRIPLE_FAULT: return {EndKind::triple_fault, "triple fault in the guest"};
    case BIOSX_END_EPT_VIOLATION:
        std::snprintf(buf, sizeof buf, "access to guest-physical 0x%llx, outside the guest area (EPT violation)",
                      static_cast<unsigned long long>(r.address));
        return {EndKind::ept_violation, buf, -1, -1, r.address};
    case BIOSX_END_ENTRY_FAILURE:
        if (r.error_code & (1ull << 31))
            std::snprintf(buf, sizeof buf, "VM entry failed: exit reason %llu (%s), qualification %llu",
                          static_cast<unsigned long long>(r.error_code & 0xffff),
                          exit_name(r.error_code & 0xffff).c_str(),
                          static_cast<unsigned long long>(r.qualification));
        else
            std::snprintf(buf, sizeof buf, "VM entry failed: VM-instruction error %llu",
                          static_cast<unsigned long long>(r.error_code));
        return {EndKind::entry_failure, buf, -1, static_cast<int64_t>(r.error_code), r.address};
    case BIOSX_END_MACHINE_CHECK:
        return {EndKind::machine_check,
                "a machine check struck during the run (the kernel's handler has seen it; see dmesg)"};
    case BIOSX_END_INTERRUPTED:
        return {EndKind::interrupted, "interrupted by a fatal signal or by the system going down"};
    default:
        std::snprintf(buf, sizeof buf, "exit %s (qualification 0x%llx) is not handled by biosx",
                      exit_name(r.exit_reason & 0xffff).c_str(), static_cast<unsigned long long>(r.qualification));
        return {EndKind::other, buf, -1, -1, r.address};
    }
}

// The module's BIOSX_IO_* flags of one access or port count.
IoDisposition disposition_of(uint32_t flags)
{
    if (flags & BIOSX_IO_DENIED) return IoDisposition::denied;
    if (flags & BIOSX_IO_PASSED) return IoDisposition::passed;
    if (flags & BIOSX_IO_MEDIATED) return IoDisposition::mediated;
    return IoDisposition::virtual_;
}

class VmxBackend final : public Backend {
public:
    explicit VmxBackend(std::shared_ptr<BiosxDevice> d) : d_(std::move(d)) {}
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
        auto& vmem = static_cast<VmxMemory&>(mem);
        if (vmem.live_vga()) r.flags |= BIOSX_RUN_HOST_VGA;
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
        // The errors the module documents for a run, each with what to do;
        // anything else by the device's own messages. All name the ioctl.
        int e = d_->try_ioctl(BIOSX_IOC_RUN, &r);
        if (e == ENXIO && (r.flags & BIOSX_RUN_HOST_VGA)) {
            // The machine has RAM at 0xA0000 (no adapter decodes the legacy
            // window): the routine gets the copy, and so does the caller.
            vmem.drop_live_vga();
            r.flags &= ~BIOSX_RUN_HOST_VGA;
            e = d_->try_ioctl(BIOSX_IOC_RUN, &r);
        }
        if (e) {
            const std::string what = "BIOSX_IOC_RUN: ";
            switch (e) {
            case EBUSY:
                fail(ErrorKind::environment, what + "VMX is already in use on this CPU (is KVM running a guest?); "
                                                    "stop it or use --backend emu");
            case ESHUTDOWN: fail(ErrorKind::environment, what + "the system is going down");
            case ENODEV:
                fail(ErrorKind::environment,
                     what + "this CPU cannot run the '" + req.strategy + "' strategy (see biosx caps)");
            case ENOENT:  // the rules of shared/x86/entry_frame.h, applied by the module
                fail(ErrorKind::environment, what + "there is no BIOS handler at this entry in the guest's memory "
                                                    "(IVT entry 0000:0000, or only 00/FF bytes there)");
            default: BiosxDevice::fail_ioctl(BIOSX_IOC_RUN, e);
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
        res.end = run_end(r, req.limits.timeout_s);
        res.exits = r.exits;
        res.tsc_cycles = r.tsc_cycles;
        for (unsigned i = 0; i < BIOSX_EXIT_REASONS_MAX; ++i)
            if (r.exit_counts[i]) res.exits_by_reason[exit_name(i)] = r.exit_counts[i];
        res.io_count = r.io_log_count;
        for (uint32_t i = 0; i < r.io_log_count && i < log.size(); ++i) {
            const auto& l = log[i];
            res.io.push_back({l.port, l.size, (l.flags & BIOSX_IO_WRITE) != 0, l.value, disposition_of(l.flags)});
        }
        res.msr_count = r.msr_count;
        for (uint32_t i = 0; i < r.msr_count && i < BIOSX_MSR_LOG_MAX; ++i)
            res.msrs.push_back({r.msr_log[i].index, (r.msr_log[i].flags & BIOSX_MSR_WRITE) != 0,
                                (r.msr_log[i].flags & BIOSX_MSR_HOST) != 0, r.msr_log[i].value});
        for (uint32_t i = 0; i < r.port_counts_used && i < BIOSX_PORT_COUNTS_MAX; ++i) {
            const auto& pc = r.port_counts[i];
            res.port_counts.push_back({pc.port, (pc.flags & BIOSX_IO_WRITE) != 0, disposition_of(pc.flags), pc.count});
        }
        res.port_counts_lost = r.port_counts_lost;
        res.end.message += polling_note(res, false);
        vmx::store_last_vmcs(*d_);
        return res;
    }

private:
    std::shared_ptr<BiosxDevice> d_;
};

}  // namespace

std::unique_ptr<Backend> make_vmx_backend(std::shared_ptr<BiosxDevice> device)
{
    return std::make_unique<VmxBackend>(std::move(device));
}

std::unique_ptr<Memory> make_vmx_memory(std::shared_ptr<BiosxDevice> device)
{
    return std::make_unique<VmxMemory>(std::move(device));
}

}  // namespace biosx
