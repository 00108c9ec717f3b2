/* SPDX-License-Identifier: MIT */
/*
 * biosx.h - libbiosx, the public C interface: run real-mode ROM-BIOS
 * routines from a 64-bit Linux program, call after call, the way vm86()
 * once allowed. Userspace; C ABI (C99 and C++), soname libbiosx.so.1.
 *
 * A *session* pairs an execution backend (the biosx.ko module through
 * /dev/biosx, or the libx86emu emulator) with a memory source (the host's
 * BIOS, or a snapshot image). Everything a call writes into the session's
 * real-mode memory -- BDA, EBDA, buffers -- is there for the next call.
 * Over the host, what a routine changes in the BDA and EBDA is also written
 * back to the machine (docs/module.md, "What is shared, what is copied").
 *
 *   struct biosx_session *s;
 *   struct biosx_registers r;
 *   if (biosx_session_open(&s, NULL) != BIOSX_OK)
 *           errx(1, "%s", biosx_last_error());
 *   biosx_registers_init(&r);
 *   r.eax = 0x0f00;                          // INT 10h AH=0Fh: video mode
 *   if (biosx_int(s, 0x10, &r) == BIOSX_OK)
 *           printf("mode %02x\n", r.eax & 0xff);
 *   biosx_session_close(s);
 *
 * Thread safety: sessions are independent of each other; different threads
 * may use different sessions at the same time. One session must not be
 * used by two threads at once without a lock of the caller's. The
 * vmx backend runs a call on the calling thread's CPU.
 *
 * Errors: every function that can fail returns an enum biosx_status; the
 * message of the last failure is biosx_session_error() for the session and
 * biosx_last_error() for the calling thread (the only one available when
 * biosx_session_open() fails). Messages are one sentence naming what was
 * wrong, as the biosx command prints them. Nothing here prints or exits.
 *
 * Structures that may grow carry their size in their first member: set it
 * to sizeof the structure as this header defines it (the library reads and
 * writes no more than that), or use the *_init() helpers.
 *
 * Documentation: docs/library.md; an example: docs/vbe-modes.c.
 */
#ifndef BIOSX_BIOSX_H
#define BIOSX_BIOSX_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define BIOSX_API __attribute__((visibility("default")))
#else
#define BIOSX_API
#endif

/* The library's version: 1.0.0 with the soname libbiosx.so.1. */
#define BIOSX_LIB_VERSION_MAJOR 1
#define BIOSX_LIB_VERSION_MINOR 0

/**
 * enum biosx_status - what a libbiosx function returns.
 * @BIOSX_OK: success.
 * @BIOSX_ERR_USAGE: a bad argument (a range outside memory, an unknown
 *	backend, a register value out of range, a bad file).
 * @BIOSX_ERR_ENVIRONMENT: the machine refused (no BIOS handler for the
 *	vector, no permission, module or device unavailable, out of memory,
 *	a file that cannot be written).
 * @BIOSX_ERR_INCOMPLETE: the routine ran but did not return: timeout,
 *	instruction limit, CPU exception, HLT... (the result says which).
 * @BIOSX_ERR_INTERNAL: a bug in libbiosx.
 *
 * The values are the biosx command's exit codes (docs/exit-codes.md).
 */
enum biosx_status {
	BIOSX_OK = 0,
	BIOSX_ERR_USAGE = 2,
	BIOSX_ERR_ENVIRONMENT = 3,
	BIOSX_ERR_INCOMPLETE = 4,
	BIOSX_ERR_INTERNAL = 70,
};

/**
 * enum biosx_backend_kind - who executes the BIOS code.
 * @BIOSX_BACKEND_AUTO: vmx when /dev/biosx is usable (and no image is
 *	given), else kvm over the host when /dev/kvm is usable, else emu.
 * @BIOSX_BACKEND_EMU: libx86emu, on any machine, over the host or an image.
 * @BIOSX_BACKEND_VMX: biosx.ko (Intel VMX); over the host only.
 * @BIOSX_BACKEND_KVM: a hardware guest through /dev/kvm (Intel and AMD),
 *	over the host or an image; BIOSX_ERR_ENVIRONMENT where KVM is unusable.
 */
enum biosx_backend_kind {
	BIOSX_BACKEND_AUTO = 0,
	BIOSX_BACKEND_EMU = 1,
	BIOSX_BACKEND_VMX = 2,
	BIOSX_BACKEND_KVM = 3,
};

/**
 * enum biosx_vmx_strategy - how the vmx backend runs real-mode code.
 * @BIOSX_VMX_AUTO: unrestricted guest when the CPU has it, else vm86.
 * @BIOSX_VMX_UNRESTRICTED: real mode in an unrestricted guest.
 * @BIOSX_VMX_VM86: virtual-8086 mode under a protected-mode guest.
 */
enum biosx_vmx_strategy {
	BIOSX_VMX_AUTO = 0,
	BIOSX_VMX_UNRESTRICTED = 1,
	BIOSX_VMX_VM86 = 2,
};

/* Open flags (struct biosx_open_options.flags). */
/* Over the host: when the host's BIOS is not reachable (no /dev/mem, no
 * permission), use the SeaBIOS snapshot installed with biosx instead, as the
 * biosx command does; biosx_session_note() then says so. */
#define BIOSX_OPEN_BUNDLED_FALLBACK (1u << 0)
/* Over the host: keep the BDA/EBDA changes in the session only (do not
 * write them back to the machine). */
#define BIOSX_OPEN_NO_HOST_SYNC (1u << 1)

/**
 * struct biosx_open_options - what biosx_session_open() opens.
 * @size: sizeof(struct biosx_open_options).
 * @backend: enum biosx_backend_kind.
 * @strategy: enum biosx_vmx_strategy (vmx backend only).
 * @flags: BIOSX_OPEN_*.
 * @image: a snapshot file (physical address = file offset, at least 1 MiB),
 *	or NULL for the host. The file is never written; the session works on
 *	a private copy.
 *
 * biosx_session_open(&s, NULL) means: auto backend, over the host, with
 * host write-back, no fallback.
 */
struct biosx_open_options {
	uint32_t size;
	uint32_t backend;
	uint32_t strategy;
	uint32_t flags;
	const char *image;
};

/** biosx_open_options_init() - @o with every member at its default. */
BIOSX_API void biosx_open_options_init(struct biosx_open_options *o);

/* An open session; only ever handled through a pointer. */
struct biosx_session;

/**
 * biosx_session_open() - open a session.
 * @sp: receives the session, or NULL when the open fails.
 * @opts: what to open, or NULL for the defaults.
 *
 * Over the host the session's memory is taken from the machine at open:
 * the IVT, BDA, EBDA and ROMs (emu: the first MiB through /dev/mem, needs
 * root; vmx: the module's per-open guest memory). Each session has its own
 * memory: two sessions never see each other's writes.
 *
 * Return: BIOSX_OK; BIOSX_ERR_USAGE (bad options, bad image),
 * BIOSX_ERR_ENVIRONMENT (backend or memory source unavailable). The
 * message is in biosx_last_error().
 */
BIOSX_API int biosx_session_open(struct biosx_session **sp, const struct biosx_open_options *opts);

/** biosx_session_close() - release a session and its memory; NULL is ignored. */
BIOSX_API void biosx_session_close(struct biosx_session *s);

/**
 * biosx_session_error() - the message of the session's last failure.
 * Return: a string owned by the session, valid until its next call; "" when
 * the last call succeeded.
 */
BIOSX_API const char *biosx_session_error(const struct biosx_session *s);

/**
 * biosx_last_error() - the message of the last failure in this thread, in
 * any session or in biosx_session_open(). Thread-local; "" when none.
 */
BIOSX_API const char *biosx_last_error(void);

/** biosx_session_backend() - "emu", "vmx" or "kvm". */
BIOSX_API const char *biosx_session_backend(const struct biosx_session *s);

/**
 * biosx_session_source() - the memory source: "image:PATH",
 * "host:/dev/mem" or "vmx:/dev/biosx" (the "source" of the JSON output).
 */
BIOSX_API const char *biosx_session_source(const struct biosx_session *s);

/**
 * biosx_session_note() - notes for the user, one per line, and forgets them:
 * the fallback taken at open (BIOSX_OPEN_BUNDLED_FALLBACK), or a host
 * write-back the kernel refused. "" when there is none.
 */
BIOSX_API const char *biosx_session_note(struct biosx_session *s);

/* ---- the real-mode address space ---------------------------------------- */

/**
 * biosx_memory() - the session's real-mode memory itself.
 * @s: the session.
 * @size: receives its size in bytes (1 MiB, or more: 1 MiB + 64 KiB for vmx,
 *	up to 16 MiB for a large image); may be NULL.
 *
 * Physical address A is at byte A: a real-mode SEG:OFF is at
 * (SEG << 4) + OFF. The pointer is valid until biosx_session_close(); what
 * is written through it is what the next call sees. Over the host with the
 * emu backend, the VGA window 0xA0000-0xBFFFF is the machine's own (a
 * mapping of /dev/mem); elsewhere every byte is the session's.
 */
BIOSX_API uint8_t *biosx_memory(struct biosx_session *s, size_t *size);

/**
 * biosx_read() - copy @len bytes at linear address @linear out of the session.
 * Return: BIOSX_OK, or BIOSX_ERR_USAGE when the range lies outside memory.
 */
BIOSX_API int biosx_read(struct biosx_session *s, uint32_t linear, void *buf, size_t len);

/**
 * biosx_write() - copy @len bytes into the session at linear address @linear.
 * Return: BIOSX_OK, or BIOSX_ERR_USAGE when the range lies outside memory.
 */
BIOSX_API int biosx_write(struct biosx_session *s, uint32_t linear, const void *buf, size_t len);

/**
 * biosx_alloc() - a buffer of conventional memory the BIOS does not use.
 * @s: the session.
 * @len: bytes, 1 up to the arena's size.
 * @seg: receives the buffer's segment.
 * @off: receives its offset (always 0: buffers are paragraph aligned).
 *
 * Buffers come from the arena 1000:0000 (linear 0x10000) up to the lowest
 * of: the start of the EBDA (BDA word 0x40E), the end of conventional memory
 * (BDA word 0x413, in KiB), 0x9F000. Below it lie the IVT, the BDA, biosx's
 * return trap (0000:0600) and the default stack (SS:SP 0000:7C00), which
 * buffers must not touch. The arena is zeroed at open over the host
 * with vmx; over an image it holds what the image holds. Nothing is cleared
 * by biosx_alloc(): write what the call expects.
 *
 * Return: BIOSX_OK; BIOSX_ERR_USAGE (len 0), BIOSX_ERR_ENVIRONMENT (no free
 * block large enough).
 */
BIOSX_API int biosx_alloc(struct biosx_session *s, size_t len, uint16_t *seg, uint16_t *off);

/**
 * biosx_free() - give back a buffer from biosx_alloc().
 * Return: BIOSX_OK, or BIOSX_ERR_USAGE when @seg:@off is not a live buffer.
 */
BIOSX_API int biosx_free(struct biosx_session *s, uint16_t seg, uint16_t off);

/* ---- calls ------------------------------------------------------------- */

/**
 * struct biosx_registers - the sixteen registers of a real-mode call, in
 * the order EAX..EFLAGS, CS..SS (the JSON "in"/"out" objects).
 *
 * In: what the routine finds at its first instruction's caller. CS and EIP
 * are ignored: an INT starts at the IVT's handler, a far call at SEG:OFF.
 * SS:SP is the stack the return frame is pushed on.
 * Out: the registers when the run ended; after a normal return CS:EIP is
 * biosx's return trap 0000:0600.
 */
struct biosx_registers {
	uint32_t eax, ebx, ecx, edx, esi, edi, ebp, esp, eip, eflags;
	uint16_t cs, ds, es, fs, gs, ss;
};

/**
 * biosx_registers_init() - the registers a call starts from unless set:
 * all zero but EFLAGS (0x2) and the stack, SS:SP = 0000:7C00.
 */
BIOSX_API void biosx_registers_init(struct biosx_registers *r);

/* enum biosx_call_kind - what a request runs. */
enum biosx_call_kind {
	BIOSX_CALL_INT = 0, /* INT vector, through the session's IVT; returns with IRET */
	BIOSX_CALL_FAR = 1, /* far call to seg:off; returns with RETF */
};

/* Request flags (struct biosx_request.flags). */
#define BIOSX_REQ_LOG_IO (1u << 0)     /* keep every port access (vmx: each one exits) */
#define BIOSX_REQ_VIRTUAL_IO (1u << 1) /* no port reaches the hardware (always so over an image) */
#define BIOSX_REQ_PASS_IO (1u << 2)    /* experts: every port above the hard floor passes */

/**
 * struct biosx_request - one call.
 * @size: sizeof(struct biosx_request).
 * @kind: enum biosx_call_kind.
 * @vector: BIOSX_CALL_INT: the vector, 0..255.
 * @seg: BIOSX_CALL_FAR: the entry point's segment.
 * @off: BIOSX_CALL_FAR: its offset.
 * @flags: BIOSX_REQ_*.
 * @timeout_ms: wall-clock limit, 1..60000 ms; 0 means 5000.
 * @max_instructions: emu: stop after this many, 1..10^12; 0 means 50000000.
 * @regs: the registers in.
 */
struct biosx_request {
	uint32_t size;
	uint32_t kind;
	uint32_t vector;
	uint16_t seg, off;
	uint32_t flags;
	uint32_t timeout_ms;
	uint64_t max_instructions;
	struct biosx_registers regs;
};

/**
 * biosx_request_init() - a request for INT @vector with default registers
 * and limits.
 */
BIOSX_API void biosx_request_init(struct biosx_request *q, uint8_t vector);

/**
 * enum biosx_end_kind - how a run ended (the JSON "end.kind").
 * @BIOSX_ENDED_RETURN_TRAP: the routine returned (the only success).
 * @BIOSX_ENDED_TIMEOUT: the wall-clock limit.
 * @BIOSX_ENDED_INSTRUCTION_LIMIT: emu: the instruction limit.
 * @BIOSX_ENDED_HALT: HLT outside the return trap.
 * @BIOSX_ENDED_EXCEPTION: a CPU exception (@exception_vector, @error_code).
 * @BIOSX_ENDED_TRIPLE_FAULT: vmx: a triple fault.
 * @BIOSX_ENDED_EPT_VIOLATION: vmx: an access outside the guest (@address).
 * @BIOSX_ENDED_ENTRY_FAILURE: vmx: VM entry failed (@error_code).
 * @BIOSX_ENDED_BAD_MEMORY: emu: an access outside the memory (@address).
 * @BIOSX_ENDED_MACHINE_CHECK: vmx: a machine check during the run.
 * @BIOSX_ENDED_INTERRUPTED: vmx: a fatal signal or the system going down.
 * @BIOSX_ENDED_OTHER: anything else (the message says what).
 */
enum biosx_end_kind {
	BIOSX_ENDED_RETURN_TRAP = 0,
	BIOSX_ENDED_TIMEOUT,
	BIOSX_ENDED_INSTRUCTION_LIMIT,
	BIOSX_ENDED_HALT,
	BIOSX_ENDED_EXCEPTION,
	BIOSX_ENDED_TRIPLE_FAULT,
	BIOSX_ENDED_EPT_VIOLATION,
	BIOSX_ENDED_ENTRY_FAILURE,
	BIOSX_ENDED_BAD_MEMORY,
	BIOSX_ENDED_MACHINE_CHECK,
	BIOSX_ENDED_INTERRUPTED,
	BIOSX_ENDED_OTHER,
};

/** biosx_end_name() - "return_trap", "timeout", ... (the JSON spelling). */
BIOSX_API const char *biosx_end_name(uint32_t end);

/**
 * struct biosx_result - what a call did.
 * @size: sizeof(struct biosx_result), set by the caller.
 * @end: enum biosx_end_kind.
 * @regs: the registers out.
 * @instructions: emu: instructions executed.
 * @exits: vmx: VM exits taken.
 * @elapsed_ns: wall-clock time of the run itself.
 * @exception_vector: BIOSX_ENDED_EXCEPTION: the vector; else -1.
 * @io_logged: accesses biosx_io_log() lists: the first 65536 of @io_count.
 * @error_code: the exception's error code, or the VM-instruction error; -1
 *	when there is none.
 * @address: BIOSX_ENDED_EPT_VIOLATION, BIOSX_ENDED_BAD_MEMORY: the address.
 * @msr_count: vmx: RDMSR/WRMSR the routine executed.
 * @io_count: port accesses the routine made (emu: all of them; vmx: those
 *	that exited, all of them with BIOSX_REQ_LOG_IO); a REP INS/OUTS may
 *	make billions, which are counted, not kept.
 */
struct biosx_result {
	uint32_t size;
	uint32_t end;
	struct biosx_registers regs;
	uint64_t instructions;
	uint64_t exits;
	uint64_t elapsed_ns;
	int32_t exception_vector;
	uint32_t io_logged;
	int64_t error_code;
	uint64_t address;
	uint64_t msr_count;
	uint64_t io_count;
};

/**
 * biosx_run() - run one call in the session.
 * @s: the session.
 * @q: the request.
 * @r: receives the result (set @r->size first); may be NULL.
 *
 * Writes biosx's return trap (one HLT at 0000:0600) and the return frame
 * below SS:SP, runs the routine to its return or a limit, and, over the
 * host, writes the bytes the run changed in the BDA and EBDA back to the
 * machine. Memory is left as the routine left it.
 *
 * Return: BIOSX_OK when the routine returned (whatever its CF);
 * BIOSX_ERR_INCOMPLETE when it ran but did not return (@r is filled and the
 * error message says why); BIOSX_ERR_USAGE or BIOSX_ERR_ENVIRONMENT when it
 * could not start (nothing ran).
 */
BIOSX_API int biosx_run(struct biosx_session *s, const struct biosx_request *q, struct biosx_result *r);

/**
 * biosx_int() - INT @vector with @regs in and out, default limits.
 * Return: as biosx_run(); @regs holds the registers out whenever it ran.
 */
BIOSX_API int biosx_int(struct biosx_session *s, uint8_t vector, struct biosx_registers *regs);

/**
 * biosx_far_call() - far call to @seg:@off with @regs in and out.
 * Return: as biosx_run().
 */
BIOSX_API int biosx_far_call(struct biosx_session *s, uint16_t seg, uint16_t off, struct biosx_registers *regs);

/**
 * biosx_allow_ports() - let ports @first..@last reach the hardware in the
 * session's calls over the host (as the command's --allow-port).
 * Return: BIOSX_OK; BIOSX_ERR_USAGE when a port is on the hard floor
 * (reset, DMA, PIC, PIT, SMI: docs/module.md) or @last < @first.
 */
BIOSX_API int biosx_allow_ports(struct biosx_session *s, uint16_t first, uint16_t last);

/* enum biosx_io_disposition - what became of one port access. */
enum biosx_io_disposition {
	BIOSX_ACCESS_VIRTUAL = 0,  /* not performed: reads gave all ones, writes dropped */
	BIOSX_ACCESS_PASSED = 1,   /* reached the hardware */
	BIOSX_ACCESS_DENIED = 2,   /* on the hard floor: refused */
	BIOSX_ACCESS_MEDIATED = 3, /* done through the host's locked CMOS/PCI accessors */
	BIOSX_ACCESS_SNAPSHOT = 4, /* served from the device state the image carries (its CMOS) */
};

/**
 * struct biosx_io_access - one port access of the last call.
 * @port: the port.
 * @size: 1, 2 or 4 bytes.
 * @write: 1 for OUT, 0 for IN.
 * @disposition: enum biosx_io_disposition.
 * @value: the value written, or the value the routine read.
 */
struct biosx_io_access {
	uint16_t port;
	uint8_t size;
	uint8_t write;
	uint32_t disposition;
	uint32_t value;
};

/**
 * biosx_io_log() - access @index (0 .. io_logged - 1) of the last call, in
 * the order the routine made them: the first 65536 of its accesses (on vmx,
 * of those that exited; all of them exit with BIOSX_REQ_LOG_IO).
 * Return: BIOSX_OK, or BIOSX_ERR_USAGE when @index is past the log.
 */
BIOSX_API int biosx_io_log(struct biosx_session *s, size_t index, struct biosx_io_access *a);

/**
 * biosx_result_json() - the last call as the biosx.run JSON object that
 * `biosx int --json` prints (docs/json-schema.md), on one line.
 * Return: a string owned by the session, valid until its next call; "" when
 * no call has run yet.
 */
BIOSX_API const char *biosx_result_json(struct biosx_session *s);

/* ---- state across processes (over an image) ------------------------------ */

/**
 * biosx_state_load() - replace the session's RAM (0x00000-0x9FFFF: IVT, BDA,
 * EBDA, conventional memory) with a state file saved by biosx_state_save()
 * (or `biosx --state FILE`) over the same image.
 * Return: BIOSX_OK; BIOSX_ERR_USAGE (not over an image, not a state file,
 * saved over a different image); BIOSX_ERR_ENVIRONMENT (cannot read it).
 */
BIOSX_API int biosx_state_load(struct biosx_session *s, const char *path);

/**
 * biosx_state_save() - write the session's RAM to @path atomically (a
 * temporary file beside it, renamed into place). Refuses a path that is, by
 * inode, the image or another file the process reads.
 * Return: BIOSX_OK, BIOSX_ERR_USAGE, BIOSX_ERR_ENVIRONMENT.
 */
BIOSX_API int biosx_state_save(struct biosx_session *s, const char *path);

#ifdef __cplusplus
}
#endif

#endif /* BIOSX_BIOSX_H */
