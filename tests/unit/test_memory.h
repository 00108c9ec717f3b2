// test_memory.h - the memory the unit tests run over: 1 MiB of zeros, an
// image as far as the backends are concerned (every port virtual), with a
// helper to plant an interrupt handler.
#pragma once

#include <vector>

#include "core/memory.h"

namespace biosx::test {

class ZeroImage final : public Memory {
public:
    ZeroImage() : b_(kRealModeSize, 0) {}
    MemoryKind kind() const override { return MemoryKind::image; }
    std::string describe() const override { return "test"; }
    std::span<uint8_t> bytes() override { return b_; }
    // Places `code` at F000:off and points vector `v` at it.
    void handler(uint8_t v, uint16_t off, std::vector<uint8_t> code)
    {
        write(0xf0000 + off, code);
        write16(v * 4, off);
        write16(v * 4 + 2, 0xf000);
    }

private:
    std::vector<uint8_t> b_;
};

}  // namespace biosx::test
