/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The undo journal.  A fix is written into qcow2 overlays over the
 * guest's disks, never into the disks themselves.  Only after it was
 * verified are the base bytes it will replace copied into the journal
 * and flushed; then the changed ranges are copied from the overlays into
 * the disks: into a raw disk's file directly, into any other format
 * through qemu in that format (bootfix_image_write_ranges).  A crash before that leaves the disks untouched; a crash
 * during it is rolled back by --undo; --undo after a complete fix puts
 * every byte back.
 *
 * States, in journal.json: prepared (old bytes saved, disks untouched),
 * committing (disks being written), committed, undone. */
#ifndef BOOTFIX_JOURNAL_H
#define BOOTFIX_JOURNAL_H

#include <glib.h>
#include "domain.h"
#include "image.h"
#include "image-chain.h"

G_BEGIN_DECLS

typedef enum {
  BOOTFIX_JOURNAL_NEW,        /* overlays only, nothing saved yet */
  BOOTFIX_JOURNAL_PREPARED,
  BOOTFIX_JOURNAL_COMMITTING,
  BOOTFIX_JOURNAL_COMMITTED,
  BOOTFIX_JOURNAL_UNDONE,
} BootfixJournalState;

typedef struct {
  char *path;        /* the guest's disk image (absolute) */
  char *format;      /* raw, qcow2, vmdk, vpc or vhdx */
  /* Every file of the image and its backing files, as resolved when
   * the fix began (NULL in a raw disk's entry of an older journal);
   * undo refuses an image whose chain changed since. */
  BootfixImageChain *chain;
  char *overlay;     /* qcow2 overlay inside the journal folder */
  char *old_file;    /* old bytes of every range, concatenated */
  GArray *ranges;    /* BootfixRange */
  GPtrArray *old_sha256; /* per range */
  GPtrArray *new_sha256; /* per range, once committed */
} BootfixJournalDisk;

typedef struct {
  char *dir;
  char *guest;
  BootfixJournalState state;
  GPtrArray *disks;  /* BootfixJournalDisk* */
  int lock_fd;       /* flock on the folder's lock file while a run of
                      * this process uses it, else -1 */
} BootfixJournal;

void bootfix_journal_free (BootfixJournal *j);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixJournal, bootfix_journal_free)

/* A new journal folder under parent (default: the first disk's folder;
 * made, with its parents, mode 0700, when it does not exist) with one
 * qcow2 overlay per disk.  Refuses (BOOTFIX_ERROR_REFUSED) block
 * devices unless allowed, images whose chain of files is unsafe
 * (bootfix_image_chain_check) or that qemu cannot write in place
 * (streamOptimized VMDK: that needs --output), and disks any file of
 * which a running qemu holds open for writing. */
BootfixJournal *bootfix_journal_create (const char *parent,
                                        const BootfixDomain *dom,
                                        gboolean allow_block_devices,
                                        gboolean allow_unsafe_paths,
                                        GError **error);

/* A fix of this guest killed while it wrote the disks leaves its
 * journal under parent in state committing: the disks hold part of the
 * fix.  The newest such journal naming one of the domain's disks, or
 * NULL. */
BootfixJournal *bootfix_journal_find_interrupted (const char *parent,
                                                  const BootfixDomain *dom);

/* Overlay paths in disk order, for the appliance. */
GPtrArray *bootfix_journal_overlays (const BootfixJournal *j);

/* After the appliance wrote and verified the fix in the overlays: save
 * and flush the old bytes of every changed range (state prepared). */
gboolean bootfix_journal_prepare (BootfixJournal *j, GError **error);

/* Copy the changed ranges into the disks (state committing, then
 * committed) and remove the overlays. */
gboolean bootfix_journal_commit (BootfixJournal *j, GError **error);

/* Remove the journal folder of a run that wrote nothing. */
void bootfix_journal_discard (BootfixJournal *j);

/* dir is a journal folder (it holds journal.json) or a folder of them
 * (--journal DIR, the disk's folder): then the one journal there, or the
 * one not undone yet; when several are not, BOOTFIX_ERROR_USAGE listing
 * them (guest and state) so the user can name one. */
BootfixJournal *bootfix_journal_load (const char *dir, GError **error);

/* Put the old bytes back and prove it by checksum.  Refuses when the
 * disks changed since the fix (unless force). */
gboolean bootfix_journal_undo (BootfixJournal *j, gboolean force,
                               GError **error);

const char *bootfix_journal_state_to_string (BootfixJournalState s);

/* Test hook: with BOOTFIX_DEBUG_KILL_AT=N in the environment, the N-th
 * call kills the process with SIGKILL (crash-safety tests). */
void bootfix_debug_checkpoint (const char *what);

G_END_DECLS

#endif
