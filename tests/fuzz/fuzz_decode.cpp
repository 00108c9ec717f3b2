// fuzz_decode.cpp - the decoders of the known-calls table (docs/int.md, "What
// the registers mean") on hostile answers: the call, its registers in and
// out, the bytes a --read brought back and the memory their pointers lead
// into all come from the input; then the text block and the JSON object.
#include <algorithm>
#include <cstring>

#include "core/meaning/meaning.h"
#include "fuzz_common.h"

using namespace biosx;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    // Byte 0 picks a row of the table; 64 bytes of registers (in, out);
    // a word: where the read-back buffer starts; the rest is that buffer,
    // also placed at the same address of a 1 MiB memory.
    auto calls = meaning::known_calls();
    if (size < 1 + 64 + 2) return 0;
    const auto& row = calls[data[0] % calls.size()];
    meaning::Input in;
    in.vector = row.vector;
    std::memcpy(in.in.v, data + 1, 32);
    std::memcpy(in.out.v + 0, data + 33, 32);
    for (int i = 8; i < 16; ++i) in.in.v[i] = in.out.v[i] = 0;
    in.in.v[static_cast<int>(Reg::es)] = in.out.v[static_cast<int>(Reg::es)] = data[65];
    in.out[Reg::eflags] = data[66] & 1;
    // Select this row whatever the input registers said.
    if (row.selector == meaning::Selector::ah) in.in[Reg::eax] = (in.in[Reg::eax] & 0xffff00ffu) | row.function << 8;
    if (row.selector == meaning::Selector::ax) in.in[Reg::eax] = (in.in[Reg::eax] & 0xffff0000u) | row.function;
    static std::vector<uint8_t> mem(1 << 20, 0);
    const uint16_t off = static_cast<uint16_t>(data[3] | data[4] << 8);
    const uint32_t at = (data[65] << 4) + off;
    // Mostly the buffer is where the call says it wrote (ES:DI, ES:BX).
    if (data[66] & 2) {
        in.out[Reg::edi] = (in.out[Reg::edi] & 0xffff0000u) | off;
        in.out[Reg::ebx] = (in.out[Reg::ebx] & 0xffff0000u) | off;
    }
    const uint8_t* buf = data + 67;
    const size_t n = std::min<size_t>(size - 67, mem.size() - at);
    std::copy(buf, buf + n, mem.begin() + at);
    in.buffers.push_back({at, std::span<const uint8_t>(buf, n)});
    in.memory = mem;
    auto d = meaning::decode_call(in);
    if (!d || d->call != &row) __builtin_trap();  // the row chosen is the row found
    fuzz::dump_size(meaning::to_json(*d));
    (void)meaning::to_text(*d, in.in, in.out).size();
    std::fill(mem.begin() + at, mem.begin() + at + n, 0);
    return 0;
}
