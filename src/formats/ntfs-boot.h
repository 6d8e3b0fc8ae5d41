/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The NTFS boot sector (VBR): parse its BPB, say where the backup copy
 * lives, patch the geometry fields NTLDR/BOOTMGR's VBR code depends on.
 * Pure; layout: docs/boot-formats.md, "NTFS boot sector". */
#ifndef BOOTFIX_NTFS_BOOT_H
#define BOOTFIX_NTFS_BOOT_H

#include <glib.h>

G_BEGIN_DECLS

/* Fields live in the first 512 bytes even on 4096-byte sectors. */
#define BOOTFIX_NTFS_BOOT_SECTOR_SIZE 512
/* Largest cluster NTFS allows (Windows 10 1709+: 2 MiB). */
#define BOOTFIX_MAX_NTFS_CLUSTER_SIZE (2 * 1024 * 1024)
/* BIOS CHS limits: 1..63 sectors per track, 1..255 heads. */
#define BOOTFIX_MAX_NTFS_SECTORS_PER_TRACK 63
#define BOOTFIX_MAX_NTFS_HEADS 255

typedef struct {
  guint16 bytes_per_sector;   /* 0x0B: 256..4096, power of two */
  guint8 sectors_per_cluster_raw; /* 0x0D as stored */
  guint32 sectors_per_cluster;/* decoded (values > 0x80 mean 2^(256-v)) */
  guint32 cluster_size;       /* bytes */
  guint8 media;               /* 0x15 */
  guint16 sectors_per_track;  /* 0x18; 0 on some mkntfs volumes */
  guint16 heads;              /* 0x1A; ditto */
  guint32 hidden_sectors;     /* 0x1C: partition start LBA */
  guint64 total_sectors;      /* 0x28 */
  guint64 mft_cluster;        /* 0x30 */
  guint64 mftmirr_cluster;    /* 0x38 */
  guint32 mft_record_size;    /* from the signed byte at 0x40 */
  guint64 serial;             /* 0x48 */
  /* Where the backup boot sector is, counted from the partition start:
   * total_sectors x bytes_per_sector (docs/boot-formats.md, "NTFS boot
   * sector"). */
  guint64 backup_offset;
  /* Heads and sectors per track inside the BIOS limits (non-zero). */
  gboolean geometry_valid;
} BootfixNtfsBoot;

/* Parse and validate a boot sector (size >= 512; only the first 512
 * bytes are read).  Fails with BOOTFIX_ERROR_GUEST for anything that
 * is not a sane NTFS boot sector.  Zero heads / sectors per track are
 * accepted (mkntfs writes them when it knows no geometry) and shown by
 * geometry_valid: they are what patching fixes. */
gboolean bootfix_ntfs_boot_parse (const guint8 *buf, gsize size,
                                  BootfixNtfsBoot *boot, GError **error);

/* The backup boot sector's byte offset in a partition of
 * partition_size bytes; fails (BOOTFIX_ERROR_GUEST) when the volume
 * claims to be larger than its partition. */
gboolean bootfix_ntfs_boot_backup_location (const BootfixNtfsBoot *boot,
                                            guint64 partition_size,
                                            guint64 *offset, GError **error);

/* What to set.  Fields with set_* FALSE stay as they are. */
typedef struct {
  gboolean set_hidden_sectors;
  guint64 hidden_sectors;     /* must fit the 32-bit field */
  gboolean set_sectors_per_track;
  guint16 sectors_per_track;  /* 1..63 */
  gboolean set_heads;
  guint16 heads;              /* 1..255 */
} BootfixNtfsGeometry;

typedef enum {
  BOOTFIX_NTFS_FIELD_SECTORS_PER_TRACK,
  BOOTFIX_NTFS_FIELD_HEADS,
  BOOTFIX_NTFS_FIELD_HIDDEN_SECTORS,
} BootfixNtfsField;

typedef struct {
  BootfixNtfsField field;
  const char *name;  /* "sectors per track", "heads", "hidden sectors" */
  guint offset;      /* byte offset in the sector: 0x18, 0x1A, 0x1C */
  guint width;       /* bytes: 2, 2, 4 */
  guint32 old_value;
  guint32 new_value;
} BootfixNtfsChange;

/* A patched copy of buf (same size, g_free).  Nothing but the chosen
 * fields changes.  *changes (may be NULL) gets a GArray of
 * BootfixNtfsChange for the fields whose value actually changed.
 * Fails with BOOTFIX_ERROR_GUEST when buf is not a valid boot sector,
 * BOOTFIX_ERROR_FAILED for zero or out-of-range new values. */
guint8 *bootfix_ntfs_boot_patch (const guint8 *buf, gsize size,
                                 const BootfixNtfsGeometry *geometry,
                                 GArray **changes, GError **error);

/* virt-v2v's fix_ntfs_heads rule (docs/boot-formats.md, "NTFS boot
 * sector"): the heads QEMU's
 * LCHS guess gives a disk of this size: 0x40, 0x80 or 0xFF. */
guint16 bootfix_ntfs_heads_for_disk_size (guint64 disk_size);

G_END_DECLS

#endif
