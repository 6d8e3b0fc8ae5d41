/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The library's error domain, the one way codecs report bad guest
 * bytes, and how guest text is shown. */
#include "config.h"

#include <string.h>

#include "bootfix-error.h"

G_DEFINE_QUARK (bootfix-error-quark, bootfix_error)

static gboolean
set_error_va (GError **error, BootfixError code, const char *format,
              va_list ap) G_GNUC_PRINTF (3, 0);

static gboolean
set_error_va (GError **error, BootfixError code, const char *format,
              va_list ap)
{
  g_autofree char *msg = g_strdup_vprintf (format, ap);
  g_set_error_literal (error, BOOTFIX_ERROR, code, msg);
  return FALSE;
}

gboolean
bootfix_guest_error (GError **error, const char *format, ...)
{
  va_list ap;
  va_start (ap, format);
  set_error_va (error, BOOTFIX_ERROR_GUEST, format, ap);
  va_end (ap);
  return FALSE;
}

gboolean
bootfix_refuse (GError **error, const char *format, ...)
{
  va_list ap;
  va_start (ap, format);
  set_error_va (error, BOOTFIX_ERROR_REFUSED, format, ap);
  va_end (ap);
  return FALSE;
}

/* The length of the character at p (left bytes remain), and whether
 * it must be hidden: a control character, or a byte that is not UTF-8
 * (then its length is 1). */
static gsize
guest_char (const char *p, gsize left, gboolean *hidden)
{
  gunichar ch = g_utf8_get_char_validated (p, (gssize) MIN (left, 6));

  if (ch == (gunichar) -1 || ch == (gunichar) -2) {
    *hidden = TRUE;
    return 1;
  }
  *hidden = g_unichar_iscntrl (ch);
  return (gsize) g_utf8_skip[*(const guchar *) p];
}

void
bootfix_append_guest_text_as (GString *s, const char *text,
                              BootfixGuestTextStyle style)
{
  gsize left = strlen (text);

  for (const char *p = text; left > 0;) {
    gboolean hidden;
    gsize n = guest_char (p, left, &hidden);

    if (!hidden)
      g_string_append_len (s, p, (gssize) n);
    else if (style == BOOTFIX_GUEST_TEXT_QUESTION)
      g_string_append_c (s, '?');
    else
      for (gsize i = 0; i < n; i++)
        g_string_append_printf (s, "\\x%02x", (guchar) p[i]);
    p += n;
    left -= n;
  }
}

void
bootfix_append_guest_text (GString *s, const char *text)
{
  bootfix_append_guest_text_as (s, text, BOOTFIX_GUEST_TEXT_QUESTION);
}

char *
bootfix_quote_guest_text (const char *text, gsize max_bytes)
{
  g_autofree char *head = g_strndup (text, max_bytes);
  return g_strescape (head, NULL);
}
