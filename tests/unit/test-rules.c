/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Rule files: the shipped data, matching, and bad input. */
#include "config.h"

#include <string.h>

#include "rules.h"
#include "rules-util.h"
#include "controllers.h"
#include "bootfix-error.h"

/* --- helpers ------------------------------------------------------ */



static const char *
test_data_dir (void)
{
  const char *d = g_getenv ("BOOTFIX_TEST_DATA");
  g_assert_nonnull (d);
  return d;
}




static const BootfixRule *
find_rule (const BootfixRuleSet *rs, const char *id)
{
  for (guint i = 0; i < bootfix_rule_set_size (rs); i++) {
    const BootfixRule *r = bootfix_rule_set_index (rs, i);
    if (g_str_equal (r->id, id))
      return r;
  }
  return NULL;
}

/* --- data folder -------------------------------------------------- */

static void
test_data_dir_lookup (void)
{
  g_autofree char *saved = g_strdup (g_getenv ("BOOTFIX_DATADIR"));
  /* Never the source tree: the binary must not carry its path. */
  const char *fallback = BOOTFIX_INSTALLED_DATADIR;

  g_setenv ("BOOTFIX_DATADIR", "/nonexistent/bootfix-data", TRUE);
  g_assert_cmpstr (bootfix_data_dir (), ==, "/nonexistent/bootfix-data");
  g_setenv ("BOOTFIX_DATADIR", "", TRUE);
  g_assert_cmpstr (bootfix_data_dir (), ==, fallback);
  g_unsetenv ("BOOTFIX_DATADIR");
  g_assert_cmpstr (bootfix_data_dir (), ==, fallback);

  if (saved != NULL)
    g_setenv ("BOOTFIX_DATADIR", saved, TRUE);
}

/* --- the shipped rules -------------------------------------------- */

static void
test_shipped_load (void)
{
  g_autoptr (BootfixRuleSet) rs = load_shipped ();
  static const char *const ids[] = {
    /* name order of the files, then file order */
    "nt5-piix-ide", "nt5-ich9-ahci-refuse", "nt5-sas-nvme-refuse",
    "nt5-pvscsi-refuse", "nt5-lsi53c895a-x64", "nt5-lsi53c895a-unconfirmed",
    "nt6-piix-ide", "nt6-ich9-ahci", "nt6-lsisas1068",
    "nt6-megasas-unconfirmed", "nt6-lsi53c895a-refuse", "nt6-pvscsi-refuse",
    "nt6-nvme-refuse",
    "nt62-piix-ide", "nt62-ich9-ahci", "nt62-lsisas1068", "nt63-nvme",
    "nt62-nvme-refuse", "nt62-megasas-unconfirmed", "nt62-lsi53c895a-refuse",
    "nt62-pvscsi-refuse",
    "windows-virtio-refuse", "nt5-6.1-virtio-blk-virtio-win",
    "nt5-6.1-virtio-scsi-virtio-win", "nt6.2-virtio-blk-virtio-win",
    "nt6.2-virtio-scsi-virtio-win",
  };
  g_assert_cmpuint (bootfix_rule_set_size (rs), ==, G_N_ELEMENTS (ids));
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++) {
    const BootfixRule *r = bootfix_rule_set_index (rs, i);
    g_assert_cmpstr (r->id, ==, ids[i]);
    g_assert_true (g_str_has_prefix (r->file, "windows-"));
    g_assert_true (g_str_has_suffix (r->file, ".xml"));
    g_assert_cmpint (r->line, >, 0);
    g_assert_cmpuint (r->items->len, >, 0);
  }
  const BootfixRule *r = find_rule (rs, "nt6-piix-ide");
  g_assert_cmpstr (r->file, ==, "windows-nt6.0-6.1.xml");
  g_assert_cmpint (r->nt_min, ==, 600);
  g_assert_cmpint (r->nt_max, ==, 601);
  g_assert_null (r->arch);
  g_assert_null (r->osinfo);
  g_assert_null (r->variant);
  g_assert_cmpuint (r->controllers->len, ==, 2);
  g_assert_cmpstr (r->controllers->pdata[0], ==, "piix3-ide");
  g_assert_cmpstr (r->controllers->pdata[1], ==, "piix4-ide");
  r = find_rule (rs, "windows-virtio-refuse");
  g_assert_cmpint (r->nt_min, ==, 0);
  g_assert_cmpint (r->nt_max, ==, G_MAXINT);
}

typedef struct {
  const char *name;
  int major, minor;
  const char *arch, *osinfo, *variant, *controller;
  const char *expect;  /* rule id, or NULL for no rule */
} MatchCase;

static const MatchCase match_cases[] = {
  { "win7", 6, 1, "x86_64", "win7", "client", "piix3-ide", "nt6-piix-ide" },
  { "2008r2-piix4", 6, 1, "x86_64", "win2k8r2", "server", "piix4-ide",
    "nt6-piix-ide" },
  { "vista", 6, 0, "i386", "winvista", "client", "piix3-ide", "nt6-piix-ide" },
  { "unknown-facts", 6, 0, NULL, NULL, NULL, "piix3-ide", "nt6-piix-ide" },
  { "case", 6, 1, "X86_64", "WIN7", "Client", "PIIX3-IDE", "nt6-piix-ide" },
  { "win2k", 5, 0, "i386", "win2k", NULL, "piix3-ide", "nt5-piix-ide" },
  { "xp", 5, 1, "i386", "winxp", "client", "piix3-ide", "nt5-piix-ide" },
  { "2003", 5, 2, "x86_64", "win2k3", "server", "piix4-ide", "nt5-piix-ide" },
  { "xp-ahci", 5, 1, "i386", "winxp", "client", "ich9-ahci",
    "nt5-ich9-ahci-refuse" },
  { "win7-ahci", 6, 1, "x86_64", "win7", "client", "ich9-ahci",
    "nt6-ich9-ahci" },
  { "win8-ide", 6, 2, "x86_64", "win8", "client", "piix3-ide",
    "nt62-piix-ide" },
  { "win81-ahci", 6, 3, "x86_64", "win8.1", "client", "ich9-ahci",
    "nt62-ich9-ahci" },
  { "win10-ahci", 10, 0, "x86_64", "win10", "client", "ich9-ahci",
    "nt62-ich9-ahci" },
  { "2022-ide", 10, 0, "x86_64", "win2k22", "server", "piix3-ide",
    "nt62-piix-ide" },
  { "win10-virtio", 10, 0, "x86_64", "win10", "client", "virtio-blk",
    "windows-virtio-refuse" },
  { "xp-virtio-scsi", 5, 1, "i386", "winxp", "client", "virtio-scsi",
    "windows-virtio-refuse" },
  { "unknown-controller", 6, 1, "x86_64", "win7", "client", "lsi-sas1068",
    NULL },
  { "no-controller", 6, 1, "x86_64", "win7", "client", NULL, NULL },
  { "nt4", 4, 0, "i386", "winnt4", NULL, "piix3-ide", NULL },
  { "future-kernel", 10, 1, "x86_64", NULL, NULL, "ich9-ahci", NULL },
  { "minor-100", 6, 100, "x86_64", NULL, NULL, "piix3-ide", NULL },
  { "negative", -1, 0, "x86_64", NULL, NULL, "piix3-ide", NULL },
  { "major-100", 100, 0, "x86_64", NULL, NULL, "virtio-blk", NULL },
  { "major-99", 99, 99, "x86_64", NULL, NULL, "virtio-blk",
    "windows-virtio-refuse" },
  { "huge-major", G_MAXINT, 0, "x86_64", NULL, NULL, "virtio-blk", NULL },
  { "2003-x64-lsi", 5, 2, "x86_64", "win2k3", "server", "lsi53c895a",
    "nt5-lsi53c895a-x64" },
  { "xp-x64-lsi", 5, 2, "x86_64", "winxp", "client", "lsi53c895a",
    "nt5-lsi53c895a-x64" },
  { "2003-lsi-unknown-arch", 5, 2, NULL, "win2k3", "server", "lsi53c895a",
    "nt5-lsi53c895a-unconfirmed" },
  { "2003-i386-lsi", 5, 2, "i386", "win2k3", "server", "lsi53c895a",
    "nt5-lsi53c895a-unconfirmed" },
  { "2008-lsisas", 6, 0, "x86_64", "win2k8", "server", "LSISAS1068",
    "nt6-lsisas1068" },
  { "2019-lsisas", 10, 0, "x86_64", "win2k19", "server", "lsisas1068",
    "nt62-lsisas1068" },
  { "win8-nvme", 6, 2, "x86_64", "win8", "client", "nvme",
    "nt62-nvme-refuse" },
  { "win81-nvme", 6, 3, "i386", "win8.1", "client", "nvme", "nt63-nvme" },
  { "win11-nvme", 10, 0, "x86_64", "win11", "client", "nvme", "nt63-nvme" },
  { "future-nvme", 10, 1, "x86_64", NULL, NULL, "nvme", NULL },
  { "future-lsisas", 11, 0, "x86_64", NULL, NULL, "lsisas1068", NULL },
  { "future-virtio", 11, 0, "x86_64", NULL, NULL, "virtio-scsi",
    "windows-virtio-refuse" },
};

static void
test_shipped_match (void)
{
  g_autoptr (BootfixRuleSet) rs = load_shipped ();
  for (guint i = 0; i < G_N_ELEMENTS (match_cases); i++) {
    const MatchCase *c = &match_cases[i];
    BootfixRuleQuery q = { c->major, c->minor, c->arch, c->osinfo,
                           c->variant, c->controller, NULL };
    g_autoptr (GError) error = NULL;
    g_test_message ("case %s", c->name);
    const BootfixRule *r = bootfix_rule_set_match (rs, &q, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (r ? r->id : NULL, ==, c->expect);
  }
}

static void
test_shipped_win7_items (void)
{
  g_autoptr (BootfixRuleSet) rs = load_shipped ();
  BootfixRuleQuery q = { 6, 1, "x86_64", "win7", "client", "piix3-ide", NULL };
  g_autoptr (GError) error = NULL;
  const BootfixRule *r = bootfix_rule_set_match (rs, &q, &error);
  g_assert_no_error (error);
  g_assert_nonnull (r);
#define HDC "{4D36E96A-E325-11CE-BFC1-08002BE10318}"
  static const char *const expect[] = {
    "service error-control=1 group=System Bus Extender"
      " image-path=system32\\DRIVERS\\intelide.sys name=intelide start=0 type=1",
    "service error-control=1 group=System Bus Extender"
      " image-path=system32\\DRIVERS\\pciide.sys name=pciide start=0 type=1",
    "service error-control=1 group=SCSI miniport"
      " image-path=system32\\DRIVERS\\atapi.sys name=atapi start=0 type=1",
    "cdd class-guid=" HDC " controller=piix3-ide id=pci#ven_8086&dev_7010 service=intelide",
    "cdd class-guid=" HDC " controller=piix4-ide id=pci#ven_8086&dev_7111 service=intelide",
    "cdd class-guid=" HDC " id=primary_ide_channel service=atapi",
    "cdd class-guid=" HDC " id=secondary_ide_channel service=atapi",
    "cdd class-guid=" HDC " id=*pnp0600 service=atapi",
    "cdd class-guid=" HDC " id=pci#cc_0101 service=pciide",
    "driver-file name=intelide.sys",
    "driver-file name=pciide.sys",
    "driver-file name=pciidex.sys",
    "driver-file name=atapi.sys",
    "driver-file name=ataport.sys",
    NULL,
  };
#undef HDC
  assert_items (r, expect);
  const BootfixRuleItem *first = r->items->pdata[0];
  g_assert_cmpint (first->line, >, r->line);
  g_assert_null (bootfix_rule_item_attr (first, "tag"));
}

static void
test_shipped_xp_ahci_refusal (void)
{
  g_autoptr (BootfixRuleSet) rs = load_shipped ();
  BootfixRuleQuery q = { 5, 1, "i386", "winxp", "client", "ich9-ahci", NULL };
  g_autoptr (GError) error = NULL;
  const BootfixRule *r = bootfix_rule_set_match (rs, &q, &error);
  g_assert_no_error (error);
  g_assert_nonnull (r);
  static const char *const expect[] = {
    "refuse advice=use machine 'pc' with bus 'ide', or supply a driver"
      " reason=Windows 2000/XP/2003 have no inbox AHCI driver",
    NULL,
  };
  assert_items (r, expect);
}

static void
test_shipped_win10_ahci_items (void)
{
  g_autoptr (BootfixRuleSet) rs = load_shipped ();
  BootfixRuleQuery q = { 10, 0, "x86_64", "win10", "client", "ich9-ahci", NULL };
  g_autoptr (GError) error = NULL;
  const BootfixRule *r = bootfix_rule_set_match (rs, &q, &error);
  g_assert_no_error (error);
  g_assert_nonnull (r);
  static const char *const expect[] = {
    "service name=storahci start=0",
    "remove-start-override service=storahci",
    "driver-file name=storahci.sys",
    NULL,
  };
  assert_items (r, expect);
}

/* Every combination the shipped data covers has one clear winner, and
 * every shipped rule wins somewhere (none is shadowed). */
static void
test_shipped_no_ties (void)
{
  g_autoptr (BootfixRuleSet) rs = load_shipped ();
  static const int versions[][2] = {
    { 4, 0 }, { 5, 0 }, { 5, 1 }, { 5, 2 }, { 6, 0 }, { 6, 1 }, { 6, 2 },
    { 6, 3 }, { 10, 0 }, { 11, 0 } };
  static const char *const arches[] = { NULL, "i386", "x86_64" };
  static const char *const variants[] = { NULL, "client", "server" };
  static const char *const osinfos[] = { NULL, "winxp", "win7", "win10" };
  static const char *const sources[] = { NULL, "virtio-win" };
  g_autoptr (GHashTable) controllers = g_hash_table_new (g_str_hash,
                                                         g_str_equal);
  g_autoptr (GHashTable) winners = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < bootfix_rule_set_size (rs); i++) {
    GPtrArray *c = bootfix_rule_set_index (rs, i)->controllers;
    for (guint j = 0; j < c->len; j++)
      g_hash_table_add (controllers, c->pdata[j]);
  }
  g_hash_table_add (controllers, (gpointer) "unknown-controller");
  g_autofree gpointer *ctl = g_hash_table_get_keys_as_array (controllers, NULL);
  guint n_ctl = g_hash_table_size (controllers);
  guint n_queries = 0;
  for (guint v = 0; v < G_N_ELEMENTS (versions); v++)
    for (guint a = 0; a < G_N_ELEMENTS (arches); a++)
      for (guint k = 0; k < G_N_ELEMENTS (variants); k++)
        for (guint o = 0; o < G_N_ELEMENTS (osinfos); o++)
          for (guint sx = 0; sx < G_N_ELEMENTS (sources); sx++)
          for (guint c = 0; c <= n_ctl; c++) {
            BootfixRuleQuery q = { versions[v][0], versions[v][1], arches[a],
                                   osinfos[o], variants[k],
                                   c < n_ctl ? ctl[c] : NULL, sources[sx] };
            g_autoptr (GError) error = NULL;
            const BootfixRule *r = bootfix_rule_set_match (rs, &q, &error);
            g_assert_no_error (error);
            if (r != NULL)
              g_hash_table_add (winners, r->id);
            n_queries++;
          }
  g_assert_cmpuint (n_ctl, ==, 11);  /* 10 shipped ids + the unknown one */
  g_assert_cmpuint (n_queries, ==, 10 * 3 * 3 * 4 * 2 * 12);
  g_assert_cmpuint (g_hash_table_size (winners), ==,
                    bootfix_rule_set_size (rs));
}

/* --- the support matrix: no gaps, expected winners ---------------- */

/* Every Windows family virt-bootfix knows (2000 .. 10/11/2016-2025). */
static const int family_versions[][2] = {
  { 5, 0 }, { 5, 1 }, { 5, 2 }, { 6, 0 }, { 6, 1 }, { 6, 2 }, { 6, 3 },
  { 10, 0 } };

static BootfixControllerDb *
load_controllers (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (bootfix_data_dir (),
                                            "controllers.xml", NULL);
  BootfixControllerDb *db = bootfix_controller_db_load (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (db);
  return db;
}

/* Each family x arch x variant on each bootable controller of
 * controllers.xml has exactly one winning rule: no silent gap (the
 * module would refuse with "no rule covers", but the data should say
 * why) and no tie.  And every controller a rule names exists there and
 * is bootable (a typo would make a rule that never matches). */
static void
test_shipped_matrix_no_gaps (void)
{
  g_autoptr (BootfixRuleSet) rs = load_shipped ();
  g_autoptr (BootfixControllerDb) db = load_controllers ();
  g_autoptr (GPtrArray) ids = bootfix_controller_db_list (db);
  static const char *const arches[] = { "i386", "x86_64" };
  static const char *const variants[] = { "client", "server" };
  guint n_bootable = 0, n_skipped = 0, n_queries = 0;

  for (guint c = 0; c < ids->len; c++) {
    const char *id = ids->pdata[c];
    const BootfixController *ctl = bootfix_controller_db_lookup (db, id);
    g_assert_nonnull (ctl);
    if (!ctl->bootable) {
      n_skipped++;
      continue;
    }
    n_bootable++;
    for (guint v = 0; v < G_N_ELEMENTS (family_versions); v++)
      for (guint a = 0; a < G_N_ELEMENTS (arches); a++)
        for (guint k = 0; k < G_N_ELEMENTS (variants); k++) {
          BootfixRuleQuery q = { family_versions[v][0], family_versions[v][1],
                                 arches[a], NULL, variants[k], id, NULL };
          g_autoptr (GError) error = NULL;
          const BootfixRule *r = bootfix_rule_set_match (rs, &q, &error);
          g_assert_no_error (error);
          if (r == NULL)
            g_error ("no rule covers NT %d.%d %s %s on %s", q.major, q.minor,
                     q.arch, q.variant, id);
          n_queries++;
        }
  }
  /* piix3-ide .. nvme today; usb-storage is not bootable. */
  g_assert_cmpuint (n_bootable, >=, 10);
  g_assert_cmpuint (n_skipped, >=, 1);
  g_assert_cmpuint (n_queries, ==, n_bootable * 8 * 2 * 2);

  for (guint i = 0; i < bootfix_rule_set_size (rs); i++) {
    const BootfixRule *r = bootfix_rule_set_index (rs, i);
    for (guint j = 0; j < r->controllers->len; j++) {
      const char *id = r->controllers->pdata[j];
      const BootfixController *ctl = bootfix_controller_db_lookup (db, id);
      if (ctl == NULL || !ctl->bootable)
        g_error ("rule %s names controller '%s', which controllers.xml has "
                 "not as a bootable controller", r->id, id);
    }
  }
}

static gboolean rule_refuses (const BootfixRule *r);

/* The view a module is given (bootfix_rule_set_resolve) in every cell
 * of the matrix: the winning storage rule's id and items, then the
 * items of the matching cleanups (none after a refusal), and never a
 * cleanup that disables what the rule enables. */
static void
test_shipped_matrix_views (void)
{
  g_autoptr (BootfixRuleSet) rs = load_shipped ();
  g_autoptr (BootfixControllerDb) db = load_controllers ();
  g_autoptr (GPtrArray) ids = bootfix_controller_db_list (db);
  static const char *const arches[] = { "i386", "x86_64" };
  static const char *const variants[] = { "client", "server" };
  guint n_with_cleanups = 0;
  g_assert_cmpuint (bootfix_rule_set_n_cleanups (rs), >, 0);
  for (guint c = 0; c < ids->len; c++) {
    if (!bootfix_controller_db_lookup (db, ids->pdata[c])->bootable)
      continue;
    for (guint v = 0; v < G_N_ELEMENTS (family_versions); v++)
      for (guint a = 0; a < G_N_ELEMENTS (arches); a++)
        for (guint k = 0; k < G_N_ELEMENTS (variants); k++) {
          BootfixRuleQuery q = { family_versions[v][0], family_versions[v][1],
                                 arches[a], NULL, variants[k], ids->pdata[c], NULL };
          g_autoptr (GError) error = NULL;
          const BootfixRule *r = bootfix_rule_set_match (rs, &q, &error);
          g_autoptr (BootfixRule) view = bootfix_rule_set_resolve (rs, &q,
                                                                   &error);
          g_assert_no_error (error);
          g_assert_nonnull (view);
          g_assert_cmpstr (view->id, ==, r->id);
          g_autoptr (GPtrArray) cleanups =
            bootfix_rule_set_match_cleanups (rs, &q);
          guint extra = 0;
          for (guint i = 0; i < cleanups->len; i++)
            extra += ((const BootfixRule *) cleanups->pdata[i])->items->len;
          if (rule_refuses (r))
            extra = 0;
          g_assert_cmpuint (view->items->len, ==, r->items->len + extra);
          for (guint i = 0; i < view->items->len; i++)
            g_assert_nonnull (bootfix_rule_item_attr (view->items->pdata[i],
                                                      "rule"));
          n_with_cleanups += extra > 0;
        }
  }
  g_assert_cmpuint (n_with_cleanups, >, 0);
}

/* The whole matrix, spelled out: the rule that wins for each family
 * (columns) on each controller, for both arches unless a row names
 * one, and for both variants.  The README table is generated from the
 * same data by the same matcher (src/tools/support-matrix.c). */
typedef struct {
  const char *controller;
  const char *arch;             /* NULL: i386 and x86_64 */
  const char *expect[8];        /* 5.0 5.1 5.2 6.0 6.1 6.2 6.3 10.0 */
  const char *source;           /* driver source given (--virtio-win) */
} OutcomeRow;

#define NT5_ALL(id) id, id, id
#define NT6(id) id, id
#define NT62_ALL(id) id, id, id

static const OutcomeRow outcome_rows[] = {
  { "piix3-ide", NULL, { NT5_ALL ("nt5-piix-ide"), NT6 ("nt6-piix-ide"),
                         NT62_ALL ("nt62-piix-ide") }, NULL },
  { "piix4-ide", NULL, { NT5_ALL ("nt5-piix-ide"), NT6 ("nt6-piix-ide"),
                         NT62_ALL ("nt62-piix-ide") }, NULL },
  { "ich9-ahci", NULL, { NT5_ALL ("nt5-ich9-ahci-refuse"),
                         NT6 ("nt6-ich9-ahci"), NT62_ALL ("nt62-ich9-ahci") }, NULL },
  { "virtio-blk", NULL, { NT5_ALL ("windows-virtio-refuse"),
                          NT6 ("windows-virtio-refuse"),
                          NT62_ALL ("windows-virtio-refuse") }, NULL },
  { "virtio-scsi", NULL, { NT5_ALL ("windows-virtio-refuse"),
                           NT6 ("windows-virtio-refuse"),
                           NT62_ALL ("windows-virtio-refuse") }, NULL },
  { "lsi53c895a", "i386", { NT5_ALL ("nt5-lsi53c895a-unconfirmed"),
                            NT6 ("nt6-lsi53c895a-refuse"),
                            NT62_ALL ("nt62-lsi53c895a-refuse") }, NULL },
  { "lsi53c895a", "x86_64", { "nt5-lsi53c895a-unconfirmed",
                              "nt5-lsi53c895a-unconfirmed",
                              "nt5-lsi53c895a-x64",
                              NT6 ("nt6-lsi53c895a-refuse"),
                              NT62_ALL ("nt62-lsi53c895a-refuse") }, NULL },
  { "lsisas1068", NULL, { NT5_ALL ("nt5-sas-nvme-refuse"),
                          NT6 ("nt6-lsisas1068"),
                          NT62_ALL ("nt62-lsisas1068") }, NULL },
  { "megasas", NULL, { NT5_ALL ("nt5-sas-nvme-refuse"),
                       NT6 ("nt6-megasas-unconfirmed"),
                       NT62_ALL ("nt62-megasas-unconfirmed") }, NULL },
  { "pvscsi", NULL, { NT5_ALL ("nt5-pvscsi-refuse"), NT6 ("nt6-pvscsi-refuse"),
                      NT62_ALL ("nt62-pvscsi-refuse") }, NULL },
  { "nvme", NULL, { NT5_ALL ("nt5-sas-nvme-refuse"), NT6 ("nt6-nvme-refuse"),
                    "nt62-nvme-refuse", "nt63-nvme", "nt63-nvme" }, NULL },
  /* With --virtio-win: XP and later get the driver (CDD up to 7,
   * DriverDatabase from 8); 2000 has no virtio-win folder. */
  { "virtio-blk", NULL, { "windows-virtio-refuse",
                          "nt5-6.1-virtio-blk-virtio-win",
                          "nt5-6.1-virtio-blk-virtio-win",
                          NT6 ("nt5-6.1-virtio-blk-virtio-win"),
                          NT62_ALL ("nt6.2-virtio-blk-virtio-win") },
    "virtio-win" },
  { "virtio-scsi", NULL, { "windows-virtio-refuse",
                           "nt5-6.1-virtio-scsi-virtio-win",
                           "nt5-6.1-virtio-scsi-virtio-win",
                           NT6 ("nt5-6.1-virtio-scsi-virtio-win"),
                           NT62_ALL ("nt6.2-virtio-scsi-virtio-win") },
    "virtio-win" },
};

#undef NT5_ALL
#undef NT6
#undef NT62_ALL

static void
test_shipped_outcomes (void)
{
  g_autoptr (BootfixRuleSet) rs = load_shipped ();
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  static const char *const arches[] = { "i386", "x86_64" };
  static const char *const variants[] = { "client", "server" };
  guint n_checked = 0;

  for (guint i = 0; i < G_N_ELEMENTS (outcome_rows); i++) {
    const OutcomeRow *row = &outcome_rows[i];
    for (guint a = 0; a < G_N_ELEMENTS (arches); a++) {
      if (row->arch != NULL && !g_str_equal (row->arch, arches[a]))
        continue;
      for (guint v = 0; v < G_N_ELEMENTS (family_versions); v++)
        for (guint k = 0; k < G_N_ELEMENTS (variants); k++) {
          BootfixRuleQuery q = { family_versions[v][0], family_versions[v][1],
                                 arches[a], NULL, variants[k],
                                 row->controller, row->source };
          g_autoptr (GError) error = NULL;
          g_assert_nonnull (row->expect[v]);
          const BootfixRule *r = bootfix_rule_set_match (rs, &q, &error);
          g_assert_no_error (error);
          if (r == NULL || !g_str_equal (r->id, row->expect[v]))
            g_error ("NT %d.%d %s %s on %s: rule %s, expected %s", q.major,
                     q.minor, q.arch, q.variant, q.controller,
                     r ? r->id : "(none)", row->expect[v]);
          g_hash_table_add (seen, (gpointer) row->expect[v]);
          n_checked++;
        }
    }
  }
  /* (10 controllers + 2 with virtio-win) x 2 arches x 8 families x 2
   * variants */
  g_assert_cmpuint (n_checked, ==, 12 * 2 * 8 * 2);
  /* The table names every shipped rule: none is untested. */
  for (guint i = 0; i < bootfix_rule_set_size (rs); i++) {
    const BootfixRule *r = bootfix_rule_set_index (rs, i);
    if (!g_hash_table_contains (seen, r->id))
      g_error ("rule %s wins nowhere in the outcome table", r->id);
  }
  g_assert_cmpuint (g_hash_table_size (seen), ==, bootfix_rule_set_size (rs));
}

static gboolean
rule_refuses (const BootfixRule *r)
{
  for (guint i = 0; i < r->items->len; i++)
    if (g_str_equal (((BootfixRuleItem *) r->items->pdata[i])->kind,
                     "refuse"))
      return TRUE;
  return FALSE;
}

/* The file a service loads: the last part of its image-path, else
 * NAME.sys. */
static char *
service_file (const BootfixRuleItem *svc)
{
  const char *image = bootfix_rule_item_attr (svc, "image-path");
  if (image != NULL) {
    const char *slash = strrchr (image, '\\');
    return g_strdup (slash != NULL ? slash + 1 : image);
  }
  return g_strconcat (bootfix_rule_item_attr (svc, "name"), ".sys", NULL);
}

static gboolean
rule_checks_file (const BootfixRule *r, const char *file)
{
  for (guint i = 0; i < r->items->len; i++) {
    const BootfixRuleItem *item = r->items->pdata[i];
    if (g_str_equal (item->kind, "driver-file")
        && g_ascii_strcasecmp (bootfix_rule_item_attr (item, "name"),
                               file) == 0)
      return TRUE;
    /* A virtio-driver item installs NAME.sys itself (or refuses). */
    g_autofree char *installed = g_strconcat (bootfix_rule_item_attr (item, "name"),
                                              ".sys", NULL);
    if (g_str_equal (item->kind, "virtio-driver")
        && g_ascii_strcasecmp (installed, file) == 0)
      return TRUE;
  }
  return FALSE;
}

/* A rule never makes a driver boot-start without first checking that
 * its file is in system32\drivers: a boot-start service whose .sys is
 * missing stops Windows with the very 0x7B we are here to prevent. */
static void
test_shipped_boot_start_files (void)
{
  g_autoptr (BootfixRuleSet) rs = load_shipped ();
  guint n_fix = 0, n_boot = 0;
  for (guint i = 0; i < bootfix_rule_set_size (rs); i++) {
    const BootfixRule *r = bootfix_rule_set_index (rs, i);
    if (rule_refuses (r)) {
      g_assert_cmpuint (r->items->len, ==, 1);
      continue;
    }
    n_fix++;
    for (guint j = 0; j < r->items->len; j++) {
      const BootfixRuleItem *item = r->items->pdata[j];
      if (!g_str_equal (item->kind, "service")
          || g_strcmp0 (bootfix_rule_item_attr (item, "start"), "0") != 0)
        continue;
      g_autofree char *file = service_file (item);
      if (!rule_checks_file (r, file))
        g_error ("rule %s (%s:%d) makes %s boot-start without a "
                 "<driver-file name=\"%s\"/>", r->id, r->file, item->line,
                 bootfix_rule_item_attr (item, "name"), file);
      n_boot++;
    }
  }
  g_assert_cmpuint (n_fix, ==, 13);
  g_assert_cmpuint (n_boot, >=, n_fix);
}

/* The new fixes, item by item. */
static void
test_shipped_scsi_nvme_items (void)
{
  g_autoptr (BootfixRuleSet) rs = load_shipped ();
#define SCSI "{4D36E97B-E325-11CE-BFC1-08002BE10318}"
  static const char *const sym_hi[] = {
    "service error-control=1 group=SCSI miniport"
      " image-path=system32\\DRIVERS\\sym_hi.sys name=sym_hi start=0 type=1",
    "cdd class-guid=" SCSI " id=pci#ven_1000&dev_0012 service=sym_hi",
    "cdd class-guid={4D36E967-E325-11CE-BFC1-08002BE10318} id=gendisk"
      " service=disk",
    "driver-file name=sym_hi.sys",
    "driver-file name=scsiport.sys",
    NULL,
  };
  static const char *const lsi_sas_nt6[] = {
    "service error-control=1 group=SCSI miniport"
      " image-path=system32\\DRIVERS\\lsi_sas.sys name=LSI_SAS start=0 type=1",
    "cdd class-guid=" SCSI " id=pci#ven_1000&dev_0054 service=LSI_SAS",
    "driver-file name=lsi_sas.sys",
    "driver-file name=storport.sys",
    NULL,
  };
  static const char *const lsi_sas_nt62[] = {
    "service error-control=1 group=SCSI miniport"
      " image-path=system32\\DRIVERS\\lsi_sas.sys name=LSI_SAS start=0 type=1",
    "remove-start-override service=LSI_SAS",
    "driver-file name=lsi_sas.sys",
    "driver-file name=storport.sys",
    NULL,
  };
  static const char *const stornvme[] = {
    "service error-control=1 group=SCSI miniport"
      " image-path=system32\\DRIVERS\\stornvme.sys name=stornvme start=0"
      " type=1",
    "remove-start-override service=stornvme",
    "driver-file name=stornvme.sys",
    "driver-file name=storport.sys",
    NULL,
  };
#undef SCSI
  assert_items (find_rule (rs, "nt5-lsi53c895a-x64"), sym_hi);
  assert_items (find_rule (rs, "nt6-lsisas1068"), lsi_sas_nt6);
  assert_items (find_rule (rs, "nt62-lsisas1068"), lsi_sas_nt62);
  assert_items (find_rule (rs, "nt63-nvme"), stornvme);

  /* Refusals name a way out. */
  for (guint i = 0; i < bootfix_rule_set_size (rs); i++) {
    const BootfixRule *r = bootfix_rule_set_index (rs, i);
    if (!rule_refuses (r))
      continue;
    const char *advice = bootfix_rule_item_attr (r->items->pdata[0], "advice");
    g_assert_nonnull (advice);
    g_assert_nonnull (strstr (advice, "bus 'ide'"));
  }
}

/* --- specificity and ties, from in-memory rules ------------------- */

#define RULE(id, match) \
  "<rule id='" id "' description='d'>" match \
  "<driver-file name='" id ".sys'/></rule>\n"

static const char specificity_xml[] =
  "<rules>\n"
  RULE ("any", "<match nt-min='6.0' nt-max='6.1'/>")
  RULE ("piix", "<match nt-min='6.0' nt-max='6.1'>"
                "<controller id='piix3-ide'/></match>")
  RULE ("piix-win7", "<match nt-min='6.0' nt-max='6.1' osinfo='win7'>"
                     "<controller id='piix3-ide'/></match>")
  RULE ("narrow", "<match nt-min='6.1' nt-max='6.1'/>")
  RULE ("server64", "<match arch='x86_64' variant='server'/>")
  RULE ("v-server", "<match nt-min='6.0' nt-max='6.1' variant='server'/>")
  RULE ("a-i386", "<match nt-min='6.0' nt-max='6.1' arch='i386'/>")
  "</rules>\n";

typedef struct {
  int major, minor;
  const char *arch, *osinfo, *variant, *controller;
  const char *expect;
} SpecCase;

static void
test_specificity (void)
{
  static const SpecCase cases[] = {
    { 6, 0, NULL, NULL, NULL, "ich9-ahci", "any" },
    { 6, 1, NULL, NULL, NULL, "ich9-ahci", "narrow" },  /* narrower range */
    { 6, 0, NULL, "win7", NULL, "piix3-ide", "piix-win7" },
    { 6, 0, NULL, "winvista", NULL, "piix3-ide", "piix" },
    { 6, 1, NULL, NULL, NULL, "piix3-ide", "piix" },  /* 1 field > range */
    /* 2 fields each: the open range of server64 is wider */
    { 6, 1, "x86_64", "win7", "server", "piix3-ide", "piix-win7" },
    { 6, 1, "x86_64", NULL, "server", "ich9-ahci", "server64" },
    { 6, 2, "x86_64", NULL, "client", NULL, NULL },
    { 10, 0, "X86_64", NULL, "SERVER", NULL, "server64" },
    { 10, 0, NULL, NULL, "server", NULL, NULL },  /* unknown arch */
    { 6, 0, NULL, NULL, "server", "ich9-ahci", "v-server" },
    { 6, 1, NULL, NULL, "server", NULL, "v-server" },
    { 6, 0, "i386", NULL, "client", "ich9-ahci", "a-i386" },
    { 6, 1, "i386", "win7", NULL, NULL, "a-i386" },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixRuleSet) rs = load_string (specificity_xml, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bootfix_rule_set_size (rs), ==, 7);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    const SpecCase *c = &cases[i];
    BootfixRuleQuery q = { c->major, c->minor, c->arch, c->osinfo,
                           c->variant, c->controller, NULL };
    g_test_message ("case %u", i);
    const BootfixRule *r = bootfix_rule_set_match (rs, &q, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (r ? r->id : NULL, ==, c->expect);
  }
}

static const char tie_xml[] =
  "<rules>\n"
  RULE ("ide-a", "<match nt-min='6.0' nt-max='6.1'>"
                 "<controller id='piix3-ide'/></match>")
  RULE ("ide-b", "<match nt-min='6.1' nt-max='6.2'>"
                 "<controller id='piix3-ide'/></match>")
  RULE ("ide-b-i386", "<match nt-min='6.1' nt-max='6.1' arch='i386'>"
                      "<controller id='piix3-ide'/></match>")
  "</rules>\n";

static void
test_tie (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixRuleSet) rs = load_string (tie_xml, &error);
  g_assert_no_error (error);

  /* Only one of the pair matches 6.0 and 6.2: no tie there. */
  BootfixRuleQuery q = { 6, 0, "x86_64", NULL, NULL, "piix3-ide", NULL };
  const BootfixRule *r = bootfix_rule_set_match (rs, &q, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (r->id, ==, "ide-a");

  /* 6.1 x86_64: both match, one field each, same width. */
  q.minor = 1;
  r = bootfix_rule_set_match (rs, &q, &error);
  g_assert_null (r);
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_INVALID_DATA);
  g_assert_cmpstr (error->message, ==,
                   "rules 'ide-a' (mem.xml:2) and 'ide-b' (mem.xml:3) match "
                   "equally well; make one of them more specific");
  g_clear_error (&error);

  /* A more specific third rule settles the tie below it. */
  q.arch = "i386";
  r = bootfix_rule_set_match (rs, &q, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (r->id, ==, "ide-b-i386");
}

static void
test_parsed_fields (void)
{
  static const char xml[] =
    "<rules>\n"
    "  <!-- a comment -->\n"
    "  <rule id='r1' description='Some text, with &amp; and &lt;'>\n"
    "    <match nt-min='0.0' nt-max='99.99' arch='i386' osinfo='win2k8r2'"
    "           variant='server'/>\n"
    "    <service name='LSI_SAS' start='4' type='32' error-control='3'/>\n"
    "    <cdd id='pci#ven_1000&amp;dev_0054' service='LSI_SAS'"
    "         class-guid='{4d36e97b-e325-11ce-bfc1-08002be10318}'/>\n"
    "  </rule>\n"
    "</rules>\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixRuleSet) rs =
    bootfix_rule_set_load_data (xml, strlen (xml), "/some/where/x.xml", &error);
  g_assert_no_error (error);
  const BootfixRule *r = bootfix_rule_set_index (rs, 0);
  g_assert_cmpstr (r->id, ==, "r1");
  g_assert_cmpstr (r->description, ==, "Some text, with & and <");
  g_assert_cmpstr (r->file, ==, "x.xml");
  g_assert_cmpint (r->line, ==, 3);
  g_assert_cmpint (r->nt_min, ==, 0);
  g_assert_cmpint (r->nt_max, ==, 9999);
  g_assert_cmpstr (r->arch, ==, "i386");
  g_assert_cmpstr (r->osinfo, ==, "win2k8r2");
  g_assert_cmpstr (r->variant, ==, "server");
  g_assert_cmpuint (r->controllers->len, ==, 0);
  static const char *const expect[] = {
    "service error-control=3 name=LSI_SAS start=4 type=32",
    "cdd class-guid={4d36e97b-e325-11ce-bfc1-08002be10318}"
      " id=pci#ven_1000&dev_0054 service=LSI_SAS",
    NULL,
  };
  assert_items (r, expect);
  const BootfixRuleItem *svc = r->items->pdata[0];
  g_assert_cmpint (svc->line, ==, 5);
  g_assert_cmpstr (bootfix_rule_item_attr (svc, "start"), ==, "4");
  g_assert_null (bootfix_rule_item_attr (svc, "group"));
}

/* An empty <rules/> file is allowed (a placeholder family file). */
static void
test_empty_file (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixRuleSet) rs = load_string ("<rules/>", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bootfix_rule_set_size (rs), ==, 0);
  BootfixRuleQuery q = { 6, 1, NULL, NULL, NULL, "piix3-ide", NULL };
  g_assert_null (bootfix_rule_set_match (rs, &q, &error));
  g_assert_no_error (error);
}

/* --- bad input ---------------------------------------------------- */

static char *
make_too_many_items (void)
{
  g_autoptr (GString) s = g_string_new ("<rules>\n<rule id='big' "
                                        "description='d'>\n<match/>\n");
  for (int i = 0; i < 129; i++)
    g_string_append_printf (s, "<driver-file name='f%d.sys'/>\n", i);
  g_string_append (s, "</rule>\n</rules>\n");
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static char *
make_too_many_controllers (void)
{
  g_autoptr (GString) s = g_string_new ("<rules>\n<rule id='c' "
                                        "description='d'>\n<match>\n");
  for (int i = 0; i < 33; i++)
    g_string_append_printf (s, "<controller id='c%d'/>\n", i);
  g_string_append (s, "</match><driver-file name='x.sys'/></rule></rules>");
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static char *
make_too_many_rules (void)
{
  g_autoptr (GString) s = g_string_new ("<rules>\n");
  for (int i = 0; i < 1025; i++)
    g_string_append_printf (s, "<rule id='r%d' description='d'><match/>"
                            "<driver-file name='x.sys'/></rule>\n", i);
  g_string_append (s, "</rules>\n");
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static char *
make_long_attribute (void)
{
  g_autofree char *name = g_strnfill (257, 'a');
  return g_strdup_printf ("<rules>\n<rule id='l' description='d'><match/>\n"
                          "<driver-file name='%s'/></rule></rules>", name);
}

typedef struct {
  const char *name;
  const char *xml;         /* document, or NULL: make() or file */
  char *(*make) (void);
  const char *file;        /* under $BOOTFIX_TEST_DATA/rules */
  const char *expect;      /* substring of the message */
} BadCase;

#define HEAD "<rules>\n<rule id='r' description='d'>\n"
#define TAIL "</rule>\n</rules>\n"
#define SVC "<service name='atapi' start='0'/>\n"

static const BadCase bad_cases[] = {
  { "malformed-memory", "<rules>\n<rule id='a'>\n</rules>\n", NULL, NULL,
    "mem.xml:4: Premature end of data in tag rules line 1" },
  { "malformed-file", NULL, NULL, "malformed.xml",
    "malformed.xml:8: Premature end of data in tag rules line 3" },
  { "doctype-entity-file", NULL, NULL, "doctype-entity.xml",
    "doctype-entity.xml: a DOCTYPE declaration is not allowed" },
  { "doctype-memory", "<!DOCTYPE rules [<!ENTITY x 'y'>]>\n<rules/>", NULL,
    NULL, "mem.xml: a DOCTYPE declaration is not allowed" },
  { "undefined-entity", HEAD "<match/>\n<refuse reason='&x;'/>\n" TAIL, NULL,
    NULL, "mem.xml:4: " },
  { "duplicate-dir", NULL, NULL, "dup",
    "20-second.xml:8: duplicate rule id 'same-id' "
    "(first defined at 10-first.xml:4)" },
  { "duplicate-file", HEAD "<match/>\n" SVC "</rule>\n"
    "<rule id='r' description='e'><match/>" SVC "</rule></rules>", NULL, NULL,
    "mem.xml:6: duplicate rule id 'r' (first defined at mem.xml:2)" },
  { "no-xml-dir", NULL, NULL, "no-xml", "no-xml: no *.xml rule files" },
  { "unknown-element", HEAD "<match/>\n<frobnicate/>\n" TAIL, NULL, NULL,
    "mem.xml:4: unknown element <frobnicate> in a rule" },
  { "unknown-element-rules", "<rules>\n<rul/>\n</rules>", NULL, NULL,
    "mem.xml:2: unknown element <rul> inside <rules>" },
  { "unknown-element-match", HEAD "<match>\n<os id='x'/></match>\n" SVC TAIL,
    NULL, NULL, "mem.xml:4: unknown element <os> inside <match>" },
  { "unknown-attribute", HEAD "<match/>\n"
    "<service name='atapi' start='0' colour='red'/>\n" TAIL, NULL, NULL,
    "mem.xml:4: unknown attribute 'colour' on <service>" },
  { "namespaced-attribute", "<rules>\n<rule id='r' description='d' "
    "xml:lang='en'><match/>" SVC TAIL, NULL, NULL,
    "mem.xml:2: unknown attribute 'lang' on <rule>" },
  { "unknown-attribute-root", "<rules version='2'/>", NULL, NULL,
    "mem.xml:1: unknown attribute 'version' on <rules>" },
  { "wrong-root", "<rule id='r'/>", NULL, NULL,
    "mem.xml:1: the root element must be <rules>, not <rule>" },
  { "namespaced-root", "<rules xmlns='urn:x'/>", NULL, NULL,
    "mem.xml:1: element <rules> must not be in a namespace" },
  { "controller-child", HEAD "<match>\n<controller id='piix3-ide'>\n"
    "<pci id='8086:7010'/></controller></match>\n" SVC TAIL, NULL, NULL,
    "mem.xml:5: <controller> takes no child elements" },
  { "namespaced-item", "<rules xmlns:x='urn:x'>\n<rule id='r' "
    "description='d'>\n<match/>\n<x:service name='a' start='0'/>\n" TAIL,
    NULL, NULL, "mem.xml:4: unknown element <service> in a rule" },
  { "nt-min-above-nt-max", HEAD "<match nt-min='6.1' nt-max='6.0'/>\n" SVC
    TAIL, NULL, NULL, "mem.xml:3: nt-min 6.1 is above nt-max 6.0" },
  { "bad-version", HEAD "<match nt-min='6.x'/>\n" SVC TAIL, NULL, NULL,
    "mem.xml:3: <match> attribute 'nt-min': must be an NT version" },
  { "version-leading-zero", HEAD "<match nt-max='6.01'/>\n" SVC TAIL, NULL,
    NULL, "mem.xml:3: <match> attribute 'nt-max': must be an NT version" },
  { "version-no-dot", HEAD "<match nt-max='6'/>\n" SVC TAIL, NULL, NULL,
    "mem.xml:3: <match> attribute 'nt-max'" },
  { "version-too-big", HEAD "<match nt-max='100.0'/>\n" SVC TAIL, NULL, NULL,
    "mem.xml:3: <match> attribute 'nt-max'" },
  { "version-sign", HEAD "<match nt-min='+6.0'/>\n" SVC TAIL, NULL, NULL,
    "mem.xml:3: <match> attribute 'nt-min'" },
  { "bad-arch", HEAD "<match arch='arm'/>\n" SVC TAIL, NULL, NULL,
    "mem.xml:3: <match> attribute 'arch': must be \"i386\" or \"x86_64\"" },
  { "bad-variant", HEAD "<match variant='Server'/>\n" SVC TAIL, NULL, NULL,
    "mem.xml:3: <match> attribute 'variant'" },
  { "upper-case-controller", HEAD "<match>\n<controller id='PIIX3'/>"
    "</match>\n" SVC TAIL, NULL, NULL,
    "mem.xml:4: <controller> attribute 'id': must be lower-case" },
  { "controller-without-id", HEAD "<match>\n<controller/></match>\n" SVC
    TAIL, NULL, NULL, "mem.xml:4: <controller> needs attribute 'id'" },
  { "start-9", HEAD "<match/>\n<service name='atapi' start='9'/>\n" TAIL,
    NULL, NULL,
    "mem.xml:4: <service> attribute 'start': must be a number from 0 to 4" },
  { "start-00", HEAD "<match/>\n<service name='atapi' start='00'/>\n" TAIL,
    NULL, NULL, "mem.xml:4: <service> attribute 'start'" },
  { "bad-type", HEAD "<match/>\n<service name='a' start='0' type='7'/>\n"
    TAIL, NULL, NULL,
    "mem.xml:4: <service> attribute 'type': must be 1, 2, 16 or 32" },
  { "bad-error-control", HEAD "<match/>\n"
    "<service name='a' start='0' error-control='4'/>\n" TAIL, NULL, NULL,
    "mem.xml:4: <service> attribute 'error-control'" },
  { "bad-guid", HEAD "<match/>\n<cdd id='gendisk' service='disk' "
    "class-guid='{4D36E967-E325-11CE-BFC1-08002BE1031}'/>\n" TAIL, NULL, NULL,
    "mem.xml:4: <cdd> attribute 'class-guid': must be a GUID" },
  { "guid-no-braces", HEAD "<match/>\n<cdd id='gendisk' service='disk' "
    "class-guid='4D36E967-E325-11CE-BFC1-08002BE10318'/>\n" TAIL, NULL, NULL,
    "mem.xml:4: <cdd> attribute 'class-guid'" },
  { "guid-not-hex", HEAD "<match/>\n<cdd id='gendisk' service='disk' "
    "class-guid='{4D36E967-E325-11CE-BFC1-08002BE1031G}'/>\n" TAIL, NULL,
    NULL, "mem.xml:4: <cdd> attribute 'class-guid'" },
  { "cdd-backslash", HEAD "<match/>\n<cdd id='PCI\\VEN_8086' service='x' "
    "class-guid='{4D36E967-E325-11CE-BFC1-08002BE10318}'/>\n" TAIL, NULL,
    NULL, "mem.xml:4: <cdd> attribute 'id': must be printable ASCII" },
  { "driver-file-path", HEAD "<match/>\n<driver-file name='../x.sys'/>\n"
    TAIL, NULL, NULL, "mem.xml:4: <driver-file> attribute 'name'" },
  { "driver-file-backslash", HEAD "<match/>\n"
    "<driver-file name='..\\x.sys'/>\n" TAIL, NULL, NULL,
    "mem.xml:4: <driver-file> attribute 'name'" },
  { "empty-id", "<rules>\n<rule id='' description='d'><match/>" SVC TAIL,
    NULL, NULL, "mem.xml:2: <rule> attribute 'id': must not be empty" },
  { "missing-id", "<rules>\n<rule description='d'><match/>" SVC TAIL, NULL,
    NULL, "mem.xml:2: <rule> needs attribute 'id'" },
  { "missing-attribute", HEAD "<match/>\n<service name='atapi'/>\n" TAIL,
    NULL, NULL, "mem.xml:4: <service> needs attribute 'start'" },
  { "missing-reason", HEAD "<match/>\n<refuse advice='x'/>\n" TAIL, NULL,
    NULL, "mem.xml:4: <refuse> needs attribute 'reason'" },
  { "control-character", HEAD "<match/>\n<refuse reason='a&#10;b'/>\n" TAIL,
    NULL, NULL,
    "mem.xml:4: <refuse> attribute 'reason': contains a control character" },
  { "too-long", NULL, make_long_attribute, NULL,
    "mem.xml:3: <driver-file> attribute 'name': is too long" },
  { "too-many-items", NULL, make_too_many_items, NULL,
    "mem.xml:132: rule 'big' has more than 128 items" },
  { "too-many-controllers", NULL, make_too_many_controllers, NULL,
    "mem.xml:36: more than 32 controllers in one rule" },
  { "too-many-rules", NULL, make_too_many_rules, NULL,
    "mem.xml:1026: more than 1024 rules" },
  { "no-match", HEAD SVC TAIL, NULL, NULL,
    "mem.xml:2: rule 'r' must start with <match>" },
  { "match-not-first", HEAD SVC "<match/>\n" TAIL, NULL, NULL,
    "mem.xml:2: rule 'r' must start with <match>" },
  { "two-matches", HEAD "<match/>\n" SVC "<match/>\n" TAIL, NULL, NULL,
    "mem.xml:5: rule 'r' has more than one <match>" },
  { "no-items", HEAD "<match/>\n" TAIL, NULL, NULL,
    "mem.xml:2: rule 'r' has no items" },
  { "refuse-and-more", HEAD "<match/>\n" SVC "<refuse reason='no'/>\n" TAIL,
    NULL, NULL, "mem.xml:5: <refuse> must be the only item of rule 'r'" },
  { "text-content", HEAD "<match/>\nhello\n" SVC TAIL, NULL, NULL,
    "mem.xml:2: unexpected content inside <rule>" },
  { "item-child", HEAD "<match/>\n<service name='a' start='0'>\n<x/>"
    "</service>\n" TAIL, NULL, NULL,
    "mem.xml:5: <service> takes no child elements" },
  { "processing-instruction", HEAD "<match/>\n<?pi x?>\n" SVC TAIL, NULL,
    NULL, "mem.xml:2: unexpected content inside <rule>" },
  { "empty-document", "", NULL, NULL, "mem.xml:" },
};

static BootfixRuleSet *
load_bad_case (const BadCase *c, GError **error)
{
  if (c->file != NULL) {
    g_autofree char *path = g_build_filename (test_data_dir (), "rules",
                                              c->file, NULL);
    if (g_file_test (path, G_FILE_TEST_IS_DIR))
      return bootfix_rule_set_load_dir (path, error);
    /* A single file: load it alone (the file name stays in errors). */
    g_autofree char *data = NULL;
    gsize len = 0;
    g_assert_true (g_file_get_contents (path, &data, &len, NULL));
    return bootfix_rule_set_load_data (data, len, path, error);
  }
  if (c->make != NULL) {
    g_autofree char *xml = c->make ();
    return load_string (xml, error);
  }
  return load_string (c->xml, error);
}

static void
test_bad_input (void)
{
  g_assert_cmpuint (G_N_ELEMENTS (bad_cases), >=, 12);
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++) {
    const BadCase *c = &bad_cases[i];
    g_autoptr (GError) error = NULL;
    g_test_message ("bad case %s", c->name);
    g_autoptr (BootfixRuleSet) rs = load_bad_case (c, &error);
    g_assert_null (rs);
    g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_INVALID_DATA);
    g_test_message ("  -> %s", error->message);
    if (strstr (error->message, c->expect) == NULL)
      g_error ("case %s: \"%s\" does not contain \"%s\"", c->name,
               error->message, c->expect);
  }
}

static void
test_missing_dir (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixRuleSet) rs =
    bootfix_rule_set_load_dir ("/nonexistent/bootfix-rules", &error);
  g_assert_null (rs);
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "/nonexistent/bootfix-rules"));
}

/* Rules with driver-source="virtio-win" apply only when the user gave
 * that tree, and then win over the plain refusal. */
static void
test_driver_source (void)
{
  g_autoptr (BootfixRuleSet) rs = load_shipped ();
  static const struct {
    int major, minor;
    const char *arch, *osinfo, *variant, *controller, *source, *want;
  } cases[] = {
    { 6, 1, "x86_64", "win7", "client", "virtio-blk", NULL, "windows-virtio-refuse" },
    { 6, 1, "x86_64", "win7", "client", "virtio-blk", "virtio-win", "nt5-6.1-virtio-blk-virtio-win" },
    { 5, 1, "i386", "winxp", "client", "virtio-scsi", "virtio-win", "nt5-6.1-virtio-scsi-virtio-win" },
    { 5, 0, "i386", "win2k", "client", "virtio-blk", "virtio-win", "windows-virtio-refuse" },
    { 10, 0, "x86_64", "win10", "client", "virtio-blk", "virtio-win", "nt6.2-virtio-blk-virtio-win" },
    { 10, 0, "x86_64", "win2k19", "server", "virtio-scsi", "virtio-win", "nt6.2-virtio-scsi-virtio-win" },
    { 6, 1, "x86_64", "win7", "client", "ich9-ahci", "virtio-win", "nt6-ich9-ahci" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    BootfixRuleQuery q = { cases[i].major, cases[i].minor, cases[i].arch, cases[i].osinfo,
                           cases[i].variant, cases[i].controller, cases[i].source };
    g_autoptr (GError) error = NULL;
    const BootfixRule *r = bootfix_rule_set_match (rs, &q, &error);
    g_assert_no_error (error);
    g_assert_nonnull (r);
    g_assert_cmpstr (r->id, ==, cases[i].want);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/rules/driver-source", test_driver_source);
  g_test_add_func ("/rules/data-dir", test_data_dir_lookup);
  g_test_add_func ("/rules/shipped/load", test_shipped_load);
  g_test_add_func ("/rules/shipped/match", test_shipped_match);
  g_test_add_func ("/rules/shipped/win7-items", test_shipped_win7_items);
  g_test_add_func ("/rules/shipped/xp-ahci-refusal",
                   test_shipped_xp_ahci_refusal);
  g_test_add_func ("/rules/shipped/win10-ahci-items",
                   test_shipped_win10_ahci_items);
  g_test_add_func ("/rules/shipped/no-ties", test_shipped_no_ties);
  g_test_add_func ("/rules/shipped/matrix-no-gaps",
                   test_shipped_matrix_no_gaps);
  g_test_add_func ("/rules/shipped/outcomes", test_shipped_outcomes);
  g_test_add_func ("/rules/shipped/matrix-views", test_shipped_matrix_views);
  g_test_add_func ("/rules/shipped/boot-start-files",
                   test_shipped_boot_start_files);
  g_test_add_func ("/rules/shipped/scsi-nvme-items",
                   test_shipped_scsi_nvme_items);
  g_test_add_func ("/rules/specificity", test_specificity);
  g_test_add_func ("/rules/tie", test_tie);
  g_test_add_func ("/rules/parsed-fields", test_parsed_fields);
  g_test_add_func ("/rules/empty-file", test_empty_file);
  g_test_add_func ("/rules/bad-input", test_bad_input);
  g_test_add_func ("/rules/missing-dir", test_missing_dir);
  return g_test_run ();
}
