/* exceptions.h - the x86 exception vectors by mnemonic and name (SDM Vol. 3A
 * §6.3.1 Table 6-1). Pure C, no OS: one table for the module (kernel/) and
 * the core library (src/core/: every backend's end message, the VMCS
 * decoders), so an exception reads the same wherever biosx prints it.
 *
 * BIOSX_EXCEPTIONS(X) expands X(VECTOR, "MNEMONIC", "NAME"); the mnemonic
 * is empty where the SDM gives none (vector 9). Vectors the SDM reserves
 * (15, 22-31) are absent.
 */
#ifndef BIOSX_X86_EXCEPTIONS_H
#define BIOSX_X86_EXCEPTIONS_H

#define BIOSX_EXCEPTIONS(X) \
	X(0, "#DE", "divide error") \
	X(1, "#DB", "debug") \
	X(2, "NMI", "non-maskable interrupt") \
	X(3, "#BP", "breakpoint") \
	X(4, "#OF", "overflow") \
	X(5, "#BR", "bound range") \
	X(6, "#UD", "invalid opcode") \
	X(7, "#NM", "device not available") \
	X(8, "#DF", "double fault") \
	X(9, "", "coprocessor segment overrun") \
	X(10, "#TS", "invalid TSS") \
	X(11, "#NP", "segment not present") \
	X(12, "#SS", "stack fault") \
	X(13, "#GP", "general protection") \
	X(14, "#PF", "page fault") \
	X(16, "#MF", "x87 floating-point error") \
	X(17, "#AC", "alignment check") \
	X(18, "#MC", "machine check") \
	X(19, "#XM", "SIMD floating-point exception") \
	X(20, "#VE", "virtualization exception") \
	X(21, "#CP", "control protection exception")

/* The mnemonic of `vector` ("#GP"; the name where the SDM has no
 * mnemonic), or 0 for a vector the SDM reserves. */
static inline const char *biosx_exception_mnemonic(unsigned int vector)
{
	switch (vector) {
#define BIOSX_EXC_MNEMONIC(v, m, n) case v: return m[0] ? m : n;
	BIOSX_EXCEPTIONS(BIOSX_EXC_MNEMONIC)
#undef BIOSX_EXC_MNEMONIC
	}
	return 0;
}

/* The name of `vector` ("general protection"), or 0 when reserved. */
static inline const char *biosx_exception_name(unsigned int vector)
{
	switch (vector) {
#define BIOSX_EXC_NAME(v, m, n) case v: return n;
	BIOSX_EXCEPTIONS(BIOSX_EXC_NAME)
#undef BIOSX_EXC_NAME
	}
	return 0;
}

#endif /* BIOSX_X86_EXCEPTIONS_H */
