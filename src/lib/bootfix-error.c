/* The library's error domain, and the one way codecs report bad guest
 * bytes. */
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
