/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Dirty hives and their transaction logs in the pipeline, whoever edits
 * the hive: the hive cache (SYSTEM, SOFTWARE, through hivex) or the file
 * edits (BCD stores, patched in place).  docs/hive-logs.md, "In the
 * pipeline". */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "bootfix-error.h"
#include "hive-cache.h"

static void
log_file_free (gpointer p)
{
  BootfixHiveLogFile *lf = p;
  g_free (lf->guest_path);
  g_free (lf);
}

void
bootfix_dirty_hive_free (BootfixDirtyHive *d)
{
  if (d == NULL)
    return;
  g_clear_pointer (&d->logs, g_ptr_array_unref);
  g_free (d->device);
  g_free (d->guest_path);
  g_free (d);
}

/* Where a file is, for messages and the report: its path, after its
 * device when it is not on the Windows root ("/dev/sda1:/Boot/BCD"). */
static char *
place (const char *device, const char *guest_path)
{
  return device ? g_strconcat (device, ":", guest_path, NULL)
                : g_strdup (guest_path);
}

/* ---- replay ---- */

/* One log next to the hive (suffix ".LOG1", ...), any case; NULL when
 * there is none.  An empty log is no log, and is kept in d->logs only
 * when it holds something to empty. */
static gboolean
read_log (BootfixHiveCache *cache, BootfixDirtyHive *d, const char *suffix,
          GBytes **out, GError **error)
{
  g_autofree char *path = g_strconcat (d->guest_path, suffix, NULL);
  g_autofree char *real = NULL;
  *out = NULL;
  int r = bootfix_guest_read_file (cache->guest, d->device, path,
                                   BOOTFIX_HIVE_LOG_MAX_LOG_SIZE, out, &real,
                                   error);
  if (r < 0) {
    g_autofree char *where = place (d->device, d->guest_path);
    g_prefix_error (error, _("guest %s: transaction log of %s: "),
                    cache->guest_name, where);
    return FALSE;
  }
  if (r == 0 || g_bytes_get_size (*out) == 0) {
    g_clear_pointer (out, g_bytes_unref);
    return TRUE;
  }
  BootfixHiveLogFile *lf = g_new0 (BootfixHiveLogFile, 1);
  lf->guest_path = g_steal_pointer (&real);
  lf->size = g_bytes_get_size (*out);
  g_ptr_array_add (d->logs, lf);
  return TRUE;
}

/* What Windows would load (into *hive when logs applied), and the
 * number the hive must carry once written.  Logs: LOG1, LOG2, and the
 * single .LOG of older systems, which stands in for LOG1 when there is
 * none. */
static gboolean
replay (BootfixHiveCache *cache, BootfixDirtyHive *d, GBytes **hive,
        BootfixHiveReplayReport *rep, GError **error)
{
  g_autoptr (GBytes) log1 = NULL, log2 = NULL, log = NULL;
  if (!read_log (cache, d, ".LOG1", &log1, error) ||
      !read_log (cache, d, ".LOG2", &log2, error) ||
      !read_log (cache, d, ".LOG", &log, error))
    return FALSE;
  GBytes *first = log1 ? log1 : log;
  g_autoptr (GBytes) result = NULL;
  if (!bootfix_hive_replay (*hive, first, log2, &result, rep, error) ||
      (rep->verdict != BOOTFIX_HIVE_REPLAY_DAMAGED &&
       !bootfix_hive_log_safe_sequence (&rep->primary, first, log2,
                                        &d->safe_sequence, error))) {
    g_prefix_error (error, _("guest %s: "), cache->guest_name);
    return FALSE;
  }
  if (rep->verdict == BOOTFIX_HIVE_REPLAY_REPLAYED) {
    g_bytes_unref (*hive);
    *hive = g_steal_pointer (&result);
  }
  return TRUE;
}

/* ---- judging ---- */

/* Keep the first refusal or damage for the executor, then fail. */
static gboolean
hive_failed (BootfixHiveCache *cache, GError *e, GError **error)
{
  if (cache->error == NULL)
    cache->error = g_error_copy (e);
  g_propagate_error (error, e);
  return FALSE;
}

/* What a message adds in parentheses after the verdict: where the
 * hive is (when the verdict names it otherwise), then, for a refusal,
 * the logs found or looked for. */
static char *
about (const BootfixDirtyHive *d, gboolean add_place, gboolean with_logs)
{
  g_autofree char *where = place (d->device, d->guest_path);
  GString *s = g_string_new (add_place ? where : NULL);
  if (with_logs && s->len > 0)
    g_string_append (s, "; ");
  g_autoptr (GString) logs = g_string_new (NULL);
  for (guint i = 0; with_logs && i < d->logs->len; i++) {
    const BootfixHiveLogFile *lf = g_ptr_array_index (d->logs, i);
    g_autofree char *log = place (d->device, lf->guest_path);
    g_string_append_printf (logs, "%s%s", i ? ", " : "", log);
  }
  if (with_logs && d->logs->len == 0)
    g_string_append_printf (s, _("no %s.LOG1, .LOG2 or .LOG"), where);
  else if (with_logs)
    g_string_append_printf (s, _("transaction logs: %s"), logs->str);
  if (s->len > 0) {
    g_string_prepend (s, " (");
    g_string_append_c (s, ')');
  }
  return g_string_free (s, FALSE);
}

/* Act on the verdict: go on, go on with a warning, refuse, or fail.
 * detail names the hive; add_place when it does not say where it is. */
static gboolean
judge (BootfixHiveCache *cache, const BootfixDirtyHive *d, const char *detail,
       gboolean add_place, GError **error)
{
  switch (d->verdict) {
  case BOOTFIX_HIVE_REPLAY_CLEAN:
  case BOOTFIX_HIVE_REPLAY_REPLAYED:
    return TRUE;
  case BOOTFIX_HIVE_REPLAY_DAMAGED: {
    /* An error, not a refusal: the bytes are broken, no option can make
     * them readable (docs/hive-logs.md, "In the pipeline"). */
    g_autofree char *where = about (d, add_place, FALSE);
    return hive_failed (cache, g_error_new (
        BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
        _("guest %s: %s%s; Windows would rebuild the base block from the "
          "transaction logs, which virt-bootfix does not do: restore the "
          "file from a backup"), cache->guest_name, detail, where), error);
  }
  case BOOTFIX_HIVE_REPLAY_LOGS_MISSING:
  case BOOTFIX_HIVE_REPLAY_LOGS_DO_NOT_APPLY:
    break;
  }
  if (!cache->discard_logs) {
    g_autofree char *where = about (d, add_place, TRUE);
    return hive_failed (cache, g_error_new (
        BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED,
        _("guest %s: %s%s: the newest registry changes live only in the "
          "transaction logs, so editing the hive as it is would lose "
          "them.  Run again with --discard-hive-logs to fix the guest "
          "anyway and accept that loss"), cache->guest_name, detail, where),
        error);
  }
  g_ptr_array_add (cache->warnings,
                   g_strdup_printf (_("warning: %s; edited as it is "
                                      "(--discard-hive-logs): the registry "
                                      "changes only its logs held are lost"),
                                    detail));
  return TRUE;
}

/* Listed once per hive, even when it is read again after a refusal. */
static void
record_state (BootfixHiveCache *cache, const char *name, const char *where,
              BootfixHiveReplayVerdict verdict, const char *detail)
{
  for (guint i = 0; i < cache->states->len; i++) {
    const BootfixHiveReport *st = g_ptr_array_index (cache->states, i);
    if (g_strcmp0 (st->path, where) == 0)
      return;
  }
  g_ptr_array_add (cache->states,
                   bootfix_hive_report_new (name, where,
                                            bootfix_hive_replay_verdict_name (verdict),
                                            detail));
}

gboolean
bootfix_hive_cache_check (BootfixHiveCache *cache, const char *device,
                          const char *guest_path, const char *name,
                          const char *label, GBytes **hive,
                          BootfixDirtyHive **dirty, GError **error)
{
  *dirty = NULL;
  BootfixHiveHeader h;
  BootfixHiveState state =
    bootfix_hive_header_read (g_bytes_get_data (*hive, NULL),
                              g_bytes_get_size (*hive), &h);
  /* Not a hive at all: whoever parses it says so, naming the file. */
  if (state != BOOTFIX_HIVE_DIRTY && state != BOOTFIX_HIVE_BAD_CHECKSUM)
    return TRUE;
  g_autoptr (BootfixDirtyHive) d = g_new0 (BootfixDirtyHive, 1);
  d->device = g_strdup (device);
  d->guest_path = g_strdup (guest_path);
  d->logs = g_ptr_array_new_with_free_func (log_file_free);
  BootfixHiveReplayReport rep = { 0 };
  gboolean ok = replay (cache, d, hive, &rep, error);
  d->verdict = rep.verdict;
  g_autofree char *where = place (device, guest_path);
  g_autofree char *detail =
    ok ? bootfix_hive_replay_describe (&rep, label ? label : where) : NULL;
  bootfix_hive_replay_report_clear (&rep);
  if (!ok)
    return FALSE;
  record_state (cache, name, where, d->verdict, detail);
  if (!judge (cache, d, detail, label != NULL, error))
    return FALSE;
  *dirty = g_steal_pointer (&d);
  return TRUE;
}

gboolean
bootfix_hive_cache_check_file (BootfixHiveCache *cache, const char *device,
                               const char *guest_path, GBytes **hive,
                               BootfixDirtyHive **dirty, GError **error)
{
  /* Named as the cache names its hives: "BCD", whatever the case. */
  g_autofree char *base = g_path_get_basename (guest_path);
  g_autofree char *name = g_ascii_strup (base, -1);
  if (!bootfix_hive_cache_check (cache, device, guest_path, name, NULL, hive,
                                 dirty, error))
    return FALSE;
  if (*dirty)
    g_ptr_array_add (cache->stores, *dirty);
  return TRUE;
}

/* ---- writing back ---- */

gboolean
bootfix_dirty_hive_stamp (const BootfixDirtyHive *d, guint8 *hive, gsize len,
                          GError **error)
{
  if (d == NULL || d->verdict == BOOTFIX_HIVE_REPLAY_CLEAN)
    return TRUE;
  return bootfix_hive_stamp_sequence (hive, len, d->safe_sequence, error);
}

gboolean
bootfix_dirty_hive_empty_logs (BootfixGuest *guest, const BootfixDirtyHive *d,
                               GError **error)
{
  if (d == NULL || d->verdict == BOOTFIX_HIVE_REPLAY_CLEAN)
    return TRUE;
  for (guint i = 0; i < d->logs->len; i++) {
    const BootfixHiveLogFile *lf = g_ptr_array_index (d->logs, i);
    if (!bootfix_guest_truncate (guest, d->device, lf->guest_path, error))
      return FALSE;
  }
  return TRUE;
}

static void
add_log_changes (const BootfixDirtyHive *d, GPtrArray *changes)
{
  for (guint j = 0; j < d->logs->len; j++) {
    const BootfixHiveLogFile *lf = g_ptr_array_index (d->logs, j);
    g_autofree char *where = place (d->device, lf->guest_path);
    /* Logs are capped at 64 MiB: an unsigned long holds the size, and
     * a plain format lets xgettext extract the message. */
    g_autofree char *old_text =
      g_strdup_printf (_("%lu bytes"), (unsigned long) lf->size);
    g_ptr_array_add (changes,
                     bootfix_change_new ("file", where, NULL, old_text,
                                         _("0 bytes"),
                                         _("the hive was written back clean; "
                                           "its old log entries would undo "
                                           "the edit")));
  }
}

void
bootfix_hive_cache_log_changes (BootfixHiveCache *cache, GPtrArray *changes)
{
  for (guint i = 0; i < cache->files->len; i++) {
    const BootfixHiveFile *hf = g_ptr_array_index (cache->files, i);
    if (hf->changed && hf->dirty)
      add_log_changes (hf->dirty, changes);
  }
  for (guint i = 0; i < cache->stores->len; i++) {
    const BootfixDirtyHive *d = g_ptr_array_index (cache->stores, i);
    if (d->changed)
      add_log_changes (d, changes);
  }
}
