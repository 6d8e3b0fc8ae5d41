/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the partition-table codec (disk-layout.c).
 * Input: the first bytes of a disk, parsed with 512- and 4096-byte
 * sectors, and once more with only sector 0 in the buffer and the rest
 * served by a reader (zeros past the end).  Where it parses, the
 * layout must be self-consistent and every MBR volume must have an
 * ARC partition number. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <glib.h>

#include "bootfix-error.h"
#include "bootini.h"
#include "disk-layout.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

typedef struct {
  const uint8_t *data;
  size_t size;
  guint sector_size;
} Image;

static gboolean
read_image (guint64 lba, guint n_sectors, guint8 *dest, gpointer user_data, GError **error)
{
  const Image *im = user_data;
  gsize len = (gsize) n_sectors * im->sector_size;

  memset (dest, 0, len);
  if (lba < im->size / im->sector_size) {
    gsize off = (gsize) lba * im->sector_size;
    memcpy (dest, im->data + off, MIN (len, im->size - off));
  }
  return TRUE;
}

static void
check_guid_text (const guint8 guid[BOOTFIX_GUID_SIZE])
{
  char text[BOOTFIX_GUID_TEXT_SIZE];
  guint8 again[BOOTFIX_GUID_SIZE];

  bootfix_guid_bytes_to_text (guid, text);
  g_assert (bootfix_guid_text_to_bytes (text, again, NULL));
  g_assert (memcmp (guid, again, BOOTFIX_GUID_SIZE) == 0);
}

static void
check_partition (const BootfixDiskLayout *layout, const BootfixPartition *p)
{
  guint w;

  g_assert (p->offset == p->start_lba * layout->sector_size);
  g_assert (p->size == p->n_sectors * layout->sector_size);
  g_assert (p->n_sectors > 0);
  g_assert (bootfix_disk_layout_find_number (layout, p->number) == p);
  if (layout->label == BOOTFIX_DISK_LABEL_GPT) {
    g_assert (p->kind == BOOTFIX_PARTITION_GPT);
    g_assert (p->name != NULL && g_utf8_validate (p->name, -1, NULL));
    check_guid_text (p->unique_guid);
    check_guid_text (p->type_guid);
  } else {
    g_assert (p->kind != BOOTFIX_PARTITION_GPT && p->name == NULL);
    g_assert ((p->kind == BOOTFIX_PARTITION_LOGICAL) == (p->number > 4));
    w = bootfix_bootini_partition_number (layout, p);
    g_assert ((w == 0) == (p->kind == BOOTFIX_PARTITION_EXTENDED));
  }
}

static void
check_layout (const BootfixDiskLayout *layout)
{
  guint prev = 0;

  g_assert (layout->protective_mbr == (layout->label == BOOTFIX_DISK_LABEL_GPT));
  g_assert (!layout->hybrid_mbr || layout->protective_mbr);
  check_guid_text (layout->disk_guid);
  for (guint i = 0; i < layout->partitions->len; i++) {
    const BootfixPartition *p = g_ptr_array_index (layout->partitions, i);
    g_assert (p->number > prev);
    prev = p->number;
    check_partition (layout, p);
  }
}

static void
check_result (BootfixDiskLayout *layout, GError *error)
{
  if (layout != NULL) {
    g_assert (error == NULL);
    check_layout (layout);
    bootfix_disk_layout_free (layout);
    return;
  }
  g_assert (error != NULL);
  g_assert (g_error_matches (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST));
  g_assert (error->message[0] != '\0' && g_utf8_validate (error->message, -1, NULL));
  g_error_free (error);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const guint sector_sizes[] = { 512, 4096 };

  for (guint i = 0; i < G_N_ELEMENTS (sector_sizes); i++) {
    Image im = { data, size, sector_sizes[i] };
    GError *error = NULL;
    BootfixDiskLayout *layout = bootfix_disk_layout_parse (data, size, im.sector_size,
                                                           &error);
    check_result (layout, error);
    error = NULL;
    layout = bootfix_disk_layout_parse_with_reader (data, MIN (size, im.sector_size),
                                                    im.sector_size, read_image, &im,
                                                    &error);
    check_result (layout, error);
  }
  return 0;
}
