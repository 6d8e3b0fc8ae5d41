/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* UTF-16LE guest text to UTF-8 (utf16.h). */
#include "config.h"

#include "bytes.h"
#include "utf16.h"

char *
bootfix_utf16le_to_utf8 (const guint8 *data, gsize len)
{
  g_autofree gunichar2 *units = g_new0 (gunichar2, len / 2 + 1);
  glong n = 0;

  for (gsize i = 0; i + 1 < len; i += 2) {
    guint16 u = 0;
    if (!bootfix_read_le16 (data, len, i, &u) || u == 0)
      break;
    units[n++] = u;
  }
  return g_utf16_to_utf8 (units, n, NULL, NULL, NULL);
}
