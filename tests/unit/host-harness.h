/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The real host table (src/pipeline/host*.c) over a guest held in
 * memory (guest-memory.h), for running modules in unit tests: registry
 * reads go through the executor's hive cache, which downloads the hives
 * from the in-memory guest; files, partitions and device bytes come from
 * it too, and the plan is diffed and written back the way the executor
 * does (hive.c for the registry, edits.c for files and device bytes). */
#ifndef BOOTFIX_TEST_HOST_HARNESS_H
#define BOOTFIX_TEST_HOST_HARNESS_H

#include <glib.h>

#include "edits.h"
#include "guest-memory.h"
#include "hive-cache.h"
#include "hive.h"
#include "host.h"
#include "module-loader.h"
#include "plan.h"
#include "rules.h"

G_BEGIN_DECLS

/* Where the harness's guests keep Windows. */
#define HARNESS_ROOT "/dev/sda2"
#define HARNESS_SYSTEMROOT "/Windows"

typedef struct {
  BootfixGuest *guest;        /* borrowed */
  struct bootfix_facts facts; /* may be changed before planning */
  const BootfixRule *rule;
  char *tmpdir;
  BootfixPlan *plan;
  BootfixHiveCache *hives;
  BootfixEdits *edits;
  BootfixHostContext *ctx;
  GPtrArray *warnings;        /* char *: what the modules logged as warnings */
  /* After harness_plan_and_apply: the files the plan created, lower-case
   * path relative to the Windows directory -> GBytes. */
  GHashTable *created;
  guint n_reads;              /* hive lookups: one per registry read */
  const char *driver_source;  /* as last set, borrowed */
} Harness;

/* The module in the file named by the environment variable, loaded once
 * by the real loader and kept for the whole run. */
const BootfixModule *harness_module (const char *env_var);

/* An empty guest: Windows root HARNESS_ROOT, Windows in
 * HARNESS_SYSTEMROOT. */
BootfixGuest *harness_guest_new (void);
/* relpath: below the Windows directory, either slash. */
void harness_add_windows_file (BootfixGuest *guest, const char *relpath,
                               GBytes *data);
/* The hive's current contents as System32\config\NAME. */
void harness_add_hive (BootfixGuest *guest, const char *name,
                       BootfixHive *hive);

/* Facts of a Windows 10 Pro x86_64 on piix3-ide (i440fx, machine "pc"),
 * no driver source. */
void harness_init (Harness *h, BootfixGuest *guest, const BootfixRule *rule);
void harness_clear (Harness *h);
const struct bootfix_host *harness_host (Harness *h);
/* --virtio-win. */
void harness_set_driver_source (Harness *h, const char *dir);

/* Call a module callback through the host; -1 is returned with error. */
int harness_call (Harness *h, const BootfixModule *mod, BootfixCallback which,
                  GError **error);
/* The hive the host gave the modules (downloaded on first use). */
BootfixHive *harness_hive (Harness *h, const char *name);

/* Plan with mod (which must return 0); then, unless the plan refuses,
 * diff and apply it as the executor does and write the result back into
 * the guest.  Returns the registry changes (BootfixChange *) in plan
 * order; file and byte edits go to file_changes when it is not NULL. */
GPtrArray *harness_plan_and_apply (Harness *h, const BootfixModule *mod,
                                   GPtrArray *file_changes);

/* tests/unit/data/bcd/mini-bcd, a small registry hive of ours (any
 * hive will do as the base of a SYSTEM or SOFTWARE hive), and a
 * writable host copy of it (the caller removes it). */
GBytes *harness_mini_bcd (void);
char *harness_copy_mini_bcd (void);

/* A guest path below the Windows directory as a lower-case relative
 * path with backslashes ("system32\\drivers\\x.sys"), or NULL. */
char *harness_windows_relpath (const char *guest_path);

G_END_DECLS

#endif
