/* The guest's registry hives, downloaded once (hive-cache.h). */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "bootfix-error.h"
#include "hive-cache.h"

static void
log_file_free (gpointer p)
{
  BootfixHiveLogFile *lf = p;
  g_free (lf->guest_path);
  g_free (lf);
}

static void
hive_file_free (gpointer p)
{
  BootfixHiveFile *hf = p;
  g_clear_pointer (&hf->logs, g_ptr_array_unref);
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

/* ---- dirty hives (docs/hive-logs.md) ---- */

/* One log next to the hive (suffix ".LOG1", ...), any case; NULL when
 * there is none.  An empty log is no log, but is kept in hf->logs only
 * when it holds something to empty. */
static gboolean
read_log (BootfixHiveCache *cache, BootfixHiveFile *hf, const char *suffix,
          GBytes **out, GError **error)
{
  g_autofree char *path = g_strconcat (hf->guest_path, suffix, NULL);
  g_autofree char *real = NULL;
  *out = NULL;
  int r = bootfix_guest_read_file (cache->guest, NULL, path,
                                   BOOTFIX_HIVE_LOG_MAX_LOG_SIZE, out, &real,
                                   error);
  if (r < 0) {
    g_prefix_error (error, _("guest %s: transaction log of %s: "),
                    cache->guest_name, hf->guest_path);
    return FALSE;
  }
  if (r == 0 || g_bytes_get_size (*out) == 0) {
    g_clear_pointer (out, g_bytes_unref);
    return TRUE;
  }
  BootfixHiveLogFile *lf = g_new0 (BootfixHiveLogFile, 1);
  lf->guest_path = g_steal_pointer (&real);
  lf->size = g_bytes_get_size (*out);
  g_ptr_array_add (hf->logs, lf);
  return TRUE;
}

/* What Windows would load, in hf->local_path, and the number the hive
 * must carry once written.  logs: LOG1, LOG2, and the single .LOG of
 * older systems, which stands in for LOG1 when there is none. */
static gboolean
replay (BootfixHiveCache *cache, BootfixHiveFile *hf, GBytes *primary,
        BootfixHiveReplayReport *rep, GError **error)
{
  g_autoptr (GBytes) log1 = NULL, log2 = NULL, log = NULL;
  if (!read_log (cache, hf, ".LOG1", &log1, error) ||
      !read_log (cache, hf, ".LOG2", &log2, error) ||
      !read_log (cache, hf, ".LOG", &log, error))
    return FALSE;
  GBytes *first = log1 ? log1 : log;
  g_autoptr (GBytes) result = NULL;
  if (!bootfix_hive_replay (primary, first, log2, &result, rep, error) ||
      (rep->verdict != BOOTFIX_HIVE_REPLAY_DAMAGED &&
       !bootfix_hive_log_safe_sequence (&rep->primary, first, log2,
                                        &hf->safe_sequence, error))) {
    g_prefix_error (error, _("guest %s: "), cache->guest_name);
    return FALSE;
  }
  if (rep->verdict != BOOTFIX_HIVE_REPLAY_REPLAYED)
    return TRUE;
  return g_file_set_contents (hf->local_path, g_bytes_get_data (result, NULL),
                              (gssize) g_bytes_get_size (result), error);
}

/* Keep the first refusal or damage for the executor, then fail. */
static gboolean
hive_failed (BootfixHiveCache *cache, GError *e, GError **error)
{
  if (cache->error == NULL)
    cache->error = g_error_copy (e);
  g_propagate_error (error, e);
  return FALSE;
}

/* Act on the verdict: go on, go on with a warning, refuse, or fail. */
static gboolean
judge (BootfixHiveCache *cache, BootfixHiveFile *hf, const char *detail,
       GError **error)
{
  switch (hf->verdict) {
  case BOOTFIX_HIVE_REPLAY_CLEAN:
  case BOOTFIX_HIVE_REPLAY_REPLAYED:
    return TRUE;
  case BOOTFIX_HIVE_REPLAY_DAMAGED:
    return hive_failed (cache, g_error_new (BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
                                            _("guest %s: %s (%s)"),
                                            cache->guest_name, detail,
                                            hf->guest_path), error);
  case BOOTFIX_HIVE_REPLAY_LOGS_MISSING:
  case BOOTFIX_HIVE_REPLAY_LOGS_DO_NOT_APPLY:
    break;
  }
  if (!cache->discard_logs)
    return hive_failed (cache, g_error_new (
        BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED,
        _("guest %s: %s (%s): the newest registry changes live only in "
          "the transaction logs, so editing the hive as it is would lose "
          "them.  Run again with --discard-hive-logs to fix the guest "
          "anyway and accept that loss"), cache->guest_name, detail,
        hf->guest_path), error);
  g_ptr_array_add (cache->warnings,
                   g_strdup_printf (_("warning: %s; edited as it is "
                                      "(--discard-hive-logs): the registry "
                                      "changes only its logs held are lost"),
                                    detail));
  return TRUE;
}

/* A primary whose base block is dirty or bad is replayed before anyone
 * reads it; a clean one costs one look at its first 4 KiB. */
static gboolean
check_dirty (BootfixHiveCache *cache, BootfixHiveFile *hf, GError **error)
{
  g_autoptr (GMappedFile) map = g_mapped_file_new (hf->local_path, FALSE, error);
  if (map == NULL)
    return FALSE;
  g_autoptr (GBytes) primary = g_mapped_file_get_bytes (map);
  BootfixHiveHeader h;
  BootfixHiveState state =
    bootfix_hive_header_read (g_bytes_get_data (primary, NULL),
                              g_bytes_get_size (primary), &h);
  /* Not a hive at all: hivex says so, naming the file. */
  if (state != BOOTFIX_HIVE_DIRTY && state != BOOTFIX_HIVE_BAD_CHECKSUM)
    return TRUE;
  BootfixHiveReplayReport rep = { 0 };
  if (!replay (cache, hf, primary, &rep, error)) {
    bootfix_hive_replay_report_clear (&rep);
    return FALSE;
  }
  hf->verdict = rep.verdict;
  g_autofree char *detail = bootfix_hive_replay_describe (&rep, hf->name);
  bootfix_hive_replay_report_clear (&rep);
  g_ptr_array_add (cache->states,
                   bootfix_hive_report_new (hf->name, hf->guest_path,
                                            bootfix_hive_replay_verdict_name (hf->verdict),
                                            detail));
  return judge (cache, hf, detail, error);
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
  if (hf->verdict == BOOTFIX_HIVE_REPLAY_CLEAN)
    return TRUE;
  g_autofree char *data = NULL;
  gsize len = 0;
  if (!g_file_get_contents (hf->new_path, &data, &len, error))
    return FALSE;
  return bootfix_hive_stamp_sequence ((guint8 *) data, len, hf->safe_sequence,
                                      error) &&
         g_file_set_contents (hf->new_path, data, (gssize) len, error);
}

gboolean
bootfix_hive_cache_empty_logs (BootfixHiveCache *cache, BootfixHiveFile *hf,
                               GError **error)
{
  if (hf->verdict == BOOTFIX_HIVE_REPLAY_CLEAN)
    return TRUE;
  for (guint i = 0; i < hf->logs->len; i++) {
    const BootfixHiveLogFile *lf = g_ptr_array_index (hf->logs, i);
    if (!bootfix_guest_truncate (cache->guest, NULL, lf->guest_path, error))
      return FALSE;
  }
  return TRUE;
}

void
bootfix_hive_cache_log_changes (BootfixHiveCache *cache, GPtrArray *changes)
{
  for (guint i = 0; i < cache->files->len; i++) {
    const BootfixHiveFile *hf = g_ptr_array_index (cache->files, i);
    if (!hf->changed || hf->verdict == BOOTFIX_HIVE_REPLAY_CLEAN)
      continue;
    for (guint j = 0; j < hf->logs->len; j++) {
      const BootfixHiveLogFile *lf = g_ptr_array_index (hf->logs, j);
      /* Logs are capped at 64 MiB: an unsigned long holds the size, and
       * a plain format lets xgettext extract the message. */
      g_autofree char *old_text =
        g_strdup_printf (_("%lu bytes"), (unsigned long) lf->size);
      g_ptr_array_add (changes,
                       bootfix_change_new ("file", lf->guest_path, NULL,
                                           old_text, _("0 bytes"),
                                           _("the hive was written back clean; "
                                             "its old log entries would undo "
                                             "the edit")));
    }
  }
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
  hf->logs = g_ptr_array_new_with_free_func (log_file_free);
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
