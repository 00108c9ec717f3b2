// biosx_device.h - the one owner of /dev/biosx in userspace: opening it
// with one ABI-version policy and one set of messages, this open file's
// guest memory, and its ioctls as the KVM selftests wrap them: the call
// returns the error, and every error a caller does not explain itself is
// reported naming the ioctl. The vmx backend, `biosx caps` and the VMCS
// record store reach the module only through it. Userspace.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace biosx {

class BiosxDevice {
public:
    static constexpr const char* kPath = "/dev/biosx";

    // True when /dev/biosx exists, i.e. biosx.ko is loaded.
    static bool present();

    // Opens /dev/biosx and checks that the module speaks this biosx's ABI
    // (BIOSX_IOC_VERSION). Null when the device does not exist; throws
    // Error(environment) when it exists but cannot be used: no permission
    // (with the fix, or the lockdown that causes it) or another ABI version.
    static std::shared_ptr<BiosxDevice> open_if_present();

    ~BiosxDevice();
    BiosxDevice(const BiosxDevice&) = delete;
    BiosxDevice& operator=(const BiosxDevice&) = delete;

    // The ioctl: 0, or the errno it failed with. Callers explain the errors
    // the uapi documents for it and pass the rest to fail_ioctl().
    int try_ioctl(unsigned long request, void* arg);
    // Throws Error(environment) "BIOSX_IOC_NAME: why" for `err`: EPERM and
    // EACCES with the fix (or the lockdown), ENOTTY as a module that lacks
    // the ioctl, anything else by strerror.
    [[noreturn]] static void fail_ioctl(unsigned long request, int err);

    // This open file's guest memory (BIOSX_GUEST_BYTES: the real-mode
    // address space and the HMA), mapped at first use. Every open file of
    // /dev/biosx has its own.
    std::span<uint8_t> guest_memory();
    // Maps [offset, offset + len) of the guest memory again at its place in
    // guest_memory() (page-aligned), replacing whatever was mapped there:
    // how the VGA window returns to the module's copy (VmxMemory).
    void remap_guest(uint32_t offset, size_t len);

private:
    explicit BiosxDevice(int fd) : fd_(fd) {}
    int fd_;
    uint8_t* mem_ = nullptr;
};

// "BIOSX_IOC_RUN" for BIOSX_IOC_RUN, "ioctl 0x..." for a request the uapi
// header does not define.
std::string ioctl_name(unsigned long request);

}  // namespace biosx
