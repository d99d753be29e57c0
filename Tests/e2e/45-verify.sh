#!/usr/bin/env bash
# mediafs verify SPEC TARGET: a good USB image, ISO and loop device compare
# equal (exit 0); a byte flipped inside a file is named by that file (and its
# byte), one in the FAT by "FAT #1", one in the ISO's directory records by
# them; a truncated image says so; all exit 1. Where a damaged byte goes is
# found independently of mediafs: the file's bytes are searched for in the
# image (python), the FAT's place is read from the boot sector (od).
source "$(dirname "$0")/lib.sh"
source "$ROOT/Scripts/lib/payloads.sh"

LOOPS=()
cleanup() {
  local d
  for d in "${LOOPS[@]}"; do losetup -d "$d" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

make_boot_payloads "$WORK/payloads" >/dev/null
mkdir -p "$WORK/boot/EFI/BOOT" "$WORK/boot/boot" "$WORK/content/drivers/net" "$WORK/content/os"
cp "$WORK/payloads/BOOTX64.EFI" "$WORK/boot/EFI/BOOT/"
cp "$WORK/payloads/eltorito.img" "$WORK/boot/boot/etfsboot.com"
head -c $((3 << 20)) /dev/urandom > "$WORK/content/os/install.wim"
for i in $(seq 1 12); do head -c $((i * 3001)) /dev/urandom > "$WORK/content/drivers/net/d$i.sys"; done
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
cat > "$WORK/spec.yaml" <<SPEC
kind: standalone
library: $WORK/lib
label: VERIFYTEST
target: usb
boot:
  image: TST00001
  architecture: x64
  bios-loader: boot/etfsboot.com
  boot-info-table: true
unattended: true
task-sequence: TST00003
SPEC
SPEC="$WORK/spec.yaml"
"$MEDIAFS" export "$SPEC" --format usb -q -o "$WORK/good.img" >/dev/null
"$MEDIAFS" export "$SPEC" --format iso -q -o "$WORK/good.iso" >/dev/null

# The media path of a source file: the tree line with its SHA-256.
media_path() {
  local sha; sha="$(sha256sum < "$1" | cut -d' ' -f1)"
  "$MEDIAFS" tree "$SPEC" --format sha256sum | awk -v h="$sha" '$1 == h {print $2; exit}' | sed 's/^\*//'
}
# offset_of IMAGE FILE: where FILE's bytes start in IMAGE (searched, not asked of mediafs).
offset_of() {
  python3 -c 'import sys; img=open(sys.argv[1],"rb").read(); f=open(sys.argv[2],"rb").read(); i=img.find(f); assert i >= 0, "file not in image"; print(i)' "$1" "$2"
}
flip() {  # flip IMAGE OFFSET: inverts one byte
  python3 -c 'import sys; f=open(sys.argv[1],"r+b"); o=int(sys.argv[2]); f.seek(o); b=f.read(1)[0]; f.seek(o); f.write(bytes([b ^ 0xFF]))' "$1" "$2"
}
# verify_differs WHAT TARGET EXPECTED-TEXT [options]: exit 1 and EXPECTED-TEXT on standard output.
verify_differs() {
  local what="$1" target="$2" text="$3"; shift 3
  local status=0
  "$MEDIAFS" verify "$SPEC" "$target" --progress none "$@" >"$WORK/out.txt" 2>"$WORK/err.txt" || status=$?
  [ "$status" = 1 ] || fail "$what: exit status $status (want 1): $(cat "$WORK/out.txt" "$WORK/err.txt")"
  grep -qF -- "$text" "$WORK/out.txt" || fail "$what: expected '$text' in: $(cat "$WORK/out.txt" "$WORK/err.txt")"
  echo "ok: $what: $(cat "$WORK/out.txt")"
}

# ---- good images: equal, exit 0; the format found from the target
for target in good.img good.iso; do
  out="$("$MEDIAFS" verify "$SPEC" "$WORK/$target" --progress none)" || fail "verify $target: exit $?"
  grep -q "equal to the" <<<"$out" || fail "verify $target: $out"
  echo "ok: $target equal ($out)"
done
grep -q "ISO image" <<<"$("$MEDIAFS" verify "$SPEC" "$WORK/good.iso" --progress none)" || fail "good.iso not taken for the ISO"
"$MEDIAFS" verify "$SPEC" "$WORK/good.img" --format usb --progress plain >/dev/null 2>"$WORK/progress.txt" || fail "verify --format usb"
grep -q "^mediafs: verify .*100%" "$WORK/progress.txt" || fail "no plain progress: $(cat "$WORK/progress.txt")"
echo "ok: --format usb, plain progress"

# ---- a byte inside a file: the file is named, with the byte's place in it
file="$WORK/content/drivers/net/d7.sys"
path="$(media_path "$file")"; [ -n "$path" ] || fail "no media path for d7.sys"
cp "$WORK/good.img" "$WORK/bad-file.img"
start="$(offset_of "$WORK/good.img" "$file")"
flip "$WORK/bad-file.img" $((start + 1000))
verify_differs "USB, byte in a file" "$WORK/bad-file.img" "at byte $((start + 1000)) (file $path, its byte 1000)"

cp "$WORK/good.iso" "$WORK/bad-file.iso"
big="$WORK/content/os/install.wim"; bigpath="$(media_path "$big")"
start="$(offset_of "$WORK/good.iso" "$big")"
flip "$WORK/bad-file.iso" $((start + 2097152 + 5))
verify_differs "ISO, byte in a file" "$WORK/bad-file.iso" "(file $bigpath, its byte $((2097152 + 5)))"

# ---- a byte in the FAT: FAT #1 (its place from the boot sector, as od reads it)
read -r -a B <<<"$(od -An -tu1 -j $((1 << 20)) -N 64 "$WORK/good.img" | tr -s ' \n' ' ')"
bps=$((B[11] + B[12] * 256)); reserved=$((B[14] + B[15] * 256))
fatsz=$((B[36] + B[37] * 256 + B[38] * 65536 + B[39] * 16777216))
fat1=$(( (1 << 20) + reserved * bps ))
cp "$WORK/good.img" "$WORK/bad-fat.img"; flip "$WORK/bad-fat.img" $((fat1 + 13))
verify_differs "USB, byte in FAT #1" "$WORK/bad-fat.img" "at byte $((fat1 + 13)) (FAT #1)"
cp "$WORK/good.img" "$WORK/bad-fat2.img"; flip "$WORK/bad-fat2.img" $((fat1 + fatsz * bps + 13))
verify_differs "USB, byte in FAT #2" "$WORK/bad-fat2.img" "(FAT #2)"
cp "$WORK/good.img" "$WORK/bad-boot.img"; flip "$WORK/bad-boot.img" $(((1 << 20) + 3))
verify_differs "USB, OEM name in the boot sector" "$WORK/bad-boot.img" "(boot sector)"
cp "$WORK/good.img" "$WORK/bad-mbr.img"; flip "$WORK/bad-mbr.img" 446
verify_differs "USB, partition entry" "$WORK/bad-mbr.img" "(master boot record (partition table))" --format usb

# ---- the ISO's directory records (the first one's place from the primary volume descriptor)
read -r -a P <<<"$(od -An -tu1 -j $((16 * 2048 + 156 + 2)) -N 4 "$WORK/good.iso" | tr -s ' \n' ' ')"
root=$(( (P[0] + P[1] * 256 + P[2] * 65536 + P[3] * 16777216) * 2048 ))
cp "$WORK/good.iso" "$WORK/bad-dir.iso"; flip "$WORK/bad-dir.iso" $((root + 40))
verify_differs "ISO, root directory record" "$WORK/bad-dir.iso" "(ISO 9660 directory records)" --format iso

# ---- truncated: shorter than the image, equal up to its end
head -c $(( $(stat -c %s "$WORK/good.img") - 4096 )) "$WORK/good.img" > "$WORK/short.img"
verify_differs "truncated image" "$WORK/short.img" "shorter than the USB image" --format usb

# ---- a block device (a loop device over the image, larger than the image: only the image counts)
cp "$WORK/good.img" "$WORK/device.img"; truncate -s +8M "$WORK/device.img"
dev="$(losetup --find --show "$WORK/device.img")" || fail "losetup"
LOOPS+=("$dev")
out="$("$MEDIAFS" verify "$SPEC" "$dev" --progress none)" || fail "verify $dev: exit $?: $out"
grep -q "equal to the USB image" <<<"$out" || fail "verify $dev: $out"
echo "ok: loop device $dev equal ($out)"
flip "$WORK/device.img" $((fat1 + 13))
# The loop device reads its file through the page cache: verify drops the device's cache itself.
verify_differs "loop device, byte in FAT #1" "$dev" "(FAT #1)" --format usb

# ---- errors: one line, exit 1
expect_failure "missing target" "mediafs: " "$MEDIAFS" verify "$SPEC" "$WORK/nothing.img"

# ---- the rest of issue 14's surface, with this library: JSON, one error style, plurals
# library list --format json, read by python's json (and checked against the text listing).
"$MEDIAFS" library list "$WORK/lib" --format json > "$WORK/list.json"
python3 - "$WORK/list.json" <<'PY' || fail "library list --format json"
import json, sys
doc = json.load(open(sys.argv[1]))
ids = [p["packageID"] for p in doc["packages"]]
assert ids == ["TST00001", "TST00002", "TST00003"], ids
content = doc["packages"][1]
assert content["name"] == "Content" and content["currentVersion"] == 1, content
v = content["versions"][0]
assert v["contentID"] == "TST00002.1" and v["current"] is True and v["files"] == 13, v
assert v["bytes"] == (3 << 20) + sum(i * 3001 for i in range(1, 13)), v
PY
echo "ok: library list --format json"
# export --json: one object, its sha256 the file's (the image is hashed only when asked: --checksum).
"$MEDIAFS" export "$SPEC" --format usb -q --json -o "$WORK/json.img" > "$WORK/export-default.json"
python3 - "$WORK/export-default.json" <<'PY' || fail "export --json without --checksum: $(cat "$WORK/export-default.json")"
import json, sys
[image] = json.load(open(sys.argv[1]))["images"]
assert "sha256" not in image and image["verifiedBlobs"] > 0, image
PY
"$MEDIAFS" export "$SPEC" --format usb -q --checksum --json -o "$WORK/json.img" > "$WORK/export.json"
python3 - "$WORK/export.json" "$WORK/json.img" "$(sha256sum < "$WORK/json.img" | cut -d' ' -f1)" <<'PY' || fail "export --json: $(cat "$WORK/export.json")"
import json, os, sys
doc = json.load(open(sys.argv[1]))
[image] = doc["images"]
assert image["output"] == sys.argv[2] and image["bytes"] == os.path.getsize(sys.argv[2]), image
assert image["sha256"] == sys.argv[3], image
assert image["verifiedBlobs"] > 0, image
PY
echo "ok: export --json"
# Plurals: a one-file package says "1 file".
mkdir -p "$WORK/one"; printf 'x' > "$WORK/one/a.txt"
"$MEDIAFS" library add "$WORK/lib" --package TST00009 "$WORK/one" >/dev/null
"$MEDIAFS" library list "$WORK/lib" | grep -E "TST00009.1 +1 file +1 byte$" >/dev/null || fail "plurals: $("$MEDIAFS" library list "$WORK/lib")"
"$MEDIAFS" library list "$WORK/lib" | grep -q "^4 packages, 4 versions$" || fail "summary line"
echo "ok: 1 file, 1 byte"
# One error style: runtime errors are one "mediafs:" line, no usage, exit 1; usage mistakes add the usage.
check_error() {  # check_error WHAT WANT-USAGE(yes|no) TEXT command...
  local what="$1" usage="$2" text="$3"; shift 3
  local status=0
  "$@" >/dev/null 2>"$WORK/err.txt" || status=$?
  [ "$status" = 1 ] || fail "$what: exit $status (want 1): $(cat "$WORK/err.txt")"
  head -n 1 "$WORK/err.txt" | grep -q "^mediafs: .*$text" || fail "$what: first line: $(cat "$WORK/err.txt")"
  grep -q "^Error:" "$WORK/err.txt" && fail "$what: 'Error:' style: $(cat "$WORK/err.txt")"
  if [ "$usage" = no ]; then
    [ "$(wc -l < "$WORK/err.txt")" = 1 ] || fail "$what: more than one line: $(cat "$WORK/err.txt")"
  else
    grep -q "Usage:" "$WORK/err.txt" || fail "$what: no usage: $(cat "$WORK/err.txt")"
  fi
  echo "ok: $what: $(head -n 1 "$WORK/err.txt")"
}
printf 'damaged' > "$(find "$WORK/lib/FileLib" -type f ! -name '*.INI' | head -n 1)"
check_error "library verify of a damaged library" no "missing, [01] mismatched and [0-9]* refused blobs, [0-9]* broken packages (listed above)" \
  "$MEDIAFS" library verify "$WORK/lib"
check_error "unmount of a folder that is not mounted" no "nothing is mounted here" "$MEDIAFS" unmount "$WORK"
check_error "unknown option" yes "Unknown option '--bogus'" "$MEDIAFS" verify --bogus "$SPEC" "$WORK/good.img"
check_error "missing argument" yes "Missing expected argument" "$MEDIAFS" verify "$SPEC"
echo "all verify tests passed"
