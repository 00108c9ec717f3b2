// files.h - the files a user names: inputs are read only when they are
// regular files (a FIFO would hang, a directory would crash a stream), and
// outputs are written to a temporary file in the target's directory and
// renamed into place only when complete, never over a file the same command
// reads. Userspace.
#pragma once

#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

namespace biosx {

// The most an input file biosx reads whole (--regs-file, --write @FILE,
// caps --from) may hold: 16 MiB, far above any real one.
inline constexpr size_t kMaxInputFile = size_t{16} << 20;

// Opens `path` for reading and checks it is a regular file; `what` names the
// option for messages ("--image"). Never blocks on a FIFO (O_NONBLOCK, then
// fstat). Remembers the file as an input of this command (see OutputFile).
// Throws Error(usage) for a missing file, a directory, FIFO, device or
// socket, Error(environment) for a permission or I/O error. Returns the fd.
int open_input(const std::string& path, const std::string& what);

// The whole of a regular file (open_input), at most `max` bytes; "-" reads
// stdin when `allow_stdin`. Empty values are refused by the caller's parser.
std::vector<uint8_t> read_input(const std::string& path, const std::string& what, bool allow_stdin = false,
                                size_t max = kMaxInputFile);

// read_input() for a file the command reads and then replaces on purpose
// (--state): the file is not remembered as an input, so an OutputFile may
// name it -- unless it already was one by other means (the image itself).
std::vector<uint8_t> read_replaced_input(const std::string& path, const std::string& what, size_t max);

// Reads all of `buf` from `fd` at `offset`; throws Error(environment)
// naming `what` and the offset on an I/O error or an early end of file.
void read_at(int fd, std::span<uint8_t> buf, uint64_t offset, const std::string& what);

// Records an input the command opened by other means (the bundled image).
void note_input_fd(int fd, const std::string& what);
// Forgets every recorded input (tests, fuzz targets).
void clear_inputs();

// A file biosx writes. The constructor checks the target (not empty, not a
// directory, FIFO or other special file, not an input of this command by
// inode, its directory exists and is writable) and creates a temporary file
// beside it; commit() renames it into place. Destroyed without commit() the
// temporary file is removed: a refused or failed command leaves nothing.
// Character devices that are stdout, stderr or /dev/null are written
// directly. Two outputs of one command may not name the same file. Throws
// Error(usage) for a bad path, Error(environment) for permissions and I/O.
class OutputFile {
public:
    OutputFile(std::string path, std::string what);
    ~OutputFile();
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;

    FILE* stream() { return f_; }
    void write(std::span<const uint8_t> bytes);
    void write(const std::string& text);
    // Flushes, syncs and renames the temporary file over the target.
    void commit();
    const std::string& path() const { return path_; }

private:
    std::string path_, what_, target_, tmp_;
    FILE* f_ = nullptr;
    bool direct_ = false, committed_ = false;
};

}  // namespace biosx
