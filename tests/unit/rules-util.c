/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers the rule tests share. */
#include "config.h"

#include <string.h>

#include "rules-util.h"

BootfixRuleSet *
load_string (const char *xml, GError **error)
{
  return bootfix_rule_set_load_data (xml, strlen (xml), "mem.xml", error);
}

BootfixRuleSet *
load_shipped (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_build_filename (bootfix_data_dir (), "rules", NULL);
  BootfixRuleSet *rs = bootfix_rule_set_load_dir (dir, &error);
  g_assert_no_error (error);
  g_assert_nonnull (rs);
  return rs;
}

static int
compare_strings (gconstpointer a, gconstpointer b, gpointer unused)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

char *
item_to_string (const BootfixRuleItem *item)
{
  guint n = 0;
  g_autoptr (GString) s = g_string_new (item->kind);
  g_autofree gpointer *keys = g_hash_table_get_keys_as_array (item->attrs, &n);
  g_qsort_with_data (keys, (gint) n, sizeof (gpointer), compare_strings, NULL);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, " %s=%s", (char *) keys[i],
                            bootfix_rule_item_attr (item, keys[i]));
  return g_string_free (g_steal_pointer (&s), FALSE);
}

void
assert_items (const BootfixRule *rule, const char *const *expect)
{
  guint n = g_strv_length ((char **) expect);
  for (guint i = 0; i < rule->items->len && i < n; i++) {
    g_autofree char *got = item_to_string (rule->items->pdata[i]);
    g_assert_cmpstr (got, ==, expect[i]);
  }
  g_assert_cmpuint (rule->items->len, ==, n);
}
