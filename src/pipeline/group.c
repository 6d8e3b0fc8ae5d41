/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A group of guests in one appliance: run each, shut the appliance
 * down once, then commit each journal. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "bootfix-error.h"
#include "group.h"
#include "journal.h"

/* Guests per appliance when the caller does not say: a group's disks
 * are written only after its appliance has shut down, so a group is not
 * made larger than this (as for --batch). */
#define GROUP_SIZE_DEFAULT 10

typedef struct {
  const BootfixFixOptions *opts;
  const BootfixGroupCallbacks *cb;
  GPtrArray *jobs;      /* BootfixJob*, NULL once handed over */
} Group;

static void
say (const Group *grp, const char *message)
{
  if (grp->opts->progress)
    grp->opts->progress (message, grp->opts->progress_data);
}

/* Hand over every job that is done or must be retried. */
static void
deliver (Group *grp)
{
  for (guint i = 0; i < grp->jobs->len; i++) {
    BootfixJob *job = g_ptr_array_index (grp->jobs, i);
    if (job == NULL)
      continue;
    if (bootfix_job_is_done (job))
      grp->cb->done (i, bootfix_job_steal_report (job), grp->cb->user);
    else if (bootfix_job_wants_retry (job))
      grp->cb->retry (i, grp->cb->user);
    else
      continue;
    bootfix_job_free (job);
    grp->jobs->pdata[i] = NULL;
  }
}

/* Add every job still waiting; returns how many. */
static guint
add_jobs (Group *grp, BootfixAppliance *app)
{
  guint n = 0;
  for (guint i = 0; i < grp->jobs->len; i++) {
    BootfixJob *job = g_ptr_array_index (grp->jobs, i);
    if (job) {
      bootfix_job_add_to (job, app);
      n++;
    }
  }
  return n;
}

/* The launch or the shutdown just timed, shared by the guests. */
static void
share_time (Group *grp, GTimer *clock, guint added)
{
  double each = g_timer_elapsed (clock, NULL) / added;
  for (guint i = 0; i < grp->jobs->len; i++)
    if (g_ptr_array_index (grp->jobs, i))
      bootfix_job_add_shared_seconds (g_ptr_array_index (grp->jobs, i), each);
}

static void
run_jobs (Group *grp, GPtrArray *domains, BootfixAppliance *app, guint added)
{
  for (guint i = 0; i < grp->jobs->len; i++) {
    BootfixJob *job = g_ptr_array_index (grp->jobs, i);
    if (job == NULL)
      continue;
    if (grp->cb->stop && grp->cb->stop (grp->cb->user))
      break;
    if (added > 1) {
      const BootfixDomain *dom = g_ptr_array_index (domains, i);
      g_autofree char *msg = g_strdup_printf (_("Guest %s"), dom->name);
      say (grp, msg);
    }
    if (bootfix_appliance_alive (app))
      bootfix_job_run (job);
    else {
      g_autoptr (GError) dead = g_error_new (BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                                             _("the libguestfs appliance died"));
      bootfix_job_fail (job, dead);
    }
    deliver (grp);
  }
}

void
bootfix_fix_group (const BootfixContext *ctx, GPtrArray *domains,
                   const BootfixFixOptions *opts,
                   const BootfixGroupCallbacks *cb)
{
  Group grp = { .opts = opts, .cb = cb };
  grp.jobs = g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_job_free);
  for (guint i = 0; i < domains->len; i++)
    g_ptr_array_add (grp.jobs, bootfix_job_new (ctx, g_ptr_array_index (domains, i),
                                                opts));
  deliver (&grp);
  const BootfixDomain *first = g_ptr_array_index (domains, 0);
  g_autofree char *name = domains->len == 1
    ? g_strdup (first->name)
    : g_strdup_printf (_("a group of %u guests"), domains->len);
  g_autoptr (BootfixAppliance) app =
    bootfix_appliance_new (name, opts->verbose, opts->trace);
  guint added = add_jobs (&grp, app);
  if (added > 0) {
    g_autoptr (GError) error = NULL;
    if (added == 1)
      say (&grp, _("Opening the guest"));
    else {
      g_autofree char *msg = g_strdup_printf (_("Starting one appliance for %u "
                                                "guests"), added);
      say (&grp, msg);
    }
    g_autoptr (GTimer) clock = g_timer_new ();
    gboolean launched = bootfix_appliance_launch (app, &error);
    share_time (&grp, clock, added);
    if (launched) {
      bootfix_debug_checkpoint ("appliance launched");
      run_jobs (&grp, domains, app, added);
      g_timer_start (clock);
      if (bootfix_appliance_shutdown (app, &error))
        bootfix_debug_checkpoint ("appliance shut down");
      share_time (&grp, clock, added);
    }
    /* A job that never ran (a stop) is dropped with its overlays. */
    for (guint i = 0; i < grp.jobs->len; i++) {
      BootfixJob *job = g_ptr_array_index (grp.jobs, i);
      if (job == NULL)
        continue;
      if (!launched)
        bootfix_job_fail (job, error);
      else
        bootfix_job_finish (job, error);
      deliver (&grp);
    }
  }
  g_ptr_array_unref (grp.jobs);
}

static void
take_report (guint index, BootfixGuestReport *report, gpointer user)
{
  *(BootfixGuestReport **) user = report;
}

static void
no_retry (guint index, gpointer user)
{
  /* Only a guest sharing its appliance is handed back. */
  g_assert_not_reached ();
}

BootfixGuestReport *
bootfix_fix_guest (const BootfixContext *ctx, const BootfixDomain *dom,
                   const BootfixFixOptions *opts)
{
  BootfixGuestReport *report = NULL;
  g_autoptr (GPtrArray) domains = g_ptr_array_new ();
  g_ptr_array_add (domains, (gpointer) dom);
  const BootfixGroupCallbacks cb = { take_report, no_retry, NULL, &report };
  bootfix_fix_group (ctx, domains, opts, &cb);
  return report;
}

/* ---- several guests in this process ---- */

typedef struct {
  GPtrArray *slots;  /* BootfixGuestReport*, by index in the group */
  GArray *retry;     /* guint: indexes handed back */
} Collected;

static void
collect_report (guint index, BootfixGuestReport *report, gpointer user)
{
  Collected *c = user;
  c->slots->pdata[index] = report;
}

static void
collect_retry (guint index, gpointer user)
{
  Collected *c = user;
  g_array_append_val (c->retry, index);
}

static void
run_one_group (const BootfixContext *ctx, GPtrArray *group,
               const BootfixFixOptions *opts, GPtrArray *reports)
{
  Collected c = { g_ptr_array_new (), g_array_new (FALSE, FALSE, sizeof (guint)) };
  g_ptr_array_set_size (c.slots, group->len);
  const BootfixGroupCallbacks cb = { collect_report, collect_retry, NULL, &c };
  bootfix_fix_group (ctx, group, opts, &cb);
  for (guint i = 0; i < c.retry->len; i++) {
    guint k = g_array_index (c.retry, guint, i);
    c.slots->pdata[k] = bootfix_fix_guest (ctx, g_ptr_array_index (group, k), opts);
  }
  for (guint i = 0; i < group->len; i++)
    g_ptr_array_add (reports, c.slots->pdata[i]);
  g_ptr_array_unref (c.slots);
  g_array_unref (c.retry);
}

void
bootfix_fix_in_groups (const BootfixContext *ctx, GPtrArray *domains,
                       guint group_size, const BootfixFixOptions *opts,
                       GPtrArray *reports)
{
  guint size = group_size ? group_size : GROUP_SIZE_DEFAULT;
  guint max_disks = bootfix_appliance_max_disks ();
  g_autoptr (GPtrArray) group = g_ptr_array_new ();
  guint disks = 0;
  for (guint i = 0; i < domains->len; i++) {
    const BootfixDomain *dom = g_ptr_array_index (domains, i);
    if (group->len > 0 && (group->len >= size ||
                           disks + dom->disks->len > max_disks)) {
      run_one_group (ctx, group, opts, reports);
      g_ptr_array_set_size (group, 0);
      disks = 0;
    }
    g_ptr_array_add (group, (gpointer) dom);
    disks += dom->disks->len;
  }
  if (group->len > 0)
    run_one_group (ctx, group, opts, reports);
}
