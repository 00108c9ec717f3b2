/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * biosx.h - user/kernel ABI of /dev/biosx, shared by kernel/ and src/core/.
 * Fixed-width types only; included from C (kernel) and C++ (userspace).
 *
 * Use: open("/dev/biosx") (needs CAP_SYS_RAWIO), check BIOSX_IOC_VERSION,
 * mmap() BIOSX_GUEST_BYTES at offset 0 to see and change the guest's
 * real-mode address space, then BIOSX_IOC_RUN as often as needed. Every
 * open file has its own guest memory, registers and last VMCS record.
 */
#ifndef _UAPI_BIOSX_H
#define _UAPI_BIOSX_H

#include <linux/types.h>
#include <linux/ioctl.h>

/* Bumped on any incompatible change; userspace refuses a mismatch. */
#define BIOSX_ABI_VERSION 3

/* The guest's address space: 1 MiB plus the 64 KiB HMA above it. */
#define BIOSX_GUEST_BYTES 0x110000u

/**
 * struct biosx_regs - the sixteen registers of a real-mode call.
 * @eax: EAX.
 * @ebx: EBX.
 * @ecx: ECX.
 * @edx: EDX.
 * @esi: ESI.
 * @edi: EDI.
 * @ebp: EBP.
 * @esp: ESP; with @ss, the stack the return frame is pushed on.
 * @eip: EIP (out: where the run ended; in: ignored, RUN sets CS:IP).
 * @eflags: EFLAGS; bit 1 is forced to 1, VM and IOPL belong to the module.
 * @cs: CS (in: ignored, RUN sets CS:IP).
 * @ds: DS.
 * @es: ES.
 * @fs: FS.
 * @gs: GS.
 * @ss: SS.
 * @reserved: must be zero (EINVAL); keeps the struct a multiple of 8 bytes.
 *
 * The order is the mission's: EAX EBX ECX EDX ESI EDI EBP ESP EIP EFLAGS,
 * then the selectors CS DS ES FS GS SS.  In real and virtual-8086 mode a
 * segment's base is always selector * 16.
 */
struct biosx_regs {
	__u32 eax, ebx, ecx, edx, esi, edi, ebp, esp, eip, eflags;
	__u16 cs, ds, es, fs, gs, ss;
	__u32 reserved; /* must be zero; keeps the struct 8-byte sized */
};

/* What RUN enters. */
#define BIOSX_ENTRY_INT 0      /* INT vector: handler from the guest's IVT */
#define BIOSX_ENTRY_FAR_CALL 1 /* far call to seg:off, returns with RETF */

/* RUN flags. */
#define BIOSX_RUN_FORCE_UNRESTRICTED (1u << 0) /* real mode (unrestricted guest); ENODEV if unsupported */
#define BIOSX_RUN_FORCE_VM86 (1u << 1)         /* virtual-8086 mode under a protected-mode guest; ENODEV if unsupported */
#define BIOSX_RUN_LOG_IO (1u << 2)             /* exit on every port access and log it */
#define BIOSX_RUN_VIRTUAL_IO (1u << 3)         /* no port above the floor reaches the hardware */
#define BIOSX_RUN_TEST_BAD_ENTRY (1u << 4)     /* test hook: make VM entry fail (invalid guest state) */
#define BIOSX_RUN_FLAGS_ALL 0x7fu /* with BIOSX_RUN_PASS_IO and BIOSX_RUN_HOST_VGA below */

/* How a run ended (biosx_run.end). */
#define BIOSX_END_RETURN_TRAP 0   /* IRET/RETF reached the trap stub */
#define BIOSX_END_TIMEOUT 1       /* deadline or VMX-preemption timer */
#define BIOSX_END_HALT 2          /* HLT outside the trap */
#define BIOSX_END_EXCEPTION 3     /* guest exception: vector, error_code */
#define BIOSX_END_TRIPLE_FAULT 4
#define BIOSX_END_EPT_VIOLATION 5 /* address = guest-physical address */
#define BIOSX_END_ENTRY_FAILURE 6 /* error_code = VM-instruction error, or exit reason | 1<<31 */
#define BIOSX_END_UNHANDLED 7     /* an exit biosx does not emulate: exit_reason, qualification */
#define BIOSX_END_MACHINE_CHECK 8 /* a machine check struck during the run; the host's handler saw it */
#define BIOSX_END_INTERRUPTED 9   /* a fatal signal, or the system going down, ended the run */

/* Strategies (biosx_run.strategy). */
#define BIOSX_STRATEGY_UNRESTRICTED 1
#define BIOSX_STRATEGY_VM86 2

#define BIOSX_EXIT_REASONS_MAX 80

/**
 * struct biosx_io_entry - one port access, in the order the routine made it.
 * @port: the port.
 * @size: 1, 2 or 4 bytes.
 * @flags: BIOSX_IO_*.
 * @value: the value written, or the value the routine read.
 */
struct biosx_io_entry {
	__u16 port;
	__u8 size;
	__u8 flags;
	__u32 value;
};
#define BIOSX_IO_WRITE (1u << 0)
#define BIOSX_IO_DENIED (1u << 1)  /* on the hard floor: refused, not performed */
#define BIOSX_IO_PASSED (1u << 2)  /* reached the hardware */
/* neither DENIED, PASSED nor MEDIATED (below): virtual, not performed */

/* ---- port I/O policy (ABI 2): shared/x86/port_policy.h ---- */

/* Experts: every port above the hard floor that the policy would
 * virtualise reaches the hardware (CMOS and PCI configuration stay
 * mediated). EINVAL together with BIOSX_RUN_VIRTUAL_IO. */
#define BIOSX_RUN_PASS_IO (1u << 5)

/* ---- the machine's VGA window (ABI 3) ---- */

/* Guest-physical 0xA0000-0xBFFFF are the machine's own legacy VGA window
 * (uncached) for this run, not the area's copy: what the BIOS draws is on
 * the screen, as with libx86 and /dev/mem. EPERM without CAP_SYS_RAWIO,
 * ENXIO when the machine has RAM there (the window is not routed to an
 * adapter). The area's copy of the range is left as it was. */
#define BIOSX_RUN_HOST_VGA (1u << 6)

/* The access went through the host's own locked accessors (CMOS/RTC,
 * PCI configuration space). */
#define BIOSX_IO_MEDIATED (1u << 3)

#define BIOSX_PORT_COUNTS_MAX 64
/**
 * struct biosx_port_count - how often a run's accesses to one port were
 * kept from the hardware.
 * @port: the port the instruction named (a word or dword access is
 *        counted at its first port, with the class of its most
 *        restrictive byte).
 * @flags: BIOSX_IO_WRITE for OUT, and BIOSX_IO_DENIED when refused by the
 *        hard floor; without BIOSX_IO_DENIED the accesses were virtual.
 * @reserved: zero.
 * @count: accesses.
 */
struct biosx_port_count {
	__u16 port;
	__u8 flags;
	__u8 reserved;
	__u32 count;
};

/* ---- end of port I/O policy ---- */

/**
 * struct biosx_msr_entry - one RDMSR or WRMSR the routine executed.
 * @index: the MSR (ECX).
 * @flags: BIOSX_MSR_*.
 * @value: the value written, or the value the routine read.
 *
 * No WRMSR reaches an MSR. A read returns the host's value only for a short
 * allow-list of harmless MSRs (TSC, platform ID, microcode revision,
 * MISC_ENABLE, PAT, MTRRs: BIOSX_MSR_HOST set); every other read returns 0.
 */
struct biosx_msr_entry {
	__u32 index;
	__u32 flags;
	__u64 value;
};
#define BIOSX_MSR_WRITE (1u << 0) /* WRMSR (dropped) */
#define BIOSX_MSR_HOST (1u << 1)  /* RDMSR answered with the host's value */
#define BIOSX_MSR_LOG_MAX 16

/**
 * struct biosx_run - argument of BIOSX_IOC_RUN.
 * @regs: in: the registers as the caller of INT/CALL has them; out: the
 *        registers when the run ended.
 * @entry: BIOSX_ENTRY_INT or BIOSX_ENTRY_FAR_CALL.
 * @vector: for BIOSX_ENTRY_INT, 0..255; the handler is read from the
 *        guest's IVT (ENOENT when it is 0000:0000, or when the handler's
 *        first 16 bytes are all 00h or all FFh: shared/x86/entry_frame.h).
 * @seg: for BIOSX_ENTRY_FAR_CALL, the segment called.
 * @off: for BIOSX_ENTRY_FAR_CALL, the offset called.
 * @flags: BIOSX_RUN_*; other bits EINVAL, both FORCE bits EINVAL,
 *        BIOSX_RUN_PASS_IO with BIOSX_RUN_VIRTUAL_IO EINVAL.
 * @timeout_ms: wall-clock bound, 1..60000 (0 means 5000; more is EINVAL).
 * @io_log_cap: entries at @io_log_ptr, 0..65536.
 * @allow_ptr: user pointer to an 8 KiB bitmap of ports that reach the
 *        hardware (bit set = passed; ports on the hard floor stay refused),
 *        or 0 for none (shared/x86/port_policy.h has the policy).
 * @io_log_ptr: user array of @io_log_cap struct biosx_io_entry; required
 *        when @io_log_cap is not 0.
 * @end: out: how the run ended, BIOSX_END_*.
 * @strategy: out: BIOSX_STRATEGY_* used.
 * @exit_reason: out: the last exit reason as the VMCS holds it (bit 31 set
 *        for a VM-entry failure).
 * @vector_out: out: for BIOSX_END_EXCEPTION, the vector.
 * @error_code: out: for BIOSX_END_EXCEPTION, the error code (~0 when the
 *        exception has none); for BIOSX_END_ENTRY_FAILURE, the
 *        VM-instruction error (VMfail) or the exit reason with bit 31.
 * @address: out: for BIOSX_END_EPT_VIOLATION, the guest-physical address.
 * @qualification: out: the exit qualification for BIOSX_END_EPT_VIOLATION,
 *        BIOSX_END_ENTRY_FAILURE and BIOSX_END_UNHANDLED.
 * @tsc_cycles: out: TSC cycles from each VM entry to its VM exit, summed.
 * @exits: out: VM exits in this run (1 for a routine that only returns).
 * @io_log_count: out: port accesses that exited (may exceed @io_log_cap;
 *        only @io_log_cap are stored).
 * @exit_counts: out: VM exits by basic exit reason (SDM Vol. 3D App. C).
 * @msr_count: out: RDMSR/WRMSR instructions the routine executed (may exceed
 *        BIOSX_MSR_LOG_MAX; only that many are stored).
 * @msr_reserved: zero.
 * @msr_log: out: the first @msr_count (at most BIOSX_MSR_LOG_MAX) of them.
 * @port_counts_used: out: entries of @port_counts filled.
 * @port_counts_lost: out: refused or virtual accesses not counted because
 *        @port_counts was full.
 * @port_counts: out: every port whose accesses were refused or virtualised,
 *        with how often (see struct biosx_port_count).
 *
 * The trap stub (one HLT byte) is written at 0000:0600 and the return frame
 * is pushed on SS:SP in guest memory, exactly as the emulation backend does:
 * for INT n FLAGS, CS, IP (then IF, TF and AC are cleared), for a far call
 * CS, IP.
 */
struct biosx_run {
	struct biosx_regs regs;
	__u32 entry;
	__u32 vector;
	__u16 seg, off;
	__u32 flags;
	__u32 timeout_ms;
	__u32 io_log_cap;
	__u64 allow_ptr;
	__u64 io_log_ptr;
	/* out */
	__u32 end;
	__u32 strategy;
	__u32 exit_reason;
	__u32 vector_out;
	__u64 error_code;
	__u64 address;
	__u64 qualification;
	__u64 tsc_cycles;
	__u32 exits;
	__u32 io_log_count;
	__u32 exit_counts[BIOSX_EXIT_REASONS_MAX];
	__u32 msr_count;
	__u32 msr_reserved;
	struct biosx_msr_entry msr_log[BIOSX_MSR_LOG_MAX];
	/* port policy (ABI 2) */
	__u32 port_counts_used;
	__u32 port_counts_lost;
	struct biosx_port_count port_counts[BIOSX_PORT_COUNTS_MAX];
};

/**
 * struct biosx_caps - argument of BIOSX_IOC_GET_CAPS.
 * @cpu: in: the CPU to read.
 * @cpuid1_ecx: out: CPUID.1:ECX of that CPU.
 * @present: out: bit i set when @msr[i] was read.
 * @reserved: zero.
 * @msr: out: the MSRs of BIOSX_VMX_MSRS (shared/x86/vmx_msrs.h) in table
 *        order: msr[0] is IA32_FEATURE_CONTROL (0x3A), msr[1 + k] is
 *        0x480 + k for k = 0..19. An MSR the SDM says does not exist on
 *        this CPU is not read.
 */
struct biosx_caps {
	__u32 cpu;
	__u32 cpuid1_ecx;
	__u32 present;
	__u32 reserved;
	__u64 msr[21];
};

#define BIOSX_VMCS_RECORD_MAX 256
#define BIOSX_VMCS_ADDRESSES_HIDDEN (1u << 0)
/**
 * struct biosx_vmcs_field - one VMCS field as VMREAD returned it.
 * @encoding: the field's encoding (SDM Vol. 3D Appendix B; the names are in
 *        shared/x86/vmcs_fields.h).
 * @reserved: zero.
 * @value: the value, zero-extended to 64 bits.
 */
struct biosx_vmcs_field {
	__u32 encoding;
	__u32 reserved;
	__u64 value;
};

/**
 * struct biosx_vmcs_record - argument of BIOSX_IOC_GET_VMCS: the VMCS of
 * this file's last run, read after the run ended and before VMCLEAR.
 * @valid: 0 when this file has not run anything yet.
 * @nfields: entries used in @fields.
 * @vmxon_pa: physical address of the VMXON region (0 when hidden).
 * @vmcs_pa: physical address of the VMCS (0 when hidden).
 * @flags: BIOSX_VMCS_ADDRESSES_HIDDEN: the reader may not see kernel
 *        addresses (the rules of kptr_restrict for %pK), so the fields that
 *        hold a kernel or host-physical address (BIOSX_VMCS_ADDRESS_FIELDS
 *        in shared/x86/vmcs_fields.h), @vmxon_pa, @vmcs_pa and @raw are 0.
 * @reserved: zero.
 * @fields: every field of SDM Appendix B that exists on this CPU (index not
 *        above IA32_VMX_VMCS_ENUM's) and that VMREAD accepted.
 * @raw: the 4 KiB VMCS region as the CPU left it after VMCLEAR (its format
 *        is implementation-specific, SDM Vol. 3C §25.2).
 */
struct biosx_vmcs_record {
	__u32 valid;
	__u32 nfields;
	__u64 vmxon_pa;
	__u64 vmcs_pa;
	__u32 flags;
	__u32 reserved;
	struct biosx_vmcs_field fields[BIOSX_VMCS_RECORD_MAX];
	__u8 raw[4096];
};

/*
 * ioctls. Errors every ioctl may return: EFAULT (the argument is not
 * readable/writable memory), ENOTTY (not a biosx ioctl). open() fails with
 * EPERM without CAP_SYS_RAWIO, ENOMEM when the guest area cannot be had.
 */
#define BIOSX_IOC_MAGIC 0xb1

/**
 * define BIOSX_IOC_VERSION - read the ABI version.
 *
 * Writes BIOSX_ABI_VERSION to the __u32 argument. Userspace refuses to use a
 * module whose version differs from the header it was built with.
 * Return: 0.
 */
#define BIOSX_IOC_VERSION _IOR(BIOSX_IOC_MAGIC, 0, __u32)

/**
 * define BIOSX_IOC_RUN - run one BIOS routine in a VMX guest.
 *
 * Argument: struct biosx_run. Runs on the calling CPU, which stays in VMX
 * operation only for the run.
 * Return: 0 when the run happened, whatever its end (see @end);
 * EINVAL a reserved field or bit is set, or a field is out of range;
 * ENOENT no routine at the entry point: the INT vector is 0000:0000 in the
 * guest's IVT, or the first 16 bytes there are all 00h or all FFh;
 * ENODEV a forced strategy this CPU cannot run (the verdict of
 * shared/x86/vmx_verdict.h, which `biosx caps` shows);
 * EBUSY VMX is already in use on this CPU (CR4.VMXE set: KVM is running a
 * guest), a kernel log line says so; EINTR a signal arrived while waiting
 * for another RUN on the same file; ENOMEM no memory for the I/O log;
 * EIO a VMX instruction failed outside VM entry (VMXON, VMPTRLD, VMWRITE);
 * EOPNOTSUPP the caller's FS/GS selectors cannot serve as VMX host state
 * (never the case for a 64-bit process).
 */
#define BIOSX_IOC_RUN _IOWR(BIOSX_IOC_MAGIC, 1, struct biosx_run)

/**
 * define BIOSX_IOC_GET_CAPS - read the VMX capability MSRs of one CPU.
 *
 * Argument: struct biosx_caps with @cpu set. Reads only the MSRs the SDM
 * says exist on that CPU (shared/x86/vmx_msrs.h gives the rules).
 * Return: 0; EINVAL @cpu is out of range or offline.
 */
#define BIOSX_IOC_GET_CAPS _IOWR(BIOSX_IOC_MAGIC, 2, struct biosx_caps)

/**
 * define BIOSX_IOC_GET_VMCS - the VMCS record of this file's last run.
 *
 * Argument: struct biosx_vmcs_record. Only runs made through this open file
 * are visible.
 * Return: 0; @valid says whether there is a record.
 */
#define BIOSX_IOC_GET_VMCS _IOR(BIOSX_IOC_MAGIC, 3, struct biosx_vmcs_record)

#endif /* _UAPI_BIOSX_H */
