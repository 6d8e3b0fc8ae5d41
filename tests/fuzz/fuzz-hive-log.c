/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: a primary hive and two transaction logs, parsed and
 * replayed as the executor will (src/formats/hive-log.c).
 *
 * Input: two little-endian 16-bit lengths, then the primary (first
 * length), LOG1 (second length) and LOG2 (the rest); lengths past the
 * end are clipped.  The top bit of the first length asks the target to
 * repair checksums and hashes first (base blocks, every "HvLE" entry),
 * since mutated bytes almost never keep them right and the fuzzer would
 * otherwise not get past them.  Checked: nothing but BOOTFIX_ERROR fails; a replayed
 * hive has a clean base block at the reported sequence number; the
 * other verdicts hand back the primary itself or nothing; the text is
 * UTF-8; every entry kept lies inside its log and in sequence; the safe
 * sequence number is past every entry. */
#include "config.h"

#include "fuzz-common.h"

#include <stdint.h>
#include <glib.h>

#include "bootfix-error.h"
#include "bytes.h"
#include "hive-log.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* A log may grow the hive to 512 MiB; allocating that on every input
 * would make the fuzzer crawl, so inputs that ask for more are skipped
 * (the cap itself is checked by the unit tests). */
#define FUZZ_MAX_BINS (4u * 1024 * 1024)

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

/* Fix a base block's checksum and every entry's hashes, in place. */
static void
repair (guint8 *buf, size_t size)
{
  guint32 sum;
  if (bootfix_regf_checksum (buf, size, &sum))
    (void) bootfix_write_le32 (buf, size, 508, sum);
  for (size_t at = 512; bootfix_span_ok (size, at, 40); at += 512) {
    guint32 len = 0;
    if (memcmp (buf + at, "HvLE", 4) != 0 ||
        !bootfix_read_le32 (buf, size, at + 4, &len) || len < 40 ||
        !bootfix_span_ok (size, at, len))
      continue;
    (void) bootfix_write_le64 (buf, size, at + 24,
                               bootfix_marvin32 (buf + at + 40, len - 40,
                                                 BOOTFIX_HIVE_LOG_MARVIN_SEED));
    (void) bootfix_write_le64 (buf, size, at + 32,
                               bootfix_marvin32 (buf + at, 32,
                                                 BOOTFIX_HIVE_LOG_MARVIN_SEED));
  }
}

static GBytes *
take (const uint8_t **p, size_t *left, size_t want, gboolean fix)
{
  size_t n = want < *left ? want : *left;
  guint8 *copy = g_memdup2 (*p, n);
  if (fix)
    repair (copy, n);
  *p += n;
  *left -= n;
  return g_bytes_new_take (copy, n);
}

/* Parse one log, check its entries; FALSE when it would grow too far. */
static gboolean
check_log (GBytes *bytes, GArray *seqs)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixHiveLog) log = bootfix_hive_log_parse (bytes, &error);
  if (log == NULL) {
    CHECK (error && error->domain == BOOTFIX_ERROR);
    return TRUE;
  }
  if (log->format == BOOTFIX_HIVE_LOG_OLD)
    return log->header.bins_size <= FUZZ_MAX_BINS;
  gsize size = g_bytes_get_size (bytes), next = BOOTFIX_REGF_LOG_HEADER_SIZE;
  for (guint i = 0; i < log->entries->len; i++) {
    const BootfixHiveLogEntry *e =
      &g_array_index (log->entries, BootfixHiveLogEntry, i);
    CHECK (e->at == next && e->size % 512 == 0 && e->at + e->size <= size);
    CHECK (e->sequence == log->header.primary_sequence + i);
    next = e->at + e->size;
    if (e->bins_size > FUZZ_MAX_BINS)
      return FALSE;
    g_array_append_val (seqs, e->sequence);
  }
  return TRUE;
}

static void
check_replay (GBytes *primary, GBytes *l1, GBytes *l2)
{
  g_autoptr (GBytes) out = NULL;
  g_autoptr (GError) error = NULL;
  BootfixHiveReplayReport rep;
  if (!bootfix_hive_replay (primary, l1, l2, &out, &rep, &error)) {
    CHECK (error && error->domain == BOOTFIX_ERROR && out == NULL);
    return;
  }
  g_autofree char *text = bootfix_hive_replay_describe (&rep, "SYSTEM");
  fuzz_touch_text (text);
  fuzz_touch_text (bootfix_hive_replay_verdict_name (rep.verdict));
  for (int i = 0; i < 2; i++)
    fuzz_touch_text (rep.logs[i].error_message);
  if (rep.verdict == BOOTFIX_HIVE_REPLAY_REPLAYED) {
    BootfixHiveHeader h;
    CHECK (out != NULL && out != primary);
    CHECK (bootfix_hive_header_read (g_bytes_get_data (out, NULL),
                                     g_bytes_get_size (out), &h)
           == BOOTFIX_HIVE_CLEAN);
    CHECK (h.primary_sequence == rep.last_sequence);
    CHECK (h.bins_size == rep.bins_size && rep.entries_applied > 0);
    CHECK (g_bytes_get_size (out) <= BOOTFIX_HIVE_LOG_MAX_HIVE_SIZE);
  } else if (rep.verdict == BOOTFIX_HIVE_REPLAY_DAMAGED) {
    CHECK (out == NULL);
  } else {
    CHECK (out == primary && rep.entries_applied == 0);
  }
  bootfix_hive_replay_report_clear (&rep);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size < 4)
    return 0;
  gboolean fix = (data[1] & 0x80) != 0;
  size_t n0 = data[0] | (size_t) (data[1] & 0x7f) << 8;
  size_t n1 = data[2] | (size_t) data[3] << 8;
  const uint8_t *p = data + 4;
  size_t left = size - 4;
  g_autoptr (GBytes) primary = take (&p, &left, n0, fix);
  g_autoptr (GBytes) log1 = take (&p, &left, n1, fix);
  g_autoptr (GBytes) log2 = take (&p, &left, left, fix);

  g_autoptr (GArray) seqs = g_array_new (FALSE, FALSE, sizeof (guint32));
  if (!check_log (log1, seqs) || !check_log (log2, seqs))
    return 0;
  check_replay (primary, log1, log2);

  BootfixHiveHeader h;
  bootfix_hive_header_read (g_bytes_get_data (primary, NULL),
                            g_bytes_get_size (primary), &h);
  guint32 safe = 0;
  g_autoptr (GError) error = NULL;
  if (bootfix_hive_log_safe_sequence (&h, log1, log2, &safe, &error)) {
    /* Past the primary and every valid entry, modulo 2^32 as Windows
     * compares them. */
    g_array_append_val (seqs, h.primary_sequence);
    for (guint i = 0; i < seqs->len; i++)
      CHECK (safe - g_array_index (seqs, guint32, i) - 1 < 0x80000000u);
  } else {
    CHECK (error && error->domain == BOOTFIX_ERROR);
  }
  return 0;
}
