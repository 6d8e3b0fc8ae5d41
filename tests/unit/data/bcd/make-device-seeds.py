#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Write the fuzz-bcd-device seed corpus: one device element value per
file, the same forms test-bcd.c builds (docs/boot-formats.md, "BCD
device elements"), with invented identities.

Usage: make-device-seeds.py OUTDIR   (tests/fuzz/corpus/fuzz-bcd-device)
"""
import os
import struct
import sys
import uuid

RAMDISKOPTIONS = uuid.UUID("ae5534e0-a924-466c-b836-758539a3ee3a")
DISK = uuid.UUID("0b6f9d2e-7a41-4c3b-8e5d-1f2a3b4c5d6e")
PART = uuid.UUID("a1b2c3d4-e5f6-4718-9a0b-1c2d3e4f5a6b")
ZERO = bytes(16)


def hdr(dev_type, flags, size):
    return struct.pack("<IIII", dev_type, flags, size, 0)


def mbr(signature=0x1A2B3C4D, offset=1048576):
    return (hdr(6, 0, 0x48) + struct.pack("<Q", offset) + bytes(8)
            + struct.pack("<III", 0, 1, signature) + bytes(28))


def gpt():
    return hdr(6, 0, 0x48) + PART.bytes_le + bytes(8) + DISK.bytes_le + bytes(16)


def boot():
    return hdr(5, 0, 0x48) + bytes(0x38)


def utf16(text):
    return text.encode("utf-16le") + b"\0\0"


def file_path(parent, path):
    text = utf16(path)
    return struct.pack("<III", 1, 12 + len(parent) + len(text), 5) + parent + text


def block(local_type, body, flags=0):
    payload = struct.pack("<I", local_type) + body
    return hdr(0, flags, 16 + len(payload)) + payload


def ramdisk(parent, path):
    return block(3, bytes(20) + file_path(parent, path), flags=1)


def locate(element, nested, string=""):
    text = utf16(string) if string else b"\0\0"
    body = struct.pack("<III", 0, element, 0x1C + len(text)) + text + nested
    return hdr(8, 0, 16 + len(body)) + body


def vhd(nested):
    return block(6, bytes(20) + nested)


def deep(levels):
    nested = boot()
    for _ in range(levels):
        nested = locate(0x12000002, nested)
    return nested


SEEDS = {
    "mbr": ZERO + mbr(),
    "gpt": ZERO + gpt(),
    "boot": ZERO + boot(),
    "ramdisk": RAMDISKOPTIONS.bytes_le + ramdisk(mbr(), "\\sources\\boot.wim"),
    "ramdisk-boot": RAMDISKOPTIONS.bytes_le + ramdisk(boot(), "\\x.wim"),
    "locate-vhd": ZERO + locate(0x12000002, vhd(block(5, file_path(gpt(), "\\w.vhdx")))),
    "locate-string": ZERO + locate(0x22000002, boot(), "\\x"),
    "file": ZERO + block(5, file_path(mbr(0x01020304, 32256), "\\a\\b.vhd")),
    "serial": ZERO + hdr(3, 0, 0x10),
    # Seven locates around a boot device: one level below the depth cap.
    "locate-deep": ZERO + deep(7),
}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
