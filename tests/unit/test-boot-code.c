/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The MBR and boot-sector code classifier (src/formats/boot-code.c):
 * sectors built here the way each tool leaves them. */
#include "config.h"

#include <string.h>
#include <glib.h>

#include "boot-code.h"

#define SECTOR BOOTFIX_BOOT_SECTOR_SIZE
/* What mkntfs and mkfs.fat print from a volume they did not make
 * bootable (our paraphrase of the start is enough: the classifier looks
 * for the words "not a bootable disk"). */
#define STUB "This is not a bootable disk. Please insert a bootable floppy"

typedef enum { NONE, NTFS, FAT16, FAT32 } Bpb;
typedef enum { ZERO, CODE, STUB_TEXT } Code;

/* A boot sector with the given BPB and code area. */
static void
make_sector (guint8 *s, Bpb bpb, Code code, gboolean signature)
{
  static const gsize start[] = { [NONE] = 0x3E, [NTFS] = 0x54,
                                 [FAT16] = 0x3E, [FAT32] = 0x5A };
  memset (s, 0, SECTOR);
  if (code != ZERO)
    memcpy (s, "\xEB\x52\x90", 3);
  if (bpb == NTFS)
    memcpy (s + 3, "NTFS    ", 8);
  if (bpb == FAT16 || bpb == FAT32) {
    memcpy (s + 3, "mkfs.fat", 8);
    s[0x0B] = 0x00, s[0x0C] = 0x02; /* 512 bytes per sector */
    s[0x0D] = 8;
    if (bpb == FAT16) {
      s[0x16] = 0x20;
      memcpy (s + 0x36, "FAT16   ", 8);
    } else {
      memcpy (s + 0x52, "FAT32   ", 8);
    }
  }
  if (code == CODE)
    memcpy (s + start[bpb], "\xFA\x33\xC0\x8E\xD0 BOOTMGR is missing",
            24);
  else if (code == STUB_TEXT)
    memcpy (s + start[bpb] + 0x1D, STUB, sizeof STUB - 1);
  if (signature)
    s[0x1FE] = 0x55, s[0x1FF] = 0xAA;
}

static void
test_vbr_table (void)
{
  static const struct {
    Bpb bpb;
    Code code;
    gboolean signature;
    BootfixVbrKind kind;
    BootfixBootCode want;
  } rows[] = {
    { NTFS, CODE, TRUE, BOOTFIX_VBR_NTFS, BOOTFIX_BOOT_CODE_PRESENT },
    { NTFS, STUB_TEXT, TRUE, BOOTFIX_VBR_NTFS, BOOTFIX_BOOT_CODE_PLACEHOLDER },
    { NTFS, ZERO, TRUE, BOOTFIX_VBR_NTFS, BOOTFIX_BOOT_CODE_ABSENT },
    { NTFS, CODE, FALSE, BOOTFIX_VBR_NTFS, BOOTFIX_BOOT_CODE_PRESENT },
    { FAT16, CODE, TRUE, BOOTFIX_VBR_FAT, BOOTFIX_BOOT_CODE_PRESENT },
    { FAT16, STUB_TEXT, TRUE, BOOTFIX_VBR_FAT, BOOTFIX_BOOT_CODE_PLACEHOLDER },
    { FAT32, CODE, TRUE, BOOTFIX_VBR_FAT32, BOOTFIX_BOOT_CODE_PRESENT },
    { FAT32, STUB_TEXT, TRUE, BOOTFIX_VBR_FAT32, BOOTFIX_BOOT_CODE_PLACEHOLDER },
    { FAT32, ZERO, TRUE, BOOTFIX_VBR_FAT32, BOOTFIX_BOOT_CODE_ABSENT },
    /* No BPB we know: no code is looked for. */
    { NONE, CODE, TRUE, BOOTFIX_VBR_UNKNOWN, BOOTFIX_BOOT_CODE_ABSENT },
  };
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++) {
    guint8 s[SECTOR];
    BootfixVbr vbr;
    make_sector (s, rows[i].bpb, rows[i].code, rows[i].signature);
    bootfix_vbr_parse (s, sizeof s, &vbr);
    g_test_message ("row %u", i);
    g_assert_cmpint (vbr.kind, ==, rows[i].kind);
    g_assert_cmpint (vbr.code, ==, rows[i].want);
    g_assert_cmpint (vbr.signature, ==, rows[i].signature);
  }
}

/* A FAT BPB with a sector size that is not a power of two, or no
 * sectors per cluster, is no FAT boot sector. */
static void
test_vbr_bad_bpb (void)
{
  guint8 s[SECTOR];
  BootfixVbr vbr;
  make_sector (s, FAT32, CODE, TRUE);
  s[0x0B] = 0x01, s[0x0C] = 0x03; /* 769 */
  bootfix_vbr_parse (s, sizeof s, &vbr);
  g_assert_cmpint (vbr.kind, ==, BOOTFIX_VBR_UNKNOWN);
  make_sector (s, FAT16, CODE, TRUE);
  s[0x0D] = 0;
  bootfix_vbr_parse (s, sizeof s, &vbr);
  g_assert_cmpint (vbr.kind, ==, BOOTFIX_VBR_UNKNOWN);
  /* FAT32 says so at 0x52 and has no 16-bit FAT size. */
  make_sector (s, FAT32, CODE, TRUE);
  s[0x16] = 1;
  bootfix_vbr_parse (s, sizeof s, &vbr);
  g_assert_cmpint (vbr.kind, ==, BOOTFIX_VBR_UNKNOWN);
}

static void
test_short_input (void)
{
  guint8 s[SECTOR];
  BootfixVbr vbr;
  make_sector (s, NTFS, CODE, TRUE);
  bootfix_vbr_parse (s, SECTOR - 1, &vbr);
  g_assert_cmpint (vbr.kind, ==, BOOTFIX_VBR_UNKNOWN);
  g_assert_false (vbr.signature);
  bootfix_vbr_parse (NULL, 0, &vbr);
  g_assert_cmpint (vbr.code, ==, BOOTFIX_BOOT_CODE_ABSENT);
  g_assert_cmpint (bootfix_mbr_boot_code (s, SECTOR - 1), ==,
                   BOOTFIX_BOOT_CODE_ABSENT);
}

/* The MBR's code is bytes 0-0x1B7: the signature and the table after
 * it do not count. */
static void
test_mbr (void)
{
  guint8 s[SECTOR];
  memset (s, 0, sizeof s);
  memcpy (s + 0x1B8, "\x0a\x00\x1f\x7a", 4);
  s[0x1BE] = 0x80;
  s[0x1FE] = 0x55, s[0x1FF] = 0xAA;
  g_assert_cmpint (bootfix_mbr_boot_code (s, sizeof s), ==,
                   BOOTFIX_BOOT_CODE_ABSENT);
  s[0x1B7] = 0x01;
  g_assert_cmpint (bootfix_mbr_boot_code (s, sizeof s), ==,
                   BOOTFIX_BOOT_CODE_PRESENT);
  memcpy (s + 0x100, STUB, sizeof STUB - 1);
  g_assert_cmpint (bootfix_mbr_boot_code (s, sizeof s), ==,
                   BOOTFIX_BOOT_CODE_PLACEHOLDER);
}

static void
test_kind_names (void)
{
  g_assert_cmpstr (bootfix_vbr_kind_name (BOOTFIX_VBR_NTFS), ==, "NTFS");
  g_assert_cmpstr (bootfix_vbr_kind_name (BOOTFIX_VBR_FAT32), ==, "FAT32");
  g_assert_cmpstr (bootfix_vbr_kind_name (BOOTFIX_VBR_UNKNOWN), ==, "unknown");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/boot-code/vbr-table", test_vbr_table);
  g_test_add_func ("/boot-code/vbr-bad-bpb", test_vbr_bad_bpb);
  g_test_add_func ("/boot-code/short-input", test_short_input);
  g_test_add_func ("/boot-code/mbr", test_mbr);
  g_test_add_func ("/boot-code/kind-names", test_kind_names);
  return g_test_run ();
}
