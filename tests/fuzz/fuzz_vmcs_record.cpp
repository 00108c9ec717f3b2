// fuzz_vmcs_record.cpp - VMCS record decoding of arbitrary bytes: what
// `biosx dump-vmcs` reads back from the module or from the record file it
// keeps in $XDG_RUNTIME_DIR (/tmp), rendered as text, JSON and raw dump.
#include <cstring>
#include <memory>

#include "uapi/biosx.h"
#include "core/vmx/vmcs_record.h"
#include "fuzz_common.h"

using namespace biosx;

// Inputs up to the header, all 256 field slots and the region's first 8
// bytes (revision and abort indicator); the rest of the region is only
// printed in hex.
BIOSX_FUZZ_MAX_LEN(offsetof(biosx_vmcs_record, raw) + 8)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static auto u = std::make_unique<biosx_vmcs_record>();
    std::memset(u.get(), 0, sizeof *u);
    // The input fills the header and the fields; what lies past them goes
    // to the region (its first 8 bytes are the revision and abort indicator).
    const size_t head = std::min(size, sizeof *u - sizeof u->raw);
    std::memcpy(u.get(), data, head);
    if (size > head) std::memcpy(u->raw, data + head, std::min(size - head, sizeof u->raw));
    const vmx::VmcsRecord r = vmx::vmcs_record_from_uapi(*u);
    if (r.fields.size() > BIOSX_VMCS_RECORD_MAX) __builtin_trap();
    vmx::render_vmcs_text(r);
    fuzz::dump_size(vmx::vmcs_to_json(r));
    // The region's plain hex dump (--raw): a fifth of the time when every
    // other input made it, and the same 4 KiB of hex whatever the record.
    if (size % 8 == 1) vmx::render_vmcs_raw(r);
    return 0;
}
