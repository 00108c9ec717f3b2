// files.cpp - checked inputs and atomically replaced outputs. Userspace.
#include "core/files.h"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/format.h"

namespace biosx {

namespace {

struct Known {
    dev_t dev;
    ino_t ino;
    std::string what;
};
// This process is one command: what it reads and what it writes so far.
// libbiosx sessions may open files from several threads: one lock for both
// lists, held only while they are read or changed.
std::mutex& registry_lock()
{
    static std::mutex m;
    return m;
}
std::vector<Known>& inputs()
{
    static std::vector<Known> v;
    return v;
}
std::vector<std::string>& output_targets()
{
    static std::vector<std::string> v;
    return v;
}

std::string errno_text(int e) { return std::strerror(e); }

// "--image PATH", or "--write 0000:7e00=@PATH" when `what` ends in '@'.
std::string label(const std::string& what, const std::string& path)
{
    return what.ends_with('@') ? what + path : what + " " + path;
}

// ENOENT and friends are the user's path; EACCES, EROFS, EIO are the
// machine's (documented in docs/exit-codes.md).
ErrorKind kind_for(int e)
{
    return e == ENOENT || e == ENOTDIR || e == ELOOP || e == ENAMETOOLONG || e == EISDIR ? ErrorKind::usage
                                                                                           : ErrorKind::environment;
}

const char* file_type(mode_t m)
{
    if (S_ISDIR(m)) return "a directory";
    if (S_ISFIFO(m)) return "a FIFO";
    if (S_ISSOCK(m)) return "a socket";
    if (S_ISCHR(m)) return "a character device";
    if (S_ISBLK(m)) return "a block device";
    return "not a regular file";
}

bool known_input(const struct stat& st)
{
    std::lock_guard lock(registry_lock());
    for (const auto& k : inputs())
        if (k.dev == st.st_dev && k.ino == st.st_ino) return true;
    return false;
}

void remember_input(const struct stat& st, const std::string& what)
{
    std::lock_guard lock(registry_lock());
    for (const auto& k : inputs())
        if (k.dev == st.st_dev && k.ino == st.st_ino) return;
    inputs().push_back({st.st_dev, st.st_ino, what});
}

std::string dir_of(const std::string& p)
{
    auto slash = p.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : p.substr(0, slash);
}

std::string base_of(const std::string& p)
{
    auto slash = p.rfind('/');
    return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::string real_path(const std::string& p)
{
    char buf[PATH_MAX];
    return ::realpath(p.c_str(), buf) ? std::string(buf) : p;
}

// Character devices biosx writes straight to: /dev/null, and whatever
// stdout or stderr is (/dev/stdout, /dev/stderr, a terminal).
bool writable_device(const struct stat& st)
{
    struct stat o;
    if (::stat("/dev/null", &o) == 0 && o.st_rdev == st.st_rdev) return true;
    for (int fd : {STDOUT_FILENO, STDERR_FILENO})
        if (::fstat(fd, &o) == 0 && S_ISCHR(o.st_mode) && o.st_rdev == st.st_rdev) return true;
    return false;
}

}  // namespace

void read_at(int fd, std::span<uint8_t> buf, uint64_t offset, const std::string& what)
{
    size_t got = 0;
    while (got < buf.size()) {
        ssize_t r = ::pread(fd, buf.data() + got, buf.size() - got, static_cast<off_t>(offset + got));
        if (r <= 0)
            fail(ErrorKind::environment, what + ": reading at " + hex(offset + got, 5) + " failed: " +
                                             (r == 0 ? std::string("end of file") : std::strerror(errno)));
        got += static_cast<size_t>(r);
    }
}

int open_input(const std::string& path, const std::string& what)
{
    if (path.empty()) fail(ErrorKind::usage, what + ": the file name is empty");
    // O_NONBLOCK: opening a FIFO nobody writes to must not hang.
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        int e = errno;
        fail(kind_for(e), label(what, path) + ": cannot open: " + errno_text(e));
    }
    struct stat st{};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        mode_t m = st.st_mode;
        ::close(fd);
        fail(ErrorKind::usage, label(what, path) + ": " + file_type(m) + ", not a regular file");
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    remember_input(st, label(what, path));
    return fd;
}

std::vector<uint8_t> read_input(const std::string& path, const std::string& what, bool allow_stdin, size_t max)
{
    bool std_in = allow_stdin && path == "-";
    int fd = std_in ? STDIN_FILENO : open_input(path, what);
    std::vector<uint8_t> out;
    uint8_t buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int e = errno;
            if (!std_in) ::close(fd);
            fail(e == EISDIR ? ErrorKind::usage : ErrorKind::environment,
                 label(what, path) + ": cannot read: " + errno_text(e));
        }
        if (n == 0) break;
        if (out.size() + static_cast<size_t>(n) > max) {
            if (!std_in) ::close(fd);
            fail(ErrorKind::usage, label(what, path) + ": larger than " + std::to_string(max >> 20) + " MiB");
        }
        out.insert(out.end(), buf, buf + n);
    }
    if (!std_in) ::close(fd);
    return out;
}

std::vector<uint8_t> read_replaced_input(const std::string& path, const std::string& what, size_t max)
{
    struct stat st{};
    const bool was_input = ::stat(path.c_str(), &st) == 0 && known_input(st);
    auto bytes = read_input(path, what, false, max);
    if (!was_input && ::stat(path.c_str(), &st) == 0) {
        std::lock_guard lock(registry_lock());
        std::erase_if(inputs(), [&](const Known& k) { return k.dev == st.st_dev && k.ino == st.st_ino; });
    }
    return bytes;
}

void note_input_fd(int fd, const std::string& what)
{
    struct stat st;
    if (::fstat(fd, &st) == 0) remember_input(st, what);
}

void clear_inputs()
{
    std::lock_guard lock(registry_lock());
    inputs().clear();
    output_targets().clear();
}

OutputFile::OutputFile(std::string path, std::string what) : path_(std::move(path)), what_(std::move(what))
{
    const std::string w = what_ + " " + path_;
    if (path_.empty()) fail(ErrorKind::usage, what_ + ": the file name is empty");
    struct stat st{};
    bool exists = ::stat(path_.c_str(), &st) == 0;
    if (!exists && errno != ENOENT) {
        int e = errno;
        fail(kind_for(e), w + ": " + errno_text(e));
    }
    if (exists && S_ISCHR(st.st_mode) && writable_device(st)) {
        direct_ = true;
        f_ = std::fopen(path_.c_str(), "wb");
        if (!f_) {
            int e = errno;
            fail(kind_for(e), w + ": cannot open: " + errno_text(e));
        }
        return;
    }
    if (exists && !S_ISREG(st.st_mode))
        fail(ErrorKind::usage, w + ": " + file_type(st.st_mode) +
                                   "; biosx writes regular files (or /dev/null, /dev/stdout, /dev/stderr)");
    if (exists) {
        std::lock_guard lock(registry_lock());
        for (const auto& k : inputs())
            if (k.dev == st.st_dev && k.ino == st.st_ino)
                fail(ErrorKind::usage, w + ": this command reads that file (" + k.what + "); write elsewhere");
    }

    // The target by its real name: a symlink's file is replaced, not the link.
    std::string dir = dir_of(path_);
    if (exists) {
        target_ = real_path(path_);
        dir = dir_of(target_);
    } else {
        struct stat ds;
        if (::stat(dir.c_str(), &ds) != 0) {
            int e = errno;
            fail(kind_for(e), w + ": directory " + dir + ": " + errno_text(e));
        }
        if (!S_ISDIR(ds.st_mode)) fail(ErrorKind::usage, w + ": " + dir + " is not a directory");
        target_ = real_path(dir) + "/" + base_of(path_);
        dir = dir_of(target_);
    }
    {
        std::lock_guard lock(registry_lock());
        for (const auto& t : output_targets())
            if (t == target_) fail(ErrorKind::usage, w + ": another output of this command writes that file");
    }

    tmp_ = dir + "/." + base_of(target_) + ".biosx-XXXXXX";
    int fd = ::mkostemp(tmp_.data(), O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        tmp_.clear();
        // The directory exists (checked above): this is the machine saying no.
        fail(ErrorKind::environment, w + ": cannot create a file in " + dir + ": " + errno_text(e));
    }
    mode_t mode;
    if (exists) {
        mode = st.st_mode & 07777;
    } else {
        mode_t um = ::umask(0);
        ::umask(um);
        mode = 0666 & ~um;
    }
    ::fchmod(fd, mode);
    f_ = ::fdopen(fd, "wb");
    if (!f_) {
        int e = errno;
        ::close(fd);
        ::unlink(tmp_.c_str());
        tmp_.clear();
        fail(ErrorKind::environment, w + ": " + errno_text(e));
    }
    std::lock_guard lock(registry_lock());
    output_targets().push_back(target_);
}

OutputFile::~OutputFile()
{
    {
        std::lock_guard lock(registry_lock());
        std::erase(output_targets(), target_);
    }
    if (f_) std::fclose(f_);
    if (!committed_ && !tmp_.empty()) ::unlink(tmp_.c_str());
}

void OutputFile::write(std::span<const uint8_t> bytes)
{
    if (!bytes.empty()) std::fwrite(bytes.data(), 1, bytes.size(), f_);
}

void OutputFile::write(const std::string& text) { std::fwrite(text.data(), 1, text.size(), f_); }

void OutputFile::commit()
{
    const std::string w = what_ + " " + path_;
    bool ok = std::fflush(f_) == 0 && !std::ferror(f_);
    int e = errno;
    if (ok && !direct_ && ::fsync(fileno(f_)) != 0) {
        ok = false;
        e = errno;
    }
    if (std::fclose(f_) != 0 && ok) {
        ok = false;
        e = errno;
    }
    f_ = nullptr;
    if (!ok) fail(ErrorKind::environment, w + ": writing failed: " + errno_text(e) + " (the file was not changed)");
    if (direct_) {
        committed_ = true;
        return;
    }
    if (::rename(tmp_.c_str(), target_.c_str()) != 0) {
        e = errno;
        fail(ErrorKind::environment, w + ": cannot rename the finished file into place: " + errno_text(e));
    }
    committed_ = true;
}

}  // namespace biosx
