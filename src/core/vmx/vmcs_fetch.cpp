// vmcs_fetch.cpp - FALLBACK for fetch_last_vmcs() until the vmx backend
// (src/core/backend/) defines it over the module's VMCS-record ioctl. It only
// explains what is missing. Userspace.
#include <sys/stat.h>

#include "core/error.h"
#include "core/vmx/vmcs_record.h"

namespace biosx::vmx {

__attribute__((weak)) VmcsRecord fetch_last_vmcs()
{
    struct stat st;
    if (::stat("/dev/biosx", &st) != 0)
        fail(ErrorKind::environment,
             "dump-vmcs needs the vmx backend: /dev/biosx does not exist (load biosx.ko on a CPU with VMX)");
    fail(ErrorKind::environment,
         "dump-vmcs needs the vmx backend's VMCS record, which this build of biosx does not read yet");
}

}  // namespace biosx::vmx
