/* tests/vm/msrdump.c — userspace, runs in the Bochs guest (built with gcc -static on the host):
 * prints the CPU's identity and the VMX capability MSRs in the tests/vm/cpu-models/<MODEL>.msr
 * format (see tests/vm/README.md). MSRs are read through the msr driver (/dev/cpu/0/msr, offset =
 * MSR index); a read that faults (#GP: MSR not implemented) comes back as EIO and is printed
 * as "absent".
 *
 * usage: msrdump MODEL [MSR...]   (default MSRs: 0x3a and 0x480..0x493, the SDM Vol. 3D
 *                                  Appendix A capability MSRs)
 */
#include <cpuid.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void print_msr(int fd, unsigned idx)
{
    uint64_t v;
    if (fd >= 0 && pread(fd, &v, sizeof v, idx) == (ssize_t)sizeof v)
        printf("msr 0x%03x 0x%016llx\n", idx, (unsigned long long)v);
    else
        printf("absent 0x%03x\n", idx);
}

int main(int argc, char **argv)
{
    unsigned a, b, c, d;
    char vendor[13];

    printf("cpu-model %s\n", argc > 1 ? argv[1] : "unknown");
    __cpuid(0, a, b, c, d);
    memcpy(vendor, &b, 4);
    memcpy(vendor + 4, &d, 4);
    memcpy(vendor + 8, &c, 4);
    vendor[12] = '\0';
    printf("vendor %s\n", vendor);
    __cpuid(1, a, b, c, d);
    printf("cpuid1.ecx 0x%08x\n", c);

    int fd = open("/dev/cpu/0/msr", O_RDONLY);
    if (fd < 0)
        perror("msrdump: /dev/cpu/0/msr (is msr.ko loaded?)");
    if (argc > 2) {
        for (int i = 2; i < argc; i++)
            print_msr(fd, (unsigned)strtoul(argv[i], NULL, 0));
    } else {
        print_msr(fd, 0x3a); /* IA32_FEATURE_CONTROL */
        for (unsigned idx = 0x480; idx <= 0x493; idx++)
            print_msr(fd, idx);
    }
    return fd < 0;
}
