/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The registry hives of one guest, downloaded the first time a module
 * or the plan names them and kept, with what the executor needs to
 * write them back.  The cache also judges every hive the fix reads as a
 * file (the BCD stores edits.c patches in place): dirty hives and their
 * transaction logs are handled in one place, hive-dirty.c, whoever
 * edits the hive (docs/hive-logs.md). */
#ifndef BOOTFIX_HIVE_CACHE_H
#define BOOTFIX_HIVE_CACHE_H

#include <glib.h>
#include "guest.h"
#include "hive.h"
#include "hive-log.h"
#include "report.h"

G_BEGIN_DECLS

/* A transaction log next to a hive, as found in the guest. */
typedef struct {
  char *guest_path;  /* in its own spelling */
  gsize size;
} BootfixHiveLogFile;

/* A hive that was not clean when it was read, and what writing it back
 * must do: carry safe_sequence in both sequence numbers, then empty its
 * logs (docs/hive-logs.md, "Writing the hive back"). */
typedef struct {
  char *device;      /* NULL: the Windows root */
  char *guest_path;  /* in its own spelling */
  BootfixHiveReplayVerdict verdict;
  guint32 safe_sequence;
  GPtrArray *logs;   /* BootfixHiveLogFile *: the non-empty ones */
  /* A file edit changes it (edits.c sets this; the cache's own hives
   * say it in BootfixHiveFile.changed). */
  gboolean changed;
} BootfixDirtyHive;

typedef struct {
  char *name;        /* "SYSTEM" */
  char *guest_path;  /* /Windows/System32/config/SYSTEM */
  char *local_path;  /* downloaded copy */
  char *new_path;    /* committed result */
  char *staged;      /* uploaded temporary in the guest */
  BootfixHive *hive; /* opened writable: the plan is applied to it */
  gboolean changed;  /* the plan changes it: write it back */
  BootfixDirtyHive *dirty; /* NULL when the primary was clean */
} BootfixHiveFile;

typedef struct {
  BootfixGuest *guest;
  char *guest_name;  /* for messages */
  char *tmpdir;      /* holds the downloaded copies */
  GPtrArray *files;  /* BootfixHiveFile *: only hives that opened */
  GPtrArray *stores; /* BootfixDirtyHive *: hives read as files, not clean */
  gboolean discard_logs; /* --discard-hive-logs */
  GPtrArray *states;   /* BootfixHiveReport *: every hive that was not clean */
  GPtrArray *warnings; /* char *: hives edited without their logs */
  GError *error;       /* the first hive refused or found damaged */
} BootfixHiveCache;

BootfixHiveCache *bootfix_hive_cache_new (BootfixGuest *guest,
                                          const char *guest_name,
                                          const char *tmpdir);
/* Removes the host copies. */
void bootfix_hive_cache_free (BootfixHiveCache *cache);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixHiveCache, bootfix_hive_cache_free)

/* Edit a dirty hive whose logs are missing or do not apply as it is,
 * instead of refusing the guest. */
void bootfix_hive_cache_set_discard_logs (BootfixHiveCache *cache,
                                          gboolean discard);

/* A BootfixHiveGetter (cache is the BootfixHiveCache): SYSTEM or
 * SOFTWARE, in any case.  A hive that fails to download or open is not
 * kept, so asking again fails again, with an error each time.
 * A dirty hive is replayed from its logs first (bootfix_hive_cache_check
 * says how it is judged). */
BootfixHive *bootfix_hive_cache_get (gpointer cache, const char *name,
                                     GError **error);
/* The entry of a hive that opened, or NULL. */
BootfixHiveFile *bootfix_hive_cache_find (BootfixHiveCache *cache,
                                          const char *name);

/* Look at a hive just read from the guest, whoever edits it.  A clean
 * one, or bytes that are no hive at all, give *dirty = NULL.  A dirty
 * one (or one with a bad base block) is replayed from the logs next to
 * it: *hive becomes what Windows would load, the verdict is listed in
 * cache->states, and judged: go on, go on with a warning (discard_logs),
 * refuse with BOOTFIX_ERROR_REFUSED (logs missing or not applying), or
 * fail with BOOTFIX_ERROR_GUEST (a damaged base block).  Those errors
 * are also kept in cache->error, for a module that swallowed them.
 * name goes to the report ("SYSTEM", "BCD"); label names the hive in
 * messages, NULL for its place (device:path).  *dirty is the caller's. */
gboolean bootfix_hive_cache_check (BootfixHiveCache *cache,
                                   const char *device, const char *guest_path,
                                   const char *name, const char *label,
                                   GBytes **hive, BootfixDirtyHive **dirty,
                                   GError **error);
/* The same for a hive the plan patches as a file (a BCD store): *dirty,
 * when not NULL, is kept by the cache, whose log changes list its logs
 * once the edit sets (*dirty)->changed. */
gboolean bootfix_hive_cache_check_file (BootfixHiveCache *cache,
                                        const char *device,
                                        const char *guest_path, GBytes **hive,
                                        BootfixDirtyHive **dirty,
                                        GError **error);
void bootfix_dirty_hive_free (BootfixDirtyHive *dirty);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixDirtyHive, bootfix_dirty_hive_free)

/* Stamp the bytes of a hive about to be written back with the safe
 * sequence number (nothing when dirty is NULL).  Last step before the
 * upload: hivex's commit raises the number itself. */
gboolean bootfix_dirty_hive_stamp (const BootfixDirtyHive *dirty,
                                   guint8 *hive, gsize len, GError **error);
/* Once the written hive has been renamed over the original: cut its
 * logs to zero bytes, so that no tool can replay them over the edit
 * (nothing when dirty is NULL). */
gboolean bootfix_dirty_hive_empty_logs (BootfixGuest *guest,
                                        const BootfixDirtyHive *dirty,
                                        GError **error);

/* Commit a changed hive to hf->new_path; a hive that was dirty gets its
 * safe sequence number. */
gboolean bootfix_hive_cache_commit (BootfixHiveCache *cache,
                                    BootfixHiveFile *hf, GError **error);

/* bootfix_dirty_hive_empty_logs for one of the cache's hives. */
gboolean bootfix_hive_cache_empty_logs (BootfixHiveCache *cache,
                                        BootfixHiveFile *hf, GError **error);

/* The logs every changed hive will have emptied (the cache's and those
 * read as files), as "file" changes. */
void bootfix_hive_cache_log_changes (BootfixHiveCache *cache,
                                     GPtrArray *changes);

G_END_DECLS

#endif
