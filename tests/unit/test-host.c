/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The real host table (src/pipeline/host*.c), the executor's hive cache
 * and the edits (edits.c) over a guest held in memory: what a module
 * gets back for arguments it should not pass, and what a module that
 * tries again after -1 gets.  No appliance. */
#include "config.h"

#include <string.h>
#include <glib.h>

#include "bootfix-error.h"
#include "host-harness.h"
#include "host-private.h"
#include "report.h"

/* The retry-hive test module reads this hive (tests/unit/modules). */
#define RETRY_HIVE "SYSTEM"

#define EDIT(t) (&(struct bootfix_edit) {                              \
    ._struct_size = sizeof (struct bootfix_edit), .kind = "file",      \
    .target = (t), .old_text = "old", .new_text = "new", .reason = "test" })

static GBytes *
text (const char *s)
{
  return g_bytes_new (s, strlen (s));
}

/* A guest with a SYSTEM hive (any hive will do: mini-bcd), a 2 MiB disk
 * and a small file on its Windows root. */
static BootfixGuest *
small_guest (void)
{
  BootfixGuest *guest = harness_guest_new ();
  g_autoptr (GBytes) hive = harness_mini_bcd ();
  harness_add_windows_file (guest, "System32/config/SYSTEM", hive);
  g_autoptr (GBytes) head = text ("0123456789");
  bootfix_memory_guest_add_disk (guest, "/dev/sda", 2 * 1024 * 1024, head);
  g_autoptr (GBytes) ini = text ("[boot loader]\r\n");
  bootfix_memory_guest_add_file (guest, NULL, "/boot.ini", ini);
  return guest;
}

static const BootfixModule *
retry_module (void)
{
  static BootfixModule *mod;
  if (mod == NULL) {
    g_autofree char *path = g_build_filename (g_getenv ("BOOTFIX_TEST_MODULES"),
                                              "retry-hive.so", NULL);
    g_autoptr (GError) error = NULL;
    mod = bootfix_module_load (path, &error);
    g_assert_no_error (error);
  }
  return mod;
}

/* --- a module that retries after -1 -------------------------------- */

static void
run_retry (BootfixGuest *guest, const char *want)
{
  Harness h;
  harness_init (&h, guest, NULL);
  g_autoptr (GError) error = NULL;
  g_assert_cmpint (harness_call (&h, retry_module (), BOOTFIX_CALLBACK_PLAN,
                                 &error), ==, -1);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "retry-hive: "));
  g_assert_nonnull (strstr (error->message, want));
  /* Both reads reached the cache, and nothing broken was kept. */
  g_assert_cmpuint (h.n_reads, ==, 2);
  g_assert_null (bootfix_hive_cache_find (h.hives, RETRY_HIVE));
  harness_clear (&h);
}

static void
test_retry_damaged_hive (void)
{
  g_autoptr (BootfixGuest) guest = harness_guest_new ();
  g_autoptr (GBytes) junk = text ("regf, but nothing after it");
  harness_add_windows_file (guest, "system32/config/" RETRY_HIVE, junk);
  run_retry (guest, HARNESS_SYSTEMROOT "/system32/config/" RETRY_HIVE);
}

static void
test_retry_missing_hive (void)
{
  g_autoptr (BootfixGuest) guest = harness_guest_new ();
  g_autoptr (GBytes) other = text ("x");
  harness_add_windows_file (guest, "System32/config/SOFTWARE", other);
  run_retry (guest, "System32/config/" RETRY_HIVE);
}

/* A failed download is not remembered: once the hive is readable, the
 * next lookup gets it. */
static void
test_failure_not_cached (void)
{
  g_autoptr (BootfixGuest) guest = harness_guest_new ();
  g_autoptr (GBytes) junk = text ("not a hive");
  harness_add_windows_file (guest, "System32/config/SYSTEM", junk);
  Harness h;
  harness_init (&h, guest, NULL);
  g_autoptr (GError) error = NULL;
  g_assert_null (bootfix_hive_cache_get (h.hives, "system", &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "guest test: "));
  g_clear_error (&error);
  g_autoptr (GBytes) hive = harness_mini_bcd ();
  harness_add_windows_file (guest, "System32/config/SYSTEM", hive);
  g_assert_nonnull (bootfix_hive_cache_get (h.hives, "System", &error));
  g_assert_no_error (error);
  g_assert_nonnull (bootfix_hive_cache_find (h.hives, "SYSTEM"));
  harness_clear (&h);
}

/* A getter that fails without an error must not crash the host. */
static BootfixHive *
silent_getter (gpointer user, const char *name, GError **error)
{
  return NULL;
}

static void
test_fail_without_error (void)
{
  g_autoptr (BootfixGuest) guest = harness_guest_new ();
  g_autoptr (BootfixPlan) plan = bootfix_plan_new ();
  struct bootfix_facts facts = { ._struct_size = sizeof facts };
  g_autoptr (BootfixHostContext) ctx =
    bootfix_host_context_new (&facts, NULL, plan, guest, silent_getter, NULL);
  g_autoptr (GError) error = NULL;
  g_assert_cmpint (bootfix_host_call (ctx, retry_module (),
                                      BOOTFIX_CALLBACK_PLAN, &error), ==, -1);
  g_assert_nonnull (error);
  g_assert_cmpstr (error->message, ==,
                   "retry-hive: a host call failed without saying why");
}

/* --- argument checks, through the real table ----------------------- */

typedef int (*HostCall) (const struct bootfix_host *h);

static int
get_value_null_name (const struct bootfix_host *h)
{
  uint32_t t; void *d; size_t n;
  return h->get_value (h, "SYSTEM", "Select", NULL, &t, &d, &n);
}

static int
get_value_bad_hive (const struct bootfix_host *h)
{
  uint32_t t; void *d; size_t n;
  return h->get_value (h, "SAM", "Domains", "F", &t, &d, &n);
}

static int
get_value_too_deep (const struct bootfix_host *h)
{
  g_autoptr (GString) path = g_string_new ("k");
  for (int i = 0; i < BOOTFIX_MAX_KEY_DEPTH; i++)
    g_string_append (path, "\\k");
  uint32_t t; void *d; size_t n;
  return h->get_value (h, "SYSTEM", path->str, "v", &t, &d, &n);
}

static int
list_values_bad_hive (const struct bootfix_host *h)
{
  char **names; size_t n;
  return h->list_values (h, "HARDWARE", "Description", &names, &n);
}

static int
set_short_dword (const struct bootfix_host *h)
{
  return h->set_value (h, "SYSTEM", "Select", "Current", BOOTFIX_REG_DWORD,
                       "\1\0\0", 3, "test");
}

static int
set_bad_utf8 (const struct bootfix_host *h)
{
  return h->set_value (h, "SYSTEM", "Select", "s", BOOTFIX_REG_SZ,
                       "\xff\xfe", 2, "test");
}

static int
set_unknown_type (const struct bootfix_host *h)
{
  return h->set_value (h, "SYSTEM", "Select", "s", 99, "x", 1, "test");
}

static int
ensure_key_no_hive (const struct bootfix_host *h)
{
  return h->ensure_key (h, "", "Select", "test");
}

static int
delete_key_bad_path (const struct bootfix_host *h)
{
  return h->delete_key (h, "SYSTEM", "Sel\xc3", "test");
}

static int
refuse_no_reason (const struct bootfix_host *h)
{
  return h->refuse (h, "", "advice");
}

static int
read_device_too_large (const struct bootfix_host *h)
{
  g_autofree guint8 *buf = g_malloc (BOOTFIX_MAX_DEVICE_IO + 1);
  return h->read_device (h, "/dev/sda", 0, buf, BOOTFIX_MAX_DEVICE_IO + 1);
}

static int
read_device_past_end (const struct bootfix_host *h)
{
  guint8 buf[512];
  return h->read_device (h, "/dev/sda", 2 * 1024 * 1024 - 256, buf, sizeof buf);
}

static int
read_file_null_path (const struct bootfix_host *h)
{
  void *d; size_t n;
  return h->read_file (h, HARNESS_ROOT, NULL, 16, &d, &n);
}

static int
read_file_over_max (const struct bootfix_host *h)
{
  void *d; size_t n;
  return h->read_file (h, HARNESS_ROOT, "\\BOOT.INI", 4, &d, &n);
}

static int
patch_file_no_edit (const struct bootfix_host *h)
{
  return h->patch_file (h, NULL, HARNESS_ROOT, "/boot.ini", 0, "[", "(", 1);
}

static int
patch_file_no_bytes (const struct bootfix_host *h)
{
  return h->patch_file (h, EDIT ("boot.ini"), HARNESS_ROOT, "/boot.ini", 0,
                        "[", "(", 0);
}

static int
patch_file_bad_text (const struct bootfix_host *h)
{
  return h->patch_file (h, EDIT ("boot\xe2\x82.ini"), HARNESS_ROOT,
                        "/boot.ini", 0, "[", "(", 1);
}

static int
patch_device_too_large (const struct bootfix_host *h)
{
  gsize n = BOOTFIX_MAX_DEVICE_IO + 1;
  g_autofree guint8 *old = g_malloc0 (n);
  g_autofree guint8 *new_bytes = g_malloc0 (n);
  return h->patch_device (h, EDIT ("sda"), "/dev/sda", 0, old, new_bytes, n);
}

static int
replace_file_no_path (const struct bootfix_host *h)
{
  return h->replace_file (h, EDIT ("x"), HARNESS_ROOT, NULL, NULL, 0, "x", 1);
}

static int
create_file_no_data (const struct bootfix_host *h)
{
  return h->create_windows_file (h, EDIT ("x"), "system32\\x.sys", NULL, 4);
}

static int
driver_source_without_tree (const struct bootfix_host *h)
{
  void *d; size_t n;
  return h->read_driver_source (h, "viostor\\w10\\amd64\\viostor.sys", 16,
                                &d, &n);
}

static int
cabinet_no_name (const struct bootfix_host *h)
{
  void *d; size_t n; char *source;
  return h->cabinet_extract (h, "Driver Cache\\i386", NULL, &d, &n, &source);
}

#define LINK(n, st, d) (&(struct bootfix_link) {                         \
    ._struct_size = sizeof (struct bootfix_link), .name = (n),          \
    .state = (st), .detail = (d), .remedy = NULL })

static int
report_link_outside_check (const struct bootfix_host *h)
{
  return h->report_link (h, LINK ("boot-manager", BOOTFIX_LINK_OK, "x"));
}

/* The rest as from a check callback. */
static int
report_in_check (const struct bootfix_host *h, const struct bootfix_link *l)
{
  ((BootfixHostContext *) h)->in_check = TRUE;
  return h->report_link (h, l);
}

static int
report_link_bad_state (const struct bootfix_host *h)
{
  return report_in_check (h, LINK ("boot-manager", 3, "x"));
}

static int
report_link_bad_name (const struct bootfix_host *h)
{
  return report_in_check (h, LINK ("Boot Manager", BOOTFIX_LINK_OK, "x"));
}

static int
report_link_old_struct (const struct bootfix_host *h)
{
  struct bootfix_link l = { ._struct_size = 16, .name = "x" };
  return report_in_check (h, &l);
}

static int
report_link_bad_utf8 (const struct bootfix_host *h)
{
  return report_in_check (h, LINK ("boot-manager", BOOTFIX_LINK_BROKEN,
                                   "\xc3("));
}

static const struct {
  const char *name;
  HostCall call;
  const char *error; /* a part of the message */
} bad_calls[] = {
  { "get-value-null-name", get_value_null_name, "get_value: NULL argument" },
  { "get-value-bad-hive", get_value_bad_hive, "unknown registry hive 'SAM'" },
  { "get-value-too-deep", get_value_too_deep, "registry path too deep: k\\k" },
  { "list-values-bad-hive", list_values_bad_hive, "unknown registry hive 'HARDWARE'" },
  { "set-short-dword", set_short_dword, "set_value: a REG_DWORD must be 4 bytes" },
  { "set-bad-utf8", set_bad_utf8, "set_value: string data is not UTF-8" },
  { "set-unknown-type", set_unknown_type, "set_value: unsupported registry type" },
  { "ensure-key-no-hive", ensure_key_no_hive, "ensure_key: missing hive or key path" },
  { "delete-key-bad-path", delete_key_bad_path, "delete_key: missing hive or key path" },
  { "refuse-no-reason", refuse_no_reason, "refuse: a refusal needs a reason" },
  { "read-device-too-large", read_device_too_large, "read_device: read too large" },
  { "read-device-past-end", read_device_past_end, "/dev/sda ends before byte 2097408" },
  { "read-file-null-path", read_file_null_path, "read_file: NULL argument" },
  { "read-file-over-max", read_file_over_max, "is larger than 4 bytes" },
  { "patch-file-no-edit", patch_file_no_edit, "patch_file: no edit description" },
  { "patch-file-no-bytes", patch_file_no_bytes, "patch_file: missing device, path or bytes" },
  { "patch-file-bad-text", patch_file_bad_text, "patch_file: edit text is not UTF-8" },
  { "patch-device-too-large", patch_device_too_large, "patch_device: missing device or bytes" },
  { "replace-file-no-path", replace_file_no_path, "replace_file: missing device, path or data" },
  { "create-file-no-data", create_file_no_data, "create_windows_file: missing path or data" },
  { "driver-source-without-tree", driver_source_without_tree,
    "read_driver_source: no driver tree was given" },
  { "cabinet-no-name", cabinet_no_name, "cabinet_extract: NULL argument" },
  { "report-link-outside-check", report_link_outside_check,
    "report_link: only the check callback reports links" },
  { "report-link-bad-state", report_link_bad_state, "report_link: unknown link state" },
  { "report-link-bad-name", report_link_bad_name, "report_link: a link name is a short id" },
  { "report-link-old-struct", report_link_old_struct, "report_link: no link, or an old one" },
  { "report-link-bad-utf8", report_link_bad_utf8, "report_link: link text is not UTF-8" },
};

static void
test_bad_call (gconstpointer data)
{
  guint i = GPOINTER_TO_UINT (data);
  g_autoptr (BootfixGuest) guest = small_guest ();
  Harness h;
  harness_init (&h, guest, NULL);
  g_assert_cmpint (bad_calls[i].call (harness_host (&h)), ==, -1);
  /* The failure is ours, kept for the report, and nothing was planned. */
  g_assert_nonnull (h.ctx->host_error);
  g_test_message ("%s", h.ctx->host_error->message);
  g_assert_nonnull (strstr (h.ctx->host_error->message, bad_calls[i].error));
  g_assert_cmpstr (h.ctx->error, ==, h.ctx->host_error->message);
  g_assert_cmpuint (h.plan->actions->len, ==, 0);
  g_assert_false (h.plan->refused);
  g_assert_cmpuint (bootfix_host_context_links (h.ctx)->len, ==, 0);
  harness_clear (&h);
}

/* A link from a check callback is copied, fields of a newer module
 * (a bigger struct) ignored. */
static void
test_report_link (void)
{
  g_autoptr (BootfixGuest) guest = small_guest ();
  Harness h;
  harness_init (&h, guest, NULL);
  struct {
    struct bootfix_link l;
    const char *later;
  } newer = { { sizeof newer, "storage-driver-file", BOOTFIX_LINK_FIXABLE,
                "intelide.sys is missing", "sp3.cab has it" }, "?" };
  char *detail = g_strdup ("bootmgr on /dev/sda1");
  g_assert_cmpint (report_in_check (harness_host (&h), LINK ("boot-manager",
                   BOOTFIX_LINK_OK, detail)), ==, 0);
  g_free (detail);
  g_assert_cmpint (report_in_check (harness_host (&h), &newer.l), ==, 0);
  GPtrArray *links = bootfix_host_context_links (h.ctx);
  g_assert_cmpuint (links->len, ==, 2);
  const BootfixLink *a = links->pdata[0], *b = links->pdata[1];
  g_assert_cmpstr (a->name, ==, "boot-manager");
  g_assert_cmpstr (a->detail, ==, "bootmgr on /dev/sda1");
  g_assert_null (a->remedy);
  g_assert_cmpint (b->state, ==, BOOTFIX_LINK_STATE_FIXABLE);
  g_assert_cmpstr (b->remedy, ==, "sp3.cab has it");
  harness_clear (&h);
}

/* --- edits: what the diff makes of a plan -------------------------- */

static void
plan_diff (Harness *h, GPtrArray *changes, GError **error)
{
  for (guint i = 0; i < h->plan->actions->len; i++)
    if (!bootfix_edits_apply (h->edits, h->plan->actions->pdata[i], TRUE,
                              changes, error))
      return;
}

/* The module's old bytes are not what the guest holds: nothing is
 * changed and the error says so. */
static void
test_patch_mismatch (void)
{
  g_autoptr (BootfixGuest) guest = small_guest ();
  static const struct {
    const char *device, *path;
    guint64 offset;
    const char *old, *new_bytes, *error;
  } cases[] = {
    { HARNESS_ROOT, "/boot.ini", 1, "X", "Y", "changed since it was read" },
    { HARNESS_ROOT, "/boot.ini", 14, "\n!", "\n?", "reaches past its end" },
    { HARNESS_ROOT, "/ntldr", 0, "a", "b", "is missing on" },
    { "/dev/sda", NULL, 2, "99", "22", "changed since it was read" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    Harness h;
    harness_init (&h, guest, NULL);
    const struct bootfix_host *host = harness_host (&h);
    gsize n = strlen (cases[i].old);
    int r = cases[i].path
            ? host->patch_file (host, EDIT ("t"), cases[i].device, cases[i].path,
                                cases[i].offset, cases[i].old, cases[i].new_bytes, n)
            : host->patch_device (host, EDIT ("t"), cases[i].device,
                                  cases[i].offset, cases[i].old,
                                  cases[i].new_bytes, n);
    g_assert_cmpint (r, ==, 0);
    g_autoptr (GPtrArray) changes =
      g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_change_free);
    g_autoptr (GError) error = NULL;
    plan_diff (&h, changes, &error);
    g_assert_nonnull (error);
    g_test_message ("%s", error->message);
    g_assert_nonnull (strstr (error->message, cases[i].error));
    g_assert_cmpuint (changes->len, ==, 0);
    harness_clear (&h);
  }
}

/* Old bytes that match: the file and the device change, and a second
 * diff finds nothing left to do. */
static void
test_patch_written (void)
{
  g_autoptr (BootfixGuest) guest = small_guest ();
  for (guint round = 0; round < 2; round++) {
    Harness h;
    harness_init (&h, guest, NULL);
    const struct bootfix_host *host = harness_host (&h);
    g_assert_cmpint (host->patch_file (host, EDIT ("ini"), HARNESS_ROOT,
                                       "\\Boot.ini", 1, "boot", "BOOT", 4), ==, 0);
    g_assert_cmpint (host->patch_device (host, EDIT ("sda"), "/dev/sda", 2,
                                         "23", "XY", 2), ==, 0);
    g_autoptr (GPtrArray) changes =
      g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_change_free);
    g_autoptr (GError) error = NULL;
    plan_diff (&h, changes, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (changes->len, ==, round == 0 ? 2 : 0);
    g_assert_true (bootfix_edits_prepare (h.edits, h.plan, &error));
    g_assert_true (bootfix_edits_write (h.edits, &error));
    g_assert_no_error (error);
    harness_clear (&h);
  }
  g_autoptr (GBytes) ini = bootfix_memory_guest_get_file (guest, NULL, "/boot.ini");
  g_assert_cmpmem (g_bytes_get_data (ini, NULL), g_bytes_get_size (ini),
                   "[BOOT loader]\r\n", 15);
  g_autoptr (GBytes) disk = bootfix_memory_guest_get_device (guest, "/dev/sda");
  g_assert_cmpmem (g_bytes_get_data (disk, NULL), g_bytes_get_size (disk),
                   "01XY456789", 10);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/host/retry/damaged-hive", test_retry_damaged_hive);
  g_test_add_func ("/host/retry/missing-hive", test_retry_missing_hive);
  g_test_add_func ("/host/retry/failure-not-cached", test_failure_not_cached);
  g_test_add_func ("/host/retry/fail-without-error", test_fail_without_error);
  for (guint i = 0; i < G_N_ELEMENTS (bad_calls); i++) {
    g_autofree char *name = g_strdup_printf ("/host/bad-call/%s", bad_calls[i].name);
    g_test_add_data_func (name, GUINT_TO_POINTER (i), test_bad_call);
  }
  g_test_add_func ("/host/check/report-link", test_report_link);
  g_test_add_func ("/host/edits/mismatch", test_patch_mismatch);
  g_test_add_func ("/host/edits/written", test_patch_written);
  return g_test_run ();
}
