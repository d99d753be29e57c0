#!/usr/bin/env bash
# mediafs export: file, pipe and block device give the same bytes (and the
# mounted image's, when mount works); a damaged blob stops the export and
# keeps the previous file; a full disk is one clear line and no leftover; a
# mounted, in-use, non-removable or too-small device is refused.
source "$(dirname "$0")/lib.sh"
source "$ROOT/Scripts/lib/payloads.sh"

LOOPS=(); MOUNTS=()
cleanup() {
  local m d
  for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null || fusermount3 -u "$m" 2>/dev/null || true; done
  for d in "${LOOPS[@]}"; do losetup -d "$d" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# A library with a boot image package and a content package, and a spec per target.
make_boot_payloads "$WORK/payloads" >/dev/null
mkdir -p "$WORK/boot/EFI/BOOT" "$WORK/boot/boot" "$WORK/content/drivers/net" "$WORK/content/os"
cp "$WORK/payloads/BOOTX64.EFI" "$WORK/boot/EFI/BOOT/"
cp "$WORK/payloads/eltorito.img" "$WORK/boot/boot/etfsboot.com"
head -c $((5 << 20)) /dev/urandom > "$WORK/content/os/install.wim"
for i in $(seq 1 30); do head -c $((i * 3001)) /dev/urandom > "$WORK/content/drivers/net/d$i.sys"; done
: > "$WORK/content/drivers/empty.inf"
mkdir -p "$WORK/ts"
cat > "$WORK/ts/TaskSequence.xml" <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<sequence version="3.00" name="Export test">
  <step type="SMS_TaskSequence_ApplyOperatingSystemAction" name="Apply OS" package="TST00002"/>
</sequence>
XML
"$MEDIAFS" library init "$WORK/lib" >/dev/null
"$MEDIAFS" library add "$WORK/lib" --package TST00001 --name "Boot image (x64)" "$WORK/boot" >/dev/null
"$MEDIAFS" library add "$WORK/lib" --package TST00002 --name "Content" "$WORK/content" >/dev/null
"$MEDIAFS" library add "$WORK/lib" --package TST00003 --name "Deploy" "$WORK/ts" >/dev/null
for target in usb iso; do
  cat > "$WORK/$target.yaml" <<SPEC
kind: standalone
library: $WORK/lib
label: EXPORTTEST
target: $([ $target = usb ] && echo usb || echo "{iso: {media-size: dvd}}")
boot:
  image: TST00001
  architecture: x64
  bios-loader: boot/etfsboot.com
  boot-info-table: true
unattended: true
task-sequence: TST00003
SPEC
done

for format in usb iso; do
  spec="$WORK/$format.yaml"
  # 1. A file, with the checksum file and the read-back.
  "$MEDIAFS" export "$spec" --format $format -o "$WORK/a.$format" --checksum --verify-written --progress plain \
    > "$WORK/hash.out" 2> "$WORK/export.err" || { cat "$WORK/export.err"; fail "$format export to a file"; }
  want="$(sha256sum < "$WORK/a.$format" | cut -d' ' -f1)"
  grep -q "^$want  $WORK/a.$format\$" "$WORK/hash.out" || fail "$format: printed SHA-256 is not the file's: $(cat "$WORK/hash.out")"
  (cd "$WORK" && sha256sum -c "a.$format.sha256" >/dev/null) || fail "$format: .sha256 file does not check"
  grep -q "read back, SHA-256 matches" "$WORK/export.err" || fail "$format: no read-back"
  ls -a "$WORK" | grep -q 'mediafs-.*\.tmp' && fail "$format: temporary file left"
  echo "ok: $format to a file ($want)"

  # 1b. The default: blobs verified, the image's SHA-256 not computed (nothing on standard output).
  "$MEDIAFS" export "$spec" --format $format -o "$WORK/d.$format" > "$WORK/hash.out" 2> "$WORK/export.err" \
    || { cat "$WORK/export.err"; fail "$format: default export to a file"; }
  [ "$(sha256sum < "$WORK/d.$format" | cut -d' ' -f1)" = "$want" ] || fail "$format: default export gives other bytes"
  [ ! -s "$WORK/hash.out" ] || fail "$format: default export printed a hash: $(cat "$WORK/hash.out")"
  grep -q "blobs verified, image SHA-256 not computed (--checksum computes it)" "$WORK/export.err" \
    || fail "$format: summary does not say what was verified and not hashed: $(cat "$WORK/export.err")"
  echo "ok: $format default export: blobs verified, no image hash"

  # 2. A pipe, on both paths.
  got="$("$MEDIAFS" export "$spec" --format $format -q -o - | sha256sum | cut -d' ' -f1)"
  [ "$got" = "$want" ] || fail "$format: pipe gives other bytes"
  got="$("$MEDIAFS" export "$spec" --format $format -q --no-verify -o - | sha256sum | cut -d' ' -f1)"
  [ "$got" = "$want" ] || fail "$format: pipe (no hashing: splice, the default) gives other bytes"
  got="$("$MEDIAFS" export "$spec" --format $format -q --no-verify --copy-path read-write -o - | sha256sum | cut -d' ' -f1)"
  [ "$got" = "$want" ] || fail "$format: pipe (read-write) gives other bytes"
  got="$("$MEDIAFS" export "$spec" --format $format -q --no-verify --copy-path copy-range -o "$WORK/b.$format" >/dev/null && sha256sum < "$WORK/b.$format" | cut -d' ' -f1)"
  [ "$got" = "$want" ] || fail "$format: copy_file_range gives other bytes"
  echo "ok: $format to a pipe and by copy_file_range"

  # 3. A loop device (not removable: --force), larger than the image, filled with garbage first.
  size="$(stat -c %s "$WORK/a.$format")"
  head -c $((size + (3 << 20))) /dev/urandom > "$WORK/disk.$format"
  dev="$(losetup -f --show "$WORK/disk.$format")"; LOOPS+=("$dev")
  expect_failure "$format: non-removable device without --force" "not a removable device" \
    "$MEDIAFS" export "$spec" --format $format -q -o "$dev"
  "$MEDIAFS" export "$spec" --format $format -q --force --verify-written -o "$dev" >/dev/null 2>"$WORK/dev.err" \
    || { cat "$WORK/dev.err"; fail "$format: export to $dev"; }
  got="$(head -c "$size" "$dev" | sha256sum | cut -d' ' -f1)"
  [ "$got" = "$want" ] || fail "$format: loop device gives other bytes"
  echo "ok: $format to a loop device"

  # 4. The mounted image, when the FUSE front end works.
  if "$MEDIAFS" mount --help >/dev/null 2>&1 && ! "$MEDIAFS" mount --help 2>&1 | grep -q "not yet implemented"; then
    mkdir -p "$WORK/mnt-$format"
    "$MEDIAFS" mount --images "$spec" "$WORK/mnt-$format" && MOUNTS+=("$WORK/mnt-$format")
    image="$(find "$WORK/mnt-$format" -maxdepth 1 -type f -name "*.$( [ $format = usb ] && echo img || echo iso)" | head -n 1)"
    [ -n "$image" ] || fail "$format: no image in the mount"
    got="$(sha256sum < "$image" | cut -d' ' -f1)"
    [ "$got" = "$want" ] || fail "$format: the mounted image differs from the export"
    echo "ok: $format mounted image equals the export"
  else
    echo "note: mount not available yet; mounted-image comparison not run"
  fi
done

# Refusals: a too-small device, a mounted one, one held open exclusively.
truncate -s 1M "$WORK/small.disk"
small="$(losetup -f --show "$WORK/small.disk")"; LOOPS+=("$small")
expect_failure "too-small device" "smaller than the image" "$MEDIAFS" export "$WORK/usb.yaml" --format usb -q --force -o "$small"
truncate -s 64M "$WORK/busy.disk"
busy="$(losetup -f --show "$WORK/busy.disk")"; LOOPS+=("$busy")
mkfs.ext4 -q -F "$busy"
mkdir -p "$WORK/busy-mnt"; mount "$busy" "$WORK/busy-mnt"; MOUNTS+=("$WORK/busy-mnt")
expect_failure "mounted device" "the device is mounted ($WORK/busy-mnt)" "$MEDIAFS" export "$WORK/usb.yaml" --format usb -q --force -o "$busy"
umount "$WORK/busy-mnt"
# Held open exclusively by another program (as a partitioner or dm would).
python3 -c 'import os, sys, time; os.open(sys.argv[1], os.O_RDONLY | os.O_EXCL); print("held", flush=True); time.sleep(60)' "$busy" > "$WORK/held" &
holder=$!
for _ in $(seq 50); do grep -q held "$WORK/held" && break; sleep 0.1; done
expect_failure "device in use" "the device is in use" "$MEDIAFS" export "$WORK/usb.yaml" --format usb -q --force -o "$busy"
kill "$holder"; wait "$holder" 2>/dev/null || true

# A damaged blob: the export stops naming it, saying nothing was written; the previous output stays, unchanged; nothing else is left.
cp "$WORK/a.usb" "$WORK/keep.usb"; before="$(sha256sum < "$WORK/keep.usb")"
blob="$(find "$WORK/lib" -type f -size +4M -path '*FileLib*' | head -n 1)"
[ -n "$blob" ] || fail "no 5 MiB blob found in the library"
cp "$blob" "$WORK/blob.saved"
printf 'X' | dd of="$blob" bs=1 seek=1000000 conv=notrunc status=none
expect_failure "damaged blob" "$(basename "$blob")" "$MEDIAFS" export "$WORK/usb.yaml" --format usb -q -o "$WORK/keep.usb"
expect_failure "damaged blob: nothing written" "export stopped, nothing written" "$MEDIAFS" export "$WORK/usb.yaml" --format usb -q -o "$WORK/keep.usb"
expect_failure "damaged blob names the file" "install.wim" "$MEDIAFS" export "$WORK/usb.yaml" --format usb -q -o "$WORK/keep.usb"
[ "$(sha256sum < "$WORK/keep.usb")" = "$before" ] || fail "the previous output changed"
ls -a "$WORK" | grep -q 'mediafs-.*\.tmp' && fail "temporary file left after the damaged blob"
cp "$WORK/blob.saved" "$blob"

# A full disk: one line naming the output, exit status non-zero, no leftover.
# 2 MiB: less than the image's data (its zeros become holes, so they need no room).
mkdir -p "$WORK/full"; mount -t tmpfs -o size=2m tmpfs "$WORK/full"; MOUNTS+=("$WORK/full")
expect_failure "full disk" "$WORK/full/m.usb: write failed: No space left on device" \
  "$MEDIAFS" export "$WORK/usb.yaml" --format usb -q -o "$WORK/full/m.usb"
[ -z "$(ls -A "$WORK/full")" ] || fail "full disk left: $(ls -A "$WORK/full")"
err="$("$MEDIAFS" export "$WORK/usb.yaml" --format usb -q -o "$WORK/full/m.usb" 2>&1 >/dev/null || true)"
[ "$(wc -l <<<"$err")" -eq 1 ] || fail "full disk: more than one line: $err"
echo "ok: full disk leaves nothing, one line"

# An unwritable path and a terminal on standard output.
expect_failure "missing folder" "$WORK/nope/x.img: create failed: No such file or directory" \
  "$MEDIAFS" export "$WORK/usb.yaml" --format usb -q -o "$WORK/nope/x.img"
echo "all export checks passed"
