/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Byte and file edits outside the registry (the boot chain: BCD
 * stores, boot sectors, boot.ini), diffed and written the way hives
 * are: files are changed on a host copy, checked, uploaded under a
 * temporary name and renamed; device bytes are written last, with
 * nothing mounted, and read back. */
#ifndef BOOTFIX_EDITS_H
#define BOOTFIX_EDITS_H

#include <glib.h>
#include "guest.h"
#include "hive-cache.h"
#include "plan.h"

G_BEGIN_DECLS

/* Largest file an edit may touch (BCD stores are tens of KiB). */
#define BOOTFIX_MAX_EDIT_FILE (16 * 1024 * 1024)

typedef struct _BootfixEdits BootfixEdits;

/* guest_name for messages; tmpdir holds the host copies; hives judges
 * the registry hives among the files (BCD stores): a dirty one is
 * replayed before anyone reads it, written back clean and its logs
 * emptied (docs/hive-logs.md). */
BootfixEdits *bootfix_edits_new (BootfixGuest *guest, const char *guest_name,
                                 const char *tmpdir, BootfixHiveCache *hives);
void bootfix_edits_free (BootfixEdits *edits);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixEdits, bootfix_edits_free)

/* A file as the plan sees it (device NULL: the Windows root), read once
 * and kept: NULL without error when absent.  A BootfixFileGetter. */
GBytes *bootfix_edits_get_file (gpointer edits, const char *device,
                                const char *path, gsize max_len,
                                GError **error);

/* Diff one edit action against the guest (and, with write, apply it to
 * the host copy or queue the device write).  Appends a change when the
 * bytes are not already what the plan wants; fails when they are
 * neither that nor what the module read. */
gboolean bootfix_edits_apply (BootfixEdits *edits, const BootfixAction *a,
                              gboolean write, GPtrArray *changes,
                              GError **error);

/* Write every changed file to a host file and check it: the plan's
 * patches must hold in it, and a registry hive (a BCD store) must still
 * open. */
gboolean bootfix_edits_prepare (BootfixEdits *edits, const BootfixPlan *plan,
                                GError **error);
/* Into the guest: stage and rename the files, empty the logs of the
 * hives among them that were dirty, then write the device bytes. */
gboolean bootfix_edits_write (BootfixEdits *edits, GError **error);

G_END_DECLS

#endif
