// cmd_memmap.cpp - `biosx memmap`: the first MiB drawn and decoded (IVT,
// BDA, option ROMs, BIOS tables), the firmware's E820 map, and --save.
// Parses the options, asks the core, prints the core's text or JSON view.
// Userspace CLI.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/subcommand.h"
#include "core/call/call_input.h"
#include "core/error.h"
#include "core/format.h"
#include "core/memmap/memmap_report.h"
#include "core/run/image.h"

namespace biosx::cli {

namespace {

using namespace biosx::memmap;

struct MemmapOptions {
    bool map = false, ivt = false, bda = false, roms = false, tables = false, e820 = false, all = false;
    std::string save, size, timeout;
};

void run_memmap(const MemmapOptions& o)
{
    if (!o.size.empty() && o.save.empty()) fail(ErrorKind::usage, "--size " + o.size + ": only meaningful with --save FILE");
    if (!o.save.empty()) {
        uint64_t size = o.size.empty() ? kRealModeSize : parse_number(o.size, "--size");
        Machine machine = open_machine_from_globals(false);
        // "This machine's BIOS" must not silently become QEMU's.
        if (machine.bundled)
            fail(ErrorKind::environment, "--save " + o.save + ": the host's BIOS is not reachable (" +
                                             machine.host_unreachable +
                                             "); to copy the bundled SeaBIOS snapshot name it with --image");
        const SavedImage saved = save_snapshot(*machine.mem, o.save, size);
        if (globals().json)
            print_json(saved_image_to_json(saved));
        else
            std::cout << render_saved_image_text(saved);
        return;
    }
    // No section named: everything that only reads memory. E820 runs BIOS
    // code, so it is asked for by name (or --all).
    bool any = o.map || o.ivt || o.bda || o.roms || o.tables || o.e820;
    Sections sec;
    if (any && !o.all) sec = {o.map, o.ivt, o.bda, o.roms, o.tables};
    bool e820 = o.e820 || o.all;
    if (!o.timeout.empty() && !e820) fail(ErrorKind::usage, "--timeout " + o.timeout + ": only meaningful with --e820 or --all");
    const Limits limits = parse_limits(o.timeout);

    Machine machine = open_machine_from_globals();
    MemmapReport report{machine.mem->describe(), {}, sec, std::nullopt, {}};
    // Scan before anything runs: a run writes its stack and buffer into the memory.
    report.scan = scan(machine.mem->bytes());
    if (e820) {
        FirmwareMapOptions fo;
        fo.limits = limits;
        fo.io.virtual_io = false;  // the host's port policy, as `biosx int` has it
        report.firmware_map = firmware_map(*machine.backend, *machine.mem, fo);
        report.backend = machine.backend->name();
    }
    if (globals().json)
        print_json(memmap_to_json(report));
    else
        std::cout << render_memmap_text(report);
}

}  // namespace

void setup_memmap(CLI::App& app)
{
    static MemmapOptions o;
    auto* m = app.add_subcommand("memmap", "Show what the first MiB holds: map, IVT, BDA, option ROMs, BIOS tables, E820");
    const char* sections = "Sections (none given: all but --e820)";
    m->add_flag("--map", o.map, "The drawn map of 0-1 MiB and the system BIOS identity")->group(sections);
    m->add_flag("--ivt", o.ivt, "The interrupt vectors and where each points")->group(sections);
    m->add_flag("--bda", o.bda, "The BIOS data area decoded")->group(sections);
    m->add_flag("--roms", o.roms, "Option ROMs with their PCI and PnP headers")->group(sections);
    m->add_flag("--tables", o.tables, "SMBIOS, ACPI RSDP, MP, $PIR, PnP, BIOS32 and PMM structures")->group(sections);
    m->add_flag("--e820", o.e820, "Ask the BIOS for its memory map (INT 15h E820h, else E801h, else 88h); runs BIOS code")
        ->group(sections);
    m->add_flag("--all", o.all, "Every section, --e820 included")->group(sections);
    m->add_option("--timeout", o.timeout, "--e820: stop a call after SECONDS of wall-clock time, (0, 60]")
        ->type_name("SECONDS")->default_str("5");
    m->add_option("--save", o.save,
                  "Write the memory source's first MiB, and its CMOS/RTC contents, to FILE as a snapshot for --image, and stop")
        ->type_name("FILE")->group("Snapshot");
    m->add_option("--size", o.size, "With --save: write N bytes instead of 1 MiB (1 MiB up to what the source holds, at most 16 MiB)")
        ->type_name("N")->group("Snapshot");
    m->footer("Examples: biosx memmap --image seabios.img --tables\n"
              "          biosx memmap --e820 --json\n"
              "          sudo biosx memmap --save my-bios.img");
    m->callback([] { run_memmap(o); });
}

}  // namespace biosx::cli
