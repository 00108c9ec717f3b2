// io_policy.cpp - the default port deny list. Userspace.
#include "core/io_policy.h"

#include "core/x86/io_deny.h"

namespace biosx {

const std::vector<PortRange>& default_denied_ports()
{
    static const std::vector<PortRange> deny = {
#define X(first, last, why) {first, last, true, why},
        BIOSX_DEFAULT_DENIED_PORTS(X)
#undef X
    };
    return deny;
}

const PortRange* IoPolicy::denied(uint16_t port, bool write) const
{
    for (const auto& r : deny)
        if (port >= r.first && port <= r.last && (write || !r.writes_only)) return &r;
    return nullptr;
}

}  // namespace biosx
