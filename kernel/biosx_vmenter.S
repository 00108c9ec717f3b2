/* SPDX-License-Identifier: GPL-2.0 */
/*
 * biosx_vmenter.S - VM entry and the landing point of every VM exit.
 * Kernel, VMX root operation, interrupts off.
 *
 * int biosx_vmenter(struct biosx_gprs *gprs, int launched)
 * The VMCS holds the guest's RSP, RIP and RFLAGS; the seven other guest
 * GPRs are swapped here. HOST_RSP is the stack as it is right before the
 * entry, so the exit path finds the gprs pointer on top of it. SDM Vol. 3C
 * §27.5 (host state loaded on VM exit), §31.3 (VMLAUNCH/VMRESUME).
 */
#include <linux/linkage.h>
#include <asm/nospec-branch.h>
#include <asm/segment.h>

#define HOST_RSP 0x6c14
#define HOST_RIP 0x6c16

	.text
SYM_FUNC_START(biosx_vmenter)
	push %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	push %rdi			/* gprs, found again after the exit */

	mov $HOST_RSP, %rax
	vmwrite %rsp, %rax
	jbe .Lfail_early
	lea .Lexit(%rip), %rbx
	mov $HOST_RIP, %rax
	vmwrite %rbx, %rax
	jbe .Lfail_early

	test %esi, %esi			/* flags survive the MOVs below */
	mov 0x00(%rdi), %rax
	mov 0x08(%rdi), %rbx
	mov 0x10(%rdi), %rcx
	mov 0x18(%rdi), %rdx
	mov 0x20(%rdi), %rsi
	mov 0x30(%rdi), %rbp
	mov 0x28(%rdi), %rdi
	jnz .Lresume
	vmlaunch
	jmp .Lfail
.Lresume:
	vmresume
.Lfail:
	/* VMfail: the guest values are in the GPRs, the stack is as pushed. */
	pop %rdi
	mov $1, %eax
	jmp .Lout

.Lexit:
	/* VM exit: RSP = HOST_RSP, the gprs pointer on top. */
	push %rdi			/* the guest's RDI, for a moment */
	mov 8(%rsp), %rdi
	mov %rax, 0x00(%rdi)
	mov %rbx, 0x08(%rdi)
	mov %rcx, 0x10(%rdi)
	mov %rdx, 0x18(%rdi)
	mov %rsi, 0x20(%rdi)
	mov %rbp, 0x30(%rdi)
	pop %rax
	mov %rax, 0x28(%rdi)
	pop %rdi
	xor %eax, %eax
	jmp .Lout

.Lfail_early:
	pop %rdi
	mov $1, %eax
.Lout:
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	RET
SYM_FUNC_END(biosx_vmenter)

/*
 * void biosx_call_nmi_handler(unsigned long entry)
 * An NMI that caused a VM exit has not been delivered to the host, and NMIs
 * stay blocked until the next IRET. Deliver it as the CPU would have: a
 * 64-bit interrupt frame (SS, RSP, RFLAGS, CS, RIP) on a 16-byte aligned
 * stack (SDM Vol. 3A §6.14.2), then a call into the kernel's NMI entry for
 * this purpose (asm_exc_nmi_noist: the same handler, on the current stack
 * instead of the NMI IST stack), whose IRET returns here and unblocks NMIs.
 * KVM delivers NMI exits the same way; "int $2" would run the handler as a
 * software interrupt on the IST stack without the hardware's NMI blocking.
 */
SYM_FUNC_START(biosx_call_nmi_handler)
	push %rbp
	mov %rsp, %rbp
	and $-16, %rsp
	push $__KERNEL_DS
	push %rbp
	pushf
	push $__KERNEL_CS
	CALL_NOSPEC rdi
	mov %rbp, %rsp			/* the IRET has restored it already */
	pop %rbp
	RET
SYM_FUNC_END(biosx_call_nmi_handler)
