/* The registry hives of one guest, downloaded the first time a module
 * or the plan names them and kept, with what the executor needs to
 * write them back. */
#ifndef BOOTFIX_HIVE_CACHE_H
#define BOOTFIX_HIVE_CACHE_H

#include <glib.h>
#include "guest.h"
#include "hive.h"

G_BEGIN_DECLS

typedef struct {
  char *name;        /* "SYSTEM" */
  char *guest_path;  /* /Windows/System32/config/SYSTEM */
  char *local_path;  /* downloaded copy */
  char *new_path;    /* committed result */
  char *staged;      /* uploaded temporary in the guest */
  BootfixHive *hive; /* opened writable: the plan is applied to it */
  gboolean changed;  /* the plan changes it: write it back */
} BootfixHiveFile;

typedef struct {
  BootfixGuest *guest;
  char *guest_name;  /* for messages */
  char *tmpdir;      /* holds the downloaded copies */
  GPtrArray *files;  /* BootfixHiveFile *: only hives that opened */
} BootfixHiveCache;

BootfixHiveCache *bootfix_hive_cache_new (BootfixGuest *guest,
                                          const char *guest_name,
                                          const char *tmpdir);
/* Removes the host copies. */
void bootfix_hive_cache_free (BootfixHiveCache *cache);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixHiveCache, bootfix_hive_cache_free)

/* A BootfixHiveGetter (cache is the BootfixHiveCache): SYSTEM or
 * SOFTWARE, in any case.  A hive that fails to download or open is not
 * kept, so asking again fails again, with an error each time. */
BootfixHive *bootfix_hive_cache_get (gpointer cache, const char *name,
                                     GError **error);
/* The entry of a hive that opened, or NULL. */
BootfixHiveFile *bootfix_hive_cache_find (BootfixHiveCache *cache,
                                          const char *name);

G_END_DECLS

#endif
