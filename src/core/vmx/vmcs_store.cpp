// vmcs_store.cpp - the VMCS record of the last vmx run, kept for a later
// `biosx dump-vmcs`: the module keeps one record per open file (so one
// process never sees another's); after each run the vmx backend fetches it
// (BIOSX_IOC_GET_VMCS) and stores it in a file of the user's own, which
// dump-vmcs reads back. Userspace.
#include <algorithm>
#include <cstdlib>
#include <fcntl.h>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

#include "core/device/biosx_device.h"
#include "core/error.h"
#include "core/vmx/vmcs_record.h"
#include "uapi/biosx.h"

namespace biosx::vmx {

namespace {

// $XDG_RUNTIME_DIR (or /tmp)/biosx-last-vmcs-UID.bin: per user.
std::string record_path()
{
    const char* dir = std::getenv("XDG_RUNTIME_DIR");
    std::string d = dir && *dir ? dir : "/tmp";
    return d + "/biosx-last-vmcs-" + std::to_string(getuid()) + ".bin";
}

}  // namespace

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

void store_last_vmcs(BiosxDevice& device)
{
    auto rec = std::make_unique<biosx_vmcs_record>();
    if (device.try_ioctl(BIOSX_IOC_GET_VMCS, rec.get()) != 0 || !rec->valid) return;
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
        if (!BiosxDevice::present())
            fail(ErrorKind::environment,
                 "dump-vmcs needs the vmx backend: /dev/biosx does not exist (load biosx.ko on a CPU with VMX)");
        fail(ErrorKind::environment,
             "no VMCS recorded yet: run a call through the vmx backend first (biosx --backend vmx int 0x11)");
    }
    return vmcs_record_from_uapi(*rec);
}

}  // namespace biosx::vmx
