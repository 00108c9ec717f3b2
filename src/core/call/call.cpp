// call.cpp - one BIOS call end to end. Userspace.
#include "core/call/call.h"

#include <algorithm>

#include "core/error.h"
#include "core/format.h"
#include "x86/realmode.h"

namespace biosx {

namespace {

// The linear addresses of the words biosx pushes below SS:SP: FLAGS, CS, IP
// for INT, CS, IP for a far call. SP wraps inside the segment.
std::vector<uint32_t> frame_words(const RunRequest& req)
{
    std::vector<uint32_t> w;
    int n = req.entry.kind == Entry::Kind::interrupt ? 3 : 2;
    uint16_t sp = static_cast<uint16_t>(req.regs[Reg::esp]);
    for (int i = 0; i < n; ++i) {
        sp = static_cast<uint16_t>(sp - 2);
        w.push_back((req.regs[Reg::ss] << 4) + sp);
    }
    return w;
}

}  // namespace

CallOutcome run_call(Backend& backend, Memory& mem, const CallSpec& spec)
{
    // Validate every range first: a bad --read must not leave a half-done run.
    auto size = mem.size();
    for (const auto& w : spec.writes)
        if (w.linear + w.bytes.size() > size)
            fail(ErrorKind::usage, "--write " + w.spec + ": " + std::to_string(w.bytes.size()) + " bytes at " +
                                       hex(w.linear, 5) + " run past the end of memory (" + hex(size, 5) + ")");
    for (const auto& r : spec.reads)
        if (uint64_t{r.linear} + r.len > size)
            fail(ErrorKind::usage, "--read " + r.spec + ": " + std::to_string(r.len) + " bytes at " + hex(r.linear, 5) +
                                       " run past the end of memory (" + hex(size, 5) + ")");
    // biosx's own bytes: the return trap and the frame pushed below SS:SP.
    // A user write there would be silently replaced, so it is refused.
    const auto frame = frame_words(spec.req);
    auto stack = [&] {
        return "--ss " + hex(spec.req.regs[Reg::ss], 4) + " --sp " + hex(spec.req.regs[Reg::esp] & 0xffff, 4);
    };
    for (uint32_t a : frame)
        if (uint64_t{a} + 2 > size)
            fail(ErrorKind::usage, stack() + ": the return frame biosx pushes below SS:SP (" + hex(a, 5) + "-" +
                                       hex(a + 1, 5) + ") lies outside the memory (" + hex(size, 5) + " bytes)");
    const uint32_t lo = *std::min_element(frame.begin(), frame.end()), hi = *std::max_element(frame.begin(), frame.end()) + 1;
    for (const auto& w : spec.writes) {
        const uint64_t b = w.linear, e = b + w.bytes.size();
        if (b <= BIOSX_TRAP_LINEAR && BIOSX_TRAP_LINEAR < e)
            fail(ErrorKind::usage, "--write " + w.spec + ": overlaps biosx's return trap at " +
                                       hex(BIOSX_TRAP_LINEAR, 5) + " (0000:0600, 1 byte); write elsewhere");
        for (uint32_t a : frame)
            if (b < a + 2u && a < e)
                fail(ErrorKind::usage, "--write " + w.spec + ": overlaps the return frame biosx pushes below SS:SP at " +
                                           hex(lo, 5) + "-" + hex(hi, 5) + " (" + stack() + "); write elsewhere or move the stack");
    }
    for (const auto& w : spec.writes) mem.write(w.linear, w.bytes);

    CallOutcome out;
    out.entry = spec.req.entry;
    out.in = spec.req.regs;
    out.source = mem.describe();
    out.result = backend.run(mem, spec.req);
    for (const auto& r : spec.reads) out.read_back.push_back(mem.read(r.linear, r.len));
    // What the registers mean, for a call that completed: the bytes read
    // back, and the memory after the run for the pointers they hold.
    if (out.entry.kind == Entry::Kind::interrupt && out.result.end.kind == EndKind::return_trap) {
        meaning::Input in{out.entry.vector, out.in, out.result.regs, {}, mem.bytes()};
        for (size_t i = 0; i < spec.reads.size(); ++i) in.buffers.push_back({spec.reads[i].linear, out.read_back[i]});
        out.decoded = meaning::decode_call(in);
    }
    return out;
}

}  // namespace biosx
