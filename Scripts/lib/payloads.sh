# Boot payloads for tests and the demo, built from Debian's GRUB packages
# (shared/boot-testing.md). Nothing binary is committed: they are made here.
# Sourced. make_boot_payloads DIR writes:
#   DIR/grub.cfg            prints MEDIA-BOOT-OK on the serial console, halts
#   DIR/BOOTX64.EFI         GRUB for x86_64 UEFI (removable-media path EFI/BOOT/)
#   DIR/eltorito.img        GRUB El Torito no-emulation loader (needs a boot info table, 4 load sectors)
#   DIR/boot_hybrid.img     GRUB's hybrid MBR boot code (for an ISO written to a stick)
BOOT_MARKER="MEDIA-BOOT-OK"

make_boot_payloads() {
  local dir="$1"
  mkdir -p "$dir"
  [ -s "$dir/BOOTX64.EFI" ] && [ -s "$dir/eltorito.img" ] && [ -s "$dir/boot_hybrid.img" ] && return 0
  cat > "$dir/grub.cfg" <<CFG
serial --unit=0 --speed=115200 --word=8 --parity=no --stop=1
terminal_input serial console
terminal_output serial console
echo $BOOT_MARKER
halt
CFG
  grub-mkstandalone -O x86_64-efi -o "$dir/BOOTX64.EFI" \
    --install-modules="normal configfile serial terminal echo halt part_msdos part_gpt fat iso9660" \
    --modules="serial terminal echo halt" --locales="" --fonts="" --themes="" \
    "boot/grub/grub.cfg=$dir/grub.cfg"
  grub-mkimage -O i386-pc-eltorito -p /boot/grub -c "$dir/grub.cfg" -o "$dir/eltorito.img" \
    biosdisk iso9660 part_msdos serial terminal echo halt normal configfile
  cp /usr/lib/grub/i386-pc/boot_hybrid.img "$dir/boot_hybrid.img"
}

# boot_qemu LOG FIRMWARE(uefi|bios) ATTACH(usb|cdrom|disk) IMAGE: boots under
# qemu (tcg) for at most BOOT_TIMEOUT (120) s; returns 0 when the marker was printed.
# A negative control may set BOOT_TIMEOUT lower: a real boot prints the marker in ~10 s.
boot_qemu() {
  local log="$1" firmware="$2" attach="$3" image="$4"
  local args=(-accel tcg -m 256 -nographic -no-reboot -net none)
  if [ "$firmware" = uefi ]; then
    local vars; vars="$(mktemp /tmp/mediafs-vars.XXXXXX.fd)"
    cp /usr/share/OVMF/OVMF_VARS_4M.fd "$vars"
    args+=(-M q35 -drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd
           -drive "if=pflash,format=raw,unit=1,file=$vars")
  fi
  case "$attach" in
    usb) args+=(-device qemu-xhci -drive "if=none,id=stick,format=raw,readonly=on,file=$image" -device usb-storage,drive=stick) ;;
    cdrom) args+=(-cdrom "$image") ;;
    disk) args+=(-drive "if=ide,format=raw,snapshot=on,file=$image") ;;  # IDE refuses readonly=on; snapshot=on never writes the image
  esac
  timeout "${BOOT_TIMEOUT:-120}" qemu-system-x86_64 "${args[@]}" </dev/null >"$log" 2>&1 || true
  [ -n "${vars:-}" ] && rm -f "$vars"
  grep -q "$BOOT_MARKER" "$log"
}
