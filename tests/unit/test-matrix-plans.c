/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The support matrix, run for real on the phony guests' hives: every
 * Windows phony guest (tests/phony/build-guests.sh) on every bootable
 * controller of data/controllers.xml, on every machine family that
 * offers it.  No appliance: the guest's facts come from NAME.facts (what
 * libguestfs inspection reports for it), the rule from
 * bootfix_rule_set_resolve() over data/rules, the plan from the built
 * windows module through the real host table (host-harness.h) on a
 * guest held in memory: NAME.SYSTEM as its SYSTEM hive, an empty file
 * for each line of NAME.files and the cabinets of NAME.cabinets.  The
 * plan is applied and written back as the executor does.
 *
 * The virtio cells run twice: as they are, and with a --virtio-win
 * tree the test writes (facts driver_source "virtio-win").
 *
 * Each cell must have the outcome expected_rows[] below says, and a fix
 * must keep every promise its rule's items make, checked generically
 * from the items in every ControlSetNNN of the fixed hive (after a
 * commit and a re-open); every change must be one an item asks for,
 * every file the plan creates must be a driver an item names, with the
 * bytes of its source, and a second plan + apply must change nothing.
 *
 * The hives come from "build-guests.sh --hives $BOOTFIX_TEST_PHONY_HIVES"
 * (run here when $BOOTFIX_TEST_BUILD_GUESTS names the script; cached).
 * Every test skips when they cannot be built (no hivexregedit). */
#include "config.h"

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "bootfix-error.h"
#include "bootfix-module.h"
#include "controllers.h"
#include "host-harness.h"
#include "hive.h"
#include "plan.h"
#include "report.h"
#include "rules.h"

/* --- what each cell must give -------------------------------------- *
 *
 * One row per guest, one entry per bootable controller; the machine
 * family does not change the outcome.  FIX: the rule fixes the guest.
 * REFUSE: the rule is a refusal (no inbox driver, or unconfirmed).
 * MISSING_FILE: the rule would fix, but the guest lacks a driver file it
 * needs (the first driver-file item the guest does not have), so the
 * module refuses naming it.  Why each guest gives what it gives:
 *
 *   xp          NT 5.1 i386: IDE only (nt5-piix-ide); the 32-bit
 *               LSI 53C895A is unconfirmed.
 *   win2003x64  NT 5.2 x86_64: IDE, and LSI 53C895A (sym_hi.sys and
 *               scsiport.sys are there).
 *   vista, win7 NT 6.0 / 6.1: IDE and AHCI; LSI SAS1068 is an inbox
 *               driver, but these phony guests have no lsi_sas.sys.
 *   win81       NT 6.3: IDE, AHCI, LSI SAS1068 and NVMe (all files).
 *   win10       NT 10.0: IDE and AHCI; no lsi_sas.sys, no stornvme.sys.
 *   win2019     NT 10.0 Server: IDE, AHCI, LSI SAS1068 and NVMe.
 *   xp-cab      as xp, but intelide.sys and pciide.sys come from the
 *               driver cache: both from sp3.cab, the newest cabinet
 *               (driver.cab has an older intelide.sys).
 *
 * Every guest: virtio-blk and virtio-scsi refused (no inbox driver),
 * MegaRAID (megasas) and PVSCSI refused.  With a virtio-win tree, every
 * guest gets viostor / vioscsi from it: XP to 7 with CDD keys, 8 and
 * later with DriverDatabase entries. */

typedef enum {
  FIX,
  REFUSE,
  MISSING_FILE,
} Outcome;

typedef struct {
  const char *controller;
  Outcome outcome;
  const char *rule;   /* the id of the rule that wins */
  const char *file;   /* MISSING_FILE: the driver file the guest lacks */
} Expect;

#define N_CONTROLLERS 10

/* A driver a fix takes from a cabinet of the guest's driver cache. */
typedef struct {
  const char *file;
  const char *cabinet;   /* the one it must come from */
  const char *content;   /* tests/phony/make-driver-cache.py CONTENTS */
} CabinetFile;

typedef struct {
  const char *guest;
  Expect expect[N_CONTROLLERS];
  Expect virtio_win[2];  /* virtio-blk, virtio-scsi with --virtio-win */
  CabinetFile from_cabinets[3];
} GuestRow;

#define VIRTIO_REFUSED                                          \
  { "virtio-blk", REFUSE, "windows-virtio-refuse", NULL },      \
  { "virtio-scsi", REFUSE, "windows-virtio-refuse", NULL }

#define NT5(lsi)                                                        \
  { { "piix3-ide", FIX, "nt5-piix-ide", NULL },                         \
    { "piix4-ide", FIX, "nt5-piix-ide", NULL },                         \
    { "ich9-ahci", REFUSE, "nt5-ich9-ahci-refuse", NULL },              \
    VIRTIO_REFUSED,                                                     \
    lsi,                                                                \
    { "lsisas1068", REFUSE, "nt5-sas-nvme-refuse", NULL },              \
    { "megasas", REFUSE, "nt5-sas-nvme-refuse", NULL },                 \
    { "pvscsi", REFUSE, "nt5-pvscsi-refuse", NULL },                    \
    { "nvme", REFUSE, "nt5-sas-nvme-refuse", NULL } }

#define NT6(sas)                                                        \
  { { "piix3-ide", FIX, "nt6-piix-ide", NULL },                         \
    { "piix4-ide", FIX, "nt6-piix-ide", NULL },                         \
    { "ich9-ahci", FIX, "nt6-ich9-ahci", NULL },                        \
    VIRTIO_REFUSED,                                                     \
    { "lsi53c895a", REFUSE, "nt6-lsi53c895a-refuse", NULL },            \
    sas,                                                                \
    { "megasas", REFUSE, "nt6-megasas-unconfirmed", NULL },             \
    { "pvscsi", REFUSE, "nt6-pvscsi-refuse", NULL },                    \
    { "nvme", REFUSE, "nt6-nvme-refuse", NULL } }

#define NT62(sas, nvme)                                                 \
  { { "piix3-ide", FIX, "nt62-piix-ide", NULL },                        \
    { "piix4-ide", FIX, "nt62-piix-ide", NULL },                        \
    { "ich9-ahci", FIX, "nt62-ich9-ahci", NULL },                       \
    VIRTIO_REFUSED,                                                     \
    { "lsi53c895a", REFUSE, "nt62-lsi53c895a-refuse", NULL },           \
    sas,                                                                \
    { "megasas", REFUSE, "nt62-megasas-unconfirmed", NULL },            \
    { "pvscsi", REFUSE, "nt62-pvscsi-refuse", NULL },                   \
    nvme }

/* The cells that differ between guests of one family. */
#define LSI_32BIT                                                       \
  { "lsi53c895a", REFUSE, "nt5-lsi53c895a-unconfirmed", NULL }
#define LSI_X64 { "lsi53c895a", FIX, "nt5-lsi53c895a-x64", NULL }
#define NT6_SAS_NO_FILE                                                 \
  { "lsisas1068", MISSING_FILE, "nt6-lsisas1068", "lsi_sas.sys" }
#define NT62_SAS { "lsisas1068", FIX, "nt62-lsisas1068", NULL }
#define NT62_SAS_NO_FILE                                                \
  { "lsisas1068", MISSING_FILE, "nt62-lsisas1068", "lsi_sas.sys" }
#define NT63_NVME { "nvme", FIX, "nt63-nvme", NULL }
#define NT63_NVME_NO_FILE                                               \
  { "nvme", MISSING_FILE, "nt63-nvme", "stornvme.sys" }

#define VIRTIO_WIN_CDD                                                  \
  { { "virtio-blk", FIX, "nt5-6.1-virtio-blk-virtio-win", NULL },       \
    { "virtio-scsi", FIX, "nt5-6.1-virtio-scsi-virtio-win", NULL } }
#define VIRTIO_WIN_DDB                                                  \
  { { "virtio-blk", FIX, "nt6.2-virtio-blk-virtio-win", NULL },         \
    { "virtio-scsi", FIX, "nt6.2-virtio-scsi-virtio-win", NULL } }

static const GuestRow expected_rows[] = {
  { "xp", NT5 (LSI_32BIT), VIRTIO_WIN_CDD, { { NULL } } },
  { "win2003x64", NT5 (LSI_X64), VIRTIO_WIN_CDD, { { NULL } } },
  { "vista", NT6 (NT6_SAS_NO_FILE), VIRTIO_WIN_CDD, { { NULL } } },
  { "win7", NT6 (NT6_SAS_NO_FILE), VIRTIO_WIN_CDD, { { NULL } } },
  { "win81", NT62 (NT62_SAS, NT63_NVME), VIRTIO_WIN_DDB, { { NULL } } },
  { "win10", NT62 (NT62_SAS_NO_FILE, NT63_NVME_NO_FILE), VIRTIO_WIN_DDB,
    { { NULL } } },
  { "win2019", NT62 (NT62_SAS, NT63_NVME), VIRTIO_WIN_DDB, { { NULL } } },
  { "xp-cab", NT5 (LSI_32BIT), VIRTIO_WIN_CDD,
    { { "intelide.sys", "sp3.cab", "phony intelide.sys, XP SP3 (sp3.cab)\r\n" },
      { "pciide.sys", "sp3.cab", "phony pciide.sys, XP SP3 (sp3.cab)\r\n" } } },
};

#undef VIRTIO_REFUSED
#undef NT5
#undef NT6
#undef NT62
#undef LSI_32BIT
#undef LSI_X64
#undef NT6_SAS_NO_FILE
#undef NT62_SAS
#undef NT62_SAS_NO_FILE
#undef NT63_NVME
#undef NT63_NVME_NO_FILE
#undef VIRTIO_WIN_CDD
#undef VIRTIO_WIN_DDB

/* --- the cells: machine x bus/model -> controller ------------------- */

/* Every (bus, model) a libvirt disk can name for a bootable controller;
 * each machine resolves them through controllers.xml.  A controller
 * the data gains must be reachable from here, or the test fails. */
static const struct {
  const char *bus;
  const char *model;
} probes[] = {
  { "ide", NULL }, { "ide", "piix4" }, { "sata", NULL }, { "virtio", NULL },
  { "scsi", "virtio-scsi" }, { "scsi", "lsilogic" }, { "scsi", "lsisas1068" },
  { "scsi", "lsisas1078" }, { "scsi", "vmpvscsi" }, { "nvme", NULL },
};

static const char *const machines[] = { "pc", "q35" };

typedef struct {
  const char *machine;
  const char *family;
  const char *bus;
  const BootfixController *ctl;
  const char *driver_source;  /* NULL, or "virtio-win" */
} Target;

static BootfixControllerDb *controller_db;
static GArray *targets;  /* Target */

static gboolean
have_target (const char *family, const char *id)
{
  for (guint i = 0; i < targets->len; i++) {
    const Target *t = &g_array_index (targets, Target, i);
    if (g_str_equal (t->family, family) && g_str_equal (t->ctl->id, id))
      return TRUE;
  }
  return FALSE;
}

/* The controllers a --virtio-win tree is for. */
static gboolean
is_virtio (const BootfixController *ctl)
{
  return g_str_equal (ctl->id, "virtio-blk")
         || g_str_equal (ctl->id, "virtio-scsi");
}

static void
add_targets (const char *machine)
{
  g_autoptr (GError) error = NULL;
  const char *family = bootfix_controller_db_machine_family (controller_db,
                                                             machine, &error);
  g_assert_no_error (error);
  for (guint p = 0; p < G_N_ELEMENTS (probes); p++) {
    g_autoptr (GError) unsupported = NULL;
    const BootfixController *ctl =
      bootfix_controller_db_resolve (controller_db, family, probes[p].bus,
                                     probes[p].model, &unsupported);
    if (ctl == NULL || !ctl->bootable || have_target (family, ctl->id))
      continue;
    Target t = { machine, family, probes[p].bus, ctl, NULL };
    g_array_append_val (targets, t);
    if (!is_virtio (ctl))
      continue;
    t.driver_source = "virtio-win";
    g_array_append_val (targets, t);
  }
}

/* Every bootable controller of the data is some cell. */
static void
load_targets (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (bootfix_data_dir (),
                                            "controllers.xml", NULL);
  controller_db = bootfix_controller_db_load (path, &error);
  g_assert_no_error (error);
  targets = g_array_new (FALSE, FALSE, sizeof (Target));
  for (guint m = 0; m < G_N_ELEMENTS (machines); m++)
    add_targets (machines[m]);
  g_autoptr (GPtrArray) ids = bootfix_controller_db_list (controller_db);
  for (guint i = 0; i < ids->len; i++) {
    const BootfixController *ctl =
      bootfix_controller_db_lookup (controller_db, ids->pdata[i]);
    if (ctl->bootable && !have_target ("i440fx", ctl->id)
        && !have_target ("q35", ctl->id))
      g_error ("controller %s of controllers.xml is reached by no bus/model "
               "of probes[]: add it", ctl->id);
  }
}

static const Expect *
expect_for (const GuestRow *row, const Target *t)
{
  const char *controller = t->ctl->id;
  if (t->driver_source != NULL) {
    for (guint i = 0; i < G_N_ELEMENTS (row->virtio_win); i++)
      if (g_str_equal (row->virtio_win[i].controller, controller))
        return &row->virtio_win[i];
    g_error ("expected_rows[] has no outcome for %s on %s with %s",
             row->guest, controller, t->driver_source);
  }
  for (guint i = 0; i < N_CONTROLLERS; i++)
    if (row->expect[i].controller != NULL
        && g_str_equal (row->expect[i].controller, controller))
      return &row->expect[i];
  g_error ("expected_rows[] has no outcome for %s on %s", row->guest,
           controller);
}

/* --- the phony guests' hives --------------------------------------- */

static const char *hives_dir;
static char *skip_reason;  /* set when the hives cannot be built */
static char *work_dir;
static char *virtio_tree;  /* the --virtio-win tree, under work_dir */

typedef struct {
  char *name;
  char *product_name, *variant, *variant_lc, *arch, *osinfo;
  int major, minor;
  char *system;  /* the SYSTEM hive as built */
  char *files;   /* NAME.files */
  char *cabinets; /* NAME.cabinets: its *.cab files; NULL without */
} Guest;

static void
guest_free (Guest *g)
{
  g_free (g->name);
  g_free (g->product_name);
  g_free (g->variant);
  g_free (g->variant_lc);
  g_free (g->arch);
  g_free (g->osinfo);
  g_free (g->system);
  g_free (g->files);
  g_free (g->cabinets);
  g_free (g);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Guest, guest_free)

static char *
fact (GKeyFile *kf, const char *key)
{
  g_autoptr (GError) error = NULL;
  char *v = g_key_file_get_string (kf, "inspection", key, &error);
  g_assert_no_error (error);
  return v;
}

static Guest *
guest_load (const char *name)
{
  Guest *g = g_new0 (Guest, 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autofree char *facts = g_strdup_printf ("%s/%s.facts", hives_dir, name);
  g_autofree char *files = g_strdup_printf ("%s/%s.files", hives_dir, name);
  g_key_file_load_from_file (kf, facts, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);
  g->name = g_strdup (name);
  g->product_name = fact (kf, "product-name");
  g->variant = fact (kf, "product-variant");
  g->variant_lc = g_ascii_strdown (g->variant, -1);
  g->arch = fact (kf, "arch");
  g->osinfo = fact (kf, "osinfo");
  g->major = g_key_file_get_integer (kf, "inspection", "major-version", &error);
  g_assert_no_error (error);
  g->minor = g_key_file_get_integer (kf, "inspection", "minor-version", &error);
  g_assert_no_error (error);
  g->system = g_strdup_printf ("%s/%s.SYSTEM", hives_dir, name);
  g_file_get_contents (files, &g->files, NULL, &error);
  g_assert_no_error (error);
  g->cabinets = g_strdup_printf ("%s/%s.cabinets", hives_dir, name);
  if (!g_file_test (g->cabinets, G_FILE_TEST_IS_DIR))
    g_clear_pointer (&g->cabinets, g_free);
  return g;
}

/* Does the guest have this file (path relative to the Windows
 * directory, any case)? */
static gboolean
guest_has_file (const Guest *g, const char *path)
{
  g_auto (GStrv) lines = g_strsplit (g->files, "\n", -1);
  for (char **l = lines; *l != NULL; l++)
    if (g_ascii_strcasecmp (*l, path) == 0)
      return TRUE;
  return FALSE;
}

/* A private, writable copy of the guest's SYSTEM hive. */
static char *
copy_hive (const char *from)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr (GError) error = NULL;
  g_file_get_contents (from, &data, &len, &error);
  g_assert_no_error (error);
  static guint n;
  char *to = g_strdup_printf ("%s/hive-%u", work_dir, n++);
  g_file_set_contents (to, data, (gssize) len, &error);
  g_assert_no_error (error);
  return to;
}

static BootfixHive *
open_hive (const char *path, gboolean writable)
{
  g_autoptr (GError) error = NULL;
  BootfixHive *h = bootfix_hive_open (path, "SYSTEM", writable, &error);
  g_assert_no_error (error);
  return h;
}

static const BootfixModule *
windows_module (void)
{
  return harness_module ("BOOTFIX_TEST_WINDOWS_MODULE");
}

static void
add_host_file (BootfixGuest *guest, const char *host_path, const char *rel)
{
  char *data = NULL;
  gsize len = 0;
  g_autoptr (GError) error = NULL;
  g_file_get_contents (host_path, &data, &len, &error);
  g_assert_no_error (error);
  g_autoptr (GBytes) bytes = g_bytes_new_take (data, len);
  harness_add_windows_file (guest, rel, bytes);
}

/* Every file below dir, at the same place below the Windows directory. */
static void
add_host_tree (BootfixGuest *guest, const char *dir, const char *rel)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  g_assert_nonnull (d);
  const char *name;
  while ((name = g_dir_read_name (d)) != NULL) {
    g_autofree char *path = g_build_filename (dir, name, NULL);
    g_autofree char *sub = *rel ? g_strconcat (rel, "/", name, NULL)
                                : g_strdup (name);
    if (g_file_test (path, G_FILE_TEST_IS_DIR))
      add_host_tree (guest, path, sub);
    else
      add_host_file (guest, path, sub);
  }
}

/* The guest as the appliance would show it, from what --hives built:
 * its SYSTEM hive, an empty file for each line of NAME.files and the
 * cabinets of NAME.cabinets. */
static BootfixGuest *
guest_in_memory (const Guest *g)
{
  BootfixGuest *guest = harness_guest_new ();
  g_auto (GStrv) lines = g_strsplit (g->files, "\n", -1);
  g_autoptr (GBytes) empty = g_bytes_new_static ("", 0);
  for (char **l = lines; *l != NULL; l++) {
    g_strstrip (*l);
    if (**l != '\0')
      harness_add_windows_file (guest, *l, empty);
  }
  if (g->cabinets)
    add_host_tree (guest, g->cabinets, "");
  /* Last: NAME.files lists the hive too. */
  add_host_file (guest, g->system, "System32/config/SYSTEM");
  return guest;
}

/* --- reading the hives -------------------------------------------- */

/* Value NAME of ControlSet\REST, or NULL when the key or value is absent. */
static GBytes *
get_value (BootfixHive *h, const char *cs, const char *rest, const char *name,
           guint32 *type)
{
  g_autofree char *path = g_strdup_printf ("%s\\%s", cs, rest);
  g_autoptr (GError) error = NULL;
  GBytes *out = NULL;
  int r = bootfix_hive_get_value (h, path, name, type, &out, &error);
  g_assert_no_error (error);
  return r == 1 ? out : NULL;
}

static gboolean
has_key (BootfixHive *h, const char *cs, const char *rest)
{
  g_autofree char *path = g_strdup_printf ("%s\\%s", cs, rest);
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) names = NULL;
  int r = bootfix_hive_list_values (h, path, &names, &error);
  g_assert_no_error (error);
  return r == 1;
}

/* Every ControlSetNNN, the current one first. */
static GPtrArray *
control_sets (BootfixHive *h)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *sets = bootfix_hive_expand_path (h, BOOTFIX_CONTROL_SET, FALSE,
                                              &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sets->len, >, 0);
  return sets;
}

static GBytes *
dword_bytes (const char *text)
{
  char *end = NULL;
  guint64 v = g_ascii_strtoull (text, &end, 0);
  g_assert_true (*text != '\0' && *end == '\0' && v <= G_MAXUINT32);
  const guint8 le[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff,
                         (v >> 24) & 0xff };
  return g_bytes_new (le, 4);
}

static GBytes *
text_bytes (const char *text)
{
  return g_bytes_new (text, strlen (text));
}

/* The entries of a REG_MULTI_SZ (the ABI's UTF-8 form), empty ones
 * kept. */
static GPtrArray *
multi_sz_entries (GBytes *b)
{
  gsize len = 0;
  const char *p = g_bytes_get_data (b, &len);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  gsize start = 0;
  for (gsize i = 0; i <= len; i++) {
    if (i < len && p[i] != '\0')
      continue;
    if (i < len || i > start)
      g_ptr_array_add (out, g_strndup (p + start, i - start));
    start = i + 1;
  }
  /* The list's final terminator leaves one empty entry. */
  if (out->len > 0 && *(char *) out->pdata[out->len - 1] == '\0')
    g_ptr_array_remove_index (out, out->len - 1);
  return out;
}

/* --- checking a fixed guest, item by item --------------------------- */

typedef struct {
  const char *cell;        /* "win7 on piix3-ide (i440fx)" */
  const Guest *guest;
  const GuestRow *row;
  const char *controller;
  const Harness *run;      /* the plan and the files it creates */
  BootfixHive *before;     /* the guest as built */
  BootfixHive *after;      /* fixed, committed and re-opened */
  GPtrArray *sets;         /* ControlSetNNN names */
  GString *problems;       /* one line per broken promise */
} Check;

G_GNUC_PRINTF (2, 3) static void
problem (Check *c, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_string_append_printf (c->problems, "  %s: ", c->cell);
  g_string_append_vprintf (c->problems, fmt, ap);
  g_string_append_c (c->problems, '\n');
  va_end (ap);
}

static char *
show (guint32 type, GBytes *b)
{
  return b ? bootfix_value_to_string (type, b) : g_strdup ("(absent)");
}

/* ControlSet\rest\name must be want (type, bytes). */
static void
expect_value (Check *c, const char *cs, const char *rest, const char *name,
              guint32 want_type, GBytes *want)
{
  guint32 type = 0;
  g_autoptr (GBytes) got = get_value (c->after, cs, rest, name, &type);
  if (got != NULL && type == want_type && g_bytes_equal (got, want))
    return;
  g_autofree char *g = show (type, got);
  g_autofree char *w = show (want_type, want);
  problem (c, "%s\\%s\\%s is %s (type %u), expected %s (type %u)", cs, rest,
           name, g, type, w, want_type);
}

/* "Only filled in when missing": the rule's value where the control
 * set had none, the old value where it had one. */
static void
expect_filled_in (Check *c, const char *cs, const char *rest,
                  const char *name, guint32 want_type, GBytes *want)
{
  guint32 old_type = 0;
  g_autoptr (GBytes) old = get_value (c->before, cs, rest, name, &old_type);
  if (old == NULL)
    expect_value (c, cs, rest, name, want_type, want);
  else
    expect_value (c, cs, rest, name, old_type, old);
}

static void
check_service (Check *c, const BootfixRuleItem *it)
{
  static const struct {
    const char *attr, *value;
    guint32 type;
  } fill[] = {
    { "type", "Type", BOOTFIX_REG_DWORD },
    { "error-control", "ErrorControl", BOOTFIX_REG_DWORD },
    { "group", "Group", BOOTFIX_REG_SZ },
    { "image-path", "ImagePath", BOOTFIX_REG_EXPAND_SZ },
  };
  g_autofree char *rest = g_strdup_printf ("Services\\%s",
                                           bootfix_rule_item_attr (it, "name"));
  g_autoptr (GBytes) start = dword_bytes (bootfix_rule_item_attr (it, "start"));
  for (guint s = 0; s < c->sets->len; s++) {
    const char *cs = c->sets->pdata[s];
    expect_value (c, cs, rest, "Start", BOOTFIX_REG_DWORD, start);
    for (guint f = 0; f < G_N_ELEMENTS (fill); f++) {
      const char *v = bootfix_rule_item_attr (it, fill[f].attr);
      if (v == NULL)
        continue;
      g_autoptr (GBytes) want = fill[f].type == BOOTFIX_REG_DWORD
                                ? dword_bytes (v) : text_bytes (v);
      expect_filled_in (c, cs, rest, fill[f].value, fill[f].type, want);
    }
  }
}

static gboolean
cdd_applies (const Check *c, const BootfixRuleItem *it)
{
  const char *only = bootfix_rule_item_attr (it, "controller");
  return only == NULL || g_ascii_strcasecmp (only, c->controller) == 0;
}

/* The key with Service and ClassGUID; the key of another controller
 * is not created. */
static void
check_cdd (Check *c, const BootfixRuleItem *it)
{
  g_autofree char *rest =
    g_strdup_printf ("Control\\CriticalDeviceDatabase\\%s",
                     bootfix_rule_item_attr (it, "id"));
  g_autoptr (GBytes) service = text_bytes (bootfix_rule_item_attr (it,
                                                                   "service"));
  g_autoptr (GBytes) guid = text_bytes (bootfix_rule_item_attr (it,
                                                                "class-guid"));
  for (guint s = 0; s < c->sets->len; s++) {
    const char *cs = c->sets->pdata[s];
    if (!cdd_applies (c, it)) {
      if (!has_key (c->before, cs, rest) && has_key (c->after, cs, rest))
        problem (c, "%s\\%s was created for another controller", cs, rest);
      continue;
    }
    expect_value (c, cs, rest, "Service", BOOTFIX_REG_SZ, service);
    expect_value (c, cs, rest, "ClassGUID", BOOTFIX_REG_SZ, guid);
  }
}

static void
check_no_start_override (Check *c, const BootfixRuleItem *it)
{
  g_autofree char *rest =
    g_strdup_printf ("Services\\%s\\StartOverride",
                     bootfix_rule_item_attr (it, "service"));
  for (guint s = 0; s < c->sets->len; s++)
    if (has_key (c->after, c->sets->pdata[s], rest))
      problem (c, "%s\\%s is still there", (char *) c->sets->pdata[s], rest);
}

/* The file the plan creates at path (relative to the Windows
 * directory), or NULL. */
static GBytes *
created (const Check *c, const char *path)
{
  g_autofree char *key = g_ascii_strdown (path, -1);
  return g_hash_table_lookup (c->run->created, key);
}

/* The plan's report text for the file it creates at path. */
static const char *
created_from (const Check *c, const char *path)
{
  const GPtrArray *actions = c->run->plan->actions;
  for (guint i = 0; i < actions->len; i++) {
    const BootfixAction *a = actions->pdata[i];
    g_autofree char *rel = harness_windows_relpath (a->file);
    if (a->kind == BOOTFIX_ACTION_REPLACE_FILE && rel != NULL
        && g_ascii_strcasecmp (rel, path) == 0)
      return a->new_text;
  }
  return NULL;
}

static void
expect_bytes (Check *c, const char *path, GBytes *got, const char *want,
              gsize want_len)
{
  gsize len = 0;
  const char *p = g_bytes_get_data (got, &len);
  if (len != want_len || memcmp (p, want, len) != 0)
    problem (c, "%s was created with %zu bytes '%.*s', expected '%.*s'", path,
             len, (int) MIN (len, 80), p, (int) MIN (want_len, 80), want);
}

/* In system32\drivers already, or taken from the cabinet the row
 * names, with its bytes. */
static void
check_driver_file (Check *c, const BootfixRuleItem *it)
{
  const char *name = bootfix_rule_item_attr (it, "name");
  g_autofree char *path = g_strdup_printf ("system32\\drivers\\%s", name);
  GBytes *got = created (c, path);
  if (guest_has_file (c->guest, path)) {
    if (got != NULL)
      problem (c, "%s is there, but the plan creates it again", path);
    return;
  }
  const CabinetFile *want = NULL;
  for (guint i = 0; i < G_N_ELEMENTS (c->row->from_cabinets); i++)
    if (g_strcmp0 (c->row->from_cabinets[i].file, name) == 0)
      want = &c->row->from_cabinets[i];
  if (got == NULL || want == NULL) {
    problem (c, "fixed, but the guest has no %s%s", path,
             got ? " (the plan takes it from a cabinet, which expected_rows[] "
             "does not say)" : "");
    return;
  }
  expect_bytes (c, path, got, want->content, strlen (want->content));
  const char *from = created_from (c, path);
  g_autofree char *cab = g_strdup_printf ("\\%s", want->cabinet);
  if (from == NULL || !g_str_has_suffix (from, cab))
    problem (c, "%s: the report says it comes from '%s', not from %s", path,
             from, want->cabinet);
}

/* The <virtio-dir> folder of the view for the guest's osinfo. */
static const char *
virtio_dir (const BootfixRule *view, const char *osinfo)
{
  for (guint i = 0; i < view->items->len; i++) {
    const BootfixRuleItem *it = view->items->pdata[i];
    if (g_str_equal (it->kind, "virtio-dir")
        && g_ascii_strcasecmp (bootfix_rule_item_attr (it, "osinfo"),
                               osinfo) == 0)
      return bootfix_rule_item_attr (it, "dir");
  }
  return NULL;
}

/* system32\drivers\NAME.sys with the bytes of the tree's
 * NAME/OSDIR/ARCHDIR/NAME.sys. */
static void
check_virtio_driver (Check *c, const BootfixRule *view,
                     const BootfixRuleItem *it)
{
  const char *name = bootfix_rule_item_attr (it, "name");
  const char *osdir = virtio_dir (view, c->guest->osinfo);
  const char *archdir = bootfix_rule_item_attr (it, c->guest->arch);
  g_autofree char *path = g_strdup_printf ("system32\\drivers\\%s.sys", name);
  if (osdir == NULL || archdir == NULL) {
    problem (c, "fixed, but rule %s has no virtio-win folder for %s %s",
             view->id, c->guest->osinfo, c->guest->arch);
    return;
  }
  g_autofree char *src = g_build_filename (virtio_tree, name, osdir, archdir,
                                           NULL);
  g_autofree char *file = g_strdup_printf ("%s/%s.sys", src, name);
  g_autofree char *want = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (file, &want, &len, NULL));
  GBytes *got = created (c, path);
  if (got == NULL)
    problem (c, "fixed, but the plan does not install %s", path);
  else
    expect_bytes (c, path, got, want, len);
}

/* Start=4 where there was a Start; nothing created elsewhere. */
static void
check_disabled (Check *c, const BootfixRuleItem *it)
{
  g_autofree char *rest = g_strdup_printf ("Services\\%s",
                                           bootfix_rule_item_attr (it, "name"));
  g_autoptr (GBytes) four = dword_bytes ("4");
  for (guint s = 0; s < c->sets->len; s++) {
    const char *cs = c->sets->pdata[s];
    guint32 type = 0;
    g_autoptr (GBytes) old = get_value (c->before, cs, rest, "Start", &type);
    if (old != NULL) {
      expect_value (c, cs, rest, "Start", BOOTFIX_REG_DWORD, four);
      continue;
    }
    g_autoptr (GBytes) now = get_value (c->after, cs, rest, "Start", &type);
    if (now != NULL || (!has_key (c->before, cs, rest)
                        && has_key (c->after, cs, rest)))
      problem (c, "%s\\%s was created by a cleanup", cs, rest);
  }
}

/* Is the name in the remove-filter items of the view for this list? */
static gboolean
filter_removed (const BootfixRule *view, const BootfixRuleItem *list,
                const char *name)
{
  for (guint i = 0; i < view->items->len; i++) {
    const BootfixRuleItem *it = view->items->pdata[i];
    if (g_str_equal (it->kind, "remove-filter")
        && g_ascii_strcasecmp (bootfix_rule_item_attr (it, "class-guid"),
                               bootfix_rule_item_attr (list, "class-guid")) == 0
        && g_str_equal (bootfix_rule_item_attr (it, "value"),
                        bootfix_rule_item_attr (list, "value"))
        && g_ascii_strcasecmp (bootfix_rule_item_attr (it, "name"), name) == 0)
      return TRUE;
  }
  return FALSE;
}

static char *
join_entries (GPtrArray *entries)
{
  g_ptr_array_add (entries, NULL);
  char *s = g_strjoinv ("|", (char **) entries->pdata);
  g_ptr_array_remove_index (entries, entries->len - 1);
  return s;
}

/* A list that named a removed filter keeps its other non-empty entries,
 * in order; any other list is untouched. */
static void
check_filter_list (Check *c, const BootfixRule *view,
                   const BootfixRuleItem *it, const char *cs)
{
  g_autofree char *rest =
    g_strdup_printf ("Control\\Class\\%s",
                     bootfix_rule_item_attr (it, "class-guid"));
  const char *value = bootfix_rule_item_attr (it, "value");
  guint32 type = 0;
  g_autoptr (GBytes) old = get_value (c->before, cs, rest, value, &type);
  if (old == NULL || type != BOOTFIX_REG_MULTI_SZ) {
    if (old != NULL)
      expect_value (c, cs, rest, value, type, old);
    return;
  }
  g_autoptr (GPtrArray) entries = multi_sz_entries (old);
  g_autoptr (GPtrArray) want = g_ptr_array_new ();
  gboolean removed = FALSE;
  for (guint i = 0; i < entries->len; i++) {
    const char *e = entries->pdata[i];
    gboolean drop = filter_removed (view, it, e);
    removed |= drop;
    if (!drop && *e != '\0')
      g_ptr_array_add (want, (gpointer) e);
  }
  if (!removed) {
    expect_value (c, cs, rest, value, type, old);
    return;
  }
  g_autoptr (GBytes) now = get_value (c->after, cs, rest, value, &type);
  g_autoptr (GPtrArray) got = now ? multi_sz_entries (now) : NULL;
  g_autofree char *w = join_entries (want);
  g_autofree char *g = got ? join_entries (got) : g_strdup ("(absent)");
  if (now == NULL || type != BOOTFIX_REG_MULTI_SZ || !g_str_equal (w, g))
    problem (c, "%s\\%s\\%s is %s, expected %s", cs, rest, value, g, w);
}

static void
check_filter (Check *c, const BootfixRule *view, const BootfixRuleItem *it)
{
  for (guint s = 0; s < c->sets->len; s++)
    check_filter_list (c, view, it, c->sets->pdata[s]);
}

/* The value a registry-value item writes, as hive.c reads it back:
 * strings as UTF-8, a dword little-endian, multi-sz ';'-separated
 * entries each with its NUL and one more NUL, binary from hex.  NULL:
 * not valid. */
static GBytes *
registry_value_bytes (const char *type, const char *text, guint32 *t)
{
  if (g_str_equal (type, "sz") || g_str_equal (type, "expand-sz")) {
    *t = type[0] == 's' ? BOOTFIX_REG_SZ : BOOTFIX_REG_EXPAND_SZ;
    return text_bytes (text);
  }
  if (g_str_equal (type, "dword")) {
    *t = BOOTFIX_REG_DWORD;
    return dword_bytes (text);
  }
  g_autoptr (GByteArray) out = g_byte_array_new ();
  if (g_str_equal (type, "multi-sz")) {
    *t = BOOTFIX_REG_MULTI_SZ;
    for (const char *p = text;; p++) {
      const guint8 c = *p == ';' ? 0 : (guint8) *p;
      g_byte_array_append (out, &c, 1);
      if (*p == '\0')
        break;
    }
    g_byte_array_append (out, (const guint8 *) "", 1);
  } else if (g_str_equal (type, "binary")) {
    *t = BOOTFIX_REG_BINARY;
    for (gsize i = 0; text[i] && text[i + 1]; i += 2) {
      const guint8 b = g_ascii_xdigit_value (text[i]) << 4
                       | g_ascii_xdigit_value (text[i + 1]);
      g_byte_array_append (out, &b, 1);
    }
  } else {
    return NULL;
  }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* The value, exactly, at the key (in every control set when the key
 * starts with CurrentControlSet, else at that path of the hive). */
static void
check_registry_value (Check *c, const BootfixRuleItem *it)
{
  const char *key = bootfix_rule_item_attr (it, "key");
  const char *name = bootfix_rule_item_attr (it, "name");
  guint32 type = 0;
  g_autoptr (GBytes) want =
    registry_value_bytes (bootfix_rule_item_attr (it, "type"),
                          bootfix_rule_item_attr (it, "value"), &type);
  if (want == NULL) {
    problem (c, "registry-value %s has a type this test does not know", key);
    return;
  }
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) paths = bootfix_hive_expand_path (c->after, key, FALSE,
                                                          &error);
  g_assert_no_error (error);
  for (guint p = 0; p < paths->len; p++) {
    const char *path = paths->pdata[p];
    const char *slash = strchr (path, '\\');
    g_autofree char *first = slash ? g_strndup (path, slash - path)
                                   : g_strdup (path);
    /* expect_value() takes "FIRST\\REST": split off the first key. */
    expect_value (c, first, slash ? slash + 1 : "", name ? name : "", type,
                  want);
  }
}

static void
check_items (Check *c, const BootfixRule *view)
{
  for (guint i = 0; i < view->items->len; i++) {
    const BootfixRuleItem *it = view->items->pdata[i];
    if (g_str_equal (it->kind, "service"))
      check_service (c, it);
    else if (g_str_equal (it->kind, "cdd"))
      check_cdd (c, it);
    else if (g_str_equal (it->kind, "remove-start-override"))
      check_no_start_override (c, it);
    else if (g_str_equal (it->kind, "driver-file"))
      check_driver_file (c, it);
    else if (g_str_equal (it->kind, "disable-service"))
      check_disabled (c, it);
    else if (g_str_equal (it->kind, "remove-filter"))
      check_filter (c, view, it);
    else if (g_str_equal (it->kind, "virtio-driver"))
      check_virtio_driver (c, view, it);
    else if (g_str_equal (it->kind, "virtio-dir"))
      continue;  /* where virtio-driver items come from */
    else if (g_str_equal (it->kind, "registry-value"))
      check_registry_value (c, it);
    else
      problem (c, "rule %s has an item '%s' this test cannot check: teach "
               "check_items() what it promises", view->id, it->kind);
  }
}

/* --- every change is one an item asks for ----------------------------- */

/* The key and value names each item may change: keys relative to the
 * hive root, lower case, every ControlSetNNN as "currentcontrolset". */
static void
allow (GHashTable *allowed, const char *key, const char *values)
{
  g_autofree char *full = g_strconcat (BOOTFIX_CONTROL_SET "\\", key, NULL);
  g_hash_table_insert (allowed, g_ascii_strdown (full, -1), (gpointer) values);
}

/* A registry-value item may name any key; it adds "NAME|" ("|" for the
 * default value) to the values allowed there. */
static void
allow_registry_value (GHashTable *allowed, const BootfixRuleItem *it)
{
  const char *name = bootfix_rule_item_attr (it, "name");
  char *key = g_ascii_strdown (bootfix_rule_item_attr (it, "key"), -1);
  const char *had = g_hash_table_lookup (allowed, key);
  g_autofree char *values = g_strdup_printf ("%s%s|", had ? had : "|",
                                             name ? name : "");
  g_hash_table_insert (allowed, key, (gpointer) g_intern_string (values));
}

/* HKLM\SYSTEM\ControlSet002\Services\x -> currentcontrolset\services\x */
static char *
change_key (const char *key)
{
  static const char prefix[] = "HKLM\\SYSTEM\\";
  if (!g_str_has_prefix (key, prefix))
    return NULL;
  const char *path = key + strlen (prefix);
  const char *slash = strchr (path, '\\');
  g_autofree char *norm =
    g_ascii_strncasecmp (path, "ControlSet", 10) == 0 && slash != NULL
    ? g_strconcat (BOOTFIX_CONTROL_SET, slash, NULL) : g_strdup (path);
  return g_ascii_strdown (norm, -1);
}

static GHashTable *
allowed_changes (const Check *c, const BootfixRule *view)
{
  GHashTable *allowed = g_hash_table_new_full (g_str_hash, g_str_equal,
                                               g_free, NULL);
  for (guint i = 0; i < view->items->len; i++) {
    const BootfixRuleItem *it = view->items->pdata[i];
    const char *name = bootfix_rule_item_attr (it, "name");
    g_autofree char *key = NULL;
    if (g_str_equal (it->kind, "service"))
      allow (allowed, key = g_strconcat ("Services\\", name, NULL),
             "|Start|Type|ErrorControl|Group|ImagePath|");
    else if (g_str_equal (it->kind, "cdd") && cdd_applies (c, it))
      allow (allowed, key = g_strconcat ("Control\\CriticalDeviceDatabase\\",
                                         bootfix_rule_item_attr (it, "id"),
                                         NULL), "|Service|ClassGUID|");
    else if (g_str_equal (it->kind, "remove-start-override"))
      allow (allowed, key = g_strconcat ("Services\\",
                                         bootfix_rule_item_attr (it,
                                                                 "service"),
                                         "\\StartOverride", NULL), "||");
    else if (g_str_equal (it->kind, "disable-service"))
      allow (allowed, key = g_strconcat ("Services\\", name, NULL),
             "|Start|");
    else if (g_str_equal (it->kind, "remove-filter"))
      allow (allowed, key = g_strconcat ("Control\\Class\\",
                                         bootfix_rule_item_attr (it,
                                                                 "class-guid"),
                                         NULL), "|UpperFilters|LowerFilters|");
    else if (g_str_equal (it->kind, "registry-value"))
      allow_registry_value (allowed, it);
  }
  return allowed;
}

/* Every file the plan creates is a driver an item names. */
static void
check_created (Check *c, const BootfixRule *view)
{
  GHashTableIter iter;
  gpointer key;
  g_hash_table_iter_init (&iter, c->run->created);
  while (g_hash_table_iter_next (&iter, &key, NULL)) {
    gboolean promised = FALSE;
    for (guint i = 0; i < view->items->len && !promised; i++) {
      const BootfixRuleItem *it = view->items->pdata[i];
      const char *name = bootfix_rule_item_attr (it, "name");
      g_autofree char *file =
        g_str_equal (it->kind, "driver-file")
        ? g_strdup_printf ("system32\\drivers\\%s", name)
        : g_str_equal (it->kind, "virtio-driver")
        ? g_strdup_printf ("system32\\drivers\\%s.sys", name) : NULL;
      promised = file != NULL && g_ascii_strcasecmp (file, key) == 0;
    }
    if (!promised)
      problem (c, "the plan creates %s, which no item of rule %s names",
               (char *) key, view->id);
  }
}

/* A key created on the way to a key an item asks for. */
static gboolean
is_parent_of_allowed (GHashTable *allowed, const char *lc)
{
  g_autofree char *prefix = g_strconcat (lc, "\\", NULL);
  GHashTableIter iter;
  gpointer key;
  g_hash_table_iter_init (&iter, allowed);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (g_str_has_prefix (key, prefix))
      return TRUE;
  return FALSE;
}

static void
check_changes (Check *c, const BootfixRule *view, GPtrArray *changes)
{
  g_autoptr (GHashTable) allowed = allowed_changes (c, view);
  for (guint i = 0; i < changes->len; i++) {
    const BootfixChange *ch = changes->pdata[i];
    g_autofree char *lc = change_key (ch->key);
    const char *values = lc ? g_hash_table_lookup (allowed, lc) : NULL;
    g_autofree char *needle = g_strdup_printf ("|%s|", ch->value_name
                                                       ? ch->value_name : "");
    if (values == NULL && lc != NULL && ch->value_name == NULL &&
        is_parent_of_allowed (allowed, lc))
      continue;
    if (values == NULL || (ch->value_name != NULL
                           && strstr (values, needle) == NULL))
      problem (c, "%s was changed (%s), but no item of rule %s asks for it",
               ch->target, ch->reason, view->id);
  }
}

/* --- one cell ------------------------------------------------------ */

typedef struct {
  guint cells, fixed, refused, missing_file, changes, files;
} Stats;

static Stats totals;

static void
set_facts (Harness *f, const Guest *g, const Target *t)
{
  f->facts.guest_name = g->name;
  f->facts.product_name = g->product_name;
  f->facts.product_variant = g->variant;
  f->facts.arch = g->arch;
  f->facts.osinfo = g->osinfo;
  f->facts.major_version = g->major;
  f->facts.minor_version = g->minor;
  f->facts.machine = t->machine;
  f->facts.machine_family = t->family;
  f->facts.bus = t->bus;
  f->facts.controller_id = t->ctl->id;
  f->facts.pci_id = t->ctl->pci_id;
  f->facts.driver_source = t->driver_source ? t->driver_source : "";
}

static const BootfixRuleItem *
first_item (const BootfixRule *view, const char *kind)
{
  for (guint i = 0; i < view->items->len; i++)
    if (g_str_equal (((BootfixRuleItem *) view->items->pdata[i])->kind, kind))
      return view->items->pdata[i];
  return NULL;
}

/* The first driver file of the rule the guest does not have. */
static const char *
first_missing_file (const Guest *g, const BootfixRule *view)
{
  for (guint i = 0; i < view->items->len; i++) {
    const BootfixRuleItem *it = view->items->pdata[i];
    if (!g_str_equal (it->kind, "driver-file"))
      continue;
    const char *name = bootfix_rule_item_attr (it, "name");
    g_autofree char *path = g_strdup_printf ("system32\\drivers\\%s", name);
    if (!guest_has_file (g, path))
      return name;
  }
  return NULL;
}

static void
check_refused (Check *c, const Harness *f, const BootfixRule *view,
               const Expect *e)
{
  const BootfixPlan *plan = f->plan;
  if (!plan->refused) {
    problem (c, "not refused (%u actions)", plan->actions->len);
    return;
  }
  if (plan->actions->len != 0)
    problem (c, "refused, but the plan has %u actions", plan->actions->len);
  if (e->outcome == REFUSE) {
    const BootfixRuleItem *r = first_item (view, "refuse");
    g_assert_nonnull (r);
    if (g_strcmp0 (plan->refuse_why, bootfix_rule_item_attr (r, "reason")) != 0
        || g_strcmp0 (plan->refuse_advice,
                      bootfix_rule_item_attr (r, "advice")) != 0)
      problem (c, "refused with '%s' ('%s'), not the rule's reason",
               plan->refuse_why, plan->refuse_advice);
    return;
  }
  const char *missing = first_missing_file (c->guest, view);
  g_autofree char *named = g_strdup_printf ("\\system32\\drivers\\%s ",
                                            e->file);
  if (g_strcmp0 (missing, e->file) != 0)
    problem (c, "the first driver file of rule %s the guest lacks is %s, "
             "not %s", view->id, missing ? missing : "(none)", e->file);
  if (strstr (plan->refuse_why, named) == NULL)
    problem (c, "the refusal does not name %s: %s", e->file,
             plan->refuse_why);
}

/* Plan and apply again on the fixed guest (the hive and the files the
 * first plan wrote back): nothing may change. */
/* --- --check: the module's links, before and after the fix ---------- */

/* The windows module's links of the guest as h sees it: "name" ->
 * state (GINT_TO_POINTER). */
static GHashTable *
check_links (Harness *h)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *links = bootfix_host_context_links (h->ctx);
  g_ptr_array_set_size (links, 0);
  g_assert_cmpint (harness_call (h, windows_module (), BOOTFIX_CALLBACK_CHECK,
                                 &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (h->plan->actions->len, ==, 0);
  GHashTable *states = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < links->len; i++) {
    const BootfixLink *l = links->pdata[i];
    g_hash_table_insert (states, g_strdup (l->name), GINT_TO_POINTER (l->state));
  }
  return states;
}

static gboolean
any_state (GHashTable *links, BootfixLinkState state)
{
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, links);
  while (g_hash_table_iter_next (&it, &k, &v))
    if (GPOINTER_TO_INT (v) == (int) state)
      return TRUE;
  return FALSE;
}

static int
link_state (GHashTable *links, const char *name)
{
  gpointer v;
  return g_hash_table_lookup_extended (links, name, NULL, &v)
         ? GPOINTER_TO_INT (v) : -1;
}

/* What the check said before the plan must be what the plan did: a
 * rule's refusal is the storage-driver link, a missing file the file
 * link, and a fixable link (nothing broken) a fix that changes
 * something. */
static void
check_links_agree (Check *c, GHashTable *links, Outcome got, guint changes,
                   guint created)
{
  if ((got == REFUSE) != (link_state (links, "storage-driver") == BOOTFIX_LINK_STATE_BROKEN))
    problem (c, "check: storage-driver is %d, the plan %s", link_state (links, "storage-driver"),
             got == REFUSE ? "refuses" : "does not refuse by rule");
  if (got == MISSING_FILE &&
      link_state (links, "storage-driver-file") != BOOTFIX_LINK_STATE_BROKEN)
    problem (c, "check: a driver file is missing, but storage-driver-file is %d",
             link_state (links, "storage-driver-file"));
  if (got == FIX && any_state (links, BOOTFIX_LINK_STATE_BROKEN))
    problem (c, "check: a link is broken, but the plan fixes the guest");
  if (any_state (links, BOOTFIX_LINK_STATE_FIXABLE) &&
      !any_state (links, BOOTFIX_LINK_STATE_BROKEN) &&
      (got != FIX || changes + created == 0))
    problem (c, "check: a link is fixable, but the fix changes nothing");
}

static void
check_second_plan (Check *c, const Harness *f, const BootfixRule *view)
{
  Harness again;
  harness_init (&again, f->guest, view);
  again.facts = f->facts;
  harness_set_driver_source (&again, f->driver_source);
  /* The fixed guest: every link the fix claimed is now right. */
  g_autoptr (GHashTable) links = check_links (&again);
  if (any_state (links, BOOTFIX_LINK_STATE_FIXABLE) ||
      any_state (links, BOOTFIX_LINK_STATE_BROKEN))
    problem (c, "check after the fix: a link is still not ok");
  g_autoptr (GPtrArray) second = harness_plan_and_apply (&again,
                                                         windows_module (),
                                                         NULL);
  if (again.plan->refused)
    problem (c, "the second plan refuses: %s", again.plan->refuse_why);
  for (guint i = 0; i < second->len; i++)
    problem (c, "the second plan changes %s again",
             ((BootfixChange *) second->pdata[i])->target);
  if (g_hash_table_size (again.created) > 0)
    problem (c, "the second plan creates files again");
  harness_clear (&again);
}

/* Commit the fixed hive, re-open it, check every item; then plan and
 * apply again on it. */
static void
check_fixed (Check *c, Harness *f, const BootfixRule *view, GPtrArray *changes,
             const char *hive_path)
{
  if (f->plan->refused) {
    problem (c, "refused: %s", f->plan->refuse_why);
    return;
  }
  for (guint i = 0; i < f->warnings->len; i++)
    problem (c, "warning: %s", (char *) f->warnings->pdata[i]);
  g_autoptr (GError) error = NULL;
  g_autofree char *fixed_path = g_strconcat (hive_path, ".fixed", NULL);
  g_assert_true (bootfix_hive_commit (harness_hive (f, "SYSTEM"), fixed_path,
                                      &error));
  g_autoptr (BootfixHive) fixed = open_hive (fixed_path, TRUE);
  c->after = fixed;
  c->sets = control_sets (fixed);
  check_items (c, view);
  check_changes (c, view, changes);
  check_created (c, view);
  check_second_plan (c, f, view);
  g_clear_pointer (&c->sets, g_ptr_array_unref);
  c->after = NULL;
  g_unlink (fixed_path);
}

/* Plan and apply, for one guest on one target; the problems found go to
 * problems. */
static void
run_cell (const Guest *g, const GuestRow *row, BootfixRuleSet *rs,
          const Target *t, const Expect *e, GString *problems, Stats *stats)
{
  g_autofree char *cell = g_strdup_printf ("%s on %s (%s%s%s)", g->name,
                                           t->ctl->id, t->family,
                                           t->driver_source ? ", " : "",
                                           t->driver_source ? t->driver_source
                                           : "");
  BootfixRuleQuery q = {
    .major = g->major, .minor = g->minor, .arch = g->arch,
    .osinfo = g->osinfo, .variant = g->variant_lc, .controller = t->ctl->id,
    .driver_source = t->driver_source,
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixRule) view = bootfix_rule_set_resolve (rs, &q, &error);
  g_assert_no_error (error);
  g_assert_nonnull (view);
  g_autofree char *path = copy_hive (g->system);
  g_autoptr (BootfixHive) before = open_hive (g->system, FALSE);
  g_autoptr (BootfixGuest) guest = guest_in_memory (g);
  Harness f;
  harness_init (&f, guest, view);
  set_facts (&f, g, t);
  harness_set_driver_source (&f, t->driver_source ? virtio_tree : NULL);
  Check c = { cell, g, row, t->ctl->id, &f, before, NULL, NULL, problems };
  if (!g_str_equal (view->id, e->rule))
    problem (&c, "rule %s wins, expected %s", view->id, e->rule);

  g_autoptr (GHashTable) links = check_links (&f);
  g_autoptr (GPtrArray) changes = harness_plan_and_apply (&f, windows_module (),
                                                          NULL);
  Outcome got = !f.plan->refused ? FIX
                : first_item (view, "refuse") ? REFUSE : MISSING_FILE;
  check_links_agree (&c, links, got, changes->len, g_hash_table_size (f.created));
  if (e->outcome == FIX)
    check_fixed (&c, &f, view, changes, path);
  else
    check_refused (&c, &f, view, e);
  stats->cells++;
  stats->fixed += got == FIX;
  stats->refused += got == REFUSE;
  stats->missing_file += got == MISSING_FILE;
  stats->changes += changes->len;
  stats->files += g_hash_table_size (f.created);
  g_test_message ("%-44s %-12s %s%s%s (%u changes, %u files)", cell,
                  got == FIX ? "fixed" : got == REFUSE ? "refused"
                  : "missing file", view->id,
                  f.plan->refused ? ": " : "",
                  f.plan->refused ? f.plan->refuse_why : "", changes->len,
                  g_hash_table_size (f.created));
  harness_clear (&f);
  g_unlink (path);
}

/* --- the tests ----------------------------------------------------- */

static BootfixRuleSet *
load_rules (void)
{
  g_autofree char *dir = g_build_filename (bootfix_data_dir (), "rules", NULL);
  g_autoptr (GError) error = NULL;
  BootfixRuleSet *rs = bootfix_rule_set_load_dir (dir, &error);
  g_assert_no_error (error);
  return rs;
}

static void
test_guest (gconstpointer data)
{
  const GuestRow *row = data;
  if (skip_reason != NULL) {
    g_test_skip (skip_reason);
    return;
  }
  g_autoptr (Guest) g = guest_load (row->guest);
  g_autoptr (BootfixRuleSet) rs = load_rules ();
  g_autoptr (GString) problems = g_string_new (NULL);
  Stats stats = { 0 };
  for (guint i = 0; i < targets->len; i++) {
    const Target *t = &g_array_index (targets, Target, i);
    run_cell (g, row, rs, t, expect_for (row, t), problems, &stats);
  }
  /* No stale rows: every outcome is for a controller of the data. */
  for (guint i = 0; i < N_CONTROLLERS; i++)
    if (row->expect[i].controller != NULL
        && bootfix_controller_db_lookup (controller_db,
                                         row->expect[i].controller) == NULL)
      g_string_append_printf (problems, "  expected_rows[] names %s, which "
                              "controllers.xml does not have\n",
                              row->expect[i].controller);
  g_test_message ("%s: %u cells, %u fixed, %u refused by their rule, "
                  "%u refused for a missing driver file; %u registry changes, "
                  "%u files created", row->guest, stats.cells, stats.fixed,
                  stats.refused, stats.missing_file, stats.changes,
                  stats.files);
  /* The bar: some fix and some refusal for every guest. */
  if (stats.fixed == 0 || stats.refused + stats.missing_file == 0)
    g_string_append_printf (problems, "  %s: needs at least one fix and one "
                            "refusal\n", row->guest);
  totals.cells += stats.cells;
  totals.fixed += stats.fixed;
  totals.refused += stats.refused;
  totals.missing_file += stats.missing_file;
  totals.changes += stats.changes;
  totals.files += stats.files;
  if (problems->len > 0) {
    g_test_message ("%s: broken promises:\n%s", row->guest, problems->str);
    g_test_fail ();
  }
}

/* --- control sets that disagree ------------------------------------ */

static void
seed (BootfixHive *hive, const char *path, const char *name, guint32 type,
      GBytes *value)
{
  g_autoptr (BootfixPlan) plan = bootfix_plan_new ();
  g_autoptr (GPtrArray) changes =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_change_free);
  g_autoptr (GError) error = NULL;
  gsize len = 0;
  const void *p = g_bytes_get_data (value, &len);
  bootfix_plan_add (plan, BOOTFIX_ACTION_SET_VALUE, "SYSTEM", path, name, type,
                    p, len, "seed");
  g_assert_true (bootfix_hive_apply (hive, plan->actions->pdata[0], "SYSTEM",
                                     TRUE, changes, &error));
  g_assert_no_error (error);
}

/* "Only filled in when missing" holds per control set: win2003x64 where
 * ControlSet001 (current) has Services\pciide with only Type, and
 * ControlSet002 has it with only a Group of its own.  A fix must give
 * ControlSet002 the Type it lacks and keep its Group. */
static void
test_fill_in_per_control_set (void)
{
  if (skip_reason != NULL) {
    g_test_skip (skip_reason);
    return;
  }
  g_autoptr (Guest) g = guest_load ("win2003x64");
  g_autofree char *path = copy_hive (g->system);
  g_autoptr (GError) error = NULL;
  {
    g_autoptr (BootfixHive) h = open_hive (path, TRUE);
    g_autoptr (GBytes) one = dword_bytes ("1");
    g_autoptr (GBytes) custom = text_bytes ("Custom Group");
    seed (h, "ControlSet001\\Services\\pciide", "Type", BOOTFIX_REG_DWORD, one);
    seed (h, "ControlSet002\\Services\\pciide", "Group", BOOTFIX_REG_SZ,
          custom);
    g_free (g->system);
    g->system = g_strconcat (path, ".seeded", NULL);
    g_assert_true (bootfix_hive_commit (h, g->system, &error));
  }
  g_autoptr (BootfixRuleSet) rs = load_rules ();
  g_autoptr (GString) problems = g_string_new (NULL);
  Stats stats = { 0 };
  const Target *t = &g_array_index (targets, Target, 0);
  g_assert_cmpstr (t->ctl->id, ==, "piix3-ide");
  run_cell (g, &expected_rows[1], rs, t, &expected_rows[1].expect[0],
            problems, &stats);
  g_unlink (g->system);
  g_unlink (path);
  if (problems->len > 0)
    g_error ("%s", problems->str);
}

static void
test_summary (void)
{
  if (skip_reason != NULL || totals.cells == 0) {
    g_test_skip (skip_reason ? skip_reason : "run with the guests' tests");
    return;
  }
  g_test_message ("matrix: %u cells (%u guests x %u targets: machine, "
                  "controller, driver source), %u fixed, %u refused by their "
                  "rule, %u refused for a missing driver file; %u registry "
                  "changes, %u files created",
                  totals.cells, (guint) G_N_ELEMENTS (expected_rows),
                  targets->len, totals.fixed, totals.refused,
                  totals.missing_file, totals.changes, totals.files);
  g_assert_cmpuint (totals.cells, ==,
                    G_N_ELEMENTS (expected_rows) * targets->len);
}

/* --- setup: the hives ---------------------------------------------- */

/* Run "build-guests.sh --hives DIR [MKHIVE]" when the script is named;
 * exit status 77 means the hives cannot be built here: skip. */
static void
build_hives (void)
{
  const char *script = g_getenv ("BOOTFIX_TEST_BUILD_GUESTS");
  const char *mkhive = g_getenv ("BOOTFIX_TEST_MKHIVE");
  if (script == NULL)
    return;
  const char *argv[] = { script, "--hives", hives_dir, mkhive, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;
  g_autoptr (GError) error = NULL;
  g_autoptr (GTimer) timer = g_timer_new ();
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                &out, &err, &status, &error);
  g_assert_no_error (error);
  if (g_spawn_check_wait_status (status, NULL)) {
    g_test_message ("build-guests.sh --hives: %.1f s", g_timer_elapsed (timer,
                                                                        NULL));
    return;
  }
  if (WIFEXITED (status) && WEXITSTATUS (status) == 77)
    skip_reason = g_strdup_printf ("the phony hives cannot be built here: %s",
                                   g_strstrip (err));
  else
    g_error ("%s --hives %s failed:\n%s%s", script, hives_dir, out, err);
}

/* A --virtio-win tree with every NAME/OSDIR/ARCHDIR/NAME.sys the rules
 * name; each file says what it is. */
static void
write_virtio_tree (void)
{
  g_autoptr (BootfixRuleSet) rs = load_rules ();
  virtio_tree = g_build_filename (work_dir, "virtio-win", NULL);
  for (guint r = 0; r < bootfix_rule_set_size (rs); r++) {
    const BootfixRule *rule = bootfix_rule_set_index (rs, r);
    for (guint i = 0; i < rule->items->len; i++) {
      const BootfixRuleItem *drv = rule->items->pdata[i];
      if (!g_str_equal (drv->kind, "virtio-driver"))
        continue;
      const char *name = bootfix_rule_item_attr (drv, "name");
      for (guint j = 0; j < rule->items->len; j++) {
        const BootfixRuleItem *dir = rule->items->pdata[j];
        if (!g_str_equal (dir->kind, "virtio-dir"))
          continue;
        for (const char *const *arch = (const char *const[]) { "i386",
                                                               "x86_64",
                                                               NULL };
             *arch != NULL; arch++) {
          const char *archdir = bootfix_rule_item_attr (drv, *arch);
          if (archdir == NULL)
            continue;
          g_autofree char *folder =
            g_build_filename (virtio_tree, name,
                              bootfix_rule_item_attr (dir, "dir"), archdir,
                              NULL);
          g_autofree char *file = g_strdup_printf ("%s/%s.sys", folder, name);
          g_autofree char *text = g_strdup_printf ("phony %s.sys, virtio-win "
                                                   "%s/%s\n", name,
                                                   bootfix_rule_item_attr (dir,
                                                                           "dir"),
                                                   archdir);
          g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
          g_assert_true (g_file_set_contents (file, text, -1, NULL));
        }
      }
    }
  }
}

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR)) {
    g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
    const char *e;
    while (d != NULL && (e = g_dir_read_name (d)) != NULL) {
      g_autofree char *child = g_build_filename (path, e, NULL);
      remove_tree (child);
    }
    g_rmdir (path);
  } else {
    g_unlink (path);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  hives_dir = g_getenv ("BOOTFIX_TEST_PHONY_HIVES");
  if (hives_dir == NULL)
    skip_reason = g_strdup ("BOOTFIX_TEST_PHONY_HIVES is not set");
  else
    build_hives ();
  g_autoptr (GError) error = NULL;
  work_dir = g_dir_make_tmp ("test-matrix-plans-XXXXXX", &error);
  g_assert_no_error (error);
  load_targets ();
  write_virtio_tree ();
  for (guint i = 0; i < G_N_ELEMENTS (expected_rows); i++) {
    g_autofree char *path = g_strdup_printf ("/matrix/%s",
                                             expected_rows[i].guest);
    g_test_add_data_func (path, &expected_rows[i], test_guest);
  }
  g_test_add_func ("/matrix/summary", test_summary);
  g_test_add_func ("/matrix/fill-in-per-control-set",
                   test_fill_in_per_control_set);
  int rc = g_test_run ();
  remove_tree (work_dir);
  return rc;
}
