/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The executor: one guest from domain to report.  Modules plan; this
 * diffs the plan against the guest, writes atomically, verifies and
 * reports.  --dry-run stops after the diff. */
#ifndef BOOTFIX_EXECUTOR_H
#define BOOTFIX_EXECUTOR_H

#include <glib.h>
#include "appliance.h"
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
  /* --check (implies dry_run): walk the boot chain, link by link, into
   * the report; change nothing. */
  gboolean check;
  /* Plan the registry and boot configuration even when the domain's
   * firmware cannot start the boot disk (--allow-firmware-mismatch);
   * otherwise such a guest is refused. */
  gboolean allow_firmware_mismatch;
  const char *journal_dir; /* parent of the undo journal; NULL: next to
                            * the first disk */
  /* --output DIR: the disks are only read; the fix goes into overlays
   * in DIR and DIR/NAME.xml points at them (output.h).  No journal. */
  const char *output_dir;
  const char *output_format; /* NULL: overlays; raw, qcow2: standalone */
  const char *root;        /* --root */
  const char *virtio_win;  /* --virtio-win DIR, or NULL */
  gboolean allow_block_devices;
  gboolean allow_unsafe_paths;
  /* Edit a dirty hive whose logs are missing or do not apply as it is,
   * instead of refusing the guest (--discard-hive-logs). */
  gboolean discard_hive_logs;
  /* A fix of the guest killed while it wrote the disks: roll it back
   * through its journal before starting again (--resume), instead of
   * refusing the guest. */
  gboolean undo_interrupted;
  gboolean verbose;
  gboolean trace;
  BootfixProgressFunc progress;
  gpointer progress_data;
} BootfixFixOptions;

/* One guest's fix as a job, so that several guests can share an
 * appliance (group.h runs them):
 *
 *   job = bootfix_job_new (…)        disks checked, overlays made
 *   bootfix_job_add_to (job, app)    its disks join the appliance
 *   (the appliance is launched)
 *   bootfix_job_run (job)            inspect, plan, diff, write into the
 *                                    overlays, verify, flush
 *   (the appliance is shut down)
 *   bootfix_job_finish (job, NULL)   the journal commits (with --output:
 *                                    the images and NAME.xml are put in
 *                                    DIR instead)
 *
 * At every step the job may end (is_done: its report is final; the
 * guest is changed only when the status is fixed) or, in a shared
 * appliance that died, want to be retried alone. */
typedef struct _BootfixJob BootfixJob;

BootfixJob *bootfix_job_new (const BootfixContext *ctx,
                             const BootfixDomain *dom,
                             const BootfixFixOptions *opts);
void bootfix_job_add_to (BootfixJob *job, BootfixAppliance *app);
void bootfix_job_run (BootfixJob *job);
/* shutdown_error: why the appliance did not shut down cleanly, or NULL. */
void bootfix_job_finish (BootfixJob *job, const GError *shutdown_error);
/* End a job that cannot go on (its appliance did not start or died). */
void bootfix_job_fail (BootfixJob *job, const GError *error);
/* The job's share of its appliance's launch or shutdown, counted in its
 * report's seconds with the time spent on the guest itself. */
void bootfix_job_add_shared_seconds (BootfixJob *job, double seconds);
gboolean bootfix_job_is_done (const BootfixJob *job);
gboolean bootfix_job_wants_retry (const BootfixJob *job);
BootfixGuestReport *bootfix_job_steal_report (BootfixJob *job);
void bootfix_job_free (BootfixJob *job);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixJob, bootfix_job_free)

/* A report for a guest whose domain could not even be read. */
BootfixGuestReport *bootfix_report_for_error (const char *name,
                                              const GError *error);

G_END_DECLS

#endif
