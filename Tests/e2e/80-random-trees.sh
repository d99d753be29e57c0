#!/usr/bin/env bash
# The random-tree differential suite: random trees (Scripts/lib/random_tree.py:
# Unicode, long names, deep folders, empty and edge-size files) go into a
# library, out as USB and ISO media, and are read back by other
# implementations -- fsck.fat, mtools, 7-Zip (USB); 7-Zip, xorriso, isoinfo
# (ISO); wimlib-imagex (verify, apply) and 7-Zip (prestaged media's WIM); the
# kernel through `mediafs mount` -- each compared with `mediafs tree --format
# sha256sum`. A tree with two names equal apart from case must
# be refused for USB with one clear line (not a crash).
#   RANDOM_TREES=N (default 3) trees, seeds RANDOM_TREE_SEED.. (default 1);
#   Scripts/bench stress runs many more.
source "$(dirname "$0")/lib.sh"
source "$ROOT/Scripts/lib/payloads.sh"
export LC_ALL=C.UTF-8 MTOOLS_SKIP_CHECK=1
export MEDIAFS_SHA1_CACHE="$WORK/sha1-cache"

TREES="${RANDOM_TREES:-3}"
FIRST_SEED="${RANDOM_TREE_SEED:-1}"
M="$WORK/m"; mkdir -p "$M"
cleanup() { fusermount3 -u -z "$M" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

make_boot_payloads "$WORK/payloads" >/dev/null
mkdir -p "$WORK/boot/EFI/BOOT" "$WORK/boot/boot"
cp "$WORK/payloads/BOOTX64.EFI" "$WORK/boot/EFI/BOOT/"
cp "$WORK/payloads/eltorito.img" "$WORK/boot/boot/etfsboot.com"
# The OS image prestaged media applies: a one-file WIM.
mkdir -p "$WORK/osroot/Windows" "$WORK/os"
echo kernel > "$WORK/osroot/Windows/ntoskrnl.exe"
wimlib-imagex capture "$WORK/osroot" "$WORK/os/install.wim" "Random OS" --compress=none >/dev/null

# make_media DIR SEED [--case-collision]: DIR/{lib,usb.yaml,iso.yaml,wim.yaml,tree}
make_media() {
  local dir="$1" seed="$2"; shift 2
  mkdir -p "$dir/ts"
  python3 "$ROOT/Scripts/lib/random_tree.py" "$seed" "$dir/tree" "$@"
  printf '<?xml version="1.0" encoding="utf-8"?>\n<sequence version="3.00" name="Random"><step name="Tree" package="RND00002"/></sequence>\n' \
    > "$dir/ts/TaskSequence.xml"
  "$MEDIAFS" library init "$dir/lib" >/dev/null
  "$MEDIAFS" library add "$dir/lib" --package RND00001 --name "Boot image (x64)" "$WORK/boot" >/dev/null
  "$MEDIAFS" library add "$dir/lib" --package RND00002 --name "Random tree $seed" "$dir/tree" >/dev/null
  "$MEDIAFS" library add "$dir/lib" --package RND00003 --name "Deploy" "$dir/ts" >/dev/null
  "$MEDIAFS" library add "$dir/lib" --package RND00004 --name "OS image" "$WORK/os" >/dev/null
  local target
  for target in usb iso; do
    cat > "$dir/$target.yaml" <<SPEC
kind: standalone
library: $dir/lib
label: RANDOM $seed
target: $target
boot: {image: RND00001, architecture: x64, bios-loader: boot/etfsboot.com, boot-info-table: true}
unattended: true
task-sequence: RND00003
SPEC
  done
  # Prestaged media: the random tree is prestaged as a package (_SMSTaskSequence/Packages/RND00002/).
  cat > "$dir/wim.yaml" <<SPEC
kind: prestaged
library: $dir/lib
label: RANDOM $seed
boot: {image: RND00001, architecture: x64}
os-image: {package: RND00004}
packages: [RND00002]
SPEC
}

# matches WHAT FOLDER MANIFEST: every file of the manifest is in FOLDER with its bytes, and nothing else is.
matches() {
  local what="$1" folder="$2" manifest="$3"
  (cd "$folder" && sha256sum --quiet --strict -c "$manifest") >"$WORK/check.out" 2>&1 \
    || fail "$what: files differ from the tree: $(head -n 5 "$WORK/check.out")"
  local want got
  want="$(wc -l < "$manifest")"; got="$(cd "$folder" && find . -type f | wc -l)"
  [ "$want" = "$got" ] || fail "$what: $got files, the tree has $want"
}

# check_usb DIR: fsck.fat, mtools and 7-Zip against the tree.
check_usb() {
  local dir="$1" img="$1/media.img"
  "$MEDIAFS" export "$dir/usb.yaml" --format usb -q -o "$img" >/dev/null || fail "seed $seed: usb export"
  dd if="$img" of="$dir/part.fat" bs=1M skip=1 status=none
  fsck.fat -n "$dir/part.fat" >"$WORK/fsck.out" 2>&1 || fail "seed $seed: fsck.fat: $(cat "$WORK/fsck.out")"
  mkdir -p "$dir/mtools" "$dir/7z-usb"
  mcopy -s -n -i "$dir/part.fat" '::/*' "$dir/mtools/" || fail "seed $seed: mcopy"
  matches "seed $seed: USB through mtools" "$dir/mtools" "$dir/manifest"
  7z x -y -o"$dir/7z-usb" "$dir/part.fat" >/dev/null || fail "seed $seed: 7z x of the FAT volume"
  matches "seed $seed: USB through 7-Zip" "$dir/7z-usb" "$dir/manifest"
  rm -rf "$dir/mtools" "$dir/7z-usb" "$dir/part.fat" "$img"
}

# check_iso DIR: 7-Zip, xorriso and isoinfo (Joliet) against the tree.
check_iso() {
  local dir="$1" iso="$1/media.iso"
  "$MEDIAFS" export "$dir/iso.yaml" --format iso -q -o "$iso" >/dev/null || fail "seed $seed: iso export"
  mkdir -p "$dir/7z-iso" "$dir/xorriso"
  7z x -y -o"$dir/7z-iso" "$iso" >/dev/null || fail "seed $seed: 7z x of the ISO"
  # 7-Zip lists the El Torito boot images beside the files: only the tree counts.
  rm -rf "$dir/7z-iso/[BOOT]"
  matches "seed $seed: ISO through 7-Zip" "$dir/7z-iso" "$dir/manifest"
  xorriso -abort_on FAILURE -joliet on -osirrox on -indev "$iso" -extract / "$dir/xorriso" >"$WORK/xorriso.out" 2>&1 \
    || fail "seed $seed: xorriso -extract: $(tail -n 5 "$WORK/xorriso.out")"
  chmod -R u+w "$dir/xorriso"
  matches "seed $seed: ISO through xorriso (Joliet)" "$dir/xorriso" "$dir/manifest"
  # isoinfo knows no UTF-8 output charset: it checks the Joliet hierarchy's shape (every path, by count).
  local want got
  want=$(( $(wc -l < "$dir/manifest") + $(cd "$dir/7z-iso" && find . -mindepth 1 -type d | wc -l) ))
  got="$(isoinfo -J -f -i "$iso" | grep -vc '^/\[BOOT\]')"
  [ "$want" = "$got" ] || fail "seed $seed: isoinfo -J lists $got paths, the tree has $want"
  rm -rf "$dir/7z-iso" "$dir/xorriso" "$iso"
}

# check_wim DIR: wimlib-imagex (verify, apply) and 7-Zip against the prestaged tree.
check_wim() {
  local dir="$1" wim="$1/media.wim"
  "$MEDIAFS" export "$dir/wim.yaml" --format wim -q -o "$wim" >/dev/null || fail "seed $seed: wim export"
  wimlib-imagex verify "$wim" >"$WORK/wim.out" 2>&1 || fail "seed $seed: wimlib-imagex verify: $(tail -n 5 "$WORK/wim.out")"
  wimlib-imagex apply "$wim" 1 "$dir/applied" >"$WORK/wim.out" 2>&1 || fail "seed $seed: wimlib-imagex apply: $(tail -n 5 "$WORK/wim.out")"
  matches "seed $seed: WIM through wimlib-imagex apply" "$dir/applied" "$dir/manifest"
  mkdir -p "$dir/7z-wim"
  7z x -y -o"$dir/7z-wim" "$wim" >/dev/null || fail "seed $seed: 7z x of the WIM"
  matches "seed $seed: WIM through 7-Zip" "$dir/7z-wim" "$dir/manifest"
  rm -rf "$dir/applied" "$dir/7z-wim" "$wim"
}

# check_mount DIR: the kernel through FUSE against the tree.
check_mount() {
  local dir="$1"
  "$MEDIAFS" mount "$dir/usb.yaml" "$M" || fail "seed $seed: mount"
  matches "seed $seed: the mounted tree" "$M" "$dir/manifest"
  "$MEDIAFS" unmount "$M"
}

for seed in $(seq "$FIRST_SEED" $((FIRST_SEED + TREES - 1))); do
  dir="$WORK/t$seed"
  make_media "$dir" "$seed"
  "$MEDIAFS" tree --format sha256sum "$dir/usb.yaml" > "$dir/manifest" || fail "seed $seed: mediafs tree (usb)"
  check_usb "$dir"
  "$MEDIAFS" tree --format sha256sum "$dir/iso.yaml" > "$dir/manifest" || fail "seed $seed: mediafs tree (iso)"
  check_iso "$dir"
  "$MEDIAFS" tree --format sha256sum "$dir/wim.yaml" > "$dir/manifest" || fail "seed $seed: mediafs tree (wim)"
  check_wim "$dir"
  "$MEDIAFS" tree --format sha256sum "$dir/usb.yaml" > "$dir/manifest"
  check_mount "$dir"
  echo "ok: seed $seed: $(wc -l < "$dir/manifest") files -- fsck.fat, mtools, 7-Zip, xorriso, isoinfo, wimlib-imagex, the mount agree"
  rm -rf "$dir"
done

# Names equal apart from case: refused for USB, one line, exit status 1 (a crash is 128+).
seed=$((FIRST_SEED + 1000))
dir="$WORK/collide"
make_media "$dir" "$seed" --case-collision
status=0; "$MEDIAFS" export "$dir/usb.yaml" --format usb -q -o "$dir/media.img" >/dev/null 2>"$WORK/collide.err" || status=$?
[ "$status" -eq 1 ] || fail "case collision: exit status $status: $(cat "$WORK/collide.err")"
[ "$(grep -c . "$WORK/collide.err")" -eq 1 ] || fail "case collision: not one line: $(cat "$WORK/collide.err")"
pair="$(cd "$dir/tree" && find . -iname '*.txt' -printf '%f\n' | sort -f | uniq -D -i | head -n 1)"
grep -qiF "$pair" "$WORK/collide.err" || fail "case collision: the error does not name $pair: $(cat "$WORK/collide.err")"
[ ! -e "$dir/media.img" ] || fail "case collision: an image was written"
echo "ok: case-colliding names refused for USB: $(cat "$WORK/collide.err")"
echo "PASS"
