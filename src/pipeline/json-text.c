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
  return strchr (" \t\r\n,:[]{}0123456789+-.eEtrufalsn", c) != NULL;
}

/* Is text plain JSON no deeper than max_depth, as far as a lexer
 * needs to know (the parser judges the rest)? */
static gboolean
plain_and_shallow (const char *text, gsize len, guint max_depth)
{
  guint depth = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < len; i++) {
    guchar c = (guchar) text[i];
    if (c == '\0')
      return FALSE;
    if (in_string) {
      if (c == '\\')
        i++;  /* the escaped byte cannot end the string */
      else if (c == '"')
        in_string = FALSE;
    } else if (c == '"') {
      in_string = TRUE;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth)
        return FALSE;
    } else if (c == ']' || c == '}') {
      depth = depth > 0 ? depth - 1 : 0;
    } else if (!is_plain_outside_string (c)) {
      return FALSE;
    }
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
