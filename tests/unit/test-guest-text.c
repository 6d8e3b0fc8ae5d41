/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests for how guest text is shown (bootfix-error.c): control
 * characters and bytes that are not UTF-8 never pass as they are. */
#include "config.h"

#include <glib.h>

#include "bootfix-error.h"

typedef struct {
  const char *in;
  const char *question;
  const char *hex;
} Case;

static const Case cases[] = {
  { "plain", "plain", "plain" },
  { "caf\xc3\xa9 \xe4\xb8\xad", "caf\xc3\xa9 \xe4\xb8\xad", "caf\xc3\xa9 \xe4\xb8\xad" },
  { "a\x1b[31mb\n", "a?[31mb?", "a\\x1b[31mb\\x0a" },
  { "del\x7f", "del?", "del\\x7f" },
  /* U+009B, the C1 CSI some terminals obey. */
  { "c1\xc2\x9b" "2J", "c1?2J", "c1\\xc2\\x9b2J" },
  /* Not UTF-8: a stray continuation byte, a lead byte cut short at the
   * end of the text (which must not be read past). */
  { "x\x9by", "x?y", "x\\x9by" },
  { "end\xe4\xb8", "end??", "end\\xe4\\xb8" },
  { "", "", "" },
};

static void
test_styles (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GString) q = g_string_new (NULL);
    g_autoptr (GString) h = g_string_new (NULL);

    bootfix_append_guest_text (q, cases[i].in);
    bootfix_append_guest_text_as (h, cases[i].in, BOOTFIX_GUEST_TEXT_HEX);
    g_assert_cmpstr (q->str, ==, cases[i].question);
    g_assert_cmpstr (h->str, ==, cases[i].hex);
  }
}

static void
test_quote (void)
{
  g_autofree char *q = bootfix_quote_guest_text ("\\DosDevices\\\x1b[2J:", 64);
  g_autofree char *cut = bootfix_quote_guest_text ("abcdef", 3);

  g_assert_cmpstr (q, ==, "\\\\DosDevices\\\\\\033[2J:");
  g_assert_cmpstr (cut, ==, "abc");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/guest-text/styles", test_styles);
  g_test_add_func ("/guest-text/quote", test_quote);
  return g_test_run ();
}
