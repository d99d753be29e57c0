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

# make_boot_wim PAYLOADS OUT.wim ARCH [LEAVE-OUT...]: a Windows PE-shaped WIM
# (`wimlib-imagex capture`) carrying the GRUB payloads where a Windows image keeps
# its boot files: GRUB's EFI binary as Windows/Boot/EFI/bootmgfw.efi, its El Torito
# image as Windows/Boot/DVD/PCAT/etfsboot.com, a FAT image holding it as
# EFI/BOOT/BOOTX64.EFI as Windows/Boot/DVD/EFI/en-US/efisys.bin, stand-ins for the
# rest. Some names in other case than Windows', as real images differ. ARCH
# (0 x86, 9 x64, 12 arm64) goes into the XML's <WINDOWS><ARCH>: wimlib-imagex
# capture does not write it, `wimlib-imagex info WIM 1 --image-property
# WINDOWS/ARCH=N` does. LEAVE-OUT: image paths not to put in (to test warnings).
make_boot_wim() {
  local payloads="$1" out="$2" arch="$3"; shift 3
  local src; src="$(mktemp -d /tmp/mediafs-bootwim.XXXXXX)"
  local w="$src/Windows/Boot"
  mkdir -p "$w/PCAT" "$w/EFI" "$w/DVD/PCAT" "$w/DVD/EFI/en-US" "$src/Windows/System32" "$src/sms/bin/x64"
  cp "$payloads/BOOTX64.EFI" "$w/EFI/BootMgFw.efi"
  cp "$payloads/eltorito.img" "$w/DVD/PCAT/etfsboot.com"
  local kib=$(( ($(stat -c %s "$payloads/BOOTX64.EFI") >> 10) + 512 ))
  [ "$kib" -ge 1440 ] || kib=1440
  mkfs.fat -C "$w/DVD/EFI/en-US/efisys.bin" "$kib" >/dev/null
  mmd -i "$w/DVD/EFI/en-US/efisys.bin" ::/EFI ::/EFI/BOOT
  mcopy -i "$w/DVD/EFI/en-US/efisys.bin" "$payloads/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI
  printf 'stand-in for bootmgr\r\n' > "$w/PCAT/bootmgr"
  printf 'stand-in for bootmgr.efi\r\n' > "$w/EFI/bootmgr.efi"
  printf 'stand-in for the BIOS BCD\r\n' > "$w/DVD/PCAT/BCD"
  head -c 3170304 /dev/zero | tr '\0' 'S' > "$w/DVD/PCAT/boot.sdi"
  printf 'stand-in for the UEFI BCD\r\n' > "$w/DVD/EFI/BCD"
  printf 'stand-in for winload\r\n' > "$src/Windows/System32/winload.exe"
  printf 'stand-in for TsmBootstrap.exe\r\n' > "$src/sms/bin/x64/TsmBootstrap.exe"
  local leave
  for leave in "$@"; do rm -f "$src/$leave"; done
  mv "$w/DVD/PCAT" "$w/DVD/pcat"   # Windows' own case varies: mediafs must not care
  wimlib-imagex capture "$src" "$out" "Microsoft Windows PE (stand-in)" --compress=maximum >/dev/null
  wimlib-imagex info "$out" 1 --image-property "WINDOWS/ARCH=$arch" >/dev/null
  rm -rf "$src"
}
