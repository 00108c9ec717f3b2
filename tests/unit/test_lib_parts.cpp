// test_lib_parts.cpp - the parts of libbiosx's sessions that need no BIOS:
// the buffer arena's bounds and first fit, and the host write-back's rule
// (only the BDA/EBDA bytes a run changed; never the IVT), with a plain
// file standing in for /dev/mem. Userspace.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fcntl.h>
#include <string>
#include <unistd.h>
#include <vector>

#include "core/run/memory.h"
#include "image_memory.h"
#include "lib/arena.h"
#include "lib/host_sync.h"

using namespace biosx;
using namespace biosx::lib;

namespace {

// 1 MiB of zeros standing for the host's first MiB (neither the arena nor
// the write-back looks at the memory's kind).
using FlatMemory = test::ImageMemory;

// A file of `n` bytes of 0xEE, and its name.
struct DevFile {
    std::string path;
    explicit DevFile(size_t n)
    {
        char name[] = "/tmp/biosx-devmem-XXXXXX";
        int fd = mkstemp(name);
        REQUIRE(fd >= 0);
        std::vector<uint8_t> fill(n, 0xee);
        REQUIRE(write(fd, fill.data(), n) == static_cast<ssize_t>(n));
        close(fd);
        path = name;
    }
    ~DevFile() { unlink(path.c_str()); }
    std::vector<uint8_t> bytes() const
    {
        std::vector<uint8_t> b(kRealModeSize);
        int fd = open(path.c_str(), O_RDONLY);
        REQUIRE(pread(fd, b.data(), b.size(), 0) == static_cast<ssize_t>(b.size()));
        close(fd);
        return b;
    }
};

}  // namespace

TEST_CASE("the arena lies between 0x10000 and the EBDA, the memory size, 0x9F000")
{
    FlatMemory m;
    CHECK(arena_bounds(m).begin == 0x10000);
    CHECK(arena_bounds(m).end == 0x9f000);  // BDA words zero: ignored
    m.write16(0x413, 639);                  // KiB: above 0x9F000, which wins
    CHECK(arena_bounds(m).end == 0x9f000);
    m.write16(0x413, 600);
    CHECK(arena_bounds(m).end == 600 * 1024);
    m.write16(0x40e, 0x9fc0);  // EBDA at 0x9FC00, above the memory size: the lower wins
    CHECK(arena_bounds(m).end == 600 * 1024);
    m.write16(0x40e, 0x9000);
    CHECK(arena_bounds(m).end == 0x90000);
    m.write16(0x40e, 0x1000);  // an EBDA at 0x10000 is not plausible: ignored
    CHECK(arena_bounds(m).end == 600 * 1024);
}

TEST_CASE("the arena allocates paragraphs first fit and refuses what does not fit")
{
    Arena a({0x10000, 0x10100});
    auto x = a.alloc(1), y = a.alloc(17), z = a.alloc(16);
    REQUIRE((x && y && z));
    CHECK(*x == 0x10000);
    CHECK(*y == 0x10010);
    CHECK(*z == 0x10030);
    CHECK(!a.alloc(0));
    CHECK(!a.alloc(0x100));  // 0xC0 bytes are left
    CHECK(a.alloc(0xc0) == 0x10040u);
    CHECK(!a.alloc(1));
    CHECK(a.free(*y));
    CHECK(!a.free(*y));
    CHECK(!a.free(0x10001));
    CHECK(a.alloc(32) == 0x10010u);
    CHECK(a.live() == 4);
}

TEST_CASE("the write-back writes only the BDA and EBDA bytes a run changed")
{
    FlatMemory m;
    m.write16(0x40e, 0x9fc0);  // EBDA at 0x9FC00
    DevFile dev(kRealModeSize);
    HostSync sync(dev.path);
    sync.before(m);
    auto b = m.bytes();
    b[0x449] = 0x13;             // BDA: video mode
    b[0x44a] = 0x28;             // BDA: columns (a run of two bytes)
    b[0x9fc20] = 0x55;           // EBDA
    b[0x40] = 0x12;              // IVT: never written back
    b[0x7e00] = 0x77;            // conventional memory: never
    b[0xb8000] = 0x41;           // VGA window: never (mapped or a copy)
    CHECK(sync.after(m).empty());
    CHECK(sync.written() == 3);
    auto d = dev.bytes();
    CHECK(d[0x449] == 0x13);
    CHECK(d[0x44a] == 0x28);
    CHECK(d[0x9fc20] == 0x55);
    CHECK(d[0x448] == 0xee);     // unchanged bytes are not written
    CHECK(d[0x40e] == 0xee);     // (the EBDA pointer was set before the run)
    CHECK(d[0x40] == 0xee);
    CHECK(d[0x7e00] == 0xee);
    CHECK(d[0xb8000] == 0xee);
    // A second run that changes nothing writes nothing.
    sync.before(m);
    CHECK(sync.after(m).empty());
    CHECK(sync.written() == 3);
}

TEST_CASE("a refused write-back says so once and stops")
{
    FlatMemory m;
    HostSync sync("/nonexistent/dev/mem");
    sync.before(m);
    m.bytes()[0x449] = 0x13;
    auto note = sync.after(m);
    CHECK(note.find("stays in this session") != std::string::npos);
    CHECK(note.find("/nonexistent/dev/mem") != std::string::npos);
    sync.before(m);
    m.bytes()[0x449] = 0x03;
    CHECK(sync.after(m).empty());
    CHECK(sync.written() == 0);
}

TEST_CASE("a device that does not keep the bytes is caught by the read-back")
{
    // /dev/zero takes every write and reads back zeros, as /dev/mem does for
    // a RAM page under CONFIG_STRICT_DEVMEM.
    FlatMemory m;
    HostSync sync("/dev/zero");
    sync.before(m);
    m.bytes()[0x449] = 0x13;
    auto note = sync.after(m);
    CHECK(note.find("did not keep the bytes") != std::string::npos);
    CHECK(note.find("0x00400-0x004ff stays") != std::string::npos);
    // That range is not tried again; the device stays open for the others.
    sync.before(m);
    m.bytes()[0x449] = 0x03;
    CHECK(sync.after(m).empty());
    CHECK(sync.written() == 0);
}
