# mediafs tree on a library made by `mediafs library add`: the manifest checked
# with sha256sum -c against a staging copy of the expected files (the synthesized
# ones rebuilt here from the documented formats), and every spec error checked
# for its message, its exit status (1) and a one-line report.
source "$(dirname "$0")/lib.sh"
cd "$WORK"

# A PE header naming a machine (what the boot image's EFI loader is checked by).
pe() { printf 'MZ'; head -c 58 /dev/zero; printf '\x80\0\0\0'; head -c 64 /dev/zero; printf "PE\0\0$1"; head -c 122 /dev/zero; }

mkdir -p src/boot/EFI/BOOT src/boot/boot src/boot/SMS/bin/x64 src/os/sources src/drv/net src/drv/empty src/ts src/x86/EFI/BOOT src/case/sms
pe '\x64\x86' > src/boot/EFI/BOOT/BOOTX64.EFI
printf 'etfsboot' > src/boot/boot/etfsboot.com
printf 'tsm' > src/boot/SMS/bin/x64/TsmBootstrap.exe
printf 'autorun' > src/boot/SMS/bin/x64/TSMBAutorun.exe
head -c 3000000 /dev/urandom > src/os/sources/install.wim
for i in $(seq 1 50); do printf 'driver %s' "$i" > "src/drv/net/d$i.inf"; done
cat > src/ts/TaskSequence.xml <<'XML'
<?xml version="1.0"?>
<sequence><referenceList><reference package="ABC00002"/><reference package="ABC00003"/></referenceList></sequence>
XML
pe '\x4c\x01' > src/x86/EFI/BOOT/BOOTIA32.EFI
cp -r src/boot/. src/case/ && printf 'x' > src/case/sms/readme.txt

LIB="$WORK/lib"
"$MEDIAFS" library init "$LIB" >/dev/null
"$MEDIAFS" library add "$LIB" --package ABC00001 --name "Boot image" src/boot >/dev/null
"$MEDIAFS" library add "$LIB" --package ABC00002 src/os >/dev/null
"$MEDIAFS" library add "$LIB" --package ABC00003 src/drv >/dev/null
"$MEDIAFS" library add "$LIB" --package ABC00004 src/ts >/dev/null
"$MEDIAFS" library add "$LIB" --package ABC00007 src/x86 >/dev/null
"$MEDIAFS" library add "$LIB" --package ABC00008 src/case >/dev/null

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out media-key.pem 2>/dev/null
cat > bootable.yaml <<'YAML'
kind: bootable
library: lib
label: LAB
target: {usb: {size: auto}}
boot:
  image: ABC00001
  architecture: x64
management:
  site-based:
    management-point: http://mp1.contoso.com
    site-code: ABC
certificate:
  self-signed: {start: 2026-01-01, expires: 2099-01-01, key: {file: media-key.pem}}
autorun: true
YAML

# --- the manifest against a staging copy ------------------------------------
export SOURCE_DATE_EPOCH=1767225600
"$MEDIAFS" tree --format sha256sum bootable.yaml > expected.sha256 2>tree.err
[ ! -s tree.err ] || fail "a clean spec printed warnings: $(cat tree.err)"
paths="$(cut -c67- expected.sha256 | tr '\n' ' ')"
[ "$paths" = "EFI/BOOT/BOOTX64.EFI MediaLabel.txt SMS/bin/x64/TSMBAutorun.exe SMS/bin/x64/TsmBootstrap.exe SMS/data/TsmBootstrap.ini SMS/data/Variables.dat autorun.inf boot/etfsboot.com " ] \
  || fail "unexpected paths: $paths"

# The media GUID as documented: a version-8 UUID from SHA-256("mediafs media guid v1" NUL spec NUL "<role> <content ID>" NUL …).
h="$( { printf 'mediafs media guid v1\0'; cat bootable.yaml; printf '\0boot-image ABC00001.1\0'; } | sha256sum | cut -c1-32)"
v=$(( (16#${h:16:1} & 3) | 8 ))
GUID="$(printf '%s-%s-8%s-%x%s-%s' "${h:0:8}" "${h:8:4}" "${h:13:3}" "$v" "${h:17:3}" "${h:20:12}" | tr a-f A-F)"

stage="$WORK/stage"
mkdir -p "$stage/SMS/data"
cp -r src/boot/. "$stage/"
crlf() { for line in "$@"; do printf '%s\r\n' "$line"; done; }
crlf "label=LAB" > "$stage/MediaLabel.txt"
crlf "[autorun]" 'open=SMS\bin\x64\TSMBAutorun.exe' 'icon=SMS\bin\x64\TSMBAutorun.exe,0' "label=LAB" > "$stage/autorun.inf"
crlf "[MediaInfo]" "MediaType=BootMedia" "MediaGuid=$GUID" "PasswordRequired=false" "Unattended=false" "MediaLabel=LAB" \
     "LaunchMode=UFD+FORMAT" "Architecture=x64" "BootImageID=ABC00001" "BootImageContentID=ABC00001.1" "Generator=mediafs" \
     > "$stage/SMS/data/TsmBootstrap.ini"
# Variables.dat is encrypted and holds the media certificate: 30-media-data.sh checks it with
# independent implementations (Python's cryptography, openssl); here it is left out of the staging check.
grep -v ' SMS/data/Variables.dat$' expected.sha256 > staged.sha256
(cd "$stage" && sha256sum -c --strict "$WORK/staged.sha256") || fail "sha256sum -c against the staging copy"
# and the check can fail: one changed byte in the staging copy is caught
printf 'LAB2' > "$stage/MediaLabel.txt"
if (cd "$stage" && sha256sum -c --quiet "$WORK/staged.sha256" >/dev/null 2>&1); then fail "sha256sum -c passed on a changed file"; fi
echo "ok: sha256sum -c against the staging copy"

# Deterministic, and timed by SOURCE_DATE_EPOCH.
"$MEDIAFS" tree --format sha256sum bootable.yaml | cmp -s - expected.sha256 || fail "two runs differ"
"$MEDIAFS" tree bootable.yaml | grep -qE '^ +11  2026-01-01T00:00:00Z  MediaLabel.txt$' || fail "long listing: $("$MEDIAFS" tree bootable.yaml)"
SOURCE_DATE_EPOCH=1700000000 "$MEDIAFS" tree bootable.yaml | grep -qE '^ +11  2023-11-14T22:13:20Z  MediaLabel.txt$' || fail "SOURCE_DATE_EPOCH is not honoured"
"$MEDIAFS" tree --format json bootable.yaml | grep -q '"path":"SMS/data/Variables.dat","type":"file"' || fail "json"
echo "ok: deterministic, SOURCE_DATE_EPOCH, long and json"

# Stand-alone media: the task sequence and the packages its XML names.
cat > standalone.yaml <<'YAML'
kind: standalone
library: lib
target: iso
boot: {image: ABC00001, architecture: x64}
task-sequence: ABC00004
YAML
"$MEDIAFS" tree --format sha256sum standalone.yaml | cut -c67- > sa.paths
grep -qx "SMS/PKG/ABC00002/sources/install.wim" sa.paths || fail "stand-alone: no OS image"
[ "$(grep -c '^SMS/PKG/ABC00003/net/' sa.paths)" = 50 ] || fail "stand-alone: drivers"
grep -qx "SMS/data/Policy.xml" sa.paths || fail "stand-alone: no Policy.xml"
"$MEDIAFS" tree standalone.yaml | grep -qE '  SMS/PKG/ABC00003/empty/$' || fail "stand-alone: empty folder"
echo "ok: stand-alone media"

# --- errors: message, exit status 1, one line ------------------------------------
expect_error() {
  local what="$1" text="$2" spec="$3"; shift 3
  local status=0
  "$MEDIAFS" tree "$@" "$spec" >/dev/null 2>err.txt || status=$?
  [ "$status" = 1 ] || fail "$what: exit status $status (want 1); stderr: $(cat err.txt)"
  grep -qF -- "$text" err.txt || fail "$what: expected '$text' in: $(cat err.txt)"
  [ "$(wc -l < err.txt)" = 1 ] || fail "$what: not one line: $(cat err.txt)"
  head -c 9 err.txt | grep -q '^mediafs: ' || fail "$what: does not start with 'mediafs: ': $(cat err.txt)"
  echo "ok: $what"
}
variant() { sed "$1" bootable.yaml > "$2"; }

variant 's/^label: LAB$/labell: LAB/' e1.yaml
expect_error "unknown key" 'e1.yaml:3:1: labell: unknown key "labell"' e1.yaml
variant 's/size: auto/size: 17XB/' e2.yaml
expect_error "bad size" 'e2.yaml:4:22: target.usb.size: "17XB" is not a size (use 16GB, 8GiB, a byte count or auto)' e2.yaml
variant 's/^kind: bootable/kind: prestaged/' e3.yaml
expect_error "prestaged with a bootable field" 'management: is not used by prestaged media' e3.yaml
{ cat bootable.yaml; echo "password: Hunter2-Secret"; } > e4.yaml
expect_error "literal password" 'e4.yaml:15:11: password: a password must not be written in the spec' e4.yaml
grep -q Hunter2 err.txt && fail "the error repeats the password"
{ cat bootable.yaml; echo "password: {env: E2E_UNSET_PASSWORD}"; } > e5.yaml
expect_error "unset password variable" 'e5.yaml:15:17: password.env: the environment variable E2E_UNSET_PASSWORD is not set' e5.yaml
E2E_SET_PASSWORD=x "$MEDIAFS" tree "$(sed 's/E2E_UNSET/E2E_SET/' e5.yaml > e5b.yaml; echo e5b.yaml)" >/dev/null || fail "a set password variable is refused"
variant 's/image: ABC00001/image: ABC00009/' e6.yaml
expect_error "missing package" "e6.yaml:6:10: boot.image: package ABC00009 is not in the library $LIB" e6.yaml
variant 's/image: ABC00001/image: ABC00001.7/' e7.yaml
expect_error "missing version" 'e7.yaml:6:10: boot.image: the library has no ABC00001.7 (it has ABC00001.1)' e7.yaml
variant 's/architecture: x64/architecture: x86/' e8.yaml
expect_error "architecture" 'e8.yaml:7:17: boot.architecture: the boot image ABC00001.1 is x64 (EFI/BOOT/BOOTX64.EFI is PE machine 0x8664), and an x86 computer cannot run it' e8.yaml
sed 's/image: ABC00001/image: ABC00007/' bootable.yaml > ok-x86.yaml
"$MEDIAFS" tree ok-x86.yaml >/dev/null 2>&1 || fail "an x64 target refused an x86 boot image"
variant 's#http://mp1#https://mp1#' e9.yaml
expect_error "HTTPS with self-signed" 'e9.yaml:10:23: management.site-based.management-point: https://mp1.contoso.com is an HTTPS management point, and a self-signed media certificate works only over HTTP' e9.yaml
variant 's/expires: 2099-01-01/expires: 2020-01-01/' e10.yaml
expect_error "expiry before start" 'e10.yaml:13:45: certificate.self-signed.expires: 2020-01-01 is not after the start date 2026-01-01' e10.yaml
variant "s/start: 2026-01-01, expires: 2099-01-01/start: 2020-01-01, expires: 2021-01-01/" e11.yaml
expect_error "expired certificate" 'e11.yaml:13:45: certificate.self-signed.expires: the media certificate expired on 2021-01-01T00:00:00Z' e11.yaml
soon="$(date -u -d '+10 days' +%F)"
variant "s/start: 2026-01-01, expires: 2099-01-01/start: 2020-01-01, expires: $soon/" e12.yaml
expect_error "certificate expiring within 30 days" "certificate.self-signed.expires: the media certificate expires on ${soon}T00:00:00Z, within 30 days" e12.yaml
variant 's/image: ABC00001/image: ABC00008/' e13.yaml
# Names that differ only in case are the images' to refuse: the tree holds both.
"$MEDIAFS" tree e13.yaml > e13.out 2>e13.err || fail "case collision: tree refused it: $(cat e13.err)"
grep -q ' sms/readme.txt$' e13.out && grep -q ' SMS/data/Variables.dat$' e13.out || fail "case collision: tree: $(cat e13.out)"
if "$MEDIAFS" export e13.yaml --format usb -o e13.img 2>e13.err; then fail "case collision: USB export exited 0"; fi
grep -qF 'SMS and sms: the names differ only in case, and FAT ignores case' e13.err || fail "case collision: $(cat e13.err)"
[ ! -e e13.img ] || fail "case collision: an image was written"
echo "ok: case collision (tree holds it, FAT refuses it)"
variant 's/^library: lib/library: nolib/' e14.yaml
expect_error "no library" "e14.yaml:2:10: library: $WORK/nolib: not a content library" e14.yaml
printf 'kind: bootable\ntarget: [usb\n' > e15.yaml
expect_error "YAML syntax" 'e15.yaml:3:1: not valid YAML' e15.yaml
expect_error "missing spec" 'nope.yaml: cannot read the spec' nope.yaml
{ cat bootable.yaml; echo "task-sequence: ABC00004"; } > e16.yaml
expect_error "field of another media kind" 'e16.yaml:15:16: task-sequence: is not used by bootable media' e16.yaml
SOURCE_DATE_EPOCH=soon expect_error "bad SOURCE_DATE_EPOCH" 'SOURCE_DATE_EPOCH: "soon" is not a number of seconds' bootable.yaml

# A long USB label is a warning: exit 0, the tree on stdout, the warning on stderr.
variant 's/^label: LAB$/label: Contoso Deployment/' w1.yaml
"$MEDIAFS" tree w1.yaml > w1.out 2> w1.err || fail "a long label is an error"
grep -qF 'mediafs: w1.yaml:3:8: warning: label: "Contoso Deployment" is 18 characters long; a USB volume label holds 11, so the stick will be named "Contoso Dep"' w1.err || fail "label warning: $(cat w1.err)"
grep -q 'MediaLabel.txt' w1.out || fail "no tree with a warning"
echo "ok: long label warns"
