// uvesafb_protocol.cpp - parsing uvesafb's task messages and building the
// replies (uvesafb_protocol.h). Pure code over byte spans. Userspace.
#include "compat/v86d/uvesafb_protocol.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <linux/netlink.h>

namespace biosx::v86d {

namespace {

std::string too_short(const char* what, size_t need, size_t have)
{
    return std::string(what) + ": " + std::to_string(have) + " bytes, at least " + std::to_string(need) +
           " needed";
}

}  // namespace

bool parse_request(std::span<const uint8_t> datagram, Request& out, std::string& why)
{
    if (datagram.size() < NLMSG_HDRLEN) {
        why = too_short("netlink header", NLMSG_HDRLEN, datagram.size());
        return false;
    }
    nlmsghdr nlh;
    std::memcpy(&nlh, datagram.data(), sizeof(nlh));
    if (nlh.nlmsg_len < NLMSG_HDRLEN || nlh.nlmsg_len > datagram.size()) {
        why = "netlink length " + std::to_string(nlh.nlmsg_len) + " outside the " +
              std::to_string(datagram.size()) + " bytes received";
        return false;
    }
    if (nlh.nlmsg_type != NLMSG_DONE) {
        why = "netlink message of type " + std::to_string(nlh.nlmsg_type) + ", not NLMSG_DONE";
        return false;
    }
    auto payload = datagram.subspan(NLMSG_HDRLEN, nlh.nlmsg_len - NLMSG_HDRLEN);
    if (payload.size() < sizeof(cn_msg)) {
        why = too_short("connector header", sizeof(cn_msg), payload.size());
        return false;
    }
    std::memcpy(&out.header, payload.data(), sizeof(CnHeader));
    if (out.header.id.idx != CN_IDX_V86D || out.header.id.val != CN_VAL_V86D_UVESAFB) {
        why = "connector id " + std::to_string(out.header.id.idx) + ":" + std::to_string(out.header.id.val) +
              " is not uvesafb's (" + std::to_string(CN_IDX_V86D) + ":" + std::to_string(CN_VAL_V86D_UVESAFB) + ")";
        return false;
    }
    auto data = payload.subspan(sizeof(cn_msg));
    if (out.header.len > data.size()) {
        why = "connector length " + std::to_string(out.header.len) + " past the " + std::to_string(data.size()) +
              " bytes received";
        return false;
    }
    data = data.first(out.header.len);
    if (data.size() < sizeof(uvesafb_task)) {
        why = too_short("uvesafb task", sizeof(uvesafb_task), data.size());
        return false;
    }
    std::memcpy(&out.task, data.data(), sizeof(uvesafb_task));
    auto buffer = data.subspan(sizeof(uvesafb_task));
    if (out.task.buf_len < 0 || static_cast<size_t>(out.task.buf_len) > buffer.size()) {
        why = "task buffer of " + std::to_string(out.task.buf_len) + " bytes, " + std::to_string(buffer.size()) +
              " received";
        return false;
    }
    out.buffer.assign(buffer.begin(), buffer.begin() + out.task.buf_len);
    return true;
}

std::vector<uint8_t> build_reply(const Request& r, uint32_t port_id, uint32_t netlink_seq)
{
    // The cn_msg's len as sent: it may exceed task + buffer (uvesafb
    // never does that), and the bytes past them are sent back as zeros.
    size_t data_len = std::max<size_t>(r.header.len, sizeof(uvesafb_task) + r.buffer.size());
    size_t payload_len = sizeof(cn_msg) + data_len;
    std::vector<uint8_t> out(NLMSG_SPACE(payload_len), 0);

    nlmsghdr nlh{};
    nlh.nlmsg_len = NLMSG_LENGTH(payload_len);
    nlh.nlmsg_type = NLMSG_DONE;
    nlh.nlmsg_seq = netlink_seq;
    nlh.nlmsg_pid = port_id;
    std::memcpy(out.data(), &nlh, sizeof(nlh));

    CnHeader cn = r.header;
    cn.len = static_cast<uint16_t>(data_len);
    uint8_t* p = out.data() + NLMSG_HDRLEN;
    std::memcpy(p, &cn, sizeof(cn));
    p += sizeof(cn);
    std::memcpy(p, &r.task, sizeof(r.task));
    if (!r.buffer.empty())
        std::memcpy(p + sizeof(r.task), r.buffer.data(), r.buffer.size());
    return out;
}

std::string task_flag_names(uint8_t flags)
{
    static constexpr struct {
        uint8_t bit;
        const char* name;
    } kFlags[] = {{TF_VBEIB, "VBEIB"}, {TF_BUF_ESDI, "BUF_ESDI"}, {TF_BUF_ESBX, "BUF_ESBX"},
                  {TF_BUF_RET, "BUF_RET"}, {TF_EXIT, "EXIT"}};
    std::string s;
    uint8_t known = 0;
    for (const auto& f : kFlags) {
        known |= f.bit;
        if (flags & f.bit)
            s += (s.empty() ? "" : "|") + std::string(f.name);
    }
    if (flags & ~known) {
        char rest[8];
        std::snprintf(rest, sizeof(rest), "0x%02x", flags & ~known);
        s += (s.empty() ? "" : "|") + std::string(rest);
    }
    return s.empty() ? "none" : s;
}

}  // namespace biosx::v86d
