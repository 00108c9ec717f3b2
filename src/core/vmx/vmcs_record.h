// vmcs_record.h - what the module recorded of the last run's VMCS (every
// supported field after the run, the 4 KiB region after VMCLEAR, the VMXON
// and VMCS physical addresses), and its text/JSON views for
// `biosx dump-vmcs`. Userspace.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

struct biosx_vmcs_record;  // shared/uapi/biosx.h

namespace biosx {
class BiosxDevice;
}

namespace biosx::vmx {

struct VmcsRecord {
    uint64_t vmxon_pa = 0, vmcs_pa = 0;
    std::vector<std::pair<uint32_t, uint64_t>> fields;  // (encoding, value), full encodings
    std::vector<uint8_t> raw;                            // the VMCS region as the CPU left it after VMCLEAR
    // The module withheld kernel and host-physical addresses (the reader may
    // not see them under kptr_restrict): those fields, the addresses and raw are 0.
    bool addresses_hidden = false;

    std::optional<uint64_t> get(uint32_t encoding) const
    {
        for (const auto& [e, v] : fields)
            if (e == encoding) return v;
        return std::nullopt;
    }
};

// Text grouped as Guest State, Host State, Controls and VM-Exit Information,
// in the spirit of KVM's dump_vmcs(): segments as selector/base/limit/access
// rights, control words with their set bits by name, exit reason by name with
// the qualification decoded. Fields the record lacks are left out.
std::string render_vmcs_text(const VmcsRecord& r);

// The `biosx.vmcs` object: {"schema", "schema_version", "vmxon_pa",
// "vmcs_pa" (+ "_hex"), "revision_id", "abort_indicator", "fields": [{name,
// encoding, width, group, value, value_hex, decoded?}], "exit": {...},
// "raw": hex} (docs/dump-vmcs.md, docs/json-schema.md).
nlohmann::json vmcs_to_json(const VmcsRecord& r);
inline constexpr int kVmcsSchemaVersion = 2;

// `--raw`: the physical addresses and the region as a hex dump with offsets.
std::string render_vmcs_raw(const VmcsRecord& r);

// The module's record (BIOSX_IOC_GET_VMCS) as a VmcsRecord; fields beyond
// nfields are ignored.
VmcsRecord vmcs_record_from_uapi(const ::biosx_vmcs_record& u);

// After a vmx run on `device`: keeps the module's record of it for a later
// process's fetch_last_vmcs() (vmcs_store.cpp). Best effort: a run never
// fails for want of its record.
void store_last_vmcs(BiosxDevice& device);

// The record of this user's last vmx run. Throws Error(environment) when
// there is none: "needs the vmx backend" when /dev/biosx is absent, else
// "no VMCS recorded yet".
VmcsRecord fetch_last_vmcs();

}  // namespace biosx::vmx
