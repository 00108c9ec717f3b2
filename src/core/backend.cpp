// backend.cpp - backend-neutral names. Userspace.
#include "core/backend.h"

namespace biosx {

std::string_view end_kind_name(EndKind k)
{
    switch (k) {
    case EndKind::return_trap: return "return_trap";
    case EndKind::timeout: return "timeout";
    case EndKind::instruction_limit: return "instruction_limit";
    case EndKind::halt: return "halt";
    case EndKind::exception: return "exception";
    case EndKind::triple_fault: return "triple_fault";
    case EndKind::ept_violation: return "ept_violation";
    case EndKind::entry_failure: return "entry_failure";
    case EndKind::bad_memory: return "bad_memory";
    case EndKind::machine_check: return "machine_check";
    case EndKind::interrupted: return "interrupted";
    case EndKind::other: return "other";
    }
    return "other";
}

}  // namespace biosx
