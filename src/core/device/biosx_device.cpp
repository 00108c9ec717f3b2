// biosx_device.cpp - opening /dev/biosx, its guest memory, and its ioctls,
// each error naming the ioctl that failed. Userspace.
#include "core/device/biosx_device.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/lockdown.h"
#include "uapi/biosx.h"

namespace biosx {

std::string ioctl_name(unsigned long request)
{
    switch (request) {
    case BIOSX_IOC_VERSION: return "BIOSX_IOC_VERSION";
    case BIOSX_IOC_RUN: return "BIOSX_IOC_RUN";
    case BIOSX_IOC_GET_CAPS: return "BIOSX_IOC_GET_CAPS";
    case BIOSX_IOC_GET_VMCS: return "BIOSX_IOC_GET_VMCS";
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "ioctl 0x%lx", request);
    return buf;
}

namespace {

// EPERM from the module (open or ioctl), prefixed by `what`: the lockdown
// level when it is raised, else the privilege to get.
[[noreturn]] void fail_not_permitted(const std::string& what)
{
    // The module refuses without CAP_SYS_RAWIO, and under lockdown even
    // root: biosx reaches what /dev/mem and port I/O would.
    std::string level = lockdown_level();
    if (!level.empty())
        fail(ErrorKind::environment, what + ": kernel lockdown (" + level +
                                         ") forbids /dev/mem and port I/O, so biosx.ko refuses; "
                                         "use --backend emu over an --image");
    fail(ErrorKind::environment, what + ": " + std::strerror(EPERM) +
                                     " (the module needs root / CAP_SYS_RAWIO; or use --backend emu)");
}

}  // namespace

bool BiosxDevice::present()
{
    struct stat st;
    return ::stat(kPath, &st) == 0;
}

std::shared_ptr<BiosxDevice> BiosxDevice::open_if_present()
{
    if (!present()) return nullptr;
    int fd = ::open(kPath, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        if (e == EPERM || e == EACCES) fail_not_permitted(kPath);
        fail(ErrorKind::environment, std::string(kPath) + ": cannot open: " + std::strerror(e));
    }
    std::shared_ptr<BiosxDevice> d(new BiosxDevice(fd));
    // One policy for every user of the device: a module of another ABI is
    // refused, never half-used (shared/uapi/biosx.h: BIOSX_ABI_VERSION).
    __u32 version = 0;
    if (int e = d->try_ioctl(BIOSX_IOC_VERSION, &version); e && e != ENOTTY) fail_ioctl(BIOSX_IOC_VERSION, e);
    if (version != BIOSX_ABI_VERSION)
        fail(ErrorKind::environment, std::string(kPath) + ": the loaded module speaks ABI " + std::to_string(version) +
                                         ", this biosx speaks " + std::to_string(BIOSX_ABI_VERSION) +
                                         " (rebuild or reload biosx.ko)");
    return d;
}

BiosxDevice::~BiosxDevice()
{
    if (mem_) ::munmap(mem_, BIOSX_GUEST_BYTES);
    ::close(fd_);
}

int BiosxDevice::try_ioctl(unsigned long request, void* arg)
{
    return ::ioctl(fd_, request, arg) == 0 ? 0 : errno;
}

void BiosxDevice::fail_ioctl(unsigned long request, int err)
{
    const std::string name = ioctl_name(request);
    if (err == EPERM || err == EACCES) fail_not_permitted(name);
    if (err == ENOTTY)
        fail(ErrorKind::environment, name + ": the loaded biosx.ko does not offer it (rebuild or reload the module)");
    fail(ErrorKind::environment, name + ": " + std::strerror(err));
}

std::span<uint8_t> BiosxDevice::guest_memory()
{
    if (!mem_) {
        void* p = ::mmap(nullptr, BIOSX_GUEST_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
        if (p == MAP_FAILED)
            fail(ErrorKind::environment, std::string(kPath) + ": cannot map the guest memory: " + std::strerror(errno));
        mem_ = static_cast<uint8_t*>(p);
    }
    return {mem_, BIOSX_GUEST_BYTES};
}

void BiosxDevice::remap_guest(uint32_t offset, size_t len)
{
    if (::mmap(guest_memory().data() + offset, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd_, offset) ==
        MAP_FAILED)
        fail(ErrorKind::environment, std::string(kPath) + ": cannot map the guest memory at " + std::to_string(offset) +
                                         " again: " + std::strerror(errno));
}

}  // namespace biosx
