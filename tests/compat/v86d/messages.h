// messages.h - handcrafted uvesafb task messages for biosx-v86d's tests: a
// datagram as the kernel sends it (netlink header, cn_msg, task, buffer).
// Userspace.
#pragma once

#include <cstring>
#include <linux/netlink.h>
#include <vector>

#include "compat/v86d/uvesafb_protocol.h"

namespace v86d_test {

struct Message {
    uvesafb_task task{};
    std::vector<uint8_t> buffer;
    uint32_t seq = 3, ack = 0x5eed1234;
    uint32_t idx = CN_IDX_V86D, val = CN_VAL_V86D_UVESAFB;
    uint16_t type = NLMSG_DONE;
};

inline std::vector<uint8_t> datagram(const Message& m)
{
    size_t data = sizeof(uvesafb_task) + m.buffer.size();
    std::vector<uint8_t> d(NLMSG_SPACE(sizeof(cn_msg) + data), 0);
    nlmsghdr nlh{};
    nlh.nlmsg_len = NLMSG_LENGTH(sizeof(cn_msg) + data);
    nlh.nlmsg_type = m.type;
    std::memcpy(d.data(), &nlh, sizeof(nlh));
    cn_msg cn{};
    cn.id.idx = m.idx;
    cn.id.val = m.val;
    cn.seq = m.seq;
    cn.ack = m.ack;
    cn.len = static_cast<uint16_t>(data);
    std::memcpy(d.data() + NLMSG_HDRLEN, &cn, sizeof(cn));
    uvesafb_task t = m.task;
    t.buf_len = static_cast<int>(m.buffer.size());
    std::memcpy(d.data() + NLMSG_HDRLEN + sizeof(cn), &t, sizeof(t));
    if (!m.buffer.empty())
        std::memcpy(d.data() + NLMSG_HDRLEN + sizeof(cn) + sizeof(t), m.buffer.data(), m.buffer.size());
    return d;
}

// Where the cn_msg, the task and the buffer start in a datagram.
constexpr size_t kCnAt = NLMSG_HDRLEN;
constexpr size_t kTaskAt = NLMSG_HDRLEN + sizeof(cn_msg);
constexpr size_t kBufferAt = kTaskAt + sizeof(uvesafb_task);

}  // namespace v86d_test
