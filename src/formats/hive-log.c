/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Registry hive base blocks, transaction logs and their replay.  Rules
 * and sources: docs/hive-logs.md.  Every offset goes through bytes.h. */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "bootfix-error.h"
#include "bytes.h"
#include "hive-log.h"

#define CHECKSUM_OFFSET 508u
#define SECTOR 512u
#define PAGE 4096u               /* hive bins and log pages come in these */
#define ENTRY_HEADER_SIZE 40u    /* "HvLE" up to the page references */
#define PAGE_REF_SIZE 8u
#define DIRT_PAGE 512u           /* one bit of the old dirty vector */

#define FILE_TYPE_PRIMARY 0u
#define FILE_TYPE_LOG_OLD 1u
#define FILE_TYPE_LOG_OLD_NT5 2u /* Windows 2000 */
#define FILE_TYPE_LOG_NEW 6u

/* ---- base block ---------------------------------------------------- */

gboolean
bootfix_regf_checksum (const guint8 *buf, gsize size, guint32 *out)
{
  guint32 sum = 0, word;
  if (!bootfix_span_ok (size, 0, SECTOR))
    return FALSE;
  for (gsize off = 0; off < CHECKSUM_OFFSET; off += 4) {
    if (!bootfix_read_le32 (buf, size, off, &word))
      return FALSE;
    sum ^= word;
  }
  /* Windows never stores these two: 0 and ~0 mean "not computed". */
  if (sum == 0xffffffffu)
    sum = 0xfffffffeu;
  else if (sum == 0)
    sum = 1;
  *out = sum;
  return TRUE;
}

BootfixHiveState
bootfix_hive_header_read (const guint8 *buf, gsize size, BootfixHiveHeader *out)
{
  guint32 sum = 0;
  memset (out, 0, sizeof *out);
  out->state = BOOTFIX_HIVE_NOT_A_HIVE;
  if (buf == NULL || !bootfix_span_ok (size, 0, SECTOR) ||
      memcmp (buf, "regf", 4) != 0)
    return out->state;
  if (!bootfix_read_le32 (buf, size, 4, &out->primary_sequence) ||
      !bootfix_read_le32 (buf, size, 8, &out->secondary_sequence) ||
      !bootfix_read_le64 (buf, size, 12, &out->timestamp) ||
      !bootfix_read_le32 (buf, size, 20, &out->major) ||
      !bootfix_read_le32 (buf, size, 24, &out->minor) ||
      !bootfix_read_le32 (buf, size, 28, &out->file_type) ||
      !bootfix_read_le32 (buf, size, 40, &out->bins_size) ||
      !bootfix_read_le32 (buf, size, 44, &out->clustering) ||
      !bootfix_read_le32 (buf, size, CHECKSUM_OFFSET, &out->checksum) ||
      !bootfix_regf_checksum (buf, size, &sum))
    return out->state;
  if (sum != out->checksum)
    out->state = BOOTFIX_HIVE_BAD_CHECKSUM;
  else if (out->primary_sequence != out->secondary_sequence)
    out->state = BOOTFIX_HIVE_DIRTY;
  else
    out->state = BOOTFIX_HIVE_CLEAN;
  return out->state;
}

gboolean
bootfix_hive_stamp_sequence (guint8 *buf, gsize size, guint32 sequence,
                             GError **error)
{
  guint32 sum;
  if (!bootfix_write_le32 (buf, size, 4, sequence) ||
      !bootfix_write_le32 (buf, size, 8, sequence) ||
      !bootfix_regf_checksum (buf, size, &sum) ||
      !bootfix_write_le32 (buf, size, CHECKSUM_OFFSET, sum))
    return bootfix_guest_error (error, _("registry hive: no base block to "
                                         "update"));
  return TRUE;
}

/* ---- Marvin32 ------------------------------------------------------ */

static inline guint32
rotl32 (guint32 v, int n)
{
  return (v << n) | (v >> (32 - n));
}

static inline void
marvin_block (guint32 *p0, guint32 *p1)
{
  *p1 ^= *p0;
  *p0 = rotl32 (*p0, 20);
  *p0 += *p1;
  *p1 = rotl32 (*p1, 9);
  *p1 ^= *p0;
  *p0 = rotl32 (*p0, 27);
  *p0 += *p1;
  *p1 = rotl32 (*p1, 19);
}

guint64
bootfix_marvin32 (const guint8 *data, gsize len, guint64 seed)
{
  guint32 p0 = (guint32) seed, p1 = (guint32) (seed >> 32), word = 0;
  gsize off = 0;
  for (; len - off >= 4; off += 4) {
    (void) bootfix_read_le32 (data, len, off, &word);
    p0 += word;
    marvin_block (&p0, &p1);
  }
  /* The tail (0 to 3 bytes) is padded with a single 0x80 byte. */
  guint32 tail = 0x80;
  for (gsize i = len; i > off; i--)
    tail = (tail << 8) | data[i - 1];
  p0 += tail;
  marvin_block (&p0, &p1);
  marvin_block (&p0, &p1);
  return (guint64) p1 << 32 | p0;
}

/* ---- new-format log entries ---------------------------------------- */

static gboolean
seq_before (guint32 a, guint32 b)
{
  /* Serial-number order: a is before b when b - a is "small". */
  return a != b && b - a < 0x80000000u;
}

/* The page references of the entry at at: each page inside the hive
 * bins data the entry declares, page-aligned, and all pages inside the
 * entry. */
static gboolean
entry_pages_ok (const guint8 *buf, gsize size, const BootfixHiveLogEntry *e)
{
  gsize refs = e->at + ENTRY_HEADER_SIZE;
  guint64 data = ENTRY_HEADER_SIZE + (guint64) e->n_pages * PAGE_REF_SIZE;
  if (data > e->size)
    return FALSE;
  for (guint32 i = 0; i < e->n_pages; i++) {
    guint32 off, len;
    if (!bootfix_read_le32 (buf, size, refs + 8 * (gsize) i, &off) ||
        !bootfix_read_le32 (buf, size, refs + 8 * (gsize) i + 4, &len))
      return FALSE;
    if (len == 0 || off % PAGE != 0 || len % PAGE != 0 ||
        (guint64) off + len > e->bins_size)
      return FALSE;
    data += len;
    if (data > e->size)
      return FALSE;
  }
  return TRUE;
}

/* Read the entry header at at into e.  Returns how the list goes on:
 * END (no entry here), TRUNCATED, BAD_ENTRY, BAD_HASH, or
 * SEQUENCE_GAP meaning "valid" (the caller checks the order). */
static BootfixHiveLogStop
read_entry (const guint8 *buf, gsize size, gsize at, BootfixHiveLogEntry *e)
{
  guint64 hash1, hash2;
  memset (e, 0, sizeof *e);
  e->at = at;
  if (!bootfix_span_ok (size, at, 4) || memcmp (buf + at, "HvLE", 4) != 0)
    return BOOTFIX_HIVE_LOG_END;
  if (!bootfix_read_le32 (buf, size, at + 4, &e->size) ||
      !bootfix_read_le32 (buf, size, at + 8, &e->flags) ||
      !bootfix_read_le32 (buf, size, at + 12, &e->sequence) ||
      !bootfix_read_le32 (buf, size, at + 16, &e->bins_size) ||
      !bootfix_read_le32 (buf, size, at + 20, &e->n_pages) ||
      !bootfix_read_le64 (buf, size, at + 24, &hash1) ||
      !bootfix_read_le64 (buf, size, at + 32, &hash2))
    return BOOTFIX_HIVE_LOG_TRUNCATED;
  if (e->size < ENTRY_HEADER_SIZE || e->size % SECTOR != 0)
    return BOOTFIX_HIVE_LOG_BAD_ENTRY;
  if (!bootfix_span_ok (size, at, e->size))
    return BOOTFIX_HIVE_LOG_TRUNCATED;
  /* Hash-1 covers everything after the header, hash-2 the header's first
   * 32 bytes (which include hash-1). */
  if (bootfix_marvin32 (buf + at + ENTRY_HEADER_SIZE,
                        e->size - ENTRY_HEADER_SIZE,
                        BOOTFIX_HIVE_LOG_MARVIN_SEED) != hash1 ||
      bootfix_marvin32 (buf + at, 32, BOOTFIX_HIVE_LOG_MARVIN_SEED) != hash2)
    return BOOTFIX_HIVE_LOG_BAD_HASH;
  if (e->bins_size == 0 || e->bins_size % PAGE != 0 ||
      e->bins_size > BOOTFIX_HIVE_LOG_MAX_HIVE_SIZE - BOOTFIX_REGF_BASE_BLOCK_SIZE ||
      !entry_pages_ok (buf, size, e))
    return BOOTFIX_HIVE_LOG_BAD_ENTRY;
  return BOOTFIX_HIVE_LOG_SEQUENCE_GAP;
}

/* Entries follow the base block sector without gaps.  The first must
 * carry the log's own sequence number, each next one N + 1: whatever
 * follows is an older, already applied generation. */
static void
parse_entries (BootfixHiveLog *log, const guint8 *buf, gsize size)
{
  gsize at = BOOTFIX_REGF_LOG_HEADER_SIZE;
  guint32 expected = log->header.primary_sequence;
  for (;;) {
    BootfixHiveLogEntry e;
    BootfixHiveLogStop why = read_entry (buf, size, at, &e);
    if (why == BOOTFIX_HIVE_LOG_SEQUENCE_GAP && e.sequence == expected) {
      g_array_append_val (log->entries, e);
      expected = e.sequence + 1;
      at += e.size;
      continue;
    }
    log->stop = why;
    log->stop_at = at;
    return;
  }
}

/* ---- old-format (DIRT) logs ---------------------------------------- */

static gsize
popcount_bytes (const guint8 *p, gsize n)
{
  gsize bits = 0;
  for (gsize i = 0; i < n; i++)
    bits += (gsize) __builtin_popcount (p[i]);
  return bits;
}

/* The dirty vector sits in the second sector: "DIRT" and one bit per
 * 512 bytes of hive bins data; the pages follow at the next sector. */
static gboolean
parse_dirt (BootfixHiveLog *log, const guint8 *buf, gsize size,
            GError **error)
{
  const gsize vec = BOOTFIX_REGF_LOG_HEADER_SIZE;
  guint32 bins = log->header.bins_size;
  if (bins == 0 || bins % PAGE != 0 ||
      bins > BOOTFIX_HIVE_LOG_MAX_HIVE_SIZE - BOOTFIX_REGF_BASE_BLOCK_SIZE)
    return bootfix_guest_error (error, _("transaction log: hive bins data "
                                         "size %u is not valid"), bins);
  gsize bitmap_len = bins / DIRT_PAGE / 8;
  if (!bootfix_span_ok (size, vec, 4) || memcmp (buf + vec, "DIRT", 4) != 0)
    return bootfix_guest_error (error, _("transaction log: no dirty vector"));
  if (!bootfix_span_ok (size, vec + 4, bitmap_len))
    return bootfix_guest_error (error, _("transaction log: the dirty vector "
                                         "is cut short"));
  gsize end = vec + 4 + bitmap_len;
  log->dirt_pages_at = (end + SECTOR - 1) / SECTOR * SECTOR;
  log->dirt_n_pages = (guint32) popcount_bytes (buf + vec + 4, bitmap_len);
  log->stop_at = log->dirt_pages_at;
  log->stop = bootfix_span_ok (size, log->dirt_pages_at,
                               (gsize) log->dirt_n_pages * DIRT_PAGE)
    ? BOOTFIX_HIVE_LOG_END : BOOTFIX_HIVE_LOG_TRUNCATED;
  return TRUE;
}

/* ---- logs ---------------------------------------------------------- */

void
bootfix_hive_log_free (BootfixHiveLog *log)
{
  if (log == NULL)
    return;
  g_clear_pointer (&log->bytes, g_bytes_unref);
  g_clear_pointer (&log->entries, g_array_unref);
  g_free (log);
}

/* A log's base block copy must be whole and finished: checksum right
 * and both sequence numbers equal (a torn write leaves them apart). */
static gboolean
log_header_ok (const guint8 *buf, gsize size, BootfixHiveHeader *h,
               GError **error)
{
  BootfixHiveState st = bootfix_hive_header_read (buf, size, h);
  if (st == BOOTFIX_HIVE_NOT_A_HIVE)
    return bootfix_guest_error (error, _("transaction log: no base block"));
  if (st == BOOTFIX_HIVE_BAD_CHECKSUM)
    return bootfix_guest_error (error, _("transaction log: the base block "
                                         "checksum is wrong"));
  if (st == BOOTFIX_HIVE_DIRTY)
    return bootfix_guest_error (error, _("transaction log: the base block "
                                         "was not finished (sequence numbers "
                                         "%u and %u)"),
                                h->primary_sequence, h->secondary_sequence);
  return TRUE;
}

BootfixHiveLog *
bootfix_hive_log_parse (GBytes *bytes, GError **error)
{
  gsize size = 0;
  const guint8 *buf = bytes ? g_bytes_get_data (bytes, &size) : NULL;
  if (size > BOOTFIX_HIVE_LOG_MAX_LOG_SIZE) {
    bootfix_guest_error (error, _("transaction log: larger than %u MiB"),
                         BOOTFIX_HIVE_LOG_MAX_LOG_SIZE / (1024 * 1024));
    return NULL;
  }
  g_autoptr (BootfixHiveLog) log = g_new0 (BootfixHiveLog, 1);
  log->entries = g_array_new (FALSE, FALSE, sizeof (BootfixHiveLogEntry));
  if (!log_header_ok (buf, size, &log->header, error))
    return NULL;
  log->bytes = g_bytes_ref (bytes);
  switch (log->header.file_type) {
  case FILE_TYPE_LOG_NEW:
    log->format = BOOTFIX_HIVE_LOG_NEW;
    parse_entries (log, buf, size);
    break;
  case FILE_TYPE_LOG_OLD:
  case FILE_TYPE_LOG_OLD_NT5:
    log->format = BOOTFIX_HIVE_LOG_OLD;
    if (!parse_dirt (log, buf, size, error))
      return NULL;
    break;
  default:
    bootfix_guest_error (error, _("transaction log: unknown file type %u"),
                         log->header.file_type);
    return NULL;
  }
  return g_steal_pointer (&log);
}

/* ---- replay -------------------------------------------------------- */

#define FLAGS_OFFSET 144u  /* Windows 10 base block flags */
#define FLAG_KTM_LOCKED 1u /* the only flag a log entry carries */

typedef struct {
  GByteArray *hive;
  guint32 sequence;  /* of the last entry applied */
  guint32 bins_size;
  guint32 flags;
  gboolean flags_known; /* the primary has the Windows 10 flags field */
  const guint8 *header_from; /* the base block copy of the last log used */
  gboolean applied;
} Replay;

/* Make room for bins bytes of hive bins data; new space is zero. */
static void
replay_grow (Replay *r, guint32 bins)
{
  gsize want = (gsize) BOOTFIX_REGF_BASE_BLOCK_SIZE + bins;
  gsize had = r->hive->len;
  if (want <= had)
    return;
  g_byte_array_set_size (r->hive, (guint) want);
  memset (r->hive->data + had, 0, want - had);
}

/* Copy len bytes of the log at from over the hive at bins offset to.
 * Both spans were checked when the log was parsed; check again, since a
 * failed check here must not become a wild write. */
static gboolean
replay_copy (Replay *r, const guint8 *log, gsize log_size, gsize from,
             guint64 to, gsize len)
{
  guint64 at = BOOTFIX_REGF_BASE_BLOCK_SIZE + to;
  if (!bootfix_span_ok (log_size, from, len) ||
      at > r->hive->len || !bootfix_span_ok (r->hive->len, (gsize) at, len))
    return FALSE;
  memcpy (r->hive->data + at, log + from, len);
  return TRUE;
}

static guint
apply_entry (Replay *r, const guint8 *buf, gsize size,
             const BootfixHiveLogEntry *e)
{
  gsize refs = e->at + ENTRY_HEADER_SIZE;
  gsize data = refs + (gsize) e->n_pages * PAGE_REF_SIZE;
  guint pages = 0;
  replay_grow (r, e->bins_size);
  for (guint32 i = 0; i < e->n_pages; i++) {
    guint32 off = 0, len = 0;
    (void) bootfix_read_le32 (buf, size, refs + 8 * (gsize) i, &off);
    (void) bootfix_read_le32 (buf, size, refs + 8 * (gsize) i + 4, &len);
    if (replay_copy (r, buf, size, data, off, len))
      pages++;
    data += len;
  }
  r->sequence = e->sequence;
  r->bins_size = e->bins_size;
  r->flags = (r->flags & ~FLAG_KTM_LOCKED) | (e->flags & FLAG_KTM_LOCKED);
  return pages;
}

static void
apply_new_log (Replay *r, const BootfixHiveLog *log, BootfixHiveLogReport *lr,
               BootfixHiveReplayReport *rep)
{
  gsize size;
  const guint8 *buf = g_bytes_get_data (log->bytes, &size);
  for (guint k = 0; k < log->entries->len; k++) {
    const BootfixHiveLogEntry *e =
      &g_array_index (log->entries, BootfixHiveLogEntry, k);
    rep->pages_applied += apply_entry (r, buf, size, e);
    if (lr->entries_applied++ == 0)
      lr->first_sequence = e->sequence;
    lr->last_sequence = e->sequence;
    rep->entries_applied++;
  }
  lr->stop = log->stop;
  rep->stop = log->stop;
  if (lr->entries_applied > 0) {
    lr->use = BOOTFIX_HIVE_LOG_APPLIED;
    r->header_from = buf;
    r->applied = TRUE;
  } else {
    lr->use = BOOTFIX_HIVE_LOG_NO_ENTRY;
  }
}

/* New format: the log whose entries come first goes first; it must not
 * be older than the primary; the other must continue at N + 1. */
static void
replay_new (Replay *r, BootfixHiveLog *logs[2], BootfixHiveReplayReport *rep)
{
  int idx[2], n = 0;
  for (int i = 0; i < 2; i++)
    if (logs[i] && logs[i]->format == BOOTFIX_HIVE_LOG_NEW)
      idx[n++] = i;
  if (n == 2 && seq_before (logs[idx[1]]->header.primary_sequence,
                            logs[idx[0]]->header.primary_sequence)) {
    int t = idx[0];
    idx[0] = idx[1];
    idx[1] = t;
  }
  for (int k = 0; k < n; k++) {
    const BootfixHiveLog *log = logs[idx[k]];
    BootfixHiveLogReport *lr = &rep->logs[idx[k]];
    guint32 base = log->header.primary_sequence;
    rep->order[k] = idx[k];
    if (!r->applied && seq_before (base, rep->primary.secondary_sequence)) {
      lr->use = BOOTFIX_HIVE_LOG_STALE;
      continue;
    }
    if (r->applied && base != r->sequence + 1) {
      lr->use = BOOTFIX_HIVE_LOG_NOT_NEXT;
      return;
    }
    apply_new_log (r, log, lr, rep);
    if (!r->applied)
      return;
  }
}

/* Old format: one log, all of it, when its base block copy was written
 * with the primary's (same timestamp); LOG1 is tried first. */
static void
replay_old (Replay *r, BootfixHiveLog *logs[2], BootfixHiveReplayReport *rep)
{
  int n = 0;
  for (int i = 0; i < 2 && !r->applied; i++) {
    const BootfixHiveLog *log = logs[i];
    BootfixHiveLogReport *lr = &rep->logs[i];
    if (log == NULL || log->format != BOOTFIX_HIVE_LOG_OLD)
      continue;
    rep->order[n++] = i;
    lr->stop = log->stop;
    if (log->header.timestamp != rep->primary.timestamp) {
      lr->use = BOOTFIX_HIVE_LOG_STALE;
      continue;
    }
    if (log->stop != BOOTFIX_HIVE_LOG_END) {
      lr->use = BOOTFIX_HIVE_LOG_NO_ENTRY;
      continue;
    }
    gsize size;
    const guint8 *buf = g_bytes_get_data (log->bytes, &size);
    const gsize bitmap = BOOTFIX_REGF_LOG_HEADER_SIZE + 4;
    gsize from = log->dirt_pages_at;
    replay_grow (r, log->header.bins_size);
    for (guint32 bit = 0; bit < log->header.bins_size / DIRT_PAGE; bit++) {
      guint8 bits = 0;
      if (!bootfix_read_u8 (buf, size, bitmap + bit / 8, &bits) ||
          !(bits & (1u << (bit % 8))))
        continue;
      if (replay_copy (r, buf, size, from, (guint64) bit * DIRT_PAGE, DIRT_PAGE))
        rep->pages_applied++;
      from += DIRT_PAGE;
    }
    r->sequence = log->header.primary_sequence;
    r->bins_size = log->header.bins_size;
    r->header_from = buf;
    r->applied = TRUE;
    lr->use = BOOTFIX_HIVE_LOG_APPLIED;
    lr->entries_applied = 1;
    lr->first_sequence = lr->last_sequence = r->sequence;
    rep->entries_applied++;
    rep->stop = log->stop;
  }
}

/* The replayed base block: what Windows holds in memory after recovery,
 * written out clean.  Timestamp, minor version and root cell come from
 * the log's copy, which was made from memory at the time of the log. */
static gboolean
replay_finish (Replay *r, GError **error)
{
  guint8 *hb = r->hive->data;
  gsize size = r->hive->len;
  static const gsize from_log[][2] = { { 12, 8 }, { 24, 4 }, { 36, 4 } };
  for (gsize i = 0; i < G_N_ELEMENTS (from_log); i++)
    if (bootfix_span_ok (size, from_log[i][0], from_log[i][1]))
      memcpy (hb + from_log[i][0], r->header_from + from_log[i][0],
              from_log[i][1]);
  if (!bootfix_write_le32 (hb, size, 28, FILE_TYPE_PRIMARY) ||
      !bootfix_write_le32 (hb, size, 40, r->bins_size))
    return bootfix_guest_error (error, _("registry hive: no base block"));
  if (r->flags_known &&
      !bootfix_write_le32 (hb, size, FLAGS_OFFSET, r->flags))
    return bootfix_guest_error (error, _("registry hive: no base block"));
  return bootfix_hive_stamp_sequence (hb, size, r->sequence, error);
}

void
bootfix_hive_replay_report_clear (BootfixHiveReplayReport *report)
{
  for (int i = 0; i < 2; i++)
    g_clear_pointer (&report->logs[i].error_message, g_free);
}

/* Parse the logs given; an absent or empty one is ABSENT, one that is
 * no log UNUSABLE.  Returns how many were given. */
static int
load_logs (GBytes *given[2], BootfixHiveLog *logs[2],
           BootfixHiveReplayReport *rep)
{
  int present = 0;
  for (int i = 0; i < 2; i++) {
    BootfixHiveLogReport *lr = &rep->logs[i];
    g_autoptr (GError) local = NULL;
    logs[i] = NULL;
    if (given[i] == NULL || g_bytes_get_size (given[i]) == 0) {
      lr->use = BOOTFIX_HIVE_LOG_ABSENT;
      continue;
    }
    present++;
    logs[i] = bootfix_hive_log_parse (given[i], &local);
    if (logs[i] == NULL) {
      lr->use = BOOTFIX_HIVE_LOG_UNUSABLE;
      lr->error_message = g_strdup (local->message);
      continue;
    }
    lr->format = logs[i]->format;
    lr->base_sequence = logs[i]->header.primary_sequence;
    lr->n_entries = logs[i]->format == BOOTFIX_HIVE_LOG_NEW
      ? logs[i]->entries->len : 1;
    lr->stop = logs[i]->stop;
  }
  return present;
}

/* The dirty case: replay, then say what came of it. */
static gboolean
replay_dirty (GBytes *primary, BootfixHiveLog *logs[2], GBytes **out,
              BootfixHiveReplayReport *rep, GError **error)
{
  gsize size;
  const guint8 *buf = g_bytes_get_data (primary, &size);
  gboolean any_new = (logs[0] && logs[0]->format == BOOTFIX_HIVE_LOG_NEW) ||
                     (logs[1] && logs[1]->format == BOOTFIX_HIVE_LOG_NEW);
  Replay r = { 0 };
  r.hive = g_byte_array_sized_new ((guint) size);
  g_byte_array_append (r.hive, buf, (guint) size);
  r.bins_size = rep->primary.bins_size;
  r.flags_known = bootfix_read_le32 (buf, size, FLAGS_OFFSET, &r.flags);
  if (any_new)
    replay_new (&r, logs, rep);
  else
    replay_old (&r, logs, rep);
  if (!r.applied) {
    g_byte_array_unref (r.hive);
    rep->verdict = BOOTFIX_HIVE_REPLAY_LOGS_DO_NOT_APPLY;
    *out = g_bytes_ref (primary);
    return TRUE;
  }
  if (!replay_finish (&r, error)) {
    g_byte_array_unref (r.hive);
    return FALSE;
  }
  rep->verdict = BOOTFIX_HIVE_REPLAY_REPLAYED;
  rep->last_sequence = r.sequence;
  rep->bins_size = r.bins_size;
  *out = g_byte_array_free_to_bytes (r.hive);
  return TRUE;
}

gboolean
bootfix_hive_replay (GBytes *primary, GBytes *log1, GBytes *log2,
                     GBytes **out_hive, BootfixHiveReplayReport *report,
                     GError **error)
{
  gsize size = 0;
  const guint8 *buf = primary ? g_bytes_get_data (primary, &size) : NULL;
  GBytes *given[2] = { log1, log2 };
  BootfixHiveLog *logs[2] = { NULL, NULL };
  memset (report, 0, sizeof *report);
  report->order[0] = report->order[1] = -1;
  *out_hive = NULL;
  if (size > BOOTFIX_HIVE_LOG_MAX_HIVE_SIZE)
    return bootfix_guest_error (error, _("registry hive: larger than %u MiB"),
                                BOOTFIX_HIVE_LOG_MAX_HIVE_SIZE / (1024 * 1024));
  switch (bootfix_hive_header_read (buf, size, &report->primary)) {
  case BOOTFIX_HIVE_CLEAN:
    report->verdict = BOOTFIX_HIVE_REPLAY_CLEAN;
    report->last_sequence = report->primary.secondary_sequence;
    report->bins_size = report->primary.bins_size;
    *out_hive = g_bytes_ref (primary);
    return TRUE;
  case BOOTFIX_HIVE_DIRTY:
    break;
  default: /* Windows would rebuild the base block from a log; we refuse. */
    report->verdict = BOOTFIX_HIVE_REPLAY_DAMAGED;
    return TRUE;
  }
  if (load_logs (given, logs, report) == 0) {
    report->verdict = BOOTFIX_HIVE_REPLAY_LOGS_MISSING;
    *out_hive = g_bytes_ref (primary);
    return TRUE;
  }
  gboolean ok = replay_dirty (primary, logs, out_hive, report, error);
  for (int i = 0; i < 2; i++)
    bootfix_hive_log_free (logs[i]);
  return ok;
}

const char *
bootfix_hive_replay_verdict_name (BootfixHiveReplayVerdict v)
{
  switch (v) {
  case BOOTFIX_HIVE_REPLAY_CLEAN: return "clean";
  case BOOTFIX_HIVE_REPLAY_REPLAYED: return "replayed";
  case BOOTFIX_HIVE_REPLAY_LOGS_MISSING: return "dirty-logs-missing";
  case BOOTFIX_HIVE_REPLAY_LOGS_DO_NOT_APPLY: return "dirty-logs-do-not-apply";
  case BOOTFIX_HIVE_REPLAY_DAMAGED: return "damaged";
  }
  return "unknown";
}

static const char *
stop_text (BootfixHiveLogStop stop)
{
  switch (stop) {
  case BOOTFIX_HIVE_LOG_END: return _("end of the log");
  case BOOTFIX_HIVE_LOG_TRUNCATED: return _("a log entry is cut short");
  case BOOTFIX_HIVE_LOG_BAD_ENTRY: return _("a log entry is malformed");
  case BOOTFIX_HIVE_LOG_BAD_HASH: return _("a log entry's hash is wrong");
  case BOOTFIX_HIVE_LOG_SEQUENCE_GAP: return _("a gap in the sequence numbers");
  }
  return "?";
}

char *
bootfix_hive_replay_describe (const BootfixHiveReplayReport *rep,
                              const char *name)
{
  const BootfixHiveHeader *p = &rep->primary;
  switch (rep->verdict) {
  case BOOTFIX_HIVE_REPLAY_CLEAN:
    return g_strdup_printf (_("registry hive %s is clean"), name);
  case BOOTFIX_HIVE_REPLAY_REPLAYED:
    return g_strdup_printf (_("registry hive %s was dirty (sequence numbers "
                              "%u and %u): replayed %u log entries up to "
                              "sequence number %u (stopped at: %s)"),
                            name, p->primary_sequence, p->secondary_sequence,
                            rep->entries_applied, rep->last_sequence,
                            stop_text (rep->stop));
  case BOOTFIX_HIVE_REPLAY_LOGS_MISSING:
    return g_strdup_printf (_("registry hive %s is dirty (sequence numbers "
                              "%u and %u) and its transaction logs are "
                              "missing"), name, p->primary_sequence,
                            p->secondary_sequence);
  case BOOTFIX_HIVE_REPLAY_LOGS_DO_NOT_APPLY:
    return g_strdup_printf (_("registry hive %s is dirty (sequence numbers "
                              "%u and %u) and no entry of its transaction "
                              "logs applies to it"), name,
                            p->primary_sequence, p->secondary_sequence);
  case BOOTFIX_HIVE_REPLAY_DAMAGED:
    return g_strdup_printf (_("registry hive %s is damaged: its base block "
                              "is missing or its checksum is wrong"), name);
  }
  return g_strdup (name);
}

/* ---- after the edit ------------------------------------------------ */

/* Every sequence number a log still shows: its base block's and those
 * of everything that looks like an entry, valid or not, at any sector. */
static void
collect_sequences (GBytes *bytes, GArray *seqs)
{
  gsize size = 0;
  const guint8 *buf = bytes ? g_bytes_get_data (bytes, &size) : NULL;
  guint32 v;
  size = MIN (size, (gsize) BOOTFIX_HIVE_LOG_MAX_LOG_SIZE);
  if (bootfix_span_ok (size, 0, 12) && memcmp (buf, "regf", 4) == 0)
    for (gsize off = 4; off <= 8; off += 4)
      if (bootfix_read_le32 (buf, size, off, &v))
        g_array_append_val (seqs, v);
  for (gsize at = SECTOR; bootfix_span_ok (size, at, 16); at += SECTOR)
    if (memcmp (buf + at, "HvLE", 4) == 0 &&
        bootfix_read_le32 (buf, size, at + 12, &v))
      g_array_append_val (seqs, v);
}

gboolean
bootfix_hive_log_safe_sequence (const BootfixHiveHeader *primary,
                                GBytes *log1, GBytes *log2, guint32 *out,
                                GError **error)
{
  g_autoptr (GArray) seqs = g_array_new (FALSE, FALSE, sizeof (guint32));
  guint32 base = primary->secondary_sequence, ahead = 0;
  g_array_append_val (seqs, primary->primary_sequence);
  collect_sequences (log1, seqs);
  collect_sequences (log2, seqs);
  /* Windows compares sequence numbers modulo 2^32: find the newest one
   * seen from the primary, then check that all are before one past it. */
  for (guint i = 0; i < seqs->len; i++) {
    guint32 d = g_array_index (seqs, guint32, i) - base;
    if (d < 0x80000000u && d > ahead)
      ahead = d;
  }
  guint32 safe = base + ahead + 1;
  for (guint i = 0; i < seqs->len; i++)
    if (!seq_before (g_array_index (seqs, guint32, i), safe))
      return bootfix_guest_error (error, _("registry hive: the sequence "
                                           "numbers of the hive and its "
                                           "logs are too far apart to "
                                           "choose a newer one"));
  *out = safe;
  return TRUE;
}
