/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a BIOS finds in the sectors it executes: the MBR's boot code,
 * and the volume boot record (VBR) of the active partition, which the
 * MBR code loads and runs.  Pure; we cannot run the code, so we tell
 * only whether there is some (bytes that are not all zero, not a
 * formatter's "not a bootable disk" stub) and which file system's boot
 * sector holds it.  docs/boot-chain-check.md, "BIOS". */
#ifndef BOOTFIX_BOOT_CODE_H
#define BOOTFIX_BOOT_CODE_H

#include <glib.h>

G_BEGIN_DECLS

/* Both are one sector; only its first 512 bytes matter. */
#define BOOTFIX_BOOT_SECTOR_SIZE 512

typedef enum {
  BOOTFIX_BOOT_CODE_ABSENT,      /* the code area is all zero */
  BOOTFIX_BOOT_CODE_PLACEHOLDER, /* mkntfs / mkfs.fat: "This is not a
                                  * bootable disk", nothing loaded */
  BOOTFIX_BOOT_CODE_PRESENT,
} BootfixBootCode;

typedef enum {
  BOOTFIX_VBR_UNKNOWN, /* neither NTFS nor FAT */
  BOOTFIX_VBR_NTFS,
  BOOTFIX_VBR_FAT,     /* FAT12 or FAT16 */
  BOOTFIX_VBR_FAT32,
} BootfixVbrKind;

typedef struct {
  BootfixVbrKind kind;
  gboolean signature;  /* 55 AA at 0x1FE */
  BootfixBootCode code;
} BootfixVbr;

/* The MBR's code area, bytes 0 to 0x1B7 of sector 0.  size must be at
 * least BOOTFIX_BOOT_SECTOR_SIZE (else ABSENT). */
BootfixBootCode bootfix_mbr_boot_code (const guint8 *sector, gsize size);

/* A partition's first sector.  Short input reads as an UNKNOWN sector
 * without signature or code. */
void bootfix_vbr_parse (const guint8 *sector, gsize size, BootfixVbr *vbr);

/* "NTFS", "FAT", "FAT32", or "unknown". */
const char *bootfix_vbr_kind_name (BootfixVbrKind kind);

G_END_DECLS

#endif
