/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Partition tables: the MBR (with its EBR chain of logical partitions)
 * and the GPT, parsed from the first sectors of a disk.  Pure: the
 * caller supplies the bytes (and, optionally, a function that reads
 * further sectors, for EBRs deep inside the disk).
 * Layouts: docs/boot-formats.md, "Partition tables". */
#ifndef BOOTFIX_DISK_LAYOUT_H
#define BOOTFIX_DISK_LAYOUT_H

#include <glib.h>

G_BEGIN_DECLS

#define BOOTFIX_GUID_SIZE 16
/* "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" and its NUL */
#define BOOTFIX_GUID_TEXT_SIZE 39

/* Bounds on hostile tables.  Real disks stay far below them: Windows
 * makes 128-entry GPTs of 128-byte entries, and a few dozen logical
 * partitions is already unusual. */
#define BOOTFIX_MAX_LOGICAL_PARTITIONS 128
#define BOOTFIX_MAX_GPT_ENTRIES 4096
#define BOOTFIX_MAX_GPT_ENTRY_SIZE 4096
#define BOOTFIX_MAX_GPT_ARRAY_SIZE (1024 * 1024)

typedef enum {
  BOOTFIX_DISK_LABEL_MBR,
  BOOTFIX_DISK_LABEL_GPT,
} BootfixDiskLabel;

typedef enum {
  BOOTFIX_PARTITION_PRIMARY,  /* MBR slot, not extended */
  BOOTFIX_PARTITION_EXTENDED, /* MBR slot holding the EBR chain */
  BOOTFIX_PARTITION_LOGICAL,  /* described by an EBR */
  BOOTFIX_PARTITION_GPT,      /* GPT entry */
} BootfixPartitionKind;

typedef struct {
  /* As Linux numbers them: MBR slot 1-4, logicals 5, 6, … in EBR chain
   * order; GPT entry index + 1 (unused entries leave gaps). */
  guint number;
  BootfixPartitionKind kind;
  guint64 start_lba;  /* absolute, in sectors of the layout's size */
  guint64 n_sectors;
  guint64 offset;     /* bytes from the start of the disk */
  guint64 size;       /* bytes */
  /* MBR only (zero on GPT): */
  guint8 mbr_type;
  guint8 status;      /* raw status byte; 0x80 = active */
  gboolean active;
  guint8 chs_start[3]; /* kept as found, never interpreted */
  guint8 chs_end[3];
  guint64 ebr_lba;    /* logical: the EBR that describes it */
  /* GPT only (zero / NULL on MBR): */
  guint8 type_guid[BOOTFIX_GUID_SIZE];
  guint8 unique_guid[BOOTFIX_GUID_SIZE];
  guint64 attributes;
  char *name;         /* UTF-8; bad UTF-16 shows as U+FFFD */
} BootfixPartition;

typedef struct {
  guint32 revision;
  guint32 header_size;
  guint64 my_lba;
  guint64 alternate_lba;
  guint64 first_usable_lba;
  guint64 last_usable_lba;
  guint64 entries_lba;
  guint32 n_entries;
  guint32 entry_size;
  guint32 entries_crc32;
} BootfixGptHeader;

typedef struct {
  BootfixDiskLabel label;
  guint sector_size;
  guint32 mbr_signature;    /* MBR bytes 0x1B8..0x1BB, on GPT disks too */
  gboolean protective_mbr;  /* the MBR has a 0xEE entry: the disk is GPT */
  gboolean hybrid_mbr;      /* ... and other entries besides */
  guint n_active;           /* MBR entries marked 0x80 (should be 1) */
  guint8 disk_guid[BOOTFIX_GUID_SIZE]; /* GPT only */
  BootfixGptHeader gpt;     /* GPT only */
  GPtrArray *partitions;    /* BootfixPartition *, by number */
} BootfixDiskLayout;

/* Reads n_sectors sectors from lba into dest (n_sectors * sector size
 * bytes).  Called only for sectors beyond the buffer given to the
 * parser.  Sets error and returns FALSE when it cannot. */
typedef gboolean (*BootfixSectorReadFunc) (guint64 lba, guint n_sectors,
                                           guint8 *dest, gpointer user_data,
                                           GError **error);

void bootfix_partition_free (BootfixPartition *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixPartition, bootfix_partition_free)

void bootfix_disk_layout_free (BootfixDiskLayout *layout);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixDiskLayout, bootfix_disk_layout_free)

/* Parse buf (the first size bytes of a disk).  sector_size is the
 * logical sector size: 0 means 512; powers of two from 512 to 4096 are
 * accepted.  EBRs and GPT entries must lie inside buf.  Fails with
 * BOOTFIX_ERROR_GUEST, naming the structure, for damaged tables. */
BootfixDiskLayout *bootfix_disk_layout_parse (const guint8 *buf, gsize size,
                                              guint sector_size,
                                              GError **error);

/* The same, reading sectors beyond buf through read_func. */
BootfixDiskLayout *
bootfix_disk_layout_parse_with_reader (const guint8 *buf, gsize size,
                                       guint sector_size,
                                       BootfixSectorReadFunc read_func,
                                       gpointer user_data, GError **error);

const BootfixPartition *
bootfix_disk_layout_find_number (const BootfixDiskLayout *layout,
                                 guint number);

/* GUID bytes (Windows layout: u32 LE, u16 LE, u16 LE, 8 raw bytes) to
 * "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}", lower case. */
void bootfix_guid_bytes_to_text (const guint8 guid[BOOTFIX_GUID_SIZE],
                                 char text[BOOTFIX_GUID_TEXT_SIZE]);
char *bootfix_guid_bytes_to_string (const guint8 guid[BOOTFIX_GUID_SIZE]);
/* The reverse; braces optional (both or none), any case.  Fails with
 * BOOTFIX_ERROR_GUEST: GUID text comes from guest data. */
gboolean bootfix_guid_text_to_bytes (const char *text,
                                     guint8 guid[BOOTFIX_GUID_SIZE],
                                     GError **error);
gboolean bootfix_guid_is_zero (const guint8 guid[BOOTFIX_GUID_SIZE]);

/* CRC-32 as GPT uses it (IEEE 802.3, reflected, init and final XOR
 * 0xFFFFFFFF): "123456789" gives 0xCBF43926. */
guint32 bootfix_crc32 (const guint8 *buf, gsize size);

G_END_DECLS

#endif
