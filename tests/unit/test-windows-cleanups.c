/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The windows module's cleanups, run for real: the built module plans
 * through the real host table against a guest held in memory whose
 * SYSTEM hive is built by the test (host-harness.h: registry reads go
 * through the executor's hive cache, the rule view is one of rules.c),
 * and the plan is applied with hive.c as the executor does.  No
 * appliance.  The base hive is
 * tests/unit/data/bcd/mini-bcd (ours); the control sets are added to it
 * by the test. */
#include "config.h"

#include <hivex.h>

#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "bootfix-error.h"
#include "bootfix-module.h"
#include "host-harness.h"
#include "hive.h"
#include "plan.h"
#include "rules.h"

#define DISK "{4D36E967-E325-11CE-BFC1-08002BE10318}"
#define SCSI "{4D36E97B-E325-11CE-BFC1-08002BE10318}"
#define CLASS_DISK(n) "ControlSet00" n "\\Control\\Class\\" DISK
#define SERVICE(n, s) "ControlSet00" n "\\Services\\" s

/* --- hives --------------------------------------------------------- */

static GPtrArray *
new_changes (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_change_free);
}

static void
put (BootfixHive *hive, const char *path, const char *name, guint32 type,
     const void *data, gsize len)
{
  g_autoptr (BootfixPlan) plan = bootfix_plan_new ();
  g_autoptr (GPtrArray) changes = new_changes ();
  g_autoptr (GError) error = NULL;
  bootfix_plan_add (plan, BOOTFIX_ACTION_SET_VALUE, "SYSTEM", path, name, type,
                    data, len, "seed");
  g_assert_true (bootfix_hive_apply (hive, plan->actions->pdata[0], "SYSTEM",
                                     TRUE, changes, &error));
  g_assert_no_error (error);
}

static void
put_dword (BootfixHive *hive, const char *path, const char *name, guint32 v)
{
  const guint8 le[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff,
                         v >> 24 };
  put (hive, path, name, BOOTFIX_REG_DWORD, le, 4);
}

/* REG_MULTI_SZ in the ABI's form: each entry in UTF-8 with its NUL,
 * then one more NUL (the hive holds it as UTF-16LE; test-hive.c checks
 * that conversion). */
static GBytes *
multi_sz (const char *const *entries)
{
  GByteArray *out = g_byte_array_new ();
  for (const char *const *e = entries; *e != NULL; e++)
    g_byte_array_append (out, (const guint8 *) *e, (guint) strlen (*e) + 1);
  g_byte_array_append (out, (const guint8 *) "", 1);
  return g_byte_array_free_to_bytes (out);
}

static void
put_list (BootfixHive *hive, const char *path, const char *name,
          const char *const *entries)
{
  g_autoptr (GBytes) b = multi_sz (entries);
  put (hive, path, name, BOOTFIX_REG_MULTI_SZ, g_bytes_get_data (b, NULL),
       g_bytes_get_size (b));
}

static void
assert_list (BootfixHive *hive, const char *path, const char *name,
             const char *const *entries)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) got = NULL;
  guint32 type = 0;
  g_assert_cmpint (bootfix_hive_get_value (hive, path, name, &type, &got,
                                           &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpuint (type, ==, BOOTFIX_REG_MULTI_SZ);
  g_autoptr (GBytes) want = multi_sz (entries);
  if (!g_bytes_equal (got, want)) {
    g_autofree char *g = bootfix_value_to_string (type, got);
    g_autofree char *w = bootfix_value_to_string (type, want);
    g_error ("%s\\%s: %s, expected %s", path, name, g, w);
  }
}

static guint32
get_dword (BootfixHive *hive, const char *path, const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) got = NULL;
  guint32 type = 0;
  if (bootfix_hive_get_value (hive, path, name, &type, &got, &error) != 1)
    return G_MAXUINT32;
  g_assert_cmpuint (type, ==, BOOTFIX_REG_DWORD);
  g_assert_cmpuint (g_bytes_get_size (got), ==, 4);
  const guint8 *p = g_bytes_get_data (got, NULL);
  return p[0] | p[1] << 8 | p[2] << 16 | (guint32) p[3] << 24;
}

/* --- planning and applying ----------------------------------------- */

static const BootfixModule *
windows_module (void)
{
  const BootfixModule *mod = harness_module ("BOOTFIX_TEST_WINDOWS_MODULE");
  g_assert_cmpstr (mod->m.name, ==, "windows");
  return mod;
}

/* A guest with hive as its SYSTEM hive and every driver file the rule
 * names (the module refuses when one is missing). */
static BootfixGuest *
guest_with (BootfixHive *hive, const BootfixRule *view)
{
  BootfixGuest *guest = harness_guest_new ();
  harness_add_hive (guest, "SYSTEM", hive);
  for (guint i = 0; view && i < view->items->len; i++) {
    const BootfixRuleItem *it = view->items->pdata[i];
    const char *name = bootfix_rule_item_attr (it, "name");
    if (!g_str_equal (it->kind, "driver-file") || name == NULL)
      continue;
    g_autofree char *rel = g_strconcat ("system32/drivers/", name, NULL);
    g_autoptr (GBytes) sys = g_bytes_new_static ("MZ", 2);
    harness_add_windows_file (guest, rel, sys);
  }
  return guest;
}

/* Plan with the module, then apply the plan to the guest's hive as the
 * executor does; returns the changes ("TARGET <- REASON" each, in plan
 * order, for registry values and new keys). */
static GPtrArray *
plan_and_apply (Harness *f)
{
  g_autoptr (GPtrArray) changes = harness_plan_and_apply (f, windows_module (),
                                                          NULL);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < changes->len; i++) {
    const BootfixChange *c = changes->pdata[i];
    g_ptr_array_add (out, g_strdup_printf ("%s <- %s", c->target, c->reason));
  }
  return out;
}

static gboolean
has_change (GPtrArray *changes, const char *line)
{
  for (guint i = 0; i < changes->len; i++)
    if (g_str_equal (changes->pdata[i], line))
      return TRUE;
  return FALSE;
}

static guint
count_changes (GPtrArray *changes, const char *part)
{
  guint n = 0;
  for (guint i = 0; i < changes->len; i++)
    n += strstr (changes->pdata[i], part) != NULL;
  return n;
}

static void
dump_changes (GPtrArray *changes)
{
  for (guint i = 0; i < changes->len; i++)
    g_test_message ("  %s", (char *) changes->pdata[i]);
}

/* A SYSTEM hive with three control sets (001 current, 002, 005) and
 * leftovers of Xen and Parallels in some of them. */
static BootfixHive *
make_leftover_hive (char **path)
{
  *path = harness_copy_mini_bcd ();
  g_autoptr (GError) error = NULL;
  BootfixHive *hive = bootfix_hive_open (*path, "SYSTEM", TRUE, &error);
  g_assert_no_error (error);
  put_dword (hive, "Select", "Current", 1);
  for (const char *const *s = (const char *const[]) { "1", "2", "5", NULL };
       *s != NULL; s++) {
    g_autofree char *svc = g_strdup_printf ("ControlSet00%s\\Services", *s);
    g_autofree char *atapi = g_strconcat (svc, "\\atapi", NULL);
    put_dword (hive, atapi, "Start", 3);
  }
  /* rhelscsi in 001 and 005, not 002. */
  put_dword (hive, SERVICE ("1", "rhelscsi"), "Start", 1);
  put_dword (hive, SERVICE ("5", "rhelscsi"), "Start", 2);
  put_dword (hive, SERVICE ("1", "prl_strg"), "Start", 0);
  put_dword (hive, SERVICE ("2", "prl_strg"), "Start", 0);
  /* A service key without Start is not touched either. */
  put_dword (hive, SERVICE ("5", "prl_strg"), "Type", 1);
  put_list (hive, CLASS_DISK ("1"), "LowerFilters",
            (const char *const[]) { "prl_strg", "EhStorClass", NULL });
  put_list (hive, CLASS_DISK ("1"), "UpperFilters",
            (const char *const[]) { "PartMgr", "prl_strg", NULL });
  put_list (hive, CLASS_DISK ("2"), "LowerFilters",
            (const char *const[]) { "iaStorF", "", "PRL_STRG", "prl_strg2",
                                    "prl_str", NULL });
  put_list (hive, "ControlSet001\\Control\\Class\\" SCSI, "LowerFilters",
            (const char *const[]) { "prl_strg", NULL });
  return hive;
}

/* Planning again on the fixed guest (the hive as written back) changes
 * nothing. */
static void
assert_second_plan_empty (BootfixGuest *guest, const BootfixRule *view)
{
  Harness f;
  harness_init (&f, guest, view);
  g_autoptr (GPtrArray) second = plan_and_apply (&f);
  dump_changes (second);
  g_assert_cmpuint (second->len, ==, 0);
  harness_clear (&f);
}

/* The shipped rules and cleanups on Windows 10 with IDE: the storage
 * fix plus every cleanup, in every control set that has what it
 * changes, and nothing created for a cleanup. */
static void
test_shipped (void)
{
  g_autofree char *dir = g_build_filename (bootfix_data_dir (), "rules", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixRuleSet) rs = bootfix_rule_set_load_dir (dir, &error);
  g_assert_no_error (error);
  BootfixRuleQuery q = {
    .major = 10, .minor = 0, .arch = "x86_64", .osinfo = "win10",
    .variant = "client", .controller = "piix3-ide",
  };
  g_autoptr (BootfixRule) view = bootfix_rule_set_resolve (rs, &q, &error);
  g_assert_no_error (error);
  g_autofree char *path = NULL;
  g_autoptr (BootfixHive) built = make_leftover_hive (&path);
  g_autoptr (BootfixGuest) guest = guest_with (built, view);
  Harness f;
  harness_init (&f, guest, view);
  g_autoptr (GTimer) timer = g_timer_new ();
  g_autoptr (GPtrArray) changes = plan_and_apply (&f);
  BootfixHive *hive = harness_hive (&f, "SYSTEM");
  g_test_message ("planned in %.3f s with %u registry reads",
                  g_timer_elapsed (timer, NULL), f.n_reads);
  dump_changes (changes);
  g_assert_false (f.plan->refused);
  g_assert_cmpuint (f.warnings->len, ==, 0);

#define XEN "p2v-xen-pv-storage: leftover Xen PV storage driver of the old " \
  "hypervisor (disabled; the key stays for its uninstaller)"
#define PRL_FILTER "p2v-parallels-storage: leftover Parallels storage " \
  "filter of the old hypervisor"
#define PRL_SERVICE "p2v-parallels-storage: leftover Parallels storage " \
  "filter driver of the old hypervisor (disabled; the key stays for its " \
  "uninstaller)"
  /* The storage rule, with its id as the reason, as before. */
  g_assert_true (has_change (changes, "HKLM\\SYSTEM\\ControlSet001\\Services"
                             "\\atapi\\Start <- nt62-piix-ide"));
  g_assert_true (has_change (changes, "HKLM\\SYSTEM\\" SERVICE ("1", "rhelscsi")
                             "\\Start <- " XEN));
  g_assert_true (has_change (changes, "HKLM\\SYSTEM\\" SERVICE ("5", "rhelscsi")
                             "\\Start <- " XEN));
  g_assert_true (has_change (changes, "HKLM\\SYSTEM\\" SERVICE ("1", "prl_strg")
                             "\\Start <- " PRL_SERVICE));
  g_assert_true (has_change (changes, "HKLM\\SYSTEM\\" SERVICE ("2", "prl_strg")
                             "\\Start <- " PRL_SERVICE));
  g_assert_true (has_change (changes, "HKLM\\SYSTEM\\" CLASS_DISK ("1")
                             "\\LowerFilters <- " PRL_FILTER));
  g_assert_true (has_change (changes, "HKLM\\SYSTEM\\" CLASS_DISK ("2")
                             "\\LowerFilters <- " PRL_FILTER));
  /* Nothing else: no key created for rhelscsi in 002 or a Start for
   * prl_strg in 005, and the other lists are not touched. */
  g_assert_cmpuint (count_changes (changes, "p2v-"), ==, 6);
  g_assert_cmpuint (count_changes (changes, "rhelscsi"), ==, 2);
  g_assert_cmpuint (count_changes (changes, "Filters"), ==, 2);

  g_assert_cmpuint (get_dword (hive, SERVICE ("1", "rhelscsi"), "Start"), ==,
                    4);
  g_assert_cmpuint (get_dword (hive, SERVICE ("5", "rhelscsi"), "Start"), ==,
                    4);
  g_assert_cmpuint (get_dword (hive, SERVICE ("2", "rhelscsi"), "Start"), ==,
                    G_MAXUINT32);
  g_assert_cmpuint (get_dword (hive, SERVICE ("5", "prl_strg"), "Start"), ==,
                    G_MAXUINT32);
  g_assert_cmpuint (get_dword (hive, SERVICE ("5", "prl_strg"), "Type"), ==, 1);
  assert_list (hive, CLASS_DISK ("1"), "LowerFilters",
               (const char *const[]) { "EhStorClass", NULL });
  assert_list (hive, CLASS_DISK ("1"), "UpperFilters",
               (const char *const[]) { "PartMgr", "prl_strg", NULL });
  /* Order kept, empty entries dropped, case ignored, only whole names. */
  assert_list (hive, CLASS_DISK ("2"), "LowerFilters",
               (const char *const[]) { "iaStorF", "prl_strg2", "prl_str",
                                       NULL });
  assert_list (hive, "ControlSet001\\Control\\Class\\" SCSI, "LowerFilters",
               (const char *const[]) { "prl_strg", NULL });

  /* The result survives a commit. */
  g_autofree char *out = g_strconcat (path, ".new", NULL);
  g_assert_true (bootfix_hive_commit (hive, out, &error));
  g_autoptr (BootfixHive) again = bootfix_hive_open (out, "SYSTEM", FALSE,
                                                     &error);
  g_assert_no_error (error);
  assert_list (again, CLASS_DISK ("2"), "LowerFilters",
               (const char *const[]) { "iaStorF", "prl_strg2", "prl_str",
                                       NULL });

  harness_clear (&f);
  assert_second_plan_empty (guest, view);
  g_unlink (out);
  g_unlink (path);
#undef XEN
#undef PRL_FILTER
#undef PRL_SERVICE
}

/* --- edge cases, with rules of the test's own ---------------------- */

static const char edge_rules[] =
  "<rules>\n"
  "<rule id='ide' description='d'><match nt-min='6.0' nt-max='10.0'/>"
  "<service name='atapi' start='0'/></rule>\n"
  "<rule id='virtio' description='d'><match><controller id='virtio-blk'/>"
  "</match><refuse reason='no driver' advice='use ide'/></rule>\n"
  "<cleanup id='c1' description='d'><match/>"
  "<remove-filter class-guid='" DISK "' value='LowerFilters' name='one'"
  " reason='r1'/>"
  "<remove-filter class-guid='" DISK "' value='UpperFilters' name='up'"
  " reason='ru'/></cleanup>\n"
  "<cleanup id='c2' description='d'><match/>"
  "<remove-filter class-guid='{4d36e967-e325-11ce-bfc1-08002be10318}'"
  " value='LowerFilters' name='TWO' reason='r2'/>"
  "<remove-filter class-guid='" DISK "' value='LowerFilters' name='absent'"
  " reason='r3'/></cleanup>\n"
  "</rules>\n";

static BootfixRule *
edge_view (int major, const char *controller)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixRuleSet) rs =
    bootfix_rule_set_load_data (edge_rules, strlen (edge_rules), "edge.xml",
                                &error);
  g_assert_no_error (error);
  BootfixRuleQuery q = {
    .major = major, .minor = 0, .arch = "x86_64", .controller = controller,
  };
  BootfixRule *view = bootfix_rule_set_resolve (rs, &q, &error);
  g_assert_no_error (error);
  return view;
}

/* Store raw bytes as a value in the hive file, past our encoder, for
 * values our own writer would never produce. */
static void
put_raw (const char *path, const char *key, const char *name, guint32 type,
         const guint8 *raw, gsize len)
{
  hive_h *h = hivex_open (path, HIVEX_OPEN_WRITE);
  g_assert_nonnull (h);
  g_auto (GStrv) parts = g_strsplit (key, "\\", -1);
  hive_node_h node = hivex_root (h);
  for (char **p = parts; *p; p++) {
    hive_node_h child = hivex_node_get_child (h, node, *p);
    node = child ? child : hivex_node_add_child (h, node, *p);
    g_assert_cmpuint (node, !=, 0);
  }
  hive_set_value v = { .key = (char *) name, .t = type, .len = len,
                       .value = (char *) raw };
  g_assert_cmpint (hivex_node_set_value (h, node, &v, 0), ==, 0);
  g_assert_cmpint (hivex_commit (h, NULL, 0), ==, 0);
  g_assert_cmpint (hivex_close (h), ==, 0);
}

/* A hive with one raw value (key NULL: none) written before it opens. */
static BootfixHive *
make_edge_hive_raw (char **path, const char *key, const char *name,
                    const guint8 *raw, gsize len)
{
  *path = harness_copy_mini_bcd ();
  if (key != NULL)
    put_raw (*path, key, name, BOOTFIX_REG_MULTI_SZ, raw, len);
  g_autoptr (GError) error = NULL;
  BootfixHive *hive = bootfix_hive_open (*path, "SYSTEM", TRUE, &error);
  g_assert_no_error (error);
  put_dword (hive, "Select", "Current", 1);
  put_dword (hive, "ControlSet001\\Services\\atapi", "Start", 0);
  return hive;
}

static BootfixHive *
make_edge_hive (char **path)
{
  return make_edge_hive_raw (path, NULL, NULL, NULL, 0);
}

/* Two cleanups remove names from one list: one action that removes
 * both (each removal alone would put the other name back), with both
 * reasons; the other list is a separate action. */
static void
test_one_list_two_cleanups (void)
{
  g_autoptr (BootfixRule) view = edge_view (10, "piix3-ide");
  g_autofree char *path = NULL;
  g_autoptr (BootfixHive) built = make_edge_hive (&path);
  put_list (built, CLASS_DISK ("1"), "LowerFilters",
            (const char *const[]) { "two", "keep", "One", "also", NULL });
  put_list (built, CLASS_DISK ("1"), "UpperFilters",
            (const char *const[]) { "up", NULL });
  g_autoptr (BootfixGuest) guest = guest_with (built, view);
  Harness f;
  harness_init (&f, guest, view);
  g_autoptr (GPtrArray) changes = plan_and_apply (&f);
  dump_changes (changes);
  BootfixHive *hive = harness_hive (&f, "SYSTEM");
  g_assert_cmpuint (changes->len, ==, 2);
  g_assert_cmpstr (changes->pdata[0], ==, "HKLM\\SYSTEM\\" CLASS_DISK ("1")
                   "\\LowerFilters <- c1: r1; c2: r2");
  g_assert_cmpstr (changes->pdata[1], ==, "HKLM\\SYSTEM\\" CLASS_DISK ("1")
                   "\\UpperFilters <- c1: ru");
  assert_list (hive, CLASS_DISK ("1"), "LowerFilters",
               (const char *const[]) { "keep", "also", NULL });
  /* The last name out: an empty list stays, as an empty REG_MULTI_SZ. */
  assert_list (hive, CLASS_DISK ("1"), "UpperFilters",
               (const char *const[]) { NULL });
  harness_clear (&f);
  g_unlink (path);
}

/* Lists as they may really be: other scripts, a missing final NUL. */
static void
test_list_shapes (void)
{
  g_autoptr (BootfixRule) view = edge_view (10, "piix3-ide");
  g_autofree char *path = NULL;
  g_autoptr (BootfixHive) built = make_edge_hive (&path);
  put_list (built, CLASS_DISK ("1"), "LowerFilters",
            (const char *const[]) { "Ünïcødé", "one", "日本語", NULL });
  /* "two" then "x" without any terminator (UTF-8 across the ABI). */
  static const guint8 raw[] = { 't', 'w', 'o', 0, 'x' };
  put (built, CLASS_DISK ("2"), "LowerFilters", BOOTFIX_REG_MULTI_SZ, raw,
       sizeof raw);
  g_autoptr (BootfixGuest) guest = guest_with (built, view);
  Harness f;
  harness_init (&f, guest, view);
  g_autoptr (GPtrArray) changes = plan_and_apply (&f);
  dump_changes (changes);
  BootfixHive *hive = harness_hive (&f, "SYSTEM");
  /* (The storage rule also creates atapi in ControlSet002.) */
  g_assert_cmpuint (count_changes (changes, "Filters"), ==, 2);
  assert_list (hive, CLASS_DISK ("1"), "LowerFilters",
               (const char *const[]) { "Ünïcødé", "日本語", NULL });
  assert_list (hive, CLASS_DISK ("2"), "LowerFilters",
               (const char *const[]) { "x", NULL });
  harness_clear (&f);
  g_unlink (path);
}

/* A filter value that is not a list is left alone, with a warning in
 * the report; nothing in the list at all changes nothing. */
static void
test_not_a_list (void)
{
  g_autoptr (BootfixRule) view = edge_view (10, "piix3-ide");
  g_autofree char *path = NULL;
  /* Stored as REG_MULTI_SZ but an odd number of bytes: not UTF-16, so
   * the host hands it over as REG_BINARY. */
  static const guint8 odd[] = { 'u', 0, 'p', 0, 0, 0, 0 };
  g_autoptr (BootfixHive) built =
    make_edge_hive_raw (&path, CLASS_DISK ("1"), "UpperFilters", odd, sizeof odd);
  put (built, CLASS_DISK ("1"), "LowerFilters", BOOTFIX_REG_SZ, "one", 3);
  put_list (built, CLASS_DISK ("2"), "LowerFilters",
            (const char *const[]) { "keep", "", NULL });
  g_autoptr (BootfixGuest) guest = guest_with (built, view);
  Harness f;
  harness_init (&f, guest, view);
  g_autoptr (GPtrArray) changes = plan_and_apply (&f);
  dump_changes (changes);
  BootfixHive *hive = harness_hive (&f, "SYSTEM");
  g_assert_cmpuint (count_changes (changes, "Filters"), ==, 0);
  g_assert_cmpuint (f.warnings->len, ==, 2);
  g_assert_cmpstr (f.warnings->pdata[0], ==, "HKLM\\SYSTEM\\" CLASS_DISK ("1")
                   "\\LowerFilters is not a REG_MULTI_SZ list; it was left "
                   "as it is");
  g_assert_cmpstr (f.warnings->pdata[1], ==, "HKLM\\SYSTEM\\" CLASS_DISK ("1")
                   "\\UpperFilters is not a REG_MULTI_SZ list; it was left "
                   "as it is");
  /* Untouched: an empty entry alone is no reason to rewrite a list. */
  assert_list (hive, CLASS_DISK ("2"), "LowerFilters",
               (const char *const[]) { "keep", "", NULL });
  harness_clear (&f);
  g_unlink (path);
}

/* Cleanups never stand alone: no rule, or a refusal, changes nothing. */
static void
test_refused_alone (void)
{
  g_autofree char *path = NULL;
  g_autoptr (BootfixHive) built = make_edge_hive (&path);
  put_list (built, CLASS_DISK ("1"), "LowerFilters",
            (const char *const[]) { "one", NULL });
  static const struct { int major; const char *controller; const char *why; }
  cases[] = {
    { 5, "piix3-ide", "no rule covers Windows 10 Pro (NT 10.0, x86_64) on "
      "the piix3-ide controller (8086:7010)" },
    { 10, "virtio-blk", "no driver" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (BootfixRule) view = edge_view (cases[i].major,
                                              cases[i].controller);
    g_assert_true ((view == NULL) == (i == 0));
    g_autoptr (BootfixGuest) guest = guest_with (built, view);
    Harness f;
    harness_init (&f, guest, view);
    g_autoptr (GError) error = NULL;
    g_assert_cmpint (harness_call (&f, windows_module (), BOOTFIX_CALLBACK_PLAN,
                                   &error), ==, 0);
    g_assert_no_error (error);
    g_assert_true (f.plan->refused);
    g_assert_cmpstr (f.plan->refuse_why, ==, cases[i].why);
    g_assert_cmpuint (f.plan->actions->len, ==, 0);
    g_assert_cmpuint (f.n_reads, ==, 0);
    harness_clear (&f);
  }
  g_unlink (path);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/windows-cleanups/shipped", test_shipped);
  g_test_add_func ("/windows-cleanups/one-list-two-cleanups",
                   test_one_list_two_cleanups);
  g_test_add_func ("/windows-cleanups/list-shapes", test_list_shapes);
  g_test_add_func ("/windows-cleanups/not-a-list", test_not_a_list);
  g_test_add_func ("/windows-cleanups/refused-alone", test_refused_alone);
  return g_test_run ();
}
