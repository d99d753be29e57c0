#!/usr/bin/env bash
# Hostile and damaged libraries (issue 13), against the kernel through the
# mount, mtools and fsck.fat:
# - containment: a FileLib blob replaced by a symbolic link to a root-only
#   file of the same size outside the library, a linked FileLib/<4> folder, a
#   linked DataLib/<ContentID> folder: the mount gives EIO for that file (never
#   the outside bytes), export --no-verify and tree fail naming it, library
#   verify lists it;
# - a broken package the media does not use: a warning naming it (tree,
#   export, one log line in a mount), list and verify name it, and a media
#   that uses it fails naming it;
# - name rules are the target's: a ';' in a name is fine on a USB stick
#   (mtools and fsck.fat read it), refused for an ISO naming the file, and
#   mount --images serves the USB image only, with one warning line.
source "$(dirname "$0")/lib.sh"

require_tools mdir mtype fsck.fat fusermount3

FOREGROUND=()
cleanup() {
  local p
  for p in "${FOREGROUND[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  unmount_all
  rm -rf "$WORK"
}
trap cleanup EXIT
# mount_fg LOG MOUNTPOINT ARGS...: a foreground daemon logging to LOG, in the background.
mount_fg() {
  local log="$1" m="$2"; shift 2
  mkdir -p "$m"
  "$MEDIAFS" mount -f "$@" "$m" 2>"$log" & FOREGROUND+=($!)
  MOUNTS+=("$m")
  for _ in $(seq 1 100); do mounted "$m" && return 0; sleep 0.1; done
  fail "mount $* $m: $(cat "$log")"
}
unmount_fg() {
  "$MEDIAFS" unmount "$1" || fail "unmount $1"
  for _ in $(seq 1 50); do mounted "$1" || break; sleep 0.1; done
  wait "${FOREGROUND[-1]}" 2>/dev/null || true
}

# A PE header naming a machine (what the boot image's EFI loader is checked by).
pe() { printf 'MZ'; head -c 58 /dev/zero; printf '\x80\0\0\0'; head -c 64 /dev/zero; printf "PE\0\0$1"; head -c 122 /dev/zero; }

cd "$WORK"
mkdir -p src/boot/EFI/BOOT src/boot/docs src/other
pe '\x64\x86' >src/boot/EFI/BOOT/BOOTX64.EFI
head -c 40000 /dev/urandom >src/boot/victim.bin
head -c 50000 /dev/urandom >src/boot/docs/bystander.bin
printf 'other package\n' >src/other/readme.txt
LIB="$WORK/SCCMContentLib"
"$MEDIAFS" library init "$LIB"
"$MEDIAFS" library add "$LIB" --package TST00001 --name "Boot image" src/boot >/dev/null
"$MEDIAFS" library add "$LIB" --package TST00002 --name "Other" src/other >/dev/null

cat >usb.yaml <<YAML
kind: bootable
library: $LIB
label: LAB
target: {usb: {size: auto}}
boot:
  image: TST00001
  architecture: x64
management:
  site-based:
    management-point: http://mp1.contoso.com
    site-code: ABC
certificate:
  self-signed: {start: 2026-01-01, expires: 2099-01-01, key: {file: media-key.pem}}
YAML
"$MEDIAFS" certificate new-key media-key.pem >/dev/null
export SOURCE_DATE_EPOCH=1767225600

victim_hash="$(sha256sum src/boot/victim.bin | awk '{print toupper($1)}')"
BLOB="$(blob_path "$LIB" "$victim_hash")"
[ -f "$BLOB" ] || fail "no blob at $BLOB"
"$MEDIAFS" tree usb.yaml >/dev/null || fail "tree of the sound library"

# A root-only file outside the library, of the blob's size, with bytes of its own.
OUTSIDE="$WORK/outside"; mkdir -p "$OUTSIDE"
head -c 40000 /dev/urandom >"$OUTSIDE/secret"; chmod 600 "$OUTSIDE/secret"

# Fails unless COMMAND exits non-zero naming PATH and saying WORDS on stderr; nothing written to OUT.
refused() {
  local what="$1" path="$2" words="$3"; shift 3
  local err
  if err="$("$@" 2>&1 >/dev/null)"; then fail "$what: exited 0"; fi
  grep -qF -- "$path" <<<"$err" || fail "$what: does not name $path: $err"
  grep -qF -- "$words" <<<"$err" || fail "$what: does not say '$words': $err"
  echo "ok: $what"
}

# Every front end refuses the library as it now is, naming PATH.
check_refusals() {
  local label="$1" path="$2" words="$3"
  refused "$label: tree" "$path" "$words" "$MEDIAFS" tree usb.yaml
  refused "$label: export --no-verify" "$path" "$words" "$MEDIAFS" export usb.yaml --format usb --no-verify -o "$WORK/out.img"
  [ ! -e "$WORK/out.img" ] || fail "$label: export left an image"
  ls "$WORK"/.out.img.* >/dev/null 2>&1 && fail "$label: export left a temporary file"
  if "$MEDIAFS" library verify "$LIB" >verify.out 2>verify.err; then fail "$label: verify exited 0"; fi
  grep -qF -- "$path" verify.out || fail "$label: verify does not list $path: $(cat verify.out)"
  grep -qF -- "$words" verify.out || fail "$label: verify does not say '$words': $(cat verify.out)"
  echo "ok: $label: library verify lists it"
}

# ---- 1. a blob replaced by a link to the outside file of the same size
mv "$BLOB" "$WORK/blob.saved"
ln -s "$OUTSIDE/secret" "$BLOB"
check_refusals "linked blob" "$BLOB" "leads outside the library (symbolic link)"

# The mount loads without stat'ing blobs: EIO on that file only, one log line, never the outside bytes.
mount_fg "$WORK/mount1.log" "$WORK/m1" usb.yaml
expect_failure "mount: read of the linked blob" "Input/output error" cat "$WORK/m1/victim.bin"
expect_failure "mount: second read of the linked blob" "Input/output error" cat "$WORK/m1/victim.bin"
cmp "$WORK/m1/docs/bystander.bin" src/boot/docs/bystander.bin || fail "mount: the other files stopped reading"
[ "$(grep -cF -- "$BLOB" "$WORK/mount1.log")" = 1 ] || fail "mount: not one log line naming the blob: $(cat "$WORK/mount1.log")"
grep -F -- "$BLOB" "$WORK/mount1.log" | grep -qF "leads outside the library" || fail "mount log: $(cat "$WORK/mount1.log")"
unmount_fg "$WORK/m1"
# The images view: the USB image holds that file, so reading across it fails; its bytes never come out.
mount_fg "$WORK/mount1i.log" "$WORK/m1i" --images usb.yaml
expect_failure "mount --images: read across the linked blob" "Input/output error" cat "$WORK/m1i/LAB.img"
unmount_fg "$WORK/m1i"
echo "ok: linked blob: EIO in the mount, for that file only"
rm "$BLOB"; mv "$WORK/blob.saved" "$BLOB"

# ---- 2. a linked FileLib/<4> folder (a copy outside holding the outside bytes)
FOLDER="$(dirname "$(blob_path "$LIB" "$victim_hash")")"
mkdir -p "$OUTSIDE/filelib"; cp -a "$FOLDER" "$OUTSIDE/filelib/"; cp "$OUTSIDE/secret" "$OUTSIDE/filelib/${victim_hash:0:4}/$victim_hash"
mv "$FOLDER" "$WORK/folder.saved"; ln -s "$OUTSIDE/filelib/${victim_hash:0:4}" "$FOLDER"
check_refusals "linked FileLib folder" "$BLOB" "leads outside the library (symbolic link)"
mount_fg "$WORK/mount2.log" "$WORK/m2" usb.yaml
expect_failure "mount: read through the linked FileLib folder" "Input/output error" cat "$WORK/m2/victim.bin"
cmp "$WORK/m2/docs/bystander.bin" src/boot/docs/bystander.bin || fail "mount: the other files stopped reading"
unmount_fg "$WORK/m2"
rm "$FOLDER"; mv "$WORK/folder.saved" "$FOLDER"

# ---- 3. a linked DataLib/<ContentID> folder
DATA="$LIB/DataLib/TST00001.1"
cp -a "$DATA" "$OUTSIDE/TST00001.1"
mv "$DATA" "$WORK/data.saved"; ln -s "$OUTSIDE/TST00001.1" "$DATA"
check_refusals "linked DataLib folder" "$DATA" "leads outside the library (symbolic link)"
grep -qF "broken: TST00001.1: $DATA: leads outside the library" verify.out || fail "verify: $(cat verify.out)"
rm "$DATA"; mv "$WORK/data.saved" "$DATA"
"$MEDIAFS" library verify "$LIB" >/dev/null || fail "verify of the restored library"
"$MEDIAFS" export usb.yaml --format usb -o "$WORK/sound.img" || fail "export of the restored library"
echo "ok: containment"

# ---- broken packages: one the media does not use is a warning, naming it
printf '[Packages\n' >"$LIB/PkgLib/BAD00001.INI"
ln -s "$OUTSIDE/secret" "$LIB/PkgLib/BAD00002.INI"
"$MEDIAFS" tree usb.yaml >tree.out 2>tree.err || fail "tree blocked by an unused broken package: $(cat tree.err)"
grep -qF "warning: library: package BAD00001 is broken and left out (the media does not use it): $LIB/PkgLib/BAD00001.INI:1:" tree.err \
  || fail "tree: no warning naming BAD00001: $(cat tree.err)"
grep -qF "$LIB/PkgLib/BAD00002.INI: leads outside the library (symbolic link)" tree.err || fail "tree: no warning naming BAD00002: $(cat tree.err)"
"$MEDIAFS" export usb.yaml --format usb -o "$WORK/broken.img" 2>export.err || fail "export blocked by an unused broken package: $(cat export.err)"
grep -qF "BAD00001" export.err || fail "export: no warning: $(cat export.err)"
cmp "$WORK/broken.img" "$WORK/sound.img" || fail "an unused broken package changed the image"
echo "ok: unused broken packages warn (tree, export)"
mount_fg "$WORK/mount3.log" "$WORK/m3" usb.yaml
cmp "$WORK/m3/victim.bin" src/boot/victim.bin || fail "mount with a broken package"
kill -HUP "${FOREGROUND[-1]}"; sleep 1    # a reload must not log the warning again
[ "$(grep -c "BAD00001" "$WORK/mount3.log")" = 1 ] || fail "mount: not one log line for BAD00001: $(cat "$WORK/mount3.log")"
unmount_fg "$WORK/m3"
echo "ok: a mount logs one line per broken package"
if "$MEDIAFS" library list "$LIB" >list.out 2>list.err; then fail "list exited 0 with broken packages"; fi
grep -qE '^  \* TST00001\.1 ' list.out && grep -qE '^  \* TST00002\.1 ' list.out || fail "list: the good packages: $(cat list.out)"
grep -qF "BAD00001  broken: $LIB/PkgLib/BAD00001.INI:1:" list.out || fail "list: $(cat list.out)"
grep -qF "2 broken" list.err || fail "list error: $(cat list.err)"
# The JSON listing names them too (and exits 1 as the text one): the good packages listed, the broken ones with their reason.
if "$MEDIAFS" library list "$LIB" --format json >list.json 2>list.err; then fail "list --format json exited 0 with broken packages"; fi
python3 - list.json <<'PY' || fail "list --format json: $(cat list.json) $(cat list.err)"
import json, sys
doc = json.load(open(sys.argv[1]))
good = {p["packageID"]: p for p in doc["packages"]}
assert all("broken" not in v and v["files"] > 0 for i in ("TST00001", "TST00002") for v in good[i]["versions"]), doc["packages"]
broken = {b["reference"]: b["broken"] for b in doc["brokenPackages"]}
assert sorted(broken) == ["BAD00001", "BAD00002"], broken
assert "BAD00001.INI:1:" in broken["BAD00001"] and "leads outside" in broken["BAD00002"], broken
PY
if "$MEDIAFS" library verify "$LIB" >verify.out 2>&1; then fail "verify exited 0 with broken packages"; fi
grep -qF "broken: BAD00001: $LIB/PkgLib/BAD00001.INI:1:" verify.out && grep -qF "broken: BAD00002: $LIB/PkgLib/BAD00002.INI: leads outside" verify.out \
  || fail "verify: $(cat verify.out)"
echo "ok: list and verify name the broken packages"
# A media that uses a broken package fails, naming it.
sed 's/image: TST00001/image: BAD00001/' usb.yaml >uses-broken.yaml
refused "a media using a broken package" "$LIB/PkgLib/BAD00001.INI:1:" "does not parse" "$MEDIAFS" tree uses-broken.yaml
# A broken DataLib entry of an unused package: the same.
rm "$LIB/PkgLib/BAD00001.INI" "$LIB/PkgLib/BAD00002.INI"
cp "$LIB/DataLib/TST00002.1/readme.txt.INI" readme.saved
printf 'garbage\n' >"$LIB/DataLib/TST00002.1/readme.txt.INI"
"$MEDIAFS" tree usb.yaml >/dev/null 2>tree.err || fail "tree blocked by an unused package's broken DataLib: $(cat tree.err)"
if "$MEDIAFS" library verify "$LIB" >verify.out 2>&1; then fail "verify exited 0 with a broken DataLib"; fi
grep -qF "broken: TST00002.1: $LIB/DataLib/TST00002.1/readme.txt.INI:1:" verify.out || fail "verify: $(cat verify.out)"
cp readme.saved "$LIB/DataLib/TST00002.1/readme.txt.INI"
"$MEDIAFS" library verify "$LIB" >/dev/null || fail "verify of the repaired library"
echo "ok: broken packages"

# ---- names are the target's: ';' is fine on FAT, not in Joliet
mkdir -p src/names; printf 'semicolon\n' >"src/names/a;b.txt"
cp -r src/boot/. src/names/
"$MEDIAFS" library add "$LIB" --package TST00003 src/names >/dev/null
sed 's/image: TST00001/image: TST00003/' usb.yaml >names.yaml
"$MEDIAFS" tree names.yaml | grep -q ' a;b.txt$' || fail "the tree does not hold 'a;b.txt'"
"$MEDIAFS" export names.yaml --format usb -o names.img || fail "a ';' refused for USB"
# The FAT32 partition starts at 1 MiB (DESIGN.md).
dd if=names.img of=names.part bs=1M skip=1 status=none
fsck.fat -n names.part >fsck.out 2>&1 || fail "fsck.fat: $(cat fsck.out)"
[ "$(mtype -i "names.img@@1M" '::/a;b.txt')" = semicolon ] || fail "mtools does not read 'a;b.txt' from the USB image"
mdir -i "names.img@@1M" -/ :: | grep -qF 'a;b.txt' || fail "mdir does not list 'a;b.txt'"
echo "ok: ';' on a FAT stick (fsck.fat, mtools)"
refused "ISO export of a ';' name" "a;b.txt" "cannot be put on an ISO (Joliet): it contains ';'" \
  "$MEDIAFS" export names.yaml --format iso -o names.iso
[ ! -e names.iso ] || fail "an ISO was written"
mount_fg "$WORK/mount4.log" "$WORK/m4" --images names.yaml
[ "$(ls "$WORK/m4" | tr "\n" " ")" = "LAB.img LAB.wim " ] || fail "mount --images: $(ls "$WORK/m4")"
cmp "$WORK/m4/LAB.img" names.img || fail "mount --images: the USB image differs from the export"
[ "$(grep -c "ISO image is left out" "$WORK/mount4.log")" = 1 ] || fail "mount --images: not one warning: $(cat "$WORK/mount4.log")"
grep -F "ISO image is left out" "$WORK/mount4.log" | grep -qF "a;b.txt" || fail "mount --images: the warning does not name the file"
unmount_fg "$WORK/m4"
mount_fg "$WORK/mount5.log" "$WORK/m5" names.yaml
[ "$(cat "$WORK/m5/a;b.txt")" = semicolon ] || fail "the tree view does not serve 'a;b.txt'"
unmount_fg "$WORK/m5"
echo "ok: names are the target's"
echo "PASS"
