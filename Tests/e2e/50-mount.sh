#!/usr/bin/env bash
# mediafs mount / unmount against the kernel: a plain folder mounted as a
# media tree (the hidden --folder source, which needs no library), checked
# with sha256sum, cmp, dd, parallel readers; live update with an open
# reader; faults (a vanished or shrunk blob); SIGTERM; kill -9 + --force.
source "$(dirname "$0")/lib.sh"

SRC="$WORK/src"; M="$WORK/m"
mkdir -p "$SRC/sub/deeper" "$M"
head -c 5000000 /dev/urandom >"$SRC/big.bin"          # not a multiple of a page or a request
head -c 3 /dev/urandom >"$SRC/tiny.bin"
: >"$SRC/empty.bin"
for i in $(seq 1 40); do head -c $((i * 997)) /dev/urandom >"$SRC/sub/f$i.dat"; done
echo "hello" >"$SRC/sub/deeper/hello.txt"
head -c 300000 /dev/urandom >"$SRC/victim.bin"
head -c 300000 /dev/urandom >"$SRC/shrinks.bin"

# ---- mount returns only when ready; the daemon runs in the background
MOUNTS+=("$M")
"$MEDIAFS" mount --folder "$SRC" "$M"
mounted "$M" || fail "mount returned before the mount was in place"
ls "$M" >/dev/null
echo "ok: mount returned ready"

# ---- every file's bytes, attributes
(cd "$SRC" && find . -type f -print0 | sort -z | xargs -0 sha256sum) >"$WORK/sums"
(cd "$M" && sha256sum --quiet -c "$WORK/sums") || fail "sha256sum -c of the mounted tree"
echo "ok: sha256sum -c over the mount"
[ "$(stat -c %s "$M/big.bin")" = 5000000 ] || fail "size"
[ "$(stat -c %a "$M/big.bin")" = 444 ] || fail "file mode $(stat -c %a "$M/big.bin")"
[ "$(stat -c %a "$M/sub")" = 555 ] || fail "folder mode"
[ "$(stat -c %h "$M/sub")" = 3 ] || fail "folder nlink $(stat -c %h "$M/sub")"
[ "$(stat -c %Y "$M/big.bin")" = "$(stat -c %Y "$SRC/big.bin")" ] || fail "mtime"
[ "$(stat -c %b "$M/big.bin")" -ge 9766 ] || fail "blocks"
diff <(cd "$SRC" && find . | sort) <(cd "$M" && find . | sort) || fail "listing differs"
[ "$(stat -f -c %T "$M")" = "fuseblk" ] || [ "$(stat -f -c %T "$M")" = "fuse" ] || true
echo "ok: attributes and listing"

# ---- read-only: every write is refused
expect_failure "write into a file" "Read-only file system" sh -c "echo x >>'$M/tiny.bin'"
expect_failure "create a file" "Read-only file system" touch "$M/new.bin"
expect_failure "mkdir" "Read-only file system" mkdir "$M/newdir"
expect_failure "rm" "Read-only file system" rm -f "$M/tiny.bin"
expect_failure "mv" "Read-only file system" mv "$M/tiny.bin" "$M/moved.bin"

# ---- random-offset reads with dd (request and page boundaries, the last byte)
for skip in 0 1 4095 4096 131071 1032191 1032192 1048575 1048576 4999999 4999000; do
  cmp <(dd if="$M/big.bin" bs=1 skip="$skip" count=1500 status=none) \
      <(dd if="$SRC/big.bin" bs=1 skip="$skip" count=1500 status=none) || fail "dd skip=$skip"
done
for bs in 4M 1M 128K 7777; do
  cmp <(dd if="$M/big.bin" bs="$bs" status=none) "$SRC/big.bin" || fail "dd bs=$bs"
done
echo "ok: dd reads at boundaries and with large blocks"

# ---- page caches: reading through the mount leaves the library's page cache
# in place (no SPLICE_MOVE stealing the blob's pages); a large file is read
# with direct I/O (no second copy in the mount's cache), a small one is cached.
head -c $((64 << 20)) /dev/urandom >"$WORK/cache-big.bin"
cp "$WORK/cache-big.bin" "$SRC/cache-big.bin"; cp "$SRC/sub/f40.dat" "$SRC/cache-small.bin"
kill -HUP "$(daemon_of "$M")"; for _ in $(seq 1 50); do [ -e "$M/cache-small.bin" ] && break; sleep 0.1; done
cat "$SRC/cache-big.bin" "$SRC/cache-small.bin" >/dev/null
cat "$M/cache-big.bin" "$M/cache-small.bin" >/dev/null
pages() { fincore --bytes --noheadings --output RES "$1" | tr -d ' '; }
[ "$(pages "$SRC/cache-big.bin")" = $((64 << 20)) ] || fail "the large blob lost $(( (64 << 20) - $(pages "$SRC/cache-big.bin") )) bytes of page cache to a read through the mount"
[ "$(pages "$SRC/cache-small.bin")" = $(( ($(stat -c %s "$SRC/cache-small.bin") + 4095) / 4096 * 4096 )) ] || fail "the small blob lost page cache to a read through the mount"
[ "$(pages "$M/cache-big.bin")" = 0 ] || fail "the large file was cached by the mount ($(pages "$M/cache-big.bin") bytes): not direct I/O"
[ "$(pages "$M/cache-small.bin")" -gt 0 ] || fail "the small file was not cached by the mount"
cmp "$WORK/cache-big.bin" "$M/cache-big.bin" || fail "the large file's bytes"
rm -f "$SRC/cache-big.bin" "$SRC/cache-small.bin" "$WORK/cache-big.bin"
kill -HUP "$(daemon_of "$M")"; for _ in $(seq 1 50); do [ -e "$M/cache-small.bin" ] || break; sleep 0.1; done
echo "ok: page caches (library kept, large files direct, small files cached)"

# ---- 16 parallel readers
pids=()
for i in $(seq 1 16); do
  ( for r in 1 2 3; do sha256sum "$M/big.bin" "$M/sub/f$i.dat"; done >"$WORK/par.$i" ) & pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || fail "parallel reader failed"; done
want_big="$(sha256sum <"$SRC/big.bin" | cut -d' ' -f1)"
for i in $(seq 1 16); do
  [ "$(grep -c "$want_big" "$WORK/par.$i")" = 3 ] || fail "parallel reader $i saw other bytes"
  want="$(sha256sum <"$SRC/sub/f$i.dat" | cut -d' ' -f1)"
  [ "$(grep -c "$want" "$WORK/par.$i")" = 3 ] || fail "parallel reader $i: f$i.dat"
done
echo "ok: 16 parallel readers"

# ---- live update: a reader holding the file open keeps the old bytes; a new open gets the new
cp "$SRC/big.bin" "$WORK/old-big.bin"
exec 7<"$M/big.bin"
head -c 100 <&7 >"$WORK/live-part1"     # reads the start through the old version
head -c 7000000 /dev/urandom >"$SRC/.big.new" && mv "$SRC/.big.new" "$SRC/big.bin"
sleep 1.5
for _ in $(seq 1 20); do [ "$(stat -c %s "$M/big.bin")" = 7000000 ] && break; sleep 0.5; done
[ "$(stat -c %s "$M/big.bin")" = 7000000 ] || fail "the new version did not show up (size $(stat -c %s "$M/big.bin"))"
cat <&7 >"$WORK/live-part2"
exec 7<&-
cmp <(cat "$WORK/live-part1" "$WORK/live-part2") "$WORK/old-big.bin" || fail "the open reader did not get the old bytes to the end"
cmp "$M/big.bin" "$SRC/big.bin" || fail "a new open did not get the new bytes"
echo "ok: live update (open reader keeps old bytes to the end, new open sees the new file)"

# ---- SIGHUP forces a reload
echo "added" >"$SRC/sub/added.txt"      # sub/ is not watched by a folder source: only SIGHUP finds it
kill -HUP "$(daemon_of "$M")"
for _ in $(seq 1 20); do [ -e "$M/sub/added.txt" ] && break; sleep 0.3; done
[ "$(cat "$M/sub/added.txt")" = added ] || fail "SIGHUP did not reload"
echo "ok: SIGHUP reload"

# ---- faults: a vanished blob, a shrunk blob: EIO for that file only
rm "$SRC/victim.bin"
expect_failure "read of a file whose blob vanished" "Input/output error" cat "$M/victim.bin"
truncate -s 1000 "$SRC/shrinks.bin"
expect_failure "read of a file whose blob shrank" "Input/output error" cat "$M/shrinks.bin"
cmp "$M/sub/f3.dat" "$SRC/sub/f3.dat" || fail "the rest of the mount stopped working"
echo "ok: faults give EIO for their file only"

# ---- SIGTERM unmounts cleanly
pid="$(daemon_of "$M")"; [ -n "$pid" ] || fail "no daemon process"
kill -TERM "$pid"
if [ "${MEDIAFS_SANITIZE:-}" = thread ]; then
  # libfuse ends its session loop by pthread_cancel-ing its worker threads,
  # blocked in read(2) on /dev/fuse; ThreadSanitizer cannot follow a
  # cancellation out of its read interceptor and stops the process ("thread T…
  # finished with ignores enabled") before the daemon unmounts.
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  "$MEDIAFS" unmount --force "$M" >/dev/null 2>&1 || true
  for _ in $(seq 1 50); do mounted "$M" || break; sleep 0.1; done
  echo "skipped under ThreadSanitizer: SIGTERM unmounts and exits (TSan stops the daemon when libfuse cancels its threads)"
else
  for _ in $(seq 1 50); do mounted "$M" || break; sleep 0.1; done
  mounted "$M" && fail "SIGTERM did not unmount"
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && fail "the daemon did not exit after SIGTERM"
  echo "ok: SIGTERM unmounts and exits"
fi

# ---- mediafs unmount
"$MEDIAFS" mount --folder "$SRC" "$M"
"$MEDIAFS" unmount "$M"
for _ in $(seq 1 50); do mounted "$M" || break; sleep 0.1; done
mounted "$M" && fail "mediafs unmount left it mounted"
expect_failure "unmount of a folder with no mount" "nothing is mounted here" "$MEDIAFS" unmount "$M"
echo "ok: mediafs unmount"

# ---- kill -9, then unmount --force cleans up
# (once the last daemon is gone: daemon_of must find the new one; under a
# sanitizer a daemon takes a while to exit)
for _ in $(seq 1 100); do [ -z "$(daemon_of "$M")" ] && break; sleep 0.1; done
"$MEDIAFS" mount --folder "$SRC" "$M"
kill -9 "$(daemon_of "$M")"
sleep 0.3
ls "$M" >/dev/null 2>&1 && fail "a mount whose daemon was killed still answers?"
"$MEDIAFS" unmount --force "$M"
mounted "$M" && fail "unmount --force left the dead mount"
ls "$M" >/dev/null || fail "mount point unusable after --force"
echo "ok: kill -9 then unmount --force"

# ---- errors: a mount point that does not exist; foreground mode and SIGINT
expect_failure "mount on a missing folder" "cannot mount here" "$MEDIAFS" mount --folder "$SRC" "$WORK/nope"
set -m  # job control: a background job would otherwise start with SIGINT ignored
"$MEDIAFS" mount -f --folder "$SRC" "$M" 2>"$WORK/fg.log" & fg=$!
set +m
for _ in $(seq 1 50); do mounted "$M" && break; sleep 0.1; done
mounted "$M" || fail "foreground mount"
kill -INT "$fg"
if [ "${MEDIAFS_SANITIZE:-}" = thread ]; then
  wait "$fg" || true   # TSan stops the daemon as libfuse cancels its threads (see SIGTERM above)
  "$MEDIAFS" unmount --force "$M" >/dev/null 2>&1 || true
  echo "ok: foreground mount; skipped under ThreadSanitizer: SIGINT unmounts and exits 0 (see SIGTERM above)"
else
  wait "$fg" || fail "foreground daemon exited non-zero after SIGINT"
  mounted "$M" && fail "SIGINT did not unmount"
  echo "ok: foreground mount, SIGINT"
fi
echo "PASS"
