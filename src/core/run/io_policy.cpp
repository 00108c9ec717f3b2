// io_policy.cpp - the port policy over the shared table
// (shared/x86/port_policy.h), and what this host adds to it. Userspace.
#include "core/run/io_policy.h"

#include <cstdio>
#include <dirent.h>
#include <fstream>
#include <iterator>

#include "x86/port_policy.h"

namespace biosx {

std::shared_ptr<const PortMap> static_port_map()
{
    static const std::shared_ptr<const PortMap> map = [] {
        auto m = std::make_shared<PortMap>(BIOSX_PORTS);
        biosx_port_map_init(m->data());
        return m;
    }();
    return map;
}

namespace {

std::string read_text(const std::string& path)
{
    std::ifstream f(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
}

// I/O BARs of display-class PCI functions pass, as the VGA ports do; a
// `resource` line is "start end flags" with IORESOURCE_IO = 0x100.
void add_display_bars(PortMap& m)
{
    const std::string dir = "/sys/bus/pci/devices";
    DIR* d = opendir(dir.c_str());
    if (!d) return;
    while (dirent* e = readdir(d)) {
        if (e->d_name[0] == '.') continue;
        std::string fn = dir + "/" + e->d_name;
        if (std::strtoul(read_text(fn + "/class").c_str(), nullptr, 16) >> 16 != 0x03) continue;
        std::ifstream res(fn + "/resource");
        unsigned long long start, end, flags;
        for (int bar = 0; bar < 6 && res >> std::hex >> start >> end >> flags; ++bar) {
            if (!(flags & 0x100) || !start || end > 0xffff) continue;
            for (auto p = start; p <= end; ++p)
                if (m[p] == BIOSX_PC(BIOSX_PORT_VIRTUAL, BIOSX_PORT_VIRTUAL)) m[p] = BIOSX_PC(BIOSX_PORT_PASS, BIOSX_PORT_PASS);
        }
    }
    closedir(d);
}

}  // namespace

std::shared_ptr<const PortMap> host_port_map()
{
    static const std::shared_ptr<const PortMap> map = [] {
        auto m = std::make_shared<PortMap>(*static_port_map());
        std::string fadt = read_text("/sys/firmware/acpi/tables/FACP");
        biosx_port_map_fadt(m->data(), reinterpret_cast<const unsigned char*>(fadt.data()),
                            static_cast<unsigned>(fadt.size()));
        add_display_bars(*m);
        return m;
    }();
    return map;
}

const PortMap& IoPolicy::port_map() const
{
    if (map) return *map;
    return virtual_io ? *static_port_map() : *host_port_map();
}

PortClass IoPolicy::classify(uint16_t port, unsigned size, bool write) const
{
    std::vector<uint8_t> bits;
    if (!allow.empty()) bits = allow_bitmap();
    unsigned mode = virtual_io ? BIOSX_IO_MODE_VIRTUAL : pass_io ? BIOSX_IO_MODE_PASS : BIOSX_IO_MODE_HOST;
    return static_cast<PortClass>(
        biosx_port_access(port_map().data(), bits.empty() ? nullptr : bits.data(), mode, port, size, write));
}

std::vector<uint8_t> IoPolicy::allow_bitmap() const
{
    std::vector<uint8_t> bits(BIOSX_PORTS / 8, 0);
    for (const auto& r : allow)
        for (uint32_t p = r.first; p <= r.last; ++p) bits[p >> 3] |= static_cast<uint8_t>(1u << (p & 7));
    return bits;
}

IoPolicy IoPolicy::over(MemoryKind kind) const
{
    IoPolicy p = *this;
    if (kind == MemoryKind::image) {
        p.virtual_io = true;
        p.pass_io = false;
        p.allow.clear();
    }
    return p;
}

std::string floor_reason(const PortMap& map, uint16_t port)
{
    uint8_t c = map[port];
    if ((c & 0xf) != BIOSX_PORT_FLOOR && (c >> 4) != BIOSX_PORT_FLOOR) return "";
    std::string why = "an ACPI register the FADT names (PM1/PM2 control, SMI_CMD or reset)";
#define X(first, last, rd, wr, text) \
    if (port >= (first) && port <= (last) && (BIOSX_PORT_##rd == BIOSX_PORT_FLOOR || BIOSX_PORT_##wr == BIOSX_PORT_FLOOR)) why = text;
    BIOSX_PORT_POLICY(X)
#undef X
    return why;
}

std::string_view disposition_name(IoDisposition d)
{
    switch (d) {
    case IoDisposition::passed: return "passed";
    case IoDisposition::denied: return "denied";
    case IoDisposition::mediated: return "mediated";
    case IoDisposition::snapshot: return "snapshot";
    default: return "virtual";
    }
}

void count_port(std::vector<PortCount>& counts, const IoAccess& a)
{
    if (a.disposition != IoDisposition::virtual_ && a.disposition != IoDisposition::denied) return;
    for (auto& c : counts)
        if (c.port == a.port && c.write == a.write && c.disposition == a.disposition) {
            ++c.count;
            return;
        }
    counts.push_back({a.port, a.write, a.disposition, 1});
}

}  // namespace biosx
