// vbe.cpp - VBE and VBE/DDC calls in a session, checked and decoded.
// Userspace.
#include "lib/vbe.h"

#include <cstdio>

#include "core/error.h"
#include "core/format.h"
#include "core/run/start_state.h"

namespace biosx::lib {

namespace {

// A real-mode buffer of the session, freed when the call is done.
class Buffer {
public:
    Buffer(Session& s, size_t len) : s_(s), linear_(s.alloc(len)), len_(static_cast<uint32_t>(len)) {}
    ~Buffer()
    {
        try {
            s_.free(linear_);
        } catch (...) {  // a buffer this class allocated is always live
        }
    }
    uint16_t seg() const { return static_cast<uint16_t>(linear_ >> 4); }
    uint16_t off() const { return static_cast<uint16_t>(linear_ & 0xf); }
    uint32_t linear() const { return linear_; }
    uint32_t len() const { return len_; }

private:
    Session& s_;
    uint32_t linear_, len_;
};

CallSpec int10(uint16_t ax)
{
    CallSpec spec;
    spec.req.entry.kind = Entry::Kind::interrupt;
    spec.req.entry.vector = 0x10;
    spec.req.regs = default_registers();
    spec.req.regs[Reg::eax] = ax;
    // The host's port table, as `biosx int` without --virtual-io: the VGA
    // BIOS drives the adapter's own ports (VBE and DDC at 0x1CE-0x1D0).
    // Over an image every port is virtual whatever is asked (IoPolicy::over).
    spec.req.io.virtual_io = false;
    return spec;
}

void point_at(CallSpec& spec, const Buffer& b, Reg offset_reg)
{
    spec.req.regs[Reg::es] = b.seg();
    spec.req.regs[offset_reg] = b.off();
    spec.reads.push_back({"", b.seg(), b.off(), b.linear(), b.len()});
}

// Runs `spec`; the outcome when the routine returned with AX = 004Fh.
CallOutcome run_vbe(Session& s, CallSpec& spec, const std::string& what)
{
    CallOutcome out = s.call(spec);
    if (out.result.end.kind != EndKind::return_trap)
        fail(ErrorKind::incomplete, what + ": the routine did not complete: " + out.result.end.message);
    const uint16_t ax = static_cast<uint16_t>(out.result.regs[Reg::eax]);
    if (ax != 0x004f) {
        std::string why = (ax & 0xff) != 0x4f       ? "the function is not supported (AL != 4Fh)"
                          : (ax >> 8) == 0x01        ? "the function failed"
                          : (ax >> 8) == 0x02        ? "not supported in this hardware configuration"
                          : (ax >> 8) == 0x03        ? "invalid in the current video mode"
                                                     : "status " + hex(ax >> 8, 2);
        fail(ErrorKind::environment, what + ": AX=" + hex(ax, 4) + ", " + why);
    }
    return out;
}

// "VBE 4F02h", as the standard writes the functions.
std::string fn(uint16_t ax)
{
    char buf[16];
    std::snprintf(buf, sizeof buf, "VBE %04Xh", ax);
    return buf;
}

}  // namespace

meaning::Decoded vbe_controller(Session& s)
{
    Buffer b(s, 512);
    CallSpec spec = int10(0x4f00);
    // 'VBE2' asks for the VBE 2.0 fields (VBE 3.0, Function 00h).
    spec.writes.push_back({"", b.linear(), {'V', 'B', 'E', '2'}});
    point_at(spec, b, Reg::edi);
    CallOutcome out = run_vbe(s, spec, fn(0x4f00) + " (controller information)");
    if (!out.decoded || !out.decoded->structure)
        fail(ErrorKind::environment, fn(0x4f00) + ": no VbeInfoBlock came back");
    return *out.decoded;
}

std::vector<uint16_t> vbe_mode_list(const meaning::Decoded& controller)
{
    std::vector<uint16_t> modes;
    if (controller.structure)
        for (const auto& [name, list] : controller.structure->lists)
            if (name == "modes")
                for (uint64_t m : list) modes.push_back(static_cast<uint16_t>(m));
    return modes;
}

meaning::Decoded vbe_mode(Session& s, uint16_t mode)
{
    Buffer b(s, 256);
    CallSpec spec = int10(0x4f01);
    spec.req.regs[Reg::ecx] = mode;
    point_at(spec, b, Reg::edi);
    CallOutcome out = run_vbe(s, spec, fn(0x4f01) + " for mode " + hex(mode, 3));
    if (!out.decoded) fail(ErrorKind::environment, fn(0x4f01) + " for mode " + hex(mode, 3) + ": nothing decoded");
    return *out.decoded;
}

meaning::Decoded vbe_current_mode(Session& s)
{
    CallSpec spec = int10(0x4f03);
    CallOutcome out = run_vbe(s, spec, fn(0x4f03) + " (current mode)");
    if (!out.decoded) fail(ErrorKind::environment, fn(0x4f03) + ": nothing decoded");
    return *out.decoded;
}

void vbe_set_mode(Session& s, uint16_t mode)
{
    CallSpec spec = int10(0x4f02);
    spec.req.regs[Reg::ebx] = mode;
    run_vbe(s, spec, fn(0x4f02) + " to mode " + hex(mode, 4));
}

DdcCapabilities ddc_capabilities(Session& s, unsigned port)
{
    CallSpec spec = int10(0x4f15);
    spec.req.regs[Reg::ebx] = 0x00;
    spec.req.regs[Reg::ecx] = port;
    CallOutcome out = run_vbe(s, spec, fn(0x4f15) + " BL=00h (DDC capabilities) on port " + std::to_string(port));
    const uint32_t bx = out.result.regs[Reg::ebx];
    return {static_cast<uint8_t>(bx & 0xff), static_cast<uint8_t>(bx >> 8 & 0xff)};
}

std::vector<uint8_t> read_edid(Session& s, unsigned port)
{
    std::vector<uint8_t> bytes;
    Buffer b(s, 128);
    unsigned blocks = 1;
    for (unsigned block = 0; block < blocks; ++block) {
        CallSpec spec = int10(0x4f15);
        spec.req.regs[Reg::ebx] = 0x01;
        spec.req.regs[Reg::ecx] = port;
        spec.req.regs[Reg::edx] = block;
        point_at(spec, b, Reg::edi);
        CallOutcome out = run_vbe(s, spec, fn(0x4f15) + " BL=01h (read EDID block " + std::to_string(block) +
                                               ") on port " + std::to_string(port));
        const auto& got = out.read_back.at(0);
        bytes.insert(bytes.end(), got.begin(), got.end());
        if (block == 0) blocks = 1u + got[126];  // the extension count
    }
    return bytes;
}

}  // namespace biosx::lib
