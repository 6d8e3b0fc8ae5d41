/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: arbitrary bytes as a BCD device element value.
 * Besides memory errors (ASan/UBSan) it checks the codec's promises:
 * a failure is a BOOTFIX_ERROR_GUEST with a UTF-8 message; a success
 * encodes back to the same bytes, formats as UTF-8, and every partition
 * reference can be patched to a fixed MBR and GPT identity without the
 * length changing, without touching bytes outside the identity, and
 * still parses with the same shape. */
#include "config.h"

#include "fuzz-common.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "bcd-device.h"
#include "bootfix-error.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Partition id at +0x10, style at +0x24, disk id ends at +0x38. */
#define IDENTITY_FROM 0x10
#define IDENTITY_TO 0x38

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  /* A critical is a bug reached from input: make it a crash. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

static void
check_text (const char *s)
{
  CHECK (s != NULL);
  (void) fuzz_touch_text (s);
}

static void
check_patch (const uint8_t *data, size_t size, const BootfixBcdDevice *dev,
             const BootfixBcdPartitionRef *old, const BootfixBcdPartitionRef *ref)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) out = bootfix_bcd_device_patch (data, size, old->offset, ref, &error);
  CHECK (out != NULL && error == NULL);
  CHECK (g_bytes_get_size (out) == size);
  const uint8_t *o = g_bytes_get_data (out, NULL);
  for (size_t i = 0; i < size; i++)
    CHECK (o[i] == data[i] ||
           (i >= old->offset + IDENTITY_FROM && i < old->offset + IDENTITY_TO));

  g_autoptr (BootfixBcdDevice) back = bootfix_bcd_device_parse (o, size, &error);
  CHECK (back != NULL && back->complete == dev->complete);
  g_autoptr (GArray) before = bootfix_bcd_device_get_references (dev);
  g_autoptr (GArray) after = bootfix_bcd_device_get_references (back);
  CHECK (before->len == after->len);
  for (guint i = 0; i < after->len; i++) {
    const BootfixBcdPartitionRef *r = &g_array_index (after, BootfixBcdPartitionRef, i);
    if (r->offset != old->offset)
      continue;
    CHECK (r->kind == ref->kind);
    if (ref->kind == BOOTFIX_BCD_REF_MBR)
      CHECK (r->disk_signature == ref->disk_signature &&
             r->partition_offset == ref->partition_offset);
    else
      CHECK (memcmp (r->disk_guid, ref->disk_guid, 16) == 0 &&
             memcmp (r->partition_guid, ref->partition_guid, 16) == 0);
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixBcdDevice) dev = bootfix_bcd_device_parse (data, size, &error);
  BootfixBcdPartitionRef mbr = { .kind = BOOTFIX_BCD_REF_MBR,
                                 .disk_signature = 0x11223344,
                                 .partition_offset = 0x100000 };
  BootfixBcdPartitionRef gpt = { .kind = BOOTFIX_BCD_REF_GPT };

  if (dev == NULL) {
    CHECK (error != NULL && error->domain == BOOTFIX_ERROR);
    CHECK (error->code == BOOTFIX_ERROR_GUEST);
    check_text (error->message);
    return 0;
  }
  CHECK (error == NULL && dev->length == size);
  g_autoptr (GBytes) out = bootfix_bcd_device_encode (dev, &error);
  CHECK (out != NULL);
  CHECK (g_bytes_get_size (out) == size);
  CHECK (memcmp (g_bytes_get_data (out, NULL), data, size) == 0);
  g_autofree char *text = bootfix_bcd_device_to_string (dev);
  check_text (text);

  memset (gpt.disk_guid, 0xd1, 16);
  memset (gpt.partition_guid, 0x9a, 16);
  g_autoptr (GArray) refs = bootfix_bcd_device_get_references (dev);
  for (guint i = 0; i < refs->len; i++) {
    const BootfixBcdPartitionRef *r = &g_array_index (refs, BootfixBcdPartitionRef, i);
    g_autofree char *rtext = bootfix_bcd_ref_to_string (r);
    check_text (rtext);
    CHECK (r->offset >= 0x10 && r->offset + IDENTITY_TO <= size);
    check_patch (data, size, dev, r, &mbr);
    check_patch (data, size, dev, r, &gpt);
  }
  return 0;
}
