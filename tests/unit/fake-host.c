/* A host table over one hive, for the windows module (fake-host.h). */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <gmodule.h>

#include "cabinet.h"
#include "fake-host.h"

const struct bootfix_module *
fake_windows_module (void)
{
  static const struct bootfix_module *mod;
  if (mod != NULL)
    return mod;
  const char *path = g_getenv ("BOOTFIX_TEST_WINDOWS_MODULE");
  g_assert_nonnull (path);
  /* Kept open for the whole run. */
  GModule *m = g_module_open (path, G_MODULE_BIND_LOCAL);
  if (m == NULL)
    g_error ("%s: %s", path, g_module_error ());
  gpointer sym = NULL;
  g_assert_true (g_module_symbol (m, BOOTFIX_MODULE_INIT_SYMBOL, &sym));
  mod = ((const struct bootfix_module *(*) (void)) sym) ();
  g_assert_nonnull (mod);
  g_assert_cmpstr (mod->name, ==, "windows");
  return mod;
}

static Fake *
fake_of (const struct bootfix_host *h)
{
  return (Fake *) h;
}

/* A malloc'd copy with a NUL after it, as the host hands out data. */
static void *
copy_out (const void *p, gsize n)
{
  char *copy = malloc (n + 1);
  g_assert_nonnull (copy);
  if (n > 0)
    memcpy (copy, p, n);
  copy[n] = '\0';
  return copy;
}

static void
fake_log (const struct bootfix_host *h, int level, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  if (level >= BOOTFIX_LOG_WARNING)
    g_ptr_array_add (fake_of (h)->warnings, msg);
  else
    g_free (msg);
}

static void
fake_error (const struct bootfix_host *h, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_free (fake_of (h)->error);
  fake_of (h)->error = g_strdup_vprintf (fmt, ap);
  va_end (ap);
}

static const struct bootfix_rule *
fake_rule (const struct bootfix_host *h)
{
  return (const struct bootfix_rule *) fake_of (h)->rule;
}

static const BootfixRuleItem *
item_at (const struct bootfix_rule *r, size_t i)
{
  const BootfixRule *rule = (const BootfixRule *) r;
  return rule && i < rule->items->len ? rule->items->pdata[i] : NULL;
}

static size_t
fake_n_items (const struct bootfix_rule *r)
{
  return r ? ((const BootfixRule *) r)->items->len : 0;
}

static const char *
fake_item_kind (const struct bootfix_rule *r, size_t i)
{
  return item_at (r, i) ? item_at (r, i)->kind : NULL;
}

static const char *
fake_item_attr (const struct bootfix_rule *r, size_t i, const char *attr)
{
  return item_at (r, i) ? bootfix_rule_item_attr (item_at (r, i), attr) : NULL;
}

static const char *
fake_rule_id (const struct bootfix_rule *r)
{
  return r ? ((const BootfixRule *) r)->id : NULL;
}

/* Like the real host: a CurrentControlSet path reads the current one. */
static int
fake_get_value (const struct bootfix_host *h, const char *hive,
                const char *path, const char *name, uint32_t *type,
                void **data, size_t *len)
{
  Fake *f = fake_of (h);
  g_autoptr (GError) error = NULL;
  g_assert_cmpstr (hive, ==, "SYSTEM");
  f->n_reads++;
  g_autoptr (GPtrArray) paths = bootfix_hive_expand_path (f->hive, path, TRUE,
                                                          &error);
  g_assert_no_error (error);
  g_autoptr (GBytes) bytes = NULL;
  guint32 t = 0;
  int r = bootfix_hive_get_value (f->hive, paths->pdata[0], name, &t, &bytes,
                                  &error);
  g_assert_no_error (error);
  if (r <= 0)
    return r;
  gsize n = 0;
  const void *p = g_bytes_get_data (bytes, &n);
  *type = t;
  *data = copy_out (p, n);
  *len = n;
  return 1;
}

typedef int (*HiveLister) (BootfixHive *hive, const char *path, GStrv *names,
                           GError **error);

static int
fake_list (const struct bootfix_host *h, HiveLister list, const char *hive,
           const char *path, char ***names, size_t *n)
{
  Fake *f = fake_of (h);
  g_autoptr (GError) error = NULL;
  g_assert_cmpstr (hive, ==, "SYSTEM");
  f->n_reads++;
  g_autoptr (GPtrArray) paths = bootfix_hive_expand_path (f->hive, path, TRUE,
                                                          &error);
  g_assert_no_error (error);
  g_auto (GStrv) found = NULL;
  int r = list (f->hive, paths->pdata[0], &found, &error);
  g_assert_no_error (error);
  if (r <= 0)
    return r;
  guint len = g_strv_length (found);
  *names = calloc (len + 1, sizeof (char *));
  for (guint i = 0; i < len; i++)
    (*names)[i] = strdup (found[i]);
  *n = len;
  return 1;
}

static int
fake_list_values (const struct bootfix_host *h, const char *hive,
                  const char *path, char ***names, size_t *n)
{
  return fake_list (h, bootfix_hive_list_values, hive, path, names, n);
}

static int
fake_list_subkeys (const struct bootfix_host *h, const char *hive,
                   const char *path, char ***names, size_t *n)
{
  return fake_list (h, bootfix_hive_list_subkeys, hive, path, names, n);
}

static gboolean
file_known (const Fake *f, const char *path)
{
  g_autofree char *key = g_ascii_strdown (path, -1);
  return g_hash_table_contains (f->created, key)
         || f->files == NULL || g_hash_table_contains (f->files, key);
}

/* Matched case-insensitively, like the real host. */
static int
fake_file_exists (const struct bootfix_host *h, const char *path)
{
  fake_of (h)->n_file_checks++;
  return file_known (fake_of (h), path);
}

/* The entry of dir called name in any case. */
static char *
find_entry (const char *dir, const char *name)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *e;
  while (d != NULL && (e = g_dir_read_name (d)) != NULL)
    if (g_ascii_strcasecmp (e, name) == 0)
      return g_build_filename (dir, e, NULL);
  return NULL;
}

char *
fake_find_path (const char *root, const char *relpath)
{
  g_auto (GStrv) parts = g_strsplit_set (relpath, "\\/", -1);
  char *path = g_strdup (root);
  for (char **p = parts; path != NULL && *p != NULL; p++) {
    if (**p == '\0')
      continue;
    char *next = find_entry (path, *p);
    g_free (path);
    path = next;
  }
  return path;
}

/* The cabinets of folder, newest first, as the real host orders them;
 * a cabinet cabinet.c rejects is skipped with a warning. */
static int
fake_cabinet_extract (const struct bootfix_host *h, const char *folder,
                      const char *name, void **data, size_t *len,
                      char **source)
{
  Fake *f = fake_of (h);
  g_autofree char *dir = f->cabinet_root
                         ? fake_find_path (f->cabinet_root, folder) : NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) d = dir ? g_dir_open (dir, 0, NULL) : NULL;
  const char *e;
  while (d != NULL && (e = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (e));
  g_ptr_array_add (names, NULL);
  g_auto (GStrv) order = bootfix_cabinet_order ((const char *const *)
                                                names->pdata);
  for (char **c = order; *c != NULL; c++) {
    g_autofree char *path = g_build_filename (dir, *c, NULL);
    g_autofree char *shown = g_strdup_printf ("%%SystemRoot%%\\%s\\%s",
                                              folder, *c);
    g_autoptr (GMappedFile) map = g_mapped_file_new (path, FALSE, NULL);
    g_assert_nonnull (map);
    g_autoptr (GBytes) cab = g_mapped_file_get_bytes (map);
    g_autoptr (GBytes) out = NULL;
    g_autoptr (GError) error = NULL;
    if (!bootfix_cabinet_extract (cab, shown, name, &out, &error)) {
      fake_log (h, BOOTFIX_LOG_WARNING, "%s", error->message);
      continue;
    }
    if (out == NULL)
      continue;
    gsize n = 0;
    const void *p = g_bytes_get_data (out, &n);
    *data = copy_out (p, n);
    *len = n;
    if (source != NULL)
      *source = strdup (shown);
    return 1;
  }
  return 0;
}

static int
fake_create_windows_file (const struct bootfix_host *h,
                          const struct bootfix_edit *edit, const char *relpath,
                          const void *data, size_t len)
{
  Fake *f = fake_of (h);
  g_autofree char *key = g_ascii_strdown (relpath, -1);
  g_assert_false (file_known (f, relpath));
  GBytes *bytes = g_bytes_new (data, len);
  BootfixEditText text = {
    .change_kind = edit->kind, .target = edit->target,
    .old_text = edit->old_text, .new_text = edit->new_text,
    .reason = edit->reason,
  };
  bootfix_plan_add_edit (f->plan, BOOTFIX_ACTION_REPLACE_FILE, &text, NULL,
                         relpath, 0, NULL, bytes);
  g_hash_table_insert (f->created, g_steal_pointer (&key), bytes);
  return 0;
}

static int
fake_read_driver_source (const struct bootfix_host *h, const char *relpath,
                         size_t max_len, void **data, size_t *len)
{
  Fake *f = fake_of (h);
  g_autofree char *path = f->driver_tree
                          ? fake_find_path (f->driver_tree, relpath) : NULL;
  g_autofree char *contents = NULL;
  gsize n = 0;
  if (path == NULL || !g_file_get_contents (path, &contents, &n, NULL))
    return 0;
  g_assert_cmpuint (n, <=, max_len);
  *data = copy_out (contents, n);
  *len = n;
  return 1;
}

static int
fake_ensure_key (const struct bootfix_host *h, const char *hive,
                 const char *path, const char *reason)
{
  bootfix_plan_add (fake_of (h)->plan, BOOTFIX_ACTION_ENSURE_KEY, hive, path,
                    NULL, 0, NULL, 0, reason);
  return 0;
}

static int
fake_set_value (const struct bootfix_host *h, const char *hive,
                const char *path, const char *name, uint32_t type,
                const void *data, size_t len, const char *reason)
{
  bootfix_plan_add (fake_of (h)->plan, BOOTFIX_ACTION_SET_VALUE, hive, path,
                    name, type, data, len, reason);
  return 0;
}

static int
fake_delete_value (const struct bootfix_host *h, const char *hive,
                   const char *path, const char *name, const char *reason)
{
  bootfix_plan_add (fake_of (h)->plan, BOOTFIX_ACTION_DELETE_VALUE, hive,
                    path, name, 0, NULL, 0, reason);
  return 0;
}

static int
fake_delete_key (const struct bootfix_host *h, const char *hive,
                 const char *path, const char *reason)
{
  bootfix_plan_add (fake_of (h)->plan, BOOTFIX_ACTION_DELETE_KEY, hive, path,
                    NULL, 0, NULL, 0, reason);
  return 0;
}

static int
fake_refuse (const struct bootfix_host *h, const char *why, const char *advice)
{
  bootfix_plan_refuse (fake_of (h)->plan, why, advice);
  return 0;
}

void
fake_init (Fake *f, BootfixHive *hive, const BootfixRule *rule)
{
  *f = (Fake) { 0 };
  f->facts = (struct bootfix_facts) {
    ._struct_size = sizeof f->facts,
    .guest_name = "test", .os_type = "windows",
    .product_name = "Windows 10 Pro", .product_variant = "Client",
    .arch = "x86_64", .osinfo = "win10", .major_version = 10,
    .minor_version = 0, .machine = "pc", .machine_family = "i440fx",
    .bus = "ide", .controller_id = "piix3-ide", .pci_id = "8086:7010",
    .driver_source = "",
  };
  f->host = (struct bootfix_host) {
    ._struct_size = sizeof (struct bootfix_host),
    ._api_version = BOOTFIX_API_VERSION,
    .facts = &f->facts,
    .log = fake_log, .error = fake_error,
    .rule = fake_rule, .rule_n_items = fake_n_items,
    .rule_item_kind = fake_item_kind, .rule_item_attr = fake_item_attr,
    .rule_id = fake_rule_id,
    .get_value = fake_get_value, .file_exists = fake_file_exists,
    .list_values = fake_list_values,
    .ensure_key = fake_ensure_key, .set_value = fake_set_value,
    .delete_value = fake_delete_value, .delete_key = fake_delete_key,
    .refuse = fake_refuse,
    .cabinet_extract = fake_cabinet_extract,
    .create_windows_file = fake_create_windows_file,
    .read_driver_source = fake_read_driver_source,
    .list_subkeys = fake_list_subkeys,
  };
  f->hive = hive;
  f->rule = rule;
  f->plan = bootfix_plan_new ();
  f->warnings = g_ptr_array_new_with_free_func (g_free);
  f->created = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) g_bytes_unref);
}

void
fake_clear (Fake *f)
{
  g_clear_pointer (&f->plan, bootfix_plan_free);
  g_clear_pointer (&f->warnings, g_ptr_array_unref);
  g_clear_pointer (&f->files, g_hash_table_unref);
  g_clear_pointer (&f->created, g_hash_table_unref);
  g_clear_pointer (&f->error, g_free);
}

void
fake_set_file_list (Fake *f, const char *text)
{
  g_clear_pointer (&f->files, g_hash_table_unref);
  f->files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l != NULL; l++) {
    g_strstrip (*l);
    if (**l != '\0')
      g_hash_table_add (f->files, g_ascii_strdown (*l, -1));
  }
}

GPtrArray *
fake_plan_and_apply (Fake *f)
{
  g_assert_cmpint (fake_windows_module ()->plan (&f->host), ==, 0);
  GPtrArray *changes =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_change_free);
  g_autoptr (GError) error = NULL;
  for (guint i = 0; i < f->plan->actions->len && !f->plan->refused; i++) {
    const BootfixAction *a = f->plan->actions->pdata[i];
    if (bootfix_action_is_registry (a))
      g_assert_true (bootfix_hive_apply (f->hive, a, "SYSTEM", TRUE, changes,
                                         &error));
  }
  g_assert_no_error (error);
  return changes;
}
