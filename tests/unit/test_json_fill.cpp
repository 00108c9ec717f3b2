// test_json_fill.cpp - one biosx.run object reused for call after call (what
// `biosx batch` does) equals the object built fresh for each call, whatever
// optional members come and go between them. Userspace.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "core/call/call.h"
#include "core/call/call_input.h"
#include "core/run/start_state.h"

using namespace biosx;

namespace {

CallSpec spec_int(uint8_t v)
{
    CallSpec s;
    s.req.entry.vector = v;
    s.req.regs = default_registers();
    return s;
}

CallOutcome outcome(const CallSpec& s)
{
    CallOutcome o;
    o.entry = s.req.entry;
    o.in = s.req.regs;
    o.source = "image:test";
    o.result.backend = "emu";
    o.result.regs = s.req.regs;
    o.result.end = {EndKind::return_trap, "the routine returned to the trap"};
    return o;
}

}  // namespace

TEST_CASE("a reused biosx.run object equals a fresh one, call after call")
{
    std::vector<std::pair<CallSpec, CallOutcome>> calls;
    {  // INT 11h, plain.
        auto s = spec_int(0x11);
        auto o = outcome(s);
        o.result.regs[Reg::eax] = 0x227;
        o.result.instructions = 51;
        calls.emplace_back(s, o);
    }
    {  // A far call on vmx: strategy, exits by reason, TSC, MSRs, an I/O log,
       // buffers, an exception with its error code.
        auto s = spec_int(0);
        s.req.entry = {Entry::Kind::far_call, 0, 0x2000, 0x10};
        s.req.log_io = true;
        s.reads.push_back(parse_buffer_read("2000:0000:4"));
        auto o = outcome(s);
        o.result.backend = "vmx";
        o.result.strategy = "vm86";
        o.result.exits = 3;
        o.result.exits_by_reason = {{"HLT", 1}, {"IO_INSTRUCTION", 2}};
        o.result.tsc_cycles = 12345;
        o.result.msr_count = 1;
        o.result.msrs.push_back({0x10, false, true, 99});
        o.result.io.push_back({0x3d4, 1, true, 0x0e, IoDisposition::passed});
        o.result.port_counts.push_back({0x80, true, IoDisposition::virtual_, 7});
        o.result.port_counts_lost = 2;
        o.result.regs[Reg::eflags] = 0x3247;
        o.result.end = {EndKind::exception, "CPU exception 13", 13, 0, 0};
        o.read_back.push_back({1, 2, 3, 4});
        calls.emplace_back(s, o);
    }
    {  // Bad memory: an address, no vector.
        auto s = spec_int(0x10);
        auto o = outcome(s);
        o.result.end = {EndKind::bad_memory, "read from 0x110000", -1, -1, 0x110000};
        calls.emplace_back(s, o);
    }
    calls.push_back(calls[0]);
    calls.push_back(calls[1]);
    nlohmann::json reused = nlohmann::json::object();
    for (size_t i = 0; i < calls.size(); ++i) {
        CAPTURE(i);
        fill_call_json(reused, calls[i].first, calls[i].second);
        const auto fresh = call_to_json(calls[i].first, calls[i].second);
        CHECK(reused == fresh);
        CHECK(reused.dump() == fresh.dump());
    }
    // The optional members of the far call are there and gone again.
    CHECK(call_to_json(calls[1].first, calls[1].second).contains("msr"));
    fill_call_json(reused, calls[0].first, calls[0].second);
    for (const char* k : {"strategy", "msr", "msr_count", "io", "io_ports_lost"}) CHECK(!reused.contains(k));
    CHECK(!reused["end"].contains("vector"));
    CHECK(!reused["counts"].contains("tsc_cycles"));
}
