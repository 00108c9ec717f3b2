// v86d_main.cpp - biosx-v86d, uvesafb's userspace helper over libbiosx: the
// kernel starts it (call_usermodehelper, the `v86d` module parameter) when
// its first task finds no listener on the connector group CN_IDX_V86D; it
// binds that group, detaches once its session is open (the kernel waits for
// the started program to exit), and answers each task until TF_EXIT. The
// protocol and the calls are in uvesafb_protocol.cpp and v86d_task.cpp;
// this file is options, the socket, the log. Userspace, root.
#include <CLI/CLI.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <linux/netlink.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

#include "compat/v86d/uvesafb_protocol.h"
#include "compat/v86d/v86d_log.h"
#include "compat/v86d/v86d_task.h"

namespace {

using namespace biosx::v86d;

// The exit codes of biosx (docs/exit-codes.md) that apply here.
constexpr int kExitUsage = 2;
constexpr int kExitEnvironment = 3;

struct Options {
    std::string backend = "auto";
    std::string strategy = "auto";
    std::string image;
    std::string log;
    bool foreground = false;
};

// Started by the kernel, the helper has no stdin, stdout or stderr: the
// first files it opens would become fds 0-2, and a message meant for
// stderr could land in /dev/mem. Fill them with /dev/null first.
void hold_standard_fds()
{
    for (;;) {
        int fd = ::open("/dev/null", O_RDWR);
        if (fd < 0 || fd > 2) {
            if (fd > 2)
                ::close(fd);
            return;
        }
    }
}

int open_connector(Log& log)
{
    int s = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);
    if (s < 0) {
        log.error(std::string("netlink connector socket: ") + std::strerror(errno));
        return -1;
    }
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    local.nl_groups = 1u << (CN_IDX_V86D - 1); // the multicast group uvesafb sends to
    if (bind(s, reinterpret_cast<sockaddr*>(&local), sizeof(local)) < 0) {
        log.error(std::string("binding the connector group CN_IDX_V86D: ") + std::strerror(errno) +
                  (errno == EPERM ? " (run as root)" : ""));
        ::close(s);
        return -1;
    }
    return s;
}

// Opens the session the tasks run in; @status receives biosx_session_open()'s
// status (2: bad options or image, 3: backend or memory unavailable), the
// helper's exit code when it fails.
biosx_session* open_session(const Options& o, Log& log, int& status)
{
    biosx_open_options opts;
    biosx_open_options_init(&opts);
    opts.backend = o.backend == "vmx"   ? BIOSX_BACKEND_VMX
                   : o.backend == "emu" ? BIOSX_BACKEND_EMU
                   : o.backend == "kvm" ? BIOSX_BACKEND_KVM
                                        : BIOSX_BACKEND_AUTO;
    opts.strategy = o.strategy == "unrestricted" ? BIOSX_VMX_UNRESTRICTED
                    : o.strategy == "vm86"       ? BIOSX_VMX_VM86
                                                 : BIOSX_VMX_AUTO;
    if (!o.image.empty())
        opts.image = o.image.c_str();
    biosx_session* s = nullptr;
    if ((status = biosx_session_open(&s, &opts)) != BIOSX_OK) {
        log.error(std::string("cannot open a biosx session: ") + biosx_last_error());
        return nullptr;
    }
    std::string note = biosx_session_note(s);
    if (!note.empty())
        log.error(note);
    if (log.enabled())
        log.info(std::string("session open: backend ") + biosx_session_backend(s) + ", memory " +
                 biosx_session_source(s));
    return s;
}

// Leaves the foreground: the parent exits (with the status the child sends
// through a pipe once its session is open or has failed), the child carries
// on in a session of its own. Returns the pipe's write end in the child.
int detach()
{
    int p[2];
    if (pipe(p) < 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid > 0) {
        ::close(p[1]);
        unsigned char status = kExitEnvironment;
        ssize_t n;
        while ((n = ::read(p[0], &status, 1)) < 0 && errno == EINTR) {
        }
        _exit(n == 1 ? status : kExitEnvironment);
    }
    ::close(p[0]);
    setsid();
    return p[1];
}

void report_ready(int fd, unsigned char status)
{
    if (fd < 0)
        return;
    if (::write(fd, &status, 1) < 0) {
        // The parent is gone: nobody to tell.
    }
    ::close(fd);
}

int serve(int sock, biosx_session* session, Log& log)
{
    // The largest message the connector carries, with its netlink header.
    std::vector<uint8_t> in(NLMSG_SPACE(CONNECTOR_MAX_MSG_SIZE));
    uint32_t nl_seq = 0;
    for (;;) {
        sockaddr_nl from{};
        iovec iov{in.data(), in.size()};
        msghdr mh{};
        mh.msg_name = &from;
        mh.msg_namelen = sizeof(from);
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        ssize_t n = recvmsg(sock, &mh, 0);
        if (n < 0) {
            if (errno == EINTR || errno == ENOBUFS)
                continue;
            log.error(std::string("receiving from the connector: ") + std::strerror(errno));
            return kExitEnvironment;
        }
        // Only the kernel (port 0) speaks for uvesafb.
        if (from.nl_pid != 0)
            continue;
        if (mh.msg_flags & MSG_TRUNC) {
            log.error("a message longer than the connector allows was cut short: ignored");
            continue;
        }
        Request r;
        std::string why;
        if (!parse_request({in.data(), static_cast<size_t>(n)}, r, why)) {
            log.error("message refused: " + why);
            continue;
        }
        if (r.task.flags & TF_EXIT) {
            if (log.enabled())
                log.info("TF_EXIT: uvesafb is going away");
            return 0;
        }
        TaskOutcome o = run_task(session, r);
        if (log.enabled())
            log.info(task_log_line(r, o));
        else if (o.status != BIOSX_OK)
            log.error(task_log_line(r, o));
        std::vector<uint8_t> reply = build_reply(r, 0, nl_seq++);
        sockaddr_nl kernel{};
        kernel.nl_family = AF_NETLINK;
        if (sendto(sock, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof(kernel)) < 0)
            log.error(std::string("sending the reply of task ") + std::to_string(r.header.seq) + ": " +
                      std::strerror(errno));
    }
}

}  // namespace

int main(int argc, char** argv)
{
    hold_standard_fds();
    Options o;
    CLI::App app{"biosx-v86d: uvesafb's v86d helper, running each VBE call in a biosx session.\n"
                 "uvesafb starts it itself: modprobe uvesafb v86d=/usr/sbin/biosx-v86d mode_option=640x480-8",
                 "biosx-v86d"};
    app.add_option("--backend", o.backend, "Execution backend: auto (libbiosx's choice: vmx where /dev/biosx is usable), vmx, emu, kvm")
        ->check(CLI::IsMember({"auto", "vmx", "emu", "kvm"}));
    app.add_option("--strategy", o.strategy, "vmx guest strategy: auto, unrestricted, vm86")
        ->check(CLI::IsMember({"auto", "unrestricted", "vm86"}));
    app.add_option("--image", o.image, "Run over a real-mode snapshot FILE instead of the host (tests)")
        ->type_name("FILE");
    app.add_option("--log", o.log,
                   "Log every task with its registers: stderr, syslog, kmsg (the kernel log, rate-limited) or "
                   "an absolute FILE path (appended)")
        ->type_name("DEST")
        ->check([](const std::string& v) {
            return v == "stderr" || v == "syslog" || v == "kmsg" || (!v.empty() && v[0] == '/')
                       ? std::string()
                       : "'" + v + "' is not stderr, syslog, kmsg or an absolute path";
        });
    app.add_flag("--foreground", o.foreground, "Stay in the foreground (do not detach)");
    app.set_version_flag("--version", std::string("biosx-v86d ") + BIOSX_VERSION);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0)
            return app.exit(e); // --help, --version
        std::fprintf(stderr, "biosx-v86d: %s\n", e.what());
        return kExitUsage;
    }
    Log log;
    log.open(o.log);
    if (!log.usable()) {
        std::fprintf(stderr, "biosx-v86d: --log %s: %s\n", o.log.c_str(), std::strerror(errno));
        return kExitEnvironment;
    }

    int sock = open_connector(log);
    if (sock < 0)
        return kExitEnvironment;
    // The socket is bound before the parent exits: the kernel sends its
    // task again as soon as the program it started has exited, and the
    // message waits in this socket while the session opens.
    int ready = -1;
    if (!o.foreground && (ready = detach()) < 0) {
        log.error(std::string("cannot detach: ") + std::strerror(errno));
        return kExitEnvironment;
    }
    int status = BIOSX_OK;
    biosx_session* session = open_session(o, log, status);
    if (!session) {
        report_ready(ready, static_cast<unsigned char>(status));
        return status;
    }
    report_ready(ready, 0);
    // Holds no mount point from now on (a relative --image is open by now).
    if (ready >= 0 && chdir("/") < 0)
        log.error(std::string("chdir /: ") + std::strerror(errno));
    int rc = serve(sock, session, log);
    biosx_session_close(session);
    ::close(sock);
    return rc;
}
