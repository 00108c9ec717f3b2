// test_protocol.cpp - uvesafb's messages on handcrafted datagrams: parsed
// field by field, answered with the same seq/ack/len, and every malformed
// or short one refused with a reason. Pure code; userspace.
#include <doctest/doctest.h>

#include "compat/v86d/uvesafb_protocol.h"
#include "messages.h"

using namespace biosx::v86d;
using v86d_test::datagram;
using v86d_test::Message;

namespace {

Message mode_info_task()
{
    Message m;
    m.task.flags = TF_BUF_ESDI | TF_BUF_RET;
    m.task.regs.eax = 0x4f01;
    m.task.regs.ecx = 0x101;
    m.buffer.assign(256, 0);
    m.buffer[0] = 0xaa;
    m.buffer[255] = 0x55;
    return m;
}

}  // namespace

TEST_CASE("a task message is parsed field by field")
{
    auto m = mode_info_task();
    auto d = datagram(m);
    Request r;
    std::string why;
    REQUIRE_MESSAGE(parse_request(d, r, why), why);
    CHECK(r.header.seq == m.seq);
    CHECK(r.header.ack == m.ack);
    CHECK(r.header.len == sizeof(uvesafb_task) + 256);
    CHECK(r.task.flags == (TF_BUF_ESDI | TF_BUF_RET));
    CHECK(r.task.buf_len == 256);
    CHECK(r.task.regs.eax == 0x4f01);
    CHECK(r.task.regs.ecx == 0x101);
    CHECK(r.buffer == m.buffer);
}

TEST_CASE("the reply carries seq, ack and len as sent, the registers and the buffer as left")
{
    auto m = mode_info_task();
    Request r;
    std::string why;
    REQUIRE(parse_request(datagram(m), r, why));
    r.task.regs.eax = 0x004f;
    r.buffer[1] = 0x77;
    auto reply = build_reply(r, 4242, 9);

    nlmsghdr nlh;
    std::memcpy(&nlh, reply.data(), sizeof(nlh));
    CHECK(nlh.nlmsg_type == NLMSG_DONE);
    CHECK(nlh.nlmsg_pid == 4242);
    CHECK(nlh.nlmsg_seq == 9);
    // What connector.c's cn_call_callback() requires of a message.
    CHECK(nlh.nlmsg_len >= NLMSG_HDRLEN + sizeof(cn_msg) + r.header.len);
    CHECK(reply.size() >= nlh.nlmsg_len);

    Request back;
    REQUIRE_MESSAGE(parse_request(reply, back, why), why);
    CHECK(back.header.seq == m.seq);
    CHECK(back.header.ack == m.ack);
    CHECK(back.header.len == r.header.len);
    CHECK(back.header.id.idx == CN_IDX_V86D);
    CHECK(back.header.id.val == CN_VAL_V86D_UVESAFB);
    CHECK(back.task.regs.eax == 0x004f);
    CHECK(back.task.buf_len == 256);
    CHECK(back.buffer == r.buffer);
    // uvesafb_cn_callback(): buf_len no more than it sent and within len.
    CHECK(static_cast<size_t>(back.task.buf_len) <= back.header.len - sizeof(uvesafb_task));
}

TEST_CASE("a task without a buffer round-trips")
{
    Message m;
    m.task.regs.eax = 0x4f15;
    Request r;
    std::string why;
    REQUIRE_MESSAGE(parse_request(datagram(m), r, why), why);
    CHECK(r.buffer.empty());
    Request back;
    REQUIRE_MESSAGE(parse_request(build_reply(r, 1, 0), back, why), why);
    CHECK(back.task.regs.eax == 0x4f15);
    CHECK(back.header.len == sizeof(uvesafb_task));
}

TEST_CASE("every truncation of a message is refused with a reason")
{
    auto d = datagram(mode_info_task());
    // The netlink length says how much there is; cut both.
    for (size_t n = 0; n < d.size(); ++n) {
        std::vector<uint8_t> cut(d.begin(), d.begin() + n);
        if (cut.size() >= sizeof(nlmsghdr)) {
            uint32_t len = static_cast<uint32_t>(n);
            std::memcpy(cut.data(), &len, sizeof(len));
        }
        Request r;
        std::string why;
        bool ok = parse_request(cut, r, why);
        // The padding after the buffer is the only part that may go.
        if (n >= v86d_test::kBufferAt + 256) {
            CHECK(ok);
            continue;
        }
        CHECK_MESSAGE(!ok, "a message of " << n << " bytes was accepted");
        CHECK(!why.empty());
    }
    // Cut, with the netlink length still claiming the whole message.
    for (size_t n = 0; n < d.size(); ++n) {
        Request r;
        std::string why;
        CHECK_FALSE(parse_request({d.data(), n}, r, why));
    }
}

TEST_CASE("malformed messages are refused, each saying what was wrong")
{
    Request r;
    std::string why;

    auto m = mode_info_task();
    m.idx = CN_IDX_V86D + 1;
    CHECK_FALSE(parse_request(datagram(m), r, why));
    CHECK(why.find("connector id") != std::string::npos);

    m = mode_info_task();
    m.type = NLMSG_ERROR;
    CHECK_FALSE(parse_request(datagram(m), r, why));
    CHECK(why.find("NLMSG_DONE") != std::string::npos);

    // buf_len beyond the bytes sent, and negative.
    for (int bad : {257, 100000, -1}) {
        auto d = datagram(mode_info_task());
        std::memcpy(d.data() + v86d_test::kTaskAt + offsetof(uvesafb_task, buf_len), &bad, sizeof(bad));
        CHECK_FALSE(parse_request(d, r, why));
        CHECK(why.find("task buffer") != std::string::npos);
    }

    // The cn_msg's len past the netlink message.
    auto d = datagram(mode_info_task());
    uint16_t len = 0xffff;
    std::memcpy(d.data() + v86d_test::kCnAt + offsetof(cn_msg, len), &len, sizeof(len));
    CHECK_FALSE(parse_request(d, r, why));
    CHECK(why.find("connector length") != std::string::npos);

    // A netlink length larger than what was received.
    d = datagram(mode_info_task());
    uint32_t nl = static_cast<uint32_t>(d.size() + 1);
    std::memcpy(d.data(), &nl, sizeof(nl));
    CHECK_FALSE(parse_request(d, r, why));
    CHECK(why.find("netlink length") != std::string::npos);
}

TEST_CASE("task flags are named for the log")
{
    CHECK(task_flag_names(0) == "none");
    CHECK(task_flag_names(TF_VBEIB) == "VBEIB");
    CHECK(task_flag_names(TF_BUF_ESDI | TF_BUF_RET) == "BUF_ESDI|BUF_RET");
    CHECK(task_flag_names(TF_EXIT | 0x80) == "EXIT|0x80");
}
