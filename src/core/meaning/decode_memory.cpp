// decode_memory.cpp - decoders of the INT 15h system calls: AH=88h and
// AX=E801h (memory sizes), AX=E820h (one memory map entry, decoded from the
// buffer when it was read back) and AH=C0h (the ROM configuration table,
// decoded when it was read back). Meanings from Ralf Brown's Interrupt List,
// release 61, and ACPI 3.0 for the E820 extended attributes. Userspace, pure
// code.
#include "core/meaning/meaning.h"
#include "core/format.h"
#include "core/memmap/firmware_map.h"

namespace biosx::meaning {

void decode_ext_memory(const CallView& v, Decoded& d)
{
    d.fields.push_back(num("kib_above_1m", v.w(Reg::eax)));
    d.fields.push_back(num("bytes_above_1m", uint64_t{v.w(Reg::eax)} * 1024));
    d.notes.push_back("the standard BIOS counts memory between 1 and 16 MiB only (E801h, E820h count beyond)");
}

void decode_e801(const CallView& v, Decoded& d)
{
    uint64_t kib = v.w(Reg::eax), blocks = v.w(Reg::ebx);
    d.fields.push_back(num("kib_1m_16m", kib));
    d.fields.push_back(num("blocks_above_16m", blocks));
    d.fields.push_back(num("configured_kib_1m_16m", v.w(Reg::ecx)));
    d.fields.push_back(num("configured_blocks_above_16m", v.w(Reg::edx)));
    // "On some systems, the BIOS returns AX=BX=0000h; in this case, use CX
    // and DX instead."
    if (kib == 0 && blocks == 0) {
        kib = v.w(Reg::ecx);
        blocks = v.w(Reg::edx);
        d.notes.push_back("AX=BX=0: the sizes are taken from CX and DX");
    }
    d.fields.push_back(num("bytes_above_1m", kib * 1024 + (blocks << 16)));
}

void decode_e820(const CallView& v, Decoded& d)
{
    if (v.out()[Reg::eax] != memmap::kE820Smap) {
        d.ok = false;
        d.error_register = "eax";
        d.error_code = v.out()[Reg::eax];
        d.error = "EAX is not 'SMAP' (534D4150h): the BIOS does not support E820h";
        return;
    }
    const uint32_t next = v.out()[Reg::ebx], bytes = v.out()[Reg::ecx];
    d.fields.push_back(num("continuation", next, 8));
    d.fields.push_back(flag("last", next == 0));
    d.fields.push_back(num("bytes_returned", bytes));
    const uint32_t at = (v.out()[Reg::es] << 4) + v.w(Reg::edi);
    const uint32_t want = bytes >= 24 ? 24 : 20;
    auto b = read_back_block(v, d, static_cast<uint16_t>(v.out()[Reg::es]), v.w(Reg::edi), want, want, "the entry");
    if (b.empty()) return;
    memmap::Reader r(b);
    // #00580: QWORD base, QWORD length, DWORD type; ACPI 3.0 adds a DWORD of
    // extended attributes.
    Structure s{"e820_entry", "address range descriptor", at, want, {}, {}};
    const uint64_t base = r.u64(0), length = r.u64(8);
    const uint32_t type = r.u32(16);
    s.fields.push_back(num("base", base, 16));
    s.fields.push_back(num("length", length, 16));
    s.fields.push_back(num("end", base + length, 16));
    s.fields.push_back(num("type", type));
    s.fields.push_back(str("type_name", memmap::e820_type_name(type)));
    if (want == 24) {
        const uint32_t attr = r.u32(20);
        std::string names;
        for (const auto& n : memmap::e820_attribute_names(attr)) names += (names.empty() ? "" : ", ") + n;
        s.fields.push_back(num("extended_attributes", attr, 8));
        s.fields.push_back(str("extended_attributes_name", names));
    }
    d.structure = std::move(s);
}

void decode_config(const CallView& v, Decoded& d)
{
    const uint32_t ptr = v.out()[Reg::es] << 16 | v.w(Reg::ebx);
    const uint32_t at = far_linear(ptr);
    far_pointer(d.fields, "table", ptr);
    // #00509: a WORD count of the bytes that follow (8 at least), model,
    // submodel, BIOS revision, then five feature bytes.
    const size_t want = [&] {
        auto head = v.read_back(at, 2);
        return head.empty() ? size_t{10} : std::min<size_t>(2u + (head[0] | head[1] << 8), 10);
    }();
    auto b = read_back_block(v, d, static_cast<uint16_t>(ptr >> 16), static_cast<uint16_t>(ptr), want, want, "the table");
    if (b.empty()) return;
    Structure s{"config_table", "ROM configuration table", at, static_cast<uint32_t>(b.size()), {}, {}};
    auto byte = [&](size_t off) { return off < b.size() ? std::optional<uint8_t>(b[off]) : std::nullopt; };
    s.fields.push_back(num("bytes_following", b[0] | b[1] << 8));
    if (auto m = byte(2)) s.fields.push_back(num("model", *m, 2));
    if (auto m = byte(3)) s.fields.push_back(num("submodel", *m, 2));
    if (auto m = byte(4)) s.fields.push_back(num("bios_revision", *m));
    if (auto f = byte(5)) {  // #00510
        s.fields.push_back(num("feature_1", *f, 2));
        flag_bits(s.fields, *f, {{7, "dma3_used_by_disk_bios"}, {6, "second_pic"}, {5, "rtc_installed"},
                            {4, "int15_4f_called_by_int09"}, {3, "wait_for_external_event"},
                            {2, "ebda_allocated"}, {1, "micro_channel"}, {0, "dual_bus"}});
    }
    if (auto f = byte(6)) {  // #00511
        s.fields.push_back(num("feature_2", *f, 2));
        flag_bits(s.fields, *f, {{7, "dma_32bit"}, {6, "int16_09_supported"}, {5, "int15_c6_supported"},
                            {4, "int15_c7_supported"}, {3, "int15_c8_supported"}, {2, "non_8042_keyboard"},
                            {1, "data_streaming"}});
    }
    if (auto f = byte(7)) {  // #00512
        s.fields.push_back(num("feature_3", *f, 2));
        flag_bits(s.fields, *f, {{4, "post_rom_to_ram"}, {3, "scsi_on_system_board"}, {2, "information_panel"},
                            {1, "iml_system"}, {0, "scsi_in_iml"}});
    }
    if (auto f = byte(8)) {  // #00513
        s.fields.push_back(num("feature_4", *f, 2));
        flag_bits(s.fields, *f, {{6, "eeprom"}, {1, "memory_split_16m"}, {0, "postext_by_post"}});
        static const char* kAbios[] = {"", "not supported", "supported in ROM", "supported in RAM (must be loaded)"};
        const unsigned abios = *f >> 3 & 7;
        s.fields.push_back(num("abios", abios));
        if (abios >= 1 && abios <= 3) s.fields.push_back(str("abios_name", kAbios[abios]));
    }
    if (auto f = byte(9)) {  // #00514 (IBM)
        s.fields.push_back(num("feature_5", *f, 2));
        flag_bits(s.fields, *f, {{1, "enhanced_mouse_mode"}, {0, "flash_eprom"}});
    }
    d.structure = std::move(s);
}

}  // namespace biosx::meaning
