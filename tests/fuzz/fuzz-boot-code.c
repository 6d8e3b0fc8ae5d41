/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the boot code classifier (boot-code.c): the MBR
 * code is absent exactly when its 440 bytes are zero, a stub contains
 * the stub's words, and a boot sector of no known kind has no code. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <glib.h>

#include "boot-code.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static gboolean
all_zero (const uint8_t *p, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (p[i])
      return FALSE;
  return TRUE;
}

static gboolean
has_stub (const uint8_t *p, size_t n)
{
  static const char words[] = "not a bootable disk";
  return memmem (p, n, words, sizeof words - 1) != NULL;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  BootfixBootCode mbr = bootfix_mbr_boot_code (data, size);
  BootfixVbr vbr;

  bootfix_vbr_parse (data, size, &vbr);
  if (size < BOOTFIX_BOOT_SECTOR_SIZE) {
    g_assert (mbr == BOOTFIX_BOOT_CODE_ABSENT);
    g_assert (vbr.kind == BOOTFIX_VBR_UNKNOWN && !vbr.signature &&
              vbr.code == BOOTFIX_BOOT_CODE_ABSENT);
    return 0;
  }
  g_assert ((mbr == BOOTFIX_BOOT_CODE_ABSENT) == all_zero (data, 0x1B8));
  g_assert (mbr != BOOTFIX_BOOT_CODE_PLACEHOLDER || has_stub (data, 0x1B8));
  g_assert (vbr.signature == (data[0x1FE] == 0x55 && data[0x1FF] == 0xAA));
  g_assert (vbr.kind != BOOTFIX_VBR_UNKNOWN || vbr.code == BOOTFIX_BOOT_CODE_ABSENT);
  g_assert (vbr.code != BOOTFIX_BOOT_CODE_PLACEHOLDER || has_stub (data, 0x1FE));
  g_assert (vbr.code == BOOTFIX_BOOT_CODE_ABSENT || data[0] != 0);
  g_assert (strcmp (bootfix_vbr_kind_name (vbr.kind), "") != 0);
  return 0;
}
