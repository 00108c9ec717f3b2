// vmx_stub.cpp - TEMPORARY until the vmx backend lands: reports the device
// as absent. Userspace.
#include "core/source.h"

namespace biosx {
std::unique_ptr<Backend> make_vmx_backend_if_present() { return nullptr; }
std::unique_ptr<Memory> open_vmx_memory_if_present() { return nullptr; }
}  // namespace biosx
