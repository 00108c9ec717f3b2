// kvm_backend.cpp - the kvm backend: runs BIOS code in a hardware guest
// through /dev/kvm (KvmDevice), on Intel and AMD, over any memory source;
// every port access comes back to userspace and goes through the run's
// policy (port_io.h) as on the emu backend. docs/kvm.md. Userspace.
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <ctime>
#include <mutex>
#include <pthread.h>
#include <linux/kvm.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/backend/backend.h"
#include "core/backend/kvm_state.h"
#include "core/backend/port_io.h"
#include "core/device/kvm_device.h"
#include "core/error.h"
#include "core/format.h"
#include "core/run/io_stall.h"
#include "core/run/start_state.h"
#include "x86/realmode.h"

namespace biosx {

namespace {

using Clock = std::chrono::steady_clock;

// The kvm_run of the vCPU this thread is running, for the timer's signal
// handler: setting immediate_exit makes the KVM_RUN under way (or the next
// one) return EINTR (api.rst, "immediate_exit").
thread_local kvm_run* t_running = nullptr;
thread_local volatile sig_atomic_t t_kicked = 0;

// What our timers carry in sigev_value, to tell their signal from one the
// program sends for itself.
char g_token;
struct sigaction g_previous {};

void on_kick(int sig, siginfo_t* info, void* uc)
{
    if (t_running) t_running->immediate_exit = 1;  // a foreign one too: KVM_RUN returns, the loop goes on
    if (info && info->si_code == SI_TIMER && info->si_value.sival_ptr == &g_token) {
        t_kicked = 1;
        return;
    }
    // The program's own signal: to the handler it had before ours.
    if (g_previous.sa_flags & SA_SIGINFO) {
        if (g_previous.sa_sigaction) g_previous.sa_sigaction(sig, info, uc);
    } else if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != SIG_IGN && g_previous.sa_handler) {
        g_previous.sa_handler(sig);
    }
}

// The kick signal's handler, installed once per process and kept: a
// handler put back after each run would race with another thread's session
// whose timer is still armed (the default action of a real-time signal
// ends the process). Signals that are not our timers' go to the handler
// the program had installed before.
void install_kick_handler()
{
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction sa {};
        sa.sa_sigaction = on_kick;
        sa.sa_flags = SA_SIGINFO | SA_RESTART;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGRTMIN, &sa, &g_previous);
    });
}

// A one-shot POSIX timer that signals this thread at the run's deadline,
// kicking its vCPU out of KVM_RUN: a guest spinning in `jmp $` makes no
// exit of its own (a real-mode guest with IF = 0 takes no interrupt).
class Kick {
public:
    explicit Kick(double seconds)
    {
        install_kick_handler();
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGRTMIN);
        pthread_sigmask(SIG_UNBLOCK, &set, &old_mask_);
        sigevent ev{};
        ev.sigev_notify = SIGEV_THREAD_ID;
        ev.sigev_signo = SIGRTMIN;
        ev.sigev_value.sival_ptr = &g_token;
        ev._sigev_un._tid = static_cast<pid_t>(::syscall(SYS_gettid));
        if (timer_create(CLOCK_MONOTONIC, &ev, &timer_) != 0)
            fail(ErrorKind::environment, std::string("timer_create for --timeout: ") + std::strerror(errno));
        itimerspec when{};
        when.it_value.tv_sec = static_cast<time_t>(seconds);
        when.it_value.tv_nsec = static_cast<long>((seconds - static_cast<double>(when.it_value.tv_sec)) * 1e9);
        if (when.it_value.tv_sec == 0 && when.it_value.tv_nsec == 0) when.it_value.tv_nsec = 1;
        // Again every 20 ms after the deadline: a signal that lands between
        // two KVM_RUNs while another handler has replaced ours sets no
        // immediate_exit, and the next one must still get the vCPU out.
        when.it_interval.tv_nsec = 20'000'000;
        timer_settime(timer_, 0, &when, nullptr);
    }
    ~Kick()
    {
        timer_delete(timer_);
        pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
    }

private:
    timer_t timer_{};
    sigset_t old_mask_{};
};

// Slot 0: the Memory's own bytes when they are whole pages at a page
// boundary (the host's first MiB, a mapped image of 1 MiB), else a staging
// copy of them rounded up to a page, copied in before the run and out after.
class GuestRam {
public:
    ~GuestRam()
    {
        if (stage_) ::munmap(stage_, stage_size_);
    }
    uint8_t* attach(std::span<uint8_t> m, size_t& slot_size)
    {
        const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
        src_ = m;
        if (reinterpret_cast<uintptr_t>(m.data()) % page == 0 && m.size() % page == 0) {
            slot_size = m.size();
            copied_ = false;
            return m.data();
        }
        size_t need = (m.size() + page - 1) / page * page;
        if (stage_size_ != need) {
            if (stage_) ::munmap(stage_, stage_size_);
            void* p = ::mmap(nullptr, need, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (p == MAP_FAILED) fail(ErrorKind::environment, std::string("guest memory for KVM: ") + std::strerror(errno));
            stage_ = static_cast<uint8_t*>(p);
            stage_size_ = need;
        }
        std::memcpy(stage_, m.data(), m.size());
        std::memset(stage_ + m.size(), 0, need - m.size());
        copied_ = true;
        slot_size = need;
        return stage_;
    }
    void detach()
    {
        if (copied_) std::memcpy(src_.data(), stage_, src_.size());
    }

private:
    uint8_t* stage_ = nullptr;
    size_t stage_size_ = 0;
    std::span<uint8_t> src_;
    bool copied_ = false;
};

// The exception stubs in the guest's IVT for one run; the IVT entries get
// their values back afterwards unless the routine has replaced them.
class ExceptionStubs {
public:
    explicit ExceptionStubs(Memory& mem) : mem_(mem)
    {
        for (size_t i = 0; i < std::size(kvm::kTrappedExceptions); ++i) {
            const uint8_t v = kvm::kTrappedExceptions[i];
            saved_[i][0] = mem.read16(v * 4u);
            saved_[i][1] = mem.read16(v * 4u + 2);
            *mem.at(kvm::kExceptionStubs + v) = BIOSX_TRAP_OPCODE;
            mem.write16(v * 4u, static_cast<uint16_t>(kvm::kExceptionStubs + v));
            mem.write16(v * 4u + 2, 0);
        }
    }
    ~ExceptionStubs()
    {
        for (size_t i = 0; i < std::size(kvm::kTrappedExceptions); ++i) {
            const uint8_t v = kvm::kTrappedExceptions[i];
            if (mem_.read16(v * 4u) == kvm::kExceptionStubs + v && mem_.read16(v * 4u + 2) == 0) {
                mem_.write16(v * 4u, saved_[i][0]);
                mem_.write16(v * 4u + 2, saved_[i][1]);
            }
        }
    }

private:
    Memory& mem_;
    uint16_t saved_[std::size(kvm::kTrappedExceptions)][2]{};
};

class KvmBackend final : public Backend {
public:
    std::string name() const override { return "kvm"; }

    RunResult run(Memory& mem, const RunRequest& req) override
    {
        if (mem.size() < BIOSX_REALMODE_END)
            fail(ErrorKind::usage, "the kvm backend needs the whole first MiB as its memory");
        RunResult res;
        res.backend = name();
        PortIo ports(req, mem, res);
        StartState start = prepare_start(mem, req);
        if (!dev_) dev_ = KvmDevice::open();

        ExceptionStubs stubs(mem);
        size_t slot_size = 0;
        uint8_t* guest = ram_.attach(mem.bytes(), slot_size);
        dev_->map_memory(guest, slot_size);
        struct Detach {
            GuestRam& r;
            ~Detach() { r.detach(); }
        } detach{ram_};

        kvm_sregs s{};
        dev_->get_sregs(s);
        kvm::real_mode_sregs(s, start.regs);
        dev_->set_sregs(s);
        kvm_regs k = kvm::to_kvm_regs(start.regs);
        dev_->set_regs(k);

        kvm_run* run = dev_->run_state();
        run->immediate_exit = 0;
        t_running = run;
        t_kicked = 0;
        const auto t0 = Clock::now();
        const auto deadline =
            t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(req.limits.timeout_s));
        bool done = false;
        {
            Kick kick(req.limits.timeout_s);
            while (!done) {
                int e = dev_->run();
                if (e == EINTR || e == EAGAIN) {
                    run->immediate_exit = 0;
                    if (t_kicked || Clock::now() >= deadline) {
                        res.end = timed_out(req.limits.timeout_s);
                        break;
                    }
                    continue;
                }
                if (e) {
                    t_running = nullptr;
                    KvmDevice::fail_ioctl(KVM_RUN, e);
                }
                ++res.exits;
                ++res.exits_by_reason[kvm_exit_name(run->exit_reason)];
                done = on_exit(*run, ports, mem, res);
                if (!done && Clock::now() >= deadline) {
                    res.end = timed_out(req.limits.timeout_s);
                    done = true;
                }
            }
        }
        t_running = nullptr;
        res.elapsed_s = std::chrono::duration<double>(Clock::now() - t0).count();
        dev_->get_regs(k);
        dev_->get_sregs(s);
        res.regs = kvm::from_kvm(k, s);
        res.vcpu = kvm::vcpu_state(s);
        if (res.end.kind == EndKind::return_trap || res.end.kind == EndKind::halt) res.regs[Reg::eip] -= 1;  // at the HLT
        if (res.end.kind == EndKind::exception && unwind_exception(guest, slot_size, res.regs))
            res.end = cpu_exception(static_cast<unsigned>(res.end.vector), static_cast<uint16_t>(res.regs[Reg::cs]),
                                    static_cast<uint16_t>(res.regs[Reg::eip]));
        res.end.message += polling_note(res, mem.kind() == MemoryKind::image);
        return res;
    }

private:
    // One exit; true when it ends the run (res.end set).
    bool on_exit(kvm_run& run, PortIo& ports, Memory& mem, RunResult& res)
    {
        switch (run.exit_reason) {
        case KVM_EXIT_IO: {
            auto* data = reinterpret_cast<uint8_t*>(&run) + run.io.data_offset;
            const bool write = run.io.direction == KVM_EXIT_IO_OUT;
            const unsigned size = run.io.size;
            for (uint32_t i = 0; i < run.io.count; ++i) {
                uint32_t v = 0;
                if (write) std::memcpy(&v, data + i * size, size);
                v = ports.access(run.io.port, size, write, v);
                if (!write) std::memcpy(data + i * size, &v, size);
            }
            return false;
        }
        case KVM_EXIT_HLT: {
            kvm_regs k;
            kvm_sregs s;
            dev_->get_regs(k);
            dev_->get_sregs(s);
            // RIP is past the HLT (one byte).
            const uint16_t ip = static_cast<uint16_t>(k.rip - 1);
            const uint32_t linear = static_cast<uint32_t>(s.cs.base + ip);
            if (linear == BIOSX_TRAP_LINEAR) {
                res.end = returned_to_trap();
            } else if (int v = kvm::stub_vector(linear); v >= 0) {
                res.end = cpu_exception(static_cast<unsigned>(v), 0, 0);  // CS:IP from the frame, below
            } else {
                res.end = halted(s.cs.selector, ip);
            }
            return true;
        }
        case KVM_EXIT_MMIO:
            res.end = outside_memory(run.mmio.is_write ? "write to" : "read from", run.mmio.phys_addr, mem.size());
            return true;
        case KVM_EXIT_SHUTDOWN:
            res.end = {EndKind::triple_fault, "triple fault in the guest"};
            return true;
        case KVM_EXIT_FAIL_ENTRY: {
            char buf[160];
            std::snprintf(buf, sizeof buf, "VM entry failed: hardware entry failure reason 0x%llx (KVM_EXIT_FAIL_ENTRY)",
                          static_cast<unsigned long long>(run.fail_entry.hardware_entry_failure_reason));
            res.end = {EndKind::entry_failure, buf, -1,
                       static_cast<int64_t>(run.fail_entry.hardware_entry_failure_reason)};
            return true;
        }
        case KVM_EXIT_INTERNAL_ERROR:
            res.end = {EndKind::other, run.internal.suberror == KVM_INTERNAL_ERROR_EMULATION
                                           ? "KVM could not emulate an instruction (KVM_EXIT_INTERNAL_ERROR, emulation failure)"
                                           : "KVM internal error " + std::to_string(run.internal.suberror) +
                                                 " (KVM_EXIT_INTERNAL_ERROR)"};
            return true;
        case KVM_EXIT_INTR:
            return false;
        default:
            res.end = {EndKind::other, kvm_exit_name(run.exit_reason) + " is not handled by biosx"};
            return true;
        }
    }

    // An exception stub's HLT: the CPU pushed FLAGS, CS, IP of the faulting
    // instruction (SDM Vol. 3A §20.1.4); the result is the state before it.
    // False when the frame lies outside the guest memory.
    static bool unwind_exception(const uint8_t* guest, size_t size, Registers& r)
    {
        const uint32_t ss = r[Reg::ss] << 4;
        const uint16_t sp = static_cast<uint16_t>(r[Reg::esp]);
        if (ss + 0x10000u + 1 > size) return false;
        auto word = [&](unsigned i) {
            const uint32_t a = ss + static_cast<uint16_t>(sp + 2 * i);
            return static_cast<uint16_t>(guest[a] | guest[a + 1] << 8);
        };
        const uint16_t ip = word(0), cs = word(1), flags = word(2);
        r[Reg::eip] = ip;
        r[Reg::cs] = cs;
        r[Reg::eflags] = (r[Reg::eflags] & 0xffff0000u) | flags;
        r[Reg::esp] = (r[Reg::esp] & 0xffff0000u) | static_cast<uint16_t>(sp + 6);
        return true;
    }

    std::unique_ptr<KvmDevice> dev_;
    GuestRam ram_;
};

}  // namespace

std::unique_ptr<Backend> make_kvm_backend() { return std::make_unique<KvmBackend>(); }

}  // namespace biosx
