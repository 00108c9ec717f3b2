// session.cpp - a libbiosx session. Userspace.
#include "lib/session.h"

#include "core/error.h"
#include "core/files.h"
#include "core/format.h"
#include "core/run/io_policy.h"
#include "lib/state_file.h"

namespace biosx::lib {

namespace {

Machine open(const SessionOptions& opt)
{
    MachineOptions so;
    so.image = opt.image;
    so.backend = opt.backend;
    so.bundled_fallback = opt.bundled_fallback;
    return open_machine(so);
}

}  // namespace

Session::Session(const SessionOptions& opt) : machine_(open(opt))
{
    if (!machine_.note.empty()) notes_ = machine_.note + "\n";
    if (machine_.mem->kind() == MemoryKind::image) image_id_ = image_id(*machine_.mem);
    if (over_host() && opt.host_sync) sync_ = std::make_unique<HostSync>();
}

CallOutcome Session::call(CallSpec& spec)
{
    // Over an image the backend makes every port virtual (IoPolicy::over);
    // over the host the session's allowed ports join the call's.
    IoPolicy& io = spec.req.io;
    if (io.virtual_io) {
        io.pass_io = false;
        io.allow.clear();
    } else if (over_host()) {
        io.allow.insert(io.allow.end(), allowed_.begin(), allowed_.end());
    }
    if (sync_) sync_->before(*machine_.mem);
    CallOutcome out = run_call(*machine_.backend, *machine_.mem, spec);
    if (sync_)
        if (auto note = sync_->after(*machine_.mem); !note.empty()) notes_ += note + "\n";
    return out;
}

uint32_t Session::alloc(size_t len)
{
    if (len == 0) fail(ErrorKind::usage, "a buffer of 0 bytes");
    if (!arena_) arena_.emplace(arena_bounds(*machine_.mem));
    auto at = arena_->alloc(len);
    if (!at)
        fail(ErrorKind::environment, "no free block of " + std::to_string(len) + " bytes in the buffer arena " +
                                         hex(arena_->bounds().begin, 5) + "-" + hex(arena_->bounds().end, 5));
    return *at;
}

void Session::free(uint32_t linear)
{
    if (!arena_ || !arena_->free(linear))
        fail(ErrorKind::usage, "free: " + hex(linear, 5) + " is not a buffer this session allocated");
}

void Session::allow_ports(PortRange r)
{
    if (r.last < r.first)
        fail(ErrorKind::usage, "allowed ports " + hex(r.first, 4) + "-" + hex(r.last, 4) + ": the last is below the first");
    const PortMap& map = *host_port_map();
    for (uint32_t p = r.first; p <= r.last; ++p)
        if (auto why = floor_reason(map, static_cast<uint16_t>(p)); !why.empty())
            fail(ErrorKind::usage, "port " + hex(p, 4) + " is on the hard floor (" + why + "); nothing opens it");
    allowed_.push_back(r);
}

void Session::require_image(const std::string& what) const
{
    if (over_host())
        fail(ErrorKind::usage, what + ": a state file carries an image's RAM; over the host the BIOS state is "
                                      "the machine's own (use --image FILE)");
}

void Session::load_state(const std::string& path, const std::string& what)
{
    require_image(what);
    auto bytes = read_replaced_input(path, what, kMaxInputFile);
    decode_state(bytes, *machine_.mem, image_id_, what + " " + path);
}

std::vector<uint8_t> Session::state_bytes(const std::string& what)
{
    require_image(what);
    return encode_state(*machine_.mem, image_id_);
}

std::string Session::take_notes()
{
    std::string n;
    n.swap(notes_);
    if (!n.empty() && n.back() == '\n') n.pop_back();
    return n;
}

}  // namespace biosx::lib
