#!/usr/bin/env bash
# 16 parallel readers of a mounted tree's files and of mounted images while a
# new version of a package lands in the library every second: no torn read
# (every file or image read matches one version's SHA-256), no descriptor
# leak (the daemons' /proc/PID/fd counted before and after), memory flat (RSS
# before and after).
#   STRESS_SECONDS (default 20; Scripts/bench stress: 60).
source "$(dirname "$0")/lib.sh"
source "$ROOT/Scripts/lib/payloads.sh"

SECONDS_TO_RUN="${STRESS_SECONDS:-20}"
# Under a sanitizer a new version takes seconds to make (library add),
# in 20 s the second may land too late for an image reader to see it.
if [ -z "${STRESS_SECONDS:-}" ] && [ -n "${MEDIAFS_SANITIZE:-}" ]; then
  SECONDS_TO_RUN=40
  echo "note: $SECONDS_TO_RUN s under the $MEDIAFS_SANITIZE sanitizer (new versions are slow to make there)"
fi
TREE="$WORK/tree-mount"; IMAGES="$WORK/images-mount"
mkdir -p "$TREE" "$IMAGES"
READERS=()
cleanup() {
  touch "$WORK/stop" 2>/dev/null || true
  # A reader that has not seen the stop file before $WORK goes would read on forever.
  [ ${#READERS[@]} -eq 0 ] || kill "${READERS[@]}" 2>/dev/null || true
  fusermount3 -u -z "$TREE" 2>/dev/null || true
  fusermount3 -u -z "$IMAGES" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

make_boot_payloads "$WORK/payloads" >/dev/null
mkdir -p "$WORK/boot/EFI/BOOT" "$WORK/ts"
cp "$WORK/payloads/BOOTX64.EFI" "$WORK/boot/EFI/BOOT/"
printf '<?xml version="1.0" encoding="utf-8"?>\n<sequence version="3.00" name="Stress"><step name="Content" package="STR00002"/></sequence>\n' \
  > "$WORK/ts/TaskSequence.xml"
LIB="$WORK/lib"
"$MEDIAFS" library init "$LIB" >/dev/null
"$MEDIAFS" library add "$LIB" --package STR00001 --name "Boot image (x64)" "$WORK/boot" >/dev/null
"$MEDIAFS" library add "$LIB" --package STR00003 --name "Deploy" "$WORK/ts" >/dev/null
SPEC="$WORK/spec.yaml"
cat > "$SPEC" <<SPEC
kind: standalone
library: $LIB
label: STRESS
target: usb
boot: {image: STR00001, architecture: x64}
unattended: true
task-sequence: STR00003
SPEC

# The content package's versions (same names and sizes, other bytes), made
# before the readers start so that one lands every second: new_version V adds
# version V and keeps the library as it then is (`cp -al`: hard links, the
# library's files are never rewritten in place). Which bytes each version
# gives (its tree manifest, its image's SHA-256) is worked out after the run,
# each kept library put back at $LIB in turn: a media's bytes depend on the
# library's path.
VERSIONS_MAX=$((SECONDS_TO_RUN + 5))
python3 - "$VERSIONS_MAX" "$WORK/content" <<'PY'
import os, random, sys
count, root = int(sys.argv[1]), sys.argv[2]
sizes = {"tiny.txt": 1, "sector.bin": 512, "odd.bin": 4097, "mid.bin": 300_001, "big.bin": 6 << 20}
sizes.update({f"d/f{i}.dat": 1000 * i + 7 for i in range(1, 9)})
for v in range(1, count + 1):
    for name, size in sizes.items():
        path = os.path.join(root, str(v), name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(random.Random(f"{v}/{name}").randbytes(size))
PY
new_version() {
  "$MEDIAFS" library add "$LIB" --package STR00002 --name "Content" "$WORK/content/$1" >/dev/null
  cp -al "$LIB" "$WORK/lib-at-$1"
}
# After the run: each kept library at $LIB, what it gives.
valid_outputs() {
  local v
  mv "$LIB" "$WORK/lib-live"
  for v in $(seq 1 "$versions"); do
    mv "$WORK/lib-at-$v" "$LIB"
    "$MEDIAFS" tree --format sha256sum "$SPEC" >> "$WORK/valid-tree"
    "$MEDIAFS" export "$SPEC" --format usb -q --no-verify -o - | sha256sum | cut -c1-64 >> "$WORK/valid-images"
    mv "$LIB" "$WORK/lib-at-$v"
  done
  mv "$WORK/lib-live" "$LIB"
}

new_version 1
set -m
"$MEDIAFS" mount -f "$SPEC" "$TREE" 2>"$WORK/tree.log" & TREE_PID=$!
"$MEDIAFS" mount -f --images "$SPEC" "$IMAGES" 2>"$WORK/images.log" & IMAGES_PID=$!
set +m
for _ in $(seq 1 100); do mounted "$TREE" && mounted "$IMAGES" && break; sleep 0.1; done
mounted "$TREE" && mounted "$IMAGES" || fail "mounts: $(cat "$WORK/tree.log" "$WORK/images.log")"
IMAGE="$IMAGES/STRESS.img"
[ -f "$IMAGE" ] || fail "no STRESS.img in the images view: $(ls "$IMAGES")"

# Warm up (every file and the image read once), then the figures to compare with.
(cd "$TREE" && find . -type f -exec cat {} + >/dev/null) && cat "$IMAGE" >/dev/null
# Descriptors other than pipes: libfuse keeps a splice pipe pair per worker
# thread and starts workers as the load asks, so pipes follow the load, not leaks.
# Library blobs are kept open by a bounded cache (BlobReader, 256 descriptors):
# new versions add blobs to it, up to that bound; counted apart.
fds() { find "/proc/$1/fd" -mindepth 1 -printf '%l\n' | grep -v '^pipe:' | grep -vc '/FileLib/'; }
blob_fds() { find "/proc/$1/fd" -mindepth 1 -printf '%l\n' | grep -c '/FileLib/' || true; }
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
FD_TREE=$(fds "$TREE_PID"); FD_IMAGES=$(fds "$IMAGES_PID")
RSS_TREE=$(rss "$TREE_PID"); RSS_IMAGES=$(rss "$IMAGES_PID")

# reader N KIND: until $WORK/stop exists, reads a random tree file (KIND=tree)
# or the image (KIND=image) and logs "SHA-256  path"; a failed read logs ERROR.
reader() {
  local n="$1" kind="$2" files sum
  while [ ! -e "$WORK/stop" ]; do
    if [ "$kind" = tree ]; then
      mapfile -t files < <(cd "$TREE" && find . -type f | sed 's|^\./||')
      local f="${files[RANDOM % ${#files[@]}]}"
      sum="$(sha256sum < "$TREE/$f" 2>>"$WORK/errors")" || { echo "ERROR $f" >> "$WORK/reads-$n"; continue; }
      echo "${sum:0:64}  $f" >> "$WORK/reads-$n"
    else
      sum="$(sha256sum < "$IMAGE" 2>>"$WORK/errors")" || { echo "ERROR image" >> "$WORK/reads-$n"; continue; }
      echo "${sum:0:64}" >> "$WORK/reads-$n"
    fi
  done
}
for n in $(seq 1 12); do reader "$n" tree & READERS+=($!); done
for n in $(seq 13 16); do reader "$n" image & READERS+=($!); done

# A version every second (when adding one takes less), for SECONDS_TO_RUN seconds.
versions=1; start=$(date +%s.%N)
while [ "$versions" -lt "$VERSIONS_MAX" ] && \
      awk -v s="$start" -v n="$(date +%s.%N)" -v d="$SECONDS_TO_RUN" 'BEGIN {exit !(n - s < d)}'; do
  versions=$((versions + 1)); new_version "$versions"
  pause="$(awk -v s="$start" -v n="$(date +%s.%N)" -v v="$versions" 'BEGIN {p = s + (v - 1) - n; printf "%.3f", (p > 0 ? p : 0)}')"
  sleep "$pause"
done
elapsed="$(awk -v s="$start" -v n="$(date +%s.%N)" 'BEGIN {printf "%.1f", n - s}')"
touch "$WORK/stop"
wait "${READERS[@]}"
sleep 2   # the daemons release the last builds' files

# No descriptor leak, memory flat.
fd_tree=$(fds "$TREE_PID"); fd_images=$(fds "$IMAGES_PID")
rss_tree=$(rss "$TREE_PID"); rss_images=$(rss "$IMAGES_PID")
echo "figures: tree daemon fds $FD_TREE -> $fd_tree, RSS $RSS_TREE -> $rss_tree KiB; images daemon fds $FD_IMAGES -> $fd_images, RSS $RSS_IMAGES -> $rss_images KiB"
[ "$fd_tree" -le $((FD_TREE + 4)) ] || fail "tree daemon: descriptors $FD_TREE -> $fd_tree: $(ls -l /proc/$TREE_PID/fd | tail -n 5)"
[ "$fd_images" -le $((FD_IMAGES + 4)) ] || fail "images daemon: descriptors $FD_IMAGES -> $fd_images: $(find /proc/$IMAGES_PID/fd -mindepth 1 -printf '%l\n' | sort | uniq -c | sort -rn | head -n 8)"
for pid in "$TREE_PID" "$IMAGES_PID"; do
  [ "$(blob_fds "$pid")" -le 256 ] || fail "daemon $pid: $(blob_fds "$pid") blob descriptors open, above the cache's 256"
done
# Under AddressSanitizer freed memory waits in its quarantine (up to 256 MB),
# under ThreadSanitizer its shadow memory and access history grow with use: RSS says nothing there.
if [ -z "${MEDIAFS_SANITIZE:-}" ]; then
  [ "$rss_tree" -le $((RSS_TREE + 32768)) ] || fail "tree daemon: RSS grew $RSS_TREE -> $rss_tree KiB"
  [ "$rss_images" -le $((RSS_IMAGES + 32768)) ] || fail "images daemon: RSS grew $RSS_IMAGES -> $rss_images KiB"
else
  echo "skipped: the RSS bound (under the $MEDIAFS_SANITIZE sanitizer RSS is the sanitizer's, not mediafs's)"
fi
kill -0 "$TREE_PID" && kill -0 "$IMAGES_PID" || fail "a daemon died"
echo "ok: no descriptor leak, memory flat"

# The daemons are done with; then what each version gives.
fusermount3 -u "$TREE"; fusermount3 -u "$IMAGES"
wait "$TREE_PID" "$IMAGES_PID" 2>/dev/null || true
valid_outputs

# No torn read: every read matches one version.
! grep -h '^ERROR' "$WORK"/reads-* | head -n 3 | grep -q . || fail "reads failed: $(grep -h '^ERROR' "$WORK"/reads-* | head -n 3; head -n 3 "$WORK/errors")"
sort -u "$WORK/valid-tree" > "$WORK/valid-tree.sorted"
cat "$WORK"/reads-{1..12} | sort -u > "$WORK/tree-reads"
torn="$(comm -23 "$WORK/tree-reads" "$WORK/valid-tree.sorted")"
[ -z "$torn" ] || fail "torn tree reads (no version has these bytes): $(head -n 5 <<<"$torn")"
sort -u "$WORK/valid-images" > "$WORK/valid-images.sorted"
cat "$WORK"/reads-{13..16} | sort -u > "$WORK/image-reads"
torn="$(comm -23 "$WORK/image-reads" "$WORK/valid-images.sorted")"
[ -z "$torn" ] || fail "torn image reads: $(head -n 5 <<<"$torn")"
tree_reads=$(cat "$WORK"/reads-{1..12} | wc -l); image_reads=$(cat "$WORK"/reads-{13..16} | wc -l)
seen=$(grep -h ' SMS/PKG/STR00002/big.bin$' "$WORK"/reads-{1..12} | sort -u | wc -l)
seen_images=$(wc -l < "$WORK/image-reads")
[ "$seen_images" -ge 2 ] || fail "the image readers saw only $seen_images version(s) of $versions: the mount did not go live"
echo "ok: $versions versions in $elapsed s; $tree_reads tree reads, $image_reads image reads, none torn ($seen versions of big.bin, $seen_images of the image seen)"

echo "PASS"
