// vmcs_fetch.cpp - the module's VMCS record (BIOSX_IOC_GET_VMCS) as a
// VmcsRecord, and a FALLBACK fetch_last_vmcs() that opens /dev/biosx itself.
// The module keeps one record per open file, so the vmx backend, which owns
// the file of the run, overrides fetch_last_vmcs() with its own. Userspace.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "uapi/biosx.h"
#include "core/error.h"
#include "core/vmx/vmcs_record.h"

namespace biosx::vmx {

VmcsRecord vmcs_record_from_uapi(const biosx_vmcs_record& u)
{
    VmcsRecord r;
    r.vmxon_pa = u.vmxon_pa;
    r.vmcs_pa = u.vmcs_pa;
    const uint32_t n = std::min<uint32_t>(u.nfields, BIOSX_VMCS_RECORD_MAX);
    for (uint32_t i = 0; i < n; ++i) r.fields.emplace_back(u.fields[i].encoding, u.fields[i].value);
    r.raw.assign(u.raw, u.raw + sizeof u.raw);
    r.addresses_hidden = u.flags & BIOSX_VMCS_ADDRESSES_HIDDEN;
    return r;
}

__attribute__((weak)) VmcsRecord fetch_last_vmcs()
{
    struct stat st;
    if (::stat("/dev/biosx", &st) != 0)
        fail(ErrorKind::environment,
             "dump-vmcs needs the vmx backend: /dev/biosx does not exist (load biosx.ko on a CPU with VMX)");
    const int fd = ::open("/dev/biosx", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        const int e = errno;
        if (e == EACCES || e == EPERM)
            fail(ErrorKind::environment, "/dev/biosx: permission denied: run as root (CAP_SYS_RAWIO)");
        fail(ErrorKind::environment, std::string("/dev/biosx: ") + std::strerror(e));
    }
    auto u = std::make_unique<biosx_vmcs_record>();
    const int rc = ::ioctl(fd, BIOSX_IOC_GET_VMCS, u.get());
    const int e = errno;
    ::close(fd);
    if (rc != 0) fail(ErrorKind::environment, std::string("BIOSX_IOC_GET_VMCS: ") + std::strerror(e));
    if (!u->valid)
        fail(ErrorKind::environment,
             "no VMCS record: the module keeps one per open file and this process has made no vmx run "
             "(use biosx int VECTOR --dump-vmcs)");
    return vmcs_record_from_uapi(*u);
}

}  // namespace biosx::vmx
