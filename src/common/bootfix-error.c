/* The library's error domain, the one way codecs report bad guest
 * bytes, and how guest text is shown. */
#include "config.h"

#include "bootfix-error.h"

G_DEFINE_QUARK (bootfix-error-quark, bootfix_error)

gboolean
bootfix_guest_error (GError **error, const char *format, ...)
{
  va_list ap;
  va_start (ap, format);
  g_autofree char *msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error_literal (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST, msg);
  return FALSE;
}

void
bootfix_append_guest_text (GString *s, const char *utf8)
{
  for (const char *c = utf8; *c != '\0'; c = g_utf8_next_char (c)) {
    gunichar ch = g_utf8_get_char (c);
    if (g_unichar_iscntrl (ch))
      g_string_append_c (s, '?');
    else
      g_string_append_unichar (s, ch);
  }
}
