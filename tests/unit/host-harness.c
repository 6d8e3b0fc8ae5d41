/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The real host table over an in-memory guest (host-harness.h). */
#include "config.h"

#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "hive-files.h"
#include "host-harness.h"
#include "host-private.h"

const BootfixModule *
harness_module (const char *env_var)
{
  static GHashTable *loaded; /* env_var -> BootfixModule, kept for the run */
  if (loaded == NULL)
    loaded = g_hash_table_new (g_str_hash, g_str_equal);
  BootfixModule *mod = g_hash_table_lookup (loaded, env_var);
  if (mod != NULL)
    return mod;
  const char *path = g_getenv (env_var);
  g_assert_nonnull (path);
  g_autoptr (GError) error = NULL;
  mod = bootfix_module_load (path, &error);
  g_assert_no_error (error);
  g_hash_table_insert (loaded, (gpointer) env_var, mod);
  return mod;
}

GBytes *
harness_mini_bcd (void)
{
  return test_mini_bcd ();
}

char *
harness_copy_mini_bcd (void)
{
  g_autoptr (GBytes) base = test_mini_bcd ();
  return test_temp_file (g_bytes_get_data (base, NULL),
                         g_bytes_get_size (base));
}

BootfixGuest *
harness_guest_new (void)
{
  return bootfix_memory_guest_new ("test", HARNESS_ROOT, HARNESS_SYSTEMROOT);
}

void
harness_add_windows_file (BootfixGuest *guest, const char *relpath,
                          GBytes *data)
{
  g_autofree char *path = g_strconcat (HARNESS_SYSTEMROOT "/", relpath, NULL);
  bootfix_memory_guest_add_file (guest, NULL, path, data);
}

/* The bytes a hive holds now, through a commit to a host file. */
static GBytes *
hive_bytes (BootfixHive *hive)
{
  g_autofree char *tmp = NULL;
  g_autoptr (GError) error = NULL;
  int fd = g_file_open_tmp ("host-harness-XXXXXX.hive", &tmp, &error);
  g_assert_no_error (error);
  close (fd);
  g_assert_true (bootfix_hive_commit (hive, tmp, &error));
  g_assert_no_error (error);
  char *data = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (tmp, &data, &len, &error));
  (void) g_unlink (tmp);
  return g_bytes_new_take (data, len);
}

void
harness_add_hive (BootfixGuest *guest, const char *name, BootfixHive *hive)
{
  g_autoptr (GBytes) bytes = hive_bytes (hive);
  g_autofree char *rel = g_strconcat ("System32/config/", name, NULL);
  harness_add_windows_file (guest, rel, bytes);
}

/* The executor's getters, counting registry reads. */
static BootfixHive *
get_hive (gpointer user, const char *name, GError **error)
{
  Harness *h = user;
  h->n_reads++;
  return bootfix_hive_cache_get (h->hives, name, error);
}

static GBytes *
get_file (gpointer user, const char *device, const char *path, gsize max_len,
          GError **error)
{
  Harness *h = user;
  return bootfix_edits_get_file (h->edits, device, path, max_len, error);
}

/* Harnesses between init and clear, for the handler below. */
static GSList *active;

/* The host passes a module's warnings to g_warning as well, and a test
 * makes warnings fatal.  The harness keeps them in h->warnings for the
 * test to judge, so those (and only those) are shown as test messages
 * and do not abort. */
static gboolean
is_module_warning (GLogLevelFlags level, const char *message)
{
  for (GSList *l = active; l && (level & G_LOG_LEVEL_WARNING); l = l->next) {
    GPtrArray *w = ((Harness *) l->data)->warnings;
    if (w->len > 0 && g_strcmp0 (g_ptr_array_index (w, w->len - 1), message) == 0)
      return TRUE;
  }
  return FALSE;
}

static void
log_handler (const char *domain, GLogLevelFlags level, const char *message,
             gpointer user)
{
  if (is_module_warning (level, message))
    g_test_message ("module warning: %s", message);
  else
    g_log_default_handler (domain, level, message, user);
}

static gboolean
fatal_handler (const char *domain, GLogLevelFlags level, const char *message,
               gpointer user)
{
  return !is_module_warning (level, message);
}

void
harness_init (Harness *h, BootfixGuest *guest, const BootfixRule *rule)
{
  *h = (Harness) { .guest = guest, .rule = rule };
  g_test_log_set_fatal_handler (fatal_handler, NULL);
  static gsize handler_set;
  if (g_once_init_enter (&handler_set))
    g_once_init_leave (&handler_set,
                       g_log_set_handler (NULL, G_LOG_LEVEL_WARNING |
                                          G_LOG_FLAG_FATAL, log_handler, NULL));
  active = g_slist_prepend (active, h);
  h->facts = (struct bootfix_facts) {
    ._struct_size = sizeof h->facts,
    .guest_name = "test", .os_type = "windows",
    .product_name = "Windows 10 Pro", .product_variant = "Client",
    .arch = "x86_64", .osinfo = "win10", .major_version = 10,
    .minor_version = 0, .machine = "pc", .machine_family = "i440fx",
    .bus = "ide", .controller_id = "piix3-ide", .pci_id = "8086:7010",
    .driver_source = "", .firmware = "bios", .boot_disk = 0,
  };
  g_autoptr (GError) error = NULL;
  h->tmpdir = g_dir_make_tmp ("host-harness-XXXXXX", &error);
  g_assert_no_error (error);
  h->plan = bootfix_plan_new ();
  h->hives = bootfix_hive_cache_new (guest, "test", h->tmpdir);
  h->edits = bootfix_edits_new (guest, "test", h->tmpdir, h->hives);
  h->ctx = bootfix_host_context_new (&h->facts, rule, h->plan, guest,
                                     get_hive, h);
  bootfix_host_context_set_file_getter (h->ctx, get_file);
  h->warnings = bootfix_host_context_messages (h->ctx);
  h->created = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) g_bytes_unref);
}

void
harness_clear (Harness *h)
{
  g_clear_pointer (&h->ctx, bootfix_host_context_free);
  g_clear_pointer (&h->edits, bootfix_edits_free);
  g_clear_pointer (&h->hives, bootfix_hive_cache_free);
  g_clear_pointer (&h->plan, bootfix_plan_free);
  g_clear_pointer (&h->created, g_hash_table_unref);
  if (h->tmpdir)
    g_assert_cmpint (g_rmdir (h->tmpdir), ==, 0);
  g_clear_pointer (&h->tmpdir, g_free);
  h->warnings = NULL;
  active = g_slist_remove (active, h);
}

const struct bootfix_host *
harness_host (Harness *h)
{
  return &h->ctx->host;
}

void
harness_set_driver_source (Harness *h, const char *dir)
{
  bootfix_host_context_set_driver_source (h->ctx, dir);
  h->driver_source = dir;
}

int
harness_call (Harness *h, const BootfixModule *mod, BootfixCallback which,
              GError **error)
{
  return bootfix_host_call (h->ctx, mod, which, error);
}

BootfixHive *
harness_hive (Harness *h, const char *name)
{
  g_autoptr (GError) error = NULL;
  BootfixHive *hive = bootfix_hive_cache_get (h->hives, name, &error);
  g_assert_no_error (error);
  return hive;
}

char *
harness_windows_relpath (const char *guest_path)
{
  static const char prefix[] = HARNESS_SYSTEMROOT "/";
  if (g_ascii_strncasecmp (guest_path, prefix, strlen (prefix)) != 0)
    return NULL;
  g_autofree char *rel = g_strdelimit (g_strdup (guest_path + strlen (prefix)),
                                       "/", '\\');
  return g_ascii_strdown (rel, -1);
}

/* What the executor's commit and upload leave in the guest. */
static void
write_back (Harness *h)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (bootfix_edits_prepare (h->edits, h->plan, &error));
  g_assert_true (bootfix_edits_write (h->edits, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < h->hives->files->len; i++) {
    BootfixHiveFile *hf = g_ptr_array_index (h->hives->files, i);
    g_autoptr (GBytes) bytes = hive_bytes (hf->hive);
    bootfix_memory_guest_add_file (h->guest, NULL, hf->guest_path, bytes);
  }
}

static void
note_created (Harness *h, const BootfixAction *a)
{
  g_autofree char *rel = a->device ? NULL : harness_windows_relpath (a->file);
  if (a->kind == BOOTFIX_ACTION_REPLACE_FILE && a->old == NULL && rel)
    g_hash_table_insert (h->created, g_steal_pointer (&rel),
                         g_bytes_ref (a->data));
}

GPtrArray *
harness_plan_and_apply (Harness *h, const BootfixModule *mod,
                        GPtrArray *file_changes)
{
  g_autoptr (GError) error = NULL;
  int r = harness_call (h, mod, BOOTFIX_CALLBACK_PLAN, &error);
  g_assert_no_error (error);
  g_assert_cmpint (r, ==, 0);
  GPtrArray *changes =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_change_free);
  if (h->plan->refused)
    return changes;
  g_autoptr (GPtrArray) others =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_change_free);
  for (guint i = 0; i < h->plan->actions->len; i++) {
    const BootfixAction *a = h->plan->actions->pdata[i];
    if (bootfix_action_is_registry (a)) {
      BootfixHive *hive = harness_hive (h, a->hive);
      const char *name = bootfix_hive_cache_find (h->hives, a->hive)->name;
      g_assert_true (bootfix_hive_apply (hive, a, name, TRUE, changes, &error));
    } else {
      g_assert_true (bootfix_edits_apply (h->edits, a, TRUE,
                                          file_changes ? file_changes : others,
                                          &error));
      note_created (h, a);
    }
    g_assert_no_error (error);
  }
  write_back (h);
  return changes;
}
