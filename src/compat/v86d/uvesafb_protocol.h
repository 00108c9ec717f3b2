// uvesafb_protocol.h - the messages uvesafb (drivers/video/fbdev/uvesafb.c)
// and its v86d helper exchange over the netlink connector: a netlink header,
// a struct cn_msg (CN_IDX_V86D / CN_VAL_V86D_UVESAFB), a struct uvesafb_task
// and the task's buffer. Parsing and building only, no sockets: pure code,
// unit-tested on handcrafted messages. Userspace.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <linux/connector.h>
#include <video/uvesafb.h>

namespace biosx::v86d {

// struct cn_msg without its flexible data[]: the fixed part, which a
// struct can hold as a member.
struct CnHeader {
    cb_id id;
    uint32_t seq, ack;
    uint16_t len, flags;
};
static_assert(sizeof(CnHeader) == sizeof(cn_msg), "CnHeader is struct cn_msg's fixed part");

// One task as uvesafb sent it: the connector header (its seq and ack must
// come back unchanged: uvesafb_cn_callback() finds the waiting task by
// them), the task with its registers, and buf_len bytes of buffer.
struct Request {
    CnHeader header{};
    uvesafb_task task{};
    std::vector<uint8_t> buffer;
};

// parse_request() - one datagram read from the connector socket.
// Accepts a single netlink message of type NLMSG_DONE carrying a cn_msg for
// CN_IDX_V86D/CN_VAL_V86D_UVESAFB whose data holds a task and at least
// buf_len bytes of buffer. Every length is checked against the bytes
// received before it is used. Returns false and sets @why (one line naming
// what was wrong) for anything else.
bool parse_request(std::span<const uint8_t> datagram, Request& out, std::string& why);

// build_reply() - the datagram answering @r: a netlink message of type
// NLMSG_DONE from @port_id whose cn_msg repeats the request's id, seq, ack
// and len, followed by the task (registers out) and the buffer. uvesafb
// accepts it when buf_len and len are those it sent (uvesafb_cn_callback()).
std::vector<uint8_t> build_reply(const Request& r, uint32_t port_id, uint32_t netlink_seq);

// task_flag_names() - "VBEIB|BUF_ESDI|..." for a task's flags ("none" for 0).
std::string task_flag_names(uint8_t flags);

}  // namespace biosx::v86d
