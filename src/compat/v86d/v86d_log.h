// v86d_log.h - where biosx-v86d's lines go (--log): stderr, syslog, the
// kernel log (/dev/kmsg) or a file. Started by the kernel the helper has no
// terminal, so a task log needs one of the others. Userspace.
#pragma once

#include <string>

namespace biosx::v86d {

class Log {
public:
    // @dest: "" (no task lines), "stderr", "syslog", "kmsg" or an absolute path.
    void open(const std::string& dest);
    // False when --log names a destination that cannot be written.
    bool usable() const;
    bool enabled() const { return !dest_.empty(); }
    // A task line: only with --log.
    void info(const std::string& line);
    // An error: on stderr always, and where --log points.
    void error(const std::string& line);

private:
    void put(int level, const std::string& line);
    std::string dest_;
    int fd_ = -1;
};

}  // namespace biosx::v86d
