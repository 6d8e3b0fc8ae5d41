/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Dirty hives in the pipeline (hive-cache.c, docs/hive-logs.md): the
 * executor's hive cache over a guest held in memory replays a dirty
 * SYSTEM before anyone reads it, refuses one whose logs are gone unless
 * told to discard them, and writes an edited one back clean, with the
 * safe sequence number and its logs emptied.  No appliance.
 *
 * The hives are tests/unit/data/bcd/mini-bcd (ours) with a
 * ControlSet001\Services\intelide\Start value; tests/phony's log writer
 * makes the dirty primary and its log. */
#include "config.h"

#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "bootfix-error.h"
#include "bytes.h"
#include "hive-files.h"
#include "hive-log.h"
#include "hive-log-writer.h"
#include "host-harness.h"

#define INTELIDE "ControlSet001\\Services\\intelide"
#define CONFIG HARNESS_SYSTEMROOT "/System32/config/"

/* ---- hives ---------------------------------------------------------- */

/* Plan Start = value for intelide, applied to hive; the changes made. */
static GPtrArray *
set_start (BootfixHive *hive, guint32 value)
{
  const guint8 le[4] = { value & 0xff, (value >> 8) & 0xff,
                         (value >> 16) & 0xff, value >> 24 };
  g_autoptr (BootfixPlan) plan = bootfix_plan_new ();
  bootfix_plan_add (plan, BOOTFIX_ACTION_SET_VALUE, "SYSTEM", INTELIDE,
                    "Start", BOOTFIX_REG_DWORD, le, 4, "test");
  GPtrArray *changes =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_change_free);
  g_autoptr (GError) error = NULL;
  g_assert_true (bootfix_hive_apply (hive, plan->actions->pdata[0], "SYSTEM",
                                     TRUE, changes, &error));
  g_assert_no_error (error);
  return changes;
}

/* mini-bcd with intelide Start = value, as a file's bytes. */
static GBytes *
system_with_start (guint32 value)
{
  g_autofree char *in = harness_copy_mini_bcd ();
  g_autofree char *out = g_strconcat (in, ".out", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixHive) hive = bootfix_hive_open (in, "SYSTEM", TRUE, &error);
  g_assert_no_error (error);
  g_autoptr (GPtrArray) changes = set_start (hive, value);
  g_assert_true (bootfix_hive_commit (hive, out, &error));
  g_assert_no_error (error);
  GBytes *bytes = test_read_file (out);
  (void) g_unlink (in);
  (void) g_unlink (out);
  return bytes;
}

/* The primary says Start = 0 (it looks fixed already); the log, whose
 * only entry moves it to 3, is what Windows would boot with. */
typedef struct {
  GBytes *dirty;
  GBytes *log;
  guint32 safe;  /* the number a written primary must carry */
} Dirty;

static void
dirty_init (Dirty *d, gboolean stale_log)
{
  g_autoptr (GBytes) before = system_with_start (0);
  g_autoptr (GBytes) after = system_with_start (3);
  d->dirty = mklog_dirty_primary (before);
  BootfixHiveHeader h;
  g_assert_cmpint (bootfix_hive_header_read (g_bytes_get_data (d->dirty, NULL),
                                             g_bytes_get_size (d->dirty), &h),
                   ==, BOOTFIX_HIVE_DIRTY);
  /* A stale log: older than what the primary already holds. */
  guint32 seq = stale_log ? h.secondary_sequence - 5 : h.secondary_sequence;
  g_autoptr (GArray) pages = mklog_diff_pages (before, after);
  GByteArray *log = mklog_new_log (d->dirty, seq);
  mklog_new_entry (log, seq, after, (guint32 *) pages->data, pages->len);
  d->log = g_byte_array_free_to_bytes (log);
  g_autoptr (GError) error = NULL;
  g_assert_true (bootfix_hive_log_safe_sequence (&h, d->log, NULL, &d->safe,
                                                 &error));
  g_assert_no_error (error);
}

static void
dirty_clear (Dirty *d)
{
  g_bytes_unref (d->dirty);
  g_bytes_unref (d->log);
}

/* A guest with the dirty SYSTEM and, when log is set, its log under a
 * name in another case than the hive's. */
static BootfixGuest *
dirty_guest (const Dirty *d, gboolean with_log)
{
  BootfixGuest *guest = harness_guest_new ();
  harness_add_windows_file (guest, "System32/config/SYSTEM", d->dirty);
  if (with_log)
    harness_add_windows_file (guest, "System32/config/system.log1", d->log);
  return guest;
}

static guint32
start_of (BootfixHive *hive)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) v = NULL;
  guint32 type = 0, out = 0;
  g_assert_cmpint (bootfix_hive_get_value (hive, INTELIDE, "Start", &type, &v,
                                           &error), ==, 1);
  g_assert_no_error (error);
  g_assert_true (bootfix_read_le32 (g_bytes_get_data (v, NULL),
                                    g_bytes_get_size (v), 0, &out));
  return out;
}

/* What the executor does after the diff: commit (and stamp), upload
 * under a temporary name, rename, then empty the logs. */
static void
write_back (Harness *h, BootfixHiveFile *hf)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (bootfix_hive_cache_commit (h->hives, hf, &error));
  g_assert_no_error (error);
  g_autofree char *staged = bootfix_guest_stage (h->guest, NULL, hf->new_path,
                                                 hf->guest_path, &error);
  g_assert_no_error (error);
  g_assert_true (bootfix_guest_commit_staged (h->guest, NULL, staged,
                                              hf->guest_path, &error));
  g_assert_true (bootfix_hive_cache_empty_logs (h->hives, hf, &error));
  g_assert_no_error (error);
}

/* ---- tests ---------------------------------------------------------- */

static void
test_replayed_then_written (void)
{
  Dirty d;
  dirty_init (&d, FALSE);
  g_autoptr (BootfixGuest) guest = dirty_guest (&d, TRUE);
  Harness h;
  harness_init (&h, guest, NULL);
  BootfixHiveFile *hf = NULL;
  {
    /* The plan sees what the log says, not what the primary says. */
    BootfixHive *hive = harness_hive (&h, "SYSTEM");
    g_assert_cmpuint (start_of (hive), ==, 3);
    g_assert_cmpuint (h.hives->states->len, ==, 1);
    const BootfixHiveReport *st = g_ptr_array_index (h.hives->states, 0);
    g_assert_cmpstr (st->state, ==, "replayed");
    g_autoptr (GPtrArray) changes = set_start (hive, 0);
    g_assert_cmpuint (changes->len, ==, 1);
    hf = bootfix_hive_cache_find (h.hives, "SYSTEM");
    hf->changed = TRUE;
    bootfix_hive_cache_log_changes (h.hives, changes);
    g_assert_cmpuint (changes->len, ==, 2);
    const BootfixChange *c = g_ptr_array_index (changes, 1);
    g_assert_cmpstr (c->kind, ==, "file");
    g_assert_cmpstr (c->target, ==, CONFIG "system.log1");
    g_assert_cmpstr (c->new_value, ==, "0 bytes");
  }
  write_back (&h, hf);
  harness_clear (&h);

  /* Clean, at the safe number (past hivex's own raise), logs empty. */
  g_autoptr (GBytes) sys = bootfix_memory_guest_get_file (guest, NULL,
                                                          CONFIG "SYSTEM");
  BootfixHiveHeader hdr;
  g_assert_cmpint (bootfix_hive_header_read (g_bytes_get_data (sys, NULL),
                                             g_bytes_get_size (sys), &hdr),
                   ==, BOOTFIX_HIVE_CLEAN);
  g_assert_cmpuint (hdr.primary_sequence, ==, d.safe);
  g_autoptr (GBytes) log = bootfix_memory_guest_get_file (guest, NULL,
                                                          CONFIG "SYSTEM.LOG1");
  g_assert_cmpuint (g_bytes_get_size (log), ==, 0);

  /* A second run: clean hive, nothing to change, no log to empty. */
  harness_init (&h, guest, NULL);
  BootfixHive *again = harness_hive (&h, "SYSTEM");
  g_assert_cmpuint (h.hives->states->len, ==, 0);
  g_autoptr (GPtrArray) changes = set_start (again, 0);
  bootfix_hive_cache_log_changes (h.hives, changes);
  g_assert_cmpuint (changes->len, ==, 0);
  harness_clear (&h);
  dirty_clear (&d);
}

/* Refused with a message that says why and what accepts the loss. */
static void
assert_refused (gboolean stale_log, const char *state)
{
  Dirty d;
  dirty_init (&d, stale_log);
  g_autoptr (BootfixGuest) guest = dirty_guest (&d, stale_log);
  Harness h;
  harness_init (&h, guest, NULL);
  g_autoptr (GError) error = NULL;
  g_assert_null (bootfix_hive_cache_get (h.hives, "SYSTEM", &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "guest test: "));
  g_assert_nonnull (strstr (error->message, CONFIG "SYSTEM"));
  g_assert_nonnull (strstr (error->message, "only in"));
  g_assert_nonnull (strstr (error->message, "--discard-hive-logs"));
  g_assert_error (h.hives->error, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED);
  g_assert_null (bootfix_hive_cache_find (h.hives, "SYSTEM"));
  const BootfixHiveReport *st = g_ptr_array_index (h.hives->states, 0);
  g_assert_cmpstr (st->state, ==, state);
  harness_clear (&h);
  dirty_clear (&d);
}

static void
test_logs_missing (void)
{
  assert_refused (FALSE, "dirty-logs-missing");
}

static void
test_logs_do_not_apply (void)
{
  assert_refused (TRUE, "dirty-logs-do-not-apply");
}

/* --discard-hive-logs: the primary as it is (Start = 0, so nothing to
 * change), with a warning. */
static void
test_discard (void)
{
  Dirty d;
  dirty_init (&d, FALSE);
  g_autoptr (BootfixGuest) guest = dirty_guest (&d, FALSE);
  Harness h;
  harness_init (&h, guest, NULL);
  bootfix_hive_cache_set_discard_logs (h.hives, TRUE);
  BootfixHive *hive = harness_hive (&h, "SYSTEM");
  g_assert_cmpuint (start_of (hive), ==, 0);
  g_assert_cmpuint (h.hives->warnings->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (h.hives->warnings, 0),
                            "--discard-hive-logs"));
  g_assert_null (h.hives->error);
  g_autoptr (GPtrArray) changes = set_start (hive, 0);
  g_assert_cmpuint (changes->len, ==, 0);
  harness_clear (&h);
  dirty_clear (&d);
}

static void
test_damaged (void)
{
  g_autoptr (GBytes) clean = system_with_start (0);
  g_autoptr (GByteArray) bad = g_byte_array_new ();
  g_byte_array_append (bad, g_bytes_get_data (clean, NULL),
                       (guint) g_bytes_get_size (clean));
  bad->data[508] ^= 0x5a;
  g_autoptr (GBytes) bytes = g_bytes_new (bad->data, bad->len);
  g_autoptr (BootfixGuest) guest = harness_guest_new ();
  harness_add_windows_file (guest, "System32/config/SYSTEM", bytes);
  Harness h;
  harness_init (&h, guest, NULL);
  g_autoptr (GError) error = NULL;
  g_assert_null (bootfix_hive_cache_get (h.hives, "SYSTEM", &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
  g_assert_nonnull (strstr (error->message, CONFIG "SYSTEM"));
  const BootfixHiveReport *st = g_ptr_array_index (h.hives->states, 0);
  g_assert_cmpstr (st->state, ==, "damaged");
  harness_clear (&h);
}

/* ---- a hive read as a file (edits.c): the real 1709 hive ------------- */

#define FILE_DEVICE "/dev/sdb1"
#define FILE_HIVE "/config/SYSTEM"

/* The file edits take the same road as a BCD store: a hive on another
 * partition, read as a file and patched in place.  Here it is the real
 * dirty Windows 10 1709 SYSTEM with both its logs (skipped without
 * them): what the edits hand out is the replay test-hive-log.c checks
 * byte for byte, and once patched and written back the file is clean
 * at 2131 (past every entry both logs still show) and the logs are
 * empty. */
static void
test_file_real_1709 (void)
{
  g_autoptr (GBytes) primary = test_unxz_shared ("win10-1709-SYSTEM.xz");
  g_autoptr (GBytes) log1 = test_unxz_shared ("win10-1709-SYSTEM.LOG1.xz");
  g_autoptr (GBytes) log2 = test_unxz_shared ("win10-1709-SYSTEM.LOG2.xz");
  if (primary == NULL || log1 == NULL || log2 == NULL) {
    g_test_skip ("the shared hive fixtures or xz are not there");
    return;
  }
  g_autoptr (BootfixGuest) guest = harness_guest_new ();
  bootfix_memory_guest_add_file (guest, FILE_DEVICE, FILE_HIVE, primary);
  bootfix_memory_guest_add_file (guest, FILE_DEVICE, FILE_HIVE ".LOG1", log1);
  bootfix_memory_guest_add_file (guest, FILE_DEVICE, FILE_HIVE ".LOG2", log2);
  Harness h;
  harness_init (&h, guest, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) seen = bootfix_edits_get_file (h.edits, FILE_DEVICE,
                                                    "/config/system",
                                                    BOOTFIX_MAX_EDIT_FILE,
                                                    &error);
  g_assert_no_error (error);
  g_autofree char *sum = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, seen);
  g_assert_cmpstr (sum, ==, TEST_REPLAYED_1709_SHA256);
  g_assert_cmpuint (h.hives->states->len, ==, 1);
  const BootfixHiveReport *st = g_ptr_array_index (h.hives->states, 0);
  g_assert_cmpstr (st->name, ==, "SYSTEM");
  g_assert_cmpstr (st->path, ==, FILE_DEVICE ":" FILE_HIVE);
  g_assert_cmpstr (st->state, ==, "replayed");

  /* The first bin's timestamp: a patch hivex does not care about. */
  const gsize at = 4096 + 20;
  g_autoptr (GBytes) old = g_bytes_new_from_bytes (seen, at, 8);
  g_autoptr (GBytes) new_bytes = g_bytes_new ("bootfix!", 8);
  const BootfixEditText text = { "file", FILE_DEVICE ":" FILE_HIVE, "a", "b",
                                 "test" };
  g_autoptr (BootfixPlan) plan = bootfix_plan_new ();
  bootfix_plan_add_edit (plan, BOOTFIX_ACTION_PATCH_FILE, &text, FILE_DEVICE,
                         FILE_HIVE, at, old, new_bytes);
  g_autoptr (GPtrArray) changes =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_change_free);
  g_assert_true (bootfix_edits_apply (h.edits, plan->actions->pdata[0], TRUE,
                                      changes, &error));
  bootfix_hive_cache_log_changes (h.hives, changes);
  g_assert_cmpuint (changes->len, ==, 3);
  const BootfixChange *c = g_ptr_array_index (changes, 2);
  g_assert_cmpstr (c->target, ==, FILE_DEVICE ":" FILE_HIVE ".LOG2");
  g_assert_true (bootfix_edits_prepare (h.edits, plan, &error));
  g_assert_true (bootfix_edits_write (h.edits, &error));
  g_assert_no_error (error);
  harness_clear (&h);

  g_autoptr (GBytes) out = bootfix_memory_guest_get_file (guest, FILE_DEVICE,
                                                          FILE_HIVE);
  gsize n = 0;
  const guint8 *o = g_bytes_get_data (out, &n);
  const guint8 *r = g_bytes_get_data (seen, NULL);
  BootfixHiveHeader hdr;
  g_assert_cmpint (bootfix_hive_header_read (o, n, &hdr), ==, BOOTFIX_HIVE_CLEAN);
  g_assert_cmpuint (hdr.primary_sequence, ==, 2131);
  g_assert_cmpuint (n, ==, g_bytes_get_size (seen));
  g_assert_cmpmem (o + at, 8, "bootfix!", 8);
  g_assert_cmpmem (o + 512, at - 512, r + 512, at - 512);
  g_assert_cmpmem (o + at + 8, n - at - 8, r + at + 8, n - at - 8);
  for (int i = 1; i <= 2; i++) {
    g_autofree char *log = g_strdup_printf ("%s.LOG%d", FILE_HIVE, i);
    g_autoptr (GBytes) l = bootfix_memory_guest_get_file (guest, FILE_DEVICE, log);
    g_assert_cmpuint (g_bytes_get_size (l), ==, 0);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hive-dirty/replayed-then-written",
                   test_replayed_then_written);
  g_test_add_func ("/hive-dirty/logs-missing", test_logs_missing);
  g_test_add_func ("/hive-dirty/logs-do-not-apply", test_logs_do_not_apply);
  g_test_add_func ("/hive-dirty/discard", test_discard);
  g_test_add_func ("/hive-dirty/damaged", test_damaged);
  g_test_add_func ("/hive-dirty/file/real-1709", test_file_real_1709);
  return g_test_run ();
}
