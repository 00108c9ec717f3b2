// x86emu_exit.cpp - leaving x86emu_run on a host divide fault inside
// libx86emu or when a callback asks (x86emu_exit.h says why). Userspace,
// emulation backend.
#include "core/backend/x86emu_exit.h"

#include <csetjmp>
#include <csignal>
#include <cstdint>
#include <link.h>
#include <mutex>
#include <ucontext.h>

namespace biosx {

namespace {

thread_local sigjmp_buf* t_jump = nullptr;  // set while this thread is in run_x86emu
struct sigaction g_prev;                    // the handler before biosx's
uintptr_t g_text_begin = 0, g_text_end = 0;  // libx86emu's executable segment

int find_text(dl_phdr_info* info, size_t, void*)
{
    const auto pc = reinterpret_cast<uintptr_t>(&x86emu_run);
    for (int i = 0; i < info->dlpi_phnum; ++i) {
        const ElfW(Phdr)& ph = info->dlpi_phdr[i];
        if (ph.p_type != PT_LOAD || !(ph.p_flags & PF_X)) continue;
        const uintptr_t b = info->dlpi_addr + ph.p_vaddr, e = b + ph.p_memsz;
        if (pc >= b && pc < e) {
            g_text_begin = b;
            g_text_end = e;
            return 1;
        }
    }
    return 0;
}

void on_fpe(int sig, siginfo_t* info, void* uctx)
{
    const auto pc = static_cast<uintptr_t>(static_cast<ucontext_t*>(uctx)->uc_mcontext.gregs[REG_RIP]);
    if (t_jump && pc >= g_text_begin && pc < g_text_end) siglongjmp(*t_jump, static_cast<int>(X86emuExit::divide_fault));
    if (g_prev.sa_flags & SA_SIGINFO) {
        g_prev.sa_sigaction(sig, info, uctx);
    } else if (g_prev.sa_handler != SIG_DFL && g_prev.sa_handler != SIG_IGN) {
        g_prev.sa_handler(sig);
    } else {
        // The faulting instruction runs again and the default action ends
        // the process (a hardware SIGFPE cannot be ignored).
        std::signal(SIGFPE, SIG_DFL);
    }
}

// biosx's handler, installed by the first of the runs in progress and
// removed by the last.
class Guard {
public:
    Guard()
    {
        std::lock_guard<std::mutex> l(mutex_);
        if (users_++ > 0) return;
        if (!g_text_end) dl_iterate_phdr(find_text, nullptr);
        struct sigaction sa {};
        sa.sa_sigaction = on_fpe;
        sa.sa_flags = SA_SIGINFO;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGFPE, &sa, &g_prev);
    }
    ~Guard()
    {
        std::lock_guard<std::mutex> l(mutex_);
        if (--users_ == 0) sigaction(SIGFPE, &g_prev, nullptr);
    }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

private:
    static inline std::mutex mutex_;
    static inline int users_ = 0;
};

// No C++ object lives in this frame. The divisions that fault run in
// libx86emu's instruction code with no biosx callback between it and
// x86emu_run, and leave_x86emu's callers hold none: the siglongjmp back here
// skips nothing that needs destroying.
X86emuExit run_jumping_back(x86emu_t* emu)
{
    static_assert(static_cast<int>(X86emuExit::returned) == 0, "sigsetjmp returns 0 the first time");
    sigjmp_buf jump;
    if (const int how = sigsetjmp(jump, 1); how != 0) {
        t_jump = nullptr;
        return static_cast<X86emuExit>(how);
    }
    t_jump = &jump;
    x86emu_run(emu, 0);
    t_jump = nullptr;
    return X86emuExit::returned;
}

}  // namespace

X86emuExit run_x86emu(x86emu_t* emu)
{
    // Room for libx86emu's end-of-run lines in the trace log (x86emu_exit.h).
    if (emu->log.ptr && static_cast<size_t>(emu->log.buf + emu->log.size - emu->log.ptr) < kLogTrailerRoom)
        x86emu_clear_log(emu, 1);
    Guard guard;
    return run_jumping_back(emu);
}

void leave_x86emu()
{
    if (t_jump) siglongjmp(*t_jump, static_cast<int>(X86emuExit::left));
}

}  // namespace biosx
