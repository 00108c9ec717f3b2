// port_io.cpp - a routine's port accesses by the run's policy, logged and
// counted, for the emu and kvm backends. Userspace.
#include "core/backend/port_io.h"

#include <string>
#include <sys/io.h>

#include "core/error.h"
#include "core/format.h"

namespace biosx {

namespace {

// Real hardware ports for the host source (root, after iopl(3)).
uint32_t port_in(uint16_t port, unsigned size)
{
    return size == 1 ? inb(port) : size == 2 ? inw(port) : inl(port);
}

void port_out(uint16_t port, unsigned size, uint32_t v)
{
    if (size == 1)
        outb(static_cast<uint8_t>(v), port);
    else if (size == 2)
        outw(static_cast<uint16_t>(v), port);
    else
        outl(v, port);
}

}  // namespace

PortIo::PortIo(const RunRequest& req, Memory& mem, RunResult& res)
    : io(req.io.over(mem.kind())), result(&res), trace(req.trace)
{
    if (!io.virtual_io && iopl(3) != 0)
        fail(ErrorKind::environment,
             "port I/O to the hardware needs root (iopl): run as root, or use --image for virtual I/O");
    if (mem.devices.cmos) cmos.emplace(*mem.devices.cmos);
}

uint32_t PortIo::access(uint16_t port, unsigned size, bool write, uint32_t value)
{
    IoAccess a{port, static_cast<uint8_t>(size), write, write ? value : 0, IoDisposition::virtual_};
    uint32_t ones = size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
    uint32_t v = write ? value & ones : ones;
    switch (io.classify(port, size, write)) {
    case PortClass::virtual_:
        // What a snapshot carries answers for the device it describes.
        if (cmos && cmos->access(port, size, write, v)) a.disposition = IoDisposition::snapshot;
        break;
    case PortClass::floor: a.disposition = IoDisposition::denied; break;
    case PortClass::cmos:
        if (mediated.cmos(port, size, write, v)) a.disposition = IoDisposition::mediated;
        break;
    case PortClass::pci:
        if (mediated.pci(port, size, write, v)) a.disposition = IoDisposition::mediated;
        break;
    case PortClass::pass:
        a.disposition = IoDisposition::passed;
        if (write)
            port_out(port, size, v);
        else
            v = port_in(port, size);
        break;
    default: break;
    }
    v &= ones;
    if (!write) a.value = v;
    if (result->io.size() < kIoLogMax) result->io.push_back(a);
    ++result->io_count;
    count_port(result->port_counts, a);
    if (trace)
        std::fprintf(trace, "io   %-3s port %s %s %s%s\n", write ? "out" : "in", hex(port, 4).c_str(),
                     size == 1 ? "b" : size == 2 ? "w" : "d", hex(a.value, size * 2).c_str(),
                     a.disposition == IoDisposition::passed ? "" : (" (" + std::string(disposition_name(a.disposition)) + ")").c_str());
    return v;
}

}  // namespace biosx
