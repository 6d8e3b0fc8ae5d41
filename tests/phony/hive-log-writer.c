/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Writers of dirty hives and transaction logs for tests; see the header.
 * Inputs are our own test hives, so a bad layout is a bug: assert. */
#include "config.h"

#include <string.h>

#include "bytes.h"
#include "hive-log.h"
#include "hive-log-writer.h"

#define SECTOR 512u
#define ENTRY_HEADER 40u

static guint32
bins_size_of (GBytes *hive)
{
  gsize size;
  const guint8 *buf = g_bytes_get_data (hive, &size);
  guint32 bins = 0;
  g_assert_true (bootfix_read_le32 (buf, size, 40, &bins));
  return bins;
}

GArray *
mklog_diff_pages (GBytes *before, GBytes *after)
{
  gsize bsize, asize;
  const guint8 *b = g_bytes_get_data (before, &bsize);
  const guint8 *a = g_bytes_get_data (after, &asize);
  GArray *pages = g_array_new (FALSE, FALSE, sizeof (guint32));
  guint32 bins = bins_size_of (after);
  for (guint32 off = 0; off < bins; off += MKLOG_PAGE) {
    gsize at = BOOTFIX_REGF_BASE_BLOCK_SIZE + off;
    g_assert_true (bootfix_span_ok (asize, at, MKLOG_PAGE));
    if (!bootfix_span_ok (bsize, at, MKLOG_PAGE) ||
        memcmp (a + at, b + at, MKLOG_PAGE) != 0)
      g_array_append_val (pages, off);
  }
  return pages;
}

static void
fix_checksum (guint8 *buf, gsize size)
{
  guint32 sum;
  g_assert_true (bootfix_regf_checksum (buf, size, &sum));
  g_assert_true (bootfix_write_le32 (buf, size, 508, sum));
}

GBytes *
mklog_dirty_primary (GBytes *before)
{
  gsize size;
  guint8 *buf = g_memdup2 (g_bytes_get_data (before, &size),
                           g_bytes_get_size (before));
  guint32 seq = 0;
  g_assert_true (bootfix_read_le32 (buf, size, 8, &seq));
  g_assert_true (bootfix_write_le32 (buf, size, 4, seq + 1));
  fix_checksum (buf, size);
  return g_bytes_new_take (buf, size);
}

/* The first sector of primary, marked as a log of type file_type. */
static GByteArray *
log_header (GBytes *primary, guint32 file_type, guint32 seq, guint32 bins)
{
  gsize size;
  const guint8 *p = g_bytes_get_data (primary, &size);
  GByteArray *log = g_byte_array_new ();
  g_assert_true (size >= SECTOR);
  g_byte_array_append (log, p, SECTOR);
  g_assert_true (bootfix_write_le32 (log->data, log->len, 4, seq));
  g_assert_true (bootfix_write_le32 (log->data, log->len, 8, seq));
  g_assert_true (bootfix_write_le32 (log->data, log->len, 28, file_type));
  g_assert_true (bootfix_write_le32 (log->data, log->len, 40, bins));
  fix_checksum (log->data, log->len);
  return log;
}

GByteArray *
mklog_new_log (GBytes *primary, guint32 first_sequence)
{
  return log_header (primary, 6, first_sequence, bins_size_of (primary));
}

void
mklog_rehash (GByteArray *log, gsize at)
{
  guint32 size = 0;
  g_assert_true (bootfix_read_le32 (log->data, log->len, at + 4, &size));
  g_assert_true (bootfix_span_ok (log->len, at, size) && size >= ENTRY_HEADER);
  guint64 h1 = bootfix_marvin32 (log->data + at + ENTRY_HEADER,
                                 size - ENTRY_HEADER,
                                 BOOTFIX_HIVE_LOG_MARVIN_SEED);
  g_assert_true (bootfix_write_le64 (log->data, log->len, at + 24, h1));
  guint64 h2 = bootfix_marvin32 (log->data + at, 32,
                                 BOOTFIX_HIVE_LOG_MARVIN_SEED);
  g_assert_true (bootfix_write_le64 (log->data, log->len, at + 32, h2));
}

gsize
mklog_new_entry (GByteArray *log, guint32 sequence, GBytes *after,
                 const guint32 *pages, guint n_pages)
{
  gsize asize;
  const guint8 *a = g_bytes_get_data (after, &asize);
  gsize at = log->len;
  gsize body = ENTRY_HEADER + 8 * (gsize) n_pages + MKLOG_PAGE * (gsize) n_pages;
  guint32 size = (guint32) ((body + SECTOR - 1) / SECTOR * SECTOR);
  g_byte_array_set_size (log, (guint) (at + size));
  guint8 *e = log->data + at;
  memset (e, 0, size);
  memcpy (e, "HvLE", 4);
  g_assert_true (bootfix_write_le32 (e, size, 4, size));
  g_assert_true (bootfix_write_le32 (e, size, 8, 1)); /* flags as Windows 10 */
  g_assert_true (bootfix_write_le32 (e, size, 12, sequence));
  g_assert_true (bootfix_write_le32 (e, size, 16, bins_size_of (after)));
  g_assert_true (bootfix_write_le32 (e, size, 20, n_pages));
  gsize data = ENTRY_HEADER + 8 * (gsize) n_pages;
  for (guint i = 0; i < n_pages; i++) {
    gsize from = BOOTFIX_REGF_BASE_BLOCK_SIZE + pages[i];
    g_assert_true (bootfix_span_ok (asize, from, MKLOG_PAGE));
    g_assert_true (bootfix_write_le32 (e, size, ENTRY_HEADER + 8 * i, pages[i]));
    g_assert_true (bootfix_write_le32 (e, size, ENTRY_HEADER + 8 * i + 4,
                                       MKLOG_PAGE));
    memcpy (e + data + MKLOG_PAGE * (gsize) i, a + from, MKLOG_PAGE);
  }
  mklog_rehash (log, at);
  return at;
}

GByteArray *
mklog_old_log (GBytes *dirty_primary, GBytes *after, const guint32 *pages,
               guint n_pages)
{
  gsize psize, asize;
  const guint8 *p = g_bytes_get_data (dirty_primary, &psize);
  const guint8 *a = g_bytes_get_data (after, &asize);
  guint32 seq = 0, bins = bins_size_of (after);
  g_assert_true (bootfix_read_le32 (p, psize, 4, &seq));
  GByteArray *log = log_header (dirty_primary, 1, seq, bins);
  /* "DIRT", one bit per 512 bytes, padded to a sector. */
  gsize bitmap_len = bins / SECTOR / 8;
  gsize vec_len = (4 + bitmap_len + SECTOR - 1) / SECTOR * SECTOR;
  g_byte_array_set_size (log, (guint) (SECTOR + vec_len));
  guint8 *vec = log->data + SECTOR;
  memset (vec, 0, vec_len);
  memcpy (vec, "DIRT", 4);
  for (guint i = 0; i < n_pages; i++)
    vec[4 + pages[i] / SECTOR / 8] = 0xff; /* a 4 KiB page is 8 bits */
  /* Pages in bitmap order, which is ascending offset (pages[] is). */
  for (guint i = 0; i < n_pages; i++) {
    gsize from = BOOTFIX_REGF_BASE_BLOCK_SIZE + pages[i];
    g_assert_true (i == 0 || pages[i] > pages[i - 1]);
    g_assert_true (bootfix_span_ok (asize, from, MKLOG_PAGE));
    g_byte_array_append (log, a + from, MKLOG_PAGE);
  }
  return log;
}
