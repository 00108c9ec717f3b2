// fuzz_e820.cpp - the E820 walker (with its E801h and 88h fallbacks)
// against a hostile INT 15h: a backend whose every answer - registers, CF,
// the 24-byte buffer at ES:DI, how the call ended - comes from the input.
#include <algorithm>
#include <cstring>

#include "core/memmap/firmware_map.h"
#include "fuzz_common.h"

using namespace biosx;

namespace {

class HostileBios final : public Backend {
public:
    HostileBios(const uint8_t* d, size_t n) : d_(d), n_(n) {}
    std::string name() const override { return "hostile"; }
    RunResult run(Memory& mem, const RunRequest& req) override
    {
        RunResult r;
        r.regs = req.regs;
        r.backend = name();
        uint8_t c[40] = {};
        size_t k = std::min<size_t>(sizeof c, n_ - at_);
        std::memcpy(c, d_ + at_, k);
        at_ += k;
        if (k == 0) {  // out of answers: CF=1, as a BIOS that knows nothing
            r.regs[Reg::eflags] |= 1;
            r.end.kind = EndKind::return_trap;
            return r;
        }
        auto u32 = [&](int o) { uint32_t v; std::memcpy(&v, c + o, 4); return v; };
        r.regs[Reg::eax] = (c[0] & 1) ? 0x534d4150 : u32(0);
        r.regs[Reg::ebx] = (c[0] & 2) ? u32(4) % 64 : u32(4);
        r.regs[Reg::ecx] = (c[0] & 4) ? 20 + (c[1] & 4) : u32(8);
        r.regs[Reg::edx] = u32(12) ^ u32(0);
        r.regs[Reg::eflags] = (c[0] & 8) ? 0x3 : 0x2;
        r.end.kind = (c[0] & 0xf0) == 0xf0 ? EndKind::timeout : EndKind::return_trap;
        r.instructions = c[1];
        r.io.push_back({static_cast<uint16_t>(0x70 + (c[2] & 1)), 1, false, 0xff, IoDisposition::virtual_});
        const uint32_t buf = (req.regs[Reg::es] << 4) + (req.regs[Reg::edi] & 0xffff);
        fuzz::refused_ok([&] {
            mem.write(buf, std::span<const uint8_t>(c + 16, 24));
            written.push_back(buf);
        });
        return r;
    }
    // Where this BIOS wrote its 24-byte answers.
    std::vector<uint32_t> written;

private:
    const uint8_t* d_;
    size_t n_, at_ = 0;
};

}  // namespace

// Inputs up to 128 answers of 40 bytes, so the walker's 128-call limit is
// reached by input (libFuzzer's default 4 KiB stops at 102).
BIOSX_FUZZ_MAX_LEN(128 * 40)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    HostileBios bios(data, size);
    // One zeroed memory for every input. Only two things write to it: this
    // BIOS (its answers, recorded) and the walker (its buffer at
    // kE820BufSeg:kE820BufOff); both are zeroed again below. Zeroing the
    // whole MiB per input took 80% of the time (an instrumented byte loop).
    static fuzz::VecMemory mem(std::vector<uint8_t>(kRealModeSize, 0));
    // A handler for INT 15h, so the walk is attempted.
    mem.write16(0x15 * 4, 0x0100);
    mem.write16(0x15 * 4 + 2, 0xf000);
    mem.bytes()[0xf0100] = 0xcf;
    mem.bytes()[0xf0101] = 0x90;
    fuzz::refused_ok([&] {
        memmap::FirmwareMap m = memmap::firmware_map(bios, mem, {});
        if (m.entries.size() > static_cast<size_t>(memmap::kE820MaxEntries)) __builtin_trap();
        fuzz::dump_size(memmap::firmware_map_to_json(m));
    });
    auto zero24 = [&](uint32_t at) { std::memset(mem.at(at), 0, 24); };
    for (uint32_t at : bios.written) zero24(at);
    zero24(memmap::kE820BufSeg * 16u + memmap::kE820BufOff);
    return 0;
}
