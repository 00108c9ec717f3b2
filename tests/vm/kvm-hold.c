/* kvm-hold.c - creates one KVM VM and keeps it until killed, so that KVM
 * has VMX switched on on every CPU: biosx must then refuse with EBUSY.
 * Runs in the Bochs guest of tests/vm/module-tests.sh (static binary). */
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define KVM_CREATE_VM 0xae01 /* _IO(KVMIO, 0x01) */

int main(void)
{
	int kvm = open("/dev/kvm", O_RDWR);
	int vm;

	if (kvm < 0) {
		perror("/dev/kvm");
		return 1;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		perror("KVM_CREATE_VM");
		return 1;
	}
	printf("kvm-hold: VM created\n");
	fflush(stdout);
	pause();
	return 0;
}
