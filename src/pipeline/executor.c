/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The executor: inspect, plan, diff, write atomically, verify, report. */
#include "config.h"

#include <string.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "bootfix-error.h"
#include "chain-check.h"
#include "check.h"
#include "edits.h"
#include "executor.h"
#include "guest.h"
#include "hive.h"
#include "hive-cache.h"
#include "host.h"
#include "journal.h"
#include "module-loader.h"
#include "output.h"
#include "plan.h"

/* ---- the run-wide context ---- */

BootfixContext *
bootfix_context_load (GError **error)
{
  g_autoptr (BootfixContext) ctx = g_new0 (BootfixContext, 1);
  const char *datadir = bootfix_data_dir ();
  g_autofree char *controllers = g_build_filename (datadir, "controllers.xml", NULL);
  g_autofree char *rules = g_build_filename (datadir, "rules", NULL);
  ctx->controllers = bootfix_controller_db_load (controllers, error);
  if (ctx->controllers == NULL)
    return NULL;
  ctx->rules = bootfix_rule_set_load_dir (rules, error);
  if (ctx->rules == NULL)
    return NULL;
  ctx->modules = bootfix_module_load_dir (bootfix_module_dir (), error);
  if (ctx->modules == NULL)
    return NULL;
  if (ctx->modules->len == 0) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_MODULE,
                 _("no conversion module found in %s; set BOOTFIX_MODULEDIR"),
                 bootfix_module_dir ());
    return NULL;
  }
  return g_steal_pointer (&ctx);
}

void
bootfix_context_free (BootfixContext *ctx)
{
  if (ctx == NULL)
    return;
  g_clear_pointer (&ctx->controllers, bootfix_controller_db_free);
  g_clear_pointer (&ctx->rules, bootfix_rule_set_free);
  g_clear_pointer (&ctx->modules, g_ptr_array_unref);
  g_free (ctx);
}

/* ---- one guest's state while it is being fixed ---- */

/* What the modules were told, kept for verify after the write. */
typedef struct {
  struct bootfix_facts facts;
  char *variant_lc;
} Facts;

/* Where a job is. */
typedef enum {
  JOB_NEW,       /* checked, overlays made: waits for an appliance */
  JOB_ADDED,     /* its disks are in an appliance */
  JOB_WRITTEN,   /* fixed and verified in its overlays (or, with
                  * --output, found unchanged): waits for the appliance
                  * to shut down, then commits */
  JOB_DONE,      /* the report is final */
  JOB_RETRY,     /* must run again, alone */
} JobState;

struct _BootfixJob {
  const BootfixContext *ctx;
  const BootfixDomain *dom;
  const char *name;  /* the guest's, for messages */
  const BootfixFixOptions *opts;
  JobState state;
  BootfixGuestReport *report;
  BootfixPlan *plan;
  GTimer *timer;           /* runs only while the job works */
  double shared_seconds;   /* its share of the appliance */
  BootfixAppliance *app;
  guint first;             /* its first disk in app */
  BootfixGuestInfo info;   /* what facts point into */
  Facts facts;
  BootfixRule *rule;       /* NULL when no rule matched */
  GPtrArray *claimed;      /* BootfixModule* whose probe said yes */
  BootfixGuest *guest;
  BootfixJournal *journal; /* NULL for --dry-run and --output */
  BootfixOutput *output;   /* --output, not --dry-run */
  gboolean unchanged;      /* --output: nothing to fix, written all the same */
  char *tmpdir;
  BootfixHiveCache *hives; /* from the inspection on */
  BootfixEdits *edits; /* files and device bytes outside the registry */
  const char *firmware;    /* walked, and --output's domain: "bios" or "efi" */
  BootfixLink *firmware_broken; /* the firmware walk's first broken link */
  char *refusal_why;       /* why a fix would refuse the guest, or NULL */
  char *refusal_advice;
};
typedef BootfixJob Job;

/* --check implies --dry-run: the disks are opened read-only. */
static gboolean
read_only (const Job *job)
{
  return job->opts->dry_run || job->opts->check;
}

static void
job_clear (Job *job)
{
  g_clear_pointer (&job->claimed, g_ptr_array_unref);
  g_clear_pointer (&job->rule, bootfix_rule_free);
  g_clear_pointer (&job->facts.variant_lc, g_free);
  bootfix_guest_info_clear (&job->info);
  g_clear_pointer (&job->hives, bootfix_hive_cache_free);
  g_clear_pointer (&job->edits, bootfix_edits_free);
  g_clear_pointer (&job->firmware_broken, bootfix_link_free);
  g_clear_pointer (&job->refusal_why, g_free);
  g_clear_pointer (&job->refusal_advice, g_free);
  if (job->tmpdir)
    (void) g_rmdir (job->tmpdir);
  g_clear_pointer (&job->tmpdir, g_free);
  g_clear_pointer (&job->guest, bootfix_guest_free);
  g_clear_pointer (&job->app, bootfix_appliance_unref);
  /* Until the disks are being written, the journal is only overlays. */
  if (job->journal && job->journal->state < BOOTFIX_JOURNAL_COMMITTING)
    bootfix_journal_discard (job->journal);
  g_clear_pointer (&job->journal, bootfix_journal_free);
  /* Unless committed, nothing of this guest stays in DIR. */
  if (job->output)
    bootfix_output_discard (job->output);
  g_clear_pointer (&job->output, bootfix_output_free);
}

static void
progress (const Job *job, const char *message)
{
  if (job->opts->progress)
    job->opts->progress (message, job->opts->progress_data);
}

/* BootfixHiveGetter over the job's hive cache. */
static BootfixHive *
get_hive (gpointer user, const char *name, GError **error)
{
  Job *job = user;
  return bootfix_hive_cache_get (job->hives, name, error);
}

/* ---- planning ---- */

static void
fill_facts (Facts *f, const BootfixDomain *dom, const BootfixGuestInfo *info,
            const BootfixFixOptions *opts, const char *firmware)
{
  f->facts = (struct bootfix_facts) {
    ._struct_size = sizeof (struct bootfix_facts),
    .guest_name = dom->name,
    .os_type = info->os_type,
    .product_name = info->product_name,
    .product_variant = info->product_variant,
    .arch = info->arch,
    .osinfo = info->osinfo,
    .major_version = info->major,
    .minor_version = info->minor,
    .machine = dom->machine,
    .machine_family = dom->machine_family,
    .bus = dom->bus,
    .controller_id = dom->controller->id,
    .pci_id = dom->controller->pci_id,
    .driver_source = opts->virtio_win ? "virtio-win" : "",
    .firmware = firmware,
    .boot_disk = (int) dom->boot_disk,
  };
  f->variant_lc = g_ascii_strdown (info->product_variant, -1);
}

/* The storage rule that wins, with every matching cleanup's items. */
static BootfixRule *
match_rule (const BootfixContext *ctx, const Facts *f, GError **error)
{
  BootfixRuleQuery q = {
    .major = f->facts.major_version,
    .minor = f->facts.minor_version,
    .arch = f->facts.arch,
    .osinfo = f->facts.osinfo,
    .variant = f->variant_lc,
    .controller = f->facts.controller_id,
    .driver_source = *f->facts.driver_source ? f->facts.driver_source : NULL,
  };
  return bootfix_rule_set_resolve (ctx->rules, &q, error);
}

/* BootfixFileGetter: files come from the edits' cache. */
static GBytes *
file_getter (gpointer user, const char *device, const char *path,
             gsize max_len, GError **error)
{
  Job *job = user;
  return bootfix_edits_get_file (job->edits, device, path, max_len, error);
}

/* Ask every module that claims the guest for its plan. */
static gboolean
run_modules (const BootfixContext *ctx, Job *job, const Facts *f,
             const BootfixRule *rule, BootfixPlan *plan,
             BootfixGuestReport *report, GError **error)
{
  g_autoptr (BootfixHostContext) host =
    bootfix_host_context_new (&f->facts, rule, plan, job->guest, get_hive, job);
  bootfix_host_context_set_file_getter (host, file_getter);
  bootfix_host_context_set_driver_source (host, job->opts->virtio_win);
  for (guint i = 0; i < ctx->modules->len; i++) {
    const BootfixModule *mod = g_ptr_array_index (ctx->modules, i);
    int r = bootfix_host_call (host, mod, BOOTFIX_CALLBACK_PROBE, error);
    if (r < 0)
      return FALSE;
    if (r == 0)
      continue;
    g_ptr_array_add (job->claimed, (gpointer) mod);
    g_debug ("module %s plans for %s", mod->m.name, f->facts.guest_name);
    if (bootfix_host_call (host, mod, BOOTFIX_CALLBACK_PLAN, error) < 0)
      return FALSE;
  }
  GPtrArray *msgs = bootfix_host_context_messages (host);
  for (guint i = 0; i < msgs->len; i++)
    g_ptr_array_add (report->messages, g_strdup (g_ptr_array_index (msgs, i)));
  if (job->claimed->len == 0)
    g_ptr_array_add (report->messages,
                     g_strdup (_("no conversion module applies to this guest")));
  return TRUE;
}

/* Try the plan's edits of each hive on a copy in a child process
 * first (see bootfix_hive_preflight). */
static gboolean
preflight_plan (Job *job, const BootfixPlan *plan, GError **error)
{
  g_autoptr (GPtrArray) hives = bootfix_plan_hives (plan);
  for (guint i = 0; i < hives->len; i++) {
    const char *name = g_ptr_array_index (hives, i);
    if (get_hive (job, name, error) == NULL)
      return FALSE;
    BootfixHiveFile *hf = bootfix_hive_cache_find (job->hives, name);
    g_autoptr (GPtrArray) mine = g_ptr_array_new ();
    for (guint k = 0; k < plan->actions->len; k++) {
      BootfixAction *a = g_ptr_array_index (plan->actions, k);
      if (bootfix_action_is_registry (a) && g_ascii_strcasecmp (a->hive, name) == 0)
        g_ptr_array_add (mine, a);
    }
    if (!bootfix_hive_preflight (hf->local_path, hf->guest_path, mine, hf->name,
                                 error)) {
      g_prefix_error (error, _("guest %s: "), job->name);
      return FALSE;
    }
  }
  return TRUE;
}

/* Apply the plan to the in-memory hives; the changes are the diff. */
static gboolean
diff_plan (Job *job, const BootfixPlan *plan, gboolean write,
           GPtrArray *changes, GError **error)
{
  for (guint i = 0; i < plan->actions->len; i++) {
    const BootfixAction *a = g_ptr_array_index (plan->actions, i);
    if (!bootfix_action_is_registry (a)) {
      if (!bootfix_edits_apply (job->edits, a, write, changes, error))
        return FALSE;
      continue;
    }
    BootfixHive *hive = get_hive (job, a->hive, error);
    if (hive == NULL)
      return FALSE;
    BootfixHiveFile *hf = bootfix_hive_cache_find (job->hives, a->hive);
    guint before = changes->len;
    if (!bootfix_hive_apply (hive, a, hf->name, write, changes, error))
      return FALSE;
    hf->changed |= changes->len > before;
  }
  return TRUE;
}

/* ---- writing ---- */

/* Commit each changed hive to a new host file and prove, by diffing the
 * plan against a fresh read of that file, that it holds everything. */
static gboolean
commit_and_check (Job *job, const BootfixPlan *plan, GError **error)
{
  for (guint i = 0; i < job->hives->files->len; i++) {
    BootfixHiveFile *hf = g_ptr_array_index (job->hives->files, i);
    if (!hf->changed)
      continue;
    if (!bootfix_hive_cache_commit (job->hives, hf, error))
      return FALSE;
    bootfix_debug_checkpoint ("hive committed on the host");
    g_autoptr (BootfixHive) check =
      bootfix_hive_open (hf->new_path, hf->guest_path, FALSE, error);
    if (check == NULL)
      return FALSE;
    g_autoptr (GPtrArray) left =
      g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_change_free);
    for (guint j = 0; j < plan->actions->len; j++) {
      const BootfixAction *a = g_ptr_array_index (plan->actions, j);
      if (bootfix_action_is_registry (a) && g_ascii_strcasecmp (a->hive, hf->name) == 0 &&
          !bootfix_hive_apply (check, a, hf->name, FALSE, left, error))
        return FALSE;
    }
    if (left->len > 0) {
      const BootfixChange *c = g_ptr_array_index (left, 0);
      g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                   _("the rewritten %s does not hold %s; nothing was written "
                     "to the guest"), hf->guest_path, c->target);
      return FALSE;
    }
  }
  return bootfix_edits_prepare (job->edits, plan, error);
}

/* A host table whose plan is scratch: for the callbacks that only read
 * (verify, check). */
static BootfixHostContext *
reading_host (Job *job, BootfixPlan *scratch)
{
  BootfixHostContext *host =
    bootfix_host_context_new (&job->facts.facts, job->rule, scratch,
                              job->guest, get_hive, job);
  bootfix_host_context_set_driver_source (host, job->opts->virtio_win);
  return host;
}

/* Each module that planned checks the guest as written, in its
 * overlays, before anything reaches the disks.  Hives are read from
 * the host copies just uploaded (checked by sha256), files and bytes
 * straight from the guest.  A module may not plan here. */
static gboolean
verify_modules (Job *job, GError **error)
{
  g_autoptr (BootfixPlan) scratch = bootfix_plan_new ();
  g_autoptr (BootfixHostContext) host = reading_host (job, scratch);
  for (guint i = 0; i < job->claimed->len; i++) {
    const BootfixModule *mod = g_ptr_array_index (job->claimed, i);
    if (bootfix_host_call (host, mod, BOOTFIX_CALLBACK_VERIFY, error) < 0) {
      g_prefix_error (error, _("guest %s: the fix did not verify: "), job->name);
      return FALSE;
    }
    if (scratch->actions->len > 0 || scratch->refused) {
      g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_MODULE,
                   _("guest %s: module %s planned changes while verifying "
                     "the fix; nothing was written to the disks"),
                   job->name, mod->m.name);
      return FALSE;
    }
  }
  return TRUE;
}

/* Upload every new hive under a temporary name first; only when all
 * arrived intact rename them over the originals. */
static gboolean
write_guest (Job *job, GError **error)
{
  if (!bootfix_guest_mount_rw (job->guest, error))
    return FALSE;
  for (guint i = 0; i < job->hives->files->len; i++) {
    BootfixHiveFile *hf = g_ptr_array_index (job->hives->files, i);
    if (!hf->changed)
      continue;
    hf->staged = bootfix_guest_stage (job->guest, NULL, hf->new_path,
                                      hf->guest_path, error);
    bootfix_debug_checkpoint ("hive uploaded");
    if (hf->staged == NULL) {
      for (guint j = 0; j < i; j++) {
        BootfixHiveFile *done = g_ptr_array_index (job->hives->files, j);
        if (done->staged)
          bootfix_guest_discard_staged (job->guest, NULL, done->staged);
      }
      return FALSE;
    }
  }
  for (guint i = 0; i < job->hives->files->len; i++) {
    BootfixHiveFile *hf = g_ptr_array_index (job->hives->files, i);
    if (hf->staged != NULL &&
        !bootfix_guest_commit_staged (job->guest, NULL, hf->staged,
                                      hf->guest_path, error))
      return FALSE;
    bootfix_debug_checkpoint ("hive renamed");
  }
  /* Only now: a clean primary already holds all its logs had. */
  for (guint i = 0; i < job->hives->files->len; i++) {
    BootfixHiveFile *hf = g_ptr_array_index (job->hives->files, i);
    if (hf->changed && !bootfix_hive_cache_empty_logs (job->hives, hf, error))
      return FALSE;
  }
  return bootfix_edits_write (job->edits, error) &&
         verify_modules (job, error) && bootfix_guest_flush (job->guest, error);
}

/* The fix is complete and verified in the overlays: save the bytes it
 * replaces, then write it into the disks. */
static gboolean
commit_journal (Job *job, BootfixGuestReport *report, GError **error)
{
  progress (job, _("Saving the undo journal"));
  if (!bootfix_journal_prepare (job->journal, error))
    return FALSE;
  progress (job, _("Writing the disks"));
  if (!bootfix_journal_commit (job->journal, error)) {
    if (job->journal->state >= BOOTFIX_JOURNAL_COMMITTING)
      g_prefix_error (error, _("guest %s: writing the disks failed half-way; "
                               "run 'virt-bootfix --undo %s' to restore them: "),
                      job->name, job->journal->dir);
    return FALSE;
  }
  report->journal = g_strdup (job->journal->dir);
  return TRUE;
}

/* --output: the images into DIR, then DIR/NAME.xml. */
static gboolean
commit_output (Job *job, GError **error)
{
  progress (job, job->output->format ? _("Writing the standalone disk images")
                                     : _("Writing the output"));
  if (!bootfix_output_commit (job->output, job->dom, job->firmware, error))
    return FALSE;
  job->report->output = g_strdup (job->output->xml_path);
  return TRUE;
}

/* ---- one guest ---- */

static void
report_target (BootfixGuestReport *r, const BootfixDomain *dom)
{
  for (guint i = 0; i < dom->disks->len; i++) {
    const BootfixDisk *d = g_ptr_array_index (dom->disks, i);
    g_ptr_array_add (r->disks, g_strdup (d->source ? d->source : d->target_dev));
  }
  r->machine = g_strdup (dom->machine);
  r->bus = g_strdup (dom->bus);
  r->controller = g_strdup (dom->controller ? dom->controller->id : NULL);
  r->pci_id = g_strdup (dom->controller ? dom->controller->pci_id : NULL);
  for (guint i = 0; dom->warnings && i < dom->warnings->len; i++)
    g_ptr_array_add (r->messages, g_strdup (g_ptr_array_index (dom->warnings, i)));
}

static void
report_os (BootfixGuestReport *r, const BootfixGuestInfo *info)
{
  r->product = g_strdup (info->product_name);
  r->major = info->major;
  r->minor = info->minor;
  r->arch = g_strdup (info->arch);
  r->osinfo = g_strdup (info->osinfo);
}

/* A fix killed half-way through writing the disks left them holding
 * part of it: refuse, or with --resume roll it back first. */
static gboolean
recover_interrupted (Job *job, const char *parent, const BootfixDomain *dom,
                     GError **error)
{
  g_autoptr (BootfixJournal) j = bootfix_journal_find_interrupted (parent, dom);
  if (j == NULL)
    return TRUE;
  if (job->opts->output_dir) {
    /* Rolling it back would write the disks --output promises not to. */
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED,
                 _("guest %s: an earlier fix in place was stopped while it "
                   "wrote the disks, so they hold part of it; run "
                   "'virt-bootfix --undo %s' first"), dom->name, j->dir);
    return FALSE;
  }
  if (!job->opts->undo_interrupted) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED,
                 _("guest %s: an earlier fix was stopped while it wrote the "
                   "disks; run 'virt-bootfix --undo %s' first (--resume does "
                   "it by itself)"), dom->name, j->dir);
    return FALSE;
  }
  if (!bootfix_journal_undo (j, FALSE, error)) {
    g_prefix_error (error, _("guest %s: rolling back the interrupted fix %s: "),
                    dom->name, j->dir);
    return FALSE;
  }
  g_ptr_array_add (job->report->messages,
                   g_strdup_printf (_("rolled back %s, a fix that was stopped "
                                      "while it wrote the disks"), j->dir));
  return TRUE;
}

/* --output: the disks are only read, and DIR can take this guest's
 * files; unless --dry-run, the overlays are made there. */
static gboolean
prepare_output (Job *job, const BootfixDomain *dom, GError **error)
{
  const BootfixDisk *first = g_ptr_array_index (dom->disks, 0);
  g_autofree char *parent = g_path_get_dirname (first->source);
  if (!recover_interrupted (job, parent, dom, error))
    return FALSE;
  g_autoptr (BootfixOutput) out =
    bootfix_output_create (job->opts->output_dir, job->opts->output_format,
                           dom, job->opts->allow_block_devices,
                           job->opts->allow_unsafe_paths, job->opts->dry_run,
                           error);
  if (out == NULL)
    return FALSE;
  if (!job->opts->dry_run)
    job->output = g_steal_pointer (&out);
  return TRUE;
}

/* Before any appliance: the disks are usable, and (unless --dry-run)
 * the undo journal with its overlays exists, or --output's overlays. */
static gboolean
prepare_disks (Job *job, const BootfixDomain *dom, GError **error)
{
  if (!bootfix_guest_check_sources (dom, job->opts->allow_unsafe_paths,
                                    job->opts->allow_block_devices, error))
    return FALSE;
  if (job->opts->output_dir)
    return prepare_output (job, dom, error);
  if (read_only (job))
    return TRUE;
  const BootfixDisk *first = g_ptr_array_index (dom->disks, 0);
  if (!job->opts->journal_dir && g_str_has_prefix (first->source, "/dev/")) {
    /* /dev is in memory: a journal there would not survive a reboot. */
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED,
                 _("guest %s: the disk %s is a device; say where to keep "
                   "the undo journal with --journal DIR"), dom->name,
                 first->source);
    return FALSE;
  }
  g_autofree char *parent = job->opts->journal_dir
                            ? g_strdup (job->opts->journal_dir)
                            : g_path_get_dirname (first->source);
  if (!recover_interrupted (job, parent, dom, error))
    return FALSE;
  job->journal = bootfix_journal_create (parent, dom,
                                         job->opts->allow_block_devices,
                                         job->opts->allow_unsafe_paths, error);
  return job->journal != NULL;
}

/* What the firmware will find on the boot disk, before any inspection
 * (it needs none): a check reports it, with the volumes no fix can
 * see into; a fix refuses a broken firmware link later. */
static GPtrArray *
walk_firmware (Job *job, const char *firmware, const char **walked,
               GError **error)
{
  BootfixChainTarget t = { firmware, job->dom->boot_disk, job->dom->arch };
  g_autoptr (GPtrArray) links =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_link_free);
  if (!bootfix_chain_check_firmware (job->guest, &t, links, walked, error))
    return NULL;
  return g_steal_pointer (&links);
}

/* --output writes the domain, so a domain whose firmware cannot start
 * the disk gets the one that can (when that one finds nothing broken)
 * instead of a refusal. */
static GPtrArray *
walk_output_firmware (Job *job, GPtrArray *links, GError **error)
{
  const char *needed = NULL;
  g_autoptr (GPtrArray) other = walk_firmware (job, NULL, &needed, error);
  if (other == NULL)
    return NULL;
  if (g_strcmp0 (needed, job->firmware) == 0 ||
      bootfix_chain_first_broken (other) != NULL)
    return g_ptr_array_ref (links);
  g_ptr_array_add (job->report->messages, g_strdup (
    g_str_equal (needed, "efi")
    ? _("the domain's BIOS firmware cannot start the boot disk; the domain "
        "written to the --output folder gets UEFI (<os firmware='efi'>)")
    : _("the domain's UEFI firmware cannot start the boot disk; the domain "
        "written to the --output folder gets BIOS firmware")));
  job->firmware = needed;
  return g_steal_pointer (&other);
}

static gboolean
walk_chain (Job *job, const BootfixDomain *dom, GError **error)
{
  g_autoptr (GPtrArray) links = walk_firmware (job, dom->firmware,
                                               &job->firmware, error);
  if (links == NULL)
    return FALSE;
  if (job->opts->output_dir && bootfix_chain_first_broken (links)) {
    GPtrArray *chosen = walk_output_firmware (job, links, error);
    if (chosen == NULL)
      return FALSE;
    g_ptr_array_unref (links);
    links = chosen;
  }
  const BootfixLink *broken = bootfix_chain_first_broken (links);
  if (broken)
    job->firmware_broken = bootfix_link_new (broken->name, broken->state,
                                             broken->detail, broken->remedy);
  if (!job->opts->check)
    return TRUE;
  while (links->len > 0)
    g_ptr_array_add (job->report->links, g_ptr_array_steal_index (links, 0));
  return bootfix_chain_check_volumes (job->guest, job->report->links, error);
}

/* --check: what each module that claimed the guest finds, link by link. */
static gboolean
check_modules (Job *job, GError **error)
{
  g_autoptr (BootfixPlan) scratch = bootfix_plan_new ();
  g_autoptr (BootfixHostContext) host = reading_host (job, scratch);
  bootfix_host_context_set_file_getter (host, file_getter);
  progress (job, _("Checking the boot chain"));
  return bootfix_check_modules (host, scratch, job->claimed, job->report->links,
                                job->name, error);
}

static gboolean
open_and_inspect (Job *job, const BootfixDomain *dom, BootfixGuestInfo *info,
                  BootfixGuestReport *report, GError **error)
{
  BootfixGuestOptions gopts = {
    .root = job->opts->root,
    .readonly = read_only (job),
    .check = job->opts->check,
  };
  job->guest = bootfix_guest_open_in (job->app, job->first, dom, &gopts, error);
  if (job->guest == NULL)
    return FALSE;
  report->accelerator = g_strdup (bootfix_appliance_accelerator (job->app));
  if (!walk_chain (job, dom, error))
    return FALSE;
  progress (job, _("Inspecting the guest"));
  if (!bootfix_guest_inspect (job->guest, info, error))
    return FALSE;
  bootfix_debug_checkpoint ("inspected");
  report_os (report, info);
  job->tmpdir = g_dir_make_tmp ("virt-bootfix-XXXXXX", error);
  if (job->tmpdir == NULL)
    return FALSE;
  job->hives = bootfix_hive_cache_new (job->guest, job->name, job->tmpdir);
  bootfix_hive_cache_set_discard_logs (job->hives, job->opts->discard_hive_logs);
  job->edits = bootfix_edits_new (job->guest, job->name, job->tmpdir,
                                  job->hives);
  return TRUE;
}

/* Everything up to the diff.  Returns FALSE on error; a refusal is not
 * an error but sets the report status. */
static gboolean
plan_guest (const BootfixContext *ctx, Job *job, const BootfixDomain *dom,
            BootfixPlan *plan, BootfixGuestReport *report, GError **error)
{
  if (!open_and_inspect (job, dom, &job->info, report, error))
    return FALSE;
  fill_facts (&job->facts, dom, &job->info, job->opts, job->firmware);
  if (job->firmware_broken && !job->opts->allow_firmware_mismatch) {
    bootfix_check_refuse_firmware (plan, job->firmware, job->firmware_broken);
    if (!job->opts->check)
      return TRUE;
  }
  GError *local = NULL;
  job->rule = match_rule (ctx, &job->facts, &local);
  if (local != NULL) {
    g_propagate_error (error, local);
    return FALSE;
  }
  report->rule_id = g_strdup (job->rule ? job->rule->id : NULL);
  progress (job, _("Planning the fix"));
  g_autoptr (GError) planned = NULL;
  gboolean ok = run_modules (ctx, job, &job->facts, job->rule, plan, report,
                             &planned);
  /* A dirty hive refused or damaged wins over whatever a module made
   * of that error (or over its swallowing it). */
  if (job->hives->error != NULL) {
    g_propagate_error (error, g_error_copy (job->hives->error));
    return FALSE;
  }
  if (!ok) {
    /* A check still asks the modules what they see: their links may
     * say what stopped the plan (a store that cannot be read). */
    g_autoptr (GError) unchecked = NULL;
    if (job->opts->check && !check_modules (job, &unchecked))
      g_debug ("guest %s: %s", job->name, unchecked->message);
    g_propagate_error (error, g_steal_pointer (&planned));
    return FALSE;
  }
  bootfix_debug_checkpoint ("planned");
  /* Before the diff, which applies the plan to the cached hives and
   * files: the modules check the guest as it is. */
  if (job->opts->check && !check_modules (job, error))
    return FALSE;
  if (plan->refused)
    return TRUE;
  if (!preflight_plan (job, plan, error) ||
      !diff_plan (job, plan, TRUE, report->changes, error))
    return FALSE;
  bootfix_hive_cache_log_changes (job->hives, report->changes);
  return TRUE;
}

/* What the hive cache found: every hive that was not clean, and the
 * warnings for those edited without their logs. */
static void
report_hives (BootfixGuestReport *report, BootfixHiveCache *hives)
{
  if (hives == NULL)
    return;
  while (hives->states->len > 0)
    g_ptr_array_add (report->hives, g_ptr_array_steal_index (hives->states, 0));
  while (hives->warnings->len > 0)
    g_ptr_array_add (report->messages,
                     g_ptr_array_steal_index (hives->warnings, 0));
}

static void
finish_refused (BootfixGuestReport *report, const BootfixPlan *plan,
                const char *name)
{
  report->status = BOOTFIX_STATUS_REFUSED;
  g_ptr_array_set_size (report->changes, 0);
  /* A check's links say it already. */
  if (report->checked)
    return;
  g_ptr_array_add (report->messages,
                   g_strdup_printf (_("guest %s: %s"), name, plan->refuse_why));
  if (plan->refuse_advice)
    g_ptr_array_add (report->messages, g_strdup_printf (_("what to do: %s"),
                                                        plan->refuse_advice));
}

static void
finish_error (BootfixGuestReport *report, const GError *error)
{
  report->status = error->code == BOOTFIX_ERROR_REFUSED
                   ? BOOTFIX_STATUS_REFUSED : BOOTFIX_STATUS_ERROR;
  g_ptr_array_add (report->messages, g_strdup (error->message));
  g_ptr_array_set_size (report->changes, 0);
}

/* ---- the job ---- */

/* Why a fix would refuse the guest, for a check's last link. */
static void
note_refusal (Job *job, const char *why, const char *advice)
{
  if (job->refusal_why)
    return;
  job->refusal_why = g_strdup (why);
  job->refusal_advice = g_strdup (advice);
}

static void
job_end (Job *job)
{
  report_hives (job->report, job->hives);
  if (job->opts->check)
    bootfix_check_finish (job->report, job->info.root ? &job->info : NULL,
                          job->refusal_why, job->refusal_advice);
  if (job->report->status == BOOTFIX_STATUS_ERROR &&
      !(job->journal && job->journal->state >= BOOTFIX_JOURNAL_COMMITTING))
    g_ptr_array_add (job->report->messages,
                     g_strdup (_("the disk images were not changed")));
  job_clear (job);
  job->report->seconds = g_timer_elapsed (job->timer, NULL) + job->shared_seconds;
  job->state = JOB_DONE;
}

/* An error while the guest shares its appliance, when the appliance
 * died or the guest needs one of its own: run it again, alone. */
static gboolean
job_should_retry (Job *job, const GError *error)
{
  gboolean shared = job->app &&
                    bootfix_appliance_n_disks (job->app) > job->dom->disks->len;
  if (!shared)
    return FALSE;
  return g_error_matches (error, BOOTFIX_ERROR, BOOTFIX_ERROR_NEEDS_OWN_APPLIANCE) ||
         !bootfix_appliance_alive (job->app);
}

static void
job_retry (Job *job, const GError *why)
{
  g_debug ("guest %s: to be retried alone: %s", job->name, why->message);
  job_clear (job);
  job->state = JOB_RETRY;
}

BootfixJob *
bootfix_job_new (const BootfixContext *ctx, const BootfixDomain *dom,
                 const BootfixFixOptions *opts)
{
  Job *job = g_new0 (Job, 1);
  job->ctx = ctx;
  job->dom = dom;
  job->name = dom->name;
  job->opts = opts;
  job->timer = g_timer_new ();
  job->report = bootfix_guest_report_new (dom->name);
  job->report->checked = opts->check;
  job->plan = bootfix_plan_new ();
  job->claimed = g_ptr_array_new ();
  report_target (job->report, dom);
  g_autoptr (GError) error = NULL;
  if (!prepare_disks (job, dom, &error)) {
    if (g_error_matches (error, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED))
      note_refusal (job, error->message, NULL);
    finish_error (job->report, error);
    job_end (job);
  }
  g_timer_stop (job->timer);
  return job;
}

void
bootfix_job_add_shared_seconds (BootfixJob *job, double seconds)
{
  if (job->state != JOB_DONE)
    job->shared_seconds += seconds;
}

gboolean
bootfix_job_is_done (const BootfixJob *job)
{
  return job->state == JOB_DONE;
}

gboolean
bootfix_job_wants_retry (const BootfixJob *job)
{
  return job->state == JOB_RETRY;
}

void
bootfix_job_add_to (BootfixJob *job, BootfixAppliance *app)
{
  g_return_if_fail (job->state == JOB_NEW);
  g_autoptr (GPtrArray) overlays =
    job->journal ? bootfix_journal_overlays (job->journal)
    : job->output ? bootfix_output_overlays (job->output) : NULL;
  job->first = bootfix_appliance_add_guest (app, job->dom, overlays,
                                            read_only (job));
  job->app = bootfix_appliance_ref (app);
  job->state = JOB_ADDED;
}

void
bootfix_job_fail (BootfixJob *job, const GError *error)
{
  if (job->state == JOB_DONE || job->state == JOB_RETRY)
    return;
  if (job_should_retry (job, error)) {
    job_retry (job, error);
    return;
  }
  if (g_error_matches (error, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED))
    note_refusal (job, error->message, NULL);
  finish_error (job->report, error);
  job_end (job);
}

static void job_run (Job *job);

void
bootfix_job_run (BootfixJob *job)
{
  g_return_if_fail (job->state == JOB_ADDED);
  g_timer_continue (job->timer);
  job_run (job);
  g_timer_stop (job->timer);
}

static void
job_run (Job *job)
{
  g_autoptr (GError) error = NULL;
  BootfixGuestReport *report = job->report;
  BootfixPlan *plan = job->plan;
  if (!plan_guest (job->ctx, job, job->dom, plan, report, &error)) {
    bootfix_job_fail (job, error);
    return;
  }
  if (plan->refused) {
    note_refusal (job, plan->refuse_why, plan->refuse_advice);
    finish_refused (report, plan, job->name);
  } else if (report->changes->len == 0 && job->output) {
    /* DIR gets its guest all the same: a bootable result either way. */
    job->unchanged = TRUE;
    job->state = JOB_WRITTEN;
    return;
  } else if (report->changes->len == 0)
    report->status = BOOTFIX_STATUS_UNCHANGED;
  else if (read_only (job))
    report->status = BOOTFIX_STATUS_WOULD_FIX;
  else {
    progress (job, _("Writing the changes"));
    if (!commit_and_check (job, plan, &error) || !write_guest (job, &error))
      bootfix_job_fail (job, error);
    else
      job->state = JOB_WRITTEN;
    return;
  }
  job_end (job);
}

void
bootfix_job_finish (BootfixJob *job, const GError *shutdown_error)
{
  if (job->state != JOB_WRITTEN)
    return;
  g_timer_continue (job->timer);
  g_autoptr (GError) error = NULL;
  if (shutdown_error != NULL)
    bootfix_job_fail (job, shutdown_error);
  else if (job->output ? commit_output (job, &error)
                       : commit_journal (job, job->report, &error)) {
    job->report->status = job->unchanged ? BOOTFIX_STATUS_UNCHANGED
                                         : BOOTFIX_STATUS_FIXED;
    job_end (job);
  } else
    bootfix_job_fail (job, error);
}

BootfixGuestReport *
bootfix_job_steal_report (BootfixJob *job)
{
  g_return_val_if_fail (job->state == JOB_DONE, NULL);
  return g_steal_pointer (&job->report);
}

void
bootfix_job_free (BootfixJob *job)
{
  if (job == NULL)
    return;
  job_clear (job);
  g_clear_pointer (&job->report, bootfix_guest_report_free);
  g_clear_pointer (&job->plan, bootfix_plan_free);
  g_clear_pointer (&job->timer, g_timer_destroy);
  g_free (job);
}

BootfixGuestReport *
bootfix_report_for_error (const char *name, const GError *error)
{
  BootfixGuestReport *report = bootfix_guest_report_new (name);
  finish_error (report, error);
  return report;
}
