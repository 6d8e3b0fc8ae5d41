/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Text the registry and BCD elements hold as UTF-16LE, read from
 * guest bytes. */
#ifndef BOOTFIX_UTF16_H
#define BOOTFIX_UTF16_H

#include <glib.h>

G_BEGIN_DECLS

/* The UTF-16LE code units of data[0, len) up to the first NUL unit (or
 * the last whole unit) as UTF-8; NULL when they are not valid UTF-16
 * (a lone surrogate). */
char *bootfix_utf16le_to_utf8 (const guint8 *data, gsize len);

G_END_DECLS

#endif
