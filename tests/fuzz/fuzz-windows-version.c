/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the registry values our Windows finder reads
 * (windows-version.c): the input as a CurrentVersion string, as a
 * DWORD's data of each type, and as a product name and variant.  The
 * parse must agree with its own answer: a version it accepts is one
 * osinfo can take, and a refusal leaves 0.0. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <glib.h>

#include "windows-version.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  int major = -1, minor = -1;
  gboolean ok = bootfix_windows_parse_version (text, &major, &minor);
  g_assert (major >= 0 && minor >= 0);
  g_assert (ok || (major == 0 && minor == 0));
  const char *id = bootfix_windows_osinfo (major, minor, text, text);
  g_assert (id != NULL && id[0] != '\0');
  for (guint32 type = 0; type < 12; type++) {
    gint32 v = 0;
    if (bootfix_windows_dword (type, data, size, &v))
      g_assert (size == 4);
  }
  return 0;
}
