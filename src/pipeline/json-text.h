/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* JSON text: what comes from outside the process (a worker's report,
 * a --resume file) parsed without trusting it, and what the writers of
 * reports share. */
#ifndef BOOTFIX_JSON_TEXT_H
#define BOOTFIX_JSON_TEXT_H

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* json-glib recurses once per nesting level with no limit (a line of
 * '[' overflows the stack), accepts more than JSON (comments, single
 * quotes, "var x =") and reads some bad string escapes into text that
 * is not UTF-8: text that is not plain JSON (outside strings, and the
 * escapes and raw control characters inside them), holds a NUL, a
 * "\u0000" or a lone surrogate, or nests deeper than max_depth is
 * refused (BOOTFIX_ERROR_FAILED) before json-glib sees it.  Returns the
 * root node; its strings are UTF-8 without NUL. */
JsonNode *bootfix_json_parse_hostile (const char *text, gsize len,
                                      guint max_depth, GError **error);

/* member: value, or null when value is NULL (unknown). */
void bootfix_json_add_string (JsonBuilder *b, const char *member,
                              const char *value);

/* The document b built, as indented text (g_free). */
char *bootfix_json_builder_to_text (JsonBuilder *b);

G_END_DECLS

#endif
