/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt-bootfix: make restored Windows backups boot on QEMU/KVM's
 * emulated disk controllers, offline. */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include <unistd.h>

#include "batch-list.h"
#include "batch-progress.h"
#include "batch-run.h"
#include "bootfix-error.h"
#include "dirs.h"
#include "domain.h"
#include "executor.h"
#include "group.h"
#include "image-chain.h"
#include "image-format.h"
#include "journal.h"
#include "libvirt-guest.h"
#include "report.h"
#include "target.h"

/* Exit codes (also in the man page); --check uses 3 for "will not
 * boot" and 4 for "boots once fixed" (report.h). */
enum {
  EXIT_READY = 0,
  EXIT_ERROR = 1,
  EXIT_USAGE = 2,
  EXIT_REFUSED = 3,
};

/* A guest named on the command line, in the order given. */
typedef struct {
  gboolean xml_option; /* --domain-xml: always a file */
  char *arg;           /* -d: a file or a libvirt guest (see below) */
} GuestArg;

static void
guest_arg_free (GuestArg *g)
{
  g_free (g->arg);
  g_free (g);
}

typedef struct {
  GStrv args;   /* the command line, -jN split (split_attached_jobs) */
  char **argv;  /* its pointers, as GOption left them */
  char *batch;
  int jobs;
  int group_size;
  char *jsonl;
  char *resume;
  char *shard;
  char *uri;          /* -c */
  GPtrArray *guests;  /* GuestArg*: -d and --domain-xml */
  guint n_domain;     /* how many of them came with -d */
  char **disks;
  char **disk_formats; /* the --format in force at each -a (NULL: raw) */
  char *format;        /* the last --format seen */
  gboolean format_unused; /* a --format with no -a after it */
  char *machine;
  char *bus;
  char *model;
  char *firmware;
  char *json;
  char *journal;
  char *output;
  char *output_format;
  char *undo;
  char *root;
  char *virtio_win;
  gboolean allow_block_devices;
  gboolean allow_unsafe_paths;
  gboolean discard_hive_logs;
  gboolean force;
  gboolean dry_run;
  gboolean print_target;
  gboolean check;
  gboolean allow_firmware_mismatch;
  gboolean verbose;
  gboolean trace;
  gboolean quiet;
  gboolean version;
  GTimer *clock;   /* progress times are seconds since start */
} Options;

static void
options_clear (Options *o)
{
  g_strfreev (o->args);
  g_free (o->argv);
  g_free (o->batch);
  g_free (o->jsonl);
  g_free (o->resume);
  g_free (o->shard);
  g_free (o->uri);
  g_clear_pointer (&o->guests, g_ptr_array_unref);
  g_strfreev (o->disks);
  g_strfreev (o->disk_formats);
  g_free (o->format);
  g_free (o->machine);
  g_free (o->bus);
  g_free (o->model);
  g_free (o->firmware);
  g_free (o->json);
  g_free (o->journal);
  g_free (o->output);
  g_free (o->output_format);
  g_free (o->undo);
  g_free (o->root);
  g_free (o->virtio_win);
  g_clear_pointer (&o->clock, g_timer_destroy);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Options, options_clear)

static void
print_progress (const char *message, gpointer user)
{
  const Options *o = user;
  if (o->quiet)
    return;
  printf ("[%6.1f] %s\n", g_timer_elapsed (o->clock, NULL), message);
  fflush (stdout);
}

/* Warnings and (with -v) debug messages as plain lines on stderr. */
static void
log_handler (const char *domain, GLogLevelFlags level, const char *message,
             gpointer user)
{
  const Options *o = user;
  if ((level & G_LOG_LEVEL_DEBUG) || (level & G_LOG_LEVEL_INFO)) {
    if (o->verbose)
      fprintf (stderr, "virt-bootfix: debug: %s\n", message);
    return;
  }
  if (level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE)) {
    if (!o->quiet)
      fprintf (stderr, _("virt-bootfix: warning: %s\n"), message);
    return;
  }
  fprintf (stderr, _("virt-bootfix: %s\n"), message);
}

static int
usage_error (GOptionContext *octx, const char *message)
{
  fprintf (stderr, _("virt-bootfix: %s\nRun 'virt-bootfix --help' for the "
                     "options.\n"), message);
  (void) octx;
  return EXIT_USAGE;
}

static void
strv_append (char ***v, const char *s)
{
  guint n = *v ? g_strv_length (*v) : 0;
  *v = g_renew (char *, *v, n + 2);
  (*v)[n] = g_strdup (s);
  (*v)[n + 1] = NULL;
}

/* --format and -a are callbacks so that their order counts, as in
 * guestfish: each --format applies to the -a options after it. */
static gboolean
on_format (const char *name, const char *value, gpointer data, GError **error)
{
  Options *o = data;
  if (!g_str_equal (value, "auto") && !bootfix_image_format_handled (value)) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 _("--format takes raw, qcow2, vmdk, vpc, vhdx or auto, not '%s'"), value);
    return FALSE;
  }
  g_free (o->format);
  o->format = g_strdup (value);
  o->format_unused = TRUE;
  return TRUE;
}

static gboolean
on_add (const char *name, const char *value, gpointer data, GError **error)
{
  Options *o = data;
  strv_append (&o->disks, value);
  strv_append (&o->disk_formats, o->format ? o->format : "raw");
  o->format_unused = FALSE;
  return TRUE;
}

static void
add_guest (Options *o, gboolean xml_option, const char *arg)
{
  GuestArg *g = g_new0 (GuestArg, 1);
  g->xml_option = xml_option;
  g->arg = g_strdup (arg);
  g_ptr_array_add (o->guests, g);
}

static gboolean
add_domain_arg (const char *name, const char *value, gpointer data,
                GError **error)
{
  Options *o = data;
  add_guest (o, FALSE, value);
  o->n_domain++;
  return TRUE;
}

static gboolean
add_domain_xml_arg (const char *name, const char *value, gpointer data,
                    GError **error)
{
  add_guest (data, TRUE, value);
  return TRUE;
}

/* What is wrong with the options given, or NULL. */
static const char *
usage_problem (const Options *o, int argc)
{
  gboolean guests = o->guests->len > 0;

  if (argc > 1)
    return _("unexpected argument; name guests with -d or --domain-xml and "
             "disks with -a");
  if (o->format && (guests || o->batch || o->format_unused))
    return _("--format applies to the -a disks given after it");
  if (o->undo && (guests || o->uri || o->disks || o->batch || o->dry_run ||
                  o->journal || o->output || o->output_format ||
                  o->root || o->machine || o->bus || o->model ||
                  o->json || o->virtio_win || o->discard_hive_logs ||
                  o->allow_block_devices || o->allow_unsafe_paths ||
                  o->firmware || o->print_target || o->check ||
                  o->allow_firmware_mismatch))
    return _("--undo takes only a journal (and --force)");
  if (o->force && !o->undo)
    return _("--force goes with --undo");
  if (o->undo)
    return NULL;
  if (o->output_format && !o->output)
    return _("--output-format goes with --output");
  if (o->output_format && !g_str_equal (o->output_format, "raw") &&
      !g_str_equal (o->output_format, "qcow2"))
    return _("--output-format takes raw or qcow2");
  if (o->output && o->journal)
    return _("--journal does not go with --output: the disks are not "
             "written, so there is nothing to undo");
  if (o->output && !*o->output)
    return _("--output needs a folder");
  if (o->print_target && (o->dry_run || o->check || o->journal || o->root ||
                          o->virtio_win || o->discard_hive_logs ||
                          o->allow_block_devices || o->allow_unsafe_paths ||
                          o->allow_firmware_mismatch || o->jobs ||
                          o->group_size || o->jsonl || o->resume || o->output ||
                          o->output_format))
    return _("--print-target opens no disk: it takes -d, --domain-xml, -a or "
             "--batch (with --shard), and --json");
  if (o->check && (o->journal || o->resume || o->output || o->output_format))
    return _("--check changes nothing: it keeps no journal, writes no "
             "--output and there is nothing to --resume");
  if (o->uri && o->n_domain == 0)
    return _("-c URI goes with -d NAME, the libvirt guests it holds (a --batch "
             "list names domain XML files only)");
  if (!o->batch && (o->jobs || o->group_size || o->jsonl || o->resume ||
                    o->shard))
    return _("-j, --group-size, --jsonl, --resume and --shard go with --batch");
  if (o->batch && (guests || o->disks))
    return _("use --batch, -d (or --domain-xml) or -a, not two of them");
  if (o->jobs < 0 || o->group_size < 0)
    return _("-j and --group-size take a positive number");
  if (o->virtio_win && !g_file_test (o->virtio_win, G_FILE_TEST_IS_DIR))
    return _("--virtio-win needs a directory (a mounted virtio-win ISO or a "
             "copy of it)");
  if ((o->batch || guests) && (o->machine || o->bus || o->model ||
                                o->firmware))
    return _("--machine, --bus, --controller-model and --firmware go with -a; "
             "a domain XML already says them");
  if (o->firmware && !g_str_equal (o->firmware, "bios") &&
      !g_str_equal (o->firmware, "efi"))
    return _("--firmware takes bios or efi");
  if (o->batch)
    return NULL;
  if (!guests && !o->disks)
    return _("nothing to do: give -d NAME, --domain-xml FILE, -a DISK "
             "--machine M --bus B, --batch LIST, or --undo JOURNAL");
  if (guests && o->disks)
    return _("use either -d (or --domain-xml) or -a, not both");
  if (o->disks && (!o->machine || !o->bus))
    return _("-a needs --machine and --bus (for example --machine pc --bus "
             "ide)");
  return NULL;
}

/* The options of the boot chain: --check, --print-target, and the
 * firmware's. */
static void
add_chain_entries (GOptionGroup *group, Options *o)
{
  const GOptionEntry entries[] = {
    { "check", 0, 0, G_OPTION_ARG_NONE, &o->check,
      N_("walk the boot chain the firmware will walk and say, link by link, "
         "whether the guest boots, would boot after a fix, or cannot boot "
         "and what to do; change nothing"), NULL },
    { "firmware", 0, 0, G_OPTION_ARG_STRING, &o->firmware,
      N_("with -a: the guest's firmware, bios or efi (default: what the "
         "disk needs)"), N_("bios|efi") },
    { "print-target", 0, 0, G_OPTION_ARG_NONE, &o->print_target,
      N_("print what each domain resolves to (machine, firmware, boot disk, "
         "bus, controller, PCI id) without opening any disk"), NULL },
    { "allow-firmware-mismatch", 0, 0, G_OPTION_ARG_NONE,
      &o->allow_firmware_mismatch,
      N_("fix the registry and the boot configuration even when the domain's "
         "firmware cannot start the boot disk (a GPT disk with BIOS, an MBR "
         "disk with UEFI, no boot code, no active partition)"), NULL },
    { 0 },
  };
  g_option_group_add_entries (group, entries);
}

/* The options, parsed into o (the -a, --format and -d callbacks get it
 * as the main group's data).  The group copies the table. */
static GOptionContext *
option_context_new (Options *o)
{
  const GOptionEntry entries[] = {
    { "connect", 'c', 0, G_OPTION_ARG_STRING, &o->uri,
      N_("libvirt URI of the guests named with -d (default: libvirt's "
         "default URI)"), N_("URI") },
    { "domain", 'd', G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK,
      (gpointer) add_domain_arg,
      N_("a libvirt guest to fix, by name or UUID (repeatable); without -c, "
         "an existing file or a path with '/' is read as domain XML"),
      N_("GUEST") },
    { "domain-xml", 0, G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK,
      (gpointer) add_domain_xml_arg,
      N_("libvirt domain XML of a guest to fix (repeatable)"), N_("FILE") },
    { "batch", 0, 0, G_OPTION_ARG_FILENAME, &o->batch,
      N_("fix many guests: a file with one domain XML per line, a folder "
         "of *.xml, or - for standard input"), N_("FILE|DIR|-") },
    { "jobs", 'j', 0, G_OPTION_ARG_INT, &o->jobs,
      N_("with --batch: appliances at once (default: from the cores and "
         "free memory)"), N_("N") },
    { "group-size", 0, 0, G_OPTION_ARG_INT, &o->group_size,
      N_("with --batch: guests per appliance (default: up to 10)"), N_("N") },
    { "jsonl", 0, 0, G_OPTION_ARG_FILENAME, &o->jsonl,
      N_("with --batch: append one JSON line per finished guest to FILE"),
      N_("FILE") },
    { "resume", 0, 0, G_OPTION_ARG_FILENAME, &o->resume,
      N_("with --batch: skip the guests FILE (a --jsonl file) says are "
         "fixed or unchanged, if their disks did not change since"),
      N_("FILE") },
    { "shard", 0, 0, G_OPTION_ARG_STRING, &o->shard,
      N_("with --batch: take only share K (from 0) of N of the list"),
      N_("K/N") },
    { "add", 'a', G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, on_add,
      N_("disk image of the guest, without domain XML (repeatable)"), N_("DISK") },
    { "format", 0, 0, G_OPTION_ARG_CALLBACK, on_format,
      N_("format of the -a disks after it: raw (the default), qcow2, vmdk, vpc, "
         "vhdx, or auto to guess it from the image's own bytes (unsafe)"), N_("FMT") },
    { "machine", 0, 0, G_OPTION_ARG_STRING, &o->machine,
      N_("with -a: QEMU machine type (pc, q35, pc-i440fx-7.2, …)"), N_("TYPE") },
    { "bus", 0, 0, G_OPTION_ARG_STRING, &o->bus,
      N_("with -a: disk bus (ide, sata, scsi, virtio)"), N_("BUS") },
    { "controller-model", 0, 0, G_OPTION_ARG_STRING, &o->model,
      N_("with -a: controller model (e.g. virtio-scsi, lsisas1068)"), N_("MODEL") },
    { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &o->dry_run,
      N_("open the disks read-only, print the plan, change nothing"), NULL },
    { "virtio-win", 0, 0, G_OPTION_ARG_FILENAME, &o->virtio_win,
      N_("install viostor/vioscsi from this virtio-win tree (a mounted ISO "
         "or a copy of it) for guests on a virtio disk"), N_("DIR") },
    { "root", 0, 0, G_OPTION_ARG_STRING, &o->root,
      N_("which operating system of a multi-boot guest to fix (e.g. /dev/sda2)"), N_("DEVICE") },
    { "allow-block-devices", 0, 0, G_OPTION_ARG_NONE, &o->allow_block_devices,
      N_("allow disks that are block devices"), NULL },
    { "allow-unsafe-paths", 0, 0, G_OPTION_ARG_NONE, &o->allow_unsafe_paths,
      N_("allow disk paths in the domain XML that are symbolic links or contain '..'"), NULL },
    { "discard-hive-logs", 0, 0, G_OPTION_ARG_NONE, &o->discard_hive_logs,
      N_("edit a dirty registry hive whose transaction logs are missing or "
         "do not apply as it is, losing the changes only the logs held"), NULL },
    { "journal", 0, 0, G_OPTION_ARG_FILENAME, &o->journal,
      N_("keep the undo journal in DIR (default: next to the first disk)"), N_("DIR") },
    { "output", 0, 0, G_OPTION_ARG_FILENAME, &o->output,
      N_("leave the disks untouched: write the fix into qcow2 overlays in DIR, "
         "backed by the disks, and DIR/NAME.xml, the domain that boots them"),
      N_("DIR") },
    { "output-format", 0, 0, G_OPTION_ARG_STRING, &o->output_format,
      N_("with --output: write standalone raw or qcow2 images instead of "
         "overlays"), N_("raw|qcow2") },
    { "undo", 0, 0, G_OPTION_ARG_FILENAME, &o->undo,
      N_("put back every byte a fix changed, from its journal"), N_("JOURNAL") },
    { "force", 0, 0, G_OPTION_ARG_NONE, &o->force,
      N_("with --undo: undo even if the disks changed since the fix"), NULL },
    { "json", 0, 0, G_OPTION_ARG_FILENAME, &o->json,
      N_("write a machine-readable report to FILE"), N_("FILE") },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &o->verbose,
      N_("debug messages, including libguestfs's"), NULL },
    { "trace", 'x', 0, G_OPTION_ARG_NONE, &o->trace,
      N_("trace libguestfs calls"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &o->quiet,
      N_("print only errors"), NULL },
    { "version", 'V', 0, G_OPTION_ARG_NONE, &o->version,
      N_("print the version and exit"), NULL },
    { 0 },
  };
  GOptionContext *octx = g_option_context_new (NULL);
  GOptionGroup *main_group = g_option_group_new (NULL, NULL, NULL, o, NULL);
  g_option_context_set_summary (octx,
    _("Make a restored Windows guest boot on QEMU/KVM's emulated disk "
      "controller.\n\nExit status: 0 ready to boot, 1 error, 2 usage, "
      "3 refused (nothing changed).  With --check: 0 boots as it is, "
      "3 will not boot (see what to do), 4 boots once fixed."));
  g_option_group_add_entries (main_group, entries);
  add_chain_entries (main_group, o);
  g_option_group_set_translation_domain (main_group, GETTEXT_PACKAGE);
  g_option_context_set_main_group (octx, main_group);
  return octx;
}

/* GOption reads "-j4" as the flags j and 4, then takes the next word
 * as -j's number; people write -j4 as for make, so it becomes "-j" "4"
 * (before a "--" only).  o->args owns the words; *argv is a copy of
 * its pointers, which GOption reorders as it removes what it read. */
static void
split_attached_jobs (int *argc, char ***argv, Options *o)
{
  GPtrArray *args = g_ptr_array_new ();
  gboolean options = TRUE;
  for (int i = 0; i < *argc; i++) {
    const char *a = (*argv)[i];
    if (g_str_equal (a, "--"))
      options = FALSE;
    if (options && i > 0 && g_str_has_prefix (a, "-j") && a[2] != '\0' &&
        strspn (a + 2, "0123456789") == strlen (a + 2)) {
      g_ptr_array_add (args, g_strdup ("-j"));
      g_ptr_array_add (args, g_strdup (a + 2));
    } else
      g_ptr_array_add (args, g_strdup (a));
  }
  *argc = (int) args->len;
  g_ptr_array_add (args, NULL);
  o->args = (GStrv) g_ptr_array_free (args, FALSE);
  o->argv = g_memdup2 (o->args, sizeof (char *) * ((gsize) *argc + 1));
  *argv = o->argv;
}

static gboolean
parse_options (int *argc, char ***argv, Options *o, int *exit_code)
{
  g_autoptr (GOptionContext) octx = option_context_new (o);
  g_autoptr (GError) error = NULL;
  split_attached_jobs (argc, argv, o);
  if (!g_option_context_parse (octx, argc, argv, &error)) {
    *exit_code = usage_error (octx, error->message);
    return FALSE;
  }
  if (o->version) {
    printf ("virt-bootfix %s\n", PACKAGE_VERSION);
    *exit_code = EXIT_READY;
    return FALSE;
  }
  const char *problem = usage_problem (o, *argc);
  if (problem) {
    *exit_code = usage_error (octx, problem);
    return FALSE;
  }
  return TRUE;
}

static BootfixFixOptions
fix_options (Options *o)
{
  return (BootfixFixOptions) {
    .dry_run = o->dry_run || o->check,
    .check = o->check,
    .allow_firmware_mismatch = o->allow_firmware_mismatch,
    .journal_dir = o->journal,
    .output_dir = o->output,
    .output_format = o->output_format,
    .root = o->root,
    .virtio_win = o->virtio_win,
    .allow_block_devices = o->allow_block_devices,
    .allow_unsafe_paths = o->allow_unsafe_paths,
    .discard_hive_logs = o->discard_hive_logs,
    .verbose = o->verbose,
    .trace = o->trace,
    .progress = print_progress,
    .progress_data = o,
  };
}

static BootfixGuestReport *
fix_one (const BootfixContext *ctx, const BootfixDomain *dom, Options *o)
{
  BootfixFixOptions fopts = fix_options (o);
  g_autofree char *msg = g_strdup_printf (_("Guest %s"), dom->name);
  print_progress (msg, o);
  return bootfix_fix_guest (ctx, dom, &fopts);
}

/* The exit status: a check's says whether the guests boot. */
static int
exit_code_of (const Options *o, GPtrArray *reports)
{
  return o->check ? bootfix_report_check_exit_code (reports)
                  : bootfix_report_exit_code (reports);
}

/* --batch: the scheduler prints its own progress and summary. */
static int
run_batch (const BootfixContext *ctx, Options *o, GPtrArray *reports)
{
  BootfixFixOptions fopts = fix_options (o);
  fopts.undo_interrupted = o->resume != NULL;
  BootfixBatchOptions bopts = {
    .source = o->batch,
    .jobs = (guint) o->jobs,
    .group_size = (guint) o->group_size,
    .jsonl = o->jsonl,
    .resume = o->resume,
    .shard = o->shard,
    .quiet = o->quiet,
    .progress_bar = isatty (STDOUT_FILENO),
    .fix = &fopts,
  };
  g_autoptr (GError) error = NULL;
  gboolean interrupted = FALSE;
  if (!bootfix_batch_run (ctx, &bopts, reports, &interrupted, &error)) {
    fprintf (stderr, _("virt-bootfix: %s\n"), error->message);
    return error->code == BOOTFIX_ERROR_USAGE ? EXIT_USAGE
           : error->code == BOOTFIX_ERROR_REFUSED ? EXIT_REFUSED : EXIT_ERROR;
  }
  if (!o->quiet)
    bootfix_batch_summary_print (reports, stdout);
  if (interrupted) {
    fprintf (stderr, _("virt-bootfix: interrupted: not every guest was run; "
                       "run the same command with --resume %s to finish\n"),
             o->jsonl ? o->jsonl : _("FILE (give --jsonl FILE next time)"));
    return EXIT_ERROR;
  }
  return exit_code_of (o, reports);
}

/* --format auto: the format the image's own bytes claim, with a
 * warning, since an image can claim to be anything. */
static gboolean
resolve_auto_formats (Options *o, GError **error)
{
  for (guint i = 0; o->disk_formats && o->disk_formats[i]; i++) {
    if (!g_str_equal (o->disk_formats[i], "auto"))
      continue;
    g_autofree char *guess = bootfix_image_probe_file (o->disks[i], error);
    if (guess == NULL)
      return FALSE;
    g_message (_("%s: --format auto took the format '%s' from the image's own "
                 "bytes, which anyone who could write the image chose; name the "
                 "format with --format %s instead"), o->disks[i], guess, guess);
    g_free (o->disk_formats[i]);
    o->disk_formats[i] = g_steal_pointer (&guess);
  }
  return TRUE;
}

/* The libvirt connection, opened for the first guest named in libvirt
 * and kept for the others; when it cannot open, each of them reports
 * why. */
typedef struct {
  BootfixLibvirt *lv;
  GError *error;
} Connection;

static BootfixDomain *
read_from_libvirt (const BootfixControllerDb *db, Options *o, Connection *c,
                   const char *name, GError **error)
{
  if (c->lv == NULL && c->error == NULL)
    c->lv = bootfix_libvirt_open (o->uri, &c->error);
  if (c->lv == NULL) {
    *error = g_error_copy (c->error);
    return NULL;
  }
  g_autofree char *msg = g_strdup_printf (_("Reading guest %s from libvirt "
                                            "(%s)"), name,
                                          bootfix_libvirt_uri (c->lv));
  print_progress (msg, o);
  return bootfix_libvirt_read_domain (c->lv, name, db, error);
}

/* The -a disks as a domain, or NULL with why. */
static BootfixDomain *
domain_from_disks (const BootfixControllerDb *db, Options *o, GError **error)
{
  if (!resolve_auto_formats (o, error))
    return NULL;
  BootfixDomain *dom = bootfix_domain_new_from_disks (
    (const char *const *) o->disks, o->machine, o->bus, o->model, db, error);
  if (dom) {
    bootfix_domain_set_formats (dom, (const char *const *) o->disk_formats);
    dom->firmware = g_strdup (o->firmware);
  }
  return dom;
}

/* Each guest named with -d, --domain-xml or -a as a domain, or why it
 * is not one (BootfixTarget*, in their order); no disk is opened. */
static GPtrArray *
resolve_guests (const BootfixControllerDb *db, Options *o)
{
  GPtrArray *targets =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_target_free);
  if (o->disks) {
    GError *error = NULL;
    BootfixDomain *dom = domain_from_disks (db, o, &error);
    g_ptr_array_add (targets, bootfix_target_new (o->disks[0], dom, error));
    return targets;
  }
  Connection c = { 0 };
  for (guint i = 0; i < o->guests->len; i++) {
    const GuestArg *g = g_ptr_array_index (o->guests, i);
    GError *error = NULL;
    BootfixDomain *dom =
      g->xml_option || bootfix_libvirt_arg_is_file (g->arg, o->uri != NULL)
      ? bootfix_domain_parse_file (g->arg, db, &error)
      : read_from_libvirt (db, o, &c, g->arg, &error);
    g_ptr_array_add (targets, bootfix_target_new (g->arg, dom, error));
  }
  g_clear_pointer (&c.lv, bootfix_libvirt_free);
  g_clear_error (&c.error);
  return targets;
}

/* A report for a guest that is not even a domain. */
static BootfixGuestReport *
domain_error (const BootfixTarget *t, const Options *o)
{
  BootfixGuestReport *r = bootfix_report_for_error (t->source, t->error);
  r->checked = o->check;
  return r;
}

/* --check of several guests: they share appliances (read-only, no
 * journal), in groups; a guest that is no domain keeps its place. */
static void
check_all (const BootfixContext *ctx, Options *o, GPtrArray *targets,
           GPtrArray *reports)
{
  g_autoptr (GPtrArray) doms = g_ptr_array_new ();
  for (guint i = 0; i < targets->len; i++) {
    const BootfixTarget *t = g_ptr_array_index (targets, i);
    if (t->dom)
      g_ptr_array_add (doms, t->dom);
  }
  BootfixFixOptions fopts = fix_options (o);
  g_autoptr (GPtrArray) checked = g_ptr_array_new ();
  bootfix_fix_in_groups (ctx, doms, 0, &fopts, checked);
  for (guint i = 0, k = 0; i < targets->len; i++) {
    const BootfixTarget *t = g_ptr_array_index (targets, i);
    g_ptr_array_add (reports, t->dom ? checked->pdata[k++] : domain_error (t, o));
  }
}

/* The guests named on the command line, in their order, each either
 * fixed or reported as an error: one bad domain does not stop the
 * others.  A guest named in libvirt is refused by its state before
 * any of its disks is opened. */
static void
run_all (const BootfixContext *ctx, Options *o, GPtrArray *reports)
{
  g_autoptr (GPtrArray) targets = resolve_guests (ctx->controllers, o);
  if (o->check && targets->len > 1) {
    check_all (ctx, o, targets, reports);
    return;
  }
  for (guint i = 0; i < targets->len; i++) {
    const BootfixTarget *t = g_ptr_array_index (targets, i);
    g_ptr_array_add (reports, t->dom ? fix_one (ctx, t->dom, o)
                                     : domain_error (t, o));
  }
}

/* --undo JOURNAL: put the old bytes back. */
static int
run_undo (const Options *o)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixJournal) j = bootfix_journal_load (o->undo, &error);
  if (j != NULL && bootfix_journal_undo (j, o->force, &error)) {
    if (!o->quiet)
      printf (_("%s: undone; every byte the fix changed is back (checked by "
                "sha256)\n"), j->guest);
    return EXIT_READY;
  }
  fprintf (stderr, _("virt-bootfix: %s\n"), error->message);
  if (error->code == BOOTFIX_ERROR_USAGE) /* a folder of journals: name one */
    return EXIT_USAGE;
  return error->code == BOOTFIX_ERROR_REFUSED ? EXIT_REFUSED : EXIT_ERROR;
}

/* Failures on stderr; a check's verdict is the answer, not a failure. */
static void
print_reports (GPtrArray *reports, const Options *o)
{
  for (guint i = 0; i < reports->len; i++) {
    const BootfixGuestReport *r = g_ptr_array_index (reports, i);
    BootfixLinkState verdict;
    gboolean bad = o->check ? !bootfix_report_verdict (r, &verdict)
                   : r->status == BOOTFIX_STATUS_ERROR ||
                     r->status == BOOTFIX_STATUS_REFUSED;
    if (bad)
      bootfix_report_print (r, stderr);
    else if (!o->quiet)
      bootfix_report_print (r, stdout);
  }
}

/* ---- --print-target ---- */

/* The --batch list's domain files (its --shard) as targets. */
static GPtrArray *
resolve_batch (const BootfixControllerDb *db, const Options *o, GError **error)
{
  guint k = 0, n = 1;
  if (o->shard && !bootfix_batch_shard_parse (o->shard, &k, &n, error))
    return NULL;
  g_autoptr (GPtrArray) entries = bootfix_batch_list_load (o->batch, error);
  if (entries == NULL)
    return NULL;
  GPtrArray *targets =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_target_free);
  for (guint i = 0; i < entries->len; i++) {
    const BootfixBatchEntry *e = g_ptr_array_index (entries, i);
    GError *err = NULL;
    if (!bootfix_batch_in_shard (e, k, n))
      continue;
    BootfixDomain *dom = bootfix_domain_parse_file (e->path, db, &err);
    g_ptr_array_add (targets, bootfix_target_new (e->path, dom, err));
  }
  return targets;
}

/* What each domain resolves to, from controllers.xml alone: no module,
 * no rule, no disk. */
static int
run_print_target (Options *o)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (bootfix_data_dir (),
                                            "controllers.xml", NULL);
  g_autoptr (BootfixControllerDb) db = bootfix_controller_db_load (path, &error);
  g_autoptr (GPtrArray) targets = db == NULL ? NULL
    : o->batch ? resolve_batch (db, o, &error) : resolve_guests (db, o);
  if (targets == NULL) {
    fprintf (stderr, _("virt-bootfix: %s\n"), error->message);
    return error->code == BOOTFIX_ERROR_USAGE ? EXIT_USAGE : EXIT_ERROR;
  }
  for (guint i = 0; i < targets->len; i++)
    bootfix_target_print (g_ptr_array_index (targets, i),
                          o->quiet ? NULL : stdout, stderr);
  if (o->json) {
    g_autofree char *json = bootfix_targets_to_json (targets);
    g_autofree char *text = g_strconcat (json, "\n", NULL);
    if (!g_file_set_contents (o->json, text, -1, &error)) {
      fprintf (stderr, _("virt-bootfix: cannot write the report: %s\n"),
               error->message);
      return EXIT_ERROR;
    }
  }
  return bootfix_targets_exit_code (targets);
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  /* From the prefix the program runs in, like its data (dirs.h). */
  bindtextdomain (GETTEXT_PACKAGE, bootfix_installed_dir (BOOTFIX_LOCALEDIR_REL));
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_auto (Options) o = {
    .clock = g_timer_new (),
    .guests = g_ptr_array_new_with_free_func ((GDestroyNotify) guest_arg_free),
  };
  int exit_code = EXIT_READY;
  if (!parse_options (&argc, &argv, &o, &exit_code))
    return exit_code;
  g_log_set_default_handler (log_handler, &o);
  if (o.undo)
    return run_undo (&o);
  if (o.print_target)
    return run_print_target (&o);

  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixContext) ctx = bootfix_context_load (&error);
  if (ctx == NULL) {
    fprintf (stderr, _("virt-bootfix: %s\n"), error->message);
    return EXIT_ERROR;
  }
  g_autoptr (GPtrArray) reports =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_guest_report_free);
  int batch_exit = EXIT_READY;
  if (o.batch)
    batch_exit = run_batch (ctx, &o, reports);
  else {
    run_all (ctx, &o, reports);
    print_reports (reports, &o);
  }
  if (o.json && !bootfix_report_write_json (reports, o.json, &error)) {
    fprintf (stderr, _("virt-bootfix: cannot write the report: %s\n"),
             error->message);
    return EXIT_ERROR;
  }
  return o.batch ? batch_exit : exit_code_of (&o, reports);
}
