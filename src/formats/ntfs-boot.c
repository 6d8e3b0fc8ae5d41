/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* NTFS boot sector: BPB parsing, backup location, geometry patching.
 * Offsets and meaning: docs/boot-formats.md, "NTFS boot sector"
 * (ntfs-3g layout.h, Linux fs/ntfs3, partclone ntfsfixboot).  The
 * sector is guest data: every field is read through bytes.h and
 * checked before use. */
#include "config.h"

#include <inttypes.h>

#include <stdarg.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "ntfs-boot.h"
#include "bootfix-error.h"
#include "bytes.h"

#define OFF_OEM_ID 0x03
#define OEM_ID "NTFS    "
#define OEM_ID_LEN 8
#define OFF_BYTES_PER_SECTOR 0x0B
#define OFF_SECTORS_PER_CLUSTER 0x0D
#define OFF_MEDIA 0x15
#define OFF_SECTORS_PER_TRACK 0x18
#define OFF_HEADS 0x1A
#define OFF_HIDDEN_SECTORS 0x1C
#define OFF_TOTAL_SECTORS 0x28
#define OFF_MFT_CLUSTER 0x30
#define OFF_MFTMIRR_CLUSTER 0x38
#define OFF_CLUSTERS_PER_MFT_RECORD 0x40
#define OFF_SERIAL 0x48
#define OFF_MAGIC 0x1FE

#define MIN_BYTES_PER_SECTOR 256
#define MAX_BYTES_PER_SECTOR 4096
/* Sectors-per-cluster bytes above this are negative exponents. */
#define SPC_EXPONENT_THRESHOLD 0x80
/* An MFT record is a power of two; Windows uses 1024 or 4096. */
#define MIN_MFT_RECORD_SIZE 256
#define MAX_MFT_RECORD_SIZE 65536

/* virt-v2v fix_ntfs_heads thresholds (docs/boot-formats.md, "NTFS boot
 * sector"). */
#define HEADS_64_BELOW G_GUINT64_CONSTANT (2114445312)
#define HEADS_128_BELOW G_GUINT64_CONSTANT (4228374780)

static gboolean
is_power_of_two (guint64 v)
{
  return v != 0 && (v & (v - 1)) == 0;
}

static gboolean
has_oem_id_and_magic (const guint8 *buf, gsize size)
{
  guint8 m0 = 0, m1 = 0;
  for (gsize i = 0; i < OEM_ID_LEN; i++) {
    guint8 b = 0;
    if (!bootfix_read_u8 (buf, size, OFF_OEM_ID + i, &b) || b != (guint8) OEM_ID[i])
      return FALSE;
  }
  return bootfix_read_u8 (buf, size, OFF_MAGIC, &m0) &&
         bootfix_read_u8 (buf, size, OFF_MAGIC + 1, &m1) && m0 == 0x55 && m1 == 0xAA;
}

static gboolean
read_fields (const guint8 *buf, gsize size, BootfixNtfsBoot *b, gint8 *mft_raw)
{
  guint8 raw = 0;
  gboolean ok =
    bootfix_read_le16 (buf, size, OFF_BYTES_PER_SECTOR, &b->bytes_per_sector) &&
    bootfix_read_u8 (buf, size, OFF_SECTORS_PER_CLUSTER, &b->sectors_per_cluster_raw) &&
    bootfix_read_u8 (buf, size, OFF_MEDIA, &b->media) &&
    bootfix_read_le16 (buf, size, OFF_SECTORS_PER_TRACK, &b->sectors_per_track) &&
    bootfix_read_le16 (buf, size, OFF_HEADS, &b->heads) &&
    bootfix_read_le32 (buf, size, OFF_HIDDEN_SECTORS, &b->hidden_sectors) &&
    bootfix_read_le64 (buf, size, OFF_TOTAL_SECTORS, &b->total_sectors) &&
    bootfix_read_le64 (buf, size, OFF_MFT_CLUSTER, &b->mft_cluster) &&
    bootfix_read_le64 (buf, size, OFF_MFTMIRR_CLUSTER, &b->mftmirr_cluster) &&
    bootfix_read_u8 (buf, size, OFF_CLUSTERS_PER_MFT_RECORD, &raw) &&
    bootfix_read_le64 (buf, size, OFF_SERIAL, &b->serial);
  *mft_raw = (gint8) raw;
  return ok;
}

/* Sectors per cluster: a power of two up to 128; bytes above 0x80 are
 * negative powers (2^(256 - v)), which Windows 10 1709+ writes for
 * clusters over 64 KiB (decoded this way by ntfs-3g and Linux ntfs3;
 * docs/boot-formats.md, "NTFS boot sector"). */
static gboolean
decode_cluster_size (BootfixNtfsBoot *b, GError **error)
{
  guint raw = b->sectors_per_cluster_raw;
  guint shift = raw > SPC_EXPONENT_THRESHOLD ? 256 - raw : 0;

  if (raw > SPC_EXPONENT_THRESHOLD && shift < 32)
    b->sectors_per_cluster = 1u << shift;
  else if (raw <= SPC_EXPONENT_THRESHOLD && is_power_of_two (raw))
    b->sectors_per_cluster = raw;
  else
    return bootfix_guest_error (error, _("NTFS sectors per cluster byte 0x%02x is not a power "
                                 "of two"),
                        raw);
  if ((guint64) b->sectors_per_cluster * b->bytes_per_sector > BOOTFIX_MAX_NTFS_CLUSTER_SIZE)
    return bootfix_guest_error (error, _("NTFS cluster of %u sectors of %u bytes is larger than "
                                 "%u bytes"),
                        b->sectors_per_cluster, b->bytes_per_sector,
                        BOOTFIX_MAX_NTFS_CLUSTER_SIZE);
  b->cluster_size = b->sectors_per_cluster * b->bytes_per_sector;
  return TRUE;
}

/* Clusters per MFT record, signed: positive = clusters, negative =
 * 2^-v bytes (ntfs-3g layout.h). */
static gboolean
decode_mft_record_size (BootfixNtfsBoot *b, gint8 raw, GError **error)
{
  guint64 size = 0;

  if (raw > 0)
    size = (guint64) raw * b->cluster_size;
  else if (-raw < 32)
    size = G_GUINT64_CONSTANT (1) << -raw;
  if (!is_power_of_two (size) || size < MIN_MFT_RECORD_SIZE || size > MAX_MFT_RECORD_SIZE)
    return bootfix_guest_error (error, _("NTFS clusters per MFT record byte 0x%02x gives an MFT "
                                 "record size outside %u..%u"),
                        (guint8) raw, MIN_MFT_RECORD_SIZE, MAX_MFT_RECORD_SIZE);
  b->mft_record_size = (guint32) size;
  return TRUE;
}

/* Volume size and the MFT inside it. */
static gboolean
check_volume (const BootfixNtfsBoot *b, GError **error)
{
  guint64 n_clusters;

  if (b->total_sectors == 0 || b->total_sectors > G_MAXUINT64 / b->bytes_per_sector - 1)
    return bootfix_guest_error (error, _("NTFS total sectors %" PRIu64 " is zero or "
                                 "impossibly large"),
                        b->total_sectors);
  n_clusters = b->total_sectors / b->sectors_per_cluster;
  if (b->mft_cluster == 0 || b->mft_cluster >= n_clusters ||
      b->mftmirr_cluster == 0 || b->mftmirr_cluster >= n_clusters)
    return bootfix_guest_error (error, _("NTFS $MFT cluster %" PRIu64 " or $MFTMirr "
                                 "cluster %" PRIu64 " lies outside the volume's %"
                                 PRIu64 " clusters"),
                        b->mft_cluster, b->mftmirr_cluster, n_clusters);
  return TRUE;
}

gboolean
bootfix_ntfs_boot_parse (const guint8 *buf, gsize size, BootfixNtfsBoot *boot,
                         GError **error)
{
  gint8 mft_raw = 0;

  g_return_val_if_fail (buf != NULL || size == 0, FALSE);
  memset (boot, 0, sizeof *boot);
  if (size < BOOTFIX_NTFS_BOOT_SECTOR_SIZE)
    return bootfix_guest_error (error, _("NTFS boot sector truncated: %" "zu" " bytes, "
                                 "not %u"),
                        size, BOOTFIX_NTFS_BOOT_SECTOR_SIZE);
  if (!has_oem_id_and_magic (buf, size))
    return bootfix_guest_error (error, _("not an NTFS boot sector (no “NTFS    ” OEM id or no "
                                 "55 AA signature)"));
  if (!read_fields (buf, size, boot, &mft_raw))
    return bootfix_guest_error (error, _("NTFS boot sector truncated"));
  if (!is_power_of_two (boot->bytes_per_sector) ||
      boot->bytes_per_sector < MIN_BYTES_PER_SECTOR ||
      boot->bytes_per_sector > MAX_BYTES_PER_SECTOR)
    return bootfix_guest_error (error, _("NTFS bytes per sector %u is not a power of two from "
                                 "%u to %u"),
                        boot->bytes_per_sector, MIN_BYTES_PER_SECTOR,
                        MAX_BYTES_PER_SECTOR);
  if (!decode_cluster_size (boot, error) || !decode_mft_record_size (boot, mft_raw, error) ||
      !check_volume (boot, error))
    return FALSE;
  boot->backup_offset = boot->total_sectors * boot->bytes_per_sector;
  boot->geometry_valid =
    boot->sectors_per_track >= 1 &&
    boot->sectors_per_track <= BOOTFIX_MAX_NTFS_SECTORS_PER_TRACK &&
    boot->heads >= 1 && boot->heads <= BOOTFIX_MAX_NTFS_HEADS;
  return TRUE;
}

gboolean
bootfix_ntfs_boot_backup_location (const BootfixNtfsBoot *boot, guint64 partition_size,
                                   guint64 *offset, GError **error)
{
  /* parse() keeps backup_offset + one sector below 2^64. */
  if (boot->backup_offset + boot->bytes_per_sector > partition_size)
    return bootfix_guest_error (error, _("NTFS volume of %" PRIu64 " sectors puts its "
                                 "backup boot sector at byte %" PRIu64
                                 ", beyond its %" PRIu64 "-byte partition"),
                        boot->total_sectors, boot->backup_offset, partition_size);
  *offset = boot->backup_offset;
  return TRUE;
}

/* New values come from the caller: say plainly what is wrong. */
static gboolean
check_geometry (const BootfixNtfsGeometry *g, GError **error)
{
  if (g->set_sectors_per_track &&
      (g->sectors_per_track == 0 ||
       g->sectors_per_track > BOOTFIX_MAX_NTFS_SECTORS_PER_TRACK)) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("sectors per track %u is outside 1..%u"), g->sectors_per_track,
                 BOOTFIX_MAX_NTFS_SECTORS_PER_TRACK);
    return FALSE;
  }
  if (g->set_heads && (g->heads == 0 || g->heads > BOOTFIX_MAX_NTFS_HEADS)) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("heads %u is outside 1..%u"), g->heads, BOOTFIX_MAX_NTFS_HEADS);
    return FALSE;
  }
  if (g->set_hidden_sectors && g->hidden_sectors > G_MAXUINT32) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("hidden sectors %" PRIu64 " do not fit the 32-bit NTFS "
                   "field"),
                 g->hidden_sectors);
    return FALSE;
  }
  return TRUE;
}

/* Write one field into the copy and record it, when it changes. */
static void
patch_field (guint8 *out, gsize size, BootfixNtfsField field, guint32 old_value,
             guint32 new_value, GArray *changes)
{
  static const struct {
    const char *name;
    guint offset;
    guint width;
  } fields[] = {
    [BOOTFIX_NTFS_FIELD_SECTORS_PER_TRACK] = { "sectors per track", OFF_SECTORS_PER_TRACK, 2 },
    [BOOTFIX_NTFS_FIELD_HEADS] = { "heads", OFF_HEADS, 2 },
    [BOOTFIX_NTFS_FIELD_HIDDEN_SECTORS] = { "hidden sectors", OFF_HIDDEN_SECTORS, 4 },
  };
  BootfixNtfsChange c = { field, fields[field].name, fields[field].offset,
                          fields[field].width, old_value, new_value };

  if (old_value == new_value)
    return;
  if (c.width == 2)
    bootfix_write_le16 (out, size, c.offset, (guint16) new_value);
  else
    bootfix_write_le32 (out, size, c.offset, new_value);
  g_array_append_val (changes, c);
}

guint8 *
bootfix_ntfs_boot_patch (const guint8 *buf, gsize size,
                         const BootfixNtfsGeometry *geometry, GArray **changes,
                         GError **error)
{
  BootfixNtfsBoot boot;
  g_autoptr (GArray) done = NULL;
  guint8 *out;

  g_return_val_if_fail (geometry != NULL, NULL);
  if (!bootfix_ntfs_boot_parse (buf, size, &boot, error) ||
      !check_geometry (geometry, error))
    return NULL;
  out = g_memdup2 (buf, size);
  done = g_array_new (FALSE, TRUE, sizeof (BootfixNtfsChange));
  if (geometry->set_sectors_per_track)
    patch_field (out, size, BOOTFIX_NTFS_FIELD_SECTORS_PER_TRACK, boot.sectors_per_track,
                 geometry->sectors_per_track, done);
  if (geometry->set_heads)
    patch_field (out, size, BOOTFIX_NTFS_FIELD_HEADS, boot.heads, geometry->heads, done);
  if (geometry->set_hidden_sectors)
    patch_field (out, size, BOOTFIX_NTFS_FIELD_HIDDEN_SECTORS, boot.hidden_sectors,
                 (guint32) geometry->hidden_sectors, done);
  if (changes != NULL)
    *changes = g_steal_pointer (&done);
  return out;
}

guint16
bootfix_ntfs_heads_for_disk_size (guint64 disk_size)
{
  if (disk_size < HEADS_64_BELOW)
    return 0x40;
  if (disk_size < HEADS_128_BELOW)
    return 0x80;
  return 0xFF;
}
