#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Write mini-bcd: a small BCD store for test-bcd, from an empty hive.

Usage: make-mini-bcd.py EMPTY_HIVE OUT
  EMPTY_HIVE comes from tests/phony/mkhive (hivex cannot create hives).
  Needs python3-hivex (Debian: /usr/bin/python3).

Every byte is built here from the layout in
docs/boot-formats.md ("BCD store" and "BCD device elements"); the GUIDs,
signatures and paths are invented.  test-bcd.c holds the expected table
(mini_objects[]); change both together.
"""
import struct
import sys
import uuid

import hivex

REG_SZ, REG_BINARY, REG_DWORD, REG_MULTI_SZ = 1, 3, 4, 7

DISK = uuid.UUID("0b6f9d2e-7a41-4c3b-8e5d-1f2a3b4c5d6e")
ESP = uuid.UUID("a1b2c3d4-e5f6-4718-9a0b-1c2d3e4f5a6b")
WINDOWS = uuid.UUID("b1b2c3d4-e5f6-4718-9a0b-1c2d3e4f5a6b")
RECOVERY = uuid.UUID("c1b2c3d4-e5f6-4718-9a0b-1c2d3e4f5a6b")
ZERO = uuid.UUID(int=0)

BOOTMGR = "{9dea862c-5cdd-4e70-acc1-f32b344d4795}"
MEMDIAG = "{b2721d73-1db4-4c62-bf78-c548a880142d}"
NTLDR = "{466f5a88-0af2-4f76-9038-095b170dc21c}"
GLOBALSETTINGS = "{7ea2e1ac-2e61-4728-aaa3-896d9d0a9f0e}"
BOOTLOADERSETTINGS = "{6efb52bf-1766-41db-a6b3-0ee5eff72bd7}"
LOADER = "{4c1e7b2a-93d5-4f08-b6a1-2e9c0d7f5a13}"
RESUME = "{4c1e7b2a-93d5-4f08-b6a1-2e9c0d7f5a14}"
WINRE = "{8a0f3c61-5b2e-11ee-9d4c-0a1b2c3d4e5f}"
WINRE_OPTIONS = "{8a0f3c62-5b2e-11ee-9d4c-0a1b2c3d4e5f}"


def hdr(dev_type, flags, size):
    return struct.pack("<IIII", dev_type, flags, size, 0)


def gpt(part):
    return (hdr(6, 0, 0x48) + part.bytes_le + struct.pack("<II", 0, 0)
            + DISK.bytes_le + bytes(16))


def mbr(signature, offset):
    return (hdr(6, 0, 0x48) + struct.pack("<Q", offset) + bytes(8)
            + struct.pack("<III", 0, 1, signature) + bytes(12) + bytes(16))


def device(desc, options=ZERO):
    return options.bytes_le + desc


def ramdisk(parent, path):
    text = path.encode("utf-16le") + b"\0\0"
    fp = struct.pack("<III", 1, 12 + len(parent) + len(text), 5) + parent + text
    body = struct.pack("<I", 3) + bytes(20) + fp
    return hdr(0, 1, 16 + len(body)) + body


def sz(text):
    return (REG_SZ, text.encode("utf-16le") + b"\0\0")


def multi_sz(*items):
    return (REG_MULTI_SZ, b"".join(i.encode("utf-16le") + b"\0\0" for i in items) + b"\0\0")


def u64(*values):
    return (REG_BINARY, b"".join(struct.pack("<Q", v) for v in values))


def boolean(value):
    return (REG_BINARY, bytes([value]))


def dev(desc, options=ZERO):
    return (REG_BINARY, device(desc, options))


WINRE_WIM = ramdisk(gpt(RECOVERY), "\\Recovery\\WindowsRE\\Winre.wim")

OBJECTS = [
    (BOOTMGR, 0x10100002, {
        0x11000001: dev(gpt(ESP)),
        0x12000002: sz("\\EFI\\Microsoft\\Boot\\bootmgfw.efi"),
        0x12000004: sz("Windows Boot Manager"),
        0x23000003: sz(LOADER),
        0x24000001: multi_sz(LOADER),
        0x24000010: multi_sz(MEMDIAG),
        0x25000004: u64(30),
    }),
    (LOADER, 0x10200003, {
        0x11000001: dev(gpt(WINDOWS)),
        0x12000002: sz("\\Windows\\system32\\winload.efi"),
        0x12000004: sz("Windows 10"),
        0x14000006: multi_sz(BOOTLOADERSETTINGS),
        0x14000008: multi_sz(WINRE),
        0x16000009: boolean(1),
        0x17000077: u64(0x15000075),
        0x21000001: dev(gpt(WINDOWS)),
        0x22000002: sz("\\Windows"),
        0x23000003: sz(RESUME),
    }),
    (RESUME, 0x10200004, {
        0x11000001: dev(gpt(WINDOWS)),
        0x12000002: sz("\\Windows\\system32\\winresume.efi"),
        0x21000001: dev(gpt(WINDOWS)),
        0x22000002: sz("\\hiberfil.sys"),
    }),
    (WINRE, 0x10200003, {
        0x11000001: dev(WINRE_WIM, uuid.UUID(WINRE_OPTIONS[1:-1])),
        0x12000004: sz("Windows Recovery Environment"),
        0x21000001: dev(WINRE_WIM, uuid.UUID(WINRE_OPTIONS[1:-1])),
    }),
    (WINRE_OPTIONS, 0x30000000, {
        0x31000003: dev(gpt(RECOVERY)),
        0x32000004: sz("\\Recovery\\WindowsRE\\boot.sdi"),
    }),
    (MEMDIAG, 0x10200005, {
        0x11000001: dev(hdr(5, 0, 0x48) + bytes(0x38)),
        0x12000002: sz("\\EFI\\Microsoft\\Boot\\memtest.efi"),
    }),
    (NTLDR, 0x10300006, {
        0x11000001: dev(mbr(0x1A2B3C4D, 1048576)),
        0x12000002: sz("\\ntldr"),
    }),
    (GLOBALSETTINGS, 0x20100000, {
        0x16000020: boolean(0),
    }),
    (BOOTLOADERSETTINGS, 0x20200003, {}),
]


def set_value(h, node, name, reg_type, data):
    h.node_set_value(node, {"key": name, "t": reg_type, "value": data})


def main():
    empty, out = sys.argv[1], sys.argv[2]
    h = hivex.Hivex(empty, write=True)
    root = h.root()
    desc = h.node_add_child(root, "Description")
    set_value(h, desc, "KeyName", *sz("BCD00000000"))
    set_value(h, desc, "System", REG_DWORD, struct.pack("<I", 1))
    objects = h.node_add_child(root, "Objects")
    for guid, obj_type, elements in OBJECTS:
        obj = h.node_add_child(objects, guid)
        d = h.node_add_child(obj, "Description")
        set_value(h, d, "Type", REG_DWORD, struct.pack("<I", obj_type))
        els = h.node_add_child(obj, "Elements")
        for elem_id in sorted(elements):
            e = h.node_add_child(els, "%08x" % elem_id)
            set_value(h, e, "Element", *elements[elem_id])
    h.commit(out)


if __name__ == "__main__":
    main()
