/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a batch shows while it runs and at the end: on a terminal a
 * one-line bar redrawn in place, otherwise one plain line per finished
 * guest, and a summary table.  Pure formatting: the caller prints. */
#ifndef BOOTFIX_BATCH_PROGRESS_H
#define BOOTFIX_BATCH_PROGRESS_H

#include <stdio.h>
#include <glib.h>
#include "report.h"

G_BEGIN_DECLS

typedef struct {
  guint total;      /* guests this run will do (after shard and resume) */
  guint done;
  guint fixed, unchanged, would_fix, refused, errors;
  double elapsed;   /* seconds since the batch started */
} BootfixBatchCounts;

void bootfix_batch_counts_add (BootfixBatchCounts *c, BootfixStatus s);

/* The bar, at most `columns` display columns wide (wide characters
 * count two), no newline: done/total, fixed, unchanged, refused,
 * errors, guests per minute and the ETA (once a guest finished). */
char *bootfix_batch_progress_bar (const BootfixBatchCounts *c, guint columns);

/* One line for a finished guest, no newline:
 * "[12/50] name: fixed, 3 changes, 14.2 s" and, for an error or a
 * refusal, its first message. */
char *bootfix_batch_progress_line (const BootfixBatchCounts *c,
                                   const BootfixGuestReport *r);

/* Terminal columns of UTF-8 text: wide characters (CJK) count two,
 * zero-width ones (combining marks) none. */
guint bootfix_batch_text_width (const char *text);

/* text whole when it fits in `columns`, else its head, cut between
 * characters, and "..." within them.  Show guest text through
 * bootfix_append_guest_text_as first: control characters have no
 * width to count. */
char *bootfix_batch_text_fit (const char *text, guint columns);

/* The table at the end: one row per guest (name, status, changes,
 * seconds, first message cut to fit), columns aligned by display width,
 * then the totals. */
void bootfix_batch_summary_print (GPtrArray *reports, FILE *fp);

G_END_DECLS

#endif
