// decode_system.cpp - decoders of the small system calls: INT 11h (the
// equipment word), INT 12h (memory size), INT 16h AH=02h (shift flags) and
// the real-time clock's INT 1Ah AH=02h/04h (BCD time and date). Meanings
// from Ralf Brown's Interrupt List, release 61. Userspace, pure code.
#include <cstdio>

#include "core/meaning/meaning.h"
#include "core/format.h"

namespace biosx::meaning {

void decode_equipment(const CallView& v, Decoded& d)
{
    // The word is AX; the high word of EAX is not part of it (older BIOSes
    // leave it as it was).
    d.fields = memmap::equipment_fields(v.w(Reg::eax));
}

void decode_memory_size(const CallView& v, Decoded& d)
{
    d.fields.push_back(num("kib", v.w(Reg::eax)));
    d.fields.push_back(num("bytes", uint64_t{v.w(Reg::eax)} * 1024));
}

void decode_shift_flags(const CallView& v, Decoded& d)
{
    // #00582, bit 0 upwards.
    static const char* kBits[] = {"right_shift_pressed", "left_shift_pressed", "ctrl_pressed", "alt_pressed",
                                  "scroll_lock_active", "num_lock_active", "caps_lock_active", "insert_active"};
    const uint8_t al = v.lo(Reg::eax);
    for (int b = 0; b < 8; ++b) d.fields.push_back(flag(kBits[b], al >> b & 1));
    d.notes.push_back("AH is destroyed by many BIOSes: only AL holds the flags");
}

namespace {

// Each BCD register as a number; a byte that is not BCD is named in a note
// and makes the whole value unknown.
bool bcd_fields(const CallView& v, Decoded& d, const std::pair<const char*, Reg>* regs, const bool* high, int n,
                unsigned* values)
{
    bool all = true;
    for (int i = 0; i < n; ++i) {
        uint8_t b = high[i] ? v.hi(regs[i].second) : v.lo(regs[i].second);
        auto x = from_bcd(b);
        if (!x) {
            std::string reg = std::string(reg_name(regs[i].second)).substr(1, 1) + (high[i] ? "h" : "l");
            d.notes.push_back(std::string(regs[i].first) + ": " + reg + "=" + hex(b, 2) + " is not BCD");
            all = false;
            continue;
        }
        values[i] = *x;
        d.fields.push_back(num(regs[i].first, *x));
    }
    return all;
}

}  // namespace

void decode_rtc_time(const CallView& v, Decoded& d)
{
    static const std::pair<const char*, Reg> regs[] = {{"hour", Reg::ecx}, {"minute", Reg::ecx}, {"second", Reg::edx}};
    static const bool high[] = {true, false, true};
    unsigned t[3] = {};
    if (bcd_fields(v, d, regs, high, 3, t)) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%02u:%02u:%02u", t[0], t[1], t[2]);
        d.fields.push_back(str("time", buf));
        if (t[0] > 23 || t[1] > 59 || t[2] > 59) d.notes.push_back(std::string(buf) + " is not a time of day");
    }
    d.fields.push_back(flag("daylight_saving", v.lo(Reg::edx) & 1));
}

void decode_rtc_date(const CallView& v, Decoded& d)
{
    static const std::pair<const char*, Reg> regs[] = {
        {"century", Reg::ecx}, {"year_of_century", Reg::ecx}, {"month", Reg::edx}, {"day", Reg::edx}};
    static const bool high[] = {true, false, true, false};
    unsigned t[4] = {};
    if (bcd_fields(v, d, regs, high, 4, t)) {
        unsigned year = t[0] * 100 + t[1];
        char buf[16];
        std::snprintf(buf, sizeof buf, "%04u-%02u-%02u", year, t[2], t[3]);
        d.fields.push_back(num("year", year));
        d.fields.push_back(str("date", buf));
        if (t[2] < 1 || t[2] > 12 || t[3] < 1 || t[3] > 31) d.notes.push_back(std::string(buf) + " is not a date");
    }
}

}  // namespace biosx::meaning
