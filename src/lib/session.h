// session.h - a libbiosx session: one backend over one memory source for
// every call a program (or a `biosx batch` stream) makes, with the memory
// kept from call to call. The C++ layer under the C API
// (include/biosx/biosx.h, capi.cpp) and the biosx command alike. Userspace.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/call/call.h"
#include "core/machine.h"
#include "lib/arena.h"
#include "lib/host_sync.h"

namespace biosx::lib {

struct SessionOptions {
    std::string image;             // a snapshot file; empty: the host
    std::string backend = "auto";  // auto | emu | vmx | kvm
    // Over the host: the bundled snapshot when the host's BIOS is not
    // reachable (the command's behaviour), instead of failing.
    bool bundled_fallback = false;
    // Over the host: write the BDA/EBDA bytes each run changes back to
    // the machine (src/lib/host_sync.h).
    bool host_sync = true;
};

class Session {
public:
    // Opens backend and memory (open_machine(), core/machine.h). Throws Error.
    explicit Session(const SessionOptions& opt);
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    Memory& memory() { return *machine_.mem; }
    Backend& backend() { return *machine_.backend; }
    const Machine& machine() const { return machine_; }
    // The memory is the machine's BIOS (host copy or the module's), not an image.
    bool over_host() const { return machine_.mem->kind() != MemoryKind::image; }

    // One call over the session's memory: the session's allowed ports join
    // the call's (over the host; over an image the backend makes every port
    // virtual, IoPolicy::over), run_call(), then, over the host, the BDA/EBDA
    // bytes the call changed written back to the machine. Throws Error when
    // the call cannot start.
    CallOutcome call(CallSpec& spec);

    // Real-mode buffers (lib/arena.h). alloc() throws Error(usage) for 0
    // bytes and Error(environment) when no block is large enough; free()
    // throws Error(usage) for an address that is not a live buffer.
    uint32_t alloc(size_t len);
    void free(uint32_t linear);

    // --allow-port for every call of the session; refuses the hard floor.
    void allow_ports(PortRange r);

    // --state over an image: replace the RAM with a state file's, or the
    // state file's bytes of the RAM now. Throws Error(usage) when the
    // session is not over an image (require_image() checks only that), or
    // for a bad file; `what` names the option in messages.
    void require_image(const std::string& what) const;
    void load_state(const std::string& path, const std::string& what);
    std::vector<uint8_t> state_bytes(const std::string& what);

    // Notes for the user, one per line (the fallback at open, a refused
    // write-back), each given once; "" when none.
    std::string take_notes();

private:
    Machine machine_;
    std::optional<Arena> arena_;
    std::unique_ptr<HostSync> sync_;
    uint64_t image_id_ = 0;
    std::vector<PortRange> allowed_;
    std::string notes_;
};

}  // namespace biosx::lib
