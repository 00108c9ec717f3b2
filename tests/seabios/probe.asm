; probe.asm - the project's boot-sector program that asks a real BIOS the
; same questions biosx asks it, natively, and prints every register before
; and after each call on COM1. Runs in real mode under SeaBIOS (QEMU) and the
; Bochs BIOS. Output format: tests/seabios/README.md.
        bits 16
        org 0x7c00

SECTORS equ 6                   ; this program's size in sectors, boot sector included
BUF     equ 0x9000              ; E820 buffer, 0000:9000
CMOS_BUF equ 0x9100             ; the CMOS as dumped, 128 bytes
CMOS_NOW equ 0x9180             ; the clock registers read again, 10 bytes
SAVE_T  equ 0x9200              ; INT 1Ah AH=02h registers in and out, 104 bytes
SAVE_D  equ 0x9280              ; INT 1Ah AH=04h registers in and out, 104 bytes
RTC_TRIES equ 10                ; attempts at a dump the clock did not move during
STACK   equ 0x7000              ; probe stack top, 0000:7000
SMAP    equ 0x534d4150

boot:   jmp 0:start             ; normalise CS:IP to 0000:7Cxx
start:  cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, STACK
        sti
        mov [drive], dl
        ; COM1 to 115200 8N1: not every BIOS programs the UART (the Bochs
        ; BIOS leaves it at the power-on 5-bit word length).
        mov dx, 0x3fb
        mov al, 0x80            ; DLAB on
        out dx, al
        mov dx, 0x3f8
        mov al, 1               ; divisor 1
        out dx, al
        inc dx
        xor al, al
        out dx, al
        mov dx, 0x3fb
        mov al, 0x03            ; 8 data bits, no parity, 1 stop bit; DLAB off
        out dx, al
        ; The rest of the program follows the boot sector on the floppy.
        mov ax, 0x0200 + SECTORS - 1
        mov bx, 0x7e00
        mov cx, 0x0002
        xor dh, dh
        mov dl, [drive]
        int 0x13
        jc disk_error
        jmp main

disk_error:
        mov si, msg_disk
        call puts
        ; fall through: stop is in the boot sector so this path reaches it

; stop: the end of every run. The snapshot is taken while the CPU waits in
; `idle` (make-bochs-fixture.sh puts its breakpoint there).
stop:   ; Let the UART shift the last byte out (LSR bit 6, transmitter
        ; empty) first: Bochs stops at the breakpoint at once and would
        ; otherwise never write the final CR LF to its file.
        mov dx, 0x3fd
.drain: in al, dx
        test al, 0x40
        jz .drain
idle:   sti
        hlt
        jmp idle

; puts: print the NUL-terminated string at DS:SI on COM1.
puts:   lodsb
        test al, al
        jz .done
        call putc
        jmp puts
.done:  ret

; putc: AL to COM1, waiting for the transmitter holding register.
putc:   push dx
        push ax
        mov dx, 0x3fd
.wait:  in al, dx
        test al, 0x20
        jz .wait
        pop ax
        mov dx, 0x3f8
        out dx, al
        pop dx
        ret

msg_disk db "ERROR disk", 13, 10, 0
drive   db 0
        times 510 - ($ - $$) db 0
        dw 0xaa55

; ---------------------------------------------------------------------------
; Sector 2 onwards.

; SNAP area, label: store all 16 registers at `area` without changing any
; register or flag; EIP is recorded as `label`.
%macro SNAP 2
        mov [cs:%1 + 0], eax
        mov [cs:%1 + 4], ebx
        mov [cs:%1 + 8], ecx
        mov [cs:%1 + 12], edx
        mov [cs:%1 + 16], esi
        mov [cs:%1 + 20], edi
        mov [cs:%1 + 24], ebp
        mov [cs:%1 + 28], esp
        mov dword [cs:%1 + 32], %2
        pushfd
        pop dword [cs:%1 + 36]
        mov [cs:%1 + 40], cs
        mov [cs:%1 + 42], ds
        mov [cs:%1 + 44], es
        mov [cs:%1 + 46], fs
        mov [cs:%1 + 48], gs
        mov [cs:%1 + 50], ss
%endmacro

; RUNINT vector: registers must be loaded; records IN (snap_in), runs INT,
; records OUT (snap_out).
%macro RUNINT 1
        SNAP snap_in, %%at
%%at:   int %1
%%after:
        SNAP snap_out, %%after
%endmacro

; CALLINT name, vector: RUNINT, then prints the line.
%macro CALLINT 2
        RUNINT %2
        mov si, %1
        call print_call
%endmacro

; COPY from, to, bytes: DS:from to ES:to (DS = ES = 0 after BASEREGS).
%macro COPY 3
        mov si, %1
        mov di, %2
        mov cx, %3
        rep movsb
%endmacro

; The input registers every call starts from, then the call's own.
%macro BASEREGS 0
        xor eax, eax
        xor ebx, ebx
        xor ecx, ecx
        xor edx, edx
        xor esi, esi
        xor edi, edi
        xor ebp, ebp
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        push dword 0x00000202   ; IF set, as a boot loader runs
        popfd
%endmacro

main:
        mov si, msg_hello
        call puts

        BASEREGS
        CALLINT name_int11, 0x11

        BASEREGS
        CALLINT name_int12, 0x12

        ; The complete E820 walk: continuation in EBX until 0 or CF=1.
        mov dword [cont], 0
        mov word [steps], 0
.e820:  call fill_buf
        mov byte [want_buf], 1
        BASEREGS
        mov eax, 0xe820
        mov ebx, [cont]
        mov ecx, 24
        mov edx, SMAP
        mov di, BUF
        CALLINT name_e820, 0x15
        mov byte [want_buf], 0
        ; print_call changed the registers: decide from the snapshot.
        test byte [snap_out + 36], 1    ; CF
        jnz .e820_done
        cmp dword [snap_out + 0], SMAP  ; EAX
        jne .e820_done
        mov ebx, [snap_out + 4]         ; EBX: the continuation value
        mov [cont], ebx
        inc word [steps]
        cmp word [steps], 64    ; a sane maximum
        jae .e820_done
        test ebx, ebx
        jnz .e820
.e820_done:

        BASEREGS
        mov ax, 0xe801
        CALLINT name_e801, 0x15

        BASEREGS
        mov ah, 0x88
        CALLINT name_int15_88, 0x15

        ; The real-time clock: INT 1Ah AH=02h and 04h, and the whole CMOS
        ; dumped, all while the clock stood still (its registers read
        ; again after the calls equal the dump), so a snapshot carrying this
        ; dump must give the same answers.
        mov byte [tries], 0
.rtc:   inc byte [tries]
        mov di, CMOS_BUF
        mov cx, 128
        call dump_cmos
        BASEREGS
        mov ah, 0x02
        RUNINT 0x1a
        COPY snap_in, SAVE_T, 104
        BASEREGS
        mov ah, 0x04
        RUNINT 0x1a
        COPY snap_in, SAVE_D, 104
        cmp byte [tries], RTC_TRIES
        jae .rtc_done
        test byte [SAVE_T + 52 + 36], 1 ; CF out: caught in an update
        jnz .rtc
        test byte [SAVE_D + 52 + 36], 1
        jnz .rtc
        mov di, CMOS_NOW
        mov cx, 10                      ; seconds to year, the alarms between
        call dump_cmos
        mov si, CMOS_BUF
        mov di, CMOS_NOW
        mov cx, 10
        repe cmpsb
        jne .rtc
.rtc_done:
        COPY SAVE_T, snap_in, 104
        mov si, name_int1a_02
        call print_call
        COPY SAVE_D, snap_in, 104
        mov si, name_int1a_04
        call print_call
        mov si, msg_cmos
        call puts
        mov si, CMOS_BUF
        mov cx, 128
.cmos:  lodsb
        call hex8
        loop .cmos
        mov si, msg_nl
        call puts

        mov si, msg_done
        call puts
        jmp stop

; dump_cmos: CX CMOS bytes from index 0 to ES:DI. Interrupts are off
; around each index/data pair: the BIOS's own IRQ 8 handler moves the index.
dump_cmos:
        xor bl, bl
.next:  cli
        mov al, bl
        out 0x70, al
        in al, 0x71
        sti
        stosb
        inc bl
        loop .next
        ret

; fill_buf: the E820 buffer gets a known pattern, so a 20-byte answer
; leaves bytes 20-23 visibly untouched.
; A copy at pre_buf is what PRE prints, so PRE shows the bytes the BIOS was
; really given rather than what the program meant to write.
fill_buf:
        mov di, BUF
        mov cx, 24
        mov al, 0xa5
        rep stosb
        mov si, BUF
        mov di, pre_buf
        mov cx, 24
        rep movsb
        ret

; print_call: "CALL <name> IN k=v ... OUT k=v ...[ PRE s:o:n=hex BUF s:o:n=hex]"
print_call:
        push si
        mov si, msg_call
        call puts
        pop si
        call puts
        mov si, msg_in
        call puts
        mov bx, snap_in
        call print_regs
        mov si, msg_out
        call puts
        mov bx, snap_out
        call print_regs
        cmp byte [want_buf], 0
        je .nl
        mov si, msg_pre
        call puts
        mov si, pre_buf
        mov cx, 24
.pre:   lodsb
        call hex8
        loop .pre
        mov si, msg_buf
        call puts
        mov si, BUF
        mov cx, 24
.buf:   lodsb
        call hex8
        loop .buf
.nl:    mov si, msg_nl
        call puts
        ret

; print_regs: the 16 registers stored at DS:BX, as " k=v" pairs.
print_regs:
        mov si, reg_names
        xor di, di              ; byte offset into the snapshot
.next:  mov al, ' '
        call putc
        call puts               ; the name, NUL-terminated
        mov al, '='
        call putc
        cmp di, 40
        jae .sel
        mov eax, [bx + di]
        call hex32
        add di, 4
        jmp .more
.sel:   mov ax, [bx + di]
        call hex16
        add di, 2
.more:  cmp di, 52
        jb .next
        ret

hex32:  ror eax, 16
        call hex16
        ror eax, 16
hex16:  xchg al, ah
        call hex8
        xchg al, ah
hex8:   push ax
        shr al, 4
        call hexdigit
        pop ax
        push ax
        and al, 0x0f
        call hexdigit
        pop ax
        ret
hexdigit:
        add al, '0'
        cmp al, '9'
        jbe .out
        add al, 'a' - '9' - 1
.out:   jmp putc

reg_names:
        db "eax", 0, "ebx", 0, "ecx", 0, "edx", 0, "esi", 0, "edi", 0, "ebp", 0, "esp", 0
        db "eip", 0, "eflags", 0, "cs", 0, "ds", 0, "es", 0, "fs", 0, "gs", 0, "ss", 0
msg_hello db "BIOSX-PROBE 2", 13, 10, 0
msg_cmos db "CMOS ", 0
msg_call db "CALL ", 0
msg_in  db " IN", 0
msg_out db " OUT", 0
msg_pre db " PRE 0000:9000:24=", 0
msg_buf db " BUF 0000:9000:24=", 0
msg_nl  db 13, 10, 0
msg_done db "DONE", 13, 10, 0
name_int11 db "int11", 0
name_int12 db "int12", 0
name_e820 db "e820", 0
name_e801 db "e801", 0
name_int15_88 db "int15_88", 0
name_int1a_02 db "int1a_02", 0
name_int1a_04 db "int1a_04", 0
tries   db 0
want_buf db 0
cont    dd 0
steps   dw 0
        align 4
snap_in  times 52 db 0
snap_out times 52 db 0
pre_buf  times 24 db 0
        times SECTORS * 512 - ($ - $$) db 0
