#!/usr/bin/env bash
# Prestaged media: one uncompressed WIM, served and streamed from the region
# map. Checked by wimlib-imagex (verify, apply, info), 7-Zip (t, x) against
# `mediafs tree --format sha256sum`; the mounted LABEL.wim against the export
# (whole file, random reads); reproducible; the SHA-1 cache (filled once, a
# wrong entry caught by the verified export); a damaged blob stops a verified
# export naming the file and keeps the old output; the Variables.dat inside
# says OEMMedia / HD; spec errors.
source "$(dirname "$0")/lib.sh"
source "$ROOT/Scripts/lib/payloads.sh"

require_tools wimlib-imagex 7z fusermount3 python3


export SOURCE_DATE_EPOCH=1767225600
export MEDIAFS_TEST_PASSWORD=prestaged-password
export MEDIAFS_SHA1_CACHE="$WORK/sha1-cache"

# ---- a library: boot image, OS image (a real two-image WIM), drivers, a package, an application
make_boot_payloads "$WORK/payloads" >/dev/null
S="$WORK/sources"; LIB="$WORK/SCCMContentLib"
b="$S/boot"
mkdir -p "$b/EFI/BOOT" "$b/boot" "$b/sources" "$b/SMS/bin/x64"
cp "$WORK/payloads/BOOTX64.EFI" "$b/EFI/BOOT/BOOTX64.EFI"
cp "$WORK/payloads/eltorito.img" "$b/boot/etfsboot.com"
head -c 3000001 /dev/urandom >"$b/sources/boot.wim"
printf 'stand-in for TsmBootstrap.exe\n' >"$b/SMS/bin/x64/TsmBootstrap.exe"
mkdir -p "$WORK/osroot/Windows/System32" "$S/os"
head -c 2000003 /dev/urandom >"$WORK/osroot/Windows/System32/ntoskrnl.exe"
wimlib-imagex capture "$WORK/osroot" "$S/os/install.wim" "Windows Pro" >/dev/null
wimlib-imagex append "$WORK/osroot" "$S/os/install.wim" "Windows Enterprise" >/dev/null
for i in $(seq 1 40); do
  mkdir -p "$S/drivers/net$((i % 7))"
  head -c $((i * 1531)) /dev/urandom >"$S/drivers/net$((i % 7))/d$i.sys"
done
cp "$S/drivers/net1/d1.sys" "$S/drivers/net2/same-as-d1.sys"   # one content, two files
: >"$S/drivers/empty.inf"
mkdir -p "$S/pkg" "$S/app/Ünïcode"
printf 'setup /q\r\n' >"$S/pkg/setup.cmd"
head -c 1000000 /dev/urandom >"$S/app/Ünïcode/app.msi"
"$MEDIAFS" library init "$LIB" >/dev/null
"$MEDIAFS" library add "$LIB" --package TST00001 --name "Boot image (x64)" "$b" >/dev/null
"$MEDIAFS" library add "$LIB" --package TST00002 --name "OS image" "$S/os" >/dev/null
"$MEDIAFS" library add "$LIB" --package TST00003 --name "Drivers" "$S/drivers" >/dev/null
"$MEDIAFS" library add "$LIB" --package TST00004 --name "Package" "$S/pkg" >/dev/null
"$MEDIAFS" library add "$LIB" --package TST00005 --name "Application" "$S/app" >/dev/null

SPEC="$WORK/prestaged.yaml"
cat >"$SPEC" <<YAML
kind: prestaged
library: $LIB
label: Factory Image
boot: {image: TST00001, architecture: x64}
os-image: {package: TST00002, index: 2}
driver-packages: [TST00003]
packages: [TST00004]
applications: [TST00005]
password: {env: MEDIAFS_TEST_PASSWORD}
variables: {OSDComputerName: FACTORY-01}
media-properties:
  created-by: Contoso IT & Co
  version: "2.1"
  comment: Prestaged for the <Berlin> office
YAML

"$MEDIAFS" tree --format sha256sum "$SPEC" >"$WORK/tree.sha256" || fail "mediafs tree"
files=$(wc -l <"$WORK/tree.sha256")
grep -q ' _SMSTaskSequence/Packages/TST00002/install.wim$' "$WORK/tree.sha256" || fail "OS image not under _SMSTaskSequence/Packages/TST00002/"
grep -q ' _SMSTaskSequence/Packages/TST00005/Ünïcode/app.msi$' "$WORK/tree.sha256" || fail "application not prestaged"
grep -q ' sources/boot.wim$' "$WORK/tree.sha256" || fail "boot image not at the root"
grep -q ' SMS/data/Variables.dat$' "$WORK/tree.sha256" || fail "no Variables.dat"
echo "ok: tree of $files files"

# ---- export (SHA-1s computed once), then wimlib and 7-Zip
"$MEDIAFS" export "$SPEC" --format wim -o "$WORK/a.wim" --progress plain --checksum >"$WORK/hash.out" 2>"$WORK/export.err" \
  || { cat "$WORK/export.err"; fail "export --format wim"; }
grep -q "SHA-1 of .* blobs .* computed" "$WORK/export.err" || fail "first export did not compute SHA-1s: $(cat "$WORK/export.err")"
[ -s "$MEDIAFS_SHA1_CACHE/sha1-v1.txt" ] || fail "SHA-1 cache not written"
want="$(sha256sum <"$WORK/a.wim" | cut -d' ' -f1)"
grep -q "^$want  $WORK/a.wim\$" "$WORK/hash.out" || fail "printed SHA-256 is not the file's"
echo "ok: exported ($(stat -c %s "$WORK/a.wim") bytes)"

out="$(wimlib-imagex verify "$WORK/a.wim" 2>&1)" || fail "wimlib-imagex verify: $out"
echo "ok: wimlib-imagex verify"
wimlib-imagex apply "$WORK/a.wim" 1 "$WORK/applied" >/dev/null 2>&1 || fail "wimlib-imagex apply"
(cd "$WORK/applied" && sha256sum --quiet -c "$WORK/tree.sha256") || fail "applied WIM differs from the tree"
[ "$(cd "$WORK/applied" && find . -type f | wc -l)" = "$files" ] || fail "applied WIM has other files than the tree"
[ -d "$WORK/applied/_SMSTaskSequence/Packages/TST00003/net0" ] || fail "folders missing"
echo "ok: wimlib-imagex apply equals mediafs tree"
out="$(7z t "$WORK/a.wim" 2>&1)" || fail "7z t: $out"
grep -q "Everything is Ok" <<<"$out" || fail "7z t: $out"
7z x -o"$WORK/x" "$WORK/a.wim" >/dev/null || fail "7z x"
(cd "$WORK/x" && sha256sum --quiet -c "$WORK/tree.sha256") || fail "7z x differs from the tree"
[ "$(cd "$WORK/x" && find . -type f | wc -l)" = "$files" ] || fail "7z x has other files than the tree"
echo "ok: 7z t and 7z x equal mediafs tree"
info="$(wimlib-imagex info "$WORK/a.wim" 1)"
for want_line in "Name: *Factory Image" "Description: *Prestaged for the <Berlin> office" \
                 "Display Name: *Factory Image 2.1" "Display Description: *Created by Contoso IT & Co" \
                 "File Count: *$files"; do
  grep -q "$want_line" <<<"$info" || fail "wimlib-imagex info lacks '$want_line': $info"
done
wimlib-imagex info --xml "$WORK/a.wim" | iconv -f UTF-16LE -t UTF-8 | grep -q "<CREATEDBY>Contoso IT &amp; Co</CREATEDBY><VERSION>2.1</VERSION>" \
  || fail "XML lacks the MEDIAFS element"
echo "ok: wimlib-imagex info shows the descriptive fields"

# ---- Variables.dat inside: OEMMedia, HD (the encrypted envelope, opened by media_data.py)
printf '%s' "$MEDIAFS_TEST_PASSWORD" > "$WORK/password.txt"
vars="$(python3 "$ROOT/Tests/e2e/media_data.py" vars "$WORK/applied/SMS/data/Variables.dat" "$WORK/password.txt")" \
  || fail "Variables.dat does not open with the media password"
grep -qx "_SMSTSMediaType=OEMMedia" <<<"$vars" || fail "Variables.dat lacks _SMSTSMediaType=OEMMedia: $vars"
grep -qx "_SMSTSLaunchMode=HD" <<<"$vars" || fail "Variables.dat lacks _SMSTSLaunchMode=HD: $vars"
grep -q "^MediaType=OEMMedia" "$WORK/applied/SMS/data/TsmBootstrap.ini" || fail "TsmBootstrap.ini MediaType"
grep -q "^OSImageIndex=2" "$WORK/applied/SMS/data/TsmBootstrap.ini" || fail "TsmBootstrap.ini OSImageIndex"
echo "ok: Variables.dat says OEMMedia and HD"

# ---- reproducible, and the second export reads every SHA-1 from the cache
"$MEDIAFS" export "$SPEC" --format wim -o "$WORK/b.wim" 2>"$WORK/export2.err" >/dev/null || fail "second export"
grep -q "SHA-1 of" "$WORK/export2.err" && fail "second export hashed again: $(cat "$WORK/export2.err")"
cmp -s "$WORK/a.wim" "$WORK/b.wim" || fail "two exports differ"
rm "$WORK/b.wim"
echo "ok: reproducible; SHA-1s from the cache"

# ---- mount --images: LABEL.wim equals the export; random reads
M="$WORK/mnt"; mkdir -p "$M"
"$MEDIAFS" mount --images "$SPEC" "$M" || fail "mount --images"
MOUNTS+=("$M")
[ "$(ls "$M")" = "Factory-Image.wim" ] || fail "images folder holds: $(ls "$M")"
cmp "$M/Factory-Image.wim" "$WORK/a.wim" || fail "mounted WIM differs from the export"
size=$(stat -c %s "$WORK/a.wim")
for _ in $(seq 1 40); do
  off=$(( (RANDOM * 32768 + RANDOM) % size )); n=$(( RANDOM % 300000 + 1 ))
  cmp <(tail -c +$((off + 1)) "$M/Factory-Image.wim" | head -c $n) <(tail -c +$((off + 1)) "$WORK/a.wim" | head -c $n) \
    || fail "random read at $off ($n bytes) differs"
done
"$MEDIAFS" unmount "$M" || fail "unmount"
echo "ok: mounted LABEL.wim equals the export, random reads too"

# ---- a wrong SHA-1 cache entry is caught by the verified export; the old output stays
blob_of() { blob_path "$LIB" "$(sha256sum <"$1" | cut -d' ' -f1)"; }
cp "$MEDIAFS_SHA1_CACHE/sha1-v1.txt" "$WORK/cache.good"
victim="$(blob_of "$S/pkg/setup.cmd")"
python3 - "$MEDIAFS_SHA1_CACHE/sha1-v1.txt" "$(basename "$victim")" <<'PY'
import sys
def fnv(b):
    h = 0xcbf29ce484222325
    for c in b: h = ((h ^ c) * 0x100000001b3) & 0xffffffffffffffff
    return h
key = sys.argv[2]
size = None
for line in open(sys.argv[1]):
    f = line.split()
    if f[0] == key: size = f[1]
text = "%s %s %s" % (key, size, "0" * 40)
open(sys.argv[1], 'a').write("%s %016x\n" % (text, fnv(text.encode())))
PY
expect_failure "wrong SHA-1 cache entry" "_SMSTaskSequence/Packages/TST00004/setup.cmd: library blob" \
  "$MEDIAFS" export "$SPEC" --format wim -o "$WORK/a.wim"
msg="$("$MEDIAFS" export "$SPEC" --format wim -o "$WORK/c.wim" 2>&1 >/dev/null)" && fail "export with a wrong SHA-1 exited 0"
grep -q "SHA-1 cache" <<<"$msg" || fail "message does not name the SHA-1 cache: $msg"
[ "$(sha256sum <"$WORK/a.wim" | cut -d' ' -f1)" = "$want" ] || fail "old output damaged by the failed export"
[ -e "$WORK/c.wim" ] && fail "failed export left c.wim"
cp "$WORK/cache.good" "$MEDIAFS_SHA1_CACHE/sha1-v1.txt"

# ---- a damaged blob stops a verified export, naming the file; the old output stays
victim="$(blob_of "$S/drivers/net3/d3.sys")"
cp "$victim" "$WORK/victim.bak"
printf 'X' | dd of="$victim" bs=1 seek=100 conv=notrunc status=none
expect_failure "damaged blob" "_SMSTaskSequence/Packages/TST00003/net3/d3.sys: library blob" \
  "$MEDIAFS" export "$SPEC" --format wim -o "$WORK/a.wim"
[ "$(sha256sum <"$WORK/a.wim" | cut -d' ' -f1)" = "$want" ] || fail "old output damaged by the failed export"
ls -a "$WORK" | grep -q 'mediafs-.*\.tmp' && fail "temporary file left"
cp "$WORK/victim.bak" "$victim"
echo "ok: old output kept"

# ---- spec errors
sed 's/index: 2/index: 3/' "$SPEC" >"$WORK/bad-index.yaml"
expect_failure "image index beyond the WIM" "os-image.index: TST00002.1's install.wim holds 2 images; there is no image 3" \
  "$MEDIAFS" tree "$WORK/bad-index.yaml"
{ cat "$SPEC"; echo "target: usb"; } >"$WORK/bad-target.yaml"
expect_failure "prestaged media on a USB target" "prestaged media is one WIM file" "$MEDIAFS" tree "$WORK/bad-target.yaml"
expect_failure "prestaged media exported as USB" "write it with --format wim" \
  "$MEDIAFS" export "$SPEC" --format usb -o "$WORK/x.img"
grep -v '^os-image' "$SPEC" >"$WORK/no-os.yaml"
expect_failure "prestaged media without an OS image" "os-image: is missing" "$MEDIAFS" tree "$WORK/no-os.yaml"
