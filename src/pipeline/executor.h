/* The executor: one guest from domain to report.  Modules plan; this
 * diffs the plan against the guest, writes atomically, verifies and
 * reports.  --dry-run stops after the diff. */
#ifndef BOOTFIX_EXECUTOR_H
#define BOOTFIX_EXECUTOR_H

#include <glib.h>
#include "controllers.h"
#include "domain.h"
#include "report.h"
#include "rules.h"

G_BEGIN_DECLS

/* Data and modules, loaded once for every guest of a run. */
typedef struct {
  BootfixControllerDb *controllers;
  BootfixRuleSet *rules;
  GPtrArray *modules;  /* BootfixModule* */
} BootfixContext;

BootfixContext *bootfix_context_load (GError **error);
void bootfix_context_free (BootfixContext *ctx);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixContext, bootfix_context_free)

typedef void (*BootfixProgressFunc) (const char *message, gpointer user);

typedef struct {
  gboolean dry_run;
  const char *journal_dir; /* parent of the undo journal; NULL: next to
                            * the first disk */
  const char *root;        /* --root */
  const char *virtio_win;  /* --virtio-win DIR, or NULL */
  gboolean allow_block_devices;
  gboolean allow_unsafe_paths;
  /* Edit a dirty hive whose logs are missing or do not apply as it is,
   * instead of refusing the guest (--discard-hive-logs). */
  gboolean discard_hive_logs;
  gboolean verbose;
  gboolean trace;
  BootfixProgressFunc progress;
  gpointer progress_data;
} BootfixFixOptions;

/* Always returns a report; on failure its status is error or refused
 * and its messages say why.  The guest is changed only when the status
 * is fixed. */
BootfixGuestReport *bootfix_fix_guest (const BootfixContext *ctx,
                                       const BootfixDomain *dom,
                                       const BootfixFixOptions *opts);

/* A report for a guest whose domain could not even be read. */
BootfixGuestReport *bootfix_report_for_error (const char *name,
                                              const GError *error);

G_END_DECLS

#endif
