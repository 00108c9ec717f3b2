// fuzz_common.h - helpers the libFuzzer targets share: a plain 1 MiB (or any
// size) memory, and a runner that treats biosx::Error as the expected answer
// to bad input. Every other exception, crash or sanitizer report is a
// finding. Userspace, fuzzing only (docs/fuzzing.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/run/memory.h"

namespace biosx::fuzz {

class VecMemory final : public Memory {
public:
    explicit VecMemory(std::vector<uint8_t> b, MemoryKind k = MemoryKind::image) : b_(std::move(b)), k_(k) {}
    MemoryKind kind() const override { return k_; }
    std::string describe() const override { return "fuzz"; }
    std::span<uint8_t> bytes() override { return b_; }

private:
    std::vector<uint8_t> b_;
    MemoryKind k_;
};

// Runs f; a biosx::Error is how bad input is refused, and its message must
// be one printable line (the CLI prints it as is).
template <class F>
void refused_ok(F f)
{
    try {
        f();
    } catch (const Error& e) {
        for (const char* p = e.what(); *p; ++p)
            if (*p == '\n') __builtin_trap();  // a message is one line
    }
}

// What the CLI does with a JSON document: dump it (invalid UTF-8 replaced).
inline size_t dump_size(const nlohmann::json& j)
{
    return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).size();
}

inline std::string text_of(const uint8_t* d, size_t n) { return std::string(reinterpret_cast<const char*>(d), n); }

}  // namespace biosx::fuzz
