/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hostile JSON text (json-text.c): what json-glib would accept beyond
 * JSON, and nesting deep enough to overflow its recursive parser, are
 * refused before it sees them; plain JSON passes. */
#include "config.h"

#include <string.h>
#include <glib.h>

#include "bootfix-error.h"
#include "json-text.h"

typedef struct {
  const char *text;
  gboolean ok;
} Case;

static const Case cases[] = {
  { "{\"a\": [1, 2.5, -3e2, true, false, null, \"x\"]}", TRUE },
  { "[[[[1]]]]", TRUE },            /* depth 4: the limit below */
  { "[[[[[1]]]]]", FALSE },         /* depth 5 */
  { "[\"[[[[[[[[[[\"]", TRUE },     /* brackets in a string do not nest */
  { "[\"\\\"[[[[[[\"]", TRUE },     /* nor after an escaped quote */
  { "{\"a\\\\\": [[[[1]]]]}", FALSE }, /* an escaped backslash ends no string */
  { "\"\xe6\x97\xa5\xe6\x9c\xac\"", TRUE },
  { "/* c */ [1]", FALSE },          /* comments json-glib would skip */
  { "// c\n[1]", FALSE },
  { "['a']", FALSE },               /* single quotes */
  { "var x = [1];", FALSE },        /* json-glib's assignment form */
  { "[1] x", FALSE },               /* json-glib's own error */
  { "{\"a\": 1", FALSE },
  { "", FALSE },
  { "   ", FALSE },
  { "[\"\\", FALSE },               /* ends inside an escape */
  /* String escapes json-glib gets wrong: it takes "\x" as "x", reads a
   * short "\u" into the next character, and turns a lone surrogate
   * into bytes that are not UTF-8. */
  { "[\"\\x\"]", FALSE },
  { "[\"\\u001\xe6\x97\xa5\"]", FALSE },
  { "[\"\\u12\"]", FALSE },
  { "[\"\\ud800x\"]", FALSE },
  { "[\"\\ud800\\u0041\"]", FALSE },
  { "[\"\\ude00\"]", FALSE },
  { "[\"\\u0000\"]", FALSE },
  { "[\"a\tb\"]", FALSE },          /* a raw control character */
  { "[\"\\ud83d\\ude00 \\u00e9\\u001b\\\"\\/\\b\\f\\n\\r\\t\"]", TRUE },
};

static void
test_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (JsonNode) node =
      bootfix_json_parse_hostile (cases[i].text, strlen (cases[i].text), 4, &error);
    if (cases[i].ok != (node != NULL))
      g_error ("case %u (%s): %s", i, cases[i].text,
               error ? error->message : "accepted");
    if (node == NULL)
      g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED);
  }
}

/* A NUL inside the given length, and text without a final NUL. */
static void
test_lengths (void)
{
  static const char with_nul[] = "[1,\0 2]";
  g_autoptr (GError) error = NULL;
  g_assert_null (bootfix_json_parse_hostile (with_nul, sizeof with_nul - 1, 8, &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED);
  g_autofree char *cut = g_memdup2 ("[12]xxxx", 4);
  g_autoptr (JsonNode) node = bootfix_json_parse_hostile (cut, 4, 8, NULL);
  g_assert_nonnull (node);
  g_assert_cmpint (json_array_get_int_element (json_node_get_array (node), 0), ==, 12);
}

/* A megabyte of '[' would overflow json-glib's stack. */
static void
test_deep (void)
{
  gsize n = 1 << 20;
  g_autofree char *deep = g_malloc (n);
  memset (deep, '[', n);
  g_autoptr (GError) error = NULL;
  g_assert_null (bootfix_json_parse_hostile (deep, n, 64, &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/json-text/table", test_table);
  g_test_add_func ("/json-text/lengths", test_lengths);
  g_test_add_func ("/json-text/deep", test_deep);
  return g_test_run ();
}
