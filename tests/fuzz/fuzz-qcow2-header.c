/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the qcow2 header parser (qcow2-header.c).  A
 * header that parses has a sane version and cluster size, and its names
 * are short UTF-8 without control characters; a refusal is a
 * BOOTFIX_ERROR_GUEST and leaves nothing behind.  The probe must agree
 * that a parsed header is qcow2. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "bootfix-error.h"
#include "fuzz-common.h"
#include "image-format.h"
#include "qcow2-header.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_name (const char *name, size_t max)
{
  if (name == NULL)
    return;
  size_t len = fuzz_touch_text (name);
  CHECK (len > 0 && len <= max);
  for (const char *p = name; *p; p = g_utf8_next_char (p))
    CHECK (!g_unichar_iscntrl (g_utf8_get_char (p)));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  BootfixQcow2Header h;
  GError *error = NULL;

  if (!bootfix_qcow2_header_parse (data, size, &h, &error)) {
    CHECK (g_error_matches (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST));
    fuzz_touch_text (error->message);
    CHECK (h.backing_file == NULL && h.backing_format == NULL);
    g_error_free (error);
    return 0;
  }
  CHECK (h.version == 2 || h.version == 3);
  CHECK (h.cluster_bits >= 9 && h.cluster_bits <= 21);
  check_name (h.backing_file, BOOTFIX_IMAGE_MAX_REFERENCE);
  check_name (h.backing_format, BOOTFIX_QCOW2_MAX_FORMAT_NAME);
  CHECK (g_str_equal (bootfix_image_format_probe (data, size, NULL, 0), "qcow2"));
  bootfix_qcow2_header_clear (&h);
  return 0;
}
