// call_input.h - what a user writes for one call, parsed: the entry
// (VECTOR, SEG:OFF), the registers (--regs, --regs-file, --eax ...), the
// buffers (--write, --read), the ports (--allow-port) and the limits
// (--timeout, --max-instructions). Each parser throws Error(usage) naming
// the option and what was wrong. Userspace, reachable by the unit tests.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/call/call.h"
#include "core/run/io_policy.h"
#include "core/run/registers.h"
#include "core/run/run.h"

namespace biosx {

// "SEG:OFF" (hex, 0x optional) → linear address; throws Usage naming `what`.
uint32_t parse_seg_off(std::string_view text, std::string_view what, uint16_t* seg = nullptr, uint16_t* off = nullptr);
// "SEG:OFF=HEX" or "SEG:OFF=@FILE".
BufferWrite parse_buffer_write(std::string_view spec);
// "SEG:OFF:LEN".
BufferRead parse_buffer_read(std::string_view spec);
// "INT vector" text: 0x11, 11h, 17 → 0..255.
uint8_t parse_vector(std::string_view text);

// The registers of one call as the user gives them: a JSON object (--regs),
// a JSON file or "-" for stdin (--regs-file), and single registers by
// alias with the value as written ({"ah", "0x4f"} for --ah 0x4f).
struct RegisterInput {
    std::string json, file;
    std::vector<std::pair<std::string, std::string>> flags;
};
// default_registers(), then --regs, then --regs-file, then the flags: each
// source by the one rule of apply_assignments() (widest first, every
// register once); a later source overrides an earlier one.
Registers parse_registers(const RegisterInput& in);

// --allow-port PORT|FIRST-LAST: ports that may reach the hardware. A port
// on the hard floor of `map` is refused with its reason (no option opens it).
std::vector<PortRange> parse_allowed_ports(const std::vector<std::string>& specs, const PortMap& map);

// The vmx backend's guest strategies, the one list the CLI's --strategy
// and batch's "strategy" accept.
inline constexpr std::string_view kStrategies[] = {"auto", "unrestricted", "vm86"};
// A strategy named in kStrategies, checked on every backend; throws Usage
// naming `what` otherwise.
std::string parse_strategy(std::string_view text, std::string_view what);

// "--timeout 2.5": a decimal number of seconds in (0, 60]; throws Usage
// naming `what` and the range otherwise (also for nan, inf, "", "1e999").
double parse_timeout(std::string_view text, std::string_view what);
// "--max-instructions N": 1..10^12, as parse_number() reads numbers.
uint64_t parse_max_instructions(std::string_view text, std::string_view what);
// --timeout and --max-instructions as given; an empty text keeps Limits'
// default.
Limits parse_limits(std::string_view timeout, std::string_view max_instructions = {});

}  // namespace biosx
