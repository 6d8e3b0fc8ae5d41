/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Parsing JSON text we did not write ourselves. */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "bootfix-error.h"
#include "json-text.h"

/* What may stand outside a string in plain JSON: blanks, punctuation,
 * numbers and the letters of true, false and null.  Anything else
 * (a comment's '/', a single quote, an identifier) would let
 * json-glib's lexer see structure where this scan sees none. */
static gboolean
is_plain_outside_string (guchar c)
{
  return c != '\0' &&
    strchr (" \t\r\n,:[]{}0123456789+-.eEtrufalsn", c) != NULL;
}

/* A byte outside strings: brackets counted against max_depth. */
static gboolean
structure_ok (guchar c, guint *depth, guint max_depth)
{
  if (c == '[' || c == '{')
    return ++*depth <= max_depth;
  if (c == ']' || c == '}')
    *depth = *depth > 0 ? *depth - 1 : 0;
  return is_plain_outside_string (c);
}

/* The value of the 4 hex digits at t[i], or -1. */
static int
hex4 (const char *t, gsize len, gsize i)
{
  int v = 0;
  if (i + 4 > len)
    return -1;
  for (gsize k = i; k < i + 4; k++) {
    int d = g_ascii_xdigit_value (t[k]);
    if (d < 0)
      return -1;
    v = v * 16 + d;
  }
  return v;
}

/* The escape whose backslash is at t[i]: the index just past it, or 0
 * when JSON does not allow it.  json-glib takes "\x" as "x", reads
 * "\u" with fewer than four hex digits into the bytes after it and
 * turns a lone surrogate into bytes that are not UTF-8; "\u0000"
 * would cut a C string short. */
static gsize
skip_escape (const char *t, gsize len, gsize i)
{
  if (i + 1 >= len)
    return 0;
  if (strchr ("\"\\/bfnrt", t[i + 1]) != NULL && t[i + 1] != '\0')
    return i + 2;
  if (t[i + 1] != 'u')
    return 0;
  int v = hex4 (t, len, i + 2);
  if (v <= 0 || (v >= 0xdc00 && v <= 0xdfff))
    return 0;
  if (v < 0xd800 || v > 0xdbff)
    return i + 6;
  /* A high surrogate: its low half must follow. */
  if (i + 8 > len || t[i + 6] != '\\' || t[i + 7] != 'u')
    return 0;
  int low = hex4 (t, len, i + 8);
  return low >= 0xdc00 && low <= 0xdfff ? i + 12 : 0;
}

/* Is text plain JSON no deeper than max_depth, as far as a lexer
 * needs to know (the parser judges the rest)? */
static gboolean
plain_and_shallow (const char *text, gsize len, guint max_depth)
{
  guint depth = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < len;) {
    guchar c = (guchar) text[i];
    if (in_string && c == '\\') {
      i = skip_escape (text, len, i);
      if (i == 0)
        return FALSE;
      continue;
    }
    if (in_string && c < 0x20)
      return FALSE;  /* raw control characters are not JSON */
    if (c == '"')
      in_string = !in_string;
    else if (!in_string && !structure_ok (c, &depth, max_depth))
      return FALSE;
    i++;
  }
  return TRUE;
}

JsonNode *
bootfix_json_parse_hostile (const char *text, gsize len, guint max_depth,
                            GError **error)
{
  if (len > G_MAXSSIZE || !plain_and_shallow (text, len, max_depth)) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("not plain JSON, or nested deeper than %u levels"),
                 max_depth);
    return NULL;
  }
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) local = NULL;
  if (!json_parser_load_from_data (parser, text, (gssize) len, &local)) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("not JSON: %s"), local->message);
    return NULL;
  }
  JsonNode *root = json_parser_get_root (parser);
  if (root == NULL) {
    g_set_error_literal (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                         _("not JSON: the text is empty"));
    return NULL;
  }
  return json_node_copy (root);
}

void
bootfix_json_add_string (JsonBuilder *b, const char *member, const char *value)
{
  json_builder_set_member_name (b, member);
  if (value)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

char *
bootfix_json_builder_to_text (JsonBuilder *b)
{
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}
