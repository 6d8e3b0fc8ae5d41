/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests for the BCD codecs (bcd-device.c, bcd-store.c): device blobs
 * built here from the documented layout, a table of damaged blobs,
 * patching, our own small store (data/bcd/mini-bcd) and the real
 * bcdedit store in ../shared/fixtures (skipped when absent). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <hivex.h>

#include "bcd-device.h"
#include "bcd-store.h"
#include "bootfix-error.h"

/* ---- Device blobs (docs/boot-formats.md, "BCD device elements") ---- */

#define RAMDISKOPTIONS "{ae5534e0-a924-466c-b836-758539a3ee3a}"
#define DISK_GUID "{0b6f9d2e-7a41-4c3b-8e5d-1f2a3b4c5d6e}"
#define PART_GUID "{a1b2c3d4-e5f6-4718-9a0b-1c2d3e4f5a6b}"
#define FIX_SIG 0x43DA9AB1u
#define FIX_OFFSET G_GUINT64_CONSTANT (525336576)

typedef struct {
  guint8 b[BOOTFIX_BCD_MAX_DEVICE_LEN + 16];
  gsize len;
} Blob;

static void
le32 (guint8 *b, gsize off, guint32 v)
{
  for (int i = 0; i < 4; i++)
    b[off + i] = (guint8) (v >> (8 * i));
}

static void
le64 (guint8 *b, gsize off, guint64 v)
{
  le32 (b, off, (guint32) v);
  le32 (b, off + 4, (guint32) (v >> 32));
}

/* Text GUID -> Windows GUID bytes, independently of the code under test. */
static void
guid_bytes (const char *text, guint8 *out)
{
  unsigned d1, d2, d3, d4[8];
  int n = sscanf (text, "{%8x-%4x-%4x-%2x%2x-%2x%2x%2x%2x%2x%2x}", &d1, &d2, &d3,
                  &d4[0], &d4[1], &d4[2], &d4[3], &d4[4], &d4[5], &d4[6], &d4[7]);
  g_assert_cmpint (n, ==, 11);
  le32 (out, 0, d1);
  out[4] = (guint8) d2;
  out[5] = (guint8) (d2 >> 8);
  out[6] = (guint8) d3;
  out[7] = (guint8) (d3 >> 8);
  for (int i = 0; i < 8; i++)
    out[8 + i] = (guint8) d4[i];
}

static gsize
put_header (guint8 *b, gsize off, guint32 type, guint32 flags, guint32 size)
{
  le32 (b, off, type);
  le32 (b, off + 4, flags);
  le32 (b, off + 8, size);
  le32 (b, off + 12, 0);
  return off + 16;
}

/* Partition descriptor (2.2), 0x48 bytes: returns its end. */
static gsize
put_mbr (guint8 *b, gsize off, guint32 sig, guint64 offset)
{
  memset (b + off, 0, 0x48);
  put_header (b, off, 6, 0, 0x48);
  le64 (b, off + 0x10, offset);
  le32 (b, off + 0x24, 1);
  le32 (b, off + 0x28, sig);
  return off + 0x48;
}

static gsize
put_gpt (guint8 *b, gsize off, const char *disk, const char *part)
{
  memset (b + off, 0, 0x48);
  put_header (b, off, 6, 0, 0x48);
  guid_bytes (part, b + off + 0x10);
  le32 (b, off + 0x24, 0);
  guid_bytes (disk, b + off + 0x28);
  return off + 0x48;
}

static gsize
put_boot (guint8 *b, gsize off)
{
  memset (b + off, 0, 0x48);
  put_header (b, off, 5, 0, 0x48);
  return off + 0x48;
}

/* ASCII as UTF-16LE with its NUL. */
static gsize
put_utf16 (guint8 *b, gsize off, const char *text)
{
  for (const char *c = text; *c; c++, off += 2) {
    b[off] = (guint8) *c;
    b[off + 1] = 0;
  }
  b[off] = b[off + 1] = 0;
  return off + 2;
}

static void
blob_mbr (Blob *x)
{
  x->len = put_mbr (x->b, 0x10, 0x1A2B3C4D, 1048576);
}

static void
blob_gpt (Blob *x)
{
  x->len = put_gpt (x->b, 0x10, DISK_GUID, PART_GUID);
}

static void
blob_boot (Blob *x)
{
  x->len = put_boot (x->b, 0x10);
}

/* Partition whose padding and tail are not zero: every byte is kept. */
static void
blob_mbr_junk (Blob *x)
{
  blob_mbr (x);
  memset (x->b, 0x5a, 16);               /* options GUID */
  memset (x->b + 0x1c, 0xab, 4);         /* header reserved */
  memset (x->b + 0x28, 0xcd, 8);         /* padding after the offset */
  memset (x->b + 0x3c, 0xef, 12);        /* padding after the signature */
  memset (x->b + 0x48, 0x77, 16);        /* tail */
}

/* RAM disk (2.4): options GUID, type 0 flags 1, local 3, 20 zero bytes,
 * file-path header at 0x38, parent at 0x44, path. */
static void
build_ramdisk (Blob *x, gboolean boot_parent, const char *path, guint32 fp_version)
{
  gsize nested_end, end;

  guid_bytes (RAMDISKOPTIONS, x->b);
  nested_end = boot_parent ? put_boot (x->b, 0x44)
                           : put_mbr (x->b, 0x44, FIX_SIG, FIX_OFFSET);
  end = put_utf16 (x->b, nested_end, path);
  put_header (x->b, 0x10, 0, 1, (guint32) (end - 0x10));
  le32 (x->b, 0x20, 3);
  le32 (x->b, 0x38, fp_version);
  le32 (x->b, 0x3c, (guint32) (end - 0x38));
  le32 (x->b, 0x40, 5);
  x->len = end;
}

static void
blob_ramdisk (Blob *x)
{
  build_ramdisk (x, FALSE, "\\sources\\boot.wim", 1);
}

static void
blob_ramdisk_boot (Blob *x)
{
  build_ramdisk (x, TRUE, "\\x.wim", 1);
}

static void
blob_ramdisk_fp2 (Blob *x)
{
  build_ramdisk (x, FALSE, "\\x.wim", 2);
}

/* Locate (2.5): locate -> VHD -> file -> GPT partition, path. */
static void
blob_locate (Blob *x)
{
  gsize end = put_utf16 (x->b, put_gpt (x->b, 0x76, DISK_GUID, PART_GUID),
                         "\\vhd\\win.vhdx");
  put_header (x->b, 0x10, 8, 0, (guint32) (end - 0x10));
  le32 (x->b, 0x20, 0);
  le32 (x->b, 0x24, 0x12000002);
  le32 (x->b, 0x28, 0x1e);
  put_header (x->b, 0x2e, 0, 0, (guint32) (end - 0x2e));
  le32 (x->b, 0x3e, 6);
  put_header (x->b, 0x56, 0, 0, (guint32) (end - 0x56));
  le32 (x->b, 0x66, 5);
  le32 (x->b, 0x6a, 1);
  le32 (x->b, 0x6e, (guint32) (end - 0x6a));
  le32 (x->b, 0x72, 5);
  x->len = end;
}

/* Locate with a non-empty string and a boot parent. */
static void
blob_locate_string (Blob *x)
{
  gsize nested = put_utf16 (x->b, 0x2c, "\\x");
  gsize end = put_boot (x->b, nested);
  put_header (x->b, 0x10, 8, 0, (guint32) (end - 0x10));
  le32 (x->b, 0x24, 0x22000002);
  le32 (x->b, 0x28, (guint32) (nested - 0x10));
  x->len = end;
}

/* Locates nested in locates, each pointing 0x1e further, then boot. */
static void
build_locate_chain (Blob *x, int levels)
{
  gsize d = 0x10;
  gsize end = 0x10 + (gsize) levels * 0x1e + 0x48;

  for (int i = 0; i < levels; i++, d += 0x1e) {
    put_header (x->b, d, 8, 0, (guint32) (end - d));
    le32 (x->b, d + 0x14, 0x12000002);
    le32 (x->b, d + 0x18, 0x1e);
  }
  put_boot (x->b, d);
  x->len = end;
}

/* The deepest chain we accept: the boot device at depth 7. */
static void
blob_locate_deep (Blob *x)
{
  build_locate_chain (x, 7);
}

/* A file device at the top: type 0, local 5, file path at 0x24. */
static void
blob_file (Blob *x)
{
  gsize end = put_utf16 (x->b, put_mbr (x->b, 0x30, 0x01020304, 32256), "\\a\\b.vhd");
  put_header (x->b, 0x10, 0, 0, (guint32) (end - 0x10));
  le32 (x->b, 0x20, 5);
  le32 (x->b, 0x24, 1);
  le32 (x->b, 0x28, (guint32) (end - 0x24));
  le32 (x->b, 0x2c, 5);
  x->len = end;
}

static void
blob_serial (Blob *x)
{
  x->len = put_header (x->b, 0x10, 3, 0, 0x10);
}

static void
blob_raw_style (Blob *x)
{
  blob_mbr (x);
  le64 (x->b, 0x20, 1);
  le32 (x->b, 0x34, 2);
  le32 (x->b, 0x38, 2);
}

static void
blob_trailer (Blob *x)
{
  blob_mbr (x);
  memset (x->b + x->len, 0xee, 8);
  x->len += 8;
}

/* ---- Good blobs: references, readable form, round trip ---- */

typedef struct {
  gsize offset;
  BootfixBcdRefKind kind;
  guint32 sig;
  guint64 off;
  const char *disk, *part; /* GPT */
} RefCase;

typedef struct {
  const char *name;
  void (*build) (Blob *x);
  const char *text;
  gboolean complete;
  guint n_refs;
  RefCase refs[1];
} GoodCase;

#define MBR_REF(o, s, p) { { (o), BOOTFIX_BCD_REF_MBR, (s), (p), NULL, NULL } }
#define GPT_REF(o) { { (o), BOOTFIX_BCD_REF_GPT, 0, 0, DISK_GUID, PART_GUID } }

static const GoodCase good_cases[] = {
  { "mbr", blob_mbr, "disk 0x1A2B3C4D @ 1048576", TRUE, 1,
    MBR_REF (0x10, 0x1A2B3C4D, 1048576) },
  { "mbr-junk", blob_mbr_junk,
    "disk 0x1A2B3C4D @ 1048576,{5a5a5a5a-5a5a-5a5a-5a5a-5a5a5a5a5a5a}", TRUE, 1,
    MBR_REF (0x10, 0x1A2B3C4D, 1048576) },
  { "gpt", blob_gpt, "gpt disk " DISK_GUID " partition " PART_GUID, TRUE, 1,
    GPT_REF (0x10) },
  { "boot", blob_boot, "boot", TRUE, 0, { { 0 } } },
  { "ramdisk", blob_ramdisk,
    "ramdisk [disk 0x43DA9AB1 @ 525336576] \\sources\\boot.wim," RAMDISKOPTIONS, TRUE, 1,
    MBR_REF (0x44, FIX_SIG, FIX_OFFSET) },
  { "ramdisk-boot", blob_ramdisk_boot, "ramdisk [boot] \\x.wim," RAMDISKOPTIONS, TRUE, 0,
    { { 0 } } },
  { "ramdisk-unknown-file-path", blob_ramdisk_fp2,
    "block device, local type 3 (138 bytes)," RAMDISKOPTIONS, FALSE, 0, { { 0 } } },
  { "locate-vhd", blob_locate,
    "locate custom:12000002 vhd file [gpt disk " DISK_GUID " partition " PART_GUID
    "] \\vhd\\win.vhdx",
    TRUE, 1, GPT_REF (0x76) },
  { "locate-string", blob_locate_string, "locate custom:22000002 \"\\x\" boot", TRUE, 0,
    { { 0 } } },
  { "locate-depth-7", blob_locate_deep,
    "locate custom:12000002 locate custom:12000002 locate custom:12000002 "
    "locate custom:12000002 locate custom:12000002 locate custom:12000002 "
    "locate custom:12000002 boot",
    TRUE, 0, { { 0 } } },
  { "file", blob_file, "file [disk 0x01020304 @ 32256] \\a\\b.vhd", TRUE, 1,
    MBR_REF (0x30, 0x01020304, 32256) },
  { "serial", blob_serial, "device type 3 (16 bytes)", FALSE, 0, { { 0 } } },
  { "raw-style", blob_raw_style, "raw disk 2 partition 1", TRUE, 0, { { 0 } } },
  { "trailer", blob_trailer, "disk 0x1A2B3C4D @ 1048576 (+8 trailing bytes)", TRUE, 1,
    MBR_REF (0x10, 0x1A2B3C4D, 1048576) },
};

static void
assert_guid (const guint8 *bytes, const char *text)
{
  guint8 want[16];
  guid_bytes (text, want);
  g_assert_cmpmem (bytes, 16, want, 16);
}

static void
assert_round_trip (const guint8 *data, gsize len)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixBcdDevice) dev = bootfix_bcd_device_parse (data, len, &error);
  g_assert_no_error (error);
  g_autoptr (GBytes) out = bootfix_bcd_device_encode (dev, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out), data, len);
}

static void
test_device_good (gconstpointer data)
{
  const GoodCase *c = data;
  g_autofree Blob *x = g_new0 (Blob, 1);
  g_autoptr (GError) error = NULL;

  c->build (x);
  g_autoptr (BootfixBcdDevice) dev = bootfix_bcd_device_parse (x->b, x->len, &error);
  g_assert_no_error (error);
  g_autofree char *text = bootfix_bcd_device_to_string (dev);
  g_assert_cmpstr (text, ==, c->text);
  g_assert_cmpint (dev->complete, ==, c->complete);
  g_autoptr (GArray) refs = bootfix_bcd_device_get_references (dev);
  g_assert_cmpuint (refs->len, ==, c->n_refs);
  for (guint i = 0; i < refs->len; i++) {
    const BootfixBcdPartitionRef *r = &g_array_index (refs, BootfixBcdPartitionRef, i);
    const RefCase *want = &c->refs[i];
    g_assert_cmpuint (r->offset, ==, want->offset);
    g_assert_cmpint (r->kind, ==, want->kind);
    if (want->kind == BOOTFIX_BCD_REF_MBR) {
      g_assert_cmphex (r->disk_signature, ==, want->sig);
      g_assert_cmpuint (r->partition_offset, ==, want->off);
    } else {
      assert_guid (r->disk_guid, want->disk);
      assert_guid (r->partition_guid, want->part);
    }
  }
  assert_round_trip (x->b, x->len);
}

/* ---- Damaged blobs: each one a GUEST error naming field and offset ---- */

static void
bad_empty (Blob *x)
{
  x->len = 0;
}

static void
bad_truncated_header (Blob *x)
{
  blob_mbr (x);
  x->len = 0x1f;
}

static void
bad_too_large (Blob *x)
{
  blob_mbr (x);
  x->len = BOOTFIX_BCD_MAX_DEVICE_LEN + 1;
  le32 (x->b, 0x18, (guint32) (x->len - 0x10));
}

static void
bad_size_past_value (Blob *x)
{
  blob_mbr (x);
  le32 (x->b, 0x18, 0x100);
}

static void
bad_size_zero (Blob *x)
{
  blob_mbr (x);
  le32 (x->b, 0x18, 0);
}

static void
bad_partition_short (Blob *x)
{
  blob_mbr (x);
  le32 (x->b, 0x18, 0x20);
  x->len = 0x30;
}

static void
bad_nested_past_parent (Blob *x)
{
  blob_ramdisk (x);
  le32 (x->b, 0x4c, 0x300);
}

static void
bad_fp_length_past (Blob *x)
{
  blob_ramdisk (x);
  le32 (x->b, 0x3c, 0x400);
}

static void
bad_fp_length_short (Blob *x)
{
  blob_ramdisk (x);
  le32 (x->b, 0x3c, 4);
}

static void
bad_fp_nested_past_fp (Blob *x)
{
  blob_ramdisk (x);
  le32 (x->b, 0x3c, 0x20);
}

static void
bad_odd_utf16 (Blob *x)
{
  blob_ramdisk (x);
  x->b[x->len] = 0;
  x->len++;
  le32 (x->b, 0x18, (guint32) (x->len - 0x10));
  le32 (x->b, 0x3c, (guint32) (x->len - 0x38));
}

static void
bad_locate_backwards (Blob *x)
{
  blob_locate (x);
  le32 (x->b, 0x28, 0x10);
}

static void
bad_locate_past (Blob *x)
{
  blob_locate (x);
  le32 (x->b, 0x28, 0x1000);
}

/* 8 locates around a boot device: the boot descriptor is at depth 8. */
static void
bad_depth_bomb (Blob *x)
{
  build_locate_chain (x, 8);
}

static void
bad_nested_size_zero (Blob *x)
{
  blob_locate (x);
  le32 (x->b, 0x36, 0);
}

static void
bad_vhd_short (Blob *x)
{
  blob_locate (x);
  le32 (x->b, 0x36, 0x20);
}

static void
bad_nested_header_truncated (Blob *x)
{
  blob_locate (x);
  le32 (x->b, 0x36, 0x30);
}

static void
bad_ramdisk_short (Blob *x)
{
  put_header (x->b, 0x10, 0, 1, 0x18);
  le32 (x->b, 0x20, 3);
  x->len = 0x28;
}

static void
bad_locate_short (Blob *x)
{
  x->len = put_header (x->b, 0x10, 8, 0, 0x14) + 4;
}

static void
bad_block_no_local_type (Blob *x)
{
  x->len = put_header (x->b, 0x10, 0, 0, 0x10);
}

typedef struct {
  const char *name;
  void (*build) (Blob *x);
  const char *text;
} BadCase;

static const BadCase bad_cases[] = {
  { "empty", bad_empty, "the value is 0 bytes, shorter than the 32 bytes" },
  { "truncated-header", bad_truncated_header, "the value is 31 bytes, shorter than" },
  { "too-large", bad_too_large, "the value is 65537 bytes, more than the 65536" },
  { "size-past-value", bad_size_past_value,
    "the size field at offset 0x18 is 0x100, past the end of its parent (0x48 bytes "
    "left)" },
  { "size-zero", bad_size_zero,
    "the size field at offset 0x18 is 0x0, smaller than the descriptor's own 16-byte" },
  { "partition-short", bad_partition_short,
    "the partition descriptor at offset 0x10 is 0x20 bytes, shorter than the 0x38" },
  { "nested-size-past-parent", bad_nested_past_parent,
    "the size field at offset 0x4c is 0x300, past the end of its parent" },
  { "file-path-length-past", bad_fp_length_past,
    "the file path length at offset 0x3c is 0x400, past the end of its descriptor" },
  { "file-path-length-short", bad_fp_length_short,
    "the file path length at offset 0x3c is 0x4, shorter than its own 12-byte header" },
  { "nested-past-file-path", bad_fp_nested_past_fp,
    "the size field at offset 0x4c is 0x48, past the end of its parent (0x14 bytes "
    "left)" },
  { "odd-utf16", bad_odd_utf16, "the UTF-16 path at offset 0x8c has an odd length (37" },
  { "locate-backwards", bad_locate_backwards,
    "the nested descriptor offset at 0x28 is 0x10, inside the locate header" },
  { "locate-past", bad_locate_past,
    "the nested descriptor offset at 0x28 is 0x1000, past the end of its" },
  { "depth-bomb", bad_depth_bomb,
    "the descriptor at offset 0x100 is nested deeper than 8 levels" },
  { "nested-size-zero", bad_nested_size_zero,
    "the size field at offset 0x36 is 0x0, smaller than" },
  { "vhd-short", bad_vhd_short,
    "the virtual disk descriptor at offset 0x2e is 0x20 bytes, shorter than its 0x28" },
  { "nested-header-truncated", bad_nested_header_truncated,
    "the descriptor header at offset 0x56 needs 16 bytes, its parent ends at 0x5e" },
  { "ramdisk-short", bad_ramdisk_short,
    "the ramdisk image base field at offset 0x24 lies past the end of its descriptor "
    "(0x28)" },
  { "locate-short", bad_locate_short,
    "the locate element field at offset 0x24 lies past the end of its descriptor" },
  { "block-without-local-type", bad_block_no_local_type,
    "the local device type field at offset 0x20 lies past the end of its descriptor "
    "(0x20)" },
};

static void
assert_contains (const char *haystack, const char *needle)
{
  if (strstr (haystack, needle) == NULL) {
    g_test_message ("expected \"%s\" in \"%s\"", needle, haystack);
    g_assert_not_reached ();
  }
}

static void
test_device_bad (gconstpointer data)
{
  const BadCase *c = data;
  g_autofree Blob *x = g_new0 (Blob, 1);
  g_autoptr (GError) error = NULL;

  c->build (x);
  g_autoptr (BootfixBcdDevice) dev = bootfix_bcd_device_parse (x->b, x->len, &error);
  g_assert_null (dev);
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "BCD device element: "));
  assert_contains (error->message, c->text);
}

/* ---- Patching ---- */

/* out differs from in only inside the given [from, to) ranges. */
static void
assert_only_changed (const guint8 *in, GBytes *out, gsize len, const gsize ranges[][2],
                     guint n_ranges)
{
  const guint8 *o = g_bytes_get_data (out, NULL);

  g_assert_cmpuint (g_bytes_get_size (out), ==, len);
  for (gsize i = 0; i < len; i++) {
    gboolean inside = FALSE;
    for (guint r = 0; r < n_ranges; r++)
      inside = inside || (i >= ranges[r][0] && i < ranges[r][1]);
    if (!inside && o[i] != in[i]) {
      g_test_message ("byte 0x%zx changed: %02x -> %02x", i, in[i], o[i]);
      g_assert_not_reached ();
    }
  }
}

static void
test_patch_mbr (void)
{
  g_autofree Blob *x = g_new0 (Blob, 1);
  g_autoptr (GError) error = NULL;
  BootfixBcdPartitionRef ref = { 0 };
  static const gsize ranges[][2] = { { 0x54, 0x5c }, { 0x6c, 0x70 } };
  static const guint8 want_off[8] = { 0x00, 0x00, 0x10, 0x00, 0, 0, 0, 0 };
  static const guint8 want_sig[4] = { 0xbe, 0xba, 0xfe, 0xca };

  blob_ramdisk (x);
  ref.kind = BOOTFIX_BCD_REF_MBR;
  ref.disk_signature = 0xCAFEBABE;
  ref.partition_offset = 1048576;
  g_autoptr (GBytes) out = bootfix_bcd_device_patch (x->b, x->len, 0x44, &ref, &error);
  g_assert_no_error (error);
  assert_only_changed (x->b, out, x->len, ranges, G_N_ELEMENTS (ranges));
  g_assert_cmpmem ((const guint8 *) g_bytes_get_data (out, NULL) + 0x54, 8, want_off, 8);
  g_assert_cmpmem ((const guint8 *) g_bytes_get_data (out, NULL) + 0x6c, 4, want_sig, 4);

  /* The result reads back as the new identity. */
  g_autoptr (BootfixBcdDevice) dev =
    bootfix_bcd_device_parse (g_bytes_get_data (out, NULL), g_bytes_get_size (out), &error);
  g_assert_no_error (error);
  g_autofree char *text = bootfix_bcd_device_to_string (dev);
  g_assert_cmpstr (text, ==,
                   "ramdisk [disk 0xCAFEBABE @ 1048576] \\sources\\boot.wim," RAMDISKOPTIONS);
}

/* MBR padding is not identity: a patch keeps it. */
static void
test_patch_mbr_keeps_padding (void)
{
  g_autofree Blob *x = g_new0 (Blob, 1);
  g_autoptr (GError) error = NULL;
  BootfixBcdPartitionRef ref = { .kind = BOOTFIX_BCD_REF_MBR, .disk_signature = 7,
                                 .partition_offset = 512 };
  static const gsize ranges[][2] = { { 0x20, 0x28 }, { 0x38, 0x3c } };

  blob_mbr_junk (x);
  g_autoptr (GBytes) out = bootfix_bcd_device_patch (x->b, x->len, 0x10, &ref, &error);
  g_assert_no_error (error);
  assert_only_changed (x->b, out, x->len, ranges, G_N_ELEMENTS (ranges));
}

static void
test_patch_gpt (void)
{
  g_autofree Blob *x = g_new0 (Blob, 1);
  g_autoptr (GError) error = NULL;
  BootfixBcdPartitionRef ref = { .kind = BOOTFIX_BCD_REF_GPT };
  static const gsize ranges[][2] = { { 0x86, 0x96 }, { 0x9e, 0xae } };
  const char *disk = "{11111111-2222-3333-4444-555555555555}";
  const char *part = "{66666666-7777-8888-9999-aaaaaaaaaaaa}";

  blob_locate (x);
  guid_bytes (disk, ref.disk_guid);
  guid_bytes (part, ref.partition_guid);
  g_autoptr (GBytes) out = bootfix_bcd_device_patch (x->b, x->len, 0x76, &ref, &error);
  g_assert_no_error (error);
  assert_only_changed (x->b, out, x->len, ranges, G_N_ELEMENTS (ranges));
  assert_guid ((const guint8 *) g_bytes_get_data (out, NULL) + 0x86, part);
  assert_guid ((const guint8 *) g_bytes_get_data (out, NULL) + 0x9e, disk);
}

/* MBR -> GPT: the style field changes too, no MBR bytes survive. */
static void
test_patch_style_change (void)
{
  g_autofree Blob *x = g_new0 (Blob, 1);
  g_autoptr (GError) error = NULL;
  BootfixBcdPartitionRef ref = { .kind = BOOTFIX_BCD_REF_GPT };

  blob_mbr (x);
  guid_bytes (DISK_GUID, ref.disk_guid);
  guid_bytes (PART_GUID, ref.partition_guid);
  g_autoptr (GBytes) out = bootfix_bcd_device_patch (x->b, x->len, 0x10, &ref, &error);
  g_assert_no_error (error);
  g_autofree Blob *want = g_new0 (Blob, 1);
  blob_gpt (want);
  g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out), want->b,
                   want->len);
}

static void
test_patch_missing (void)
{
  g_autofree Blob *x = g_new0 (Blob, 1);
  BootfixBcdPartitionRef ref = { .kind = BOOTFIX_BCD_REF_MBR };
  static const struct {
    void (*build) (Blob *x);
    gsize offset;
  } cases[] = {
    { blob_mbr, 0x20 },  /* inside a descriptor */
    { blob_ramdisk, 0x10 }, /* the ramdisk, not its partition */
    { blob_boot, 0x10 },
    { blob_raw_style, 0x10 }, /* style 2 has no MBR/GPT identity */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GError) error = NULL;
    memset (x, 0, sizeof *x);
    cases[i].build (x);
    g_autoptr (GBytes) out =
      bootfix_bcd_device_patch (x->b, x->len, cases[i].offset, &ref, &error);
    g_assert_null (out);
    g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED);
    g_autofree char *want = g_strdup_printf (
      "no MBR or GPT partition reference at offset 0x%zx", cases[i].offset);
    assert_contains (error->message, want);
  }

  /* A damaged value cannot be patched at all. */
  g_autoptr (GError) error = NULL;
  blob_mbr (x);
  g_autoptr (GBytes) out = bootfix_bcd_device_patch (x->b, 0x1f, 0x10, &ref, &error);
  g_assert_null (out);
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
}

static void
test_decode_tables (void)
{
  static const struct {
    guint32 type;
    const char *kind;
  } kinds[] = {
    { 0x10100001, "fwbootmgr" },
    { 0x10100002, "bootmgr" },
    { 0x10200003, "osloader" },
    { 0x10200004, "resume" },
    { 0x10200005, "memdiag" },
    { 0x10300006, "ntldr" },
    { 0x10400008, "bootsector" },
    { 0x1020000a, "application" },
    { 0x20100000, "inherit library" },
    { 0x20200003, "inherit application" },
    { 0x20200004, "inherit application" },
    { 0x20300000, "inherit device" },
    { 0x30000000, "device options" },
    { 0x20500000, "unknown" },
    { 0x40000000, "unknown" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    g_assert_cmpstr (bootfix_bcd_object_kind_name (bootfix_bcd_object_kind (kinds[i].type)),
                     ==, kinds[i].kind);
  g_assert_cmpint (bootfix_bcd_element_format (0x11000001), ==, BOOTFIX_BCD_FORMAT_DEVICE);
  g_assert_cmpint (bootfix_bcd_element_format (0x21000001), ==, BOOTFIX_BCD_FORMAT_DEVICE);
  g_assert_cmpint (bootfix_bcd_element_format (0x12000002), ==, BOOTFIX_BCD_FORMAT_STRING);
  g_assert_cmpint (bootfix_bcd_element_format (0x23000003), ==, BOOTFIX_BCD_FORMAT_OBJECT);
  g_assert_cmpint (bootfix_bcd_element_format (0x24000001), ==,
                   BOOTFIX_BCD_FORMAT_OBJECT_LIST);
  g_assert_cmpint (bootfix_bcd_element_format (0x25000004), ==, BOOTFIX_BCD_FORMAT_INTEGER);
  g_assert_cmpint (bootfix_bcd_element_format (0x26000020), ==, BOOTFIX_BCD_FORMAT_BOOLEAN);
  g_assert_cmpint (bootfix_bcd_element_format (0x17000077), ==,
                   BOOTFIX_BCD_FORMAT_INTEGER_LIST);
  g_assert_cmpint (bootfix_bcd_element_format (0x18000001), ==, BOOTFIX_BCD_FORMAT_UNKNOWN);
  g_assert_cmpstr (bootfix_bcd_alias_for_guid ("{9DEA862C-5CDD-4E70-ACC1-F32B344D4795}"),
                   ==, "{bootmgr}");
  g_assert_cmpstr (bootfix_bcd_alias_for_guid (BOOTFIX_BCD_GUID_RESUMELOADERSETTINGS), ==,
                   "{resumeloadersettings}");
  g_assert_cmpstr (bootfix_bcd_guid_for_alias ("{globalsettings}"), ==,
                   "{7ea2e1ac-2e61-4728-aaa3-896d9d0a9f0e}");
  g_assert_cmpstr (bootfix_bcd_guid_for_alias ("{bootloadersettings}"), ==,
                   "{6efb52bf-1766-41db-a6b3-0ee5eff72bd7}");
  g_assert_null (bootfix_bcd_alias_for_guid ("{19260817-6666-8888-abcd-000000000000}"));
}

/* ---- Stores: shared checks ---- */

typedef struct {
  const char *guid;
  guint32 type;
  const char *kind;
  const char *elements; /* ids in hive order, space-separated */
} ObjectCase;

static void
assert_objects (const BootfixBcdStore *store, const ObjectCase *want, guint n_want)
{
  GPtrArray *objects = bootfix_bcd_store_get_objects (store);

  g_assert_cmpuint (objects->len, ==, n_want);
  for (guint i = 0; i < n_want; i++) {
    const BootfixBcdObject *obj = g_ptr_array_index (objects, i);
    g_autoptr (GString) ids = g_string_new (NULL);
    g_assert_cmpstr (obj->guid, ==, want[i].guid);
    g_assert_cmphex (obj->type, ==, want[i].type);
    g_assert_cmpstr (bootfix_bcd_object_kind_name (obj->kind), ==, want[i].kind);
    for (guint j = 0; j < obj->elements->len; j++) {
      const BootfixBcdElement *el = g_ptr_array_index (obj->elements, j);
      g_string_append_printf (ids, "%s%08x", j > 0 ? " " : "", el->id);
      g_assert_cmpint (el->format, ==, bootfix_bcd_element_format (el->id));
    }
    g_assert_cmpstr (ids->str, ==, want[i].elements);
    g_assert_true (bootfix_bcd_store_find_object (store, want[i].guid) == obj);
  }
}

static char *
tmp_dir (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("test-bcd-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

static void
remove_tmp (const char *dir, const char *file)
{
  g_autofree char *path = g_build_filename (dir, file, NULL);
  (void) g_unlink (path);
}

/* Every device element of the store survives parse + encode byte for
 * byte. */
static void
check_store_round_trip (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixBcdStore) b = bootfix_bcd_store_open (path, &error);
  g_assert_no_error (error);

  GPtrArray *objects = bootfix_bcd_store_get_objects (b);
  guint n_devices = 0;
  for (guint i = 0; i < objects->len; i++) {
    const BootfixBcdObject *obj = g_ptr_array_index (objects, i);
    for (guint j = 0; j < obj->elements->len; j++) {
      const BootfixBcdElement *el = g_ptr_array_index (obj->elements, j);
      if (el->format != BOOTFIX_BCD_FORMAT_DEVICE)
        continue;
      assert_round_trip (g_bytes_get_data (el->value, NULL), g_bytes_get_size (el->value));
      n_devices++;
    }
  }
  g_assert_cmpuint (n_devices, >, 0);
}

static const BootfixBcdElement *
element (const BootfixBcdStore *store, const char *guid, guint32 id)
{
  const BootfixBcdObject *obj = bootfix_bcd_store_find_object (store, guid);
  g_assert_nonnull (obj);
  const BootfixBcdElement *el = bootfix_bcd_object_find_element (obj, id);
  g_assert_nonnull (el);
  return el;
}

/* A device element in the codec's readable form, a string or object
 * element as its text. */
static void
assert_element_text (const BootfixBcdStore *store, const char *guid, guint32 id,
                     const char *want)
{
  g_autoptr (GError) error = NULL;
  const BootfixBcdElement *el = element (store, guid, id);
  g_autoptr (BootfixBcdDevice) dev = NULL;
  g_autofree char *text = NULL;

  if (el->format == BOOTFIX_BCD_FORMAT_DEVICE) {
    dev = bootfix_bcd_element_get_device (el, &error);
    g_assert_no_error (error);
    text = bootfix_bcd_device_to_string (dev);
  } else {
    text = bootfix_bcd_element_get_string (el, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpstr (text, ==, want);
}

/* ---- Our own store: data/bcd/mini-bcd ---- */

#define LOADER "{4c1e7b2a-93d5-4f08-b6a1-2e9c0d7f5a13}"
#define RESUME "{4c1e7b2a-93d5-4f08-b6a1-2e9c0d7f5a14}"
#define WINRE "{8a0f3c61-5b2e-11ee-9d4c-0a1b2c3d4e5f}"
#define WINRE_OPTIONS "{8a0f3c62-5b2e-11ee-9d4c-0a1b2c3d4e5f}"
#define MINI_DISK "{0b6f9d2e-7a41-4c3b-8e5d-1f2a3b4c5d6e}"

/* make-mini-bcd.py's OBJECTS, in hive (sorted) order. */
static const ObjectCase mini_objects[] = {
  { "{466f5a88-0af2-4f76-9038-095b170dc21c}", 0x10300006, "ntldr", "11000001 12000002" },
  { LOADER, 0x10200003, "osloader",
    "11000001 12000002 12000004 14000006 14000008 16000009 17000077 21000001 22000002 "
    "23000003" },
  { RESUME, 0x10200004, "resume", "11000001 12000002 21000001 22000002" },
  { "{6efb52bf-1766-41db-a6b3-0ee5eff72bd7}", 0x20200003, "inherit application", "" },
  { "{7ea2e1ac-2e61-4728-aaa3-896d9d0a9f0e}", 0x20100000, "inherit library", "16000020" },
  { WINRE, 0x10200003, "osloader", "11000001 12000004 21000001" },
  { WINRE_OPTIONS, 0x30000000, "device options", "31000003 32000004" },
  { "{9dea862c-5cdd-4e70-acc1-f32b344d4795}", 0x10100002, "bootmgr",
    "11000001 12000002 12000004 23000003 24000001 24000010 25000004" },
  { "{b2721d73-1db4-4c62-bf78-c548a880142d}", 0x10200005, "memdiag", "11000001 12000002" },
};

static char *
mini_path (void)
{
  const char *dir = g_getenv ("BOOTFIX_TEST_DATA");
  g_assert_nonnull (dir);
  return g_build_filename (dir, "bcd", "mini-bcd", NULL);
}

static void
test_mini_objects (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = mini_path ();
  g_autoptr (BootfixBcdStore) store = bootfix_bcd_store_open (path, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (bootfix_bcd_store_get_key_name (store), ==, "BCD00000000");
  assert_objects (store, mini_objects, G_N_ELEMENTS (mini_objects));
  g_assert_cmpstr (bootfix_bcd_store_find_object (store, "{BOOTMGR}")->alias, ==,
                   "{bootmgr}");
  g_assert_cmpstr (bootfix_bcd_store_find_object (store, "{memdiag}")->alias, ==,
                   "{memdiag}");
  g_assert_null (bootfix_bcd_store_find_object (store, "{current}"));
  g_assert_null (bootfix_bcd_store_find_object (store, LOADER)->alias);
}

static void
test_mini_values (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = mini_path ();
  g_autoptr (BootfixBcdStore) s = bootfix_bcd_store_open (path, &error);

  g_assert_no_error (error);
  assert_element_text (s, "{bootmgr}", 0x11000001,
                       "gpt disk " MINI_DISK " partition {a1b2c3d4-e5f6-4718-9a0b-1c2d3e4f5a6b}");
  assert_element_text (s, "{bootmgr}", 0x12000002, "\\EFI\\Microsoft\\Boot\\bootmgfw.efi");
  assert_element_text (s, "{bootmgr}", 0x23000003, LOADER);
  assert_element_text (s, WINRE, 0x21000001,
                       "ramdisk [gpt disk " MINI_DISK
                       " partition {c1b2c3d4-e5f6-4718-9a0b-1c2d3e4f5a6b}] "
                       "\\Recovery\\WindowsRE\\Winre.wim," WINRE_OPTIONS);
  assert_element_text (s, "{memdiag}", 0x11000001, "boot");
  assert_element_text (s, "{ntldr}", 0x11000001, "disk 0x1A2B3C4D @ 1048576");

  /* A typed view of the wrong type is a GUEST error, not a guess. */
  g_assert_null (bootfix_bcd_element_get_string (element (s, "{bootmgr}", 0x11000001),
                                                 &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
  assert_contains (error->message, "BCD element 11000001");
}

static void
test_mini_round_trip (void)
{
  g_autofree char *path = mini_path ();
  check_store_round_trip (path);
}

/* ---- Damaged stores, made from mini-bcd with hivex ---- */

typedef void (*HiveEdit) (hive_h *h);

static hive_node_h
node_at (hive_h *h, const char *path)
{
  g_auto (GStrv) parts = g_strsplit (path, "\\", -1);
  hive_node_h node = hivex_root (h);
  for (guint i = 0; parts[i] != NULL; i++) {
    node = hivex_node_get_child (h, node, parts[i]);
    g_assert_cmpuint (node, !=, 0);
  }
  return node;
}

static void
set_value (hive_h *h, hive_node_h node, const char *name, hive_type t, const void *data,
           gsize len)
{
  hive_set_value v = { (char *) name, t, len, (char *) data };
  g_assert_cmpint (hivex_node_set_value (h, node, &v, 0), ==, 0);
}

static void
edit_no_objects (hive_h *h)
{
  g_assert_cmpint (hivex_node_delete_child (h, node_at (h, "Objects")), ==, 0);
}

static void
edit_no_description (hive_h *h)
{
  g_assert_cmpint (hivex_node_delete_child (h, node_at (h, "Objects\\" LOADER
                                                         "\\Description")),
                   ==, 0);
}

static void
edit_type_string (hive_h *h)
{
  set_value (h, node_at (h, "Objects\\" LOADER "\\Description"), "Type", hive_t_REG_SZ,
             "x\0\0", 4);
}

static void
edit_bad_element_name (hive_h *h)
{
  hive_node_h e = hivex_node_add_child (h, node_at (h, "Objects\\" LOADER "\\Elements"),
                                        "zz000001");
  g_assert_cmpuint (e, !=, 0);
  set_value (h, e, "Element", hive_t_REG_BINARY, "\1", 1);
}

static void
edit_no_element_value (hive_h *h)
{
  g_assert_cmpuint (hivex_node_add_child (h, node_at (h, "Objects\\" LOADER "\\Elements"),
                                          "16000099"),
                    !=, 0);
}

static void
edit_too_many_elements (hive_h *h)
{
  hive_node_h els = node_at (h, "Objects\\{6efb52bf-1766-41db-a6b3-0ee5eff72bd7}\\Elements");
  for (guint i = 0; i <= BOOTFIX_BCD_MAX_ELEMENTS; i++) {
    g_autofree char *name = g_strdup_printf ("%08x", 0x16100000 + i);
    hive_node_h e = hivex_node_add_child (h, els, name);
    g_assert_cmpuint (e, !=, 0);
    set_value (h, e, "Element", hive_t_REG_BINARY, "\1", 1);
  }
}

static void
edit_huge_value (hive_h *h)
{
  g_autofree guint8 *big = g_malloc0 (BOOTFIX_BCD_MAX_VALUE_LEN + 1);
  set_value (h, node_at (h, "Objects\\" LOADER "\\Elements\\12000004"), "Element",
             hive_t_REG_BINARY, big, BOOTFIX_BCD_MAX_VALUE_LEN + 1);
}

static void
edit_key_name_dword (hive_h *h)
{
  set_value (h, node_at (h, "Description"), "KeyName", hive_t_REG_DWORD, "\1\0\0\0", 4);
}

typedef struct {
  const char *name;
  HiveEdit edit;
  const char *text;
} StoreCase;

static const StoreCase bad_stores[] = {
  { "not-a-hive", NULL, "cannot open: " },
  { "no-objects", edit_no_objects, "there is no Objects key: this is not a BCD store" },
  { "no-description", edit_no_description, "object " LOADER " has no Description key" },
  { "type-not-dword", edit_type_string,
    "object " LOADER " Description\\Type is missing or not a 4-byte REG_DWORD" },
  { "element-name", edit_bad_element_name,
    "object " LOADER ": element key \"zz000001\" is not 8 hex digits" },
  { "no-element-value", edit_no_element_value,
    "object " LOADER " element 16000099 has no Element value" },
  { "too-many-elements", edit_too_many_elements,
    "object {6efb52bf-1766-41db-a6b3-0ee5eff72bd7}\\Elements has more than 512 subkeys" },
  { "huge-value", edit_huge_value,
    "object " LOADER " element 12000004 is 65537 bytes, more than the 65536" },
  { "key-name-dword", edit_key_name_dword, "Description\\KeyName is not a string" },
};

static void
test_store_bad (gconstpointer data)
{
  const StoreCase *c = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = tmp_dir ();
  g_autofree char *out = g_build_filename (dir, "bad", NULL);
  g_autofree char *path = mini_path ();

  if (c->edit == NULL) {
    g_assert_true (g_file_set_contents (out, "regf but not really", -1, &error));
  } else {
    hive_h *h = hivex_open (path, HIVEX_OPEN_WRITE);
    g_assert_nonnull (h);
    c->edit (h);
    g_assert_cmpint (hivex_commit (h, out, 0), ==, 0);
    g_assert_cmpint (hivex_close (h), ==, 0);
  }
  g_autoptr (BootfixBcdStore) s = bootfix_bcd_store_open (out, &error);
  g_assert_null (s);
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "BCD store "));
  assert_contains (error->message, out);
  assert_contains (error->message, c->text);
  remove_tmp (dir, "bad");
  g_rmdir (dir);
}

/* ---- The real bcdedit store in ../shared/fixtures ---- */

#define FIX(n) "{19260817-6666-8888-abcd-00000000000" #n "}"

/* ../shared/fixtures/README.md, in hive (sorted) order. */
static const ObjectCase fixture_objects[] = {
  { FIX (0), 0x10200003, "osloader", "11000001 12000002 12000004 14000006 21000001 22000002" },
  { FIX (1), 0x10200003, "osloader", "11000001 12000002 12000004 14000006 21000001 22000002" },
  { FIX (2), 0x10200003, "osloader",
    "11000001 12000002 12000004 14000006 21000001 22000002 23000003" },
  { FIX (3), 0x10200004, "resume", "11000001 12000002 12000004 14000006 21000001 22000002" },
  { "{19260817-6666-8888-abcd-100000000000}", 0x20200003, "inherit application",
    "12000030 15000052 16000040 16000041 16000046 16000048 16000049 16000054 25000020 "
    "25000021 25000080 26000010 26000022 26000042 26000043 26000081" },
  { "{1afa9c49-16ab-4a5c-901b-212802da9460}", 0x20200004, "inherit application", "" },
  { "{6efb52bf-1766-41db-a6b3-0ee5eff72bd7}", 0x20200003, "inherit application", "" },
  { "{7ea2e1ac-2e61-4728-aaa3-896d9d0a9f0e}", 0x20100000, "inherit library", "12000005" },
  { "{9dea862c-5cdd-4e70-acc1-f32b344d4795}", 0x10100002, "bootmgr",
    "12000004 12000005 23000003 24000001 25000004 26000020" },
  { "{ae5534e0-a924-466c-b836-758539a3ee3a}", 0x30000000, "device options",
    "31000003 32000004 35000001 36000006" },
};

/* NULL (and the test skipped) when ../shared is not there. */
static char *
fixture_path (void)
{
  const char *shared = g_getenv ("BOOTFIX_SHARED_DIR");
  g_autofree char *path = NULL;

  if (shared != NULL)
    path = g_build_filename (shared, "fixtures", "bcd", "ntloader-bcd", NULL);
  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_REGULAR)) {
    g_test_skip ("../shared/fixtures/bcd/ntloader-bcd is not there");
    return NULL;
  }
  return g_steal_pointer (&path);
}

static void
test_fixture_objects (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = fixture_path ();
  if (path == NULL)
    return;
  g_autoptr (BootfixBcdStore) s = bootfix_bcd_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bootfix_bcd_store_get_key_name (s), ==, "BCD00000001");
  assert_objects (s, fixture_objects, G_N_ELEMENTS (fixture_objects));
  g_assert_cmpstr (bootfix_bcd_store_find_object (s, "{ramdiskoptions}")->alias, ==,
                   "{ramdiskoptions}");
  g_assert_cmpstr (bootfix_bcd_store_find_object (s, BOOTFIX_BCD_GUID_GLOBALSETTINGS)->alias,
                   ==, "{globalsettings}");
  assert_element_text (s, "{bootmgr}", 0x23000003, FIX (0));
  assert_element_text (s, "{bootmgr}", 0x12000004, "NTloader");
  assert_element_text (s, "{globalsettings}", 0x12000005, "en-us");
  assert_element_text (s, FIX (2), 0x23000003, FIX (3));
  assert_element_text (s, "{ramdiskoptions}", 0x32000004, "\\boot\\boot.sdi");
  assert_element_text (s, "{ramdiskoptions}", 0x31000003, "boot");
}

typedef struct {
  const char *guid;
  guint32 id;
  gsize len;
  guint32 type, flags, size;
  BootfixBcdNodeKind kind;
  gsize ref_offset;
  const char *prefix, *suffix; /* of the readable form, around the path */
} FixtureDevice;

#define WIM_PREFIX "ramdisk [disk 0x43DA9AB1 @ 525336576] \\"
#define WIM_SUFFIX ".wim," RAMDISKOPTIONS
#define VHD_PREFIX(e) "locate custom:" e " vhd file [disk 0x43DA9AB1 @ 525336576] \\"

static const FixtureDevice fixture_devices[] = {
  { FIX (0), 0x11000001, 650, 0, 1, 0x27a, BOOTFIX_BCD_NODE_RAMDISK, 0x44, WIM_PREFIX,
    WIM_SUFFIX },
  { FIX (0), 0x21000001, 650, 0, 1, 0x27a, BOOTFIX_BCD_NODE_RAMDISK, 0x44, WIM_PREFIX,
    WIM_SUFFIX },
  { FIX (1), 0x11000001, 700, 8, 0, 0x2ac, BOOTFIX_BCD_NODE_LOCATE, 0x76,
    VHD_PREFIX ("12000002"), ".vhd" },
  { FIX (1), 0x21000001, 700, 8, 0, 0x2ac, BOOTFIX_BCD_NODE_LOCATE, 0x76,
    VHD_PREFIX ("22000002"), ".vhd" },
  { FIX (2), 0x11000001, 88, 6, 0, 0x48, BOOTFIX_BCD_NODE_PARTITION, 0x10,
    "disk 0x43DA9AB1 @ 525336576", "" },
  { FIX (2), 0x21000001, 88, 6, 0, 0x48, BOOTFIX_BCD_NODE_PARTITION, 0x10,
    "disk 0x43DA9AB1 @ 525336576", "" },
  { FIX (3), 0x11000001, 88, 6, 0, 0x48, BOOTFIX_BCD_NODE_PARTITION, 0x10,
    "disk 0x43DA9AB1 @ 525336576", "" },
  { FIX (3), 0x21000001, 88, 6, 0, 0x48, BOOTFIX_BCD_NODE_PARTITION, 0x10,
    "disk 0x43DA9AB1 @ 525336576", "" },
};

/* The 254-character paths in the sample are "\" + zeros + ".wim"/".vhd". */
static void
assert_fixture_text (const char *text, const FixtureDevice *d)
{
  gsize zeros = d->kind == BOOTFIX_BCD_NODE_PARTITION ? 0 : 249;
  g_autofree char *fill = g_strnfill (zeros, '0');
  g_autofree char *want = g_strconcat (d->prefix, fill, d->suffix, NULL);
  g_assert_cmpstr (text, ==, want);
}

static void
test_fixture_devices (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = fixture_path ();
  if (path == NULL)
    return;
  g_autoptr (BootfixBcdStore) s = bootfix_bcd_store_open (path, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (fixture_devices); i++) {
    const FixtureDevice *d = &fixture_devices[i];
    const BootfixBcdElement *el = element (s, d->guid, d->id);
    g_assert_cmpuint (el->reg_type, ==, BOOTFIX_REG_BINARY);
    g_assert_cmpuint (g_bytes_get_size (el->value), ==, d->len);
    g_autoptr (BootfixBcdDevice) dev = bootfix_bcd_element_get_device (el, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (dev->root->type, ==, d->type);
    g_assert_cmpuint (dev->root->flags, ==, d->flags);
    g_assert_cmphex (dev->root->size, ==, d->size);
    g_assert_cmpint (dev->root->kind, ==, d->kind);
    g_assert_true (dev->complete);
    g_assert_null (dev->trailer);
    g_autoptr (GArray) refs = bootfix_bcd_device_get_references (dev);
    g_assert_cmpuint (refs->len, ==, 1);
    const BootfixBcdPartitionRef *r = &g_array_index (refs, BootfixBcdPartitionRef, 0);
    g_assert_cmpuint (r->offset, ==, d->ref_offset);
    g_assert_cmpint (r->kind, ==, BOOTFIX_BCD_REF_MBR);
    g_assert_cmphex (r->disk_signature, ==, FIX_SIG);
    g_assert_cmpuint (r->partition_offset, ==, FIX_OFFSET);
    g_autofree char *text = bootfix_bcd_device_to_string (dev);
    assert_fixture_text (text, d);
  }
}

static void
test_fixture_round_trip (void)
{
  g_autofree char *path = fixture_path ();
  if (path == NULL)
    return;
  check_store_round_trip (path);
}

/* Every device element can be found in the file and patched there: the
 * store then reads back with only that element changed. */
static void
check_patch_in_place (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = tmp_dir ();
  g_autofree char *out = g_build_filename (dir, "in-place", NULL);
  g_autofree char *file = NULL;
  gsize file_len = 0;
  g_assert_true (g_file_get_contents (path, &file, &file_len, &error));
  g_autoptr (BootfixBcdStore) s = bootfix_bcd_store_open (path, &error);
  g_assert_no_error (error);
  GPtrArray *objects = bootfix_bcd_store_get_objects (s);
  guint n_patched = 0;
  for (guint i = 0; i < objects->len; i++) {
    const BootfixBcdObject *obj = g_ptr_array_index (objects, i);
    for (guint k = 0; k < obj->elements->len; k++) {
      const BootfixBcdElement *el = g_ptr_array_index (obj->elements, k);
      if (el->format != BOOTFIX_BCD_FORMAT_DEVICE)
        continue;
      gsize vlen = 0;
      const guint8 *v = g_bytes_get_data (el->value, &vlen);
      g_autoptr (BootfixBcdDevice) dev = bootfix_bcd_device_parse (v, vlen, &error);
      g_assert_no_error (error);
      g_autoptr (GArray) refs = bootfix_bcd_device_get_references (dev);
      if (refs->len == 0)
        continue;
      guint64 off = 0;
      g_assert_true (bootfix_bcd_store_element_file_offset (s, el, (const guint8 *) file,
                                                            file_len, &off, &error));
      g_assert_no_error (error);
      BootfixBcdPartitionRef ref = g_array_index (refs, BootfixBcdPartitionRef, 0);
      ref.disk_signature ^= 0x5a5a5a5a;
      ref.partition_guid[0] ^= 0x5a;
      g_autoptr (GBytes) patched = bootfix_bcd_device_patch (v, vlen, ref.offset, &ref, &error);
      g_assert_no_error (error);
      g_autofree guint8 *copy = g_memdup2 (file, file_len);
      memcpy (copy + off, g_bytes_get_data (patched, NULL), vlen);
      g_assert_true (g_file_set_contents (out, (const char *) copy, file_len, &error));
      g_autoptr (BootfixBcdStore) back = bootfix_bcd_store_open (out, &error);
      g_assert_no_error (error);
      const BootfixBcdObject *bo = bootfix_bcd_store_find_object (back, obj->guid);
      g_assert_nonnull (bo);
      const BootfixBcdElement *be = bootfix_bcd_object_find_element (bo, el->id);
      g_assert_nonnull (be);
      g_assert_true (g_bytes_equal (be->value, patched));
      n_patched++;
    }
  }
  g_assert_cmpuint (n_patched, >, 0);
  /* A value that is not where the store says fails cleanly. */
  const BootfixBcdObject *first = NULL;
  for (guint i = 0; i < objects->len && first == NULL; i++) {
    const BootfixBcdObject *obj = g_ptr_array_index (objects, i);
    for (guint k = 0; k < obj->elements->len; k++)
      if (((BootfixBcdElement *) g_ptr_array_index (obj->elements, k))->format ==
          BOOTFIX_BCD_FORMAT_DEVICE)
        first = obj;
  }
  g_autofree guint8 *zeros = g_malloc0 (file_len);
  guint64 off = 0;
  for (guint k = 0; k < first->elements->len; k++) {
    const BootfixBcdElement *el = g_ptr_array_index (first->elements, k);
    if (el->format != BOOTFIX_BCD_FORMAT_DEVICE)
      continue;
    g_assert_false (bootfix_bcd_store_element_file_offset (s, el, zeros, file_len, &off, &error));
    g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
    g_clear_error (&error);
    g_assert_false (bootfix_bcd_store_element_file_offset (s, el, (const guint8 *) file, 100,
                                                           &off, &error));
    g_clear_error (&error);
  }
  remove_tmp (dir, "in-place");
  g_rmdir (dir);
}

static void
test_mini_patch_in_place (void)
{
  g_autofree char *path = mini_path ();
  check_patch_in_place (path);
}

static void
test_fixture_patch_in_place (void)
{
  g_autofree char *path = fixture_path ();
  if (path == NULL)
    return;
  check_patch_in_place (path);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (good_cases); i++) {
    g_autofree char *name = g_strdup_printf ("/bcd/device/good/%s", good_cases[i].name);
    g_test_add_data_func (name, &good_cases[i], test_device_good);
  }
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++) {
    g_autofree char *name = g_strdup_printf ("/bcd/device/bad/%s", bad_cases[i].name);
    g_test_add_data_func (name, &bad_cases[i], test_device_bad);
  }
  g_test_add_func ("/bcd/device/patch/mbr", test_patch_mbr);
  g_test_add_func ("/bcd/device/patch/mbr-keeps-padding", test_patch_mbr_keeps_padding);
  g_test_add_func ("/bcd/device/patch/gpt", test_patch_gpt);
  g_test_add_func ("/bcd/device/patch/style-change", test_patch_style_change);
  g_test_add_func ("/bcd/device/patch/missing", test_patch_missing);
  g_test_add_func ("/bcd/store/decode-tables", test_decode_tables);
  g_test_add_func ("/bcd/store/mini/objects", test_mini_objects);
  g_test_add_func ("/bcd/store/mini/values", test_mini_values);
  g_test_add_func ("/bcd/store/mini/round-trip", test_mini_round_trip);
  g_test_add_func ("/bcd/store/mini/patch-in-place", test_mini_patch_in_place);
  for (guint i = 0; i < G_N_ELEMENTS (bad_stores); i++) {
    g_autofree char *name = g_strdup_printf ("/bcd/store/bad/%s", bad_stores[i].name);
    g_test_add_data_func (name, &bad_stores[i], test_store_bad);
  }
  g_test_add_func ("/bcd/fixture/objects", test_fixture_objects);
  g_test_add_func ("/bcd/fixture/devices", test_fixture_devices);
  g_test_add_func ("/bcd/fixture/round-trip", test_fixture_round_trip);
  g_test_add_func ("/bcd/fixture/patch-in-place", test_fixture_patch_in_place);
  return g_test_run ();
}
