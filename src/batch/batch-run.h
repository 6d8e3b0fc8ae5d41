/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --batch: many guests, in groups that share an appliance, the groups in
 * worker processes (-j N at a time), with progress, --jsonl records,
 * --resume and --shard.  A worker that dies takes no other group with
 * it; a group whose appliance died is run again one guest at a time.
 * SIGINT and SIGTERM stop the batch after the guests in flight, each
 * committed through its journal or dropped with its overlays. */
#ifndef BOOTFIX_BATCH_RUN_H
#define BOOTFIX_BATCH_RUN_H

#include <glib.h>
#include "executor.h"

G_BEGIN_DECLS

typedef struct {
  const char *source;      /* --batch FILE|DIR|- */
  guint jobs;              /* -j; 0: from cores and memory */
  guint group_size;        /* guests per appliance; 0: chosen here */
  const char *jsonl;       /* --jsonl FILE, or NULL */
  const char *resume;      /* --resume FILE, or NULL */
  const char *shard;       /* --shard K/N, or NULL */
  gboolean quiet;
  gboolean progress_bar;   /* stdout is a terminal */
  const BootfixFixOptions *fix;
} BootfixBatchOptions;

/* The default -j: one appliance per core, as many as free memory holds
 * (each appliance is a qemu of libguestfs's memsize plus overhead). */
guint bootfix_batch_default_jobs (void);

/* Run the batch.  Every guest run gets a report in *reports, in list
 * order (guests skipped by --shard or --resume get none).  FALSE, with
 * BOOTFIX_ERROR_USAGE or _REFUSED, when the batch cannot start (a bad
 * list, two guests sharing a disk); then nothing was opened.
 * *interrupted: a signal stopped it before every guest ran. */
gboolean bootfix_batch_run (const BootfixContext *ctx,
                            const BootfixBatchOptions *o,
                            GPtrArray *reports, gboolean *interrupted,
                            GError **error);

G_END_DECLS

#endif
