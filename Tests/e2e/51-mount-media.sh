#!/usr/bin/env bash
# mediafs mount through a REAL spec and content library (the demo's three
# media kinds, small): the tree view against `mediafs tree --format sha256sum`
# and against the tree mtools extracts from the exported USB image; the
# --images view against the exported files (whole-file cmp, dd at region
# boundaries found with mtools/xorriso); qemu booting straight from the
# mounted images (UEFI USB from the .img, BIOS CD from the .iso); a live
# `library add` under an open reader (old bytes to the end, new open gets
# the new ones, no remount). 50-mount.sh covers the daemon itself (EROFS,
# signals, faults) on a plain folder.
source "$(dirname "$0")/lib.sh"
source "$ROOT/Scripts/lib/payloads.sh"

require_tools mcopy mshowfat xorriso qemu-system-x86_64 fusermount3

mount_at() {  # mount_at MOUNTPOINT [--images] SPEC
  local m="$1"; shift
  mkdir -p "$m"
  "$MEDIAFS" mount "$@" "$m" || fail "mediafs mount $* $m"
  mounted "$m" || fail "mount returned before $m was mounted"
  MOUNTS+=("$m")
}
unmount_at() {
  "$MEDIAFS" unmount "$1" || fail "unmount $1"
  for _ in $(seq 1 50); do mounted "$1" || return 0; sleep 0.1; done
  fail "$1 still mounted"
}

# ---- a small library in the demo's shape (Scripts/demo), sizes chosen off page and request boundaries
export SOURCE_DATE_EPOCH=1767225600
export MEDIAFS_TEST_PASSWORD=test-password
make_boot_payloads "$WORK/payloads" >/dev/null
S="$WORK/sources"; LIB="$WORK/SCCMContentLib"
b="$S/boot-image"
mkdir -p "$b/EFI/BOOT" "$b/boot" "$b/sources" "$b/SMS/bin/x64"
cp "$WORK/payloads/BOOTX64.EFI" "$b/EFI/BOOT/BOOTX64.EFI"
cp "$WORK/payloads/eltorito.img" "$b/boot/etfsboot.com"
cp "$WORK/payloads/boot_hybrid.img" "$b/boot/boot_hybrid.img"
head -c 3000001 /dev/urandom >"$b/sources/boot.wim"
for f in TsmBootstrap.exe TSMBAutorun.exe; do printf 'stand-in for %s\n' "$f" >"$b/SMS/bin/x64/$f"; done
mkdir -p "$S/os/sources"; head -c 5000000 /dev/urandom >"$S/os/sources/install.wim"
for v in intel realtek; do
  for i in $(seq 1 12); do
    mkdir -p "$S/drivers/$v/net$i"
    head -c $((i * 1531)) /dev/urandom >"$S/drivers/$v/net$i/net$i.sys"
    printf '[Version]\r\nProvider=%s\r\n' "$v" >"$S/drivers/$v/net$i/Net$i.inf"
  done
done
: >"$S/drivers/empty.txt"
mkdir -p "$S/prestart"; printf '@echo off\r\necho prestart\r\n' >"$S/prestart/prestart.cmd"
mkdir -p "$S/ts"
cat >"$S/ts/TaskSequence.xml" <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<sequence version="3.00" name="Deploy (mediafs test)">
  <step type="SMS_TaskSequence_ApplyOperatingSystemAction" name="Apply OS" package="TST00002"/>
  <step type="SMS_TaskSequence_ApplyDriverPackageAction" name="Apply Drivers" package="TST00003"/>
</sequence>
XML
"$MEDIAFS" library init "$LIB"
"$MEDIAFS" library add "$LIB" --package TST00001 --name "Boot image (x64)" "$b" >/dev/null
"$MEDIAFS" library add "$LIB" --package TST00002 --name "OS image" "$S/os" >/dev/null
"$MEDIAFS" library add "$LIB" --package TST00003 --name "Drivers" "$S/drivers" >/dev/null
"$MEDIAFS" library add "$LIB" --package TST00004 --name "Deploy" "$S/ts" >/dev/null
"$MEDIAFS" library add "$LIB" --package TST00005 --name "Prestart" "$S/prestart" >/dev/null

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/media-key.pem" 2>/dev/null
cat >"$WORK/bootable.yaml" <<YAML
kind: bootable
library: $LIB
label: TEST-BOOT
target: usb
boot: {image: TST00001, architecture: x64}
management:
  site-based: {management-point: http://mp1.contoso.com, site-code: TST}
password: {env: MEDIAFS_TEST_PASSWORD}
certificate:
  self-signed: {start: 2026-01-01, expires: 2030-01-01, key: {file: $WORK/media-key.pem}}
prestart: {command: cmd /c prestart.cmd, package: TST00005}
autorun: true
YAML
cat >"$WORK/standalone.yaml" <<YAML
kind: standalone
library: $LIB
label: Test Stand-alone
target: {iso: {media-size: dvd}}
boot:
  image: TST00001
  architecture: x64
  bios-loader: boot/etfsboot.com
  boot-info-table: true
  hybrid-mbr: boot/boot_hybrid.img
unattended: true
task-sequence: TST00004
extra-packages: [TST00005]
YAML
cat >"$WORK/capture.yaml" <<YAML
kind: capture
library: $LIB
label: CAPTURE
target: usb
boot: {image: TST00001, architecture: x64}
YAML
echo "ok: library and specs (bootable/USB, stand-alone/ISO, capture/USB)"

# export_image SPEC FORMAT FILE: the exporter's bytes, the reference the mount is compared with.
export_image() {
  "$MEDIAFS" export "$1" --format "$2" -q -o "$3" || fail "$(basename "$1"): mediafs export --format $2"
}

# region_offsets IMAGE FORMAT: byte offsets where the layout changes kind
# (structures, file data, the padding after it), from independent readers.
region_offsets() {
  local img="$1" format="$2"
  if [ "$format" = usb ]; then
    local part=$((1 << 20))
    local bs; bs="$(od -An -tu1 -j $((part)) -N 64 "$img" | tr -s ' \n' ' ')"
    read -r -a B <<<"$bs"
    local bps=$((B[11] + B[12] * 256)) spc=${B[13]} reserved=$((B[14] + B[15] * 256)) fats=${B[16]}
    local fatsz=$((B[36] + B[37] * 256 + B[38] * 65536 + B[39] * 16777216))
    local fat1=$((part + reserved * bps)) data=$((part + (reserved + fats * fatsz) * bps)) cluster=$((spc * bps))
    echo 0 446 510 512 $part $((part + 512)) $fat1 $((fat1 + fatsz * bps)) $data
    # Every file: where its data starts and ends (mshowfat: its first cluster).
    (cd "$WORK" && mdir -/ -b -i "$img@@1M" ::/ 2>/dev/null) | while read -r path; do
      case "$path" in */) continue ;; esac
      local first size
      first="$(mshowfat -i "$img@@1M" "$path" 2>/dev/null | grep -o '<[0-9]*' | head -1 | tr -d '<')"
      [ -n "$first" ] || continue
      size="$(mdir -i "$img@@1M" "$path" 2>/dev/null | awk 'NR>3 && $0 ~ /[0-9]/ {for (i=1;i<=NF;i++) if ($i ~ /^[0-9]+$/) {print $i; exit}}')"
      local start=$((data + (first - 2) * cluster))
      echo "$start" $((start + ${size:-0}))
    done
  else
    echo 0 446 512 $((16 * 2048)) $((17 * 2048)) $((18 * 2048))
    xorriso -indev "$img" -find / -type f -exec report_lba -- 2>/dev/null |
      awk -F' *, *' '/File data lba/ {split($0, a, ","); lba=a[2]+0; size=a[4]+0; print lba*2048, lba*2048+size}'
  fi
}

# check_boundaries MOUNTED EXPORTED FORMAT: 3000 bytes around each region boundary, read with dd skip=.
check_boundaries() {
  local mounted_img="$1" exported="$2" format="$3" n=0 off start
  local size; size="$(stat -c %s "$exported")"
  for off in $(region_offsets "$exported" "$format" | tr ' ' '\n' | sort -un | head -n 400); do
    for start in $((off - 1500)) $((off - 1)) "$off"; do
      [ "$start" -ge 0 ] && [ "$start" -lt "$size" ] || continue
      cmp <(dd if="$mounted_img" iflag=skip_bytes,count_bytes skip="$start" count=3000 bs=3000 status=none) \
          <(dd if="$exported" iflag=skip_bytes,count_bytes skip="$start" count=3000 bs=3000 status=none) \
        || fail "$(basename "$mounted_img"): dd skip=$start differs from the export"
      n=$((n + 1))
    done
  done
  [ "$n" -ge 30 ] || fail "$(basename "$mounted_img"): only $n boundary reads (region offsets not found?)"
  echo "ok: $(basename "$mounted_img"): $n dd reads at region boundaries equal the export"
}

for kind in bootable standalone capture; do
  spec="$WORK/$kind.yaml"
  T="$WORK/tree-$kind"; I="$WORK/images-$kind"

  # ---- tree view: sha256sum -c of the manifest
  "$MEDIAFS" tree --format sha256sum "$spec" >"$WORK/$kind.sums" || fail "$kind: mediafs tree"
  [ "$(wc -l <"$WORK/$kind.sums")" -ge 5 ] || fail "$kind: manifest too short"
  mount_at "$T" "$spec"
  (cd "$T" && sha256sum --quiet --strict -c "$WORK/$kind.sums") || fail "$kind: sha256sum -c over the mounted tree"
  [ "$(cd "$T" && find . -type f | wc -l)" = "$(wc -l <"$WORK/$kind.sums")" ] || fail "$kind: the mount holds files the manifest does not name"
  echo "ok: $kind: sha256sum -c of the manifest over the mounted tree ($(wc -l <"$WORK/$kind.sums") files)"

  # ---- tree view against what mtools reads from the exported USB image
  export_image "$spec" usb "$WORK/$kind.img"
  mkdir -p "$WORK/mtools-$kind"
  mcopy -s -n -m -i "$WORK/$kind.img@@1M" ::/ "$WORK/mtools-$kind/" || fail "$kind: mcopy from the exported image"
  diff -r "$WORK/mtools-$kind" "$T" || fail "$kind: the mounted tree differs from the exported USB image's files"
  echo "ok: $kind: diff -r of the mounted tree and mcopy -s of the exported USB image"
  unmount_at "$T"

  # ---- images view: fresh mount, boundary reads first (cold cache), then whole-file cmp
  export_image "$spec" iso "$WORK/$kind.iso"
  mount_at "$I" --images "$spec"
  imgs=("$I"/*.img); isos=("$I"/*.iso)
  [ "${#imgs[@]}" = 1 ] && [ -f "${imgs[0]}" ] || fail "$kind: expected one .img in the images view: $(ls "$I")"
  [ "${#isos[@]}" = 1 ] && [ -f "${isos[0]}" ] || fail "$kind: expected one .iso in the images view: $(ls "$I")"
  check_boundaries "${imgs[0]}" "$WORK/$kind.img" usb
  check_boundaries "${isos[0]}" "$WORK/$kind.iso" iso
  cmp "${imgs[0]}" "$WORK/$kind.img" || fail "$kind: mounted .img differs from the exported one"
  cmp "${isos[0]}" "$WORK/$kind.iso" || fail "$kind: mounted .iso differs from the exported one"
  echo "ok: $kind: cmp of the mounted .img and .iso with the exported files"

  # ---- boot straight from the mounted images
  if [ "$kind" = bootable ]; then
    boot_qemu "$WORK/boot-uefi-usb.log" uefi usb "${imgs[0]}" \
      || { tail -n 20 "$WORK/boot-uefi-usb.log"; fail "UEFI did not boot the mounted USB image"; }
    echo "ok: UEFI boots from the mounted USB image"
  fi
  if [ "$kind" = standalone ]; then
    boot_qemu "$WORK/boot-bios-cd.log" bios cdrom "${isos[0]}" \
      || { tail -n 20 "$WORK/boot-bios-cd.log"; fail "BIOS did not boot the mounted ISO as a CD"; }
    echo "ok: BIOS boots the mounted ISO as a CD"
    # Negative control: a mounted file that is not bootable must not print the marker.
    if BOOT_TIMEOUT=60 boot_qemu "$WORK/boot-negative.log" bios cdrom "$WORK/standalone.img"; then
      fail "negative control: a USB disk image booted as a CD printed the marker"
    fi
    echo "ok: negative control (a non-bootable CD) does not boot"
  fi
  unmount_at "$I"
done

# ---- live: a new version of a package while a reader holds a file open
spec="$WORK/standalone.yaml"; T="$WORK/live"
mount_at "$T" "$spec"
mount_at "$WORK/live-images" --images "$spec"
wim="$(cd "$T" && find . -name install.wim | head -1)"
[ -n "$wim" ] || fail "no install.wim in the stand-alone tree"
iso="$(ls "$WORK/live-images"/*.iso)"
cp "$S/os/sources/install.wim" "$WORK/old.wim"
cp "$WORK/standalone.iso" "$WORK/old.iso"
exec 7<"$T/$wim"
exec 8<"$iso"
head -c 4096 <&7 >"$WORK/live1"
head -c 65536 <&8 >"$WORK/livei1"
head -c 7000001 /dev/urandom >"$S/os/sources/install.wim"
"$MEDIAFS" library add "$LIB" --package TST00002 "$S/os" >/dev/null
for _ in $(seq 1 40); do [ "$(stat -c %s "$T/$wim")" = 7000001 ] && break; sleep 0.25; done
[ "$(stat -c %s "$T/$wim")" = 7000001 ] || fail "live: the new version did not show up in the tree without remounting"
cat <&7 >"$WORK/live2"; exec 7<&-
cat <&8 >"$WORK/livei2"; exec 8<&-
cmp <(cat "$WORK/live1" "$WORK/live2") "$WORK/old.wim" || fail "live: the open reader did not get the old bytes to the end"
cmp "$T/$wim" "$S/os/sources/install.wim" || fail "live: a new open did not get the new bytes"
cmp <(cat "$WORK/livei1" "$WORK/livei2") "$WORK/old.iso" || fail "live: the open image reader did not get the old image to the end"
export_image "$spec" iso "$WORK/new.iso"
for _ in $(seq 1 20); do [ "$(stat -c %s "$iso")" = "$(stat -c %s "$WORK/new.iso")" ] && break; sleep 0.25; done
cmp "$iso" "$WORK/new.iso" || fail "live: a new open of the mounted ISO does not give the new export"
(cd "$T" && "$MEDIAFS" tree --format sha256sum "$spec" | sha256sum --quiet --strict -c) || fail "live: the reloaded tree does not match the manifest"
echo "ok: live library add (open readers keep the old bytes to the end, new opens see the new version, tree and image)"
echo "PASS"
