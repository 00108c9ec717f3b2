// kvm_device.h - the one owner of /dev/kvm in userspace: the API version
// check, one VM with one vCPU and its mapped kvm_run, the guest memory slot,
// and the ioctls wrapped as BiosxDevice wraps the module's: the call returns
// the error, every error a caller does not explain names the ioctl. The kvm
// backend and `biosx caps` reach KVM only through it. Userspace.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

struct kvm_run;
struct kvm_regs;
struct kvm_sregs;

namespace biosx {

class KvmDevice {
public:
    static constexpr const char* kPath = "/dev/kvm";

    // "" when /dev/kvm opens and speaks KVM_API_VERSION 12 (the only stable
    // one); else one line saying why KVM cannot be used here.
    static std::string unusable_reason();

    // Opens /dev/kvm, creates the VM and its vCPU and maps the vCPU's
    // kvm_run. Throws Error(environment) naming the step that failed.
    static std::unique_ptr<KvmDevice> open();

    ~KvmDevice();
    KvmDevice(const KvmDevice&) = delete;
    KvmDevice& operator=(const KvmDevice&) = delete;

    // Slot 0 at guest-physical 0 over [host, host + size): host page-aligned,
    // size a multiple of the page size (KVM_SET_USER_MEMORY_REGION refuses
    // anything else). Replaces the slot when host or size differ.
    void map_memory(uint8_t* host, size_t size);

    void get_regs(kvm_regs& r);
    void set_regs(const kvm_regs& r);
    void get_sregs(kvm_sregs& s);
    void set_sregs(const kvm_sregs& s);
    // KVM_RUN: 0, or the errno (EINTR when a signal kicked the vCPU out).
    int run();
    kvm_run* run_state() { return run_; }

    // "KVM_RUN" for KVM_RUN, "ioctl 0x..." for another request.
    static std::string ioctl_name(unsigned long request);
    // Throws Error(environment) "KVM_NAME: strerror".
    [[noreturn]] static void fail_ioctl(unsigned long request, int err);

private:
    KvmDevice() = default;
    void ioctl_or_fail(int fd, unsigned long request, const void* arg);
    int kvm_ = -1, vm_ = -1, vcpu_ = -1;
    kvm_run* run_ = nullptr;
    size_t run_size_ = 0;
    uint8_t* slot_host_ = nullptr;
    size_t slot_size_ = 0;
};

// The KVM_EXIT_* name of a kvm_run exit reason ("KVM_EXIT_IO"),
// "KVM_EXIT_n" for one this table does not know.
std::string kvm_exit_name(uint32_t reason);

}  // namespace biosx
