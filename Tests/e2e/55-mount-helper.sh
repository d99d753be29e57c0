#!/usr/bin/env bash
# Mounting the way admins mount: `mount -t fuse.mediafs SPEC DIR -o ro[,images][,allow_other]`
# and an /etc/fstab line (a scratch fstab, `mount -T`), through util-linux
# mount and libfuse's mount.fuse3, which runs `mediafs SPEC DIR -o OPTIONS`
# from PATH; `umount` ends them. Checked with the kernel's mount table and
# sha256sum/cmp against `mediafs tree` and `mediafs export`.
source "$(dirname "$0")/lib.sh"
source "$ROOT/Scripts/lib/payloads.sh"

require_tools mount umount mount.fuse3

# mount.fuse3 runs `mediafs` from the standard PATH (/usr/local/sbin:/usr/local/bin:/usr/sbin:…),
# not the caller's: the binary under test goes there for the test's length.
LINK=/usr/local/sbin/mediafs
cleanup() {
  unmount_all
  [ "$(readlink "$LINK" 2>/dev/null)" = "$MEDIAFS" ] && rm -f "$LINK"
  rm -rf "$WORK"
}
trap cleanup EXIT
fstype() { awk -v m="$1" '$5 == m {for (i = 7; i <= NF; i++) if ($i == "-") {print $(i + 1); exit}}' /proc/self/mountinfo; }
options() { awk -v m="$1" '$5 == m {print $6; exit}' /proc/self/mountinfo; }
unmount() {
  umount "$1" || fail "umount $1"
  for _ in $(seq 1 50); do mounted "$1" || return 0; sleep 0.1; done
  fail "$1 still mounted after umount"
}

# `mediafs` where mount.fuse3 looks for it (the program named by the subtype).
[ -e "$LINK" ] && fail "$LINK exists already (another run of this test?)"
mkdir -p "$(dirname "$LINK")"; ln -s "$MEDIAFS" "$LINK"

make_boot_payloads "$WORK/payloads" >/dev/null
mkdir -p "$WORK/boot/EFI/BOOT" "$WORK/content/drivers"
cp "$WORK/payloads/BOOTX64.EFI" "$WORK/boot/EFI/BOOT/"
head -c 1000001 /dev/urandom > "$WORK/content/drivers/net.sys"
"$MEDIAFS" library init "$WORK/lib" >/dev/null
"$MEDIAFS" library add "$WORK/lib" --package TST00001 --name "Boot image (x64)" "$WORK/boot" >/dev/null
"$MEDIAFS" library add "$WORK/lib" --package TST00002 --name "Content" "$WORK/content" >/dev/null
mkdir -p "$WORK/ts"
cat > "$WORK/ts/TaskSequence.xml" <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<sequence version="3.00" name="Test">
  <step type="SMS_TaskSequence_ApplyOperatingSystemAction" name="Apply OS" package="TST00002"/>
</sequence>
XML
"$MEDIAFS" library add "$WORK/lib" --package TST00003 --name "Deploy" "$WORK/ts" >/dev/null
SPEC="$WORK/media.yaml"
cat > "$SPEC" <<YAML
kind: standalone
library: $WORK/lib
label: HELPERTEST
target: usb
boot: {image: TST00001, architecture: x64}
unattended: true
task-sequence: TST00003
YAML
"$MEDIAFS" tree "$SPEC" --format sha256sum > "$WORK/manifest"
"$MEDIAFS" export "$SPEC" --format usb -q -o "$WORK/media.img" >/dev/null

# ---- mount -t fuse.mediafs SPEC DIR -o ro: the tree
M="$WORK/tree"; mkdir -p "$M"
mount -t fuse.mediafs "$SPEC" "$M" -o ro || fail "mount -t fuse.mediafs"
MOUNTS+=("$M")
mounted "$M" || fail "mount returned before $M was mounted"
[ "$(fstype "$M")" = fuse.mediafs ] || fail "type is $(fstype "$M"), want fuse.mediafs"
grep -q '^ro' <<<"$(options "$M")" || fail "not read-only: $(options "$M")"
(cd "$M" && sha256sum --quiet -c "$WORK/manifest") || fail "mounted tree differs from mediafs tree"
echo "ok: mount -t fuse.mediafs -o ro (tree)"
unmount "$M"
echo "ok: umount"

# ---- -o ro,images,allow_other: the images; `rw` (mount's default) is accepted, the mount stays read-only
mount -t fuse.mediafs "$SPEC" "$M" -o ro,images,allow_other || fail "mount -o ro,images,allow_other"
mounted "$M" || fail "images mount not there"
img="$(ls "$M"/*.img)" || fail "no .img in the images view: $(ls "$M")"
cmp "$img" "$WORK/media.img" || fail "mounted image differs from the export"
grep -q allow_other <<<"$(awk -v m="$M" '$5 == m' /proc/self/mountinfo)" || fail "allow_other not passed: $(awk -v m="$M" '$5 == m' /proc/self/mountinfo)"
echo "ok: mount -o ro,images,allow_other (images; allow_other reached the kernel)"
unmount "$M"
mount -t fuse.mediafs "$SPEC" "$M" || fail "mount without -o (mount passes rw)"
grep -q '^ro' <<<"$(options "$M")" || fail "rw made it writable: $(options "$M")"
touch "$M/new" 2>/dev/null && fail "a file could be created"
unmount "$M"
echo "ok: mount without options is read-only"

# ---- an fstab line, in a scratch fstab
F="$WORK/fstab-mount"; mkdir -p "$F"
printf '# scratch fstab\n%s %s fuse.mediafs ro,images,noauto,nofail,x-systemd.automount 0 0\n' "$SPEC" "$F" > "$WORK/fstab"
mount -T "$WORK/fstab" "$F" || fail "mount -T fstab"
MOUNTS+=("$F")
mounted "$F" || fail "fstab mount not there"
cmp "$F/$(basename "$img")" "$WORK/media.img" || fail "fstab-mounted image differs from the export"
echo "ok: fstab line (mount -T): ro,images,noauto,nofail,x-systemd.automount"
unmount "$F"

# ---- a bad spec through mount: one mediafs line, mount fails
printf 'kind: nonsense\n' > "$WORK/bad.yaml"
out="$(mount -t fuse.mediafs "$WORK/bad.yaml" "$M" -o ro 2>&1)" && fail "mount of a bad spec succeeded"
grep -q "^mediafs: .*bad.yaml" <<<"$out" || fail "bad spec through mount: $out"
mounted "$M" && fail "bad spec left a mount"
echo "ok: a bad spec fails the mount with one line: $out"
echo "all mount helper tests passed"
