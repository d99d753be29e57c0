#!/usr/bin/env bash
# mediafs library init/add/list/verify through the real binary: the layout on
# disk is checked with sha256sum and grep (not with mediafs), verify must fail
# on a blob corrupted or deleted by hand, and an add refused for a bad entry
# must leave no new version behind.
source "$(dirname "$0")/lib.sh"

LIB="$WORK/SCCMContentLib"
SRC="$WORK/boot"
mkdir -p "$SRC/EFI/BOOT" "$SRC/sources" "$SRC/empty"
printf 'abc' >"$SRC/EFI/BOOT/BOOTX64.EFI"
printf 'abc' >"$SRC/sources/copy-of-loader"
head -c 3000000 /dev/urandom >"$SRC/sources/boot.wim"
touch -d '2024-01-02 03:04:05 UTC' "$SRC/sources/boot.wim"

"$MEDIAFS" library init "$LIB"
for d in PkgLib DataLib FileLib; do [ -d "$LIB/$d" ] || fail "init made no $d"; done
echo "ok: init"

cid="$("$MEDIAFS" library add "$LIB" --package ABC00001 --name "Boot image (x64)" "$SRC")"
[ "$cid" = ABC00001.1 ] || fail "first add printed '$cid'"
echo "ok: add prints the content ID"

# The reference layout, checked with independent tools.
wim_hash="$(sha256sum "$SRC/sources/boot.wim" | cut -d' ' -f1 | tr a-f A-F)"
abc_hash=BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD
blob="$(blob_path "$LIB" "$wim_hash")"
[ -f "$blob" ] || fail "no blob $blob"
cmp "$blob" "$SRC/sources/boot.wim" || fail "blob differs from the source"
[ "$(find "$LIB/FileLib" -type f -name "$abc_hash" | wc -l)" = 1 ] || fail "two identical files not stored once"
tr -d '\r' <"$LIB/FileLib/BA78/$abc_hash.INI" | grep -qx 'ABC00001.1=' || fail "blob INI does not list ABC00001.1"
ini="$LIB/DataLib/ABC00001.1/sources/boot.wim.INI"
tr -d '\r' <"$ini" | grep -qx "Hash=$wim_hash" || fail "per-file INI hash: $(cat "$ini")"
tr -d '\r' <"$ini" | grep -qx "Size=3000000" || fail "per-file INI size"
tr -d '\r' <"$ini" | grep -qx "TimeModified=133486382450000000" || fail "per-file INI FILETIME: $(cat "$ini")"
tr -d '\r' <"$ini" | grep -qx "Attributes=20" || fail "per-file INI attributes"
[ -d "$LIB/DataLib/ABC00001.1/empty" ] || fail "empty folder not kept"
tr -d '\r' <"$LIB/PkgLib/ABC00001.INI" | grep -qx 'ABC00001.1=' || fail "PkgLib does not list ABC00001.1"
grep -q '^\[Info\]' "$LIB/DataLib/ABC00001.1.INI" || fail "no DataLib content INI"
echo "ok: reference layout"

printf 'changed' >"$SRC/EFI/BOOT/BOOTX64.EFI"
cid2="$("$MEDIAFS" library add "$LIB" --package ABC00001 "$SRC")"
[ "$cid2" = ABC00001.2 ] || fail "second add printed '$cid2'"
"$MEDIAFS" library add "$LIB" --package XYZ0000A "$SRC/sources" >/dev/null

list="$("$MEDIAFS" library list "$LIB")"
echo "$list"
grep -q '^ABC00001  Boot image (x64)$' <<<"$list" || fail "list: package and name"
grep -qE '^    ABC00001\.1 +3 files +3000006 bytes$' <<<"$list" || fail "list: version 1"
grep -qE '^  \* ABC00001\.2 +3 files +3000010 bytes$' <<<"$list" || fail "list: current version 2"
grep -qx '2 packages, 3 versions' <<<"$list" || fail "list: totals"
echo "ok: list"

"$MEDIAFS" library verify "$LIB" >"$WORK/verify.out" || fail "verify of a sound library failed: $(cat "$WORK/verify.out")"
grep -q '0 missing, 0 mismatched' "$WORK/verify.out" || fail "verify summary: $(cat "$WORK/verify.out")"
echo "ok: verify (clean)"

# Corrupt a blob by hand (same size), delete another: verify names both and fails.
printf 'abd' >"$LIB/FileLib/BA78/$abc_hash"
rm "$blob"
if "$MEDIAFS" library verify "$LIB" >"$WORK/verify.out" 2>"$WORK/verify.err"; then fail "verify exited 0 on a damaged library"; fi
grep -qF "mismatched: $LIB/FileLib/BA78/$abc_hash (used by ABC00001.1, ABC00001.2, XYZ0000A.1)" "$WORK/verify.out" || fail "verify output: $(cat "$WORK/verify.out")"
grep -qF "missing: $blob (used by ABC00001.1, ABC00001.2, XYZ0000A.1)" "$WORK/verify.out" || fail "verify output: $(cat "$WORK/verify.out")"
grep -qF "1 missing, 1 mismatched and 0 refused" "$WORK/verify.err" || fail "verify error: $(cat "$WORK/verify.err")"
echo "ok: verify finds a corrupted and a deleted blob"
expect_failure "list names the missing blob" "$blob" "$MEDIAFS" library list "$LIB"

# A bad entry in the folder: refused, naming it, and no version left behind.
LIB2="$WORK/lib2"
"$MEDIAFS" library init "$LIB2"
ln -s boot.wim "$SRC/sources/link.wim"
expect_failure "add refuses a symbolic link" "$SRC/sources/link.wim: is a symbolic link" \
  "$MEDIAFS" library add "$LIB2" --package ABC00001 "$SRC"
[ -z "$(ls -A "$LIB2/PkgLib" "$LIB2/DataLib" "$LIB2/FileLib" | grep -v ':$' | grep -v '^$')" ] || fail "a refused add left files: $(ls -AR "$LIB2")"
rm "$SRC/sources/link.wim"
expect_failure "add refuses a bad package ID" "'ABC0000G' is not a package ID" \
  "$MEDIAFS" library add "$LIB2" --package ABC0000G "$SRC"
expect_failure "add to a folder that is not a library" "not a content library" \
  "$MEDIAFS" library add "$SRC" --package ABC00001 "$SRC"
expect_failure "init on a folder with other files" "not empty" "$MEDIAFS" library init "$SRC"

# A malformed PkgLib INI is named.
printf '[Packages]\nnot a key\n' >"$LIB2/PkgLib/ABC00002.INI"
expect_failure "list names a malformed INI" "$LIB2/PkgLib/ABC00002.INI:2: INI file does not parse" \
  "$MEDIAFS" library list "$LIB2"
echo "all library tests passed"
