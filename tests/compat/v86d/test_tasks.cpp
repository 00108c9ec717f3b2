// test_tasks.cpp - uvesafb's tasks run by biosx-v86d's task code on the
// emulation backend over the SeaBIOS snapshot (build/share/seabios.img,
// QEMU's std VGA with SeaVGABIOS): each handcrafted message goes through
// parse_request(), run_task() and build_reply(), and the reply is read the
// way uvesafb reads it, against the same call made directly through
// libbiosx. Userspace.
#include <biosx/biosx.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>
#include <video/uvesafb.h>

#include "compat/v86d/v86d_task.h"
#include "messages.h"

using namespace biosx::v86d;
using v86d_test::datagram;
using v86d_test::Message;

namespace {

struct Session {
    biosx_session* s = nullptr;
    Session()
    {
        biosx_open_options o;
        biosx_open_options_init(&o);
        o.backend = BIOSX_BACKEND_EMU;
        o.image = BIOSX_SNAPSHOT;
        REQUIRE_MESSAGE(biosx_session_open(&s, &o) == BIOSX_OK, biosx_last_error());
    }
    ~Session() { biosx_session_close(s); }
    operator biosx_session*() const { return s; }
};

// The whole path of one task: the kernel's datagram in, the reply out,
// parsed back as the kernel would take it.
Request answer(biosx_session* s, const Message& m, TaskOutcome* outcome = nullptr)
{
    Request r;
    std::string why;
    REQUIRE_MESSAGE(parse_request(datagram(m), r, why), why);
    TaskOutcome o = run_task(s, r);
    INFO(task_log_line(r, o));
    REQUIRE_MESSAGE(o.status == BIOSX_OK, o.error);
    if (outcome)
        *outcome = o;
    Request back;
    REQUIRE_MESSAGE(parse_request(build_reply(r, 77, 0), back, why), why);
    CHECK(back.header.seq == m.seq);
    CHECK(back.header.ack == m.ack);
    CHECK(back.task.buf_len == static_cast<int>(m.buffer.size()));
    return back;
}

// A VBE call made directly: the registers out and @len bytes at ES:DI.
struct Direct {
    biosx_registers out;
    std::vector<uint8_t> bytes;
};

Direct direct(biosx_session* s, uint32_t eax, uint32_t ecx, std::vector<uint8_t> in)
{
    uint16_t seg, off;
    REQUIRE(biosx_alloc(s, in.size(), &seg, &off) == BIOSX_OK);
    REQUIRE(biosx_write(s, uint32_t{seg} << 4, in.data(), in.size()) == BIOSX_OK);
    biosx_registers r;
    biosx_registers_init(&r);
    r.eax = eax;
    r.ecx = ecx;
    r.es = seg;
    r.edi = off;
    REQUIRE_MESSAGE(biosx_int(s, 0x10, &r) == BIOSX_OK, biosx_session_error(s));
    Direct d{r, std::vector<uint8_t>(in.size())};
    REQUIRE(biosx_read(s, uint32_t{seg} << 4, d.bytes.data(), d.bytes.size()) == BIOSX_OK);
    biosx_free(s, seg, off);
    return d;
}

uint32_t u32(const std::vector<uint8_t>& b, size_t at) { return b[at] | b[at + 1] << 8 | b[at + 2] << 16 | uint32_t{b[at + 3]} << 24; }
uint16_t u16(const std::vector<uint8_t>& b, size_t at) { return static_cast<uint16_t>(b[at] | b[at + 1] << 8); }

uint32_t linear(uint32_t far) { return (far >> 16 << 4) + (far & 0xffff); }

// What a far pointer designates in the session's memory.
std::string far_string(biosx_session* s, uint32_t far)
{
    std::string out;
    for (uint32_t a = linear(far);; ++a) {
        char c;
        REQUIRE(biosx_read(s, a, &c, 1) == BIOSX_OK);
        if (!c)
            return out;
        out += c;
    }
}

std::vector<uint16_t> far_modes(biosx_session* s, uint32_t far)
{
    std::vector<uint16_t> out;
    for (uint32_t a = linear(far);; a += 2) {
        uint16_t m;
        REQUIRE(biosx_read(s, a, &m, 2) == BIOSX_OK);
        if (m == 0xffff)
            return out;
        out.push_back(m);
    }
}

// As uvesafb reads the fixed block: buffer + offset.
std::string buffer_string(const std::vector<uint8_t>& b, size_t field)
{
    uint32_t off = u32(b, field);
    REQUIRE(off < b.size());
    const char* p = reinterpret_cast<const char*>(b.data()) + off;
    size_t n = strnlen(p, b.size() - off);
    REQUIRE(n < b.size() - off); // terminated inside the buffer
    return {p, n};
}

std::vector<uint16_t> buffer_modes(const std::vector<uint8_t>& b)
{
    std::vector<uint16_t> out;
    for (size_t at = u32(b, offsetof(vbe_ib, mode_list_ptr));; at += 2) {
        REQUIRE(at + 1 < b.size());
        if (u16(b, at) == 0xffff)
            return out;
        out.push_back(u16(b, at));
    }
}

// uvesafb_vbe_getmodes()'s task for mode 101h, 256 bytes of @fill.
Message mode_info_task(uint8_t flags, uint8_t fill)
{
    Message m;
    m.task.flags = flags;
    m.task.regs.eax = 0x4f01;
    m.task.regs.ecx = 0x101;
    m.buffer.assign(256, fill);
    return m;
}

std::vector<uint8_t> vbe2_block()
{
    std::vector<uint8_t> b(sizeof(vbe_ib), 0);
    std::memcpy(b.data(), "VBE2", 4); // as uvesafb_vbe_getinfo() asks
    return b;
}

}  // namespace

TEST_CASE("TF_VBEIB: the info block comes back with its pointers as offsets into the buffer")
{
    Session s;
    Message m;
    m.task.flags = TF_VBEIB;
    m.task.regs.eax = 0x4f00;
    m.buffer = vbe2_block();
    TaskOutcome o;
    Request back = answer(s, m, &o);
    const auto& b = back.buffer;

    CHECK((back.task.regs.eax & 0xffff) == 0x004f);
    CHECK(std::string(b.begin(), b.begin() + 4) == "VESA");
    CHECK(u16(b, offsetof(vbe_ib, vbe_version)) >= 0x0200);
    CHECK(o.vbe_fixed);

    // The same call made directly, its far pointers followed in memory.
    Session t;
    Direct d = direct(t, 0x4f00, 0, vbe2_block());
    REQUIRE((d.out.eax & 0xffff) == 0x004f);
    auto modes = far_modes(t, u32(d.bytes, offsetof(vbe_ib, mode_list_ptr)));
    CHECK(modes.size() > 10);
    CHECK(std::find(modes.begin(), modes.end(), 0x101) != modes.end());
    CHECK(buffer_modes(b) == modes);
    CHECK(o.vbe.modes == modes.size());
    for (size_t field : {offsetof(vbe_ib, oem_string_ptr), offsetof(vbe_ib, oem_vendor_name_ptr),
                         offsetof(vbe_ib, oem_product_name_ptr), offsetof(vbe_ib, oem_product_rev_ptr)}) {
        uint32_t far = u32(d.bytes, field);
        if (far == 0) {
            CHECK(u32(b, field) == 0);
            continue;
        }
        uint32_t off = u32(b, field);
        CHECK(off > 0);
        CHECK(off < b.size());
        CHECK(buffer_string(b, field) == far_string(t, far));
    }
    // The OEM string is SeaVGABIOS's, something to print.
    CHECK(buffer_string(b, offsetof(vbe_ib, oem_string_ptr)).size() > 3);
    MESSAGE("OEM \"", buffer_string(b, offsetof(vbe_ib, oem_string_ptr)), "\", ", modes.size(), " modes, ",
            o.vbe.copied, " objects copied");
}

TEST_CASE("4F01h with TF_BUF_ESDI|TF_BUF_RET returns mode 101h's information")
{
    Session s;
    Message m = mode_info_task(TF_BUF_ESDI | TF_BUF_RET, 0);
    TaskOutcome o;
    Request back = answer(s, m, &o);
    CHECK((back.task.regs.eax & 0xffff) == 0x004f);
    CHECK(o.in.es == o.buffer_segment);
    CHECK(o.in.edi == 0);
    // VBE 3.0 mode information block: XResolution at 12h, YResolution at
    // 14h, BitsPerPixel at 19h.
    CHECK(u16(back.buffer, 0x12) == 640);
    CHECK(u16(back.buffer, 0x14) == 480);
    CHECK(back.buffer[0x19] == 8);
    Session t;
    Direct d = direct(t, 0x4f01, 0x101, std::vector<uint8_t>(256, 0));
    CHECK(back.buffer == d.bytes);

    // The log line names the task and its registers in and out.
    Request r;
    std::string why;
    REQUIRE(parse_request(datagram(m), r, why));
    std::string line = task_log_line(r, o);
    MESSAGE(line);
    CHECK(line.find("flags=BUF_ESDI|BUF_RET buf_len=256") != std::string::npos);
    CHECK(line.find("in eax=00004f01 ebx=00000000 ecx=00000101") != std::string::npos);
    CHECK(line.find("out eax=0000004f") != std::string::npos);
    CHECK(line.find("return_trap") != std::string::npos);
}

TEST_CASE("without TF_BUF_RET the buffer goes back as it came, the registers as the BIOS left them")
{
    Session s;
    Message m = mode_info_task(TF_BUF_ESDI, 0x3c);
    Request back = answer(s, m);
    CHECK((back.task.regs.eax & 0xffff) == 0x004f);
    CHECK(back.buffer == std::vector<uint8_t>(256, 0x3c));
}

TEST_CASE("TF_BUF_ESBX: the VBE state saved at ES:BX (4F04h), as uvesafb_vbe_state_save() asks")
{
    Session s;
    Message size;
    size.task.regs.eax = 0x4f04;
    size.task.regs.ecx = 0x000f;
    size.task.regs.edx = 0x0000;
    Request sized = answer(s, size);
    if ((sized.task.regs.eax & 0xffff) != 0x004f) {
        MESSAGE("SKIP: this VGA BIOS has no 4F04h (eax ", sized.task.regs.eax, ")");
        return;
    }
    size_t bytes = 64 * (sized.task.regs.ebx & 0xffff);
    REQUIRE(bytes > 0);
    Message save;
    save.task.flags = TF_BUF_RET | TF_BUF_ESBX;
    save.task.regs.eax = 0x4f04;
    save.task.regs.ecx = 0x000f;
    save.task.regs.edx = 0x0001;
    save.buffer.assign(bytes, 0);
    TaskOutcome o;
    Request back = answer(s, save, &o);
    CHECK((back.task.regs.eax & 0xffff) == 0x004f);
    CHECK(o.in.es == o.buffer_segment);
    CHECK(o.in.ebx == 0);
    CHECK(back.buffer != std::vector<uint8_t>(bytes, 0));
}

TEST_CASE("tasks in one session: a mode set by 4F02h is the mode 4F03h reports")
{
    Session s;
    Message set;
    set.task.regs.eax = 0x4f02;
    set.task.regs.ebx = 0x4101; // 640x480x8, linear frame buffer
    set.buffer.assign(59, 0);  // struct vbe_crtc_ib, unused without bit 11
    CHECK((answer(s, set).task.regs.eax & 0xffff) == 0x004f);
    Message get;
    get.task.regs.eax = 0x4f03;
    Request back = answer(s, get);
    CHECK((back.task.regs.eax & 0xffff) == 0x004f);
    CHECK((back.task.regs.ebx & 0x3fff) == 0x101);
}

TEST_CASE("a routine that does not return leaves the task as it came, and the log says why")
{
    Session s;
    // INT 10h pointed at a HLT: the run ends at once, without returning.
    const uint8_t hlt = 0xf4;
    REQUIRE(biosx_write(s, 0x7000, &hlt, 1) == BIOSX_OK);
    const uint16_t vector[2] = {0x7000, 0x0000};
    REQUIRE(biosx_write(s, 0x10 * 4, vector, sizeof(vector)) == BIOSX_OK);
    Message m = mode_info_task(TF_BUF_ESDI | TF_BUF_RET, 0x11);
    Request r;
    std::string why;
    REQUIRE(parse_request(datagram(m), r, why));
    TaskOutcome o = run_task(s, r);
    CHECK(o.status == BIOSX_ERR_INCOMPLETE);
    CHECK(o.ran);
    CHECK(o.result.end == BIOSX_ENDED_HALT);
    // AX still 4F01h, never 004Fh: uvesafb sees a failed call at once.
    CHECK(r.task.regs.eax == 0x4f01);
    CHECK(r.buffer == std::vector<uint8_t>(256, 0x11));
    std::string line = task_log_line(r, o);
    CHECK(line.find("; halt,") != std::string::npos);
    CHECK(line.find(o.error) != std::string::npos);
    CHECK(!o.error.empty());

    // The buffer is given back: the next task gets the same place.
    Message next;
    next.task.flags = TF_BUF_ESDI;
    next.buffer.assign(16, 0);
    Request r2;
    REQUIRE(parse_request(datagram(next), r2, why));
    TaskOutcome o2 = run_task(s, r2);
    CHECK(o2.buffer_segment == o.buffer_segment);
}

TEST_CASE("a buffer the arena cannot hold: nothing runs, the task goes back as it came")
{
    Session s;
    Request r;
    r.task.flags = TF_BUF_ESDI | TF_BUF_RET;
    r.task.regs.eax = 0x4f01;
    r.buffer.assign(0x100000, 0x22); // more than conventional memory
    r.task.buf_len = static_cast<int>(r.buffer.size());
    TaskOutcome o = run_task(s, r);
    CHECK(o.status == BIOSX_ERR_ENVIRONMENT);
    CHECK_FALSE(o.ran);
    CHECK(r.task.regs.eax == 0x4f01);
    CHECK(task_log_line(r, o).find("not run: ") != std::string::npos);
}
