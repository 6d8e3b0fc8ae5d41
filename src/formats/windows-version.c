/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Windows version facts as libguestfs 1.48 derives them; see the header. */
#include "config.h"

#include <string.h>

#include "bytes.h"
#include "windows-version.h"

gboolean
bootfix_windows_dword (guint32 type, const guint8 *data, gsize len,
                       gint32 *out)
{
  guint32 v;
  if (len != 4 || !bootfix_read_le32 (data, len, 0, &v))
    return FALSE;
  if (type == BOOTFIX_REG_DWORD_BIG_ENDIAN)
    v = GUINT32_SWAP_LE_BE (v);
  else if (type != BOOTFIX_REG_DWORD)
    return FALSE;
  /* libguestfs hands the DWORD on as an OCaml Int32: signed. */
  *out = (gint32) v;
  return TRUE;
}

/* A run of digits at *p as an int; FALSE when it does not fit. */
static gboolean
read_number (const char **p, int *out)
{
  gint64 v = 0;
  if (!g_ascii_isdigit (**p))
    return FALSE;
  for (; g_ascii_isdigit (**p); (*p)++) {
    v = v * 10 + (**p - '0');
    if (v > G_MAXINT)
      return FALSE;
  }
  *out = (int) v;
  return TRUE;
}

gboolean
bootfix_windows_parse_version (const char *text, int *major, int *minor)
{
  *major = *minor = 0;
  /* Pass 1: the first digits followed by '.' and digits; pass 2: the
   * first digits at all (as libguestfs tries its two patterns). */
  for (int pass = 1; pass <= 2; pass++) {
    for (const char *p = text; *p; p++) {
      if (!g_ascii_isdigit (*p) || (p > text && g_ascii_isdigit (p[-1])))
        continue;
      const char *q = p;
      int a, b = 0;
      if (!read_number (&q, &a))
        return FALSE;
      if (pass == 1) {
        if (*q != '.' || !g_ascii_isdigit (q[1]))
          continue;
        q++;
        if (!read_number (&q, &b))
          return FALSE;
      }
      *major = a;
      *minor = b;
      return TRUE;
    }
  }
  return FALSE;
}

static const char *
nt5_osinfo (int minor, const char *product)
{
  if (minor == 1)
    return "winxp";
  if (minor != 2)
    return "unknown";
  if (strstr (product, "XP"))
    return "winxp";  /* XP Professional x64 is NT 5.2 */
  return strstr (product, "R2") ? "win2k3r2" : "win2k3";
}

const char *
bootfix_windows_osinfo (int major, int minor, const char *product_name,
                        const char *variant)
{
  /* NT 6.x: client and server share a version; the variant tells. */
  static const char *const nt6[][2] = {
    { "winvista", "win2k8" }, { "win7", "win2k8r2" },
    { "win8", "win2k12" }, { "win8.1", "win2k12r2" },
  };
  gboolean server = strstr (variant, "Server") != NULL;
  if (major == 5)
    return nt5_osinfo (minor, product_name);
  if (major == 6 && minor >= 0 && minor < (int) G_N_ELEMENTS (nt6))
    return nt6[minor][server];
  if (major == 10 && minor == 0) {
    if (!server)
      return "win10";
    if (strstr (product_name, "2022"))
      return "win2k22";
    return strstr (product_name, "2019") ? "win2k19" : "win2k16";
  }
  return "unknown";
}
