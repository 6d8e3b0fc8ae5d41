/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* struct bootfix_edit crosses the ABI with the size its module was
 * built with: the host reads what it knows of any size from the first
 * (0.1.0) on, and refuses smaller ones. */
#include "config.h"

#include <stddef.h>
#include <string.h>
#include <glib.h>

#include "bootfix-module.h"
#include "host-private.h"

/* What a module built against a later header might pass. */
struct future_edit {
  struct bootfix_edit e;
  const char *later_field;
  uint64_t another;
};

static void
test_sizes (void)
{
  struct future_edit f = {
    .e = { ._struct_size = sizeof f, .kind = "bcd", .target = "t",
           .old_text = "o", .new_text = "n", .reason = "r" },
    .later_field = "ignored", .another = 7,
  };
  BootfixEditText text;
  g_assert_null (bootfix_host_edit_text (&f.e, &text));
  g_assert_cmpstr (text.change_kind, ==, "bcd");
  g_assert_cmpstr (text.reason, ==, "r");

  /* The first ABI's size exactly. */
  f.e._struct_size = offsetof (struct bootfix_edit, reason) + sizeof (char *);
  memset (&text, 0, sizeof text);
  g_assert_null (bootfix_host_edit_text (&f.e, &text));
  g_assert_cmpstr (text.new_text, ==, "n");
  g_assert_cmpstr (text.reason, ==, "r");

  /* Shorter than any module ever built: refused, not read past. */
  f.e._struct_size = offsetof (struct bootfix_edit, reason);
  g_assert_nonnull (bootfix_host_edit_text (&f.e, &text));
  f.e._struct_size = 0;
  g_assert_nonnull (bootfix_host_edit_text (&f.e, &text));
  g_assert_nonnull (bootfix_host_edit_text (NULL, &text));
}

static void
test_fields (void)
{
  static const struct {
    const char *kind, *target, *new_text, *old_text;
    gboolean ok;
  } cases[] = {
    { "file", "x", "n", NULL, TRUE },
    { NULL, "x", "n", NULL, FALSE },
    { "file", NULL, "n", NULL, FALSE },
    { "file", "x", NULL, NULL, FALSE },
    { "file", "\xff", "n", NULL, FALSE },
    { "file", "x", "\xc3", NULL, FALSE },
    { "file", "x", "n", "\xfe", FALSE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    struct bootfix_edit e = {
      ._struct_size = sizeof e, .kind = cases[i].kind,
      .target = cases[i].target, .new_text = cases[i].new_text,
      .old_text = cases[i].old_text,
    };
    BootfixEditText text;
    g_assert_cmpint (bootfix_host_edit_text (&e, &text) == NULL, ==,
                     cases[i].ok);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/host-edit/sizes", test_sizes);
  g_test_add_func ("/host-edit/fields", test_fields);
  return g_test_run ();
}
