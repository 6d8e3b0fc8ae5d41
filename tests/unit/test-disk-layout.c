/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests for the partition-table codec (disk-layout.c): disks built here
 * byte by byte from docs/boot-formats.md, "Partition tables", exact
 * fields checked;
 * a table of damaged disks that must fail with BOOTFIX_ERROR_GUEST.
 * With BOOTFIX_WRITE_CORPUS=DIR the good disks are also written there
 * (the fuzzer's seed corpus). */
#include "config.h"

#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "bootfix-error.h"
#include "bytes.h"
#include "disk-layout.h"

#define SS 512
#define ESP_TYPE "c12a7328-f81f-11d2-ba4b-00a0c93ec93b"
#define MSR_TYPE "e3c9e316-0b5c-4db8-817d-f92df00215ae"
#define DATA_TYPE "ebd0a0a2-b9e5-4433-87c0-68b6b72699c7"
#define DISK_GUID "{0b3f9c2e-5d41-4a7e-9f10-2c3d4e5f6a7b}"
#define PART1_GUID "{11111111-2222-3333-4444-555555555555}"
#define PART2_GUID "{a1b2c3d4-e5f6-4789-8abc-def012345678}"
#define PART4_GUID "{deadbeef-0001-4002-8003-000400050006}"

/* ---- Builders ------------------------------------------------------ */

typedef struct {
  guint8 status;
  guint8 type;
  guint32 start;
  guint32 count;
} Slot;

static void
put_slot (guint8 *sec, guint i, const Slot *s)
{
  gsize off = 0x1BE + 16 * i;
  sec[off] = s->status;
  /* CHS bytes: junk that must be kept, never interpreted. */
  sec[off + 1] = 0xFE;
  sec[off + 2] = 0xFF;
  sec[off + 3] = 0xFF;
  sec[off + 4] = s->type;
  sec[off + 5] = 0xFE;
  sec[off + 6] = 0xFF;
  sec[off + 7] = 0xFF;
  g_assert_true (bootfix_write_le32 (sec, SS, off + 8, s->start));
  g_assert_true (bootfix_write_le32 (sec, SS, off + 12, s->count));
}

/* An MBR (or EBR) sector: signature, up to four slots, 55 AA. */
static void
put_mbr (guint8 *sec, guint32 sig, const Slot slots[4])
{
  g_assert_true (bootfix_write_le32 (sec, SS, 0x1B8, sig));
  for (guint i = 0; i < 4; i++)
    put_slot (sec, i, &slots[i]);
  sec[0x1FE] = 0x55;
  sec[0x1FF] = 0xAA;
}

static void
put_guid (guint8 *buf, gsize off, const char *text)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (bootfix_guid_text_to_bytes (text, buf + off, &error));
  g_assert_no_error (error);
}

typedef struct {
  guint index;       /* entry slot */
  const char *type;
  const char *unique;
  guint64 first, last, attrs;
  const char *name;  /* ASCII */
} GptPart;

/* Recompute both CRCs after building or damaging a GPT. */
static void
gpt_fix_crcs (guint8 *disk, gsize size, guint ss)
{
  guint8 *h = disk + ss;
  guint32 hs = 0, n = 0, es = 0;
  guint64 lba = 0;
  g_assert_true (bootfix_read_le32 (h, ss, 12, &hs));
  g_assert_true (bootfix_read_le64 (h, ss, 72, &lba));
  g_assert_true (bootfix_read_le32 (h, ss, 80, &n));
  g_assert_true (bootfix_read_le32 (h, ss, 84, &es));
  if (lba * ss + (guint64) n * es <= size)
    bootfix_write_le32 (h, ss, 88, bootfix_crc32 (disk + lba * ss, (gsize) n * es));
  bootfix_write_le32 (h, ss, 16, 0);
  bootfix_write_le32 (h, ss, 16, bootfix_crc32 (h, MIN (hs, ss)));
}

/* Protective MBR + GPT header at LBA 1 + n_entries entries at LBA 2. */
static guint8 *
build_gpt (guint ss, guint n_entries, const GptPart *parts, guint n_parts, gsize *size)
{
  guint64 array_sectors = ((guint64) n_entries * 128 + ss - 1) / ss;
  guint64 first_usable = 2 + array_sectors;
  guint8 *disk;
  guint8 *h;
  Slot pmbr[4] = { { 0, 0xEE, 1, 0xFFFFFFFF } };

  *size = (gsize) first_usable * ss;
  disk = g_malloc0 (*size);
  put_mbr (disk, 0, pmbr);
  h = disk + ss;
  memcpy (h, "EFI PART", 8);
  bootfix_write_le32 (h, ss, 8, 0x00010000);
  bootfix_write_le32 (h, ss, 12, 92);
  bootfix_write_le64 (h, ss, 24, 1);
  bootfix_write_le64 (h, ss, 32, 2097151);
  bootfix_write_le64 (h, ss, 40, first_usable);
  bootfix_write_le64 (h, ss, 48, 2097151 - first_usable);
  put_guid (h, 56, DISK_GUID);
  bootfix_write_le64 (h, ss, 72, 2);
  bootfix_write_le32 (h, ss, 80, n_entries);
  bootfix_write_le32 (h, ss, 84, 128);
  for (guint i = 0; i < n_parts; i++) {
    guint8 *e = disk + 2 * ss + parts[i].index * 128;
    put_guid (e, 0, parts[i].type);
    put_guid (e, 16, parts[i].unique);
    bootfix_write_le64 (e, 128, 32, parts[i].first);
    bootfix_write_le64 (e, 128, 40, parts[i].last);
    bootfix_write_le64 (e, 128, 48, parts[i].attrs);
    for (guint c = 0; parts[i].name[c] != '\0'; c++)
      bootfix_write_le16 (e, 128, 56 + 2 * c, (guint16) parts[i].name[c]);
  }
  gpt_fix_crcs (disk, *size, ss);
  return disk;
}

static const GptPart windows_gpt[] = {
  { 0, ESP_TYPE, PART1_GUID, 2048, 206847, 0, "EFI system partition" },
  { 1, MSR_TYPE, PART2_GUID, 206848, 239615, G_GUINT64_CONSTANT (0x8000000000000000),
    "Microsoft reserved partition" },
  /* entry index 2 unused: Linux numbers the next one 4 */
  { 3, DATA_TYPE, PART4_GUID, 239616, 2095103, 0, "Basic data partition" },
};

static guint8 *
gpt_512 (gsize *size)
{
  return build_gpt (SS, 128, windows_gpt, G_N_ELEMENTS (windows_gpt), size);
}

static guint8 *
gpt_4096 (gsize *size)
{
  /* 4 entries: keeps the image (and the seed corpus) small. */
  static const GptPart parts[] = {
    { 0, ESP_TYPE, PART1_GUID, 256, 25855, 0, "EFI" },
    { 1, DATA_TYPE, PART4_GUID, 25856, 200000, 0, "Windows" },
  };
  return build_gpt (4096, 4, parts, G_N_ELEMENTS (parts), size);
}

/* 0xEE plus a real entry: a hybrid MBR.  The GPT is what counts. */
static guint8 *
gpt_hybrid (gsize *size)
{
  /* 4 entries (indexes 0-3) keep this one small */
  guint8 *disk = build_gpt (SS, 4, windows_gpt, G_N_ELEMENTS (windows_gpt), size);
  Slot s = { 0x80, 0x07, 239616, 1855488 };
  put_slot (disk, 1, &s);
  return disk;
}

/* One active NTFS primary: the simplest Windows 7 disk. */
static guint8 *
mbr_simple (gsize *size)
{
  Slot slots[4] = { { 0x80, 0x07, 2048, 204800 } };
  guint8 *disk = g_malloc0 (SS);
  put_mbr (disk, 0x7A1F0001, slots);
  *size = SS;
  return disk;
}

/* XP-style: slot 1 NTFS, slot 2 empty, slot 3 extended (two logical
 * drives), slot 4 recovery.  EBRs at LBA 10 and 20; a tiny disk keeps
 * the image (and the seed corpus) small. */
static guint8 *
mbr_extended (gsize *size)
{
  Slot slots[4] = { { 0x80, 0x07, 2, 8 }, { 0 }, { 0, 0x0F, 10, 40 }, { 0, 0x27, 50, 10 } };
  /* logical at EBR + 1; next EBR at extended start + 10 */
  Slot ebr1[4] = { { 0, 0x07, 1, 9 }, { 0, 0x05, 10, 20 } };
  Slot ebr2[4] = { { 0, 0x0B, 2, 5 } };
  guint8 *disk = g_malloc0 (21 * SS);
  put_mbr (disk, 0xB2F6B2F6, slots);
  put_mbr (disk + 10 * SS, 0, ebr1);
  put_mbr (disk + 20 * SS, 0, ebr2);
  *size = 21 * SS;
  return disk;
}

/* An extended partition whose first EBR was never written. */
static guint8 *
mbr_empty_extended (gsize *size)
{
  Slot slots[4] = { { 0, 0x07, 2, 8 }, { 0, 0x05, 10, 10 } };
  guint8 *disk = g_malloc0 (11 * SS);
  put_mbr (disk, 0x01020304, slots);
  *size = 11 * SS;
  return disk;
}

/* Two active entries: parsed (n_active says so), fixed elsewhere. */
static guint8 *
mbr_two_active (gsize *size)
{
  Slot slots[4] = { { 0x80, 0x07, 2048, 100 }, { 0x80, 0x07, 4096, 100 } };
  guint8 *disk = g_malloc0 (SS);
  put_mbr (disk, 0xCAFEF00D, slots);
  *size = SS;
  return disk;
}

/* ---- Good disks ---------------------------------------------------- */

typedef struct {
  guint number;
  BootfixPartitionKind kind;
  guint64 start_lba;
  guint64 n_sectors;
  guint8 mbr_type;
  gboolean active;
  const char *unique_guid; /* GPT */
  const char *name;        /* GPT */
} ExpectPart;

typedef struct {
  const char *name;
  guint8 *(*build) (gsize *size);
  guint sector_size;
  BootfixDiskLabel label;
  guint32 mbr_signature;
  const char *disk_guid;
  gboolean hybrid;
  guint n_active;
  guint n_parts;
  ExpectPart parts[6];
} GoodDisk;

static const GoodDisk good_disks[] = {
  { "mbr-simple", mbr_simple, SS, BOOTFIX_DISK_LABEL_MBR, 0x7A1F0001, NULL, FALSE, 1, 1,
    { { 1, BOOTFIX_PARTITION_PRIMARY, 2048, 204800, 0x07, TRUE, NULL, NULL } } },
  { "mbr-extended", mbr_extended, SS, BOOTFIX_DISK_LABEL_MBR, 0xB2F6B2F6, NULL, FALSE, 1, 5,
    { { 1, BOOTFIX_PARTITION_PRIMARY, 2, 8, 0x07, TRUE, NULL, NULL },
      { 3, BOOTFIX_PARTITION_EXTENDED, 10, 40, 0x0F, FALSE, NULL, NULL },
      { 4, BOOTFIX_PARTITION_PRIMARY, 50, 10, 0x27, FALSE, NULL, NULL },
      { 5, BOOTFIX_PARTITION_LOGICAL, 11, 9, 0x07, FALSE, NULL, NULL },
      { 6, BOOTFIX_PARTITION_LOGICAL, 22, 5, 0x0B, FALSE, NULL, NULL } } },
  { "mbr-empty-extended", mbr_empty_extended, SS, BOOTFIX_DISK_LABEL_MBR, 0x01020304, NULL,
    FALSE, 0, 2,
    { { 1, BOOTFIX_PARTITION_PRIMARY, 2, 8, 0x07, FALSE, NULL, NULL },
      { 2, BOOTFIX_PARTITION_EXTENDED, 10, 10, 0x05, FALSE, NULL, NULL } } },
  { "mbr-two-active", mbr_two_active, SS, BOOTFIX_DISK_LABEL_MBR, 0xCAFEF00D, NULL, FALSE, 2,
    2,
    { { 1, BOOTFIX_PARTITION_PRIMARY, 2048, 100, 0x07, TRUE, NULL, NULL },
      { 2, BOOTFIX_PARTITION_PRIMARY, 4096, 100, 0x07, TRUE, NULL, NULL } } },
  { "gpt-512", gpt_512, SS, BOOTFIX_DISK_LABEL_GPT, 0, DISK_GUID, FALSE, 0, 3,
    { { 1, BOOTFIX_PARTITION_GPT, 2048, 204800, 0, FALSE, PART1_GUID, "EFI system partition" },
      { 2, BOOTFIX_PARTITION_GPT, 206848, 32768, 0, FALSE, PART2_GUID,
        "Microsoft reserved partition" },
      { 4, BOOTFIX_PARTITION_GPT, 239616, 1855488, 0, FALSE, PART4_GUID,
        "Basic data partition" } } },
  { "gpt-4096", gpt_4096, 4096, BOOTFIX_DISK_LABEL_GPT, 0, DISK_GUID, FALSE, 0, 2,
    { { 1, BOOTFIX_PARTITION_GPT, 256, 25600, 0, FALSE, PART1_GUID, "EFI" },
      { 2, BOOTFIX_PARTITION_GPT, 25856, 174145, 0, FALSE, PART4_GUID, "Windows" } } },
  { "gpt-hybrid", gpt_hybrid, SS, BOOTFIX_DISK_LABEL_GPT, 0, DISK_GUID, TRUE, 1, 3,
    { { 1, BOOTFIX_PARTITION_GPT, 2048, 204800, 0, FALSE, PART1_GUID, "EFI system partition" },
      { 2, BOOTFIX_PARTITION_GPT, 206848, 32768, 0, FALSE, PART2_GUID,
        "Microsoft reserved partition" },
      { 4, BOOTFIX_PARTITION_GPT, 239616, 1855488, 0, FALSE, PART4_GUID,
        "Basic data partition" } } },
};

static void
check_part (const BootfixDiskLayout *layout, const BootfixPartition *p, const ExpectPart *x)
{
  g_assert_cmpuint (p->number, ==, x->number);
  g_assert_cmpint (p->kind, ==, x->kind);
  g_assert_cmpuint (p->start_lba, ==, x->start_lba);
  g_assert_cmpuint (p->n_sectors, ==, x->n_sectors);
  g_assert_cmpuint (p->offset, ==, x->start_lba * layout->sector_size);
  g_assert_cmpuint (p->size, ==, x->n_sectors * layout->sector_size);
  g_assert_cmpuint (p->mbr_type, ==, x->mbr_type);
  g_assert_cmpint (p->active, ==, x->active);
  if (x->unique_guid != NULL) {
    g_autofree char *guid = bootfix_guid_bytes_to_string (p->unique_guid);
    g_assert_cmpstr (guid, ==, x->unique_guid);
    g_assert_cmpstr (p->name, ==, x->name);
  } else {
    g_assert_null (p->name);
    /* CHS kept as found */
    g_assert_cmpuint (p->chs_start[0], ==, 0xFE);
    g_assert_cmpuint (p->chs_end[2], ==, 0xFF);
  }
  g_assert_true (bootfix_disk_layout_find_number (layout, x->number) == p);
}

static void
test_good (gconstpointer data)
{
  const GoodDisk *c = data;
  gsize size = 0;
  g_autofree guint8 *disk = c->build (&size);
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixDiskLayout) layout = bootfix_disk_layout_parse (disk, size,
                                                                   c->sector_size, &error);

  g_assert_no_error (error);
  g_assert_nonnull (layout);
  g_assert_cmpint (layout->label, ==, c->label);
  g_assert_cmpuint (layout->sector_size, ==, c->sector_size);
  g_assert_cmpuint (layout->mbr_signature, ==, c->mbr_signature);
  g_assert_cmpint (layout->protective_mbr, ==, c->label == BOOTFIX_DISK_LABEL_GPT);
  g_assert_cmpint (layout->hybrid_mbr, ==, c->hybrid);
  g_assert_cmpuint (layout->n_active, ==, c->n_active);
  if (c->disk_guid != NULL) {
    g_autofree char *guid = bootfix_guid_bytes_to_string (layout->disk_guid);
    g_assert_cmpstr (guid, ==, c->disk_guid);
    g_assert_cmpuint (layout->gpt.entry_size, ==, 128);
    g_assert_cmpuint (layout->gpt.entries_lba, ==, 2);
  }
  g_assert_cmpuint (layout->partitions->len, ==, c->n_parts);
  for (guint i = 0; i < c->n_parts; i++)
    check_part (layout, g_ptr_array_index (layout->partitions, i), &c->parts[i]);
}

/* ---- Bad disks ----------------------------------------------------- */

static void
set32 (guint8 *buf, gsize off, guint32 v)
{
  g_assert_true (bootfix_write_le32 (buf, off + 4, off, v));
}

static void
set64 (guint8 *buf, gsize off, guint64 v)
{
  g_assert_true (bootfix_write_le64 (buf, off + 8, off, v));
}

static guint8 *
bad_truncated (gsize *size)
{
  guint8 *d = mbr_simple (size);
  *size = 100;
  return d;
}

static guint8 *
bad_no_magic (gsize *size)
{
  guint8 *d = mbr_simple (size);
  d[0x1FF] = 0;
  return d;
}

static guint8 *
bad_status (gsize *size)
{
  guint8 *d = mbr_simple (size);
  d[0x1BE] = 0x12;
  return d;
}

static guint8 *
bad_lba0 (gsize *size)
{
  guint8 *d = mbr_simple (size);
  set32 (d, 0x1BE + 8, 0);
  return d;
}

static guint8 *
bad_two_extended (gsize *size)
{
  guint8 *d = mbr_extended (size);
  Slot s = { 0, 0x05, 400, 10 };
  put_slot (d, 1, &s);
  return d;
}

static guint8 *
bad_ebr_loop (gsize *size)
{
  guint8 *d = mbr_extended (size);
  /* second EBR links back to the first (relative 0) */
  Slot link = { 0, 0x05, 0, 20 };
  put_slot (d + 20 * SS, 1, &link);
  return d;
}

static guint8 *
bad_ebr_too_long (gsize *size)
{
  guint n = BOOTFIX_MAX_LOGICAL_PARTITIONS + 1;
  Slot slots[4] = { { 0, 0x0F, 1, 2 * n } };
  guint8 *d = g_malloc0 ((1 + 2 * n) * SS);
  put_mbr (d, 1, slots);
  for (guint i = 0; i < n; i++) {
    Slot ebr[4] = { { 0, 0x07, 1, 1 }, { 0, 0x05, 2 * (i + 1), 2 } };
    put_mbr (d + (1 + 2 * i) * SS, 0, ebr);
  }
  *size = (1 + 2 * n) * SS;
  return d;
}

static guint8 *
bad_ebr_magic (gsize *size)
{
  guint8 *d = mbr_extended (size);
  d[20 * SS + 0x1FE] = 0;
  return d;
}

static guint8 *
bad_logical_outside (gsize *size)
{
  guint8 *d = mbr_extended (size);
  Slot part = { 0, 0x07, 2, 2000 };
  put_slot (d + 20 * SS, 0, &part);
  return d;
}

static guint8 *
bad_ebr_link_type (gsize *size)
{
  guint8 *d = mbr_extended (size);
  Slot link = { 0, 0x07, 10, 20 };
  put_slot (d + 10 * SS, 1, &link);
  return d;
}

static guint8 *
bad_ebr_link_outside (gsize *size)
{
  guint8 *d = mbr_extended (size);
  Slot link = { 0, 0x05, 500, 20 };
  put_slot (d + 10 * SS, 1, &link);
  return d;
}

static guint8 *
bad_ebr_beyond_data (gsize *size)
{
  guint8 *d = mbr_extended (size);
  *size = 15 * SS;
  return d;
}

static guint8 *
bad_gpt_signature (gsize *size)
{
  guint8 *d = gpt_512 (size);
  d[SS] = 'X';
  return d;
}

static guint8 *
bad_gpt_header_crc (gsize *size)
{
  guint8 *d = gpt_512 (size);
  d[SS + 60] ^= 1;  /* disk GUID byte, CRC left stale */
  return d;
}

static guint8 *
bad_gpt_entries_crc (gsize *size)
{
  guint8 *d = gpt_512 (size);
  d[2 * SS + 40] ^= 1;  /* entry 1 last LBA, entries CRC left stale */
  return d;
}

static guint8 *
bad_gpt_revision (gsize *size)
{
  guint8 *d = gpt_512 (size);
  set32 (d + SS, 8, 0x00020000);
  gpt_fix_crcs (d, *size, SS);
  return d;
}

static guint8 *
bad_gpt_header_size (gsize *size)
{
  guint8 *d = gpt_512 (size);
  set32 (d + SS, 12, 600);
  gpt_fix_crcs (d, *size, SS);
  return d;
}

static guint8 *
bad_gpt_my_lba (gsize *size)
{
  guint8 *d = gpt_512 (size);
  set64 (d + SS, 24, 7);
  gpt_fix_crcs (d, *size, SS);
  return d;
}

static guint8 *
bad_gpt_entry_size (gsize *size)
{
  guint8 *d = gpt_512 (size);
  set32 (d + SS, 84, 200);
  gpt_fix_crcs (d, *size, SS);
  return d;
}

/* count x size overflows 32 bits: 0x100000 x 0x1000. */
static guint8 *
bad_gpt_count_overflow (gsize *size)
{
  guint8 *d = gpt_512 (size);
  set32 (d + SS, 80, 0x100000);
  set32 (d + SS, 84, 0x1000);
  gpt_fix_crcs (d, *size, SS);
  return d;
}

static guint8 *
bad_gpt_too_many (gsize *size)
{
  guint8 *d = gpt_512 (size);
  set32 (d + SS, 80, BOOTFIX_MAX_GPT_ENTRIES + 1);
  gpt_fix_crcs (d, *size, SS);
  return d;
}

/* Entries run past the bytes we have (first usable moved out too). */
static guint8 *
bad_gpt_entries_past_end (gsize *size)
{
  guint8 *d = gpt_512 (size);
  set32 (d + SS, 80, 256);
  set64 (d + SS, 40, 2 + 64);
  gpt_fix_crcs (d, *size, SS);
  return d;
}

static guint8 *
bad_gpt_array_overlap (gsize *size)
{
  guint8 *d = gpt_512 (size);
  set64 (d + SS, 40, 20);  /* first usable inside the 32-sector array */
  gpt_fix_crcs (d, *size, SS);
  return d;
}

static guint8 *
bad_gpt_entry_range (gsize *size)
{
  guint8 *d = gpt_512 (size);
  set64 (d + 2 * SS, 40, 100);  /* entry 1: last < first */
  gpt_fix_crcs (d, *size, SS);
  return d;
}

static guint8 *
bad_gpt_header_missing (gsize *size)
{
  guint8 *d = gpt_512 (size);
  *size = SS;
  return d;
}

static guint8 *
bad_gpt_usable_range (gsize *size)
{
  guint8 *d = gpt_512 (size);
  set64 (d + SS, 48, G_MAXUINT64 - 1);
  gpt_fix_crcs (d, *size, SS);
  return d;
}

typedef struct {
  const char *name;
  guint8 *(*build) (gsize *size);
  const char *message;
} BadDisk;

static const BadDisk bad_disks[] = {
  { "truncated", bad_truncated, "truncated" },
  { "no-55aa", bad_no_magic, "no 55 AA signature" },
  { "bad-status", bad_status, "status byte 0x12" },
  { "lba-0", bad_lba0, "starts at LBA 0" },
  { "two-extended", bad_two_extended, "more than one extended" },
  { "ebr-loop", bad_ebr_loop, "loops back to LBA 10" },
  { "ebr-too-long", bad_ebr_too_long, "longer than 128 links" },
  { "ebr-no-55aa", bad_ebr_magic, "EBR at LBA 20 has no 55 AA" },
  { "logical-outside", bad_logical_outside, "does not fit" },
  { "ebr-link-type", bad_ebr_link_type, "links to type 0x07" },
  { "ebr-link-outside", bad_ebr_link_outside, "outside its extended partition" },
  { "ebr-beyond-data", bad_ebr_beyond_data, "EBR at LBA 20 lies beyond the 7680 bytes" },
  { "gpt-signature", bad_gpt_signature, "no “EFI PART” signature" },
  { "gpt-header-crc", bad_gpt_header_crc, "GPT header CRC32 mismatch" },
  { "gpt-entries-crc", bad_gpt_entries_crc, "entries CRC32 mismatch" },
  { "gpt-revision", bad_gpt_revision, "unsupported GPT revision 2.0" },
  { "gpt-header-size", bad_gpt_header_size, "GPT header size 600" },
  { "gpt-my-lba", bad_gpt_my_lba, "says it lives at LBA 7" },
  { "gpt-entry-size", bad_gpt_entry_size, "entry size 200" },
  { "gpt-count-overflow", bad_gpt_count_overflow, "1048576 entries x 4096 bytes exceeds" },
  { "gpt-too-many", bad_gpt_too_many, "4097 entries" },
  { "gpt-entries-past-end", bad_gpt_entries_past_end, "entries at LBA 2 lies beyond" },
  { "gpt-array-overlap", bad_gpt_array_overlap, "overlaps" },
  { "gpt-entry-range", bad_gpt_entry_range, "GPT entry 1 spans LBA 2048..100" },
  { "gpt-header-missing", bad_gpt_header_missing, "GPT header at LBA 1 lies beyond" },
  { "gpt-usable-range", bad_gpt_usable_range, "is impossible" },
};

static void
test_bad (gconstpointer data)
{
  const BadDisk *c = data;
  gsize size = 0;
  g_autofree guint8 *disk = c->build (&size);
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixDiskLayout) layout = bootfix_disk_layout_parse (disk, size, SS, &error);

  g_assert_null (layout);
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
  if (strstr (error->message, c->message) == NULL)
    g_error ("“%s” not in “%s”", c->message, error->message);
}

/* ---- Other API ----------------------------------------------------- */

static void
test_sector_size (void)
{
  gsize size = 0;
  g_autofree guint8 *disk = mbr_simple (&size);
  static const guint bad[] = { 256, 1000, 8192 };
  g_autoptr (BootfixDiskLayout) dflt = bootfix_disk_layout_parse (disk, size, 0, NULL);

  g_assert_nonnull (dflt);
  g_assert_cmpuint (dflt->sector_size, ==, 512);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr (GError) error = NULL;
    g_assert_null (bootfix_disk_layout_parse (disk, size, bad[i], &error));
    g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED);
  }
}

/* EBRs beyond the buffer come through the reader. */
static gboolean
read_from_image (guint64 lba, guint n_sectors, guint8 *dest, gpointer user_data,
                 GError **error)
{
  GBytes *image = user_data;
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (image, &size);
  if (!bootfix_span_ok (size, lba * SS, (gsize) n_sectors * SS)) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_IO, "read past end at %u",
                 (guint) lba);
    return FALSE;
  }
  memcpy (dest, data + lba * SS, (gsize) n_sectors * SS);
  return TRUE;
}

static void
test_reader (void)
{
  gsize size = 0;
  guint8 *disk = mbr_extended (&size);
  g_autoptr (GBytes) image = g_bytes_new_take (disk, size);
  g_autoptr (GBytes) short_image = g_bytes_new (disk, 15 * SS);
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixDiskLayout) layout = NULL;

  /* Only the MBR sector in the buffer; both EBRs read through the reader. */
  layout = bootfix_disk_layout_parse_with_reader (disk, SS, SS, read_from_image, image,
                                                  &error);
  g_assert_no_error (error);
  g_assert_cmpuint (layout->partitions->len, ==, 5);
  g_assert_cmpuint (bootfix_disk_layout_find_number (layout, 6)->start_lba, ==, 22);
  g_assert_cmpuint (bootfix_disk_layout_find_number (layout, 6)->ebr_lba, ==, 20);
  /* The reader's own error comes back unchanged. */
  g_assert_null (bootfix_disk_layout_parse_with_reader (disk, SS, SS, read_from_image,
                                                        short_image, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_IO);
  g_assert_cmpstr (error->message, ==, "read past end at 20");
}

static void
test_crc32 (void)
{
  g_assert_cmphex (bootfix_crc32 ((const guint8 *) "123456789", 9), ==, 0xCBF43926);
  g_assert_cmphex (bootfix_crc32 ((const guint8 *) "", 0), ==, 0);
}

static void
test_guid_text (void)
{
  /* ESP type GUID: text from the UEFI spec, bytes as GPT stores them. */
  static const guint8 esp[16] = { 0x28, 0x73, 0x2A, 0xC1, 0x1F, 0xF8, 0xD2, 0x11,
                                  0xBA, 0x4B, 0x00, 0xA0, 0xC9, 0x3E, 0xC9, 0x3B };
  static const char *const good[] = { "{c12a7328-f81f-11d2-ba4b-00a0c93ec93b}",
                                      "C12A7328-F81F-11D2-BA4B-00A0C93EC93B",
                                      "{C12a7328-f81F-11d2-BA4b-00a0c93ec93B}" };
  static const char *const bad[] = {
    "", "{c12a7328-f81f-11d2-ba4b-00a0c93ec93b", "c12a7328-f81f-11d2-ba4b-00a0c93ec93b}",
    "{c12a7328f81f-11d2-ba4b-00a0c93ec93b0}", "{c12a7328-f81f-11d2-ba4b-00a0c93ec93g}",
    "{c12a7328-f81f-11d2-ba4b-00a0c93ec93}", "c12a7328-f81f-11d2-ba4b-00a0c93ec93bb",
    "{c12a7328-f81f-11d2-ba4b-00a0c93ec93b}x", "(c12a7328-f81f-11d2-ba4b-00a0c93ec93b)",
    "{+12a7328-f81f-11d2-ba4b-00a0c93ec93b}",
  };
  char text[BOOTFIX_GUID_TEXT_SIZE];

  bootfix_guid_bytes_to_text (esp, text);
  g_assert_cmpstr (text, ==, good[0]);
  for (guint i = 0; i < G_N_ELEMENTS (good); i++) {
    guint8 guid[16];
    g_autoptr (GError) error = NULL;
    g_assert_true (bootfix_guid_text_to_bytes (good[i], guid, &error));
    g_assert_cmpmem (guid, 16, esp, 16);
  }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    guint8 guid[16];
    g_autoptr (GError) error = NULL;
    g_assert_false (bootfix_guid_text_to_bytes (bad[i], guid, &error));
    g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
    g_assert_nonnull (strstr (error->message, "is not a GUID"));
  }
  g_assert_true (bootfix_guid_is_zero ((const guint8[16]) { 0 }));
  g_assert_false (bootfix_guid_is_zero (esp));
}

/* GPT names are UTF-16LE: surrogate pairs decode, lone ones become U+FFFD. */
static void
test_gpt_name_utf16 (void)
{
  gsize size = 0;
  g_autofree guint8 *disk = gpt_512 (&size);
  guint8 *name = disk + 2 * SS + 56;
  g_autoptr (BootfixDiskLayout) layout = NULL;

  memset (name, 0, 72);
  bootfix_write_le16 (name, 72, 0, 'W');
  bootfix_write_le16 (name, 72, 2, 0xD83D); /* U+1F600 */
  bootfix_write_le16 (name, 72, 4, 0xDE00);
  bootfix_write_le16 (name, 72, 6, 0xDC00); /* lone low surrogate */
  bootfix_write_le16 (name, 72, 8, 0x00E9); /* é */
  gpt_fix_crcs (disk, size, SS);
  layout = bootfix_disk_layout_parse (disk, size, SS, NULL);
  g_assert_nonnull (layout);
  g_assert_cmpstr (((BootfixPartition *) g_ptr_array_index (layout->partitions, 0))->name,
                   ==, "W\xF0\x9F\x98\x80\xEF\xBF\xBD\xC3\xA9");
}

static void
write_corpus (const char *dir)
{
  for (guint i = 0; i < G_N_ELEMENTS (good_disks); i++) {
    gsize size = 0;
    g_autofree guint8 *disk = good_disks[i].build (&size);
    g_autofree char *path = g_build_filename (dir, good_disks[i].name, NULL);
    g_autoptr (GError) error = NULL;
    g_assert_true (g_file_set_contents (path, (const char *) disk, size, &error));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("BOOTFIX_WRITE_CORPUS") != NULL)
    write_corpus (g_getenv ("BOOTFIX_WRITE_CORPUS"));
  for (guint i = 0; i < G_N_ELEMENTS (good_disks); i++) {
    g_autofree char *path = g_strdup_printf ("/disk-layout/good/%s", good_disks[i].name);
    g_test_add_data_func (path, &good_disks[i], test_good);
  }
  for (guint i = 0; i < G_N_ELEMENTS (bad_disks); i++) {
    g_autofree char *path = g_strdup_printf ("/disk-layout/bad/%s", bad_disks[i].name);
    g_test_add_data_func (path, &bad_disks[i], test_bad);
  }
  g_test_add_func ("/disk-layout/sector-size", test_sector_size);
  g_test_add_func ("/disk-layout/reader", test_reader);
  g_test_add_func ("/disk-layout/crc32", test_crc32);
  g_test_add_func ("/disk-layout/guid-text", test_guid_text);
  g_test_add_func ("/disk-layout/gpt-name-utf16", test_gpt_name_utf16);
  return g_test_run ();
}
