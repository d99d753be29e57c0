#!/usr/bin/env python3
"""An independent reader of Configuration Manager's media data envelope
(SMS/data/Variables.dat, Policy.xml), written from shared/reference/media-data.md
with Python's `cryptography` — not from mediafs's code — so the e2e tests check
mediafs's files against a second implementation.

  media_data.py decrypt FILE PASSWORD_FILE   the plaintext as UTF-8 text on stdout
  media_data.py key PASSWORD_FILE BYTES      the derived key in hex (for openssl enc -K)
  media_data.py vars FILE PASSWORD_FILE      NAME=VALUE lines, parsed with xml.etree
Exit 1 with one line on stderr when the password does not open the file.
"""
import hashlib
import struct
import sys
import xml.etree.ElementTree as ET

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def derive_key(password: str, length: int) -> bytes:
    h = hashlib.sha1(password.encode("utf-16-le")).digest()
    inner = hashlib.sha1(bytes(b ^ 0x36 for b in h) + b"\x36" * (64 - len(h))).digest()
    outer = hashlib.sha1(bytes(b ^ 0x5C for b in h) + b"\x5c" * (64 - len(h))).digest()
    return (inner + outer)[:length]


def decrypt(data: bytes, password: str) -> str:
    sig, twenty, plain_len, cipher_len, alg, reserved = struct.unpack_from("<4sIIIII", data, 0)
    assert sig == b"\x00\x00\xed\xec", "bad signature"
    assert twenty == 20 and reserved == 0, "bad constant words"
    key_len = {0x660E: 16, 0x6610: 32}[alg]
    assert len(data) == 24 + cipher_len + 16, "not header + ciphertext + 16 trailing bytes"
    decryptor = Cipher(algorithms.AES(derive_key(password, key_len)), modes.CBC(b"\0" * 16)).decryptor()
    padded = decryptor.update(data[24:24 + cipher_len]) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    plain = unpadder.update(padded) + unpadder.finalize()
    assert len(plain) == plain_len, "plaintext length differs from the header"
    text = plain.decode("utf-16-le")
    assert text.endswith("\0"), "no UTF-16 NUL at the end"
    return text[:text.rindex("\0")]


def main() -> None:
    command = sys.argv[1]
    if command == "key":
        print(derive_key(open(sys.argv[2], encoding="utf-8").read().rstrip("\n"), int(sys.argv[3])).hex())
        return
    data = open(sys.argv[2], "rb").read()
    password = open(sys.argv[3], encoding="utf-8").read().rstrip("\n")
    try:
        text = decrypt(data, password)
    except (ValueError, AssertionError, UnicodeDecodeError) as error:
        print(f"media_data.py: {sys.argv[2]}: cannot open: {error}", file=sys.stderr)
        sys.exit(1)
    if command == "decrypt":
        sys.stdout.write(text)
    elif command == "vars":
        root = ET.fromstring(text.split("?>", 1)[1].strip())
        for var in root.iter("var"):
            print(f"{var.get('name')}={var.text or ''}")


if __name__ == "__main__":
    main()
