#!/usr/bin/env bash
# Boot images as distribution points hold them: one Windows PE WIM (built here
# with wimlib-imagex from the GRUB payloads). The tree holds sources/boot.wim
# equal to the package's WIM and each boot file equal to `wimlib-imagex extract`;
# the ISO's UEFI El Torito image is the WIM's efisys.bin (xorriso extracts it);
# the USB image boots on UEFI, the ISO on BIOS and UEFI as a CD and on UEFI as a
# disk, from the exported files and from the mounted images; missing boot files
# are warnings naming what cannot boot; an x86 target with an x64 WIM, an <ARCH>
# the loader contradicts, and damaged/split/non-PE WIMs are refused, exit 1.
source "$(dirname "$0")/lib.sh"
source "$ROOT/Scripts/lib/payloads.sh"

require_tools wimlib-imagex mcopy mkfs.fat xorriso qemu-system-x86_64 fusermount3


export SOURCE_DATE_EPOCH=1767225600
make_boot_payloads "$WORK/payloads" >/dev/null
LIB="$WORK/SCCMContentLib"
"$MEDIAFS" library init "$LIB" >/dev/null
# add_package ID FOLDER
add_package() { "$MEDIAFS" library add "$LIB" --package "$1" "$2" >/dev/null || fail "library add $1"; }

# TST00001: the x64 Windows PE stand-in, beside it GRUB's hybrid MBR code (not in a Windows image).
mkdir -p "$WORK/p1/boot"
make_boot_wim "$WORK/payloads" "$WORK/pe.wim" 9
cp "$WORK/pe.wim" "$WORK/p1/boot.TST00001.wim"
cp "$WORK/payloads/boot_hybrid.img" "$WORK/p1/boot/boot_hybrid.img"
add_package TST00001 "$WORK/p1"

spec() {  # spec NAME IMAGE ARCH TARGET [EXTRA-BOOT-FIELDS]
  cat > "$WORK/$1.yaml" <<YAML
kind: capture
library: $LIB
label: WIMBOOT
target: $4
boot: {image: $2, architecture: $3${5:+, $5}}
YAML
}
spec usb TST00001 x64 usb
spec iso TST00001 x64 "{iso: {media-size: dvd}}" "boot-info-table: true, hybrid-mbr: boot/boot_hybrid.img"

# ---- 1. The tree: sources/boot.wim is the package's WIM; each boot file is what wimlib-imagex extracts.
"$MEDIAFS" tree --format sha256sum "$WORK/iso.yaml" > "$WORK/tree.sha256" 2> "$WORK/tree.err" || { cat "$WORK/tree.err"; fail "mediafs tree"; }
[ ! -s "$WORK/tree.err" ] || fail "warnings for a complete WIM: $(cat "$WORK/tree.err")"
mkdir -p "$WORK/x"
wimlib-imagex extract "$WORK/pe.wim" 1 /Windows/Boot --dest-dir="$WORK/x" >/dev/null
# media path <- path in the image (as make_boot_wim spells it: the lookup ignores case)
MAPPING="bootmgr=Boot/PCAT/bootmgr
bootmgr.efi=Boot/EFI/bootmgr.efi
boot/BCD=Boot/DVD/pcat/BCD
boot/boot.sdi=Boot/DVD/pcat/boot.sdi
boot/etfsboot.com=Boot/DVD/pcat/etfsboot.com
EFI/Boot/bootx64.efi=Boot/EFI/BootMgFw.efi
EFI/Microsoft/Boot/BCD=Boot/DVD/EFI/BCD
EFI/Microsoft/Boot/efisys.bin=Boot/DVD/EFI/en-US/efisys.bin
sources/boot.wim=../pe.wim"
check_tree_line() {  # check_tree_line MEDIA-PATH FILE
  local want; want="$(sha256sum < "$2" | cut -d' ' -f1)"
  grep -qxF "$want  $1" "$WORK/tree.sha256" || fail "tree: $1 is not $(basename "$2") ($want): $(grep -F "  $1" "$WORK/tree.sha256" || echo absent)"
}
while IFS== read -r media image; do check_tree_line "$media" "$WORK/x/$image"; done <<<"$MAPPING"
grep -q "boot.TST00001.wim" "$WORK/tree.sha256" && fail "the package's WIM is also at its own path"
grep -qxF "$(sha256sum < "$WORK/p1/boot/boot_hybrid.img" | cut -d' ' -f1)  boot/boot_hybrid.img" "$WORK/tree.sha256" || fail "the package's other file is missing"
echo "ok: tree: sources/boot.wim = the package's WIM, 8 boot files = wimlib-imagex extract"

# The same tree through FUSE: every boot file's bytes, read by the kernel.
mkdir -p "$WORK/mnt-tree"
"$MEDIAFS" mount "$WORK/iso.yaml" "$WORK/mnt-tree" 2>/dev/null || fail "mount the tree"; MOUNTS+=("$WORK/mnt-tree")
while IFS== read -r media image; do
  cmp -s "$WORK/mnt-tree/$media" "$WORK/x/$image" || fail "mounted tree: $media differs from the WIM's $image"
done <<<"$MAPPING"
(cd "$WORK/mnt-tree" && sha256sum -c --quiet "$WORK/tree.sha256") || fail "mounted tree does not match the manifest"
echo "ok: mounted tree: the same bytes"

# ---- 2. Export, and the mounted images: the same bytes; the ISO's El Torito images.
"$MEDIAFS" export "$WORK/usb.yaml" --format usb -q -o "$WORK/m.img" || fail "export usb"
"$MEDIAFS" export "$WORK/iso.yaml" --format iso -q -o "$WORK/m.iso" || fail "export iso"
mkdir -p "$WORK/mnt-usb" "$WORK/mnt-iso"
"$MEDIAFS" mount --images "$WORK/usb.yaml" "$WORK/mnt-usb" 2>/dev/null || fail "mount --images usb"; MOUNTS+=("$WORK/mnt-usb")
"$MEDIAFS" mount --images "$WORK/iso.yaml" "$WORK/mnt-iso" 2>/dev/null || fail "mount --images iso"; MOUNTS+=("$WORK/mnt-iso")
mounted_usb="$(find "$WORK/mnt-usb" -maxdepth 1 -name '*.img' | head -n 1)"
mounted_iso="$(find "$WORK/mnt-iso" -maxdepth 1 -name '*.iso' | head -n 1)"
cmp -s "$mounted_usb" "$WORK/m.img" || fail "the mounted USB image differs from the export"
cmp -s "$mounted_iso" "$WORK/m.iso" || fail "the mounted ISO differs from the export"
# mtools reads the FAT32 boot loader where firmware looks for it (FAT ignores case).
mcopy -n -i "$WORK/m.img@@1M" ::/EFI/BOOT/BOOTX64.EFI "$WORK/usb-loader.efi"
cmp -s "$WORK/usb-loader.efi" "$WORK/x/Boot/EFI/BootMgFw.efi" || fail "USB: EFI/BOOT/BOOTX64.EFI is not the WIM's bootmgfw.efi"
mkdir -p "$WORK/eltorito"
xorriso -osirrox on -indev "$WORK/m.iso" -extract_boot_images "$WORK/eltorito/" >/dev/null 2>&1 || fail "xorriso -extract_boot_images"
uefi_image="$(ls "$WORK/eltorito/"*uefi* 2>/dev/null | head -n 1)"
[ -n "$uefi_image" ] || fail "the ISO has no UEFI El Torito image: $(ls "$WORK/eltorito")"
cmp -s "$uefi_image" "$WORK/x/Boot/DVD/EFI/en-US/efisys.bin" || fail "the UEFI El Torito image is not the WIM's efisys.bin"
xorriso -indev "$WORK/m.iso" -compare "$WORK/x/Boot/DVD/pcat/etfsboot.com" /boot/etfsboot.com >/dev/null 2>&1 \
  || fail "xorriso: the ISO's boot/etfsboot.com is not the WIM's"
echo "ok: export = mounted images; USB loader, ISO BIOS loader and UEFI image (efisys.bin) read back by mtools and xorriso"

# ---- 3. Boots (qemu, TCG): from the exported files, then from the mounted images.
boot() {  # boot WHAT FIRMWARE ATTACH IMAGE
  boot_qemu "$WORK/boot.log" "$2" "$3" "$4" || { tail -n 20 "$WORK/boot.log"; fail "$1: no $BOOT_MARKER"; }
  echo "ok: boots: $1"
}
for source in export mount; do
  if [ $source = export ]; then usb="$WORK/m.img"; iso="$WORK/m.iso"; else usb="$mounted_usb"; iso="$mounted_iso"; fi
  boot "$source USB image, UEFI, as a stick" uefi usb "$usb"
  boot "$source ISO, UEFI, as a CD" uefi cdrom "$iso"
  boot "$source ISO, BIOS, as a CD" bios cdrom "$iso"
  boot "$source ISO, UEFI, as a disk" uefi disk "$iso"
done

# ---- 4. A WIM lacking boot files: the media builds, each missing file a warning saying what cannot boot.
mkdir -p "$WORK/p3"
make_boot_wim "$WORK/payloads" "$WORK/p3/boot.TST00003.wim" 9 Windows/Boot/DVD/PCAT/etfsboot.com Windows/Boot/EFI/BootMgFw.efi
add_package TST00003 "$WORK/p3"
spec partial TST00003 x64 "{iso: {media-size: dvd}}"
"$MEDIAFS" tree "$WORK/partial.yaml" > "$WORK/partial.tree" 2> "$WORK/partial.err" || { cat "$WORK/partial.err"; fail "a WIM lacking boot files must still build"; }
grep -qF "no Windows/Boot/DVD/PCAT/etfsboot.com, so the media has no boot/etfsboot.com: no BIOS boot from the ISO" "$WORK/partial.err" || fail "no etfsboot.com warning: $(cat "$WORK/partial.err")"
grep -qF "no Windows/Boot/EFI/bootmgfw.efi, so the media has no EFI/Boot/bootx64.efi: no UEFI boot" "$WORK/partial.err" || fail "no bootmgfw.efi warning: $(cat "$WORK/partial.err")"
grep -qF "TST00003" "$WORK/partial.err" || fail "the warning does not name the package"
"$MEDIAFS" export "$WORK/partial.yaml" --format iso -q -o "$WORK/partial.iso" 2>/dev/null || fail "export of a WIM without etfsboot.com"
xorriso -indev "$WORK/partial.iso" -report_el_torito plain 2>/dev/null | grep -q "BIOS" && fail "an ISO without etfsboot.com has a BIOS entry"
echo "ok: missing boot files: warnings (no BIOS boot from the ISO, no UEFI boot), media still built"

# ---- 5. Refusals: one line naming the package and the file (and both architectures), exit 1.
refuse() {  # refuse WHAT SPEC TEXT...
  local what="$1" spec="$2"; shift 2
  local out status=0
  out="$("$MEDIAFS" tree "$spec" 2>&1 >/dev/null)" || status=$?
  [ "$status" -eq 1 ] || fail "$what: exit status $status (want 1): $out"
  [ "$(wc -l <<<"$out")" -eq 1 ] || fail "$what: not one line: $out"
  local text
  for text in "$@"; do grep -qF -- "$text" <<<"$out" || fail "$what: expected '$text' in: $out"; done
  echo "ok: refused: $what"
}
spec x86 TST00001 x86 usb
refuse "x86 target, x64 WIM" "$WORK/x86.yaml" "boot.architecture" "TST00001.1's boot.TST00001.wim" "is x64" "an x86 computer cannot run it"

mkdir -p "$WORK/p4"; make_boot_wim "$WORK/payloads" "$WORK/p4/boot.TST00004.wim" 0    # says x86, loader is x64
add_package TST00004 "$WORK/p4"; spec mismatch TST00004 x64 usb
refuse "<ARCH> contradicts bootmgfw.efi" "$WORK/mismatch.yaml" "boot.TST00004.wim" "<ARCH> x86" "is x64 (PE machine 0x8664)"

mkdir -p "$WORK/p5"; head -c 100000 /dev/urandom > "$WORK/p5/boot.TST00005.wim"
add_package TST00005 "$WORK/p5"; spec notwim TST00005 x64 usb
refuse "not a WIM" "$WORK/notwim.yaml" "TST00005.1's boot.TST00005.wim" "not a WIM file"

mkdir -p "$WORK/p6"; head -c $(( $(stat -c %s "$WORK/pe.wim") / 2 )) "$WORK/pe.wim" > "$WORK/p6/boot.TST00006.wim"
add_package TST00006 "$WORK/p6"; spec truncated TST00006 x64 usb
refuse "truncated WIM" "$WORK/truncated.yaml" "TST00006.1's boot.TST00006.wim" "cannot be read"

mkdir -p "$WORK/p7" "$WORK/split/src/Windows/Boot"; head -c 3000000 /dev/urandom > "$WORK/split/src/Windows/Boot/big.bin"
wimlib-imagex capture "$WORK/split/src" "$WORK/split/big.wim" big >/dev/null
wimlib-imagex split "$WORK/split/big.wim" "$WORK/split/pe.swm" 1 >/dev/null
[ -f "$WORK/split/pe2.swm" ] || fail "wimlib-imagex split made one part only"
cp "$WORK/split/pe.swm" "$WORK/p7/boot.TST00007.wim"
add_package TST00007 "$WORK/p7"; spec split TST00007 x64 usb
refuse "split WIM (.swm)" "$WORK/split.yaml" "TST00007.1's boot.TST00007.wim" "split WIM"

mkdir -p "$WORK/p8" "$WORK/notpe/Windows/System32"; printf 'x' > "$WORK/notpe/Windows/System32/a.dll"
wimlib-imagex capture "$WORK/notpe" "$WORK/p8/boot.TST00008.wim" notpe >/dev/null
add_package TST00008 "$WORK/p8"; spec nopewin TST00008 x64 usb
refuse "no Windows/Boot" "$WORK/nopewin.yaml" "TST00008.1's boot.TST00008.wim" "no Windows/Boot"

spec index TST00001 x64 usb "image-index: 2"
refuse "image-index past the WIM's images" "$WORK/index.yaml" "boot.image-index" "has 1 image, no image 2"
echo "all boot WIM checks passed"
