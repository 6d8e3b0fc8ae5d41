/* The registry hives of one guest, downloaded the first time a module
 * or the plan names them and kept, with what the executor needs to
 * write them back. */
#ifndef BOOTFIX_HIVE_CACHE_H
#define BOOTFIX_HIVE_CACHE_H

#include <glib.h>
#include "guest.h"
#include "hive.h"
#include "hive-log.h"
#include "report.h"

G_BEGIN_DECLS

typedef struct {
  char *name;        /* "SYSTEM" */
  char *guest_path;  /* /Windows/System32/config/SYSTEM */
  char *local_path;  /* downloaded copy */
  char *new_path;    /* committed result */
  char *staged;      /* uploaded temporary in the guest */
  BootfixHive *hive; /* opened writable: the plan is applied to it */
  gboolean changed;  /* the plan changes it: write it back */
  /* Not CLEAN: the primary was dirty (docs/hive-logs.md).  Once written
   * back it carries safe_sequence and its logs are emptied. */
  BootfixHiveReplayVerdict verdict;
  guint32 safe_sequence;
  GPtrArray *logs;   /* BootfixHiveLogFile *: the non-empty ones */
} BootfixHiveFile;

/* A transaction log next to a hive, as found in the guest. */
typedef struct {
  char *guest_path;  /* in its own spelling */
  gsize size;
} BootfixHiveLogFile;

typedef struct {
  BootfixGuest *guest;
  char *guest_name;  /* for messages */
  char *tmpdir;      /* holds the downloaded copies */
  GPtrArray *files;  /* BootfixHiveFile *: only hives that opened */
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
 * A dirty hive is replayed from its logs first; one whose logs are
 * missing or do not apply fails with BOOTFIX_ERROR_REFUSED (unless
 * discard_logs), one with a bad base block with BOOTFIX_ERROR_GUEST.
 * Those errors are also kept in cache->error, for a module that
 * swallowed them. */
BootfixHive *bootfix_hive_cache_get (gpointer cache, const char *name,
                                     GError **error);
/* The entry of a hive that opened, or NULL. */
BootfixHiveFile *bootfix_hive_cache_find (BootfixHiveCache *cache,
                                          const char *name);

/* Commit a changed hive to hf->new_path; a hive that was dirty gets its
 * safe sequence number (after hivex's commit, which raises it). */
gboolean bootfix_hive_cache_commit (BootfixHiveCache *cache,
                                    BootfixHiveFile *hf, GError **error);

/* Once the written hive has been renamed over the original: cut its
 * logs to zero bytes, so that no tool can replay them over the edit. */
gboolean bootfix_hive_cache_empty_logs (BootfixHiveCache *cache,
                                        BootfixHiveFile *hf, GError **error);

/* The emptied logs of every changed hive, as "file" changes. */
void bootfix_hive_cache_log_changes (BootfixHiveCache *cache,
                                     GPtrArray *changes);

G_END_DECLS

#endif
