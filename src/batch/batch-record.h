/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --jsonl and --resume: one JSON object per finished guest, appended,
 * flushed and fsync'd line by line so a crash keeps every finished
 * guest; and reading such a file back to skip what is already done.
 *
 * A record is the guest's object of the --json report (the same
 * fields) plus "batch": {"domain_file", "entry", "identity"}, where
 * identity lists the domain file and every disk with its size, inode
 * and modification time in nanoseconds, taken after the guest was
 * finished.  A later write to a disk changes its mtime, a restore of
 * the backup its inode too: either makes the guest run again. */
#ifndef BOOTFIX_BATCH_RECORD_H
#define BOOTFIX_BATCH_RECORD_H

#include <json-glib/json-glib.h>
#include "batch-list.h"
#include "report.h"

G_BEGIN_DECLS

/* The record of a finished guest; disks are stat'ed now. */
JsonNode *bootfix_batch_record_new (const BootfixGuestReport *report,
                                    const BootfixBatchEntry *entry,
                                    const char *const *disks);

typedef struct _BootfixJsonl BootfixJsonl;

/* Open for appending (created 0644 when missing); an error is
 * BOOTFIX_ERROR_USAGE, naming the file.  A file that ends in a torn
 * line gets the next record on a line of its own. */
BootfixJsonl *bootfix_jsonl_open (const char *path, GError **error);
/* One line, written whole, then fsync'd; BOOTFIX_ERROR_FAILED naming
 * the file when that fails. */
gboolean bootfix_jsonl_append (BootfixJsonl *w, JsonNode *record,
                               GError **error);
void bootfix_jsonl_close (BootfixJsonl *w);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixJsonl, bootfix_jsonl_close)

typedef struct _BootfixResume BootfixResume;

/* Parse JSONL text (pure; fuzzed).  Lines that are not a record (a
 * line torn by a crash, anything else) are skipped and counted in
 * *skipped (may be NULL); blank lines are ignored.  The last record of
 * a domain file wins.  Lines over 16 MiB are skipped unread. */
BootfixResume *bootfix_resume_parse (const char *text, gsize len,
                                     guint *skipped);
/* A missing file is an empty resume (the first run of a batch that
 * names the same file for --jsonl and --resume).  Read line by line,
 * so memory does not grow with the file.  A file that cannot be opened
 * is BOOTFIX_ERROR_USAGE. */
BootfixResume *bootfix_resume_load (const char *path, GError **error);
/* Lines skipped by bootfix_resume_parse or _load. */
guint bootfix_resume_skipped (const BootfixResume *r);
void bootfix_resume_free (BootfixResume *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixResume, bootfix_resume_free)

/* Is this guest done: its last record says fixed or unchanged, and the
 * domain file and every disk still have the identity recorded then?
 * disks: the domain's disk paths now, NULL-terminated. */
gboolean bootfix_resume_is_done (const BootfixResume *r,
                                 const BootfixBatchEntry *entry,
                                 const char *const *disks);

G_END_DECLS

#endif
