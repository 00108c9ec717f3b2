// SPDX-License-Identifier: GPL-2.0
/*
 * biosx_main.c - the /dev/biosx misc device (open, mmap of the guest area,
 * the ioctls), /proc/biosx, and module load/unload.
 * Kernel, process context.
 */
#include <linux/capability.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/ioport.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/proc_fs.h>
#include <linux/reboot.h>
#include <linux/security.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/msr.h>
#include <asm/reboot.h>

#include "biosx_priv.h"
#include "x86/realmode.h"
#include "x86/vmx_msrs.h"

/* BIOSX_IOC_RUN's allow bitmap: one bit per port. */
#define BIOSX_ALLOW_BYTES 8192

/*
 * Kernel lockdown (security_locked_down(), include/linux/security.h): the
 * guest area starts as a copy of the host's first MiB, which lockdown
 * forbids through /dev/mem (LOCKDOWN_DEV_MEM), and a run can reach I/O
 * ports, which it forbids through /dev/port, ioperm() and iopl()
 * (LOCKDOWN_IOPORT). Lockdown can be raised while the module is loaded, so
 * both are asked again at every run. The kernel logs each refusal.
 */
static int biosx_locked_down(bool ports)
{
	int err = security_locked_down(LOCKDOWN_DEV_MEM);

	if (!err && ports)
		err = security_locked_down(LOCKDOWN_IOPORT);
	return err;
}

/*
 * BIOSX_RUN_HOST_VGA hands the guest the machine's 0xA0000-0xBFFFF: the
 * rights /dev/mem asks for the same frames (CAP_SYS_RAWIO; lockdown's
 * LOCKDOWN_DEV_MEM is refused for every run above), and never RAM --
 * where no adapter decodes the legacy window the firmware may report RAM
 * there, and a guest must not get write access to the kernel's memory.
 */
static int host_vga_allowed(u32 flags)
{
	if (!(flags & BIOSX_RUN_HOST_VGA))
		return 0;
	if (!capable(CAP_SYS_RAWIO))
		return -EPERM;
	if (region_intersects(BIOSX_VGA_BEGIN, BIOSX_ROM_BEGIN - BIOSX_VGA_BEGIN, IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_DISJOINT)
		return -ENXIO;
	return 0;
}

/* Set by the reboot notifier: no new run starts, and runs in progress end
 * at their next exit (BIOSX_END_INTERRUPTED). */
static bool shutting_down;

bool biosx_shutting_down(void)
{
	return READ_ONCE(shutting_down);
}

/*
 * Whether the caller may see kernel addresses: exactly the kptr_restrict
 * rules of %pK (lib/vsprintf.c: 0 hashes, 1 needs CAP_SYSLOG and
 * unchanged ids, 2 never), asked of the kernel's own printf rather than
 * written again here.
 */
bool biosx_may_see_kernel_addresses(void)
{
	void *probe = (void *)0xffffffff81000000ul;
	char got[32], want[32];

	snprintf(got, sizeof(got), "%pK", probe);
	snprintf(want, sizeof(want), "%016lx", (unsigned long)probe);
	return !strcmp(got, want);
}

/* compat_ptr_ioctl() hands a 32-bit caller's argument over as it is: every
 * __u64 must sit at an offset that is 8-aligned for x86-64 and i386 alike
 * (i386 aligns __u64 to 4 inside structures). */
static_assert(sizeof(struct biosx_run) % 8 == 0 && offsetof(struct biosx_run, allow_ptr) % 8 == 0 &&
	      offsetof(struct biosx_run, error_code) % 8 == 0 && offsetof(struct biosx_run, msr_log) % 8 == 0 &&
	      offsetof(struct biosx_run, port_counts) % 8 == 0);
static_assert(sizeof(struct biosx_caps) % 8 == 0 && offsetof(struct biosx_caps, msr) % 8 == 0);
static_assert(offsetof(struct biosx_vmcs_record, vmxon_pa) % 8 == 0 &&
	      offsetof(struct biosx_vmcs_record, fields) % 8 == 0);

static int biosx_open(struct inode *inode, struct file *file)
{
	struct biosx_file *f;
	int err;

	/* Running code with host port access is as strong as /dev/mem. */
	if (!capable(CAP_SYS_RAWIO))
		return -EPERM;
	err = biosx_locked_down(true);
	if (err)
		return err;
	if (biosx_shutting_down())
		return -ESHUTDOWN;
	f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	err = biosx_guest_alloc(f);
	if (err) {
		biosx_guest_free(f);
		kfree(f);
		return err;
	}
	biosx_guest_init_memory(f);
	biosx_kick_init(f);
	file->private_data = f;
	return 0;
}

static int biosx_release(struct inode *inode, struct file *file)
{
	struct biosx_file *f = file->private_data;

	biosx_guest_free(f);
	kfree(f);
	return 0;
}

static int biosx_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct biosx_file *f = file->private_data;

	/* Any page-aligned part of the area, at its offset: userspace maps
	 * the VGA window back over its view after /dev/mem's (ABI 3). */
	if (vma->vm_pgoff >= BIOSX_GUEST_PAGES ||
	    vma->vm_end - vma->vm_start > BIOSX_GUEST_BYTES - (vma->vm_pgoff << PAGE_SHIFT))
		return -EINVAL;
	return remap_vmalloc_range(vma, f->mem, vma->vm_pgoff);
}

static long ioctl_run(struct biosx_file *f, void __user *argp)
{
	struct biosx_run *run;
	struct biosx_io_entry *log = NULL;
	u8 *allow = NULL;
	long err;

	run = kzalloc(sizeof(*run), GFP_KERNEL);
	if (!run)
		return -ENOMEM;
	err = -EFAULT;
	if (copy_from_user(run, argp, sizeof(*run)))
		goto out;
	err = -EINVAL;
	if (run->regs.reserved || (run->flags & ~BIOSX_RUN_FLAGS_ALL) ||
	    (run->flags & BIOSX_RUN_FORCE_UNRESTRICTED && run->flags & BIOSX_RUN_FORCE_VM86) ||
	    run->entry > BIOSX_ENTRY_FAR_CALL || run->vector > 255 || run->timeout_ms > 60000 ||
	    run->io_log_cap > 65536 || (run->io_log_cap && !run->io_log_ptr) ||
	    (run->flags & BIOSX_RUN_VIRTUAL_IO && run->flags & BIOSX_RUN_PASS_IO))
		goto out;
	/* Outputs start from zero whatever the caller left in them. */
	{
		u8 *bytes = (u8 *)run;
		size_t i;

		for (i = offsetof(struct biosx_run, end); i < sizeof(*run); i++)
			bytes[i] = 0;
	}
	if (run->allow_ptr) {
		allow = memdup_user(u64_to_user_ptr(run->allow_ptr), BIOSX_ALLOW_BYTES);
		if (IS_ERR(allow)) {
			err = PTR_ERR(allow);
			allow = NULL;
			goto out;
		}
	}
	if (run->io_log_cap) {
		err = -ENOMEM;
		log = kvcalloc(run->io_log_cap, sizeof(*log), GFP_KERNEL);
		if (!log)
			goto out;
	}
	err = biosx_locked_down(!(run->flags & BIOSX_RUN_VIRTUAL_IO));
	if (err)
		goto out;
	err = host_vga_allowed(run->flags);
	if (err)
		goto out;
	err = -ESHUTDOWN;
	if (biosx_shutting_down())
		goto out;
	err = -EINTR;
	if (mutex_lock_interruptible(&f->lock))
		goto out;
	err = biosx_run(f, run, allow, log);
	mutex_unlock(&f->lock);
	if (err)
		goto out;
	err = -EFAULT;
	if (log && copy_to_user(u64_to_user_ptr(run->io_log_ptr), log,
				min(run->io_log_count, run->io_log_cap) * sizeof(*log)))
		goto out;
	if (copy_to_user(argp, run, sizeof(*run)))
		goto out;
	err = 0;
out:
	kvfree(log);
	kfree(allow);
	kfree(run);
	return err;
}

static long ioctl_caps(void __user *argp)
{
	struct biosx_caps caps;
	int err;

	if (copy_from_user(&caps, argp, sizeof(caps)))
		return -EFAULT;
	err = biosx_read_caps(&caps);
	if (err)
		return err;
	return copy_to_user(argp, &caps, sizeof(caps)) ? -EFAULT : 0;
}

/* The record as this reader may see it: kernel and host-physical
 * addresses only under the %pK rules (biosx_may_see_kernel_addresses()). */
static long ioctl_vmcs(struct biosx_file *f, void __user *argp)
{
	struct biosx_vmcs_record *r;
	long err = 0;

	r = kvmalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;
	mutex_lock(&f->lock);
	memcpy(r, f->record, sizeof(*r));
	mutex_unlock(&f->lock);
	if (r->valid && !biosx_may_see_kernel_addresses())
		biosx_hide_addresses(r);
	if (copy_to_user(argp, r, sizeof(*r)))
		err = -EFAULT;
	kvfree(r);
	return err;
}

static long biosx_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct biosx_file *f = file->private_data;
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case BIOSX_IOC_VERSION:
		return put_user((u32)BIOSX_ABI_VERSION, (u32 __user *)argp);
	case BIOSX_IOC_RUN:
		return ioctl_run(f, argp);
	case BIOSX_IOC_GET_CAPS:
		return ioctl_caps(argp);
	case BIOSX_IOC_GET_VMCS:
		return ioctl_vmcs(f, argp);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations biosx_fops = {
	.owner = THIS_MODULE,	/* holds the module while a file is open */
	.open = biosx_open,
	.release = biosx_release,
	.mmap = biosx_mmap,
	.unlocked_ioctl = biosx_ioctl,
	/* Every ioctl argument has the same layout for 32-bit callers (fixed
	 * widths, 64-bit user pointers, sizes checked in uapi/biosx.h). */
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice biosx_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "biosx",
	.fops = &biosx_fops,
	.mode = 0600,
};

/* /proc/biosx: what /proc/linuxvmm showed in the original demo, and more. */
static int biosx_proc_show(struct seq_file *m, void *v)
{
	const struct biosx_vmx_caps *c = &biosx_caps;
	const char *t = (c->basic & BIOSX_VMX_BASIC_TRUE_CTLS) ? "TRUE_" : "";

	seq_printf(m, "abi_version %u\n", BIOSX_ABI_VERSION);
	seq_printf(m, "strategy %s\n", c->unrestricted ? "unrestricted" : "vm86");
	seq_printf(m, "preemption_timer %s\n", c->preemption_timer ? "yes" : "no");
	seq_printf(m, "IA32_VMX_BASIC 0x%016llx\n", c->basic);
	/* The control words were read from the TRUE MSRs where BASIC[55]
	 * says they exist (biosx_vmx_probe()): name the ones printed. */
	seq_printf(m, "IA32_VMX_%sPINBASED_CTLS 0x%016llx\n", t, c->pin);
	seq_printf(m, "IA32_VMX_%sPROCBASED_CTLS 0x%016llx\n", t, c->proc);
	seq_printf(m, "IA32_VMX_%sEXIT_CTLS 0x%016llx\n", t, c->exit);
	seq_printf(m, "IA32_VMX_%sENTRY_CTLS 0x%016llx\n", t, c->entry);
	seq_printf(m, "IA32_VMX_MISC 0x%016llx\n", c->misc);
	seq_printf(m, "IA32_VMX_CR0_FIXED0 0x%016llx\n", c->cr0_fixed0);
	seq_printf(m, "IA32_VMX_CR0_FIXED1 0x%016llx\n", c->cr0_fixed1);
	seq_printf(m, "IA32_VMX_CR4_FIXED0 0x%016llx\n", c->cr4_fixed0);
	seq_printf(m, "IA32_VMX_CR4_FIXED1 0x%016llx\n", c->cr4_fixed1);
	seq_printf(m, "IA32_VMX_VMCS_ENUM 0x%016llx\n", c->vmcs_enum);
	if (c->has_proc2)
		seq_printf(m, "IA32_VMX_PROCBASED_CTLS2 0x%016llx\n", c->proc2);
	if (c->ept_vpid)
		seq_printf(m, "IA32_VMX_EPT_VPID_CAP 0x%016llx\n", c->ept_vpid);
	if (biosx_may_see_kernel_addresses()) {
		seq_printf(m, "last_vmxon_pa 0x%llx\n", biosx_stats.last_vmxon_pa);
		seq_printf(m, "last_vmcs_pa 0x%llx\n", biosx_stats.last_vmcs_pa);
	} else {
		seq_puts(m, "last_vmxon_pa hidden\nlast_vmcs_pa hidden\n");
	}
	seq_printf(m, "runs %lld\n", atomic64_read(&biosx_stats.runs));
	seq_printf(m, "exits %lld\n", atomic64_read(&biosx_stats.exits));
	biosx_io_proc_show(m);
	biosx_guest_proc_show(m);
	return 0;
}

/*
 * Reboot, halt, power-off and kexec (kernel_restart_prepare() calls the
 * reboot notifiers): no run starts any more, runs in progress end at their
 * next exit, and the notifier returns once no CPU is in biosx's VMX
 * operation (a slice lasts milliseconds), so that every CPU can take INIT
 * again (VMX root operation blocks it: SDM Vol. 3C §24.8).
 */
static int biosx_reboot(struct notifier_block *nb, unsigned long code, void *unused)
{
	unsigned int cpu, tries;
	bool busy = true;

	WRITE_ONCE(shutting_down, true);
	for (tries = 0; busy && tries < 200; tries++) {
		busy = false;
		for_each_online_cpu(cpu)
			busy |= READ_ONCE(per_cpu(biosx_in_vmx, cpu));
		if (busy)
			msleep(5);
	}
	return NOTIFY_DONE;
}

static struct notifier_block biosx_reboot_nb = { .notifier_call = biosx_reboot };

/*
 * Crash kexec and emergency reboot stop the other CPUs with an NMI and then
 * call the one emergency-virtualization callback the kernel has
 * (cpu_emergency_register_virt_callback(), arch/x86/kernel/reboot.c; a
 * second registration is refused with a WARN). KVM's callback (kvm_intel)
 * leaves VMX operation on every CPU whose CR4.VMXE is set, biosx's
 * included; so biosx takes the slot only while kvm_intel is not loaded:
 * at load unless KVM is there, given up while kvm_intel comes, taken back
 * when it is gone (a module notifier).
 */
static DEFINE_MUTEX(emergency_lock);
static bool emergency_held;

static void biosx_emergency(void)
{
	biosx_host_emergency_vmxoff();
}

static void emergency_slot(bool take)
{
	mutex_lock(&emergency_lock);
	if (take && !emergency_held)
		cpu_emergency_register_virt_callback(biosx_emergency);
	else if (!take && emergency_held)
		cpu_emergency_unregister_virt_callback(biosx_emergency);
	emergency_held = take;
	mutex_unlock(&emergency_lock);
}

static int biosx_module_event(struct notifier_block *nb, unsigned long state, void *data)
{
	struct module *mod = data;

	if (strcmp(mod->name, "kvm_intel"))
		return NOTIFY_DONE;
	if (state == MODULE_STATE_COMING)
		emergency_slot(false);
	else if (state == MODULE_STATE_GOING)
		emergency_slot(true);
	return NOTIFY_DONE;
}

static struct notifier_block biosx_module_nb = { .notifier_call = biosx_module_event };

/* kvm.ko is loaded (it exports kvm_rebooting): kvm_intel holds the slot.
 * kvm_rebooting is data: the reference is dropped by name (__symbol_put());
 * symbol_put_addr() takes function addresses only and BUG()s on any other
 * (kernel/module/main.c), which loading biosx after kvm_intel hit. */
static bool kvm_loaded(void)
{
	if (!__symbol_get("kvm_rebooting"))
		return false;
	__symbol_put("kvm_rebooting");
	return true;
}

static int __init biosx_init(void)
{
	int err;

	err = biosx_vmx_probe();
	if (err)
		return err;
	err = biosx_io_load();	/* the port policy of this host */
	if (err)
		goto out_io;
	biosx_guest_load();	/* the host's low memory each open copies */
	err = misc_register(&biosx_misc);
	if (err)
		goto out_io;
	if (!proc_create_single("biosx", 0400, NULL, biosx_proc_show)) {
		misc_deregister(&biosx_misc);
		err = -ENOMEM;
		goto out_io;
	}
	register_reboot_notifier(&biosx_reboot_nb);
	register_module_notifier(&biosx_module_nb);
	if (!kvm_loaded())
		emergency_slot(true);
	return 0;
out_io:
	biosx_guest_unload();
	biosx_io_unload();
	return err;
}

static void __exit biosx_exit(void)
{
	unregister_module_notifier(&biosx_module_nb);
	emergency_slot(false);
	unregister_reboot_notifier(&biosx_reboot_nb);
	remove_proc_entry("biosx", NULL);
	misc_deregister(&biosx_misc);
	biosx_guest_unload();
	biosx_io_unload();
}

module_init(biosx_init);
module_exit(biosx_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Run real-mode ROM-BIOS routines in a VMX guest (biosx)");
