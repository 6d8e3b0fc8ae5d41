/* SPDX-License-Identifier: LGPL-2.1-or-later */
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
  BOOTFIX_ERROR_USAGE,        /* a wrong option or batch list: exit 2 */
  /* The guest cannot be done in an appliance it shares with others
   * (it needs libguestfs's whole-appliance inspection): run it alone. */
  BOOTFIX_ERROR_NEEDS_OWN_APPLIANCE,
} BootfixError;

/* Set a BOOTFIX_ERROR_GUEST error (bad bytes from a guest) and return
 * FALSE, for `return bootfix_guest_error (error, …);`. */
gboolean bootfix_guest_error (GError **error, const char *format, ...)
  G_GNUC_PRINTF (2, 3);
/* The same with BOOTFIX_ERROR_REFUSED (unsafe: exit 3). */
gboolean bootfix_refuse (GError **error, const char *format, ...)
  G_GNUC_PRINTF (2, 3);

/* How guest text bound for a terminal or a report shows what must not
 * reach it as is: control characters (C0, DEL, C1) and bytes that are
 * not UTF-8. */
typedef enum {
  BOOTFIX_GUEST_TEXT_QUESTION, /* one '?' for each */
  BOOTFIX_GUEST_TEXT_HEX,      /* \xNN for each of its bytes */
} BootfixGuestTextStyle;

/* Append guest text with those shown in style; everything else is
 * copied as is. */
void bootfix_append_guest_text_as (GString *s, const char *text,
                                   BootfixGuestTextStyle style);

/* The same with BOOTFIX_GUEST_TEXT_QUESTION. */
void bootfix_append_guest_text (GString *s, const char *text);

/* Guest text for an error message: at most max_bytes of it, in C
 * escapes (g_strescape), so the message stays printable ASCII. */
char *bootfix_quote_guest_text (const char *text, gsize max_bytes);

G_END_DECLS

#endif
