/* vmx_msrs.h - the VMX capability MSRs (SDM Vol. 3D Appendix A) and the rules
 * that say when each exists, the names of every VMX control bit (as bit
 * numbers and as masks), CR0/CR4 bits, and the field layouts of BASIC, MISC,
 * EPT_VPID_CAP and IA32_FEATURE_CONTROL. Pure C, no OS, no includes: compiled
 * by the module (kernel/) and the core library (src/core/caps/, src/core/vmx/).
 */
#ifndef BIOSX_X86_VMX_MSRS_H
#define BIOSX_X86_VMX_MSRS_H

/* --- The MSRs and when each exists ----------------------------------------
 * BIOSX_VMX_MSRS(X) expands X(NAME, INDEX, RULE). RULE says when the MSR
 * exists (reading it otherwise raises #GP, SDM Vol. 3D Appendix A):
 *   BIOSX_MSR_IF_VMX_OR_SMX  CPUID.1:ECX.VMX[5] or CPUID.1:ECX.SMX[6] (SDM Vol. 4, 0x3A)
 *   BIOSX_MSR_IF_VMX         CPUID.1:ECX.VMX[5] = 1 (§A.1)
 *   BIOSX_MSR_IF_TRUE_CTLS   IA32_VMX_BASIC[55] = 1 (§A.2)
 *   BIOSX_MSR_IF_PROC2       IA32_VMX_PROCBASED_CTLS[63] = 1: "activate
 *                            secondary controls" may be 1 (§A.3.3)
 *   BIOSX_MSR_IF_EPT_OR_VPID PROCBASED_CTLS2 exists and allowed-1 of "enable
 *                            EPT" (bit 33) or "enable VPID" (bit 37) (§A.10)
 *   BIOSX_MSR_IF_VMFUNC      PROCBASED_CTLS2 exists and "enable VM functions"
 *                            may be 1 (bit 45) (§A.11)
 *   BIOSX_MSR_IF_PROC3       IA32_VMX_PROCBASED_CTLS[49] = 1: "activate
 *                            tertiary controls" may be 1 (§A.3.4)
 *   BIOSX_MSR_IF_EXIT2       IA32_VMX_EXIT_CTLS[63] = 1: "activate secondary
 *                            controls" of VM exit may be 1 (§A.4.2)
 */
#define BIOSX_MSR_IF_VMX_OR_SMX 0
#define BIOSX_MSR_IF_VMX 1
#define BIOSX_MSR_IF_TRUE_CTLS 2
#define BIOSX_MSR_IF_PROC2 3
#define BIOSX_MSR_IF_EPT_OR_VPID 4
#define BIOSX_MSR_IF_VMFUNC 5
#define BIOSX_MSR_IF_PROC3 6
#define BIOSX_MSR_IF_EXIT2 7

#define BIOSX_VMX_MSRS(X) \
	X(IA32_FEATURE_CONTROL, 0x03a, BIOSX_MSR_IF_VMX_OR_SMX) \
	X(IA32_VMX_BASIC, 0x480, BIOSX_MSR_IF_VMX) \
	X(IA32_VMX_PINBASED_CTLS, 0x481, BIOSX_MSR_IF_VMX) \
	X(IA32_VMX_PROCBASED_CTLS, 0x482, BIOSX_MSR_IF_VMX) \
	X(IA32_VMX_EXIT_CTLS, 0x483, BIOSX_MSR_IF_VMX) \
	X(IA32_VMX_ENTRY_CTLS, 0x484, BIOSX_MSR_IF_VMX) \
	X(IA32_VMX_MISC, 0x485, BIOSX_MSR_IF_VMX) \
	X(IA32_VMX_CR0_FIXED0, 0x486, BIOSX_MSR_IF_VMX) \
	X(IA32_VMX_CR0_FIXED1, 0x487, BIOSX_MSR_IF_VMX) \
	X(IA32_VMX_CR4_FIXED0, 0x488, BIOSX_MSR_IF_VMX) \
	X(IA32_VMX_CR4_FIXED1, 0x489, BIOSX_MSR_IF_VMX) \
	X(IA32_VMX_VMCS_ENUM, 0x48a, BIOSX_MSR_IF_VMX) \
	X(IA32_VMX_PROCBASED_CTLS2, 0x48b, BIOSX_MSR_IF_PROC2) \
	X(IA32_VMX_EPT_VPID_CAP, 0x48c, BIOSX_MSR_IF_EPT_OR_VPID) \
	X(IA32_VMX_TRUE_PINBASED_CTLS, 0x48d, BIOSX_MSR_IF_TRUE_CTLS) \
	X(IA32_VMX_TRUE_PROCBASED_CTLS, 0x48e, BIOSX_MSR_IF_TRUE_CTLS) \
	X(IA32_VMX_TRUE_EXIT_CTLS, 0x48f, BIOSX_MSR_IF_TRUE_CTLS) \
	X(IA32_VMX_TRUE_ENTRY_CTLS, 0x490, BIOSX_MSR_IF_TRUE_CTLS) \
	X(IA32_VMX_VMFUNC, 0x491, BIOSX_MSR_IF_VMFUNC) \
	X(IA32_VMX_PROCBASED_CTLS3, 0x492, BIOSX_MSR_IF_PROC3) \
	X(IA32_VMX_EXIT_CTLS2, 0x493, BIOSX_MSR_IF_EXIT2)

#define BIOSX_MSR_IA32_FEATURE_CONTROL 0x03au
#define BIOSX_MSR_IA32_VMX_BASIC 0x480u
#define BIOSX_MSR_IA32_VMX_PINBASED_CTLS 0x481u
#define BIOSX_MSR_IA32_VMX_PROCBASED_CTLS 0x482u
#define BIOSX_MSR_IA32_VMX_EXIT_CTLS 0x483u
#define BIOSX_MSR_IA32_VMX_ENTRY_CTLS 0x484u
#define BIOSX_MSR_IA32_VMX_MISC 0x485u
#define BIOSX_MSR_IA32_VMX_CR0_FIXED0 0x486u
#define BIOSX_MSR_IA32_VMX_CR0_FIXED1 0x487u
#define BIOSX_MSR_IA32_VMX_CR4_FIXED0 0x488u
#define BIOSX_MSR_IA32_VMX_CR4_FIXED1 0x489u
#define BIOSX_MSR_IA32_VMX_VMCS_ENUM 0x48au
#define BIOSX_MSR_IA32_VMX_PROCBASED_CTLS2 0x48bu
#define BIOSX_MSR_IA32_VMX_EPT_VPID_CAP 0x48cu
#define BIOSX_MSR_IA32_VMX_TRUE_PINBASED_CTLS 0x48du
#define BIOSX_MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48eu
#define BIOSX_MSR_IA32_VMX_TRUE_EXIT_CTLS 0x48fu
#define BIOSX_MSR_IA32_VMX_TRUE_ENTRY_CTLS 0x490u
#define BIOSX_MSR_IA32_VMX_VMFUNC 0x491u
#define BIOSX_MSR_IA32_VMX_PROCBASED_CTLS3 0x492u
#define BIOSX_MSR_IA32_VMX_EXIT_CTLS2 0x493u

/* CPUID facts biosx needs (SDM Vol. 2A CPUID; AMD APM Vol. 3 for SVM). */
#define BIOSX_CPUID1_ECX_VMX (1u << 5)
#define BIOSX_CPUID1_ECX_SMX (1u << 6)
#define BIOSX_CPUID80000001_ECX_SVM (1u << 2)
#define BIOSX_CPUID_SVM_LEAF 0x8000000au /* EAX[7:0] revision, EBX ASIDs, EDX features */

/* --- IA32_FEATURE_CONTROL (SDM Vol. 4 Table 2-2, MSR 0x3A) --- X(NAME, BIT, "description");
 * each bit also as a mask, BIOSX_FEATCTL_<NAME>. */
#define BIOSX_FEATURE_CONTROL_BITS(X) \
	X(LOCKED, 0, "lock bit") \
	X(VMX_INSIDE_SMX, 1, "enable VMX inside SMX operation") \
	X(VMX_OUTSIDE_SMX, 2, "enable VMX outside SMX operation") \
	X(SENTER_LOCAL_0, 8, "SENTER local function enable 0") \
	X(SENTER_LOCAL_1, 9, "SENTER local function enable 1") \
	X(SENTER_LOCAL_2, 10, "SENTER local function enable 2") \
	X(SENTER_LOCAL_3, 11, "SENTER local function enable 3") \
	X(SENTER_LOCAL_4, 12, "SENTER local function enable 4") \
	X(SENTER_LOCAL_5, 13, "SENTER local function enable 5") \
	X(SENTER_LOCAL_6, 14, "SENTER local function enable 6") \
	X(SENTER_GLOBAL, 15, "SENTER global enable") \
	X(SGX_LAUNCH_CONTROL, 17, "SGX launch control enable") \
	X(SGX_GLOBAL, 18, "SGX global enable") \
	X(LMCE_ON, 20, "LMCE on")
#define BIOSX_FEATCTL_MASK_(name, bit, what) BIOSX_FEATCTL_##name = 1u << (bit),
enum { BIOSX_FEATURE_CONTROL_BITS(BIOSX_FEATCTL_MASK_) };
#undef BIOSX_FEATCTL_MASK_

/* --- IA32_VMX_BASIC (SDM Vol. 3D §A.1) --- */
#define BIOSX_VMX_BASIC_REVISION_MASK 0x7fffffffull      /* bits 30:0 VMCS revision identifier */
#define BIOSX_VMX_BASIC_VMCS_SIZE_SHIFT 32               /* bits 44:32 VMXON/VMCS region size, bytes */
#define BIOSX_VMX_BASIC_VMCS_SIZE_MASK 0x1fffull
#define BIOSX_VMX_BASIC_PA_32BIT (1ull << 48)            /* region addresses limited to 32 bits */
#define BIOSX_VMX_BASIC_DUAL_MONITOR (1ull << 49)        /* dual-monitor treatment of SMI and SMM */
#define BIOSX_VMX_BASIC_MEM_TYPE_SHIFT 50                /* bits 53:50 VMCS memory type */
#define BIOSX_VMX_BASIC_MEM_TYPE_MASK 0xfull
#define BIOSX_VMX_BASIC_INOUT (1ull << 54)               /* INS/OUTS info in VMX_INSTRUCTION_INFO */
#define BIOSX_VMX_BASIC_TRUE_CTLS (1ull << 55)           /* IA32_VMX_TRUE_*_CTLS exist */
#define BIOSX_VMX_BASIC_NO_HW_ERRCODE_CHECK (1ull << 56) /* entry may deliver HW exceptions with/without error code */
#define BIOSX_MEM_TYPE_UC 0
#define BIOSX_MEM_TYPE_WB 6

/* --- IA32_VMX_MISC (SDM Vol. 3D §A.6) --- */
#define BIOSX_VMX_MISC_PREEMPT_RATE_MASK 0x1full  /* bits 4:0: timer ticks when TSC bit N changes */
#define BIOSX_VMX_MISC_SAVE_EFER_LMA (1ull << 5)  /* exit stores EFER.LMA into "IA-32e mode guest" */
#define BIOSX_VMX_MISC_ACTIVITY_HLT (1ull << 6)
#define BIOSX_VMX_MISC_ACTIVITY_SHUTDOWN (1ull << 7)
#define BIOSX_VMX_MISC_ACTIVITY_WAIT_SIPI (1ull << 8)
#define BIOSX_VMX_MISC_PT_IN_VMX (1ull << 14)     /* Intel PT usable in VMX operation */
#define BIOSX_VMX_MISC_RDMSR_SMBASE (1ull << 15)  /* RDMSR may read IA32_SMBASE in SMM */
#define BIOSX_VMX_MISC_CR3_TARGETS_SHIFT 16       /* bits 24:16 number of CR3-target values */
#define BIOSX_VMX_MISC_CR3_TARGETS_MASK 0x1ffull
#define BIOSX_VMX_MISC_MSR_LIST_SHIFT 25          /* bits 27:25: max MSR-list entries = 512 * (N + 1) */
#define BIOSX_VMX_MISC_MSR_LIST_MASK 0x7ull
#define BIOSX_VMX_MISC_SMM_MONITOR_CTL_B2 (1ull << 28) /* IA32_SMM_MONITOR_CTL bit 2 may be 1 */
#define BIOSX_VMX_MISC_VMWRITE_ANY (1ull << 29)   /* VMWRITE may write VM-exit information fields */
#define BIOSX_VMX_MISC_ZERO_LEN_INJECT (1ull << 30) /* entry allows injecting soft events with length 0 */
#define BIOSX_VMX_MISC_MSEG_REV_SHIFT 32          /* bits 63:32 MSEG revision identifier */

/* --- IA32_VMX_VMCS_ENUM (SDM Vol. 3D §A.9): bits 9:1 highest index --- */
#define BIOSX_VMX_VMCS_ENUM_MAX_INDEX(v) (((v) >> 1) & 0x1ffu)

/* --- IA32_VMX_EPT_VPID_CAP (SDM Vol. 3D §A.10) --- X(NAME, BIT, "description") */
#define BIOSX_EPT_VPID_CAP_BITS(X) \
	X(EPT_EXECUTE_ONLY, 0, "EPT execute-only translations") \
	X(EPT_PAGE_WALK_4, 6, "page-walk length of 4") \
	X(EPT_PAGE_WALK_5, 7, "page-walk length of 5") \
	X(EPT_MEMTYPE_UC, 8, "EPT paging-structure memory type uncacheable") \
	X(EPT_MEMTYPE_WB, 14, "EPT paging-structure memory type write-back") \
	X(EPT_2MB_PAGE, 16, "EPT PDE may map a 2-Mbyte page") \
	X(EPT_1GB_PAGE, 17, "EPT PDPTE may map a 1-Gbyte page") \
	X(INVEPT, 20, "INVEPT supported") \
	X(EPT_AD, 21, "accessed and dirty flags for EPT") \
	X(EPT_ADVANCED_EXIT_INFO, 22, "advanced VM-exit information for EPT violations") \
	X(EPT_SUPERVISOR_SHADOW_STACK, 23, "supervisor shadow-stack control") \
	X(INVEPT_SINGLE_CONTEXT, 25, "single-context INVEPT") \
	X(INVEPT_ALL_CONTEXT, 26, "all-context INVEPT") \
	X(INVVPID, 32, "INVVPID supported") \
	X(INVVPID_INDIVIDUAL_ADDR, 40, "individual-address INVVPID") \
	X(INVVPID_SINGLE_CONTEXT, 41, "single-context INVVPID") \
	X(INVVPID_ALL_CONTEXT, 42, "all-context INVVPID") \
	X(INVVPID_SINGLE_CONTEXT_RETAIN_GLOBALS, 43, "single-context-retaining-globals INVVPID")
#define BIOSX_EPT_VPID_CAP_HLAT_PREFIX_SHIFT 48 /* bits 53:48 maximum HLAT prefix size */
#define BIOSX_EPT_VPID_CAP_HLAT_PREFIX_MASK 0x3full

/* --- IA32_VMX_VMFUNC (SDM Vol. 3D §A.11) --- */
#define BIOSX_VMFUNC_BITS(X) X(EPTP_SWITCHING, 0, "EPTP switching")

/* --- VM-execution, VM-exit and VM-entry controls ---------------------------
 * X(NAME, BIT, "SDM name"); NAME is the Linux-style identifier without its
 * prefix (PIN_BASED_, CPU_BASED_, SECONDARY_EXEC_, TERTIARY_EXEC_, VM_EXIT_,
 * SECONDARY_VM_EXIT_, VM_ENTRY_). Bits not listed are reserved.
 * SDM Vol. 3C §25.6.1-25.6.2, §25.7.1, §25.8.1. */
#define BIOSX_PIN_BASED_CONTROLS(X) \
	X(EXT_INTR_EXITING, 0, "External-interrupt exiting") \
	X(NMI_EXITING, 3, "NMI exiting") \
	X(VIRTUAL_NMIS, 5, "Virtual NMIs") \
	X(VMX_PREEMPTION_TIMER, 6, "Activate VMX-preemption timer") \
	X(POSTED_INTR, 7, "Process posted interrupts")

#define BIOSX_CPU_BASED_CONTROLS(X) \
	X(INTR_WINDOW_EXITING, 2, "Interrupt-window exiting") \
	X(USE_TSC_OFFSETTING, 3, "Use TSC offsetting") \
	X(HLT_EXITING, 7, "HLT exiting") \
	X(INVLPG_EXITING, 9, "INVLPG exiting") \
	X(MWAIT_EXITING, 10, "MWAIT exiting") \
	X(RDPMC_EXITING, 11, "RDPMC exiting") \
	X(RDTSC_EXITING, 12, "RDTSC exiting") \
	X(CR3_LOAD_EXITING, 15, "CR3-load exiting") \
	X(CR3_STORE_EXITING, 16, "CR3-store exiting") \
	X(ACTIVATE_TERTIARY_CONTROLS, 17, "Activate tertiary controls") \
	X(CR8_LOAD_EXITING, 19, "CR8-load exiting") \
	X(CR8_STORE_EXITING, 20, "CR8-store exiting") \
	X(TPR_SHADOW, 21, "Use TPR shadow") \
	X(NMI_WINDOW_EXITING, 22, "NMI-window exiting") \
	X(MOV_DR_EXITING, 23, "MOV-DR exiting") \
	X(UNCOND_IO_EXITING, 24, "Unconditional I/O exiting") \
	X(USE_IO_BITMAPS, 25, "Use I/O bitmaps") \
	X(MONITOR_TRAP_FLAG, 27, "Monitor trap flag") \
	X(USE_MSR_BITMAPS, 28, "Use MSR bitmaps") \
	X(MONITOR_EXITING, 29, "MONITOR exiting") \
	X(PAUSE_EXITING, 30, "PAUSE exiting") \
	X(ACTIVATE_SECONDARY_CONTROLS, 31, "Activate secondary controls")

#define BIOSX_SECONDARY_EXEC_CONTROLS(X) \
	X(VIRTUALIZE_APIC_ACCESSES, 0, "Virtualize APIC accesses") \
	X(ENABLE_EPT, 1, "Enable EPT") \
	X(DESC, 2, "Descriptor-table exiting") \
	X(ENABLE_RDTSCP, 3, "Enable RDTSCP") \
	X(VIRTUALIZE_X2APIC_MODE, 4, "Virtualize x2APIC mode") \
	X(ENABLE_VPID, 5, "Enable VPID") \
	X(WBINVD_EXITING, 6, "WBINVD exiting") \
	X(UNRESTRICTED_GUEST, 7, "Unrestricted guest") \
	X(APIC_REGISTER_VIRT, 8, "APIC-register virtualization") \
	X(VIRTUAL_INTR_DELIVERY, 9, "Virtual-interrupt delivery") \
	X(PAUSE_LOOP_EXITING, 10, "PAUSE-loop exiting") \
	X(RDRAND_EXITING, 11, "RDRAND exiting") \
	X(ENABLE_INVPCID, 12, "Enable INVPCID") \
	X(ENABLE_VMFUNC, 13, "Enable VM functions") \
	X(SHADOW_VMCS, 14, "VMCS shadowing") \
	X(ENCLS_EXITING, 15, "Enable ENCLS exiting") \
	X(RDSEED_EXITING, 16, "RDSEED exiting") \
	X(ENABLE_PML, 17, "Enable PML") \
	X(EPT_VIOLATION_VE, 18, "EPT-violation #VE") \
	X(PT_CONCEAL_VMX, 19, "Conceal VMX from PT") \
	X(XSAVES, 20, "Enable XSAVES/XRSTORS") \
	X(PASID_TRANSLATION, 21, "PASID translation") \
	X(MODE_BASED_EPT_EXEC, 22, "Mode-based execute control for EPT") \
	X(EPT_SUB_PAGE_WRITE, 23, "Sub-page write permissions for EPT") \
	X(PT_USE_GPA, 24, "Intel PT uses guest physical addresses") \
	X(TSC_SCALING, 25, "Use TSC scaling") \
	X(ENABLE_USR_WAIT_PAUSE, 26, "Enable user wait and pause") \
	X(ENABLE_PCONFIG, 27, "Enable PCONFIG") \
	X(ENCLV_EXITING, 28, "Enable ENCLV exiting") \
	X(BUS_LOCK_DETECTION, 30, "VMM bus-lock detection") \
	X(NOTIFY_VM_EXITING, 31, "Instruction timeout")

#define BIOSX_TERTIARY_EXEC_CONTROLS(X) \
	X(LOADIWKEY_EXITING, 0, "LOADIWKEY exiting") \
	X(ENABLE_HLAT, 1, "Enable HLAT") \
	X(EPT_PAGING_WRITE, 2, "EPT paging-write control") \
	X(GUEST_PAGING_VERIFY, 3, "Guest-paging verification") \
	X(IPI_VIRT, 4, "IPI virtualization") \
	X(VIRT_SPEC_CTRL, 7, "Virtualize IA32_SPEC_CTRL")

#define BIOSX_VM_EXIT_CONTROLS(X) \
	X(SAVE_DEBUG_CONTROLS, 2, "Save debug controls") \
	X(HOST_ADDR_SPACE_SIZE, 9, "Host address-space size") \
	X(LOAD_IA32_PERF_GLOBAL_CTRL, 12, "Load IA32_PERF_GLOBAL_CTRL") \
	X(ACK_INTR_ON_EXIT, 15, "Acknowledge interrupt on exit") \
	X(SAVE_IA32_PAT, 18, "Save IA32_PAT") \
	X(LOAD_IA32_PAT, 19, "Load IA32_PAT") \
	X(SAVE_IA32_EFER, 20, "Save IA32_EFER") \
	X(LOAD_IA32_EFER, 21, "Load IA32_EFER") \
	X(SAVE_VMX_PREEMPTION_TIMER, 22, "Save VMX-preemption timer value") \
	X(CLEAR_BNDCFGS, 23, "Clear IA32_BNDCFGS") \
	X(PT_CONCEAL_PIP, 24, "Conceal VMX from PT") \
	X(CLEAR_IA32_RTIT_CTL, 25, "Clear IA32_RTIT_CTL") \
	X(CLEAR_IA32_LBR_CTL, 26, "Clear IA32_LBR_CTL") \
	X(CLEAR_UINV, 27, "Clear UINV") \
	X(LOAD_CET_STATE, 28, "Load CET state") \
	X(LOAD_PKRS, 29, "Load PKRS") \
	X(SAVE_IA32_PERF_GLOBAL_CTRL, 30, "Save IA32_PERF_GLOBAL_CTL") \
	X(ACTIVATE_SECONDARY_CONTROLS, 31, "Activate secondary controls")

#define BIOSX_SECONDARY_VM_EXIT_CONTROLS(X) \
	X(SAVE_IA32_FRED, 0, "Save IA32_FRED") \
	X(LOAD_IA32_FRED, 1, "Load IA32_FRED")

#define BIOSX_VM_ENTRY_CONTROLS(X) \
	X(LOAD_DEBUG_CONTROLS, 2, "Load debug controls") \
	X(IA32E_MODE, 9, "IA-32e mode guest") \
	X(SMM, 10, "Entry to SMM") \
	X(DEACT_DUAL_MONITOR, 11, "Deactivate dual-monitor treatment") \
	X(LOAD_IA32_PERF_GLOBAL_CTRL, 13, "Load IA32_PERF_GLOBAL_CTRL") \
	X(LOAD_IA32_PAT, 14, "Load IA32_PAT") \
	X(LOAD_IA32_EFER, 15, "Load IA32_EFER") \
	X(LOAD_BNDCFGS, 16, "Load IA32_BNDCFGS") \
	X(PT_CONCEAL_PIP, 17, "Conceal VMX from PT") \
	X(LOAD_IA32_RTIT_CTL, 18, "Load IA32_RTIT_CTL") \
	X(LOAD_UINV, 19, "Load UINV") \
	X(LOAD_CET_STATE, 20, "Load CET state") \
	X(LOAD_IA32_LBR_CTL, 21, "Load guest IA32_LBR_CTL") \
	X(LOAD_PKRS, 22, "Load PKRS") \
	X(LOAD_IA32_FRED, 23, "Load IA32_FRED")

/* Each control bit as a mask, generated from the tables above so that code
 * names a control instead of spelling its bit: BIOSX_PIN_<NAME>,
 * BIOSX_PROC_<NAME>, BIOSX_PROC2_<NAME>, BIOSX_EXITCTL_<NAME> and
 * BIOSX_ENTRYCTL_<NAME> for the 32-bit control words, BIOSX_PROC3_<NAME> and
 * BIOSX_EXITCTL2_<NAME> for the 64-bit ones (whose named bits all lie below
 * 32). In the capability MSR of a 32-bit word, the allowed-1 setting of a
 * control is its mask shifted left by 32 (SDM Vol. 3D §A.3.1). */
#define BIOSX_PIN_MASK_(name, bit, what) BIOSX_PIN_##name = 1u << (bit),
#define BIOSX_PROC_MASK_(name, bit, what) BIOSX_PROC_##name = 1u << (bit),
#define BIOSX_PROC2_MASK_(name, bit, what) BIOSX_PROC2_##name = 1u << (bit),
#define BIOSX_PROC3_MASK_(name, bit, what) BIOSX_PROC3_##name = 1u << (bit),
#define BIOSX_EXITCTL_MASK_(name, bit, what) BIOSX_EXITCTL_##name = 1u << (bit),
#define BIOSX_EXITCTL2_MASK_(name, bit, what) BIOSX_EXITCTL2_##name = 1u << (bit),
#define BIOSX_ENTRYCTL_MASK_(name, bit, what) BIOSX_ENTRYCTL_##name = 1u << (bit),
enum { BIOSX_PIN_BASED_CONTROLS(BIOSX_PIN_MASK_) };
enum { BIOSX_CPU_BASED_CONTROLS(BIOSX_PROC_MASK_) };
enum { BIOSX_SECONDARY_EXEC_CONTROLS(BIOSX_PROC2_MASK_) };
enum { BIOSX_TERTIARY_EXEC_CONTROLS(BIOSX_PROC3_MASK_) };
enum { BIOSX_VM_EXIT_CONTROLS(BIOSX_EXITCTL_MASK_) };
enum { BIOSX_SECONDARY_VM_EXIT_CONTROLS(BIOSX_EXITCTL2_MASK_) };
enum { BIOSX_VM_ENTRY_CONTROLS(BIOSX_ENTRYCTL_MASK_) };
#undef BIOSX_PIN_MASK_
#undef BIOSX_PROC_MASK_
#undef BIOSX_PROC2_MASK_
#undef BIOSX_PROC3_MASK_
#undef BIOSX_EXITCTL_MASK_
#undef BIOSX_EXITCTL2_MASK_
#undef BIOSX_ENTRYCTL_MASK_

/* IA32_VMX_EPT_VPID_CAP bits reach bit 43, past what an enum holds in C:
 * BIOSX_EPTCAP_<NAME> is the bit number, tested as (cap >> BIT) & 1. */
#define BIOSX_EPTCAP_BIT_(name, bit, what) BIOSX_EPTCAP_##name = bit,
enum { BIOSX_EPT_VPID_CAP_BITS(BIOSX_EPTCAP_BIT_) };
#undef BIOSX_EPTCAP_BIT_

/* The "default1" class of each 32-bit control word (SDM Vol. 3D §A.2): bits
 * reserved to 1 in the non-TRUE MSRs. With IA32_VMX_BASIC[55] = 1 the TRUE
 * MSR tells which of them may nevertheless be 0. */
#define BIOSX_PIN_BASED_DEFAULT1 0x00000016u  /* bits 1, 2, 4 */
#define BIOSX_CPU_BASED_DEFAULT1 0x0401e172u  /* bits 1, 4-6, 8, 13-16, 26 */
#define BIOSX_VM_EXIT_DEFAULT1 0x00036dffu    /* bits 0-8, 10, 11, 13, 14, 16, 17 */
#define BIOSX_VM_ENTRY_DEFAULT1 0x000011ffu   /* bits 0-8, 12 */

/* --- CR0 and CR4 (SDM Vol. 3A §2.5) --- X(NAME, BIT) */
#define BIOSX_CR0_BITS(X) \
	X(PE, 0) X(MP, 1) X(EM, 2) X(TS, 3) X(ET, 4) X(NE, 5) X(WP, 16) X(AM, 18) \
	X(NW, 29) X(CD, 30) X(PG, 31)
#define BIOSX_CR4_BITS(X) \
	X(VME, 0) X(PVI, 1) X(TSD, 2) X(DE, 3) X(PSE, 4) X(PAE, 5) X(MCE, 6) X(PGE, 7) \
	X(PCE, 8) X(OSFXSR, 9) X(OSXMMEXCPT, 10) X(UMIP, 11) X(LA57, 12) X(VMXE, 13) \
	X(SMXE, 14) X(FSGSBASE, 16) X(PCIDE, 17) X(OSXSAVE, 18) X(KL, 19) X(SMEP, 20) \
	X(SMAP, 21) X(PKE, 22) X(CET, 23) X(PKS, 24) X(UINTR, 25) X(LASS, 27) \
	X(LAM_SUP, 28) X(FRED, 32)

#define BIOSX_CR0_PE (1ull << 0)
#define BIOSX_CR0_EM (1ull << 2)
#define BIOSX_CR0_TS (1ull << 3)
#define BIOSX_CR0_NE (1ull << 5)
#define BIOSX_CR0_NW (1ull << 29)
#define BIOSX_CR0_CD (1ull << 30)
#define BIOSX_CR0_PG (1ull << 31)
#define BIOSX_CR4_VME (1ull << 0)
#define BIOSX_CR4_VMXE (1ull << 13)

/* --- The existence rules as code ---------------------------------------
 * One evaluation of the RULE column above, compiled by both sides: the
 * module reads an MSR only when its rule holds (a read of one that does not
 * exist raises #GP), and `biosx caps` says for every MSR whether it exists,
 * also for a saved capability file in which some values were never recorded.
 *
 * The rules read CPUID.1:ECX and four MSRs: BASIC, PROCBASED_CTLS,
 * PROCBASED_CTLS2 and EXIT_CTLS. Each of those comes earlier in
 * BIOSX_VMX_MSRS than every MSR whose rule reads it, so a reader that goes
 * through the table in order always knows what the next rule needs.
 *
 * struct biosx_vmx_msr_facts holds what is known of them: biosx_vmx_msr_fact()
 * records a value, or 0 for an MSR known not to exist (it allows nothing).
 * A rule that needs an MSR nobody recorded answers BIOSX_MSR_EXISTS_UNKNOWN.
 */
#define BIOSX_MSR_EXISTS_NO 0
#define BIOSX_MSR_EXISTS_YES 1
#define BIOSX_MSR_EXISTS_UNKNOWN 2

#define BIOSX_FACT_BASIC 1u
#define BIOSX_FACT_PROCBASED 2u
#define BIOSX_FACT_PROCBASED2 4u
#define BIOSX_FACT_EXIT 8u

struct biosx_vmx_msr_facts {
	unsigned int cpuid1_ecx;
	unsigned int known; /* BIOSX_FACT_*: which of the values below are known */
	unsigned long long basic, procbased, procbased2, exit;
};

/* Records what is known of MSR INDEX; any MSR no rule reads is ignored. */
static inline void biosx_vmx_msr_fact(struct biosx_vmx_msr_facts *f, unsigned int index,
				      unsigned long long value)
{
	switch (index) {
	case BIOSX_MSR_IA32_VMX_BASIC:
		f->basic = value;
		f->known |= BIOSX_FACT_BASIC;
		break;
	case BIOSX_MSR_IA32_VMX_PROCBASED_CTLS:
		f->procbased = value;
		f->known |= BIOSX_FACT_PROCBASED;
		break;
	case BIOSX_MSR_IA32_VMX_PROCBASED_CTLS2:
		f->procbased2 = value;
		f->known |= BIOSX_FACT_PROCBASED2;
		break;
	case BIOSX_MSR_IA32_VMX_EXIT_CTLS:
		f->exit = value;
		f->known |= BIOSX_FACT_EXIT;
		break;
	}
}

/* Whether any bit of MASK is set in VALUE, when the fact WHICH is known. */
static inline int biosx_fact_has(const struct biosx_vmx_msr_facts *f, unsigned int which,
				 unsigned long long value, unsigned long long mask)
{
	if (!(f->known & which))
		return BIOSX_MSR_EXISTS_UNKNOWN;
	return (value & mask) ? BIOSX_MSR_EXISTS_YES : BIOSX_MSR_EXISTS_NO;
}

/* Three-valued AND and OR: NO decides AND, YES decides OR. */
static inline int biosx_exists_and(int a, int b)
{
	if (a == BIOSX_MSR_EXISTS_NO || b == BIOSX_MSR_EXISTS_NO)
		return BIOSX_MSR_EXISTS_NO;
	if (a == BIOSX_MSR_EXISTS_UNKNOWN || b == BIOSX_MSR_EXISTS_UNKNOWN)
		return BIOSX_MSR_EXISTS_UNKNOWN;
	return BIOSX_MSR_EXISTS_YES;
}

static inline int biosx_exists_or(int a, int b)
{
	if (a == BIOSX_MSR_EXISTS_YES || b == BIOSX_MSR_EXISTS_YES)
		return BIOSX_MSR_EXISTS_YES;
	if (a == BIOSX_MSR_EXISTS_UNKNOWN || b == BIOSX_MSR_EXISTS_UNKNOWN)
		return BIOSX_MSR_EXISTS_UNKNOWN;
	return BIOSX_MSR_EXISTS_NO;
}

/* Whether an MSR with rule RULE exists, by what F knows (SDM Vol. 3D
 * Appendix A; the rules are listed at the top of this file). The allowed-1
 * settings of a 32-bit control word are bits 63:32 of its capability MSR. */
static inline int biosx_vmx_msr_exists(unsigned int rule, const struct biosx_vmx_msr_facts *f)
{
	const int vmx = (f->cpuid1_ecx & BIOSX_CPUID1_ECX_VMX) ? BIOSX_MSR_EXISTS_YES : BIOSX_MSR_EXISTS_NO;
	const int proc2 = biosx_fact_has(f, BIOSX_FACT_PROCBASED, f->procbased >> 32,
					 BIOSX_PROC_ACTIVATE_SECONDARY_CONTROLS);

	switch (rule) {
	case BIOSX_MSR_IF_VMX_OR_SMX:
		return (f->cpuid1_ecx & (BIOSX_CPUID1_ECX_VMX | BIOSX_CPUID1_ECX_SMX)) ? BIOSX_MSR_EXISTS_YES
											: BIOSX_MSR_EXISTS_NO;
	case BIOSX_MSR_IF_VMX:
		return vmx;
	case BIOSX_MSR_IF_TRUE_CTLS:
		return biosx_exists_and(vmx, biosx_fact_has(f, BIOSX_FACT_BASIC, f->basic, BIOSX_VMX_BASIC_TRUE_CTLS));
	case BIOSX_MSR_IF_PROC2:
		return biosx_exists_and(vmx, proc2);
	case BIOSX_MSR_IF_EPT_OR_VPID:
		return biosx_exists_and(vmx, biosx_exists_and(proc2, biosx_fact_has(f, BIOSX_FACT_PROCBASED2,
				f->procbased2 >> 32, BIOSX_PROC2_ENABLE_EPT | BIOSX_PROC2_ENABLE_VPID)));
	case BIOSX_MSR_IF_VMFUNC:
		return biosx_exists_and(vmx, biosx_exists_and(proc2, biosx_fact_has(f, BIOSX_FACT_PROCBASED2,
				f->procbased2 >> 32, BIOSX_PROC2_ENABLE_VMFUNC)));
	case BIOSX_MSR_IF_PROC3:
		return biosx_exists_and(vmx, biosx_fact_has(f, BIOSX_FACT_PROCBASED, f->procbased >> 32,
							    BIOSX_PROC_ACTIVATE_TERTIARY_CONTROLS));
	case BIOSX_MSR_IF_EXIT2:
		return biosx_exists_and(vmx, biosx_fact_has(f, BIOSX_FACT_EXIT, f->exit >> 32,
							    BIOSX_EXITCTL_ACTIVATE_SECONDARY_CONTROLS));
	}
	return BIOSX_MSR_EXISTS_UNKNOWN;
}

/* The rule in words, as `biosx caps` prints it. */
static inline const char *biosx_vmx_msr_rule_text(unsigned int rule)
{
	switch (rule) {
	case BIOSX_MSR_IF_VMX_OR_SMX:
		return "exists when CPUID.1:ECX.VMX or .SMX is 1";
	case BIOSX_MSR_IF_VMX:
		return "exists when CPUID.1:ECX.VMX is 1";
	case BIOSX_MSR_IF_TRUE_CTLS:
		return "exists when IA32_VMX_BASIC[55] is 1";
	case BIOSX_MSR_IF_PROC2:
		return "exists when IA32_VMX_PROCBASED_CTLS[63] is 1 (secondary controls may be activated)";
	case BIOSX_MSR_IF_EPT_OR_VPID:
		return "exists when secondary controls exist and \"enable EPT\" or \"enable VPID\" may be 1";
	case BIOSX_MSR_IF_VMFUNC:
		return "exists when secondary controls exist and \"enable VM functions\" may be 1";
	case BIOSX_MSR_IF_PROC3:
		return "exists when IA32_VMX_PROCBASED_CTLS[49] is 1 (tertiary controls may be activated)";
	case BIOSX_MSR_IF_EXIT2:
		return "exists when IA32_VMX_EXIT_CTLS[63] is 1 (secondary VM-exit controls may be activated)";
	}
	return "not a VMX capability MSR";
}

/* The number of MSRs in BIOSX_VMX_MSRS: struct biosx_caps (uapi) holds one
 * value per MSR, in table order, and both sides assert that it fits. */
#define BIOSX_VMX_MSR_SLOT_(name, index, rule) BIOSX_VMX_MSR_SLOT_##name,
enum { BIOSX_VMX_MSRS(BIOSX_VMX_MSR_SLOT_) BIOSX_VMX_MSR_COUNT };
#undef BIOSX_VMX_MSR_SLOT_

#endif /* BIOSX_X86_VMX_MSRS_H */
