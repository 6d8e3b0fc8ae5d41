/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the VHDX parsers (vhd.c): the input is read as
 * a region table, and as a metadata region whose first 1 KiB is the
 * table and whose rest lies at 64 KiB, where items start (so seeds
 * stay small).  Parsed metadata has a logical sector size of 512 or
 * 4096 and no parent. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "bootfix-error.h"
#include "fuzz-common.h"
#include "vhd.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define TABLE_BYTES 1024
#define ITEMS_AT (64 * 1024)

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  guint64 offset = 0;
  guint32 length = 0;
  BootfixVhdxParameters p;

  if (!bootfix_vhdx_region_table_parse (data, size, &offset, &length, &error)) {
    CHECK (g_error_matches (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST));
    fuzz_touch_text (error->message);
    g_clear_error (&error);
  }
  size_t table = MIN (size, TABLE_BYTES);
  size_t items = size - table;
  guint8 *region = g_malloc0 (ITEMS_AT + items);
  memcpy (region, data, table);
  memcpy (region + ITEMS_AT, data + table, items);
  gboolean ok = bootfix_vhdx_metadata_parse (region, ITEMS_AT + items, &p, &error);
  g_free (region);
  if (ok) {
    CHECK (p.logical_sector_size == 512 || p.logical_sector_size == 4096);
  } else {
    CHECK (g_error_matches (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST));
    fuzz_touch_text (error->message);
    g_clear_error (&error);
  }
  (void) bootfix_vhdx_signature_ok (data, size);
  return 0;
}
