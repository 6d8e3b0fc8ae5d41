/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The README's support matrix (Windows family x controller), made with
 * the rule matcher virt-bootfix itself uses (rules.c, controllers.c),
 * so the table cannot disagree with the program.
 *
 *   support-matrix [--data DIR]                  print the table
 *   support-matrix [--data DIR] --check README   exit 1 when the block
 *                                                between the markers differs
 *   support-matrix [--data DIR] --update README  rewrite that block
 *
 * Exit status: 0 fine, 1 --check found a difference (or no markers),
 * 2 bad data or usage.
 *
 * Rows are NT versions, as the rules are (no osinfo).  Cells: "fix: A+B"
 * (the services the rule makes boot-start, by name), "refused: no inbox
 * driver" (a refusal whose id ends in -refuse), "refused: unconfirmed"
 * (one ending in -unconfirmed), "no rule" (no rule covers it).  Rules
 * for a user-supplied driver tree (--virtio-win) are not asked: the
 * table shows what works without one. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "bootfix-error.h"
#include "controllers.h"
#include "rules.h"

#define BEGIN "<!-- support-matrix:begin -->"
#define END "<!-- support-matrix:end -->"

typedef struct {
  const char *label;
  int major, minor;
  gboolean has_x64;
} Family;

static const Family families[] = {
  { "2000 (5.0)", 5, 0, FALSE },
  { "XP (5.1)", 5, 1, FALSE },
  { "XP x64 / 2003 (5.2)", 5, 2, TRUE },
  { "Vista / 2008 (6.0)", 6, 0, TRUE },
  { "7 / 2008 R2 (6.1)", 6, 1, TRUE },
  { "8 / 2012 (6.2)", 6, 2, TRUE },
  { "8.1 / 2012 R2 (6.3)", 6, 3, TRUE },
  { "10 / 11 / 2016-2025 (10.0)", 10, 0, TRUE },
};
static const char *const arches[] = { "i386", "x86_64" };
static const char *const arch_labels[] = { "x86", "x64" };
static const char *const variants[] = { "client", "server" };

static gint
by_name (gconstpointer a, gconstpointer b)
{
  return g_ascii_strcasecmp (*(const char *const *) a, *(const char *const *) b);
}

/* What the rule does, in the words of the table. */
static char *
outcome (const BootfixRule *rule)
{
  g_autoptr (GPtrArray) boot = g_ptr_array_new ();

  if (rule == NULL)
    return g_strdup ("no rule");
  for (guint i = 0; i < rule->items->len; i++) {
    const BootfixRuleItem *item = g_ptr_array_index (rule->items, i);
    const char *start = bootfix_rule_item_attr (item, "start");
    if (strcmp (item->kind, "refuse") == 0)
      return g_strdup (g_str_has_suffix (rule->id, "-refuse")
                       ? "refused: no inbox driver"
                       : g_str_has_suffix (rule->id, "-unconfirmed")
                       ? "refused: unconfirmed" : "refused");
    if (strcmp (item->kind, "service") == 0 && g_strcmp0 (start, "0") == 0)
      g_ptr_array_add (boot, (gpointer) bootfix_rule_item_attr (item, "name"));
  }
  if (boot->len == 0)
    return g_strdup ("fix");
  g_ptr_array_sort (boot, by_name);  /* stable: equal names keep file order */
  g_ptr_array_add (boot, NULL);
  g_autofree char *names = g_strjoinv ("+", (char **) boot->pdata);
  return g_strconcat ("fix: ", names, NULL);
}

/* One row of cells: "| a | b |" without the label. */
static char *
cells (const BootfixRuleSet *rs, GPtrArray *controllers, const Family *f,
       const char *arch, const char *variant, GError **error)
{
  g_autoptr (GString) row = g_string_new (NULL);

  for (guint i = 0; i < controllers->len; i++) {
    BootfixRuleQuery q = { f->major, f->minor, arch, NULL, variant,
                           controllers->pdata[i], NULL };
    g_autoptr (GError) local = NULL;
    const BootfixRule *rule = bootfix_rule_set_match (rs, &q, &local);
    if (local != NULL) {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
    g_autofree char *text = outcome (rule);
    g_string_append_printf (row, " %s |", text);
  }
  return g_string_free (g_steal_pointer (&row), FALSE);
}

/* A family's rows: one when every arch and variant agree, else one per
 * arch when the variants agree, else one per arch and variant. */
static gboolean
family_rows (const BootfixRuleSet *rs, GPtrArray *controllers, const Family *f,
             GString *out, GError **error)
{
  guint n_arches = f->has_x64 ? 2 : 1;
  char *row[2][2] = { { NULL } };
  gboolean same = TRUE, by_arch = TRUE;
  gboolean ok = TRUE;

  for (guint a = 0; a < n_arches && ok; a++)
    for (guint v = 0; v < 2 && ok; v++)
      ok = (row[a][v] = cells (rs, controllers, f, arches[a], variants[v],
                               error)) != NULL;
  for (guint a = 0; a < n_arches && ok; a++) {
    by_arch = by_arch && strcmp (row[a][0], row[a][1]) == 0;
    for (guint v = 0; v < 2; v++)
      same = same && strcmp (row[a][v], row[0][0]) == 0;
  }
  for (guint a = 0; a < n_arches && ok; a++)
    for (guint v = 0; v < 2; v++) {
      if ((same && (a > 0 || v > 0)) || (by_arch && v > 0))
        continue;
      g_string_append_printf (out, "| %s", f->label);
      if (!same)
        g_string_append_printf (out, ", %s", arch_labels[a]);
      if (!same && !by_arch)
        g_string_append_printf (out, " %s", variants[v]);
      g_string_append_printf (out, " |%s\n", row[a][v]);
    }
  for (guint a = 0; a < 2; a++)
    for (guint v = 0; v < 2; v++)
      g_free (row[a][v]);
  return ok;
}

/* The bootable controllers, in file order: the columns. */
static GPtrArray *
bootable_controllers (const char *data_dir, GError **error)
{
  g_autofree char *path = g_build_filename (data_dir, "controllers.xml", NULL);
  g_autoptr (BootfixControllerDb) db = bootfix_controller_db_load (path, error);
  if (db == NULL)
    return NULL;
  g_autoptr (GPtrArray) ids = bootfix_controller_db_list (db);
  GPtrArray *bootable = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < ids->len; i++)
    if (bootfix_controller_db_lookup (db, ids->pdata[i])->bootable)
      g_ptr_array_add (bootable, g_strdup (ids->pdata[i]));
  if (bootable->len == 0) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_INVALID_DATA,
                 "%s lists no bootable controller", path);
    g_ptr_array_unref (bootable);
    return NULL;
  }
  return bootable;
}

static char *
make_table (const char *data_dir, GError **error)
{
  g_autofree char *rules_dir = g_build_filename (data_dir, "rules", NULL);
  g_autoptr (BootfixRuleSet) rs = bootfix_rule_set_load_dir (rules_dir, error);
  g_autoptr (GPtrArray) controllers = NULL;
  g_autoptr (GString) out = g_string_new (
    "<!-- generated by src/tools/support-matrix.c from data/rules and "
    "data/controllers.xml; run ninja update-support-matrix in the build "
    "directory -->\n| Windows (NT) |");

  if (rs == NULL || (controllers = bootable_controllers (data_dir, error)) == NULL)
    return NULL;
  for (guint i = 0; i < controllers->len; i++)
    g_string_append_printf (out, " `%s` |", (const char *) controllers->pdata[i]);
  g_string_append_c (out, '\n');
  for (guint i = 0; i <= controllers->len; i++)
    g_string_append (out, "|---");
  g_string_append (out, "|\n");
  for (gsize f = 0; f < G_N_ELEMENTS (families); f++)
    if (!family_rows (rs, controllers, &families[f], out, error))
      return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Split text around the block between the markers (the begin marker's
 * line end belongs to the head).  FALSE without both, in that order. */
static gboolean
split_readme (const char *text, gsize *block_start, gsize *block_end)
{
  const char *b = strstr (text, BEGIN);
  const char *e = b != NULL ? strstr (b + 1, END) : NULL;

  if (e == NULL)
    return FALSE;
  *block_start = (gsize) (b - text) + strlen (BEGIN);
  if (text[*block_start] == '\n')
    *block_start += 1;
  *block_end = (gsize) (e - text);
  return *block_start <= *block_end;
}

/* Show, line by line, where the README's block and the table differ. */
static void
print_difference (const char *path, const char *block, const char *table)
{
  g_auto (GStrv) old = g_strsplit (block, "\n", -1);
  g_auto (GStrv) new = g_strsplit (table, "\n", -1);
  guint n_old = g_strv_length (old), n_new = g_strv_length (new);

  fprintf (stderr, "--- %s (support matrix)\n+++ generated\n", path);
  for (guint i = 0; i < MAX (n_old, n_new); i++) {
    const char *o = i < n_old ? old[i] : NULL, *n = i < n_new ? new[i] : NULL;
    if (g_strcmp0 (o, n) == 0)
      continue;
    if (o != NULL)
      fprintf (stderr, "-%s\n", o);
    if (n != NULL)
      fprintf (stderr, "+%s\n", n);
  }
}

/* --check (update FALSE) or --update path with the table. */
static int
check_or_update (const char *path, const char *table, gboolean update)
{
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  gsize start, end;

  if (!g_file_get_contents (path, &text, NULL, &error)) {
    fprintf (stderr, "support-matrix: %s\n", error->message);
    return 2;
  }
  if (!split_readme (text, &start, &end)) {
    fprintf (stderr, "support-matrix: %s: no '%s' ... '%s' block\n", path, BEGIN, END);
    return 1;
  }
  g_autofree char *block = g_strndup (text + start, end - start);
  if (strcmp (block, table) == 0)
    return 0;
  if (!update) {
    print_difference (path, block, table);
    fprintf (stderr, "support-matrix: %s is out of date; run ninja "
             "update-support-matrix in the build directory\n", path);
    return 1;
  }
  g_autofree char *head = g_strndup (text, start);
  g_autofree char *whole = g_strconcat (head, table, text + end, NULL);
  if (!g_file_set_contents (path, whole, -1, &error)) {
    fprintf (stderr, "support-matrix: %s\n", error->message);
    return 2;
  }
  return 0;
}

int
main (int argc, char **argv)
{
  g_autofree char *data_dir = NULL, *check = NULL, *update = NULL;
  GOptionEntry entries[] = {
    { "data", 0, 0, G_OPTION_ARG_FILENAME, &data_dir,
      "data folder (default: the source tree's data/)", "DIR" },
    { "check", 0, 0, G_OPTION_ARG_FILENAME, &check,
      "exit 1 when README's block between the markers differs", "README" },
    { "update", 0, 0, G_OPTION_ARG_FILENAME, &update, "rewrite that block", "README" },
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- print the support matrix");
  g_autoptr (GError) error = NULL;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || argc > 1 ||
      (check != NULL && update != NULL)) {
    fprintf (stderr, "support-matrix: %s\n", error != NULL ? error->message
             : "give at most one of --check and --update, and no arguments");
    return 2;
  }
  g_autofree char *table = make_table (data_dir != NULL ? data_dir
                                       : bootfix_data_dir (), &error);
  if (table == NULL) {
    fprintf (stderr, "support-matrix: %s\n", error->message);
    return 2;
  }
  if (check == NULL && update == NULL) {
    fputs (table, stdout);
    return 0;
  }
  return check_or_update (check != NULL ? check : update, table, update != NULL);
}
