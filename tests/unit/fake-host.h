/* A host table of the tests' own for running the real windows module
 * without an appliance: registry reads come from one SYSTEM hive on the
 * host (hive.c), the plan goes into a BootfixPlan, the rule view is one
 * of rules.c, file_exists() answers from a list of files (or says yes to
 * everything), cabinet_extract() reads host copies of the guest's
 * cabinets with cabinet.c, read_driver_source() a host folder, and
 * create_windows_file() records the file it is given.  Applying the
 * registry actions with hive.c, as the executor does, shows what the
 * plan changes. */
#ifndef BOOTFIX_TEST_FAKE_HOST_H
#define BOOTFIX_TEST_FAKE_HOST_H

#include <glib.h>

#include "bootfix-module.h"
#include "hive.h"
#include "plan.h"
#include "rules.h"

G_BEGIN_DECLS

typedef struct {
  struct bootfix_host host;  /* first: callbacks cast back */
  struct bootfix_facts facts;
  BootfixHive *hive;
  BootfixPlan *plan;
  const BootfixRule *rule;
  /* Paths relative to the Windows directory, lower case, backslashes;
   * NULL: every file exists. */
  GHashTable *files;
  /* The guest's Windows directory for cabinet_extract(), holding at
   * least its cabinets (NAME.cabinets of build-guests.sh --hives); NULL:
   * no cabinet anywhere. */
  const char *cabinet_root;
  /* The --virtio-win tree for read_driver_source(); NULL: none. */
  const char *driver_tree;
  /* Files the plan creates (create_windows_file): lower-case path
   * relative to the Windows directory -> GBytes.  They also count as
   * existing from then on. */
  GHashTable *created;
  GPtrArray *warnings;   /* char*: what the module logged as warnings */
  char *error;           /* the last host->error() message */
  guint n_reads;
  guint n_file_checks;
} Fake;

/* The windows module named by $BOOTFIX_TEST_WINDOWS_MODULE, loaded once
 * and kept for the whole run. */
const struct bootfix_module *fake_windows_module (void);

/* Facts of a Windows 10 Pro x86_64 on piix3-ide (i440fx, machine "pc"),
 * no driver source; the test may change any of them, and set f->files,
 * cabinet_root and driver_tree, after this. */
void fake_init (Fake *f, BootfixHive *hive, const BootfixRule *rule);
void fake_clear (Fake *f);

/* f->files from a list: one path per line (NAME.files of
 * tests/phony/build-guests.sh). */
void fake_set_file_list (Fake *f, const char *text);

/* A file of root at relpath ('\\' or '/'), matched case-insensitively
 * component by component; NULL when there is none. */
char *fake_find_path (const char *root, const char *relpath);

/* Plan with the windows module (which must return 0), then, unless the
 * plan refuses, apply every registry action to the hive with
 * bootfix_hive_apply() as the executor does (file actions are in
 * f->created).  Returns the registry changes (BootfixChange*), in plan
 * order. */
GPtrArray *fake_plan_and_apply (Fake *f);

G_END_DECLS

#endif
