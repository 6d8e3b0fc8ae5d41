/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the VMDK parsers (vmdk-descriptor.c): the input
 * is read as a text descriptor, as a sparse extent header, and searched
 * for a parent.  A parsed descriptor has 1..BOOTFIX_VMDK_MAX_EXTENTS
 * extents with clean names and a createType qemu opens; parsing the
 * same text again gives the same extents. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "bootfix-error.h"
#include "fuzz-common.h"
#include "image-format.h"
#include "vmdk-descriptor.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_descriptor (const BootfixVmdkDescriptor *d, const char *text, size_t size)
{
  GError *error = NULL;
  CHECK (d->extents->len >= 1 && d->extents->len <= BOOTFIX_VMDK_MAX_EXTENTS);
  fuzz_touch_text (d->create_type);
  for (guint i = 0; i < d->extents->len; i++) {
    const BootfixVmdkExtent *e = g_ptr_array_index (d->extents, i);
    size_t len = fuzz_touch_text (e->file);
    CHECK (len > 0 && len < 511);
    CHECK (e->sectors > 0 && e->sectors <= (guint64) G_MAXINT64);
    CHECK (e->kind == BOOTFIX_VMDK_EXTENT_FLAT || e->kind == BOOTFIX_VMDK_EXTENT_SPARSE);
  }
  BootfixVmdkDescriptor *again = bootfix_vmdk_descriptor_parse (text, size, &error);
  CHECK (again != NULL && again->extents->len == d->extents->len);
  for (guint i = 0; i < d->extents->len; i++)
    CHECK (g_str_equal (((BootfixVmdkExtent *) g_ptr_array_index (again->extents, i))->file,
                        ((BootfixVmdkExtent *) g_ptr_array_index (d->extents, i))->file));
  bootfix_vmdk_descriptor_free (again);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  const char *text = (const char *) data;
  BootfixVmdkDescriptor *d = bootfix_vmdk_descriptor_parse (text, size, &error);
  if (d == NULL) {
    CHECK (g_error_matches (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST));
    fuzz_touch_text (error->message);
    g_clear_error (&error);
  } else {
    check_descriptor (d, text, size);
    bootfix_vmdk_descriptor_free (d);
  }
  (void) bootfix_vmdk_names_parent (text, size);
  BootfixVmdkSparseHeader h;
  if (bootfix_vmdk_sparse_header_parse (data, size, &h, &error)) {
    CHECK (h.version >= 1 && h.version <= 3);
    (void) bootfix_vmdk_sparse_writable (&h);
  } else {
    CHECK (g_error_matches (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST));
    g_clear_error (&error);
  }
  return 0;
}
