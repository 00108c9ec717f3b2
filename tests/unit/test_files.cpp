// test_files.cpp - inputs are regular files (no FIFO hangs, no directory
// crashes), outputs are replaced atomically and never over an input
// (issue 11). Userspace tests.
#include <doctest/doctest.h>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/files.h"
#include "test_errors.h"

using namespace biosx;
using biosx::test::error_of;

namespace {

struct TempDir {
    std::string path;
    TempDir()
    {
        char t[] = "/tmp/biosx-files-XXXXXX";
        path = ::mkdtemp(t);
        clear_inputs();
    }
    ~TempDir()
    {
        clear_inputs();
        std::string cmd = "rm -rf '" + path + "'";
        (void)std::system(cmd.c_str());
    }
    std::string operator/(const std::string& n) const { return path + "/" + n; }
};

std::string slurp(const std::string& p)
{
    std::ifstream f(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), {}};
}

}  // namespace

TEST_CASE("inputs: a FIFO, a directory, a device or nothing is refused without blocking")
{
    TempDir d;
    REQUIRE(::mkfifo((d / "fifo").c_str(), 0600) == 0);
    auto fifo = error_of([&] { read_input(d / "fifo", "--regs-file"); });
    CHECK(fifo.first == ErrorKind::usage);
    CHECK(fifo.second == "--regs-file " + (d / "fifo") + ": a FIFO, not a regular file");
    auto dir = error_of([&] { read_input(d.path, "--write 0000:7e00=@"); });
    CHECK(dir.second == "--write 0000:7e00=@" + d.path + ": a directory, not a regular file");
    CHECK(error_of([&] { read_input("/dev/zero", "--from"); }).second == "--from /dev/zero: a character device, not a regular file");
    CHECK(error_of([&] { read_input(d / "missing", "--from"); }).first == ErrorKind::usage);
    CHECK(error_of([&] { read_input("", "--from"); }).second == "--from: the file name is empty");
    std::ofstream(d / "ok") << "{}";
    CHECK(read_input(d / "ok", "--from").size() == 2);
}

TEST_CASE("outputs: written beside the target and renamed in place only on commit")
{
    TempDir d;
    std::ofstream(d / "old") << "previous";
    {
        OutputFile f(d / "old", "--read-to");
        f.write(std::string("new"));
        CHECK(slurp(d / "old") == "previous");  // not replaced until commit
    }
    CHECK(slurp(d / "old") == "previous");  // no commit: unchanged, no temp left
    {
        OutputFile f(d / "old", "--read-to");
        f.write(std::string("new"));
        f.commit();
    }
    CHECK(slurp(d / "old") == "new");
    CHECK(std::system(("test $(ls -A '" + d.path + "' | wc -l) -eq 1").c_str()) == 0);
}

TEST_CASE("outputs: never a file this command reads, never a directory or FIFO")
{
    TempDir d;
    std::ofstream(d / "img") << std::string(100, 'x');
    ::link((d / "img").c_str(), (d / "hardlink").c_str());
    ::symlink((d / "img").c_str(), (d / "symlink").c_str());
    ::close(open_input(d / "img", "--image"));
    for (const char* n : {"img", "hardlink", "symlink"}) {
        auto e = error_of([&] { OutputFile f(d / n, "--save"); });
        CHECK(e.first == ErrorKind::usage);
        CHECK(e.second == "--save " + (d / n) + ": this command reads that file (--image " + (d / "img") +
                              "); write elsewhere");
    }
    CHECK(slurp(d / "img") == std::string(100, 'x'));
    CHECK(error_of([&] { OutputFile f(d.path, "--save"); }).second.find("a directory") != std::string::npos);
    ::mkfifo((d / "fifo").c_str(), 0600);
    CHECK(error_of([&] { OutputFile f(d / "fifo", "--trace-file"); }).second.find("a FIFO") != std::string::npos);
    CHECK(error_of([&] { OutputFile f(d / "no/such/dir", "--read-to"); }).first == ErrorKind::usage);
    CHECK(error_of([&] { OutputFile f("", "--save"); }).second == "--save: the file name is empty");
    OutputFile a(d / "out", "--read-to");
    CHECK(error_of([&] { OutputFile b(d / "out", "--trace-file"); }).second.find("another output") != std::string::npos);
    OutputFile null("/dev/null", "--trace-file");
    null.write(std::string("x"));
    null.commit();
}

TEST_CASE("outputs: an unwritable directory is an environment error for every output alike")
{
    if (::geteuid() == 0) {
        MESSAGE("SKIP: running as root: permissions do not stop root");
        return;
    }
    TempDir d;
    ::mkdir((d / "ro").c_str(), 0500);
    CHECK(error_of([&] { OutputFile f(d / "ro/x", "--read-to"); }).first == ErrorKind::environment);
    CHECK(error_of([&] { OutputFile f(d / "ro/x", "--trace-file"); }).first == ErrorKind::environment);
}
