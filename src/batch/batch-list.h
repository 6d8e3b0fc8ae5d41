/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The guests of a batch: --batch FILE (one domain XML per line), DIR
 * (every *.xml in it) or "-" (the list on standard input); the share of
 * them one shard takes (--shard K/N); and the check that no two guests
 * share a disk image. */
#ifndef BOOTFIX_BATCH_LIST_H
#define BOOTFIX_BATCH_LIST_H

#include <glib.h>

G_BEGIN_DECLS

/* Longest line of a list, and most entries in one batch. */
#define BOOTFIX_BATCH_MAX_LINE 4096
#define BOOTFIX_BATCH_MAX_ENTRIES 100000

typedef struct {
  char *entry;  /* as the user wrote it: the line, or the file name in a
                 * DIR; what --shard hashes, so every machine agrees */
  char *path;   /* the domain XML, absolute */
  guint line;   /* 1-based line of the list; 0 for a DIR entry */
} BootfixBatchEntry;

void bootfix_batch_entry_free (BootfixBatchEntry *e);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixBatchEntry, bootfix_batch_entry_free)

/* Parse the text of a list (pure; fuzzed).  Blank lines and lines whose
 * first non-blank character is '#' are skipped; surrounding blanks and a
 * CR before the LF are dropped.  Relative paths are relative to base_dir
 * (the list's folder, or the current folder for "-").  `what` names the
 * list in errors, which give the line.  A NUL byte, a line over
 * BOOTFIX_BATCH_MAX_LINE, text that is not UTF-8, more than
 * BOOTFIX_BATCH_MAX_ENTRIES entries, or the same domain file twice is
 * an error (BOOTFIX_ERROR_USAGE).  Returns BootfixBatchEntry*, in list
 * order; an empty list is not an error. */
GPtrArray *bootfix_batch_list_parse (const char *text, gsize len,
                                     const char *base_dir, const char *what,
                                     GError **error);

/* FILE, DIR (its *.xml files, sorted by name) or "-" (stdin). */
GPtrArray *bootfix_batch_list_load (const char *source, GError **error);

/* "K/N" with 0 <= K < N <= 65536 (K counts from 0, as
 * $SLURM_ARRAY_TASK_ID and $JOB_COMPLETION_INDEX do). */
gboolean bootfix_batch_shard_parse (const char *text, guint *k, guint *n,
                                    GError **error);

/* Does shard k of n take this entry?  A hash of e->entry, so the n
 * shards of one list take every entry exactly once, on any machine. */
gboolean bootfix_batch_in_shard (const BootfixBatchEntry *e, guint k, guint n);

/* Two entries that name the same disk image (the same file, by device
 * and inode, or the same path when it does not exist) are refused
 * before anything is opened: BOOTFIX_ERROR_REFUSED naming both domain
 * files and the disk.  disks[i] holds entry i's disk paths (a
 * NULL-terminated char*[]; NULL entries are skipped). */
gboolean bootfix_batch_check_disjoint (GPtrArray *entries,
                                       const char *const *const *disks,
                                       GError **error);

/* With --output every guest's result is DIR/NAME.xml: two entries
 * whose guests have the same <name> would write the same files, so
 * they are refused before anything is opened (BOOTFIX_ERROR_REFUSED
 * naming both domain files and the name), rather than numbered, which
 * would leave the user guessing which result is which.  names[i] is
 * entry i's guest name (NULL: its domain could not be read). */
gboolean bootfix_batch_check_unique_names (GPtrArray *entries,
                                           const char *const *names,
                                           GError **error);

G_END_DECLS

#endif
