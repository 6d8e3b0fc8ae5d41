/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the VHD footer parser (vhd.c): the input is the
 * file's head; its last 512 bytes (when it is longer) serve as the
 * tail.  A parsed footer is fixed or dynamic, never differencing. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "bootfix-error.h"
#include "fuzz-common.h"
#include "vhd.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  BootfixVhdFooter f;
  GError *error = NULL;
  size_t tail = size > BOOTFIX_VHD_FOOTER_SIZE ? size - BOOTFIX_VHD_FOOTER_SIZE : 0;
  if (bootfix_vhd_footer_parse (data, size, data + tail, size - tail, &f, &error)) {
    CHECK (f.type == BOOTFIX_VHD_FIXED || f.type == BOOTFIX_VHD_DYNAMIC);
  } else {
    CHECK (g_error_matches (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST));
    fuzz_touch_text (error->message);
    g_error_free (error);
  }
  return 0;
}
