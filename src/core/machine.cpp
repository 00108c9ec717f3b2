// machine.cpp - choosing memory source and backend. Userspace.
#include "core/machine.h"

#include "core/device/biosx_device.h"
#include "core/device/kvm_device.h"
#include "core/error.h"
#include "core/format.h"
#include "core/lockdown.h"
#include "core/run/image.h"

namespace biosx {

Machine open_machine(const MachineOptions& opt)
{
    Machine s;
    if (opt.backend != "auto" && opt.backend != "emu" && opt.backend != "vmx" && opt.backend != "kvm")
        fail(ErrorKind::usage, "--backend " + printable(opt.backend) + ": unknown backend (auto, emu, vmx or kvm)");
    if (opt.backend == "kvm") {
        // Refused here, before any memory is read, when KVM cannot be used.
        if (std::string why = KvmDevice::unusable_reason(); !why.empty())
            fail(ErrorKind::environment, "--backend kvm: " + why + " (use --backend emu)");
    }
    auto cpu_backend = [&] { return opt.backend == "kvm" ? make_kvm_backend() : make_emu_backend(); };

    if (opt.backend == "vmx") {
        if (!opt.image.empty())
            fail(ErrorKind::usage, "--backend vmx runs over the module's guest memory; it cannot use --image");
        auto device = BiosxDevice::open_if_present();
        if (!device) {
            std::string level = lockdown_level();
            if (!level.empty())
                fail(ErrorKind::environment, "--backend vmx: /dev/biosx does not exist, and kernel lockdown (" + level +
                                                 ") refuses unsigned modules such as biosx.ko; use --backend emu --image FILE");
            fail(ErrorKind::environment,
                 "--backend vmx: /dev/biosx does not exist (load the module: modprobe biosx, or use --backend emu)");
        }
        s.backend = make_vmx_backend(device);
        s.mem = make_vmx_memory(device);
        return s;
    }
    if (!opt.image.empty()) {
        s.mem = open_image(opt.image);
        s.backend = cpu_backend();
        return s;
    }
    std::string kvm_why;
    if (opt.backend == "auto") {
        if (auto device = BiosxDevice::open_if_present()) {
            s.backend = make_vmx_backend(device);
            s.mem = make_vmx_memory(device);
            return s;
        }
        kvm_why = KvmDevice::unusable_reason();
    }
    std::string why;
    try {
        s.mem = open_host_memory();
        // auto over the host: the module, else KVM, else the emulator.
        if (opt.backend == "auto" && kvm_why.empty()) {
            s.backend = make_kvm_backend();
            s.note = "note: backend kvm (/dev/biosx is not loaded; /dev/kvm is usable)";
        } else {
            s.backend = cpu_backend();
        }
        return s;
    } catch (const Error& e) {
        if (!opt.bundled_fallback) throw;
        why = e.what();
    }
    std::string bundled = default_image_path();
    if (bundled.empty())
        fail(ErrorKind::environment, "no BIOS is reachable: " + why +
                                         "; no bundled snapshot is installed either (pass --image FILE)");
    s.mem = open_image(bundled, "the bundled snapshot");
    s.backend = cpu_backend();
    s.bundled = true;
    s.host_unreachable = why;
    s.note = "note: the host's BIOS is not reachable (" + why + "); using the bundled SeaBIOS snapshot " + bundled;
    return s;
}

}  // namespace biosx
