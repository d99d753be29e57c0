#!/usr/bin/env bash
# The media data Configuration Manager's clients read (SMS/data/Variables.dat,
# stand-alone Policy.xml, the media certificate in _SMSTSMediaPFX), checked by
# implementations other than mediafs's: Python's `cryptography` (media_data.py,
# written from the reference), `openssl enc` for the raw AES-CBC, `openssl
# pkcs12`/`x509` for the PFX, mtools and xorriso to take the files out of the
# exported images. Also: the media password appears nowhere in any image (UTF-8
# or UTF-16), same inputs give byte-identical images, `mediafs inspect`, and
# `mediafs certificate new-key`.
source "$(dirname "$0")/lib.sh"
source "$ROOT/Scripts/lib/payloads.sh"

require_tools python3 openssl mcopy xorriso
python3 -c 'import cryptography' || fail "Python's cryptography is not installed"
MD="$ROOT/Tests/e2e/media_data.py"
cd "$WORK"
export SOURCE_DATE_EPOCH=1767225600
hex() { od -An -v -tx1 | tr -d ' \n'; }                  # stdin → lower-case hex
HEX() { hex | tr a-f A-F; }
unhex() { python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.stdin.read().strip()))'; }

# ---- a small library: a boot image (GRUB stand-ins), a task sequence, an OS package
make_boot_payloads payloads >/dev/null
mkdir -p src/boot/EFI/BOOT src/boot/boot src/boot/sources src/ts src/os
cp payloads/BOOTX64.EFI src/boot/EFI/BOOT/BOOTX64.EFI
cp payloads/eltorito.img src/boot/boot/etfsboot.com
head -c 100000 /dev/urandom > src/boot/sources/boot.wim
printf '<sequence><step package="MDT00003"/></sequence>\n' > src/ts/ts.xml
head -c 50000 /dev/urandom > src/os/install.wim
"$MEDIAFS" library init lib
"$MEDIAFS" library add lib --package MDT00001 src/boot >/dev/null
"$MEDIAFS" library add lib --package MDT00002 src/ts >/dev/null
"$MEDIAFS" library add lib --package MDT00003 src/os >/dev/null

# ---- mediafs certificate new-key: mode 0600, never overwrites
"$MEDIAFS" certificate new-key media-key.pem
[ "$(stat -c %a media-key.pem)" = 600 ] || fail "the key file is mode $(stat -c %a media-key.pem), not 600"
openssl pkey -in media-key.pem -noout -text | grep -q 'Private-Key: (2048 bit' || fail "new-key did not write a 2048-bit RSA key"
cp media-key.pem key.copy
expect_failure "new-key refuses to overwrite" "media-key.pem exists" "$MEDIAFS" certificate new-key media-key.pem
cmp -s media-key.pem key.copy || fail "new-key changed an existing key"

# ---- the site's certificates (openssl), a strong media password in a file
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out root-ca.pem -days 3650 -subj "/CN=Contoso Root CA" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout sign.key -out signing.cer -outform DER -days 3650 -subj "/CN=Site Signing ABC" 2>/dev/null
PASSWORD='Str0ng-Media-Pässwörd-7x!'
printf '%s\n' "$PASSWORD" > media-password.txt

spec() {  # spec NAME TARGET [EXTRA YAML LINES]
  cat > "$1.yaml" <<YAML
kind: bootable
library: lib
label: MEDIADATA
target: $2
boot: {image: MDT00001, architecture: x64}
management:
  site-based: {management-point: http://mp1.contoso.com, site-code: ABC}
password: {file: media-password.txt}
certificate:
  self-signed: {start: 2026-01-01, expires: 2099-01-01, key: {file: media-key.pem}}
root-ca-certificates: [root-ca.pem]
site-signing-certificate: signing.cer
YAML
  [ $# -lt 3 ] || printf '%s\n' "$3" >> "$1.yaml"
}
spec usb usb
spec iso iso
"$MEDIAFS" export usb.yaml --format usb -o usb.img >/dev/null 2>&1 || fail "export usb"
"$MEDIAFS" export iso.yaml --format iso -o iso.iso >/dev/null 2>&1 || fail "export iso"
mkdir -p usbroot
mcopy -s -i usb.img@@1M ::/ usbroot/ || fail "mcopy"
xorriso -osirrox on -indev iso.iso -extract /SMS/data isodata >/dev/null 2>&1 || fail "xorriso extract"

# ---- Python's cryptography opens both Variables.dat with the media password
for f in usbroot/SMS/data/Variables.dat isodata/Variables.dat; do
  python3 "$MD" vars "$f" media-password.txt > "$f.vars" || fail "python could not open $f"
done
V=usbroot/SMS/data/Variables.dat.vars
for want in "SMSTSMP=http://mp1.contoso.com" "_SMSTSSiteCode=ABC" "_SMSTSMediaType=BootMedia" "_SMSTSLaunchMode=UFD+FORMAT" \
            "_SMSTSIISSSLState=0" "_SMSTSUseFirstCert=0" "_SMSTSHTTPPort=80"; do
  grep -qxF "$want" "$V" || fail "Variables.dat lacks $want: $(cat "$V")"
done
grep -qx "_SMSTSLaunchMode=DVD" isodata/Variables.dat.vars || fail "the ISO's Variables.dat is not DVD media"
GUID="$(sed -n 's/^_SMSMediaGuid=//p' "$V")"
[[ "$GUID" =~ ^\{[0-9A-F]{8}-[0-9A-F]{4}-8[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}\}$ ]] || fail "_SMSMediaGuid is not a braced upper-case GUID: $GUID"
# The site's certificates, upper-case hex of their DER.
[ "$(sed -n 's/^_SMSTSRootCACerts=//p' "$V")" = "$(openssl x509 -in root-ca.pem -outform DER | HEX)" ] || fail "_SMSTSRootCACerts"
[ "$(sed -n 's/^_SMSTSSiteSigningCertificate=//p' "$V")" = "$(HEX < signing.cer)" ] || fail "_SMSTSSiteSigningCertificate"
echo "ok: Python's cryptography opens Variables.dat of the USB and ISO images; variables as documented"

# The default password does not open a protected media; and the checker itself can fail.
printf '%s\n' '{BAC6E688-DE21-4ABE-B7FB-C9F54E6DB664}' > default-password.txt
if python3 "$MD" vars usbroot/SMS/data/Variables.dat default-password.txt >/dev/null 2>&1; then fail "the default password opened a protected media"; fi
echo "ok: the default password does not open it"

# ---- openssl enc: the raw AES-128-CBC with a zero IV and the key derived in Python
f=usbroot/SMS/data/Variables.dat
clen=$(od -An -tu4 -j12 -N4 "$f" | tr -d ' ')
[ "$(od -An -tx4 -j16 -N4 "$f" | tr -d ' ')" = 0000660e ] || fail "ALG_ID is not AES-128"
[ "$(head -c 4 "$f" | hex)" = 0000edec ] || fail "signature"
[ "$(stat -c %s "$f")" = $((24 + clen + 16)) ] || fail "size is not header + ciphertext + 16"
[ "$(tail -c 16 "$f" | hex)" = 00000000000000000000000000000000 ] || fail "the 16 trailing bytes are not zeros"
tail -c +25 "$f" | head -c "$clen" \
  | openssl enc -d -aes-128-cbc -K "$(python3 "$MD" key media-password.txt 16)" -iv 00000000000000000000000000000000 > openssl.plain \
  || fail "openssl enc could not decrypt"
# (to a file first: `head` closing the pipe would fail iconv with SIGPIPE under pipefail)
iconv -f UTF-16LE -t UTF-8 openssl.plain | tr -d '\0' > openssl.txt
sed -n 2p openssl.txt | grep -q '^<MediaVarList Version="4.00.5345.0000">' || fail "openssl's plaintext is not the variables list"
echo "ok: openssl enc -aes-128-cbc decrypts it"

# ---- the PFX: openssl opens it with the first 31 characters of _SMSMediaGuid
sed -n 's/^_SMSTSMediaPFX=//p' "$V" > pfx.hex
grep -qxE '[0-9A-F]+' pfx.hex || fail "_SMSTSMediaPFX is not upper-case hex"
unhex < pfx.hex > media.pfx
PFXPASS="${GUID:0:31}"
openssl pkcs12 -in media.pfx -info -noout -passin "pass:$PFXPASS" 2> pkcs12.info || fail "openssl pkcs12 -info: $(cat pkcs12.info)"
grep -q 'PBES2, PBKDF2, AES-256-CBC' pkcs12.info || fail "the PFX is not PBES2/AES-256: $(cat pkcs12.info)"
grep -q 'MAC: sha256' pkcs12.info || fail "the PFX MAC is not HMAC-SHA256: $(cat pkcs12.info)"
if openssl pkcs12 -in media.pfx -info -noout -passin "pass:${GUID:0:30}" >/dev/null 2>&1; then fail "a 30-character password opened the PFX"; fi
openssl pkcs12 -in media.pfx -nokeys -clcerts -passin "pass:$PFXPASS" 2>/dev/null | openssl x509 -noout -subject -dates -ext extendedKeyUsage > x509.txt
grep -q "subject=CN = mediafs media $GUID" x509.txt || fail "subject: $(cat x509.txt)"
grep -q 'notBefore=Jan  1 00:00:00 2026 GMT' x509.txt && grep -q 'notAfter=Jan  1 00:00:00 2099 GMT' x509.txt || fail "dates: $(cat x509.txt)"
grep -q 'TLS Web Client Authentication' x509.txt || fail "no client authentication EKU: $(cat x509.txt)"
# Its key is the spec's key.
[ "$(openssl pkcs12 -in media.pfx -nocerts -nodes -passin "pass:$PFXPASS" 2>/dev/null | openssl pkey -pubout)" = "$(openssl pkey -in media-key.pem -pubout)" ] \
  || fail "the PFX's key is not the spec's key"
echo "ok: openssl pkcs12 opens the PFX with the 31-character password; x509 shows the dates and the client authentication EKU"

# ---- the media password is nowhere in any image, UTF-8 or UTF-16 (LE and BE)
python3 - usb.img iso.iso media-password.txt <<'PY' || fail "the password is in an image"
import sys
password = open(sys.argv[3], encoding="utf-8").read().rstrip("\n")
for image in sys.argv[1:3]:
    data = open(image, "rb").read()
    for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
        assert password.encode(encoding) not in data, f"{image} holds the password in {encoding}"
    # the search can find: the label is in both images
    assert b"MEDIADATA" in data, f"{image}: the search finds nothing"
PY
echo "ok: the media password appears nowhere in the USB and ISO images (UTF-8, UTF-16)"

# ---- same inputs → byte-identical images, certificate included
"$MEDIAFS" export usb.yaml --format usb -o usb2.img >/dev/null 2>&1 || fail "second export"
cmp -s usb.img usb2.img || fail "two exports of the same inputs differ"
"$MEDIAFS" export iso.yaml --format iso -o iso2.iso >/dev/null 2>&1 || fail "second iso export"
cmp -s iso.iso iso2.iso || fail "two ISO exports of the same inputs differ"
echo "ok: same inputs, byte-identical images (USB and ISO)"

# ---- mediafs inspect: a media root, one file, text and JSON, masked secrets, errors
"$MEDIAFS" inspect usbroot --password-file media-password.txt > inspect.txt || fail "inspect"
grep -qx "media type: BootMedia" inspect.txt && grep -qx "label: MEDIADATA" inspect.txt || fail "inspect header: $(cat inspect.txt)"
grep -q "  SMSTSMP = http://mp1.contoso.com" inspect.txt || fail "inspect variables: $(cat inspect.txt)"
grep -q "subject: CN=mediafs media $GUID" inspect.txt && grep -q "client authentication: yes" inspect.txt \
  && grep -q "valid to: 2099-01-01T00:00:00Z" inspect.txt && grep -q "key: RSA 2048" inspect.txt || fail "inspect certificate: $(cat inspect.txt)"
grep -qF "$(head -c 40 pfx.hex)" inspect.txt && fail "inspect printed the PFX without --show-secrets"
"$MEDIAFS" inspect usbroot --password-file media-password.txt --show-secrets | grep -qF "$(head -c 40 pfx.hex)" || fail "--show-secrets"
MEDIAFS_MEDIA_PASSWORD="$PASSWORD" "$MEDIAFS" inspect isodata/Variables.dat --format json > inspect.json || fail "inspect json"
python3 - inspect.json <<'PY' || fail "inspect json: $(cat inspect.json)"
import json, sys
report = json.load(open(sys.argv[1]))
assert report["cipher"] == "aes128" and report["password"] == "given"
names = {v["name"]: v for v in report["variables"]}
assert names["_SMSTSMediaPFX"]["masked"] and "value" not in names["_SMSTSMediaPFX"]
assert names["_SMSTSMediaPFX"]["certificate"]["client authentication"] == "yes"
assert names["_SMSTSLaunchMode"]["value"] == "DVD"
PY
expect_failure "inspect: wrong password" "isodata/Variables.dat: the password does not open it" \
  env MEDIAFS_MEDIA_PASSWORD=wrong "$MEDIAFS" inspect isodata/Variables.dat
expect_failure "inspect: default password on a protected media" "the password does not open it" "$MEDIAFS" inspect usbroot
head -c 100 isodata/Variables.dat > damaged.dat
expect_failure "inspect: a truncated file" "damaged.dat: is truncated" "$MEDIAFS" inspect damaged.dat --password-file media-password.txt
out="$(MEDIAFS_MEDIA_PASSWORD=wrong "$MEDIAFS" inspect isodata/Variables.dat 2>&1 || true)"
[ "$(wc -l <<<"$out")" = 1 ] || fail "a wrong password printed more than one line: $out"
echo "ok: mediafs inspect (text, JSON, masked secrets, wrong password and damage in one line)"

# ---- no password: the published default opens Variables.dat, the media GUID opens Policy.xml; AES-256
cat > standalone.yaml <<'YAML'
kind: standalone
library: lib
target: usb
boot: {image: MDT00001, architecture: x64}
task-sequence: MDT00002
encryption: aes256
YAML
"$MEDIAFS" export standalone.yaml --format usb -o sa.img >/dev/null 2>&1 || fail "export standalone"
mcopy -s -i sa.img@@1M ::/SMS/data sadata || fail "mcopy standalone"
python3 "$MD" vars sadata/Variables.dat default-password.txt > sa.vars || fail "the default password does not open an unprotected media"
[ "$(od -An -tx4 -j16 -N4 sadata/Variables.dat | tr -d ' ')" = 00006610 ] || fail "encryption: aes256 did not write ALG_ID 0x6610"
SAGUID="$(sed -n 's/^_SMSMediaGuid=//p' sa.vars)"
printf '%s\n' "$SAGUID" > guid.txt
python3 "$MD" decrypt sadata/Policy.xml guid.txt | grep -q '<TaskSequence packageID="MDT00002"' || fail "the media GUID does not open Policy.xml"
"$MEDIAFS" inspect sadata/Policy.xml | grep -q "^policy: sadata/Policy.xml" || fail "inspect Policy.xml beside Variables.dat"
echo "ok: unprotected media: default password, Policy.xml under the media GUID, AES-256"

# ---- PKI: a PFX from openssl (OpenSSL 3 default and the legacy 3DES form), re-packed under the GUID password
openssl req -new -newkey rsa:2048 -nodes -keyout client.key -subj "/CN=mediafs-pki-client" -out client.csr 2>/dev/null
printf 'extendedKeyUsage=clientAuth\n' > client.ext
openssl x509 -req -in client.csr -CA root-ca.pem -CAkey ca.key -CAcreateserial -days 400 -extfile client.ext -out client.pem 2>/dev/null
printf 'pfx-pass\n' > pfx-password.txt
openssl pkcs12 -export -in client.pem -inkey client.key -certfile root-ca.pem -passout pass:pfx-pass -out client.pfx
openssl pkcs12 -export -in client.pem -inkey client.key -passout pass:pfx-pass -out legacy.pfx \
  -certpbe PBE-SHA1-3DES -keypbe PBE-SHA1-3DES -macalg sha1
printf 'extendedKeyUsage=serverAuth\n' > server.ext
openssl x509 -req -in client.csr -CA root-ca.pem -CAkey ca.key -CAcreateserial -days 400 -extfile server.ext -out server-only.pem 2>/dev/null
openssl pkcs12 -export -in server-only.pem -inkey client.key -passout pass:pfx-pass -out server-only.pfx
pki() {  # pki NAME PFX
  cat > "$1.yaml" <<YAML
kind: bootable
library: lib
target: usb
boot: {image: MDT00001, architecture: x64}
management:
  site-based: {management-point: https://mp1.contoso.com, site-code: ABC}
certificate:
  pki: {file: $2, password: {file: pfx-password.txt}}
YAML
}
for pfx in client.pfx legacy.pfx; do
  pki pki "$pfx"
  "$MEDIAFS" export pki.yaml --format usb -o pki.img >/dev/null 2>&1 || fail "export with $pfx: $("$MEDIAFS" export pki.yaml --format usb -o pki.img 2>&1)"
  rm -rf pkidata; mcopy -s -i pki.img@@1M ::/SMS/data pkidata
  python3 "$MD" vars pkidata/Variables.dat default-password.txt > pki.vars || fail "pki Variables.dat"
  g="$(sed -n 's/^_SMSMediaGuid=//p' pki.vars)"
  sed -n 's/^_SMSTSMediaPFX=//p' pki.vars | unhex > repacked.pfx
  openssl pkcs12 -in repacked.pfx -nokeys -clcerts -passin "pass:${g:0:31}" 2>/dev/null | openssl x509 -noout -subject | grep -q "CN = mediafs-pki-client" \
    || fail "the re-packed $pfx does not hold the client certificate"
  grep -qx "_SMSTSIISSSLState=63" pki.vars && grep -qx "_SMSTSUseFirstCert=1" pki.vars || fail "PKI variables: $(cat pki.vars)"
done
echo "ok: PKI PFX (PBES2/AES and legacy 3DES) checked and re-packed under the GUID-derived password"
pki bad server-only.pfx
expect_failure "PKI: no client authentication" "is not for client authentication" "$MEDIAFS" tree bad.yaml
pki bad root-ca.pem
expect_failure "PKI: a certificate without its key" "root-ca.pem is a certificate without its private key" "$MEDIAFS" tree bad.yaml
pki bad client.pfx; printf 'wrong\n' > pfx-password.txt
expect_failure "PKI: wrong PFX password" "client.pfx" "$MEDIAFS" tree bad.yaml

# ---- internet-based media: the gateway as SMSTSMP; refused without a media password
cat > internet.yaml <<'YAML'
kind: bootable
library: lib
target: usb
boot: {image: MDT00001, architecture: x64}
management:
  internet: {gateway: https://cmg.contoso.com/CCM_Proxy_MutualAuth/72057594037927941, site-code: ABC}
certificate:
  self-signed: {start: 2026-01-01, expires: 2099-01-01, key: {file: media-key.pem}}
YAML
expect_failure "internet media without a password" "management.internet: internet-based media needs a media password" "$MEDIAFS" tree internet.yaml
printf 'password: {file: media-password.txt}\n' >> internet.yaml
"$MEDIAFS" export internet.yaml --format usb -o internet.img >/dev/null 2>&1 || fail "export internet"
mcopy -s -i internet.img@@1M ::/SMS/data netdata
python3 "$MD" vars netdata/Variables.dat media-password.txt > net.vars || fail "internet Variables.dat"
grep -qx "SMSTSMP=https://cmg.contoso.com/CCM_Proxy_MutualAuth/72057594037927941" net.vars && grep -qx "_SMSTSInternetMedia=true" net.vars \
  || fail "internet variables: $(cat net.vars)"
echo "ok: internet-based media"
