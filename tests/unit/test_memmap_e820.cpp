// test_memmap_e820.cpp - the firmware-map walk on the emulation backend
// against a crafted INT 15h handler: a normal E820 walk with 24-byte
// entries, a BIOS that repeats its continuation value, one that never ends,
// and the fallbacks to E801h and AH=88h. Also --save.
#include <doctest/doctest.h>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "core/error.h"
#include "core/files.h"
#include "core/memmap/firmware_map.h"
#include "core/run/image.h"
#include "core/run/memory.h"
#include "image_memory.h"

using namespace biosx;
using namespace biosx::memmap;
using TestMemory = biosx::test::ImageMemory;

namespace {

// The handler at F000:0000, assembled with nasm from this source; its mode
// is the byte at F000:00FF (0 normal, 1 repeats EBX, 2 never ends, 3 E801h
// only, 4 AH=88h only); its three E820 entries are 24 bytes each at F000:0100.
//
//   start: cmp eax,0xe820 / je e820 / cmp ax,0xe801 / je e801 / cmp ah,0x88 / je m88
//   fail:  stc / retf 2
//   e820:  cmp byte [cs:0xff],3 / jae fail / cmp byte [cs:0xff],1 / je same
//          cmp byte [cs:0xff],2 / je endless / cmp ebx,3 / jae fail
//          push ds / push si / push cs / pop ds / imul si,bx,24 / add si,0x100
//          mov cx,24 / cld / rep movsb / sub di,24 / pop si / pop ds
//          inc ebx / cmp ebx,3 / jb ok / xor ebx,ebx
//   ok:    mov eax,0x534d4150 / mov ecx,24 / clc / retf 2
//   same:  mov ebx,5 / jmp ok
//   endless: inc ebx / jmp ok
//   e801:  cmp byte [cs:0xff],3 / jne fail / mov ax,0x3c00 / mov bx,0x100
//          mov cx,ax / mov dx,bx / clc / retf 2
//   m88:   cmp byte [cs:0xff],4 / jne fail / mov ax,0x1234 / clc / retf 2
const uint8_t kHandler[] = {
  0x66, 0x3d, 0x20, 0xe8, 0x00, 0x00, 0x74, 0x0e, 0x3d, 0x01, 0xe8, 0x74,
  0x64, 0x80, 0xfc, 0x88, 0x74, 0x75, 0xf9, 0xca, 0x02, 0x00, 0x2e, 0x80,
  0x3e, 0xff, 0x00, 0x03, 0x73, 0xf4, 0x2e, 0x80, 0x3e, 0xff, 0x00, 0x01,
  0x74, 0x3f, 0x2e, 0x80, 0x3e, 0xff, 0x00, 0x02, 0x74, 0x3f, 0x66, 0x83,
  0xfb, 0x03, 0x73, 0xde, 0x1e, 0x56, 0x0e, 0x1f, 0x6b, 0xf3, 0x18, 0x81,
  0xc6, 0x00, 0x01, 0xb9, 0x18, 0x00, 0xfc, 0xf3, 0xa4, 0x83, 0xef, 0x18,
  0x5e, 0x1f, 0x66, 0x43, 0x66, 0x83, 0xfb, 0x03, 0x72, 0x03, 0x66, 0x31,
  0xdb, 0x66, 0xb8, 0x50, 0x41, 0x4d, 0x53, 0x66, 0xb9, 0x18, 0x00, 0x00,
  0x00, 0xf8, 0xca, 0x02, 0x00, 0x66, 0xbb, 0x05, 0x00, 0x00, 0x00, 0xeb,
  0xe8, 0x66, 0x43, 0xeb, 0xe4, 0x2e, 0x80, 0x3e, 0xff, 0x00, 0x03, 0x75,
  0x99, 0xb8, 0x00, 0x3c, 0xbb, 0x00, 0x01, 0x89, 0xc1, 0x89, 0xda, 0xf8,
  0xca, 0x02, 0x00, 0x2e, 0x80, 0x3e, 0xff, 0x00, 0x04, 0x75, 0x83, 0xb8,
  0x34, 0x12, 0xf8, 0xca, 0x02, 0x00
};

// The crafted BIOS: kHandler as INT 15h at F000:0000, its mode byte, and
// three E820 entries of 24 bytes at F000:0100.
void install_bios(TestMemory& m, uint8_t mode)
{
    m.handler(0x15, 0x0000, {std::begin(kHandler), std::end(kHandler)});
    auto b = m.bytes();
    b[0xf00ff] = mode;
    struct E { uint64_t base, len; uint32_t type, attr; };
    const E entries[] = {{0, 0x9fc00, 1, 1}, {0x100000, 0x7f00000, 1, 1}, {0xfffc0000, 0x40000, 2, 0}};
    uint32_t a = 0xf0100;
    for (const auto& e : entries) {
        for (int i = 0; i < 8; ++i) b[a + i] = static_cast<uint8_t>(e.base >> (8 * i));
        for (int i = 0; i < 8; ++i) b[a + 8 + i] = static_cast<uint8_t>(e.len >> (8 * i));
        for (int i = 0; i < 4; ++i) b[a + 16 + i] = static_cast<uint8_t>(e.type >> (8 * i));
        for (int i = 0; i < 4; ++i) b[a + 20 + i] = static_cast<uint8_t>(e.attr >> (8 * i));
        a += 24;
    }
}

FirmwareMap walk(uint8_t mode)
{
    TestMemory mem;
    install_bios(mem, mode);
    auto backend = make_emu_backend();
    FirmwareMapOptions o;
    o.limits.timeout_s = 5;
    return firmware_map(*backend, mem, o);
}

}  // namespace

TEST_CASE("e820: a normal walk with 24-byte entries and extended attributes")
{
    auto m = walk(0);
    CHECK(m.method == "e820");
    REQUIRE(m.entries.size() == 3);
    CHECK(m.calls == 3);
    CHECK(m.entries[0].base == 0);
    CHECK(m.entries[0].length == 0x9fc00);
    CHECK(m.entries[0].end() == 0x9fc00);
    CHECK(m.entries[1].base == 0x100000);
    CHECK(m.entries[2].type == 2);
    CHECK(m.entries[2].bytes == 24);
    CHECK(m.entries[2].ext_attributes == 0);
    CHECK(m.entries[2].continuation == 0);
    // The disabled entry (attribute bit 0 clear) is left out of the totals.
    REQUIRE(m.totals.size() == 1);
    CHECK(m.totals[0].type == 1);
    CHECK(m.totals[0].bytes == 0x9fc00 + 0x7f00000);
    CHECK(m.totals[0].entries == 2);
    CHECK(m.notes.empty());
}

TEST_CASE("e820: a repeated continuation value stops the walk")
{
    auto m = walk(1);
    CHECK(m.method == "e820");
    CHECK(m.entries.size() == 2);
    REQUIRE(m.notes.size() == 1);
    CHECK(m.notes[0].find("0x00000005 a second time") != std::string::npos);
}

TEST_CASE("e820: a BIOS that never says it is done stops at the maximum")
{
    auto m = walk(2);
    CHECK(m.entries.size() == static_cast<size_t>(kE820MaxEntries));
    CHECK(m.calls == static_cast<uint64_t>(kE820MaxEntries));
    REQUIRE(m.notes.size() == 1);
    CHECK(m.notes[0].find("stopped after 128") != std::string::npos);
}

TEST_CASE("e820: falls back to E801h, then to AH=88h")
{
    auto m = walk(3);
    CHECK(m.method == "e801");
    CHECK(m.e801_kib_1m_16m == 0x3c00);
    CHECK(m.e801_blocks_above_16m == 0x100);
    CHECK(m.entries.empty());
    CHECK(m.notes.size() == 1);

    m = walk(4);
    CHECK(m.method == "88h");
    CHECK(m.kib_above_1m == 0x1234);
    CHECK(m.notes.size() == 2);
    CHECK(nlohmann::json::parse(firmware_map_to_json(m).dump())["kib_above_1m"] == 0x1234);
}

TEST_CASE("e820: type and attribute names")
{
    CHECK(e820_type_name(1) == "usable");
    CHECK(e820_type_name(3) == "ACPI reclaimable");
    CHECK(e820_type_name(99) == "type 99");
    CHECK(e820_attribute_names(0b11) == std::vector<std::string>{"enabled", "non-volatile"});
}

namespace {
std::string error_of_save(Memory& mem, const std::string& path)
{
    try {
        save_image(mem, path, kRealModeSize);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST_CASE("memmap --save: the image format, sizes checked")
{
    TestMemory mem;
    install_bios(mem, 0);
    std::string path = "/tmp/biosx-test-save-" + std::to_string(::getpid()) + ".img";
    save_image(mem, path, kRealModeSize);
    {
        std::ifstream f(path, std::ios::binary);
        std::vector<uint8_t> got((std::istreambuf_iterator<char>(f)), {});
        REQUIRE(got.size() == kRealModeSize);
        CHECK(std::equal(got.begin(), got.end(), mem.bytes().begin()));
    }
    auto back = open_image(path);
    CHECK(back->bytes().size() == kRealModeSize);
    // Issue 11: saving over the image this command reads was truncating it.
    CHECK(error_of_save(mem, path).find("this command reads that file (--image " + path + ")") != std::string::npos);
    {
        std::ifstream f(path, std::ios::binary | std::ios::ate);
        CHECK(f.tellg() == static_cast<std::streamoff>(kRealModeSize));
    }
    back.reset();
    clear_inputs();
    std::remove(path.c_str());
    auto kind = [&](uint64_t n) {
        try {
            save_image(mem, path, n);
        } catch (const Error& e) {
            return e.kind();
        }
        return ErrorKind::incomplete;
    };
    CHECK(kind(1000) == ErrorKind::usage);
    CHECK(kind(kRealModeSize + 1) == ErrorKind::usage);
    CHECK(kind(kRealModeSize) == ErrorKind::incomplete);  // i.e. no error
    std::remove(path.c_str());
    CHECK_THROWS_AS(save_image(mem, "/nonexistent-dir/x.img", kRealModeSize), Error);
}
