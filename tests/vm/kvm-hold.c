/* kvm-hold.c - KVM activity for the biosx VM tests (static binary, run in
 * the Bochs guest of tests/vm/module-tests.sh).
 *
 *   kvm-hold              create one VM and keep it until killed, so that KVM
 *                         has VMX switched on on every CPU: biosx must then
 *                         refuse with EBUSY
 *   kvm-hold --cycle N [--run] [--gap MS]
 *                         N times: create a VM with one vCPU (--run: give it
 *                         a page holding HLT and KVM_RUN it in real mode until
 *                         it exits on the HLT), then destroy it. KVM switches
 *                         VMX on (IPIs to every CPU) with the first VM and off
 *                         with the last, so this races biosx runs on the other
 *                         CPUs; --gap waits MS milliseconds after each VM, so
 *                         that KVM has VMX off half the time. Prints what it did; failures of KVM_CREATE_VM
 *                         (e.g. EBUSY while biosx holds VMX) are counted, not
 *                         fatal. Exit 0 unless /dev/kvm cannot be opened.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static int hold(int kvm)
{
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);

	if (vm < 0) {
		perror("KVM_CREATE_VM");
		return 1;
	}
	printf("kvm-hold: VM created\n");
	fflush(stdout);
	pause();
	return 0;
}

/* One VM, one vCPU, optionally one KVM_RUN of HLT at 0000:0000. Returns 0
 * on success, else a short description of the step that failed. */
static const char *one_vm(int kvm, int run, int mmap_size, int *err)
{
	const char *step = NULL;
	int vm, vcpu = -1;
	void *page = MAP_FAILED;
	struct kvm_run *kr = MAP_FAILED;

	*err = 0;
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		*err = errno;
		return "KVM_CREATE_VM";
	}
	/* Needed where the CPU has no unrestricted guest (KVM's vm86 path). */
	ioctl(vm, KVM_SET_TSS_ADDR, 0xfffbd000ul);
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0) {
		step = "KVM_CREATE_VCPU";
		goto out;
	}
	if (run) {
		struct kvm_userspace_memory_region mr;
		struct kvm_sregs sregs;
		struct kvm_regs regs;

		page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		kr = mmap(NULL, (size_t)mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
		if (page == MAP_FAILED || kr == MAP_FAILED) {
			step = "mmap";
			goto out;
		}
		((unsigned char *)page)[0] = 0xf4; /* HLT */
		memset(&mr, 0, sizeof(mr));
		mr.memory_size = 4096;
		mr.userspace_addr = (unsigned long)page;
		if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &mr)) {
			step = "KVM_SET_USER_MEMORY_REGION";
			goto out;
		}
		if (ioctl(vcpu, KVM_GET_SREGS, &sregs)) {
			step = "KVM_GET_SREGS";
			goto out;
		}
		sregs.cs.base = 0;
		sregs.cs.selector = 0;
		if (ioctl(vcpu, KVM_SET_SREGS, &sregs)) {
			step = "KVM_SET_SREGS";
			goto out;
		}
		memset(&regs, 0, sizeof(regs));
		regs.rflags = 0x2;
		if (ioctl(vcpu, KVM_SET_REGS, &regs)) {
			step = "KVM_SET_REGS";
			goto out;
		}
		if (ioctl(vcpu, KVM_RUN, 0)) {
			step = "KVM_RUN";
			goto out;
		}
		if (kr->exit_reason != KVM_EXIT_HLT) {
			step = "KVM_RUN exit reason not HLT";
			errno = (int)kr->exit_reason;
			goto out;
		}
	}
out:
	if (step)
		*err = errno;
	if (kr != MAP_FAILED)
		munmap(kr, (size_t)mmap_size);
	if (page != MAP_FAILED)
		munmap(page, 4096);
	if (vcpu >= 0)
		close(vcpu);
	close(vm);
	return step;
}

int main(int argc, char **argv)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	long n = -1, ok = 0, bad = 0;
	int run = 0, mmap_size, gap_ms = 0;
	struct timespec t0, t1;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--cycle") && i + 1 < argc)
			n = strtol(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--run"))
			run = 1;
		else if (!strcmp(argv[i], "--gap") && i + 1 < argc)
			gap_ms = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: kvm-hold [--cycle N [--run] [--gap MS]]\n");
			return 2;
		}
	}
	if (kvm < 0) {
		perror("/dev/kvm");
		return 1;
	}
	if (n < 0)
		return hold(kvm);
	mmap_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++) {
		int err;
		const char *step = one_vm(kvm, run, mmap_size, &err);

		if (gap_ms)
			usleep((useconds_t)gap_ms * 1000);
		if (!step) {
			ok++;
		} else if (bad++ < 10) {
			printf("kvm-hold: cycle %ld: %s failed: %s\n", i, step, strerror(err));
			fflush(stdout);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("kvm-hold: %ld VM cycles%s: %ld ok, %ld failed, %.1f s\n", n, run ? " (with KVM_RUN)" : "", ok, bad,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
