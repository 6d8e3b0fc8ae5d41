/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* MBR and VBR boot code: present, absent, or a formatter's stub.
 * Layouts: docs/boot-formats.md, "MBR" and "NTFS boot sector";
 * docs/boot-chain-check.md, "BIOS". */
#include "config.h"

#include <string.h>

#include "boot-code.h"
#include "bytes.h"

/* The MBR's code ends where the disk signature starts. */
#define MBR_CODE_END 0x1B8
#define SIGNATURE_OFFSET 0x1FE
/* Where each boot sector's code starts: after the NTFS BPB, after the
 * FAT12/16 extended BPB, after the FAT32 one. */
#define NTFS_CODE_START 0x54
#define FAT_CODE_START 0x3E
#define FAT32_CODE_START 0x5A
/* What mkntfs (ntfs-3g) and mkfs.fat (dosfstools) put where boot code
 * goes on a volume they did not make bootable; both print it. */
static const char stub_text[] = "not a bootable disk";

static BootfixBootCode
classify (const guint8 *code, gsize len)
{
  gsize n = sizeof stub_text - 1;
  gboolean zero = TRUE;
  for (gsize i = 0; i < len && zero; i++)
    zero = code[i] == 0;
  if (zero)
    return BOOTFIX_BOOT_CODE_ABSENT;
  for (gsize i = 0; i + n <= len; i++)
    if (memcmp (code + i, stub_text, n) == 0)
      return BOOTFIX_BOOT_CODE_PLACEHOLDER;
  return BOOTFIX_BOOT_CODE_PRESENT;
}

BootfixBootCode
bootfix_mbr_boot_code (const guint8 *sector, gsize size)
{
  if (sector == NULL || size < BOOTFIX_BOOT_SECTOR_SIZE)
    return BOOTFIX_BOOT_CODE_ABSENT;
  return classify (sector, MBR_CODE_END);
}

/* A FAT BPB: a power-of-two sector size from 512 to 4096, a power-of-
 * two cluster, and the file system's name where FAT formatters put it
 * (offset 0x36 for FAT12/16, 0x52 for FAT32). */
static BootfixVbrKind
fat_kind (const guint8 *s)
{
  guint16 bps = 0, fat16_size = 0;
  guint8 spc = s[0x0D];
  (void) bootfix_read_le16 (s, BOOTFIX_BOOT_SECTOR_SIZE, 0x0B, &bps);
  (void) bootfix_read_le16 (s, BOOTFIX_BOOT_SECTOR_SIZE, 0x16, &fat16_size);
  if (bps < 512 || bps > 4096 || (bps & (bps - 1)) != 0 || spc == 0 ||
      (spc & (spc - 1)) != 0)
    return BOOTFIX_VBR_UNKNOWN;
  if (memcmp (s + 0x52, "FAT32   ", 8) == 0 && fat16_size == 0)
    return BOOTFIX_VBR_FAT32;
  if (memcmp (s + 0x36, "FAT", 3) == 0)
    return BOOTFIX_VBR_FAT;
  return BOOTFIX_VBR_UNKNOWN;
}

void
bootfix_vbr_parse (const guint8 *sector, gsize size, BootfixVbr *vbr)
{
  static const gsize code_start[] = {
    [BOOTFIX_VBR_NTFS] = NTFS_CODE_START,
    [BOOTFIX_VBR_FAT] = FAT_CODE_START,
    [BOOTFIX_VBR_FAT32] = FAT32_CODE_START,
  };
  memset (vbr, 0, sizeof *vbr);
  if (sector == NULL || size < BOOTFIX_BOOT_SECTOR_SIZE)
    return;
  vbr->signature = sector[SIGNATURE_OFFSET] == 0x55 &&
                   sector[SIGNATURE_OFFSET + 1] == 0xAA;
  vbr->kind = memcmp (sector + 3, "NTFS    ", 8) == 0 ? BOOTFIX_VBR_NTFS
              : fat_kind (sector);
  if (vbr->kind == BOOTFIX_VBR_UNKNOWN)
    return;
  gsize start = code_start[vbr->kind];
  /* The jump at byte 0 is part of the code: a zeroed sector has none. */
  vbr->code = sector[0] == 0 ? BOOTFIX_BOOT_CODE_ABSENT
              : classify (sector + start, SIGNATURE_OFFSET - start);
}

const char *
bootfix_vbr_kind_name (BootfixVbrKind kind)
{
  switch (kind) {
  case BOOTFIX_VBR_NTFS: return "NTFS";
  case BOOTFIX_VBR_FAT: return "FAT";
  case BOOTFIX_VBR_FAT32: return "FAT32";
  case BOOTFIX_VBR_UNKNOWN: break;
  }
  return "unknown";
}
