#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Write the cabinets test-cabinet.c reads, and the fuzz-cabinet seeds.

Usage: make-cabs.py OUTDIR [SEEDDIR]
  OUTDIR:  tests/unit/data/cabinet
  SEEDDIR: tests/fuzz/corpus/fuzz-cabinet (optional; smaller copies)

Every byte is built here from the Microsoft Cabinet format ([MS-CAB]:
CFHEADER, CFFOLDER, CFFILE, CFDATA and its checksum) and LZX's
uncompressed and verbatim blocks; the contents are invented, so the output is
the same on every run.  test-cabinet.c holds the expected names and
contents (make_content() there mirrors content() here): change both
together.  Needs only python3 (zlib for MSZIP).

  multi.cab         folder 0 stored, folder 1 MSZIP (several blocks
                    chained through the deflate dictionary), folder
                    parts, mixed case, an empty file
  lzx.cab           one LZX:15 folder written as uncompressed LZX blocks
  quantum.cab       a Quantum folder (libgcab cannot decode Quantum)
  mszip-short.cab   MSZIP whose second block holds 0 bytes: libgcab 1.5
                    then gives zlib 2^32 - 2 bytes of input from its
                    38 KiB block buffer (this one ends in a zlib error;
                    nothing bounds the read)
  reserve.cab       reserved areas in the header, folders and blocks, and
                    previous/next cabinet names
  lzx-overrun.cab   a valid LZX:15 frame whose last match runs 129 bytes
                    past the 32 KiB window: libgcab 1.5 writes them past
                    its heap buffer (it checks runs, not matches)
  prefer.cab        names that match a lookup twice: "x\\ATAPI.SYS" before
                    "atapi.sys", "a\\f.sys" before "b\\f.sys"
"""
import os
import struct
import sys
import zlib

NONE, MSZIP, QUANTUM, LZX = 0, 1, 2, 3
BLOCK = 32768
# 2004-08-04 12:00:00 (XP SP2), DOS format
DOS_DATE = ((2004 - 1980) << 9) | (8 << 5) | 4
DOS_TIME = 12 << 11
ATTR_ARCHIVE = 0x20


def content(name, size):
    """Compressible, name-dependent bytes: test-cabinet.c make_content()."""
    out = bytearray(size)
    seed = sum(name.encode()) & 0xFF
    for i in range(size):
        out[i] = (seed + i // 7 + (i % 13) * 3) & 0xFF
    return bytes(out)


def checksum(data, seed=0):
    """[MS-CAB] 2.5 CFDATA csum: XOR of little-endian 32-bit words, the
    tail bytes taken most significant first."""
    csum = seed
    n = len(data) // 4
    for i in range(n):
        csum ^= struct.unpack_from("<I", data, 4 * i)[0]
    tail = data[4 * n:]
    t = 0
    for b in tail:
        t = (t << 8) | b
    return csum ^ t


def cfdata_raw(comp, nubytes, res=b""):
    csum = checksum(struct.pack("<HH", len(comp), nubytes), checksum(comp))
    return struct.pack("<IHH", csum, len(comp), nubytes) + res + comp


def blocks_stored(data):
    return [(data[i:i + BLOCK], len(data[i:i + BLOCK]))
            for i in range(0, len(data), BLOCK)] or []


def blocks_mszip(data):
    out, prev = [], b""
    for i in range(0, len(data), BLOCK):
        chunk = data[i:i + BLOCK]
        if prev:
            c = zlib.compressobj(9, zlib.DEFLATED, -15, zdict=prev)
        else:
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
        out.append((b"CK" + c.compress(chunk) + c.flush(), len(chunk)))
        prev = chunk
    return out


class Bits:
    """LZX bit writer: 16-bit little-endian words, most significant bit
    first."""

    def __init__(self):
        self.words, self.acc, self.n = bytearray(), 0, 0

    def put(self, value, nbits):
        for i in range(nbits - 1, -1, -1):
            self.acc = (self.acc << 1) | ((value >> i) & 1)
            self.n += 1
            if self.n == 16:
                self.words += struct.pack("<H", self.acc)
                self.acc, self.n = 0, 0

    def align(self):
        """1..16 bits of padding, as the uncompressed block header wants."""
        self.put(0, 16 - self.n if self.n else 16)
        return bytes(self.words)


def lzx_lengths(bits, first, last, want):
    """Code lengths for symbols first..last-1 (all 0 but want[sym] = 1),
    relative to all-zero previous lengths, through a pretree where 0
    (keep 0), 16 (0 -> 1), 17 (4-19 zeros) and 18 (20-51 zeros) each
    have a 2-bit code."""
    pretree = [0] * 20
    for sym in (0, 16, 17, 18):
        pretree[sym] = 2
    for n in pretree:
        bits.put(n, 4)
    code = {0: 0, 16: 1, 17: 2, 18: 3}  # canonical, in symbol order
    x = first
    while x < last:
        if x in want:
            bits.put(code[16], 2)
            x += 1
            continue
        zeros = 0
        while x + zeros < last and x + zeros not in want:
            zeros += 1
        if zeros >= 20:
            n = min(zeros, 51)
            bits.put(code[18], 2)
            bits.put(n - 20, 5)
        elif zeros >= 4:
            n = zeros
            bits.put(code[17], 2)
            bits.put(n - 4, 4)
        else:
            n = 1
            bits.put(code[0], 2)
        x += n


def lzx_overrun_frame():
    """One verbatim block of 32768 bytes: a literal 'A', then matches of
    257 bytes at the repeated offset R0 = 1.  The 128th match starts 128
    bytes before the window's end."""
    bits = Bits()
    bits.put(0, 1)            # no Intel E8 translation
    bits.put(1, 3)            # verbatim block
    bits.put(BLOCK >> 8, 16)
    bits.put(BLOCK & 0xFF, 8)
    match = 256 + (0 << 3 | 7)  # offset slot 0 (R0), length header 7
    lzx_lengths(bits, 0, 256, {ord("A")})
    lzx_lengths(bits, 256, 256 + 30 * 8, {match})
    lzx_lengths(bits, 0, 249, {0, 248})   # length tree: footer 248 -> 257
    bits.put(0, 1)                        # main tree: 'A' is 0, match is 1
    for _ in range(128):
        bits.put(1, 1)
        bits.put(1, 1)                    # length tree: 248 is 1
    return bits.align() + bytes(8)


def blocks_lzx(data):
    """One uncompressed LZX block per 32 KiB frame."""
    out = []
    for i in range(0, len(data), BLOCK):
        chunk = data[i:i + BLOCK]
        bits = Bits()
        if i == 0:
            bits.put(0, 1)  # no Intel E8 translation
        bits.put(3, 3)      # uncompressed block
        bits.put(len(chunk) >> 8, 16)
        bits.put(len(chunk) & 0xFF, 8)
        comp = bits.align() + struct.pack("<III", 1, 1, 1) + chunk
        if len(chunk) & 1:
            comp += b"\0"
        out.append((comp, len(chunk)))
    return out


def cabinet(folders, res=None, prev=None, nxt=None):
    """folders: list of (typecomp, [(name, data)], blocks_fn); res:
    (header reserve bytes, per-folder reserve size, per-block reserve
    size)."""
    flags = 0
    hdr_extra = b""
    res_folder = res_data = 0
    if prev:
        flags |= 1
    if nxt:
        flags |= 2
    if res:
        flags |= 4
        hdr_res, res_folder, res_data = res
        hdr_extra += struct.pack("<HBB", len(hdr_res), res_folder,
                                 res_data) + hdr_res
    for names in (prev, nxt):
        if names:
            hdr_extra += names[0].encode() + b"\0" + names[1].encode() + b"\0"
    nfiles = sum(len(f[1]) for f in folders)
    off_folders = 36 + len(hdr_extra)
    off_files = off_folders + len(folders) * (8 + res_folder)
    files_blob = b""
    datas = []
    for index, (comp, files, fn) in enumerate(folders):
        uoff = 0
        stream = b""
        for name, data in files:
            files_blob += struct.pack("<IIHHHH", len(data), uoff, index,
                                      DOS_DATE, DOS_TIME, ATTR_ARCHIVE)
            files_blob += name.encode() + b"\0"
            uoff += len(data)
            stream += data
        blob = b"".join(cfdata_raw(c, n, bytes(res_data))
                        for c, n in fn(stream))
        datas.append((comp, len(fn(stream)), blob))
    data_start = off_files + len(files_blob)
    folders_blob = b""
    pos = data_start
    for comp, nblocks, blob in datas:
        folders_blob += struct.pack("<IHH", pos, nblocks, comp)
        folders_blob += bytes(res_folder)
        pos += len(blob)
    total = pos
    header = b"MSCF" + struct.pack("<IIIIIBBHHHHH", 0, total, 0, off_files,
                                   0, 3, 1, len(folders), nfiles, flags,
                                   0x1234, 0)
    cab = header + hdr_extra + folders_blob + files_blob
    cab += b"".join(d[2] for d in datas)
    assert len(cab) == total
    return cab


def f(name, size):
    return (name, content(name, size))


def multi():
    return cabinet([
        (NONE, [f("Intelide.sys", 3000), f("sub\\PCIIDE.SYS", 40000)],
         blocks_stored),
        (MSZIP, [f("i386\\atapi.sys", 100000), f("pciidex.sys", 5000),
                 f("empty.txt", 0)], blocks_mszip),
    ])


def lzx():
    return cabinet([(LZX | (15 << 8),
                     [f("lzx.sys", 40000), f("lzx.inf", 333)], blocks_lzx)])


def quantum():
    # The payload is never decoded: stored bytes under a Quantum label.
    return cabinet([(QUANTUM | (7 << 4) | (21 << 8), [f("q.sys", 1000)],
                     blocks_stored)])


def mszip_short():
    data = content("short.sys", 40000)
    first = blocks_mszip(data)[0]

    def two_blocks(stream):
        return [first, (b"", len(stream) - BLOCK)]
    return cabinet([(MSZIP, [("short.sys", data)], two_blocks)])


def reserve():
    return cabinet([(MSZIP, [f("r\\res.sys", 50000)], blocks_mszip)],
                   res=(b"HDRRESERVE", 5, 3),
                   prev=("prev.cab", "Disk 1"), nxt=("next.cab", "Disk 3"))


def lzx_overrun():
    frame = lzx_overrun_frame()
    return cabinet([(LZX | (15 << 8), [("overrun.sys", bytes(BLOCK))],
                     lambda stream: [(frame, BLOCK)])])


def prefer():
    return cabinet([(MSZIP, [f("x\\ATAPI.SYS", 100), f("atapi.sys", 200),
                             f("a\\f.sys", 300), f("b\\f.sys", 400)],
                     blocks_mszip)])


def small_multi():
    return cabinet([
        (NONE, [f("a.sys", 300), f("d\\B.SYS", 200)], blocks_stored),
        (MSZIP, [f("atapi.sys", 2000), f("e.txt", 0)], blocks_mszip),
    ])


def small_lzx():
    return cabinet([(LZX | (15 << 8), [f("lzx.sys", 700)], blocks_lzx)])


def write(path, data):
    with open(path, "wb") as fp:
        fp.write(data)


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, fn in (("multi", multi), ("lzx", lzx), ("quantum", quantum),
                     ("mszip-short", mszip_short), ("reserve", reserve),
                     ("prefer", prefer), ("lzx-overrun", lzx_overrun)):
        write(os.path.join(out, name + ".cab"), fn())
    if len(sys.argv) == 3:
        seeds = sys.argv[2]
        os.makedirs(seeds, exist_ok=True)
        for name, fn in (("multi", small_multi), ("lzx", small_lzx),
                         ("quantum", quantum), ("mszip-short", mszip_short),
                         ("reserve", reserve), ("lzx-overrun", lzx_overrun)):
            write(os.path.join(seeds, name), fn())


if __name__ == "__main__":
    main()
