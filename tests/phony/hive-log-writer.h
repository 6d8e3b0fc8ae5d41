/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test helper: dirty hives and their transaction logs in both formats,
 * built from two states of a hive (before and after an edit).  Used by
 * mkhive (--dirty) and by tests/unit/test-hive-log.c; the layouts are
 * those of docs/hive-logs.md, the checksum and hash src/formats'. */
#ifndef BOOTFIX_HIVE_LOG_WRITER_H
#define BOOTFIX_HIVE_LOG_WRITER_H

#include <glib.h>

G_BEGIN_DECLS

#define MKLOG_PAGE 4096u

/* Bins-data offsets of the 4 KiB pages of after that differ from
 * before, or lie past its end (guint32, ascending). */
GArray *mklog_diff_pages (GBytes *before, GBytes *after);

/* before as Windows leaves it when a write is logged but not yet done:
 * primary sequence number one past the secondary (checksum fixed). */
GBytes *mklog_dirty_primary (GBytes *before);

/* A new-format log: the base block copy (file type 6, both sequence
 * numbers = first_sequence), then no entries yet. */
GByteArray *mklog_new_log (GBytes *primary, guint32 first_sequence);

/* Append one "HvLE" entry carrying the pages (bins-data offsets) of
 * after, with after's hive bins data size; returns its file offset. */
gsize mklog_new_entry (GByteArray *log, guint32 sequence, GBytes *after,
                       const guint32 *pages, guint n_pages);

/* Recompute both hashes of the entry at at, after a test changed it. */
void mklog_rehash (GByteArray *log, gsize at);

/* An old-format log: base block copy (file type 1, timestamp and
 * sequence number of the dirty primary, after's bins size), the "DIRT"
 * vector marking the pages, and the pages of after. */
GByteArray *mklog_old_log (GBytes *dirty_primary, GBytes *after,
                           const guint32 *pages, guint n_pages);

G_END_DECLS

#endif
