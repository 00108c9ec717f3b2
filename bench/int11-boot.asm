; int11-boot.asm - the native route to INT 11h for the benchmark: a boot
; sector that asks the BIOS, prints AX on COM1 and ends QEMU through the
; isa-debug-exit device at port 0xF4. Real mode, runs under SeaBIOS.
        bits 16
        org 0x7c00
start:  xor ax, ax
        mov ds, ax
        int 0x11
        mov bx, ax
        mov cx, 4
.digit: rol bx, 4               ; print BX as four hex digits, high first
        mov al, bl
        and al, 0x0f
        add al, '0'
        cmp al, '9'
        jbe .put
        add al, 'a' - '9' - 1
.put:   mov dx, 0x3f8
        out dx, al
        loop .digit
        mov al, 10
        out dx, al
        mov al, 0
        out 0xf4, al            ; isa-debug-exit: QEMU exits with status 1
        cli
        hlt
        times 510 - ($ - $$) db 0
        dw 0xaa55
