// v86d_task.cpp - one uvesafb task in a libbiosx session (v86d_task.h).
// Userspace.
#include "compat/v86d/v86d_task.h"

#include <algorithm>
#include <cstdio>

namespace biosx::v86d {

namespace {

// The buffer given to the BIOS is never smaller than this: a VBE routine
// writes its whole structure (512 bytes for 4F00h, 256 for 4F01h) whatever
// the caller's buffer, and what it writes past the task's bytes must land
// in memory the buffer owns.
constexpr size_t kMinBuffer = 1024;

// EFLAGS bits taken from the task: the status flags and DF. IF, TF, IOPL
// and the rest are the backend's to decide; bit 1 is always set.
constexpr uint32_t kTaskFlagsMask = 0x0cd5;

biosx_registers registers_in(const v86_regs& t)
{
    biosx_registers r;
    biosx_registers_init(&r); // the default stack, SS:SP 0000:7C00
    r.eax = t.eax;
    r.ebx = t.ebx;
    r.ecx = t.ecx;
    r.edx = t.edx;
    r.esi = t.esi;
    r.edi = t.edi;
    r.ebp = t.ebp;
    r.eflags = (t.eflags & kTaskFlagsMask) | 0x2;
    r.ds = t.ds;
    r.es = t.es;
    r.fs = t.fs;
    r.gs = t.gs;
    return r;
}

void registers_out(const biosx_registers& r, v86_regs& t)
{
    t.eax = r.eax;
    t.ebx = r.ebx;
    t.ecx = r.ecx;
    t.edx = r.edx;
    t.esi = r.esi;
    t.edi = r.edi;
    t.ebp = r.ebp;
    t.esp = r.esp;
    t.eip = r.eip;
    t.eflags = r.eflags;
    t.cs = r.cs;
    t.ss = r.ss;
    t.ds = r.ds;
    t.es = r.es;
    t.fs = r.fs;
    t.gs = r.gs;
}

bool wants_buffer(const Request& r)
{
    return r.task.buf_len > 0 || (r.task.flags & (TF_VBEIB | TF_BUF_ESDI | TF_BUF_ESBX));
}

// Places the task's buffer at a fresh SEG:0000 (zeroed past the task's
// bytes) and points ES:DI or ES:BX at it.
int place_buffer(biosx_session* s, const Request& r, TaskOutcome& o, size_t size)
{
    uint16_t seg = 0, off = 0;
    int st = biosx_alloc(s, size, &seg, &off);
    if (st != BIOSX_OK)
        return st;
    std::vector<uint8_t> bytes(size, 0);
    std::copy(r.buffer.begin(), r.buffer.end(), bytes.begin());
    if ((st = biosx_write(s, (uint32_t{seg} << 4) + off, bytes.data(), bytes.size())) != BIOSX_OK) {
        biosx_free(s, seg, off);
        return st;
    }
    o.buffer_segment = seg;
    if (r.task.flags & (TF_VBEIB | TF_BUF_ESDI)) {
        o.in.es = seg;
        o.in.edi = off;
    }
    if (r.task.flags & TF_BUF_ESBX) {
        o.in.es = seg;
        o.in.ebx = off;
    }
    return BIOSX_OK;
}

// After the call: the buffer back (TF_BUF_RET), or the VBE info block back
// with its pointers made offsets (TF_VBEIB, when the BIOS said 004Fh).
int take_buffer(biosx_session* s, Request& r, TaskOutcome& o)
{
    uint32_t linear = uint32_t{o.buffer_segment} << 4;
    bool vbe_ok = (r.task.flags & TF_VBEIB) && (o.result.regs.eax & 0xffff) == 0x004f;
    if (!vbe_ok && !(r.task.flags & TF_BUF_RET))
        return BIOSX_OK;
    int st = biosx_read(s, linear, r.buffer.data(), r.buffer.size());
    if (st != BIOSX_OK || !vbe_ok)
        return st;
    size_t size = 0;
    const uint8_t* mem = biosx_memory(s, &size);
    o.vbe = fix_vbe_info(r.buffer, linear, {mem, size});
    o.vbe_fixed = r.buffer.size() >= kVbeInfoBlockSize;
    return BIOSX_OK;
}

std::string regs_text(const biosx_registers& r)
{
    char b[200];
    std::snprintf(b, sizeof(b),
                  "eax=%08x ebx=%08x ecx=%08x edx=%08x esi=%08x edi=%08x ebp=%08x ds=%04x es=%04x eflags=%08x",
                  r.eax, r.ebx, r.ecx, r.edx, r.esi, r.edi, r.ebp, r.ds, r.es, r.eflags);
    return b;
}

}  // namespace

TaskOutcome run_task(biosx_session* s, Request& r)
{
    TaskOutcome o;
    o.in = registers_in(r.task.regs);
    o.result.size = sizeof(o.result);
    if (wants_buffer(r)) {
        size_t size = std::max(r.buffer.size(), kMinBuffer);
        if ((o.status = place_buffer(s, r, o, size)) != BIOSX_OK) {
            o.error = biosx_session_error(s);
            return o;
        }
    }
    biosx_request q;
    biosx_request_init(&q, 0x10);
    q.regs = o.in;
    o.status = biosx_run(s, &q, &o.result);
    o.ran = o.status == BIOSX_OK || o.status == BIOSX_ERR_INCOMPLETE;
    if (o.status == BIOSX_OK) {
        registers_out(o.result.regs, r.task.regs);
        o.status = take_buffer(s, r, o);
    }
    if (o.status != BIOSX_OK)
        o.error = biosx_session_error(s);
    if (o.buffer_segment)
        biosx_free(s, o.buffer_segment, 0);
    return o;
}

std::string task_log_line(const Request& r, const TaskOutcome& o)
{
    char head[160];
    std::snprintf(head, sizeof(head), "task seq=%u flags=%s buf_len=%d", r.header.seq,
                  task_flag_names(r.task.flags).c_str(), r.task.buf_len);
    std::string line = head;
    if (o.buffer_segment) {
        char at[32];
        std::snprintf(at, sizeof(at), " at %04x:0000", o.buffer_segment);
        line += at;
    }
    line += ": in " + regs_text(o.in);
    if (!o.ran)
        return line + "; not run: " + o.error;
    line += "; out " + regs_text(o.result.regs);
    char tail[160];
    std::snprintf(tail, sizeof(tail), "; %s, %llu instructions, %llu exits, %llu us", biosx_end_name(o.result.end),
                  static_cast<unsigned long long>(o.result.instructions),
                  static_cast<unsigned long long>(o.result.exits),
                  static_cast<unsigned long long>(o.result.elapsed_ns / 1000));
    line += tail;
    if (o.vbe_fixed) {
        std::snprintf(tail, sizeof(tail), "; info block: %u modes%s, %u objects copied, %u pointers dropped",
                      o.vbe.modes, o.vbe.modes_truncated ? " (truncated)" : "", o.vbe.copied, o.vbe.dropped);
        line += tail;
    }
    if (o.status != BIOSX_OK)
        line += "; " + o.error;
    return line;
}

}  // namespace biosx::v86d
