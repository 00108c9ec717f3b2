// vcpu_state.cpp - a virtual CPU's system state as text and JSON. Userspace.
#include "core/run/vcpu_state.h"

#include <cstdio>

#include <nlohmann/json.hpp>


namespace biosx {

namespace {

std::string access_bits(const SegmentState& s)
{
    if (s.unusable) return "unusable";
    char buf[96];
    std::snprintf(buf, sizeof buf, "type %x%s dpl %u%s%s%s%s", s.type, s.s ? " code/data" : " system", s.dpl,
                  s.present ? " P" : " not-present", s.db ? " D/B" : "", s.l ? " L" : "", s.g ? " G" : "");
    return buf;
}

}  // namespace

std::string render_vcpu_text(const VcpuState& v)
{
    std::string o = "vCPU state after the run\n";
    char line[160];
    for (size_t i = 0; i < v.seg.size(); ++i) {
        const SegmentState& s = v.seg[i];
        std::snprintf(line, sizeof line, "  %-5s %04x  base %08llx  limit %08x  %s\n", kSegmentNames[i], s.selector,
                      static_cast<unsigned long long>(s.base), s.limit, access_bits(s).c_str());
        o += line;
    }
    std::snprintf(line, sizeof line, "  gdtr  base %08llx  limit %04x\n  idtr  base %08llx  limit %04x\n",
                  static_cast<unsigned long long>(v.gdt_base), v.gdt_limit, static_cast<unsigned long long>(v.idt_base),
                  v.idt_limit);
    o += line;
    // CR0.PE bit 0, CR0.PG bit 31 (SDM Vol. 3A §2.5); EFER.LME bit 8,
    // EFER.LMA bit 10 (§2.2.1).
    std::snprintf(line, sizeof line, "  cr0   %08llx  (PE=%u PG=%u)\n", static_cast<unsigned long long>(v.cr0),
                  static_cast<unsigned>(v.cr0 & 1), static_cast<unsigned>(v.cr0 >> 31 & 1));
    o += line;
    std::snprintf(line, sizeof line, "  cr2   %08llx\n  cr3   %08llx\n  cr4   %08llx\n  cr8   %llx\n",
                  static_cast<unsigned long long>(v.cr2), static_cast<unsigned long long>(v.cr3),
                  static_cast<unsigned long long>(v.cr4), static_cast<unsigned long long>(v.cr8));
    o += line;
    std::snprintf(line, sizeof line, "  efer  %llx  (LME=%u LMA=%u)\n  apic_base %llx\n",
                  static_cast<unsigned long long>(v.efer), static_cast<unsigned>(v.efer >> 8 & 1),
                  static_cast<unsigned>(v.efer >> 10 & 1), static_cast<unsigned long long>(v.apic_base));
    o += line;
    return o;
}

nlohmann::json vcpu_to_json(const VcpuState& v)
{
    nlohmann::json j;
    for (size_t i = 0; i < v.seg.size(); ++i) {
        const SegmentState& s = v.seg[i];
        j["segments"][kSegmentNames[i]] = {{"selector", s.selector}, {"base", s.base},   {"limit", s.limit},
                                           {"type", s.type},         {"dpl", s.dpl},     {"present", s.present},
                                           {"s", s.s},               {"db", s.db},       {"l", s.l},
                                           {"g", s.g},               {"avl", s.avl},     {"unusable", s.unusable}};
    }
    j["gdt"] = {{"base", v.gdt_base}, {"limit", v.gdt_limit}};
    j["idt"] = {{"base", v.idt_base}, {"limit", v.idt_limit}};
    for (auto [name, value] : {std::pair{"cr0", v.cr0}, {"cr2", v.cr2}, {"cr3", v.cr3}, {"cr4", v.cr4},
                               {"cr8", v.cr8}, {"efer", v.efer}, {"apic_base", v.apic_base}})
        j[name] = value;
    return j;
}

}  // namespace biosx
