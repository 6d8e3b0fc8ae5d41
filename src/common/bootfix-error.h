/* The library's GError domain and codes. */
#ifndef BOOTFIX_ERROR_H
#define BOOTFIX_ERROR_H

#include <glib.h>

G_BEGIN_DECLS

#define BOOTFIX_ERROR (bootfix_error_quark ())
GQuark bootfix_error_quark (void);

typedef enum {
  BOOTFIX_ERROR_FAILED,       /* anything else: exit 1 */
  BOOTFIX_ERROR_INVALID_DATA, /* a data file (rules, controllers) is wrong */
  BOOTFIX_ERROR_INVALID_DOMAIN, /* the domain XML is unusable */
  BOOTFIX_ERROR_UNSUPPORTED,  /* a bus/controller/machine we cannot use */
  BOOTFIX_ERROR_GUEST,        /* the guest is damaged or not Windows */
  BOOTFIX_ERROR_MODULE,       /* a conversion module could not be loaded */
  BOOTFIX_ERROR_REFUSED,      /* unsafe or no inbox driver: exit 3 */
} BootfixError;

/* Set a BOOTFIX_ERROR_GUEST error (bad bytes from a guest) and return
 * FALSE, for `return bootfix_guest_error (error, …);`. */
gboolean bootfix_guest_error (GError **error, const char *format, ...)
  G_GNUC_PRINTF (2, 3);

/* Append guest text (UTF-8) bound for a terminal or a report, with
 * control characters shown as '?'. */
void bootfix_append_guest_text (GString *s, const char *utf8);

G_END_DECLS

#endif
