// lockdown.cpp - reads the kernel's lockdown level. Userspace.
#include "core/lockdown.h"

#include <fstream>

namespace biosx {

std::string lockdown_level()
{
    // One line such as "none [integrity] confidentiality": the bracketed
    // word is the active level.
    std::ifstream in("/sys/kernel/security/lockdown");
    std::string line;
    if (!std::getline(in, line)) return {};
    auto open = line.find('['), close = line.find(']');
    if (open == std::string::npos || close == std::string::npos || close < open) return {};
    std::string level = line.substr(open + 1, close - open - 1);
    return level == "none" ? std::string() : level;
}

}  // namespace biosx
