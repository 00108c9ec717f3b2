// capi.cpp - the C API of libbiosx (include/biosx/biosx.h): each function
// turns its arguments into the C++ session's terms, calls it, and turns
// exceptions into a status and a message. Nothing else lives here.
// Userspace.
#include "biosx/biosx.h"

#include <cmath>
#include <cstring>
#include <new>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/files.h"
#include "core/format.h"
#include "core/run/start_state.h"
#include "lib/session.h"

using namespace biosx;

struct biosx_session {
    std::unique_ptr<lib::Session> s;
    std::string strategy = "auto";
    std::string error, backend, source, notes, json;
    bool has_last = false;
    CallSpec last_spec;
    CallOutcome last;
};

namespace {

thread_local std::string t_last_error;

// Runs `f`; an exception becomes the status of its kind and the message of
// the session (when there is one) and of the thread.
template <class F>
int guard(biosx_session* s, F&& f)
{
    int rc = BIOSX_OK;
    std::string msg;
    try {
        rc = f();
    } catch (const Error& e) {
        rc = static_cast<int>(exit_code_for(e.kind()));
        msg = e.what();
    } catch (const std::bad_alloc&) {
        rc = BIOSX_ERR_ENVIRONMENT;
        msg = "out of memory";
    } catch (const std::exception& e) {
        rc = BIOSX_ERR_INTERNAL;
        msg = std::string("internal error (a bug in libbiosx): ") + e.what();
    }
    if (rc == BIOSX_OK) {
        if (s) s->error.clear();
        return rc;
    }
    if (!msg.empty()) {
        t_last_error = msg;
        if (s) s->error = msg;
    }
    return rc;
}

[[noreturn]] void bad(const std::string& msg) { fail(ErrorKind::usage, msg); }

Registers from_c(const biosx_registers& c)
{
    Registers r;
    const uint32_t v[kRegCount] = {c.eax, c.ebx, c.ecx, c.edx, c.esi, c.edi, c.ebp, c.esp,
                                   c.eip, c.eflags, c.cs, c.ds, c.es, c.fs, c.gs, c.ss};
    std::memcpy(r.v, v, sizeof v);
    return r;
}

biosx_registers to_c(const Registers& r)
{
    return {r[Reg::eax], r[Reg::ebx], r[Reg::ecx], r[Reg::edx], r[Reg::esi], r[Reg::edi], r[Reg::ebp],
            r[Reg::esp], r[Reg::eip], r[Reg::eflags], static_cast<uint16_t>(r[Reg::cs]),
            static_cast<uint16_t>(r[Reg::ds]), static_cast<uint16_t>(r[Reg::es]), static_cast<uint16_t>(r[Reg::fs]),
            static_cast<uint16_t>(r[Reg::gs]), static_cast<uint16_t>(r[Reg::ss])};
}

void check_range(biosx_session* s, uint32_t linear, size_t len, const char* what)
{
    const size_t size = s->s->memory().size();
    if (linear > size || len > size - linear)
        bad(std::string(what) + ": " + std::to_string(len) + " bytes at " + hex(linear, 5) +
            " lie outside the session's memory (" + std::to_string(size) + " bytes)");
}

CallSpec spec_from(const biosx_session* s, const biosx_request* q)
{
    if (!q || q->size < offsetof(biosx_request, regs) + sizeof q->regs)
        bad("biosx_run: the request's size is not set (use biosx_request_init)");
    CallSpec spec;
    RunRequest& req = spec.req;
    if (q->kind == BIOSX_CALL_INT) {
        if (q->vector > 0xff) bad("biosx_run: vector " + std::to_string(q->vector) + " is not 0..255");
        req.entry.kind = Entry::Kind::interrupt;
        req.entry.vector = static_cast<uint8_t>(q->vector);
    } else if (q->kind == BIOSX_CALL_FAR) {
        req.entry.kind = Entry::Kind::far_call;
        req.entry.seg = q->seg;
        req.entry.off = q->off;
    } else {
        bad("biosx_run: kind " + std::to_string(q->kind) + " is neither BIOSX_CALL_INT nor BIOSX_CALL_FAR");
    }
    constexpr uint32_t known = BIOSX_REQ_LOG_IO | BIOSX_REQ_VIRTUAL_IO | BIOSX_REQ_PASS_IO;
    if (q->flags & ~known) bad("biosx_run: unknown request flags " + hex(q->flags & ~known));
    if ((q->flags & BIOSX_REQ_VIRTUAL_IO) && (q->flags & BIOSX_REQ_PASS_IO))
        bad("biosx_run: BIOSX_REQ_VIRTUAL_IO and BIOSX_REQ_PASS_IO exclude each other");
    if (q->timeout_ms > kMaxTimeoutS * 1000)
        bad("biosx_run: timeout " + std::to_string(q->timeout_ms) + " ms is outside 1..60000");
    if (q->timeout_ms) req.limits.timeout_s = q->timeout_ms / 1000.0;
    if (q->max_instructions > kMaxInstructionsLimit)
        bad("biosx_run: max_instructions " + std::to_string(q->max_instructions) + " is outside 1..10^12");
    if (q->max_instructions) req.limits.max_instructions = q->max_instructions;
    req.regs = from_c(q->regs);
    req.log_io = q->flags & BIOSX_REQ_LOG_IO;
    req.io.virtual_io = q->flags & BIOSX_REQ_VIRTUAL_IO;
    req.io.pass_io = q->flags & BIOSX_REQ_PASS_IO;
    req.strategy = s->strategy;
    return spec;
}

uint32_t end_code(EndKind k)
{
    switch (k) {
    case EndKind::return_trap: return BIOSX_ENDED_RETURN_TRAP;
    case EndKind::timeout: return BIOSX_ENDED_TIMEOUT;
    case EndKind::instruction_limit: return BIOSX_ENDED_INSTRUCTION_LIMIT;
    case EndKind::halt: return BIOSX_ENDED_HALT;
    case EndKind::exception: return BIOSX_ENDED_EXCEPTION;
    case EndKind::triple_fault: return BIOSX_ENDED_TRIPLE_FAULT;
    case EndKind::ept_violation: return BIOSX_ENDED_EPT_VIOLATION;
    case EndKind::entry_failure: return BIOSX_ENDED_ENTRY_FAILURE;
    case EndKind::bad_memory: return BIOSX_ENDED_BAD_MEMORY;
    case EndKind::machine_check: return BIOSX_ENDED_MACHINE_CHECK;
    case EndKind::interrupted: return BIOSX_ENDED_INTERRUPTED;
    case EndKind::other: return BIOSX_ENDED_OTHER;
    }
    return BIOSX_ENDED_OTHER;
}

void fill_result(const RunResult& res, biosx_result* r)
{
    // Only what the caller's structure holds: an older caller's is shorter.
    biosx_result full{};
    full.size = r->size;
    full.end = end_code(res.end.kind);
    full.regs = to_c(res.regs);
    full.instructions = res.instructions;
    full.exits = res.exits;
    full.elapsed_ns = static_cast<uint64_t>(std::llround(res.elapsed_s * 1e9));
    full.exception_vector = res.end.vector;
    full.io_logged = static_cast<uint32_t>(res.io.size());
    full.io_count = res.io_count;
    full.error_code = res.end.error_code;
    full.address = res.end.address;
    full.msr_count = res.msr_count;
    std::memcpy(r, &full, std::min<size_t>(r->size, sizeof full));
}

const std::string_view kEndNames[] = {"return_trap", "timeout", "instruction_limit", "halt",
                                      "exception", "triple_fault", "ept_violation", "entry_failure",
                                      "bad_memory", "machine_check", "interrupted", "other"};

}  // namespace

namespace {

// biosx_int() and biosx_far_call(): `q` with `regs` in, `regs` out
// whenever the routine ran.
int run_in_out(biosx_session* s, biosx_request& q, biosx_registers* regs)
{
    q.regs = *regs;
    biosx_result r{};
    r.size = sizeof r;
    int rc = biosx_run(s, &q, &r);
    if (rc == BIOSX_OK || rc == BIOSX_ERR_INCOMPLETE) *regs = r.regs;
    return rc;
}

}  // namespace

extern "C" {

void biosx_open_options_init(biosx_open_options* o)
{
    *o = {};
    o->size = sizeof *o;
}

int biosx_session_open(biosx_session** sp, const biosx_open_options* opts)
{
    if (sp) *sp = nullptr;
    return guard(nullptr, [&] {
        if (!sp) bad("biosx_session_open: no place for the session (sp is NULL)");
        lib::SessionOptions so;
        auto s = std::make_unique<biosx_session>();
        if (opts) {
            if (opts->size < offsetof(biosx_open_options, image) + sizeof opts->image)
                bad("biosx_session_open: the options' size is not set (use biosx_open_options_init)");
            switch (opts->backend) {
            case BIOSX_BACKEND_AUTO: so.backend = "auto"; break;
            case BIOSX_BACKEND_EMU: so.backend = "emu"; break;
            case BIOSX_BACKEND_VMX: so.backend = "vmx"; break;
            case BIOSX_BACKEND_KVM: so.backend = "kvm"; break;
            default: bad("biosx_session_open: backend " + std::to_string(opts->backend) + " is unknown");
            }
            switch (opts->strategy) {
            case BIOSX_VMX_AUTO: s->strategy = "auto"; break;
            case BIOSX_VMX_UNRESTRICTED: s->strategy = "unrestricted"; break;
            case BIOSX_VMX_VM86: s->strategy = "vm86"; break;
            default: bad("biosx_session_open: strategy " + std::to_string(opts->strategy) + " is unknown");
            }
            constexpr uint32_t known = BIOSX_OPEN_BUNDLED_FALLBACK | BIOSX_OPEN_NO_HOST_SYNC;
            if (opts->flags & ~known) bad("biosx_session_open: unknown flags " + hex(opts->flags & ~known));
            so.bundled_fallback = opts->flags & BIOSX_OPEN_BUNDLED_FALLBACK;
            so.host_sync = !(opts->flags & BIOSX_OPEN_NO_HOST_SYNC);
            if (opts->image) {
                so.image = opts->image;
                if (so.image.empty()) bad("biosx_session_open: the image's file name is empty (NULL means the host)");
            }
        }
        s->s = std::make_unique<lib::Session>(so);
        s->backend = s->s->backend().name();
        s->source = s->s->memory().describe();
        *sp = s.release();
        return BIOSX_OK;
    });
}

void biosx_session_close(biosx_session* s) { delete s; }

const char* biosx_session_error(const biosx_session* s) { return s ? s->error.c_str() : ""; }

const char* biosx_last_error(void) { return t_last_error.c_str(); }

const char* biosx_session_backend(const biosx_session* s) { return s->backend.c_str(); }

const char* biosx_session_source(const biosx_session* s) { return s->source.c_str(); }

const char* biosx_session_note(biosx_session* s)
{
    s->notes = s->s->take_notes();
    return s->notes.c_str();
}

uint8_t* biosx_memory(biosx_session* s, size_t* size)
{
    auto m = s->s->memory().bytes();
    if (size) *size = m.size();
    return m.data();
}

int biosx_read(biosx_session* s, uint32_t linear, void* buf, size_t len)
{
    return guard(s, [&] {
        check_range(s, linear, len, "biosx_read");
        if (len) std::memcpy(buf, s->s->memory().bytes().data() + linear, len);
        return BIOSX_OK;
    });
}

int biosx_write(biosx_session* s, uint32_t linear, const void* buf, size_t len)
{
    return guard(s, [&] {
        check_range(s, linear, len, "biosx_write");
        if (len) std::memcpy(s->s->memory().bytes().data() + linear, buf, len);
        return BIOSX_OK;
    });
}

int biosx_alloc(biosx_session* s, size_t len, uint16_t* seg, uint16_t* off)
{
    return guard(s, [&] {
        uint32_t at = s->s->alloc(len);
        *seg = static_cast<uint16_t>(at >> 4);
        *off = 0;
        return BIOSX_OK;
    });
}

int biosx_free(biosx_session* s, uint16_t seg, uint16_t off)
{
    return guard(s, [&] {
        s->s->free((uint32_t{seg} << 4) + off);
        return BIOSX_OK;
    });
}

void biosx_registers_init(biosx_registers* r) { *r = to_c(default_registers()); }

void biosx_request_init(biosx_request* q, uint8_t vector)
{
    *q = {};
    q->size = sizeof *q;
    q->kind = BIOSX_CALL_INT;
    q->vector = vector;
    biosx_registers_init(&q->regs);
}

const char* biosx_end_name(uint32_t end)
{
    return end < std::size(kEndNames) ? kEndNames[end].data() : "unknown";
}

int biosx_run(biosx_session* s, const biosx_request* q, biosx_result* r)
{
    return guard(s, [&] {
        if (r && r->size < offsetof(biosx_result, regs) + sizeof r->regs)
            bad("biosx_run: the result's size is not set (sizeof(struct biosx_result))");
        CallSpec spec = spec_from(s, q);
        s->has_last = false;
        s->json.clear();
        s->last = s->s->call(spec);
        s->last_spec = std::move(spec);
        s->has_last = true;
        if (r) fill_result(s->last.result, r);
        const RunEnd& end = s->last.result.end;
        if (end.kind != EndKind::return_trap) fail(ErrorKind::incomplete, "the routine did not complete: " + end.message);
        return BIOSX_OK;
    });
}

int biosx_int(biosx_session* s, uint8_t vector, biosx_registers* regs)
{
    biosx_request q;
    biosx_request_init(&q, vector);
    return run_in_out(s, q, regs);
}

int biosx_far_call(biosx_session* s, uint16_t seg, uint16_t off, biosx_registers* regs)
{
    biosx_request q;
    biosx_request_init(&q, 0);
    q.kind = BIOSX_CALL_FAR;
    q.seg = seg;
    q.off = off;
    return run_in_out(s, q, regs);
}

int biosx_allow_ports(biosx_session* s, uint16_t first, uint16_t last)
{
    return guard(s, [&] {
        s->s->allow_ports({first, last});
        return BIOSX_OK;
    });
}

int biosx_io_log(biosx_session* s, size_t index, biosx_io_access* a)
{
    return guard(s, [&] {
        if (!s->has_last || index >= s->last.result.io.size())
            bad("biosx_io_log: access " + std::to_string(index) + " is past the last call's log (" +
                std::to_string(s->has_last ? s->last.result.io.size() : 0) + " accesses)");
        const IoAccess& x = s->last.result.io[index];
        a->port = x.port;
        a->size = x.size;
        a->write = x.write;
        a->value = x.value;
        switch (x.disposition) {
        case IoDisposition::virtual_: a->disposition = BIOSX_ACCESS_VIRTUAL; break;
        case IoDisposition::passed: a->disposition = BIOSX_ACCESS_PASSED; break;
        case IoDisposition::denied: a->disposition = BIOSX_ACCESS_DENIED; break;
        case IoDisposition::mediated: a->disposition = BIOSX_ACCESS_MEDIATED; break;
        case IoDisposition::snapshot: a->disposition = BIOSX_ACCESS_SNAPSHOT; break;
        }
        return BIOSX_OK;
    });
}

const char* biosx_result_json(biosx_session* s)
{
    if (s->has_last && s->json.empty())
        s->json = call_to_json(s->last_spec, s->last).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return s->json.c_str();
}

int biosx_state_load(biosx_session* s, const char* path)
{
    return guard(s, [&] {
        if (!path) bad("biosx_state_load: no file name");
        s->s->load_state(path, "state file");
        return BIOSX_OK;
    });
}

int biosx_state_save(biosx_session* s, const char* path)
{
    return guard(s, [&] {
        if (!path) bad("biosx_state_save: no file name");
        auto bytes = s->s->state_bytes("state file");
        OutputFile out(path, "state file");
        out.write(bytes);
        out.commit();
        return BIOSX_OK;
    });
}

}  // extern "C"
