/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The guest's registry hives, downloaded once (hive-cache.h). */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "bootfix-error.h"
#include "hive-cache.h"

static void
hive_file_free (gpointer p)
{
  BootfixHiveFile *hf = p;
  g_clear_pointer (&hf->dirty, bootfix_dirty_hive_free);
  g_clear_pointer (&hf->hive, bootfix_hive_free);
  if (hf->local_path)
    (void) g_unlink (hf->local_path);
  if (hf->new_path)
    (void) g_unlink (hf->new_path);
  g_free (hf->name);
  g_free (hf->guest_path);
  g_free (hf->local_path);
  g_free (hf->new_path);
  g_free (hf->staged);
  g_free (hf);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixHiveFile, hive_file_free)

BootfixHiveCache *
bootfix_hive_cache_new (BootfixGuest *guest, const char *guest_name,
                        const char *tmpdir)
{
  BootfixHiveCache *cache = g_new0 (BootfixHiveCache, 1);
  cache->guest = guest;
  cache->guest_name = g_strdup (guest_name);
  cache->tmpdir = g_strdup (tmpdir);
  cache->files = g_ptr_array_new_with_free_func (hive_file_free);
  cache->stores =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_dirty_hive_free);
  cache->states =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_hive_report_free);
  cache->warnings = g_ptr_array_new_with_free_func (g_free);
  return cache;
}

void
bootfix_hive_cache_free (BootfixHiveCache *cache)
{
  if (cache == NULL)
    return;
  g_ptr_array_unref (cache->files);
  g_ptr_array_unref (cache->stores);
  g_ptr_array_unref (cache->states);
  g_ptr_array_unref (cache->warnings);
  g_clear_error (&cache->error);
  g_free (cache->guest_name);
  g_free (cache->tmpdir);
  g_free (cache);
}

void
bootfix_hive_cache_set_discard_logs (BootfixHiveCache *cache, gboolean discard)
{
  cache->discard_logs = discard;
}

BootfixHiveFile *
bootfix_hive_cache_find (BootfixHiveCache *cache, const char *name)
{
  for (guint i = 0; i < cache->files->len; i++) {
    BootfixHiveFile *hf = g_ptr_array_index (cache->files, i);
    if (g_ascii_strcasecmp (hf->name, name) == 0)
      return hf;
  }
  return NULL;
}

/* A primary whose base block is dirty or bad is replayed before anyone
 * reads it (hive-dirty.c); a clean one costs one look at its first 4 KiB. */
static gboolean
check_dirty (BootfixHiveCache *cache, BootfixHiveFile *hf, GError **error)
{
  g_autoptr (GMappedFile) map = g_mapped_file_new (hf->local_path, FALSE, error);
  if (map == NULL)
    return FALSE;
  GBytes *primary = g_mapped_file_get_bytes (map);
  g_autoptr (GBytes) hive = g_bytes_ref (primary);
  gboolean ok = bootfix_hive_cache_check (cache, NULL, hf->guest_path, hf->name,
                                          hf->name, &hive, &hf->dirty, error);
  gboolean replayed = hive != primary;
  g_bytes_unref (primary);
  if (!ok || !replayed)
    return ok;
  return g_file_set_contents (hf->local_path, g_bytes_get_data (hive, NULL),
                              (gssize) g_bytes_get_size (hive), error);
}

/* ---- writing back ---- */

gboolean
bootfix_hive_cache_commit (BootfixHiveCache *cache, BootfixHiveFile *hf,
                           GError **error)
{
  g_free (hf->new_path);
  hf->new_path = g_strconcat (hf->local_path, ".new", NULL);
  if (!bootfix_hive_commit (hf->hive, hf->new_path, error))
    return FALSE;
  if (hf->dirty == NULL)
    return TRUE;
  g_autofree char *data = NULL;
  gsize len = 0;
  if (!g_file_get_contents (hf->new_path, &data, &len, error))
    return FALSE;
  return bootfix_dirty_hive_stamp (hf->dirty, (guint8 *) data, len, error) &&
         g_file_set_contents (hf->new_path, data, (gssize) len, error);
}

gboolean
bootfix_hive_cache_empty_logs (BootfixHiveCache *cache, BootfixHiveFile *hf,
                               GError **error)
{
  return bootfix_dirty_hive_empty_logs (cache->guest, hf->dirty, error);
}

BootfixHive *
bootfix_hive_cache_get (gpointer user, const char *name, GError **error)
{
  BootfixHiveCache *cache = user;
  BootfixHiveFile *found = bootfix_hive_cache_find (cache, name);
  if (found)
    return found->hive;
  if (g_ascii_strcasecmp (name, "SYSTEM") != 0 &&
      g_ascii_strcasecmp (name, "SOFTWARE") != 0) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_MODULE,
                 _("unknown registry hive '%s'"), name);
    return NULL;
  }
  /* Kept only once it opened: a failed entry would answer the next
   * lookup with no hive and no error. */
  g_autoptr (BootfixHiveFile) hf = g_new0 (BootfixHiveFile, 1);
  hf->name = g_ascii_strup (name, -1);
  hf->local_path = g_build_filename (cache->tmpdir, hf->name, NULL);
  hf->guest_path = bootfix_guest_hive_path (cache->guest, hf->name, error);
  if (hf->guest_path == NULL ||
      !bootfix_guest_download (cache->guest, NULL, hf->guest_path,
                               hf->local_path, error) ||
      !check_dirty (cache, hf, error))
    return NULL;
  hf->hive = bootfix_hive_open (hf->local_path, hf->guest_path, TRUE, error);
  if (hf->hive == NULL) {
    g_prefix_error (error, _("guest %s: "), cache->guest_name);
    return NULL;
  }
  g_ptr_array_add (cache->files, hf);
  return g_steal_pointer (&hf)->hive;
}
