/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests for the NTFS boot sector codec (ntfs-boot.c): sectors built
 * from docs/boot-formats.md, "NTFS boot sector", exact fields, a table
 * of bad sectors, and patches checked byte by byte.  With
 * BOOTFIX_WRITE_CORPUS=DIR the good sectors are written there. */
#include "config.h"

#include <string.h>
#include <glib.h>

#include "bootfix-error.h"
#include "bytes.h"
#include "ntfs-boot.h"

/* Fields a test changes; everything else is a plausible Windows 7 VBR. */
typedef struct {
  gsize size;          /* buffer size (the sector size on 4Kn) */
  guint16 bps;
  guint8 spc;
  guint16 spt;
  guint16 heads;
  guint32 hidden;
  guint64 total;
  guint64 mft;
  guint64 mftmirr;
  guint8 mft_record;   /* raw byte at 0x40 */
} Vbr;

static const Vbr win7 = { 512, 512, 8, 63, 255, 2048, 204799, 8533, 2, 0xF6 };

static guint8 *
build_vbr (const Vbr *v)
{
  guint8 *s = g_malloc0 (v->size);
  gsize n = v->size;

  s[0] = 0xEB;
  s[1] = 0x52;
  s[2] = 0x90;
  memcpy (s + 3, "NTFS    ", 8);
  bootfix_write_le16 (s, n, 0x0B, v->bps);
  s[0x0D] = v->spc;
  s[0x15] = 0xF8;
  bootfix_write_le16 (s, n, 0x18, v->spt);
  bootfix_write_le16 (s, n, 0x1A, v->heads);
  bootfix_write_le32 (s, n, 0x1C, v->hidden);
  s[0x24] = 0x80;
  bootfix_write_le64 (s, n, 0x28, v->total);
  bootfix_write_le64 (s, n, 0x30, v->mft);
  bootfix_write_le64 (s, n, 0x38, v->mftmirr);
  s[0x40] = v->mft_record;
  s[0x44] = 0x01;
  bootfix_write_le64 (s, n, 0x48, G_GUINT64_CONSTANT (0x1234ABCD5678EF90));
  /* bootstrap code: the strings a real one holds */
  memcpy (s + 0x60, "A disk read error occurred", 26);
  s[0x1FE] = 0x55;
  s[0x1FF] = 0xAA;
  return s;
}

/* ---- Good sectors ------------------------------------------------- */

typedef struct {
  const char *name;
  Vbr vbr;
  guint32 sectors_per_cluster;
  guint32 cluster_size;
  guint32 mft_record_size;
  gboolean geometry_valid;
} GoodVbr;

static const GoodVbr good_vbrs[] = {
  { "win7", { 512, 512, 8, 63, 255, 2048, 204799, 8533, 2, 0xF6 }, 8, 4096, 1024, TRUE },
  { "xp-lba63", { 512, 512, 8, 63, 16, 63, 20964761, 786432, 1310454, 0xF6 }, 8, 4096,
    1024, TRUE },
  { "4kn", { 4096, 4096, 1, 63, 255, 256, 25599, 786, 2, 0xF4 }, 1, 4096, 4096, TRUE },
  /* Windows 10 1709+ 2 MiB clusters: 0xF4 = 2^12 sectors */
  { "2mib-cluster", { 512, 512, 0xF4, 63, 255, 2048, 8388607, 3, 2, 0xF6 }, 4096,
    2 * 1024 * 1024, 1024, TRUE },
  /* mkntfs without geometry: zero heads and sectors per track */
  { "zero-geometry", { 512, 512, 8, 0, 0, 2048, 204799, 4, 8532, 0xF6 }, 8, 4096, 1024,
    FALSE },
  /* NT4-era positive clusters-per-record: 2 x 512-byte clusters */
  { "nt4-record", { 512, 512, 1, 63, 64, 63, 4096000, 16, 2048000, 0x02 }, 1, 512, 1024,
    TRUE },
  { "heads-256", { 512, 512, 8, 63, 256, 2048, 204799, 4, 2, 0xF6 }, 8, 4096, 1024, FALSE },
};

static void
test_good (gconstpointer data)
{
  const GoodVbr *c = data;
  g_autofree guint8 *s = build_vbr (&c->vbr);
  g_autoptr (GError) error = NULL;
  BootfixNtfsBoot b;
  guint64 backup = 0;

  g_assert_true (bootfix_ntfs_boot_parse (s, c->vbr.size, &b, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (b.bytes_per_sector, ==, c->vbr.bps);
  g_assert_cmpuint (b.sectors_per_cluster_raw, ==, c->vbr.spc);
  g_assert_cmpuint (b.sectors_per_cluster, ==, c->sectors_per_cluster);
  g_assert_cmpuint (b.cluster_size, ==, c->cluster_size);
  g_assert_cmpuint (b.media, ==, 0xF8);
  g_assert_cmpuint (b.sectors_per_track, ==, c->vbr.spt);
  g_assert_cmpuint (b.heads, ==, c->vbr.heads);
  g_assert_cmpuint (b.hidden_sectors, ==, c->vbr.hidden);
  g_assert_cmpuint (b.total_sectors, ==, c->vbr.total);
  g_assert_cmpuint (b.mft_cluster, ==, c->vbr.mft);
  g_assert_cmpuint (b.mftmirr_cluster, ==, c->vbr.mftmirr);
  g_assert_cmpuint (b.mft_record_size, ==, c->mft_record_size);
  g_assert_cmphex (b.serial, ==, G_GUINT64_CONSTANT (0x1234ABCD5678EF90));
  g_assert_cmpint (b.geometry_valid, ==, c->geometry_valid);
  /* Backup = the partition's last sector (docs/boot-formats.md, "NTFS
   * boot sector"). */
  g_assert_cmpuint (b.backup_offset, ==, c->vbr.total * c->vbr.bps);
  g_assert_true (bootfix_ntfs_boot_backup_location (&b, (c->vbr.total + 1) * c->vbr.bps,
                                                    &backup, &error));
  g_assert_cmpuint (backup, ==, c->vbr.total * c->vbr.bps);
  g_assert_false (bootfix_ntfs_boot_backup_location (&b, c->vbr.total * c->vbr.bps,
                                                     &backup, &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
  g_assert_nonnull (strstr (error->message, "-byte partition"));
}

/* ---- Bad sectors -------------------------------------------------- */

typedef struct {
  const char *name;
  Vbr vbr;
  const char *message;
  gsize damage_at;   /* nonzero: XOR this byte with 0xFF after building */
} BadVbr;

#define W7 512, 512 /* size, bps */

static const BadVbr bad_vbrs[] = {
  { "truncated", { 511, 512, 8, 63, 255, 2048, 204799, 8533, 2, 0xF6 },
    "truncated: 511 bytes", 0 },
  { "oem-id", { W7, 8, 63, 255, 2048, 204799, 8533, 2, 0xF6 }, "no “NTFS    ” OEM id", 3 },
  { "no-55aa", { W7, 8, 63, 255, 2048, 204799, 8533, 2, 0xF6 }, "no 55 AA", 0x1FE },
  { "bps-zero", { 512, 0, 8, 63, 255, 2048, 204799, 8533, 2, 0xF6 }, "bytes per sector 0", 0 },
  { "bps-huge", { 512, 8192, 8, 63, 255, 2048, 204799, 8533, 2, 0xF6 },
    "bytes per sector 8192 is not", 0 },
  { "bps-65535", { 512, 65535, 8, 63, 255, 2048, 204799, 8533, 2, 0xF6 },
    "bytes per sector 65535", 0 },
  { "bps-odd", { 512, 1000, 8, 63, 255, 2048, 204799, 8533, 2, 0xF6 },
    "bytes per sector 1000", 0 },
  { "bps-small", { 512, 128, 8, 63, 255, 2048, 204799, 8533, 2, 0xF6 },
    "bytes per sector 128", 0 },
  { "spc-zero", { W7, 0, 63, 255, 2048, 204799, 8533, 2, 0xF6 }, "byte 0x00 is not", 0 },
  { "spc-three", { W7, 3, 63, 255, 2048, 204799, 8533, 2, 0xF6 }, "byte 0x03 is not", 0 },
  { "spc-shift-32", { W7, 0xE0, 63, 255, 2048, 204799, 8533, 2, 0xF6 }, "byte 0xe0 is not",
    0 },
  { "cluster-16mib", { 4096, 4096, 0xF4, 63, 255, 2048, 204799, 3, 2, 0xF6 },
    "is larger than 2097152 bytes", 0 },
  { "total-zero", { W7, 8, 63, 255, 2048, 0, 8533, 2, 0xF6 }, "total sectors 0 is zero", 0 },
  { "total-huge", { W7, 8, 63, 255, 2048, G_GUINT64_CONSTANT (1) << 63, 8533, 2, 0xF6 },
    "impossibly large", 0 },
  { "mft-outside", { W7, 8, 63, 255, 2048, 204799, 25599, 2, 0xF6 },
    "$MFT cluster 25599 or $MFTMirr cluster 2 lies outside the volume's 25599 clusters", 0 },
  { "mft-zero", { W7, 8, 63, 255, 2048, 204799, 0, 2, 0xF6 }, "lies outside", 0 },
  { "mftmirr-outside", { W7, 8, 63, 255, 2048, 204799, 4, G_MAXUINT64, 0xF6 }, "lies outside",
    0 },
  { "mft-record-zero", { W7, 8, 63, 255, 2048, 204799, 8533, 2, 0x00 },
    "MFT record byte 0x00", 0 },
  { "mft-record-shift", { W7, 8, 63, 255, 2048, 204799, 8533, 2, 0xE0 }, "byte 0xe0 gives", 0 },
  { "mft-record-huge", { W7, 8, 63, 255, 2048, 204799, 8533, 2, 0x7F }, "outside 256..65536",
    0 },
};

static void
test_bad (gconstpointer data)
{
  const BadVbr *c = data;
  g_autofree guint8 *s = build_vbr (&(Vbr) { MAX (c->vbr.size, 512), c->vbr.bps,
                                             c->vbr.spc, c->vbr.spt, c->vbr.heads,
                                             c->vbr.hidden, c->vbr.total, c->vbr.mft,
                                             c->vbr.mftmirr, c->vbr.mft_record });
  g_autoptr (GError) error = NULL;
  BootfixNtfsGeometry geo = { TRUE, 63, TRUE, 255, TRUE, 16 };
  BootfixNtfsBoot b;

  if (c->damage_at != 0)
    s[c->damage_at] ^= 0xFF;
  g_assert_false (bootfix_ntfs_boot_parse (s, c->vbr.size, &b, &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
  if (strstr (error->message, c->message) == NULL)
    g_error ("“%s” not in “%s”", c->message, error->message);
  g_clear_error (&error);
  /* A sector that does not parse is never patched. */
  g_assert_null (bootfix_ntfs_boot_patch (s, c->vbr.size, &geo, NULL, &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
}

/* ---- Patch -------------------------------------------------------- */

/* The offsets at which a and b differ, as a bit set over 0..size. */
static GArray *
diff_offsets (const guint8 *a, const guint8 *b, gsize size)
{
  GArray *d = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < size; i++) {
    if (a[i] != b[i])
      g_array_append_val (d, i);
  }
  return d;
}

static void
test_patch_all (void)
{
  Vbr v = win7;
  g_autofree guint8 *s = NULL;
  g_autofree guint8 *out = NULL;
  g_autoptr (GArray) changes = NULL;
  g_autoptr (GArray) diff = NULL;
  g_autoptr (GError) error = NULL;
  /* XP restored with partition moved from LBA 63 to 2048, old geometry 16 heads */
  BootfixNtfsGeometry geo = { TRUE, 2048, TRUE, 63, TRUE, 255 };
  static const guint expect_diff[] = { 0x1A, 0x1C, 0x1D };
  const BootfixNtfsChange *c;
  BootfixNtfsBoot b;

  v.heads = 16;
  v.hidden = 63;
  s = build_vbr (&v);
  out = bootfix_ntfs_boot_patch (s, v.size, &geo, &changes, &error);
  g_assert_no_error (error);
  /* spt already 63: two changes, heads then hidden sectors */
  g_assert_cmpuint (changes->len, ==, 2);
  c = &g_array_index (changes, BootfixNtfsChange, 0);
  g_assert_cmpint (c->field, ==, BOOTFIX_NTFS_FIELD_HEADS);
  g_assert_cmpstr (c->name, ==, "heads");
  g_assert_cmpuint (c->offset, ==, 0x1A);
  g_assert_cmpuint (c->width, ==, 2);
  g_assert_cmpuint (c->old_value, ==, 16);
  g_assert_cmpuint (c->new_value, ==, 255);
  c = &g_array_index (changes, BootfixNtfsChange, 1);
  g_assert_cmpint (c->field, ==, BOOTFIX_NTFS_FIELD_HIDDEN_SECTORS);
  g_assert_cmpstr (c->name, ==, "hidden sectors");
  g_assert_cmpuint (c->offset, ==, 0x1C);
  g_assert_cmpuint (c->width, ==, 4);
  g_assert_cmpuint (c->old_value, ==, 63);
  g_assert_cmpuint (c->new_value, ==, 2048);
  /* Byte by byte: 0x1A (16 -> 255), 0x1C/0x1D (63 -> 0x0800); nothing else. */
  diff = diff_offsets (s, out, v.size);
  g_assert_cmpmem (diff->data, diff->len * sizeof (guint), expect_diff, sizeof expect_diff);
  g_assert_true (bootfix_ntfs_boot_parse (out, v.size, &b, NULL));
  g_assert_cmpuint (b.heads, ==, 255);
  g_assert_cmpuint (b.hidden_sectors, ==, 2048);
  g_assert_cmpuint (b.sectors_per_track, ==, 63);
}

/* Geometry from zero (mkntfs) and a 4Kn sector: bytes past 512 untouched. */
static void
test_patch_zero_geometry_4kn (void)
{
  Vbr v = { 4096, 4096, 1, 0, 0, 256, 25599, 786, 2, 0xF4 };
  g_autofree guint8 *s = build_vbr (&v);
  g_autofree guint8 *out = NULL;
  g_autoptr (GArray) changes = NULL;
  g_autoptr (GArray) diff = NULL;
  BootfixNtfsGeometry geo = { FALSE, 0, TRUE, 63, TRUE, 255 };
  static const guint expect_diff[] = { 0x18, 0x1A };

  memset (s + 512, 0xA5, 4096 - 512);
  out = bootfix_ntfs_boot_patch (s, v.size, &geo, &changes, NULL);
  g_assert_nonnull (out);
  g_assert_cmpuint (changes->len, ==, 2);
  g_assert_cmpuint (g_array_index (changes, BootfixNtfsChange, 0).old_value, ==, 0);
  g_assert_cmpuint (g_array_index (changes, BootfixNtfsChange, 0).new_value, ==, 63);
  diff = diff_offsets (s, out, v.size);
  g_assert_cmpmem (diff->data, diff->len * sizeof (guint), expect_diff, sizeof expect_diff);
}

/* Same values: no change recorded, identical bytes. */
static void
test_patch_unchanged (void)
{
  g_autofree guint8 *s = build_vbr (&win7);
  g_autofree guint8 *out = NULL;
  g_autoptr (GArray) changes = NULL;
  BootfixNtfsGeometry geo = { TRUE, 2048, TRUE, 63, TRUE, 255 };

  out = bootfix_ntfs_boot_patch (s, win7.size, &geo, &changes, NULL);
  g_assert_cmpuint (changes->len, ==, 0);
  g_assert_cmpmem (out, win7.size, s, win7.size);
  g_clear_pointer (&out, g_free);
  /* Nothing asked for, nothing done; changes may be NULL. */
  geo = (BootfixNtfsGeometry) { FALSE, 1, FALSE, 1, FALSE, 1 };
  out = bootfix_ntfs_boot_patch (s, win7.size, &geo, NULL, NULL);
  g_assert_cmpmem (out, win7.size, s, win7.size);
}

typedef struct {
  BootfixNtfsGeometry geo;
  const char *message;
} BadGeometry;

static const BadGeometry bad_geometries[] = {
  { { FALSE, 0, TRUE, 0, FALSE, 0 }, "sectors per track 0 is outside 1..63" },
  { { FALSE, 0, TRUE, 64, FALSE, 0 }, "sectors per track 64 is outside 1..63" },
  { { FALSE, 0, FALSE, 0, TRUE, 0 }, "heads 0 is outside 1..255" },
  { { FALSE, 0, FALSE, 0, TRUE, 256 }, "heads 256 is outside 1..255" },
  { { TRUE, G_GUINT64_CONSTANT (0x100000000), FALSE, 0, FALSE, 0 },
    "hidden sectors 4294967296 do not fit the 32-bit NTFS field" },
};

static void
test_patch_bad_geometry (void)
{
  g_autofree guint8 *s = build_vbr (&win7);

  for (guint i = 0; i < G_N_ELEMENTS (bad_geometries); i++) {
    g_autoptr (GError) error = NULL;
    g_assert_null (bootfix_ntfs_boot_patch (s, win7.size, &bad_geometries[i].geo, NULL,
                                            &error));
    g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED);
    g_assert_cmpstr (error->message, ==, bad_geometries[i].message);
  }
}

static void
test_heads_for_disk_size (void)
{
  static const struct {
    guint64 size;
    guint16 heads;
  } rows[] = {
    { 0, 0x40 },
    { G_GUINT64_CONSTANT (2114445311), 0x40 },
    { G_GUINT64_CONSTANT (2114445312), 0x80 },
    { G_GUINT64_CONSTANT (4228374779), 0x80 },
    { G_GUINT64_CONSTANT (4228374780), 0xFF },
    { G_MAXUINT64, 0xFF },
  };
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    g_assert_cmpuint (bootfix_ntfs_heads_for_disk_size (rows[i].size), ==, rows[i].heads);
}

static void
write_corpus (const char *dir)
{
  for (guint i = 0; i < G_N_ELEMENTS (good_vbrs); i++) {
    g_autofree guint8 *s = build_vbr (&good_vbrs[i].vbr);
    g_autofree char *path = g_build_filename (dir, good_vbrs[i].name, NULL);
    g_assert_true (g_file_set_contents (path, (const char *) s, good_vbrs[i].vbr.size, NULL));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("BOOTFIX_WRITE_CORPUS") != NULL)
    write_corpus (g_getenv ("BOOTFIX_WRITE_CORPUS"));
  for (guint i = 0; i < G_N_ELEMENTS (good_vbrs); i++) {
    g_autofree char *path = g_strdup_printf ("/ntfs-boot/good/%s", good_vbrs[i].name);
    g_test_add_data_func (path, &good_vbrs[i], test_good);
  }
  for (guint i = 0; i < G_N_ELEMENTS (bad_vbrs); i++) {
    g_autofree char *path = g_strdup_printf ("/ntfs-boot/bad/%s", bad_vbrs[i].name);
    g_test_add_data_func (path, &bad_vbrs[i], test_bad);
  }
  g_test_add_func ("/ntfs-boot/patch/all", test_patch_all);
  g_test_add_func ("/ntfs-boot/patch/zero-geometry-4kn", test_patch_zero_geometry_4kn);
  g_test_add_func ("/ntfs-boot/patch/unchanged", test_patch_unchanged);
  g_test_add_func ("/ntfs-boot/patch/bad-geometry", test_patch_bad_geometry);
  g_test_add_func ("/ntfs-boot/heads-for-disk-size", test_heads_for_disk_size);
  return g_test_run ();
}
