// image_memory.h - a zeroed 1 MiB real-mode image for unit tests that run
// tiny programs on a backend, and the INT call they make. Userspace, tests
// only.
#pragma once

#include <cstdint>
#include <vector>

#include "core/call/call.h"
#include "core/run/memory.h"
#include "core/run/start_state.h"

namespace biosx::test {

class ImageMemory final : public Memory {
public:
    ImageMemory() : b_(kRealModeSize, 0) {}
    MemoryKind kind() const override { return MemoryKind::image; }
    std::string describe() const override { return "test"; }
    std::span<uint8_t> bytes() override { return b_; }
    // Places `code` at F000:off and points vector `v` at it.
    void handler(uint8_t v, uint16_t off, const std::vector<uint8_t>& code)
    {
        write(0xf0000 + off, code);
        write16(v * 4, off);
        write16(v * 4 + 2, 0xf000);
    }

private:
    std::vector<uint8_t> b_;
};

// INT v with the default registers and a 2 s timeout.
inline CallSpec int_spec(uint8_t v)
{
    CallSpec s;
    s.req.entry.vector = v;
    s.req.regs = default_registers();
    s.req.limits.timeout_s = 2;
    return s;
}

}  // namespace biosx::test
