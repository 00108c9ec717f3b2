// v86d_log.cpp - biosx-v86d's log destinations (v86d_log.h). Userspace.
#include "compat/v86d/v86d_log.h"

#include <cstdio>
#include <fcntl.h>
#include <syslog.h>
#include <unistd.h>

namespace biosx::v86d {

void Log::open(const std::string& dest)
{
    dest_ = dest;
    if (dest_ == "syslog")
        openlog("biosx-v86d", LOG_PID, LOG_DAEMON);
    else if (dest_ == "kmsg")
        fd_ = ::open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
    else if (!dest_.empty() && dest_ != "stderr")
        fd_ = ::open(dest_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

bool Log::usable() const { return dest_.empty() || dest_ == "stderr" || dest_ == "syslog" || fd_ >= 0; }

void Log::info(const std::string& line) { put(LOG_INFO, line); }

void Log::error(const std::string& line)
{
    if (dest_ != "stderr")
        std::fprintf(stderr, "biosx-v86d: %s\n", line.c_str());
    put(LOG_ERR, line);
}

void Log::put(int level, const std::string& line)
{
    if (dest_ == "stderr") {
        std::fprintf(stderr, "biosx-v86d: %s\n", line.c_str());
    } else if (dest_ == "syslog") {
        syslog(level, "%s", line.c_str());
    } else if (fd_ >= 0) {
        // kmsg: one record per write, "<level>" first
        // (Documentation/ABI/testing/dev-kmsg); a file: one line.
        std::string rec = (dest_ == "kmsg" ? "<" + std::to_string(level) + ">" : std::string()) + "biosx-v86d: " +
                          line + "\n";
        if (::write(fd_, rec.data(), rec.size()) < 0) {
            // Nowhere else to say it.
        }
    }
}

}  // namespace biosx::v86d
