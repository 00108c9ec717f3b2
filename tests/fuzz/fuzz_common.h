// fuzz_common.h - helpers the libFuzzer targets share: a plain 1 MiB (or any
// size) memory, and a runner that treats biosx::Error as the expected answer
// to bad input. Every other exception, crash or sanitizer report is a
// finding. Userspace, fuzzing only (docs/fuzzing.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
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

// Gives libFuzzer -max_len=N unless the command line names one: each target
// bounds its inputs where its parser has seen all it can (docs/fuzzing.md
// lists the bounds). Called from LLVMFuzzerInitialize, which libFuzzer runs
// before it reads its flags; CTest, campaign.sh and a bare run all get it.
inline void default_max_len(int* argc, char*** argv, size_t n)
{
    for (int i = 1; i < *argc; ++i)
        if (std::strncmp((*argv)[i], "-max_len=", 9) == 0) return;
    static std::string flag;
    static std::vector<char*> args;
    flag = "-max_len=" + std::to_string(n);
    args.assign(*argv, *argv + *argc);
    args.insert(args.begin() + 1, flag.data());
    args.push_back(nullptr);
    *argv = args.data();
    ++*argc;
}

}  // namespace biosx::fuzz

// One line per target: `BIOSX_FUZZ_MAX_LEN(4096)`.
#define BIOSX_FUZZ_MAX_LEN(n)                                          \
    extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv)       \
    {                                                                  \
        biosx::fuzz::default_max_len(argc, argv, (n));                 \
        return 0;                                                      \
    }
