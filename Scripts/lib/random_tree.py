#!/usr/bin/env python3
"""Writes a random folder tree for the differential suite (Tests/e2e/80-random-trees.sh,
Scripts/bench stress): Unicode, long and edge-case names, deep folders, and files of
edge sizes (0, 1, 511/512/513, 2 KiB sector +- 1, 4 KiB cluster +- 1, a few larger).

    random_tree.py SEED FOLDER [--case-collision]

The same SEED gives the same tree. Names keep to what both FAT long names and Joliet
hold (mediafs refuses the rest by design): no control characters, none of "*/:<>?\\|;,
nothing outside UCS-2, no trailing dot or space, at most 103 UTF-16 units and 251 bytes
of UTF-8 (a library names a file's record "<name>.INI"), no two
names in a folder equal apart from case -- unless --case-collision, which adds one such
pair (USB media must refuse it with a clear error)."""
import os
import random
import sys

EDGE_SIZES = [0, 1, 2, 511, 512, 513, 1023, 1024, 1025, 2047, 2048, 2049, 4095, 4096, 4097,
              8191, 8192, 8193, 32767, 32768, 32769, 65535, 65536, 65537]
ALPHABETS = [
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    "0123456789-_ .()[]{}!#$%&'+=@^~`",
    "éèêëàâäçîïôöùûüÿñÉÈÀÇÑßøåæœ",          # Latin-1 and beyond
    "αβγδεζηθλμπσφψωΑΒΓΔΘΛΠΣΦΨΩ",            # Greek: case folds outside ASCII
    "абвгдежзийклмнопрстуфхцчшщыэюяЖЯ",      # Cyrillic
    "日本語中文한국어データ文件",                # CJK
    "\u00a0\u2013\u2014\u2018\u2019\u201c\u201d\u20ac\u2122",  # NBSP, dashes, quotes, euro
]


def random_name(rng, taken, long=False):
    for _ in range(1000):
        length = rng.choice([103, 102, 64, 65, 90]) if long else rng.choice([1, 2, 3, 5, 8, 11, 12, 13, 20, 40])
        alphabet = "".join(rng.sample(ALPHABETS, rng.randint(1, 3)))
        name = "".join(rng.choice(alphabet) for _ in range(length)).strip(" .")
        if rng.random() < 0.4 and len(name) < length - 3:
            name += "." + rng.choice(["txt", "TXT", "ini", "wim", "Cab", "x", "longextension", "é"])
        name = name.lstrip()
        if not name or name in (".", "..") or name.endswith((".", " ")):
            continue
        if len(name.encode("utf-16-le")) // 2 > 103 or len(name.encode()) > 251:
            continue  # mediafs's limit; Linux's (255 bytes of UTF-8) less DataLib's ".INI"
        folded = name.upper()
        if folded in taken:
            continue
        taken.add(folded)
        return name
    raise SystemExit("random_tree.py: could not find a free name")


def write_file(rng, path, size):
    with open(path, "wb") as f:
        f.write(rng.randbytes(size))


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    seed, root = int(sys.argv[1]), sys.argv[2]
    collide = "--case-collision" in sys.argv[3:]
    rng = random.Random(seed)
    os.makedirs(root, exist_ok=True)
    folders = [(root, set(), 0)]
    max_depth = rng.randint(3, 6)
    # Folders: a chain as deep as max_depth, then a random bushy rest.
    parent = folders[0]
    for depth in range(1, max_depth + 1):
        name = random_name(rng, parent[1], long=rng.random() < 0.3)
        path = os.path.join(parent[0], name)
        os.mkdir(path)
        parent = (path, set(), depth)
        folders.append(parent)
    for _ in range(rng.randint(3, 12)):
        parent = rng.choice(folders)
        if parent[2] >= max_depth:
            continue
        name = random_name(rng, parent[1])
        path = os.path.join(parent[0], name)
        os.mkdir(path)
        folders.append((path, set(), parent[2] + 1))
    # Files: every edge size once, then random sizes, in random folders (some left empty).
    sizes = EDGE_SIZES + [rng.randint(0, 300_000) for _ in range(rng.randint(5, 40))]
    rng.shuffle(sizes)
    for size in sizes:
        folder = rng.choice(folders)
        name = random_name(rng, folder[1], long=rng.random() < 0.15)
        write_file(rng, os.path.join(folder[0], name), size)
    if collide:
        folder = rng.choice(folders)
        base = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(8))
        write_file(rng, os.path.join(folder[0], base + ".txt"), 10)
        write_file(rng, os.path.join(folder[0], base.upper() + ".TXT"), 11)


if __name__ == "__main__":
    main()
