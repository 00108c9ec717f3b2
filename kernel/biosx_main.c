// SPDX-License-Identifier: GPL-2.0
/*
 * biosx_main.c - the /dev/biosx misc device (open, mmap of the guest area,
 * the ioctls), /proc/biosx, and module load/unload.
 * Kernel, process context.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/msr.h>

#include "biosx_priv.h"

/* BIOSX_IOC_RUN's allow bitmap: one bit per port. */
#define BIOSX_ALLOW_BYTES 8192

static int biosx_open(struct inode *inode, struct file *file)
{
	struct biosx_file *f;
	int err;

	/* Running code with host port access is as strong as /dev/mem. */
	if (!capable(CAP_SYS_RAWIO))
		return -EPERM;
	f = kzalloc(sizeof(*f), GFP_KERNEL);
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

	if (vma->vm_pgoff || vma->vm_end - vma->vm_start > BIOSX_GUEST_BYTES)
		return -EINVAL;
	return remap_vmalloc_range(vma, f->mem, 0);
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

static long ioctl_vmcs(struct biosx_file *f, void __user *argp)
{
	long err = 0;

	mutex_lock(&f->lock);
	if (copy_to_user(argp, f->record, sizeof(*f->record)))
		err = -EFAULT;
	mutex_unlock(&f->lock);
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

	seq_printf(m, "abi_version %u\n", BIOSX_ABI_VERSION);
	seq_printf(m, "strategy %s\n", c->unrestricted ? "unrestricted" : "vm86");
	seq_printf(m, "preemption_timer %s\n", c->preemption_timer ? "yes" : "no");
	seq_printf(m, "IA32_VMX_BASIC 0x%016llx\n", c->basic);
	seq_printf(m, "IA32_VMX_PINBASED_CTLS 0x%016llx\n", c->pin);
	seq_printf(m, "IA32_VMX_PROCBASED_CTLS 0x%016llx\n", c->proc);
	seq_printf(m, "IA32_VMX_EXIT_CTLS 0x%016llx\n", c->exit);
	seq_printf(m, "IA32_VMX_ENTRY_CTLS 0x%016llx\n", c->entry);
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
	seq_printf(m, "last_vmxon_pa 0x%llx\n", biosx_stats.last_vmxon_pa);
	seq_printf(m, "last_vmcs_pa 0x%llx\n", biosx_stats.last_vmcs_pa);
	seq_printf(m, "runs %lld\n", atomic64_read(&biosx_stats.runs));
	seq_printf(m, "exits %lld\n", atomic64_read(&biosx_stats.exits));
	biosx_io_proc_show(m);
	return 0;
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
	err = misc_register(&biosx_misc);
	if (err)
		goto out_io;
	if (!proc_create_single("biosx", 0400, NULL, biosx_proc_show)) {
		misc_deregister(&biosx_misc);
		err = -ENOMEM;
		goto out_io;
	}
	return 0;
out_io:
	biosx_io_unload();
	return err;
}

static void __exit biosx_exit(void)
{
	remove_proc_entry("biosx", NULL);
	misc_deregister(&biosx_misc);
	biosx_io_unload();
}

module_init(biosx_init);
module_exit(biosx_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Run real-mode ROM-BIOS routines in a VMX guest (biosx)");
