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
  return cache;
}

void
bootfix_hive_cache_free (BootfixHiveCache *cache)
{
  if (cache == NULL)
    return;
  g_ptr_array_unref (cache->files);
  g_free (cache->guest_name);
  g_free (cache->tmpdir);
  g_free (cache);
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
                               hf->local_path, error))
    return NULL;
  hf->hive = bootfix_hive_open (hf->local_path, hf->guest_path, TRUE, error);
  if (hf->hive == NULL) {
    g_prefix_error (error, _("guest %s: "), cache->guest_name);
    return NULL;
  }
  g_ptr_array_add (cache->files, hf);
  return g_steal_pointer (&hf)->hive;
}
