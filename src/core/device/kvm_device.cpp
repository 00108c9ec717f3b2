// kvm_device.cpp - /dev/kvm: one VM, one vCPU, its kvm_run and the memory
// slot, each error naming the ioctl that failed. Userspace.
#include "core/device/kvm_device.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/error.h"

namespace biosx {

namespace {

// The only API version KVM has ever had since it became stable (2.6.22);
// the kernel's Documentation/virt/kvm/api.rst: "applications should refuse
// to run if KVM_GET_API_VERSION returns a value other than 12".
constexpr int kKvmApiVersion = 12;

int open_kvm(std::string& why)
{
    int fd = ::open(KvmDevice::kPath, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        why = std::string(KvmDevice::kPath) + ": " + std::strerror(e) +
              (e == ENOENT ? " (no KVM here: the CPU lacks VMX/SVM, it is disabled, or kvm_intel/kvm_amd is not loaded)"
               : e == EACCES ? " (join the kvm group, or run as root)"
                             : "");
        return -1;
    }
    int v = ::ioctl(fd, KVM_GET_API_VERSION, 0);
    if (v != kKvmApiVersion) {
        why = "KVM_GET_API_VERSION: " + (v < 0 ? std::string(std::strerror(errno)) : "version " + std::to_string(v)) +
              ", biosx needs " + std::to_string(kKvmApiVersion);
        ::close(fd);
        return -1;
    }
    return fd;
}

}  // namespace

std::string KvmDevice::ioctl_name(unsigned long request)
{
    switch (request) {
    case KVM_GET_API_VERSION: return "KVM_GET_API_VERSION";
    case KVM_CREATE_VM: return "KVM_CREATE_VM";
    case KVM_GET_VCPU_MMAP_SIZE: return "KVM_GET_VCPU_MMAP_SIZE";
    case KVM_CREATE_VCPU: return "KVM_CREATE_VCPU";
    case KVM_SET_USER_MEMORY_REGION: return "KVM_SET_USER_MEMORY_REGION";
    case KVM_SET_TSS_ADDR: return "KVM_SET_TSS_ADDR";
    case KVM_GET_REGS: return "KVM_GET_REGS";
    case KVM_SET_REGS: return "KVM_SET_REGS";
    case KVM_GET_SREGS: return "KVM_GET_SREGS";
    case KVM_SET_SREGS: return "KVM_SET_SREGS";
    case KVM_RUN: return "KVM_RUN";
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "ioctl 0x%lx", request);
    return buf;
}

void KvmDevice::fail_ioctl(unsigned long request, int err)
{
    std::string why = std::strerror(err);
    if (err == EBUSY && (request == KVM_CREATE_VM || request == KVM_RUN))
        why += " (is VMX held by another hypervisor on this CPU, such as biosx.ko? unload it or use --backend emu)";
    fail(ErrorKind::environment, ioctl_name(request) + ": " + why);
}

void KvmDevice::ioctl_or_fail(int fd, unsigned long request, const void* arg)
{
    if (::ioctl(fd, request, arg) < 0) fail_ioctl(request, errno);
}

std::string KvmDevice::unusable_reason()
{
    std::string why;
    int fd = open_kvm(why);
    if (fd >= 0) ::close(fd);
    return why;
}

std::unique_ptr<KvmDevice> KvmDevice::open()
{
    std::string why;
    std::unique_ptr<KvmDevice> d(new KvmDevice);
    d->kvm_ = open_kvm(why);
    if (d->kvm_ < 0) fail(ErrorKind::environment, "--backend kvm: " + why);
    d->vm_ = ::ioctl(d->kvm_, KVM_CREATE_VM, 0);
    if (d->vm_ < 0) fail_ioctl(KVM_CREATE_VM, errno);
    // Intel without unrestricted guest runs real mode in vm86 under a TSS
    // of KVM's own, three pages the guest never addresses: above its 4 GiB
    // boundary's last pages, where a real-mode guest cannot reach
    // (api.rst, KVM_SET_TSS_ADDR). Other CPUs accept and ignore it.
    d->ioctl_or_fail(d->vm_, KVM_SET_TSS_ADDR, reinterpret_cast<void*>(0xfffbd000ul));
    d->vcpu_ = ::ioctl(d->vm_, KVM_CREATE_VCPU, 0);
    if (d->vcpu_ < 0) fail_ioctl(KVM_CREATE_VCPU, errno);
    int size = ::ioctl(d->kvm_, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (size < static_cast<int>(sizeof(kvm_run))) fail_ioctl(KVM_GET_VCPU_MMAP_SIZE, size < 0 ? errno : EINVAL);
    void* p = ::mmap(nullptr, static_cast<size_t>(size), PROT_READ | PROT_WRITE, MAP_SHARED, d->vcpu_, 0);
    if (p == MAP_FAILED)
        fail(ErrorKind::environment, std::string("mmap of the vCPU's kvm_run: ") + std::strerror(errno));
    d->run_ = static_cast<kvm_run*>(p);
    d->run_size_ = static_cast<size_t>(size);
    return d;
}

KvmDevice::~KvmDevice()
{
    if (run_) ::munmap(run_, run_size_);
    for (int fd : {vcpu_, vm_, kvm_})
        if (fd >= 0) ::close(fd);
}

void KvmDevice::map_memory(uint8_t* host, size_t size)
{
    if (host == slot_host_ && size == slot_size_) return;
    const long page = ::sysconf(_SC_PAGESIZE);
    if (reinterpret_cast<uintptr_t>(host) % page || size % page || size == 0)
        fail(ErrorKind::environment, "KVM_SET_USER_MEMORY_REGION: the guest memory is not page-aligned (biosx bug)");
    kvm_userspace_memory_region slot{};
    slot.slot = 0;
    if (slot_size_) {  // a slot is replaced by deleting it first (api.rst)
        slot.memory_size = 0;
        ioctl_or_fail(vm_, KVM_SET_USER_MEMORY_REGION, &slot);
        slot_size_ = 0;
    }
    slot.guest_phys_addr = 0;
    slot.memory_size = size;
    slot.userspace_addr = reinterpret_cast<uintptr_t>(host);
    ioctl_or_fail(vm_, KVM_SET_USER_MEMORY_REGION, &slot);
    slot_host_ = host;
    slot_size_ = size;
}

void KvmDevice::get_regs(kvm_regs& r) { ioctl_or_fail(vcpu_, KVM_GET_REGS, &r); }
void KvmDevice::set_regs(const kvm_regs& r) { ioctl_or_fail(vcpu_, KVM_SET_REGS, &r); }
void KvmDevice::get_sregs(kvm_sregs& s) { ioctl_or_fail(vcpu_, KVM_GET_SREGS, &s); }
void KvmDevice::set_sregs(const kvm_sregs& s) { ioctl_or_fail(vcpu_, KVM_SET_SREGS, &s); }

int KvmDevice::run()
{
    return ::ioctl(vcpu_, KVM_RUN, 0) < 0 ? errno : 0;
}

std::string kvm_exit_name(uint32_t reason)
{
    switch (reason) {
    case KVM_EXIT_UNKNOWN: return "KVM_EXIT_UNKNOWN";
    case KVM_EXIT_EXCEPTION: return "KVM_EXIT_EXCEPTION";
    case KVM_EXIT_IO: return "KVM_EXIT_IO";
    case KVM_EXIT_HYPERCALL: return "KVM_EXIT_HYPERCALL";
    case KVM_EXIT_DEBUG: return "KVM_EXIT_DEBUG";
    case KVM_EXIT_HLT: return "KVM_EXIT_HLT";
    case KVM_EXIT_MMIO: return "KVM_EXIT_MMIO";
    case KVM_EXIT_IRQ_WINDOW_OPEN: return "KVM_EXIT_IRQ_WINDOW_OPEN";
    case KVM_EXIT_SHUTDOWN: return "KVM_EXIT_SHUTDOWN";
    case KVM_EXIT_FAIL_ENTRY: return "KVM_EXIT_FAIL_ENTRY";
    case KVM_EXIT_INTR: return "KVM_EXIT_INTR";
    case KVM_EXIT_SET_TPR: return "KVM_EXIT_SET_TPR";
    case KVM_EXIT_TPR_ACCESS: return "KVM_EXIT_TPR_ACCESS";
    case KVM_EXIT_NMI: return "KVM_EXIT_NMI";
    case KVM_EXIT_INTERNAL_ERROR: return "KVM_EXIT_INTERNAL_ERROR";
    case KVM_EXIT_SYSTEM_EVENT: return "KVM_EXIT_SYSTEM_EVENT";
    case KVM_EXIT_X86_RDMSR: return "KVM_EXIT_X86_RDMSR";
    case KVM_EXIT_X86_WRMSR: return "KVM_EXIT_X86_WRMSR";
    }
    return "KVM_EXIT_" + std::to_string(reason);
}

}  // namespace biosx
