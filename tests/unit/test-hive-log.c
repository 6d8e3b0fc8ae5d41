/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Dirty hives and transaction logs (src/formats/hive-log.c): base block
 * states, both log formats, replay by Windows' rules, the sequence
 * number a written hive must carry, and the real Windows 10 1709 SYSTEM
 * hive with its logs from ../shared (skipped when absent).
 *
 * Cases are built from tests/unit/data/bcd/mini-bcd (ours): hivex makes
 * the "after" states, tests/phony/hive-log-writer.c the dirty primary
 * and the logs, and hivex reads the replayed result back. */
#include "config.h"

#include <string.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <hivex.h>

#include "bootfix-error.h"
#include "bytes.h"
#include "guest.h"
#include "hive-files.h"
#include "hive-log.h"
#include "hive-log-writer.h"

/* formats cannot see the download cap of src/guest; keep them one. */
G_STATIC_ASSERT (BOOTFIX_HIVE_LOG_MAX_HIVE_SIZE == BOOTFIX_MAX_HIVE_SIZE);

/* ---- hives through hivex ------------------------------------------- */

static char *
write_temp (GBytes *bytes)
{
  return test_temp_file (g_bytes_get_data (bytes, NULL),
                         g_bytes_get_size (bytes));
}

/* hive with value name (at the root key) set to len bytes of fill. */
static GBytes *
hive_set (GBytes *hive, const char *name, guint8 fill, gsize len)
{
  g_autofree char *in = write_temp (hive);
  g_autofree char *out = g_strconcat (in, ".out", NULL);
  g_autofree guint8 *data = g_malloc (len);
  memset (data, fill, len);
  hive_h *h = hivex_open (in, HIVEX_OPEN_WRITE);
  g_assert_nonnull (h);
  hive_set_value v = { (char *) name, hive_t_REG_BINARY, len, (char *) data };
  g_assert_cmpint (hivex_node_set_value (h, hivex_root (h), &v, 0), ==, 0);
  g_assert_cmpint (hivex_commit (h, out, 0), ==, 0);
  hivex_close (h);
  GBytes *res = test_read_file (out);
  g_unlink (in);
  g_unlink (out);
  return res;
}

/* The first byte and length of value name at the root; -1 when absent,
 * -2 when hivex cannot open the hive. */
static int
hive_get (GBytes *hive, const char *name, gsize *len)
{
  g_autofree char *path = write_temp (hive);
  hive_h *h = hivex_open (path, 0);
  g_unlink (path);
  if (h == NULL)
    return -2;
  int res = -1;
  hive_value_h v = hivex_node_get_value (h, hivex_root (h), name);
  if (v) {
    hive_type t;
    size_t n = 0;
    g_autofree char *data = hivex_value_value (h, v, &t, &n);
    g_assert_nonnull (data);
    res = n ? (guint8) data[0] : 0;
    if (len)
      *len = n;
  }
  hivex_close (h);
  return res;
}

static guint32
le32_at (GBytes *b, gsize off)
{
  guint32 v = 0;
  g_assert_true (bootfix_read_le32 (g_bytes_get_data (b, NULL),
                                    g_bytes_get_size (b), off, &v));
  return v;
}

/* ---- a case: before, two edits, a dirty primary ---------------------- */

typedef struct {
  GBytes *before;  /* clean mini-bcd */
  GBytes *after1;  /* + A = 0x11 */
  GBytes *after2;  /* + B = 0x22 */
  GBytes *dirty;   /* before, marked dirty */
  GArray *pages1, *pages2;
  guint32 seq;     /* first entry: the primary's secondary number */
} Case;

static void
case_init (Case *c, gsize b_len)
{
  c->before = test_mini_bcd ();
  c->after1 = hive_set (c->before, "A", 0x11, 4);
  c->after2 = hive_set (c->after1, "B", 0x22, b_len);
  c->dirty = mklog_dirty_primary (c->before);
  c->pages1 = mklog_diff_pages (c->before, c->after1);
  c->pages2 = mklog_diff_pages (c->after1, c->after2);
  c->seq = le32_at (c->before, 8);
  g_assert_cmpuint (c->pages1->len, >, 0);
  g_assert_cmpuint (c->pages2->len, >, 0);
}

static void
case_clear (Case *c)
{
  g_bytes_unref (c->before);
  g_bytes_unref (c->after1);
  g_bytes_unref (c->after2);
  g_bytes_unref (c->dirty);
  g_array_unref (c->pages1);
  g_array_unref (c->pages2);
}

/* A log starting at first holding entry 1 (seq1) and entry 2 (seq2). */
static GByteArray *
case_log (Case *c, guint32 first, guint32 seq1, guint32 seq2, gsize *at2)
{
  GByteArray *log = mklog_new_log (c->dirty, first);
  mklog_new_entry (log, seq1, c->after1, (guint32 *) c->pages1->data,
                   c->pages1->len);
  gsize a2 = mklog_new_entry (log, seq2, c->after2,
                              (guint32 *) c->pages2->data, c->pages2->len);
  if (at2)
    *at2 = a2;
  return log;
}

/* Both edits, in order, from the primary's number: what Windows writes. */
static GBytes *
case_good_log (Case *c)
{
  GByteArray *log = case_log (c, c->seq, c->seq, c->seq + 1, NULL);
  return g_byte_array_free_to_bytes (log);
}

static GBytes *
replay_ok (GBytes *primary, GBytes *l1, GBytes *l2,
           BootfixHiveReplayReport *rep)
{
  GBytes *out = NULL;
  g_autoptr (GError) error = NULL;
  g_assert_true (bootfix_hive_replay (primary, l1, l2, &out, rep, &error));
  g_assert_no_error (error);
  return out;
}

/* A replayed hive is clean at the last sequence number and readable. */
static void
assert_clean_at (GBytes *hive, guint32 seq)
{
  BootfixHiveHeader h;
  g_assert_cmpint (bootfix_hive_header_read (g_bytes_get_data (hive, NULL),
                                             g_bytes_get_size (hive), &h),
                   ==, BOOTFIX_HIVE_CLEAN);
  g_assert_cmpuint (h.primary_sequence, ==, seq);
  g_assert_cmpuint (h.file_type, ==, 0);
}

/* ---- base blocks ----------------------------------------------------- */

static void
test_header_states (void)
{
  g_autoptr (GBytes) base = test_mini_bcd ();
  gsize size;
  const guint8 *b = g_bytes_get_data (base, &size);
  g_autofree guint8 *buf = g_memdup2 (b, size);
  BootfixHiveHeader h;

  g_assert_cmpint (bootfix_hive_header_read (buf, size, &h), ==,
                   BOOTFIX_HIVE_CLEAN);
  g_assert_cmpuint (h.major, ==, 1);
  g_assert_cmpuint (h.bins_size, ==, size - 4096);
  g_autoptr (GBytes) dirty_b = mklog_dirty_primary (base);
  g_assert_cmpint (bootfix_hive_header_read (g_bytes_get_data (dirty_b, NULL),
                                             size, &h), ==, BOOTFIX_HIVE_DIRTY);
  g_assert_cmpuint (h.primary_sequence, ==, h.secondary_sequence + 1);
  buf[0x30] ^= 1; /* inside the checksummed part */
  g_assert_cmpint (bootfix_hive_header_read (buf, size, &h), ==,
                   BOOTFIX_HIVE_BAD_CHECKSUM);
  buf[0x30] ^= 1;
  buf[600] ^= 1; /* past the checksummed part: still clean */
  g_assert_cmpint (bootfix_hive_header_read (buf, size, &h), ==,
                   BOOTFIX_HIVE_CLEAN);
  g_assert_cmpint (bootfix_hive_header_read (buf, 511, &h), ==,
                   BOOTFIX_HIVE_NOT_A_HIVE);
  g_assert_cmpint (bootfix_hive_header_read (NULL, 0, &h), ==,
                   BOOTFIX_HIVE_NOT_A_HIVE);
  buf[0] = 'R';
  g_assert_cmpint (bootfix_hive_header_read (buf, size, &h), ==,
                   BOOTFIX_HIVE_NOT_A_HIVE);
}

/* The checksum's two reserved results, and Marvin32 on a known input
 * (the hashes of a real log entry are checked in the 1709 test). */
static void
test_checksum_and_marvin (void)
{
  guint8 zero[512] = { 0 };
  guint32 sum = 0;
  g_assert_true (bootfix_regf_checksum (zero, sizeof zero, &sum));
  g_assert_cmpuint (sum, ==, 1);
  memset (zero, 0xff, 4);
  g_assert_true (bootfix_regf_checksum (zero, sizeof zero, &sum));
  g_assert_cmpuint (sum, ==, 0xfffffffeu);
  g_assert_false (bootfix_regf_checksum (zero, 511, &sum));
  /* Every tail length takes its own path; all results differ. */
  const guint8 text[] = "abcdefgh";
  g_autoptr (GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  static guint64 hashes[9];
  for (gsize n = 0; n <= 8; n++) {
    hashes[n] = bootfix_marvin32 (text, n, BOOTFIX_HIVE_LOG_MARVIN_SEED);
    g_assert_false (g_hash_table_contains (seen, &hashes[n]));
    g_hash_table_add (seen, &hashes[n]);
  }
}

static void
test_clean_hive (void)
{
  g_autoptr (GBytes) base = test_mini_bcd ();
  BootfixHiveReplayReport rep;
  g_autoptr (GBytes) out = replay_ok (base, NULL, NULL, &rep);
  g_assert_cmpint (rep.verdict, ==, BOOTFIX_HIVE_REPLAY_CLEAN);
  g_assert_true (out == base);
  g_assert_cmpint (rep.logs[0].use, ==, BOOTFIX_HIVE_LOG_UNUSED);
  bootfix_hive_replay_report_clear (&rep);
}

/* A clean primary ignores even logs that would apply. */
static void
test_clean_ignores_logs (void)
{
  Case c;
  case_init (&c, 4);
  g_autoptr (GBytes) l1 = case_good_log (&c);
  BootfixHiveReplayReport rep;
  g_autoptr (GBytes) out = replay_ok (c.before, l1, NULL, &rep);
  g_assert_cmpint (rep.verdict, ==, BOOTFIX_HIVE_REPLAY_CLEAN);
  g_assert_cmpint (hive_get (out, "A", NULL), ==, -1);
  bootfix_hive_replay_report_clear (&rep);
  case_clear (&c);
}

static void
test_damaged_checksum (void)
{
  Case c;
  case_init (&c, 4);
  gsize size;
  g_autofree guint8 *buf = g_memdup2 (g_bytes_get_data (c.dirty, &size),
                                      g_bytes_get_size (c.dirty));
  buf[0x40] ^= 0x80;
  g_autoptr (GBytes) bad = g_bytes_new (buf, size);
  g_autoptr (GBytes) l1 = case_good_log (&c);
  BootfixHiveReplayReport rep;
  GBytes *out = replay_ok (bad, l1, NULL, &rep);
  g_assert_null (out);
  g_assert_cmpint (rep.verdict, ==, BOOTFIX_HIVE_REPLAY_DAMAGED);
  g_assert_cmpint (rep.primary.state, ==, BOOTFIX_HIVE_BAD_CHECKSUM);
  bootfix_hive_replay_report_clear (&rep);
  case_clear (&c);
}

static void
test_no_logs (void)
{
  Case c;
  case_init (&c, 4);
  g_autoptr (GBytes) empty = g_bytes_new (NULL, 0);
  BootfixHiveReplayReport rep;
  g_autoptr (GBytes) out = replay_ok (c.dirty, NULL, empty, &rep);
  g_assert_cmpint (rep.verdict, ==, BOOTFIX_HIVE_REPLAY_LOGS_MISSING);
  g_assert_true (out == c.dirty);
  g_assert_cmpint (rep.logs[0].use, ==, BOOTFIX_HIVE_LOG_ABSENT);
  g_assert_cmpint (rep.logs[1].use, ==, BOOTFIX_HIVE_LOG_ABSENT);
  g_autofree char *text = bootfix_hive_replay_describe (&rep, "SYSTEM");
  g_assert_nonnull (strstr (text, "missing"));
  bootfix_hive_replay_report_clear (&rep);
  case_clear (&c);
}

/* ---- new-format replay ----------------------------------------------- */

/* Both edits in LOG1: the result holds A and B, which the primary
 * alone does not. */
static void
test_replay_value (void)
{
  Case c;
  case_init (&c, 4);
  g_assert_cmpint (hive_get (c.dirty, "B", NULL), ==, -1);
  g_autoptr (GBytes) l1 = case_good_log (&c);
  BootfixHiveReplayReport rep;
  g_autoptr (GBytes) out = replay_ok (c.dirty, l1, NULL, &rep);
  g_assert_cmpint (rep.verdict, ==, BOOTFIX_HIVE_REPLAY_REPLAYED);
  g_assert_cmpuint (rep.entries_applied, ==, 2);
  g_assert_cmpuint (rep.last_sequence, ==, c.seq + 1);
  g_assert_cmpint (rep.stop, ==, BOOTFIX_HIVE_LOG_END);
  g_assert_cmpint (rep.order[0], ==, 0);
  g_assert_cmpint (rep.logs[0].use, ==, BOOTFIX_HIVE_LOG_APPLIED);
  g_assert_cmpint (rep.logs[1].use, ==, BOOTFIX_HIVE_LOG_ABSENT);
  assert_clean_at (out, c.seq + 1);
  g_assert_cmpint (hive_get (out, "A", NULL), ==, 0x11);
  g_assert_cmpint (hive_get (out, "B", NULL), ==, 0x22);
  /* The bins are exactly those of the state the log describes. */
  g_assert_cmpuint (g_bytes_get_size (out), ==, g_bytes_get_size (c.after2));
  g_assert_cmpmem ((guint8 *) g_bytes_get_data (out, NULL) + 4096,
                   g_bytes_get_size (out) - 4096,
                   (guint8 *) g_bytes_get_data (c.after2, NULL) + 4096,
                   g_bytes_get_size (c.after2) - 4096);
  g_autofree char *text = bootfix_hive_replay_describe (&rep, "BCD");
  g_assert_nonnull (strstr (text, "replayed 2 log entries"));
  bootfix_hive_replay_report_clear (&rep);
  case_clear (&c);
}

/* A value too big for the free space: hivex adds a bin, the entry says
 * a larger hive bins data size, the replay grows the hive. */
static void
test_replay_grows (void)
{
  Case c;
  case_init (&c, 64 * 1024);
  guint32 bins_before = le32_at (c.before, 40), bins_after = le32_at (c.after2, 40);
  g_assert_cmpuint (bins_after, >, bins_before);
  g_assert_cmpuint (g_bytes_get_size (c.dirty), <, 4096 + bins_after);
  g_autoptr (GBytes) l1 = case_good_log (&c);
  BootfixHiveReplayReport rep;
  g_autoptr (GBytes) out = replay_ok (c.dirty, l1, NULL, &rep);
  g_assert_cmpint (rep.verdict, ==, BOOTFIX_HIVE_REPLAY_REPLAYED);
  g_assert_cmpuint (rep.bins_size, ==, bins_after);
  g_assert_cmpuint (le32_at (out, 40), ==, bins_after);
  g_assert_cmpuint (g_bytes_get_size (out), ==, 4096 + bins_after);
  gsize len = 0;
  g_assert_cmpint (hive_get (out, "B", &len), ==, 0x22);
  g_assert_cmpuint (len, ==, 64 * 1024);
  bootfix_hive_replay_report_clear (&rep);
  case_clear (&c);
}

/* Entry 2 spoiled in one way: replay keeps entry 1 and stops there. */
typedef struct {
  const char *name;
  void (*spoil) (GByteArray *log, gsize at2, guint32 seq);
  BootfixHiveLogStop stop;
} StopCase;

static void
spoil_gap (GByteArray *log, gsize at2, guint32 seq)
{
  g_assert_true (bootfix_write_le32 (log->data, log->len, at2 + 12, seq + 2));
  mklog_rehash (log, at2);
}

static void
spoil_hash (GByteArray *log, gsize at2, guint32 seq)
{
  log->data[log->len - 100] ^= 1; /* a page byte of entry 2 */
}

static void
spoil_cut (GByteArray *log, gsize at2, guint32 seq)
{
  g_byte_array_set_size (log, log->len - 512);
}

static void
spoil_bins (GByteArray *log, gsize at2, guint32 seq)
{
  guint32 bins = 0;
  g_assert_true (bootfix_read_le32 (log->data, log->len, at2 + 16, &bins));
  g_assert_true (bootfix_write_le32 (log->data, log->len, at2 + 16, bins + 512));
  mklog_rehash (log, at2);
}

static const StopCase stop_cases[] = {
  { "sequence-gap", spoil_gap, BOOTFIX_HIVE_LOG_SEQUENCE_GAP },
  { "bad-hash", spoil_hash, BOOTFIX_HIVE_LOG_BAD_HASH },
  { "truncated", spoil_cut, BOOTFIX_HIVE_LOG_TRUNCATED },
  { "bins-size-unaligned", spoil_bins, BOOTFIX_HIVE_LOG_BAD_ENTRY },
};

static void
test_replay_stops (gconstpointer data)
{
  const StopCase *sc = data;
  Case c;
  case_init (&c, 4);
  gsize at2;
  g_autoptr (GByteArray) log = case_log (&c, c.seq, c.seq, c.seq + 1, &at2);
  sc->spoil (log, at2, c.seq);
  g_autoptr (GBytes) l1 = g_byte_array_free_to_bytes (g_steal_pointer (&log));
  BootfixHiveReplayReport rep;
  g_autoptr (GBytes) out = replay_ok (c.dirty, l1, NULL, &rep);
  g_assert_cmpint (rep.verdict, ==, BOOTFIX_HIVE_REPLAY_REPLAYED);
  g_assert_cmpuint (rep.entries_applied, ==, 1);
  g_assert_cmpuint (rep.last_sequence, ==, c.seq);
  g_assert_cmpint (rep.stop, ==, sc->stop);
  assert_clean_at (out, c.seq);
  g_assert_cmpint (hive_get (out, "A", NULL), ==, 0x11);
  g_assert_cmpint (hive_get (out, "B", NULL), ==, -1);
  bootfix_hive_replay_report_clear (&rep);
  case_clear (&c);
}

/* LOG2 holds the earlier entry: it goes first, LOG1 continues it. */
static void
test_replay_order (void)
{
  Case c;
  case_init (&c, 4);
  g_autoptr (GByteArray) a = mklog_new_log (c.dirty, c.seq + 1);
  mklog_new_entry (a, c.seq + 1, c.after2, (guint32 *) c.pages2->data,
                   c.pages2->len);
  g_autoptr (GByteArray) b = mklog_new_log (c.dirty, c.seq);
  mklog_new_entry (b, c.seq, c.after1, (guint32 *) c.pages1->data,
                   c.pages1->len);
  g_autoptr (GBytes) l1 = g_byte_array_free_to_bytes (g_steal_pointer (&a));
  g_autoptr (GBytes) l2 = g_byte_array_free_to_bytes (g_steal_pointer (&b));
  BootfixHiveReplayReport rep;
  g_autoptr (GBytes) out = replay_ok (c.dirty, l1, l2, &rep);
  g_assert_cmpint (rep.verdict, ==, BOOTFIX_HIVE_REPLAY_REPLAYED);
  g_assert_cmpint (rep.order[0], ==, 1);
  g_assert_cmpint (rep.order[1], ==, 0);
  g_assert_cmpuint (rep.logs[1].first_sequence, ==, c.seq);
  g_assert_cmpuint (rep.logs[0].first_sequence, ==, c.seq + 1);
  g_assert_cmpuint (rep.entries_applied, ==, 2);
  g_assert_cmpint (hive_get (out, "B", NULL), ==, 0x22);
  bootfix_hive_replay_report_clear (&rep);

  /* The same, but the second log does not start at N + 1. */
  g_autoptr (GByteArray) d = mklog_new_log (c.dirty, c.seq + 5);
  mklog_new_entry (d, c.seq + 5, c.after2, (guint32 *) c.pages2->data,
                   c.pages2->len);
  g_autoptr (GBytes) l3 = g_byte_array_free_to_bytes (g_steal_pointer (&d));
  g_autoptr (GBytes) out2 = replay_ok (c.dirty, l3, l2, &rep);
  g_assert_cmpint (rep.logs[0].use, ==, BOOTFIX_HIVE_LOG_NOT_NEXT);
  g_assert_cmpuint (rep.entries_applied, ==, 1);
  g_assert_cmpint (hive_get (out2, "A", NULL), ==, 0x11);
  g_assert_cmpint (hive_get (out2, "B", NULL), ==, -1);
  bootfix_hive_replay_report_clear (&rep);
  case_clear (&c);
}

/* A log whose entries are older than the primary's secondary sequence
 * number was already written to it: ignored, alone or beside one that
 * applies. */
static void
test_replay_stale (void)
{
  Case c;
  case_init (&c, 4);
  g_autoptr (GByteArray) old = case_log (&c, c.seq - 3, c.seq - 3, c.seq - 2,
                                         NULL);
  g_autoptr (GBytes) stale = g_byte_array_free_to_bytes (g_steal_pointer (&old));
  BootfixHiveReplayReport rep;
  g_autoptr (GBytes) out = replay_ok (c.dirty, stale, NULL, &rep);
  g_assert_cmpint (rep.verdict, ==, BOOTFIX_HIVE_REPLAY_LOGS_DO_NOT_APPLY);
  g_assert_cmpint (rep.logs[0].use, ==, BOOTFIX_HIVE_LOG_STALE);
  g_assert_true (out == c.dirty);
  bootfix_hive_replay_report_clear (&rep);

  g_autoptr (GBytes) l2 = case_good_log (&c);
  g_autoptr (GBytes) out2 = replay_ok (c.dirty, stale, l2, &rep);
  g_assert_cmpint (rep.verdict, ==, BOOTFIX_HIVE_REPLAY_REPLAYED);
  g_assert_cmpint (rep.logs[0].use, ==, BOOTFIX_HIVE_LOG_STALE);
  g_assert_cmpint (rep.logs[1].use, ==, BOOTFIX_HIVE_LOG_APPLIED);
  g_assert_cmpint (hive_get (out2, "B", NULL), ==, 0x22);
  bootfix_hive_replay_report_clear (&rep);
  case_clear (&c);
}

/* A log that is no log, beside nothing else: the logs do not apply. */
static void
test_replay_unusable (void)
{
  Case c;
  case_init (&c, 4);
  g_autoptr (GBytes) junk = g_bytes_new_static ("not a log at all", 16);
  BootfixHiveReplayReport rep;
  g_autoptr (GBytes) out = replay_ok (c.dirty, junk, NULL, &rep);
  g_assert_cmpint (rep.verdict, ==, BOOTFIX_HIVE_REPLAY_LOGS_DO_NOT_APPLY);
  g_assert_cmpint (rep.logs[0].use, ==, BOOTFIX_HIVE_LOG_UNUSABLE);
  g_assert_nonnull (rep.logs[0].error_message);
  bootfix_hive_replay_report_clear (&rep);
  case_clear (&c);
}

/* ---- old format (DIRT) ----------------------------------------------- */

static void
test_replay_old_format (void)
{
  Case c;
  case_init (&c, 64 * 1024);
  g_autoptr (GArray) pages = mklog_diff_pages (c.before, c.after2);
  g_autoptr (GByteArray) log = mklog_old_log (c.dirty, c.after2,
                                              (guint32 *) pages->data,
                                              pages->len);
  g_autoptr (GBytes) l1 = g_bytes_new (log->data, log->len);
  BootfixHiveReplayReport rep;
  g_autoptr (GBytes) out = replay_ok (c.dirty, l1, NULL, &rep);
  g_assert_cmpint (rep.verdict, ==, BOOTFIX_HIVE_REPLAY_REPLAYED);
  g_assert_cmpint (rep.logs[0].format, ==, BOOTFIX_HIVE_LOG_OLD);
  g_assert_cmpuint (rep.pages_applied, ==, pages->len * 8);
  assert_clean_at (out, c.seq + 1);
  g_assert_cmpint (hive_get (out, "A", NULL), ==, 0x11);
  g_assert_cmpint (hive_get (out, "B", NULL), ==, 0x22);
  bootfix_hive_replay_report_clear (&rep);

  /* Pages cut short: the log is all or nothing. */
  g_autoptr (GBytes) cut = g_bytes_new (log->data, log->len - 512);
  g_autoptr (GBytes) out2 = replay_ok (c.dirty, cut, NULL, &rep);
  g_assert_cmpint (rep.verdict, ==, BOOTFIX_HIVE_REPLAY_LOGS_DO_NOT_APPLY);
  g_assert_cmpint (rep.logs[0].stop, ==, BOOTFIX_HIVE_LOG_TRUNCATED);
  bootfix_hive_replay_report_clear (&rep);

  /* Written with another primary (other timestamp): not applied. */
  g_assert_true (bootfix_write_le64 (log->data, log->len, 12, 42));
  guint32 sum;
  g_assert_true (bootfix_regf_checksum (log->data, log->len, &sum));
  g_assert_true (bootfix_write_le32 (log->data, log->len, 508, sum));
  g_autoptr (GBytes) other = g_bytes_new (log->data, log->len);
  g_autoptr (GBytes) out3 = replay_ok (c.dirty, other, NULL, &rep);
  g_assert_cmpint (rep.verdict, ==, BOOTFIX_HIVE_REPLAY_LOGS_DO_NOT_APPLY);
  g_assert_cmpint (rep.logs[0].use, ==, BOOTFIX_HIVE_LOG_STALE);
  bootfix_hive_replay_report_clear (&rep);
  case_clear (&c);
}

/* ---- bad logs, one change each -------------------------------------- */

typedef struct {
  const char *name;
  void (*spoil) (GByteArray *log, gsize at); /* at: the only entry */
  gboolean parses;
  BootfixHiveLogStop stop;
  guint n_entries;
} BadLog;

static void
put32 (GByteArray *log, gsize off, guint32 v)
{
  g_assert_true (bootfix_write_le32 (log->data, log->len, off, v));
}

static void
fix_header (GByteArray *log)
{
  guint32 sum;
  g_assert_true (bootfix_regf_checksum (log->data, log->len, &sum));
  put32 (log, 508, sum);
}

static void bad_none (GByteArray *l, gsize at) { }
static void bad_short (GByteArray *l, gsize at) { g_byte_array_set_size (l, 300); }
static void bad_magic (GByteArray *l, gsize at) { l->data[1] = 'X'; }
static void bad_checksum (GByteArray *l, gsize at) { l->data[0x40] ^= 1; }
static void bad_torn (GByteArray *l, gsize at) { put32 (l, 8, 7); fix_header (l); }
static void bad_type (GByteArray *l, gsize at) { put32 (l, 28, 3); fix_header (l); }
static void bad_no_entry (GByteArray *l, gsize at) { l->data[at] = 0; }
static void bad_hash1 (GByteArray *l, gsize at) { l->data[at + 100] ^= 1; }
static void bad_hash2 (GByteArray *l, gsize at) { l->data[at + 8] ^= 2; }
static void bad_first_seq (GByteArray *l, gsize at)
{ put32 (l, at + 12, 9); mklog_rehash (l, at); }
static void bad_size_odd (GByteArray *l, gsize at)
{ put32 (l, at + 4, 1000); mklog_rehash (l, at); }
static void bad_size_small (GByteArray *l, gsize at) { put32 (l, at + 4, 0); }
static void bad_size_past_end (GByteArray *l, gsize at)
{ put32 (l, at + 4, l->len - at + 512); }
static void bad_pages_many (GByteArray *l, gsize at)
{ put32 (l, at + 20, 0x20000000); mklog_rehash (l, at); }
static void bad_page_unaligned (GByteArray *l, gsize at)
{ put32 (l, at + 40, 8); mklog_rehash (l, at); }
static void bad_page_past_bins (GByteArray *l, gsize at)
{ guint32 bins = 0; bootfix_read_le32 (l->data, l->len, at + 16, &bins);
  put32 (l, at + 40, bins); mklog_rehash (l, at); }
static void bad_page_empty (GByteArray *l, gsize at)
{ put32 (l, at + 44, 0); mklog_rehash (l, at); }
static void bad_page_huge (GByteArray *l, gsize at)
{ put32 (l, at + 44, 0xfffff000u); mklog_rehash (l, at); }
static void bad_bins_zero (GByteArray *l, gsize at)
{ put32 (l, at + 16, 0); mklog_rehash (l, at); }
static void bad_bins_huge (GByteArray *l, gsize at)
{ put32 (l, at + 16, 0xfffff000u); mklog_rehash (l, at); }

static const BadLog bad_logs[] = {
  { "good", bad_none, TRUE, BOOTFIX_HIVE_LOG_END, 1 },
  { "short", bad_short, FALSE, 0, 0 },
  { "no-regf", bad_magic, FALSE, 0, 0 },
  { "header-checksum", bad_checksum, FALSE, 0, 0 },
  { "header-torn", bad_torn, FALSE, 0, 0 },
  { "file-type", bad_type, FALSE, 0, 0 },
  { "no-entry", bad_no_entry, TRUE, BOOTFIX_HIVE_LOG_END, 0 },
  { "hash-1", bad_hash1, TRUE, BOOTFIX_HIVE_LOG_BAD_HASH, 0 },
  { "hash-2", bad_hash2, TRUE, BOOTFIX_HIVE_LOG_BAD_HASH, 0 },
  { "first-sequence", bad_first_seq, TRUE, BOOTFIX_HIVE_LOG_SEQUENCE_GAP, 0 },
  { "size-not-sectors", bad_size_odd, TRUE, BOOTFIX_HIVE_LOG_BAD_ENTRY, 0 },
  { "size-zero", bad_size_small, TRUE, BOOTFIX_HIVE_LOG_BAD_ENTRY, 0 },
  { "size-past-end", bad_size_past_end, TRUE, BOOTFIX_HIVE_LOG_TRUNCATED, 0 },
  { "pages-too-many", bad_pages_many, TRUE, BOOTFIX_HIVE_LOG_BAD_ENTRY, 0 },
  { "page-unaligned", bad_page_unaligned, TRUE, BOOTFIX_HIVE_LOG_BAD_ENTRY, 0 },
  { "page-past-bins", bad_page_past_bins, TRUE, BOOTFIX_HIVE_LOG_BAD_ENTRY, 0 },
  { "page-empty", bad_page_empty, TRUE, BOOTFIX_HIVE_LOG_BAD_ENTRY, 0 },
  { "page-huge", bad_page_huge, TRUE, BOOTFIX_HIVE_LOG_BAD_ENTRY, 0 },
  { "bins-zero", bad_bins_zero, TRUE, BOOTFIX_HIVE_LOG_BAD_ENTRY, 0 },
  { "bins-huge", bad_bins_huge, TRUE, BOOTFIX_HIVE_LOG_BAD_ENTRY, 0 },
};

static void
test_bad_log (gconstpointer data)
{
  const BadLog *bl = data;
  g_autoptr (GBytes) base = test_mini_bcd ();
  g_autoptr (GBytes) after = hive_set (base, "A", 0x11, 4);
  g_autoptr (GBytes) dirty = mklog_dirty_primary (base);
  g_autoptr (GArray) pages = mklog_diff_pages (base, after);
  guint32 seq = le32_at (base, 8);
  g_autoptr (GByteArray) log = mklog_new_log (dirty, seq);
  gsize at = mklog_new_entry (log, seq, after, (guint32 *) pages->data, 1);
  bl->spoil (log, at);
  g_autoptr (GBytes) bytes = g_bytes_new (log->data, log->len);
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixHiveLog) parsed = bootfix_hive_log_parse (bytes, &error);
  if (!bl->parses) {
    g_assert_null (parsed);
    g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
    return;
  }
  g_assert_no_error (error);
  g_assert_cmpint (parsed->stop, ==, bl->stop);
  g_assert_cmpuint (parsed->entries->len, ==, bl->n_entries);
}

/* Old-format logs that are no logs. */
static void
test_bad_old_log (void)
{
  Case c;
  case_init (&c, 4);
  g_autoptr (GArray) pages = mklog_diff_pages (c.before, c.after2);
  g_autoptr (GByteArray) log = mklog_old_log (c.dirty, c.after2,
                                              (guint32 *) pages->data,
                                              pages->len);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) cut = g_bytes_new (log->data, 516);
  g_assert_null (bootfix_hive_log_parse (cut, &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
  g_clear_error (&error);
  log->data[512] = 'd';
  g_autoptr (GBytes) nodirt = g_bytes_new (log->data, log->len);
  g_assert_null (bootfix_hive_log_parse (nodirt, &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
  g_clear_error (&error);
  log->data[512] = 'D';
  put32 (log, 40, 4096 + 512); /* hive bins data size not in pages */
  fix_header (log);
  g_autoptr (GBytes) badbins = g_bytes_new (log->data, log->len);
  g_assert_null (bootfix_hive_log_parse (badbins, &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
  case_clear (&c);
}

/* ---- after the edit -------------------------------------------------- */

/* The number to write back is past every entry the logs still hold,
 * stale ones beyond the valid list included; hivex's commit adds one to
 * the primary's number, so the pipeline stamps after committing. */
static void
test_safe_sequence (void)
{
  Case c;
  case_init (&c, 4);
  gsize at2;
  g_autoptr (GByteArray) log = case_log (&c, c.seq, c.seq, c.seq + 1, &at2);
  /* An old generation after the valid entries, numbered higher. */
  gsize at3 = mklog_new_entry (log, c.seq + 40, c.after2,
                               (guint32 *) c.pages2->data, c.pages2->len);
  log->data[at3 + 200] ^= 1;
  g_autoptr (GBytes) l1 = g_bytes_new (log->data, log->len);
  BootfixHiveHeader h;
  bootfix_hive_header_read (g_bytes_get_data (c.dirty, NULL),
                            g_bytes_get_size (c.dirty), &h);
  guint32 safe = 0;
  g_autoptr (GError) error = NULL;
  g_assert_true (bootfix_hive_log_safe_sequence (&h, l1, NULL, &safe, &error));
  g_assert_cmpuint (safe, ==, c.seq + 41);

  /* Numbers half the circle apart: no number is newer than all. */
  put32 (log, at3 + 12, c.seq + 0x80000000u);
  g_autoptr (GBytes) far = g_bytes_new (log->data, log->len);
  g_assert_false (bootfix_hive_log_safe_sequence (&h, NULL, far, &safe, &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);

  /* Stamp a hivex-written hive: still clean and readable. */
  g_autoptr (GBytes) committed = hive_set (c.after2, "C", 0x33, 4);
  g_assert_cmpuint (le32_at (committed, 4), ==, le32_at (c.after2, 4) + 1);
  gsize size;
  g_autofree guint8 *buf = g_memdup2 (g_bytes_get_data (committed, &size),
                                      g_bytes_get_size (committed));
  g_clear_error (&error);
  g_assert_true (bootfix_hive_stamp_sequence (buf, size, c.seq + 41, &error));
  g_autoptr (GBytes) stamped = g_bytes_new (buf, size);
  assert_clean_at (stamped, c.seq + 41);
  g_assert_cmpint (hive_get (stamped, "C", NULL), ==, 0x33);
  case_clear (&c);
}

/* ---- the real Windows 10 1709 SYSTEM hive ---------------------------- */

static int
value_present (GBytes *hive, const char *key, const char *value)
{
  g_autofree char *path = write_temp (hive);
  hive_h *h = hivex_open (path, 0);
  g_unlink (path);
  if (h == NULL)
    return -2;
  hive_node_h node = hivex_node_get_child (h, hivex_root (h), key);
  int res = node && hivex_node_get_value (h, node, value) ? 1 : 0;
  hivex_close (h);
  return res;
}

/* The primary says 1622/1621: dirty.  LOG1's base block and first entry
 * are 2107, LOG2's 2111: both are newer than the primary's 1621, and
 * LOG1 comes first.  Windows 8.1+ writes the primary lazily and may
 * reconcile it without touching its base block, so the numbers 1621 to
 * 2106 live in no log: the primary already holds them.  So the logs do
 * apply: LOG1 2107-2110 (4 entries), then LOG2 continues at 2111 up to
 * 2130 (20 entries), 315 pages; the last entry grows the hive bins
 * data from 12,398,592 to 12,591,104 bytes, still inside the file.
 * The result is a hive hivex opens; it holds what only the logs had,
 * e.g. MountedDevices\DosDevices\F:.  Its SHA-256 is
 * TEST_REPLAYED_1709_SHA256 (hive-files.h).  Both Marvin32 hashes of
 * all 24 entries match ours. */
static void
test_real_1709 (void)
{
  g_autoptr (GBytes) hive = test_unxz_shared ("win10-1709-SYSTEM.xz");
  g_autoptr (GBytes) log1 = test_unxz_shared ("win10-1709-SYSTEM.LOG1.xz");
  g_autoptr (GBytes) log2 = test_unxz_shared ("win10-1709-SYSTEM.LOG2.xz");
  if (hive == NULL || log1 == NULL || log2 == NULL) {
    g_test_skip ("../shared/fixtures/hives or xz is not there");
    return;
  }
  BootfixHiveReplayReport rep;
  g_autoptr (GBytes) out = replay_ok (hive, log1, log2, &rep);
  g_assert_cmpuint (rep.primary.primary_sequence, ==, 1622);
  g_assert_cmpuint (rep.primary.secondary_sequence, ==, 1621);
  g_assert_cmpint (rep.verdict, ==, BOOTFIX_HIVE_REPLAY_REPLAYED);
  g_assert_cmpint (rep.order[0], ==, 0);
  g_assert_cmpint (rep.order[1], ==, 1);
  g_assert_cmpuint (rep.logs[0].first_sequence, ==, 2107);
  g_assert_cmpuint (rep.logs[0].last_sequence, ==, 2110);
  g_assert_cmpuint (rep.logs[1].first_sequence, ==, 2111);
  g_assert_cmpuint (rep.logs[1].last_sequence, ==, 2130);
  g_assert_cmpuint (rep.entries_applied, ==, 24);
  g_assert_cmpuint (rep.pages_applied, ==, 315);
  g_assert_cmpuint (rep.bins_size, ==, 12591104);
  g_assert_cmpint (rep.stop, ==, BOOTFIX_HIVE_LOG_END);
  assert_clean_at (out, 2130);
  g_assert_cmpuint (g_bytes_get_size (out), ==, g_bytes_get_size (hive));
  g_autofree char *sum = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, out);
  g_assert_cmpstr (sum, ==, TEST_REPLAYED_1709_SHA256);
  g_assert_cmpint (value_present (hive, "MountedDevices", "\\DosDevices\\F:"),
                   ==, 0);
  g_assert_cmpint (value_present (out, "MountedDevices", "\\DosDevices\\F:"),
                   ==, 1);
  bootfix_hive_replay_report_clear (&rep);

  /* Written back, the hive must carry 2131: past every entry. */
  guint32 safe = 0;
  g_autoptr (GError) error = NULL;
  g_assert_true (bootfix_hive_log_safe_sequence (&rep.primary, log1, log2,
                                                 &safe, &error));
  g_assert_cmpuint (safe, ==, 2131);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hive-log/header/states", test_header_states);
  g_test_add_func ("/hive-log/header/checksum-marvin", test_checksum_and_marvin);
  g_test_add_func ("/hive-log/replay/clean", test_clean_hive);
  g_test_add_func ("/hive-log/replay/clean-ignores-logs", test_clean_ignores_logs);
  g_test_add_func ("/hive-log/replay/damaged-checksum", test_damaged_checksum);
  g_test_add_func ("/hive-log/replay/no-logs", test_no_logs);
  g_test_add_func ("/hive-log/replay/value", test_replay_value);
  g_test_add_func ("/hive-log/replay/grows", test_replay_grows);
  for (guint i = 0; i < G_N_ELEMENTS (stop_cases); i++) {
    g_autofree char *name = g_strdup_printf ("/hive-log/replay/stop/%s",
                                             stop_cases[i].name);
    g_test_add_data_func (name, &stop_cases[i], test_replay_stops);
  }
  g_test_add_func ("/hive-log/replay/order", test_replay_order);
  g_test_add_func ("/hive-log/replay/stale", test_replay_stale);
  g_test_add_func ("/hive-log/replay/unusable", test_replay_unusable);
  g_test_add_func ("/hive-log/replay/old-format", test_replay_old_format);
  for (guint i = 0; i < G_N_ELEMENTS (bad_logs); i++) {
    g_autofree char *name = g_strdup_printf ("/hive-log/parse/%s",
                                             bad_logs[i].name);
    g_test_add_data_func (name, &bad_logs[i], test_bad_log);
  }
  g_test_add_func ("/hive-log/parse/old-bad", test_bad_old_log);
  g_test_add_func ("/hive-log/safe-sequence", test_safe_sequence);
  g_test_add_func ("/hive-log/real/win10-1709", test_real_1709);
  return g_test_run ();
}
