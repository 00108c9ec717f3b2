/* realmode.h - the real-mode address space as biosx uses it. Pure C, no OS:
 * shared by the module (kernel/) and the core library (src/core/).
 *
 *   0x00000 +------------------------+  IVT: 256 vectors of SEG:OFF
 *   0x00400 +------------------------+  BDA (BIOS data area)
 *   0x00500 +------------------------+
 *   0x00600 |  return trap (HLT)     |  BIOSX_TRAP_*: where IRET/RETF lands
 *           |  ...                   |  (entry_frame.h: trap and return frame)
 *   0x07c00 +------------------------+  BIOSX_DEFAULT_SP: stack grows down
 *   0x80000-0x9ffff  EBDA (BDA 0x40E)  conventional memory ends (BDA 0x413)
 *   0xa0000 +------------------------+  VGA windows
 *   0xc0000 +------------------------+  option ROMs (video BIOS first)
 *   0xf0000 +------------------------+  system BIOS
 *  0x100000 +------------------------+  HMA (reachable with A20 on)
 *  0x10fff0
 */
#ifndef BIOSX_X86_REALMODE_H
#define BIOSX_X86_REALMODE_H

#define BIOSX_IVT_BASE 0x00000u
#define BIOSX_IVT_SIZE 0x00400u
#define BIOSX_BDA_BASE 0x00400u
#define BIOSX_BDA_SIZE 0x00100u
#define BIOSX_BDA_EBDA_SEG 0x0040eu  /* word: EBDA segment */
#define BIOSX_BDA_EQUIPMENT 0x00410u /* word: INT 11h answer */
#define BIOSX_BDA_MEMSIZE_KB 0x00413u /* word: INT 12h answer */
#define BIOSX_VGA_BEGIN 0xa0000u
#define BIOSX_ROM_BEGIN 0xc0000u
#define BIOSX_SYSBIOS_BEGIN 0xf0000u
#define BIOSX_REALMODE_END 0x100000u

/* The return trap: one HLT byte the routine's IRET or RETF returns to.
 * 0000:0600 lies in the area DOS would later own, unused by any BIOS. */
#define BIOSX_TRAP_SEG 0x0000u
#define BIOSX_TRAP_OFF 0x0600u
#define BIOSX_TRAP_LINEAR 0x00600u
#define BIOSX_TRAP_OPCODE 0xf4u /* HLT */

/* Default stack when the caller sets neither SS nor ESP. */
#define BIOSX_DEFAULT_SS 0x0000u
#define BIOSX_DEFAULT_SP 0x7c00u

#define BIOSX_EFLAGS_CF (1u << 0)
#define BIOSX_EFLAGS_FIXED1 (1u << 1)
#define BIOSX_EFLAGS_TF (1u << 8)
#define BIOSX_EFLAGS_IF (1u << 9)
#define BIOSX_EFLAGS_AC (1u << 18)

#endif
