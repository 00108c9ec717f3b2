// test_session.cpp - libbiosx's C API on the emulation backend over the
// SeaBIOS snapshot (build/share/seabios.img): what a call writes is there
// for the next, buffers, errors, state files. Userspace.
#include <biosx/biosx.h>
#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

struct Session {
    biosx_session* s = nullptr;
    explicit Session(const char* image = BIOSX_SNAPSHOT)
    {
        biosx_open_options o;
        biosx_open_options_init(&o);
        o.backend = BIOSX_BACKEND_EMU;
        o.image = image;
        REQUIRE_MESSAGE(biosx_session_open(&s, &o) == BIOSX_OK, biosx_last_error());
    }
    ~Session() { biosx_session_close(s); }
    operator biosx_session*() const { return s; }
};

biosx_registers regs(uint32_t eax)
{
    biosx_registers r;
    biosx_registers_init(&r);
    r.eax = eax;
    return r;
}

// INT 10h AH=0Fh: the current video mode, as the BIOS reports it.
unsigned video_mode(biosx_session* s)
{
    auto r = regs(0x0f00);
    REQUIRE_MESSAGE(biosx_int(s, 0x10, &r) == BIOSX_OK, biosx_session_error(s));
    return r.eax & 0x7f;
}

void set_mode(biosx_session* s, uint8_t mode)
{
    auto r = regs(mode);
    REQUIRE_MESSAGE(biosx_int(s, 0x10, &r) == BIOSX_OK, biosx_session_error(s));
}

uint8_t bda_mode(biosx_session* s)
{
    uint8_t m = 0;
    REQUIRE(biosx_read(s, 0x449, &m, 1) == BIOSX_OK);
    return m;
}

std::string temp_path(const char* name)
{
    char dir[] = "/tmp/biosx-lib-test-XXXXXX";
    REQUIRE(mkdtemp(dir) != nullptr);
    return std::string(dir) + "/" + name;
}

std::vector<uint8_t> slurp(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

TEST_CASE("a mode set in a session is the mode of the session's next call")
{
    Session s;
    CHECK(std::string(biosx_session_backend(s)) == "emu");
    CHECK(std::string(biosx_session_source(s)) == std::string("image:") + BIOSX_SNAPSHOT);
    CHECK(video_mode(s) == 0x03);
    set_mode(s, 0x13);
    CHECK(video_mode(s) == 0x13);
    CHECK(bda_mode(s) == 0x13);
    set_mode(s, 0x03);
    CHECK(video_mode(s) == 0x03);
}

TEST_CASE("sessions are independent of each other")
{
    Session a, b;
    set_mode(a, 0x13);
    CHECK(video_mode(a) == 0x13);
    CHECK(video_mode(b) == 0x03);
    CHECK(bda_mode(b) == 0x03);
}

TEST_CASE("a buffer one call writes is read by the next")
{
    // INT 10h AX=1C01h saves the video state into ES:BX; AX=1C02h restores
    // it from there, after another call changed the mode.
    Session s;
    set_mode(s, 0x13);
    auto r = regs(0x1c00);
    r.ecx = 7;  // hardware, BIOS data, DAC
    REQUIRE(biosx_int(s, 0x10, &r) == BIOSX_OK);
    REQUIRE((r.eax & 0xff) == 0x1c);
    const size_t len = (r.ebx & 0xffff) * 64u;
    uint16_t seg = 0, off = 0;
    REQUIRE(biosx_alloc(s, len, &seg, &off) == BIOSX_OK);
    std::vector<uint8_t> zero(len, 0);
    REQUIRE(biosx_write(s, (uint32_t{seg} << 4) + off, zero.data(), len) == BIOSX_OK);
    r = regs(0x1c01);
    r.ecx = 7;
    r.es = seg;
    r.ebx = off;
    REQUIRE(biosx_int(s, 0x10, &r) == BIOSX_OK);
    std::vector<uint8_t> saved(len);
    REQUIRE(biosx_read(s, (uint32_t{seg} << 4) + off, saved.data(), len) == BIOSX_OK);
    CHECK(saved != zero);
    set_mode(s, 0x03);
    CHECK(video_mode(s) == 0x03);
    r = regs(0x1c02);
    r.ecx = 7;
    r.es = seg;
    r.ebx = off;
    REQUIRE(biosx_int(s, 0x10, &r) == BIOSX_OK);
    CHECK(video_mode(s) == 0x13);
    CHECK(biosx_free(s, seg, off) == BIOSX_OK);
}

TEST_CASE("buffers come from the arena below the EBDA and are given back")
{
    Session s;
    uint16_t ebda_seg = 0;
    REQUIRE(biosx_read(s, 0x40e, &ebda_seg, 2) == BIOSX_OK);
    uint16_t seg[3], off[3];
    for (int i = 0; i < 3; ++i) {
        REQUIRE(biosx_alloc(s, 1000, &seg[i], &off[i]) == BIOSX_OK);
        CHECK(off[i] == 0);
        CHECK(seg[i] >= 0x1000);
        CHECK((uint32_t{seg[i]} << 4) + 1000 <= uint32_t{ebda_seg} << 4);
    }
    CHECK(seg[1] - seg[0] >= 1000 / 16);
    CHECK(seg[2] - seg[1] >= 1000 / 16);
    CHECK(biosx_free(s, seg[1], 0) == BIOSX_OK);
    CHECK(biosx_free(s, seg[1], 0) == BIOSX_ERR_USAGE);
    CHECK(std::string(biosx_session_error(s)).find("not a buffer") != std::string::npos);
    uint16_t again, o;
    REQUIRE(biosx_alloc(s, 500, &again, &o) == BIOSX_OK);
    CHECK(again == seg[1]);  // first fit: the hole is reused
    CHECK(biosx_alloc(s, 0, &again, &o) == BIOSX_ERR_USAGE);
    CHECK(biosx_alloc(s, 0x100000, &again, &o) == BIOSX_ERR_ENVIRONMENT);
    CHECK(std::string(biosx_last_error()).find("no free block") != std::string::npos);
}

TEST_CASE("memory is the session's own, bounds-checked")
{
    Session s;
    size_t size = 0;
    uint8_t* mem = biosx_memory(s, &size);
    REQUIRE(mem != nullptr);
    CHECK(size >= 0x100000);
    uint8_t b = 0;
    CHECK(biosx_read(s, static_cast<uint32_t>(size - 1), &b, 1) == BIOSX_OK);
    CHECK(biosx_read(s, static_cast<uint32_t>(size - 1), &b, 2) == BIOSX_ERR_USAGE);
    CHECK(std::string(biosx_session_error(s)).find("outside the session's memory") != std::string::npos);
    CHECK(biosx_write(s, 0xffffffffu, &b, 1) == BIOSX_ERR_USAGE);
    // A write through the pointer is what the next call sees: the
    // equipment word INT 11h returns.
    mem[0x410] = 0x21;
    mem[0x411] = 0x43;
    auto r = regs(0);
    REQUIRE(biosx_int(s, 0x11, &r) == BIOSX_OK);
    CHECK((r.eax & 0xffff) == 0x4321);
    CHECK(std::string(biosx_session_error(s)).empty());
}

TEST_CASE("a routine that does not return is reported, and the session goes on")
{
    Session s;
    uint16_t seg, off;
    REQUIRE(biosx_alloc(s, 16, &seg, &off) == BIOSX_OK);
    const uint8_t loop[] = {0xeb, 0xfe};  // jmp $
    REQUIRE(biosx_write(s, uint32_t{seg} << 4, loop, sizeof loop) == BIOSX_OK);
    biosx_request q;
    biosx_request_init(&q, 0);
    q.kind = BIOSX_CALL_FAR;
    q.seg = seg;
    q.off = off;
    q.max_instructions = 1000;
    biosx_result res{};
    res.size = sizeof res;
    CHECK(biosx_run(s, &q, &res) == BIOSX_ERR_INCOMPLETE);
    CHECK(res.end == BIOSX_ENDED_INSTRUCTION_LIMIT);
    CHECK(std::string(biosx_end_name(res.end)) == "instruction_limit");
    CHECK(res.instructions == 1000);
    CHECK(res.regs.cs == seg);
    CHECK(std::string(biosx_session_error(s)).find("did not complete") != std::string::npos);
    auto r = regs(0);
    CHECK(biosx_int(s, 0x12, &r) == BIOSX_OK);
    CHECK((r.eax & 0xffff) > 0);
}

TEST_CASE("bad requests are refused before anything runs")
{
    Session s;
    biosx_request q;
    biosx_request_init(&q, 0x11);
    biosx_result res{};
    res.size = sizeof res;
    q.kind = 7;
    CHECK(biosx_run(s, &q, &res) == BIOSX_ERR_USAGE);
    biosx_request_init(&q, 0x11);
    q.timeout_ms = 60001;
    CHECK(biosx_run(s, &q, &res) == BIOSX_ERR_USAGE);
    CHECK(std::string(biosx_session_error(s)).find("60000") != std::string::npos);
    biosx_request_init(&q, 0x11);
    q.flags = BIOSX_REQ_VIRTUAL_IO | BIOSX_REQ_PASS_IO;
    CHECK(biosx_run(s, &q, &res) == BIOSX_ERR_USAGE);
    biosx_request_init(&q, 0x11);
    q.size = 0;
    CHECK(biosx_run(s, &q, &res) == BIOSX_ERR_USAGE);
    biosx_request_init(&q, 0x11);
    res.size = 0;
    CHECK(biosx_run(s, &q, &res) == BIOSX_ERR_USAGE);
    CHECK(biosx_allow_ports(s, 0x20, 0x21) == BIOSX_ERR_USAGE);
    CHECK(std::string(biosx_session_error(s)).find("hard floor") != std::string::npos);
    CHECK(biosx_allow_ports(s, 0x3c0, 0x3b0) == BIOSX_ERR_USAGE);
}

TEST_CASE("opening fails with a status and a message")
{
    biosx_session* s = reinterpret_cast<biosx_session*>(1);
    biosx_open_options o;
    biosx_open_options_init(&o);
    o.image = "/nonexistent/biosx.img";
    CHECK(biosx_session_open(&s, &o) == BIOSX_ERR_USAGE);
    CHECK(s == nullptr);
    CHECK(std::string(biosx_last_error()).find("/nonexistent/biosx.img") != std::string::npos);
    biosx_open_options_init(&o);
    o.backend = BIOSX_BACKEND_KVM;
    o.image = "/nonexistent/biosx.img";
    // Where KVM cannot be used that is the refusal; where it can, the image is.
    const int kvm = ::open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm >= 0) ::close(kvm);
    if (kvm >= 0) {
        CHECK(biosx_session_open(&s, &o) == BIOSX_ERR_USAGE);
        CHECK(std::string(biosx_last_error()).find("/nonexistent/biosx.img") != std::string::npos);
    } else {
        CHECK(biosx_session_open(&s, &o) == BIOSX_ERR_ENVIRONMENT);
        CHECK(std::string(biosx_last_error()).find("kvm") != std::string::npos);
    }
    biosx_open_options_init(&o);
    o.backend = 9;
    CHECK(biosx_session_open(&s, &o) == BIOSX_ERR_USAGE);
    o.backend = BIOSX_BACKEND_VMX;
    o.image = BIOSX_SNAPSHOT;
    CHECK(biosx_session_open(&s, &o) == BIOSX_ERR_USAGE);
    biosx_open_options_init(&o);
    o.size = 4;
    CHECK(biosx_session_open(&s, &o) == BIOSX_ERR_USAGE);
    CHECK(biosx_session_open(nullptr, nullptr) == BIOSX_ERR_USAGE);
}

TEST_CASE("a state file carries the RAM from one session to the next")
{
    const std::string path = temp_path("state.bin");
    {
        Session a;
        set_mode(a, 0x13);
        REQUIRE_MESSAGE(biosx_state_save(a, path.c_str()) == BIOSX_OK, biosx_session_error(a));
        // Saving over the image itself is refused: it is what the session reads.
        CHECK(biosx_state_save(a, BIOSX_SNAPSHOT) == BIOSX_ERR_USAGE);
        CHECK(std::string(biosx_session_error(a)).find("reads that file") != std::string::npos);
    }
    auto bytes = slurp(path);
    CHECK(bytes.size() == 32 + 0xa0000);
    {
        Session b;
        CHECK(video_mode(b) == 0x03);
        REQUIRE_MESSAGE(biosx_state_load(b, path.c_str()) == BIOSX_OK, biosx_session_error(b));
        CHECK(video_mode(b) == 0x13);
        // ... and the file loaded may be replaced by the same session.
        set_mode(b, 0x12);
        CHECK(biosx_state_save(b, path.c_str()) == BIOSX_OK);
    }
    {
        Session c;
        REQUIRE(biosx_state_load(c, path.c_str()) == BIOSX_OK);
        CHECK(video_mode(c) == 0x12);
        // Another image's state: the ROM fingerprint differs.
        bytes = slurp(path);
        bytes[16] ^= 1;
        std::ofstream(path, std::ios::binary).write(reinterpret_cast<char*>(bytes.data()), bytes.size());
        CHECK(biosx_state_load(c, path.c_str()) == BIOSX_ERR_USAGE);
        CHECK(std::string(biosx_session_error(c)).find("different image") != std::string::npos);
        bytes.resize(1000);
        std::ofstream(path, std::ios::binary).write(reinterpret_cast<char*>(bytes.data()), bytes.size());
        CHECK(biosx_state_load(c, path.c_str()) == BIOSX_ERR_USAGE);
        CHECK(biosx_state_load(c, BIOSX_SNAPSHOT) == BIOSX_ERR_USAGE);
        CHECK(std::string(biosx_session_error(c)).find("not a biosx state file") != std::string::npos);
        CHECK(video_mode(c) == 0x12);  // a refused load changes nothing
    }
    std::remove(path.c_str());
    rmdir(path.substr(0, path.rfind('/')).c_str());
}

TEST_CASE("the last call as JSON and its port accesses")
{
    Session s;
    CHECK(std::string(biosx_result_json(s)).empty());
    set_mode(s, 0x13);
    auto j = nlohmann::json::parse(biosx_result_json(s));
    CHECK(j["schema"] == "biosx.run");
    CHECK(j["entry"]["vector"] == 0x10);
    CHECK(j["end"]["kind"] == "return_trap");
    CHECK(j["source"] == std::string("image:") + BIOSX_SNAPSHOT);
    const size_t n = j["io_count"].get<size_t>();
    REQUIRE(n > 0);  // the VGA BIOS programs the adapter
    biosx_request q;
    biosx_request_init(&q, 0x10);
    q.regs.eax = 0x13;
    biosx_result res{};
    res.size = sizeof res;
    REQUIRE(biosx_run(s, &q, &res) == BIOSX_OK);
    CHECK(res.io_count == n);
    CHECK(res.io_logged == n);  // far below the log's 65536
    biosx_io_access a;
    CHECK(biosx_io_log(s, 0, &a) == BIOSX_OK);
    CHECK(a.disposition == BIOSX_ACCESS_VIRTUAL);  // over an image, always
    CHECK((a.size == 1 || a.size == 2 || a.size == 4));
    CHECK(biosx_io_log(s, n, &a) == BIOSX_ERR_USAGE);

    // The clock over the snapshot reads the CMOS the image carries: those
    // accesses are served from it, and say so.
    biosx_request_init(&q, 0x1a);
    q.regs.eax = 0x0200;
    REQUIRE(biosx_run(s, &q, &res) == BIOSX_OK);
    size_t served = 0;
    for (size_t i = 0; i < res.io_logged; ++i) {
        REQUIRE(biosx_io_log(s, i, &a) == BIOSX_OK);
        if (a.port == 0x71 && !a.write) served += a.disposition == BIOSX_ACCESS_SNAPSHOT;
    }
    CHECK(served > 0);
}

TEST_CASE("sessions in different threads run at the same time, each with its own state")
{
    // Each thread opens its own session, sets its own mode, and finds it
    // again on every round (doctest's checks are not thread-safe: count).
    int wrong[2] = {0, 0};
    auto work = [&](int t) {
        biosx_open_options o;
        biosx_open_options_init(&o);
        o.image = BIOSX_SNAPSHOT;
        biosx_session* s = nullptr;
        if (biosx_session_open(&s, &o) != BIOSX_OK) {
            wrong[t] = -1;
            return;
        }
        const uint32_t mine = t ? 0x13 : 0x12;
        for (int i = 0; i < 200; ++i) {
            biosx_registers r;
            biosx_registers_init(&r);
            r.eax = i % 2 ? mine : 0x03;
            biosx_int(s, 0x10, &r);
            biosx_registers_init(&r);
            r.eax = 0x0f00;
            if (biosx_int(s, 0x10, &r) != BIOSX_OK || (r.eax & 0x7f) != (i % 2 ? mine : 0x03)) ++wrong[t];
        }
        biosx_session_close(s);
    };
    std::thread a(work, 0), b(work, 1);
    a.join();
    b.join();
    CHECK(wrong[0] == 0);
    CHECK(wrong[1] == 0);
}
