#!/usr/bin/env bash
# Faults, end to end: a library blob truncated, overwritten (same size, other
# bytes) or deleted while an export streams it; SIGTERM and SIGINT during an
# export; the same blob faults under a mount (EIO for that file only, the
# daemon lives, one log line); the daemon killed with SIGKILL and recovered by
# `unmount --force`; the disk full during `library add`.
# Every export fault must leave the previous output as it was and no
# temporary file. The exports are slowed down enough to be hit mid-stream by
# two large blobs (non-zero, so the output is not holes), watched through the
# growth of the export's temporary file.
source "$(dirname "$0")/lib.sh"
source "$ROOT/Scripts/lib/payloads.sh"


BIG=$((384 << 20))
make_boot_payloads "$WORK/payloads" >/dev/null
mkdir -p "$WORK/boot/EFI/BOOT" "$WORK/content/big" "$WORK/content/small" "$WORK/ts" "$WORK/out"
cp "$WORK/payloads/BOOTX64.EFI" "$WORK/boot/EFI/BOOT/"
# a.bin and z.bin: tree order puts a.bin first, z.bin last.
{ yes "mediafs fault test a" || true; } | head -c "$BIG" > "$WORK/content/big/a.bin"
{ yes "mediafs fault test z" || true; } | head -c "$BIG" > "$WORK/content/big/z.bin"
for i in $(seq 1 20); do head -c $((i * 4099)) /dev/urandom > "$WORK/content/small/s$i.dat"; done
cat > "$WORK/ts/TaskSequence.xml" <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<sequence version="3.00" name="Faults"><step name="Content" package="FLT00002"/></sequence>
XML
LIB="$WORK/lib"
"$MEDIAFS" library init "$LIB" >/dev/null
"$MEDIAFS" library add "$LIB" --package FLT00001 --name "Boot image (x64)" "$WORK/boot" >/dev/null
"$MEDIAFS" library add "$LIB" --package FLT00002 --name "Content" "$WORK/content" >/dev/null
"$MEDIAFS" library add "$LIB" --package FLT00003 --name "Deploy" "$WORK/ts" >/dev/null
SPEC="$WORK/usb.yaml"
cat > "$SPEC" <<SPEC
kind: standalone
library: $LIB
label: FAULTS
target: usb
boot: {image: FLT00001, architecture: x64}
unattended: true
task-sequence: FLT00003
SPEC
blob_of() { blob_path "$LIB" "$1"; }
BLOB_A="$(blob_of "$(sha256sum < "$WORK/content/big/a.bin" | cut -c1-64 | tr a-f A-F)")"
BLOB_Z="$(blob_of "$(sha256sum < "$WORK/content/big/z.bin" | cut -c1-64 | tr a-f A-F)")"
[ -f "$BLOB_A" ] && [ -f "$BLOB_Z" ] || fail "blobs not where expected: $BLOB_A $BLOB_Z"
restore_blobs() {
  { yes "mediafs fault test a" || true; } | head -c "$BIG" > "$BLOB_A.new" && mv "$BLOB_A.new" "$BLOB_A"
  { yes "mediafs fault test z" || true; } | head -c "$BIG" > "$BLOB_Z.new" && mv "$BLOB_Z.new" "$BLOB_Z"
}

OUT="$WORK/out/media.img"
"$MEDIAFS" export "$SPEC" --format usb -q -o "$OUT" >/dev/null
GOOD="$(sha256sum < "$OUT" | cut -c1-64)"
# The previous output every fault must keep: other bytes than any new export.
printf 'previous output\n' > "$OUT"; OLD="$(sha256sum < "$OUT")"

# start_export [SIGNAL-SAFE]: an export to $OUT in the background ($EXPORT_PID;
# stderr in $WORK/export.err). wait_written BYTES: until its temporary file
# holds BYTES of data (allocated blocks), or fail.
start_export() {
  set -m   # its own process group, and SIGINT not ignored as in a background job
  "$MEDIAFS" export "$SPEC" --format usb --progress none -o "$OUT" >/dev/null 2>"$WORK/export.err" &
  EXPORT_PID=$!
  set +m
}
wait_written() {
  local want="$1" tmp blocks
  for _ in $(seq 1 3000); do
    tmp="$(find "$WORK/out" -maxdepth 1 -name '*.mediafs-*.tmp' | head -n 1)"
    if [ -n "$tmp" ]; then
      blocks="$(stat -c '%b' "$tmp" 2>/dev/null || echo 0)"
      [ $((blocks * 512)) -ge "$want" ] && return 0
    fi
    kill -0 "$EXPORT_PID" 2>/dev/null || fail "the export ended before $want bytes were written: $(cat "$WORK/export.err")"
    sleep 0.01
  done
  fail "the export wrote less than $want bytes in 30 s"
}
# after_fault WHAT TEXT: the export failed with one line holding TEXT; the old output and nothing else is left.
after_fault() {
  local what="$1" text="$2" status=0
  wait "$EXPORT_PID" || status=$?
  [ "$status" -ne 0 ] || fail "$what: the export exited 0"
  grep -qF -- "$text" "$WORK/export.err" || fail "$what: expected '$text' in: $(cat "$WORK/export.err")"
  [ "$(grep -c . "$WORK/export.err")" -eq 1 ] || fail "$what: more than one line: $(cat "$WORK/export.err")"
  [ "$(sha256sum < "$OUT")" = "$OLD" ] || fail "$what: the previous output changed"
  [ "$(ls -A "$WORK/out")" = "media.img" ] || fail "$what: left behind: $(ls -A "$WORK/out")"
  echo "ok: $what: $(cat "$WORK/export.err")"
}

# ---- export: a blob truncated while it is read
start_export; wait_written $((64 << 20))
truncate -s $((100 << 20)) "$BLOB_A"
after_fault "blob truncated during export" "$(basename "$BLOB_A")"
restore_blobs

# ---- export: a blob overwritten in place (same size, other bytes) before its end is read
start_export; wait_written $((64 << 20))
printf 'XXXXXXXX' | dd of="$BLOB_A" bs=1 seek=$((BIG - 4096)) conv=notrunc status=none
after_fault "blob overwritten during export" "$(basename "$BLOB_A")"
restore_blobs

# ---- export: a blob deleted before the export reaches it
start_export; wait_written $((64 << 20))
rm "$BLOB_Z"
# The verifier reads every blob from the start, on every core, largest first: it
# may hold the blob open already, and an unlinked file keeps its bytes. Then the
# export must succeed with the right image (verified); else fail naming the blob.
if wait "$EXPORT_PID"; then
  [ "$(sha256sum < "$OUT" | cut -c1-64)" = "$GOOD" ] || fail "blob deleted during export: exited 0 with another image"
  [ "$(ls -A "$WORK/out")" = "media.img" ] || fail "blob deleted during export: left behind: $(ls -A "$WORK/out")"
  echo "ok: blob deleted during export: it was open already; the verified image is the right one"
  printf 'previous output\n' > "$OUT"
else
  # (after_fault's wait on the reaped export returns 127: failed, as it did)
  after_fault "blob deleted during export" "$(basename "$BLOB_Z")"
fi
restore_blobs

# ---- export: SIGTERM and SIGINT
for sig in TERM INT; do
  start_export; wait_written $((64 << 20))
  kill -"$sig" "$EXPORT_PID"
  after_fault "SIG$sig during export" "interrupted"
done

# The library is whole again: an export gives the first image.
"$MEDIAFS" export "$SPEC" --format usb -q -o "$OUT" >/dev/null || fail "export after the faults"
[ "$(sha256sum < "$OUT" | cut -c1-64)" = "$GOOD" ] || fail "export after the faults gives other bytes"
echo "ok: export after the faults gives the same image"

# ---- mount: a blob truncated, a blob deleted: EIO for that file, one log line each, the daemon lives
M="$WORK/m"; mkdir -p "$M"; MOUNTS+=("$M")
set -m
"$MEDIAFS" mount -f "$SPEC" "$M" 2>"$WORK/daemon.log" & DAEMON=$!
set +m
for _ in $(seq 1 100); do mounted "$M" && break; sleep 0.1; done
mounted "$M" || fail "mount: $(cat "$WORK/daemon.log")"
(cd "$M" && "$MEDIAFS" tree --format sha256sum "$SPEC" | sha256sum --quiet -c) || fail "mounted tree before the faults"
SMALL="$(find "$M" -name s7.dat)"; OTHER="$(find "$M" -name s8.dat)"
[ -n "$SMALL" ] && [ -n "$OTHER" ] || fail "s7.dat, s8.dat not in the mount"
SMALL_BLOB="$(blob_of "$(sha256sum < "$WORK/content/small/s7.dat" | cut -c1-64 | tr a-f A-F)")"
BIGFILE="$(find "$M" -name z.bin)"
exec 7<"$BIGFILE"   # open before the fault: must still fail cleanly, not serve short data
truncate -s 100 "$SMALL_BLOB"
expect_failure "mount: a truncated blob's file" "Input/output error" cat "$SMALL"
rm "$BLOB_Z"
expect_failure "mount: a deleted blob's file (open before)" "Input/output error" cat /dev/fd/7
exec 7<&-
cmp "$OTHER" "$WORK/content/small/s8.dat" || fail "mount: another file stopped working"
cmp "$(find "$M" -name a.bin)" "$WORK/content/big/a.bin" || fail "mount: the other big file stopped working"
kill -0 "$DAEMON" || fail "mount: the daemon died"
grep -c "$(basename "$SMALL_BLOB")" "$WORK/daemon.log" | grep -qx 1 || fail "mount: not one log line for the truncated blob: $(cat "$WORK/daemon.log")"
echo "ok: mount faults give EIO for their file only, one log line: $(grep "$(basename "$SMALL_BLOB")" "$WORK/daemon.log")"

# ---- the daemon killed with SIGKILL: unmount --force recovers; a new mount works
kill -KILL "$DAEMON"; wait "$DAEMON" 2>/dev/null || true
ls "$M" >/dev/null 2>&1 && fail "a mount whose daemon was killed still answers"
"$MEDIAFS" unmount --force "$M" || fail "unmount --force"
mounted "$M" && fail "unmount --force left the dead mount"
restore_blobs; cp "$WORK/content/small/s7.dat" "$SMALL_BLOB"
"$MEDIAFS" mount "$SPEC" "$M" || fail "a new mount after --force"
(cd "$M" && "$MEDIAFS" tree --format sha256sum "$SPEC" | sha256sum --quiet -c) || fail "the new mount's tree"
"$MEDIAFS" unmount "$M"
echo "ok: SIGKILL, unmount --force, a new mount works"

# ---- the disk full while `library add` runs: nothing half-published; the library still reads and verifies
FULL="$WORK/full"; mkdir -p "$FULL"; mount -t tmpfs -o size=8m tmpfs "$FULL"; MOUNTS+=("$FULL")
"$MEDIAFS" library init "$FULL/lib" >/dev/null
mkdir -p "$WORK/fits" "$WORK/big-one" "$WORK/many"
head -c $((1 << 20)) /dev/urandom > "$WORK/fits/one.bin"
head -c $((12 << 20)) /dev/urandom > "$WORK/big-one/huge.bin"
for i in $(seq 1 1500); do head -c 900 /dev/urandom > "$WORK/many/f$i.txt"; done
"$MEDIAFS" library add "$FULL/lib" --package FUL00001 "$WORK/fits" >/dev/null || fail "library add into the tmpfs"
"$MEDIAFS" library list "$FULL/lib" > "$WORK/list.before"
for folder in big-one many; do
  expect_failure "library add of $folder on a full disk" "No space left on device" \
    "$MEDIAFS" library add "$FULL/lib" --package FUL00002 "$WORK/$folder"
  "$MEDIAFS" library list "$FULL/lib" > "$WORK/list.after" || fail "library list after a full disk ($folder)"
  diff "$WORK/list.before" "$WORK/list.after" || fail "a package was half-published ($folder)"
  [ ! -e "$FULL/lib/PkgLib/FUL00002.INI" ] || fail "PkgLib names the failed package ($folder)"
  "$MEDIAFS" library verify "$FULL/lib" >/dev/null || fail "library verify after a full disk ($folder)"
  leftovers="$(find "$FULL/lib" -name '*.tmp' -o -name '*.mediafs-*')"
  [ -z "$leftovers" ] || fail "temporary files left ($folder): $leftovers"
  echo "ok: disk full during library add ($folder): nothing published, the library verifies"
done
echo "PASS"
