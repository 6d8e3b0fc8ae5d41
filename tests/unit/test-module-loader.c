/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The module loader against real shared objects: the good test modules,
 * one deliberately broken module per refusal (tests/unit/modules/), and
 * the exported symbols of the modules we ship. */
#include "config.h"

#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "module-loader.h"
#include "bootfix-error.h"
#include "modules/test-module.h"

static const char *
modules_dir (void)
{
  const char *dir = g_getenv ("BOOTFIX_TEST_MODULES");
  g_assert_nonnull (dir);
  return dir;
}

static char *
module_path (const char *file)
{
  return g_build_filename (modules_dir (), file, NULL);
}

/* ---- Refusals ---------------------------------------------------- */

/* Each refusal says what is wrong and what to do; both are checked. */
typedef struct {
  const char *file;
  const char *what;
  const char *todo;
} Refusal;

static const Refusal refusals[] = {
  { "does-not-exist.so",
    "cannot load this conversion module (cannot open shared object file: "
    "No such file or directory).",
    "Check that the file is a shared object built for this machine" },
  { "not-a-module.so",
    "cannot load this conversion module (invalid ELF header).",
    "Check that the file is a shared object built for this machine and "
    "that the libraries it needs are installed." },
  { "no-init-symbol.so",
    "not a virt-bootfix conversion module: it does not export "
    "bootfix_module_init().",
    "Build it with BOOTFIX_REGISTER_MODULE() from bootfix-module.h, or "
    "remove it from the module directory." },
  { "init-returns-null.so",
    "bootfix_module_init() returned NULL, so the module is broken.",
    "Rebuild it with BOOTFIX_REGISTER_MODULE()" },
  { "bad-api-version-0.so",
    "module API version 0 is not supported (this virt-bootfix supports "
    "versions 1 to 1).",
    "Rebuild the module against the bootfix-module.h of this virt-bootfix." },
  { "bad-api-version-99.so",
    "module API version 99 is not supported (this virt-bootfix supports "
    "versions 1 to 1).",
    "Rebuild the module against the bootfix-module.h of this virt-bootfix." },
  { "short-struct.so",
    "module descriptor is 8 bytes, smaller than the ",
    "The module is corrupt or was not built with BOOTFIX_REGISTER_MODULE(); "
    "rebuild it." },
  { "huge-struct.so",
    "module descriptor claims 65537 bytes, more than the 65536 bytes any "
    "module can have, so the file is corrupt.",
    "Rebuild or reinstall it." },
  { "no-name.so",
    "module has no name.",
    "Set the .name field of its struct bootfix_module (lower-case "
    "letters, digits and '-')." },
  { "empty-name.so",
    "module has no name.",
    "Set the .name field" },
  { "bad-name.so",
    "module name \"Windows Fixer!\" is invalid.",
    "A name may only contain lower-case letters, digits and '-'." },
  { "no-probe.so",
    "module \"no-probe\" has no probe callback, which is mandatory.",
    "Set .probe in its struct bootfix_module." },
  { "no-plan.so",
    "module \"no-plan\" has no plan callback, which is mandatory.",
    "Set .plan in its struct bootfix_module." },
};

static void
test_refusal (gconstpointer data)
{
  const Refusal *r = data;
  g_autofree char *path = module_path (r->file);
  g_autofree char *prefix = g_strdup_printf ("%s: ", path);
  g_autoptr(GError) error = NULL;

  g_autoptr(BootfixModule) mod = bootfix_module_load (path, &error);
  g_assert_null (mod);
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_MODULE);
  g_test_message ("%s", error->message);
  /* The message starts with the file and then says what is wrong. */
  g_assert_true (g_str_has_prefix (error->message, prefix));
  g_assert_true (g_str_has_prefix (error->message + strlen (prefix),
                                   r->what));
  g_assert_nonnull (strstr (error->message, r->todo));
  /* Named once: dlerror()'s own copy of the path is dropped. */
  g_assert_null (strstr (error->message + strlen (prefix), path));
}

/* The minimum is ABI-relevant, so the whole message is pinned. */
static void
test_refusal_short_exact (void)
{
  g_autofree char *path = module_path ("short-struct.so");
  g_autofree char *expected = g_strdup_printf (
      "%s: module descriptor is 8 bytes, smaller than the %u bytes every "
      "API version has. The module is corrupt or was not built with "
      "BOOTFIX_REGISTER_MODULE(); rebuild it.", path,
      (unsigned) offsetof (struct bootfix_module, verify));
  g_autoptr(GError) error = NULL;

  g_autoptr(BootfixModule) mod = bootfix_module_load (path, &error);
  g_assert_null (mod);
  g_assert_cmpstr (error->message, ==, expected);
}

/* ---- Good modules ------------------------------------------------- */

static char *planned_reason;
static int n_planned;

static int
record_ensure_key (const struct bootfix_host *h, const char *hive,
                   const char *path, const char *reason)
{
  g_assert_cmpstr (hive, ==, "SYSTEM");
  g_assert_cmpstr (path, ==, TEST_PLAN_PATH);
  g_free (planned_reason);
  planned_reason = g_strdup (reason);
  n_planned++;
  return 0;
}

/* Calls probe and plan of a loaded module: first with an all-zero host
 * (the test modules only look at ensure_key), then with ensure_key set,
 * which tells which module's plan ran. */
static void
assert_callbacks (const BootfixModule *mod)
{
  struct bootfix_host zero = { 0 };
  struct bootfix_host host = {
    ._struct_size = sizeof host,
    ._api_version = BOOTFIX_API_VERSION,
    .ensure_key = record_ensure_key,
  };

  g_assert_cmpint (mod->m.probe (&zero), ==, TEST_PROBE_RESULT);
  n_planned = 0;
  g_assert_cmpint (mod->m.plan (&zero), ==, 0);
  g_assert_cmpint (n_planned, ==, 0);
  g_assert_cmpint (mod->m.plan (&host), ==, 0);
  g_assert_cmpint (n_planned, ==, 1);
  g_assert_cmpstr (planned_reason, ==, mod->m.name);
  g_clear_pointer (&planned_reason, g_free);
}

static BootfixModule *
load_ok (const char *file)
{
  g_autofree char *path = module_path (file);
  g_autoptr(GError) error = NULL;
  BootfixModule *mod = bootfix_module_load (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (mod);
  g_assert_cmpstr (mod->path, ==, path);
  g_assert_nonnull (mod->gmodule);
  return mod;
}

static void
test_load_good (void)
{
  g_autoptr(BootfixModule) mod = load_ok ("good.so");

  g_assert_cmpstr (mod->m.name, ==, "good");
  g_assert_cmpstr (mod->m.version, ==, "1.0");
  g_assert_cmpstr (mod->m.description, ==, "virt-bootfix test module");
  g_assert_cmpint (mod->m._api_version, ==, BOOTFIX_API_VERSION);
  g_assert_cmpuint (mod->m._struct_size, ==, sizeof (struct bootfix_module));
  assert_callbacks (mod);
  g_assert_nonnull (mod->m.verify);
  g_assert_cmpint (mod->m.verify (NULL), ==, TEST_VERIFY_RESULT);
}

/* The module's struct has .verify set, but its declared size ends at
 * .plan: the host must not read past it, so verify reads NULL. */
static void
test_load_v1_short (void)
{
  g_autoptr(BootfixModule) mod = load_ok ("good-v1-short.so");

  g_assert_cmpstr (mod->m.name, ==, "good-v1-short");
  g_assert_cmpuint (mod->m._struct_size, ==,
                    offsetof (struct bootfix_module, verify));
  assert_callbacks (mod);
  g_assert_null (mod->m.verify);
}

/* A bigger struct from a newer header: accepted, the known fields are
 * used and the rest is not copied (valgrind would see an overrun). */
static void
test_load_future_fields (void)
{
  g_autoptr(BootfixModule) mod = load_ok ("future-fields.so");

  g_assert_cmpstr (mod->m.name, ==, "future-fields");
  g_assert_cmpuint (mod->m._struct_size, ==,
                    sizeof (struct test_future_module));
  g_assert_cmpuint (mod->m._struct_size, >, sizeof (struct bootfix_module));
  assert_callbacks (mod);
  g_assert_nonnull (mod->m.verify);
  g_assert_cmpint (mod->m.verify (NULL), ==, TEST_VERIFY_RESULT);
}

/* dlopen() would search the library path for "good.so"; the loader
 * must open the file in the current directory, and report the path as
 * the user gave it. */
static void
test_load_relative (void)
{
  g_autofree char *cwd = g_get_current_dir ();
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_chdir (modules_dir ()), ==, 0);
  g_autoptr(BootfixModule) mod = bootfix_module_load ("good.so", &error);
  g_autoptr(GError) bad_error = NULL;
  g_autoptr(BootfixModule) bad = bootfix_module_load ("no-plan.so",
                                                      &bad_error);
  g_autoptr(GError) missing_error = NULL;
  g_autoptr(BootfixModule) missing = bootfix_module_load ("missing.so",
                                                          &missing_error);
  g_assert_cmpint (g_chdir (cwd), ==, 0);

  g_assert_no_error (error);
  g_assert_cmpstr (mod->path, ==, "good.so");
  g_assert_cmpstr (mod->m.name, ==, "good");
  g_assert_null (bad);
  g_assert_true (g_str_has_prefix (bad_error->message,
                                   "no-plan.so: module \"no-plan\" has no "
                                   "plan callback"));
  g_assert_null (missing);
  g_assert_true (g_str_has_prefix (missing_error->message,
                                   "missing.so: cannot load this conversion "
                                   "module (cannot open shared object"));
}

/* GModule reference-counts one file opened twice; each load still gets
 * its own copy and can be freed on its own. */
static void
test_load_twice (void)
{
  BootfixModule *a = load_ok ("good.so");
  g_autoptr(BootfixModule) b = load_ok ("good.so");

  g_assert_true (a != b);
  bootfix_module_free (a);
  assert_callbacks (b);
}

/* ---- Directories -------------------------------------------------- */

static void
copy_file (const char *from, const char *to)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (from, &contents, &len, &error));
  g_assert_true (g_file_set_contents (to, contents, len, &error));
  g_assert_no_error (error);
}

/* Copies test module `file` to dir/rel_path, creating directories. */
static void
place_module (const char *dir, const char *file, const char *rel_path)
{
  g_autofree char *from = module_path (file);
  g_autofree char *to = g_build_filename (dir, rel_path, NULL);
  g_autofree char *parent = g_path_get_dirname (to);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  copy_file (from, to);
}

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR)
      && !g_file_test (path, G_FILE_TEST_IS_SYMLINK)) {
    g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
    const char *name;
    while (d != NULL && (name = g_dir_read_name (d)) != NULL) {
      g_autofree char *child = g_build_filename (path, name, NULL);
      remove_tree (child);
    }
  }
  g_assert_cmpint (g_remove (path), ==, 0);
}

static char *
make_tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("bootfix-modules-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

/* Modules from the top level and from subdirectories are merged and
 * sorted by file name; deeper levels, other files and dot files are
 * left alone (they hold broken modules, so loading one would fail). */
static void
test_dir_order (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autoptr(GError) error = NULL;

  place_module (dir, "good.so", "20-good.so");
  place_module (dir, "future-fields.so", "sub/10-future.so");
  place_module (dir, "good-v1-short.so", "other/30-short.so");
  place_module (dir, "no-plan.so", "sub/deeper/00-no-plan.so");
  place_module (dir, "no-plan.so", ".00-hidden.so");
  place_module (dir, "no-plan.so", "00-not-a-module.so.txt");
  place_module (dir, "no-plan.so", ".hidden/00-no-plan.so");

  g_autoptr(GPtrArray) mods = bootfix_module_load_dir (dir, &error);
  g_assert_no_error (error);
  g_assert_nonnull (mods);
  g_assert_cmpuint (mods->len, ==, 3);

  const char *names[] = { "future-fields", "good", "good-v1-short" };
  const char *paths[] = { "sub/10-future.so", "20-good.so",
                          "other/30-short.so" };
  for (guint i = 0; i < mods->len; i++) {
    const BootfixModule *mod = g_ptr_array_index (mods, i);
    g_autofree char *path = g_build_filename (dir, paths[i], NULL);
    g_assert_cmpstr (mod->m.name, ==, names[i]);
    g_assert_cmpstr (mod->path, ==, path);
    assert_callbacks (mod);
  }

  g_clear_pointer (&mods, g_ptr_array_unref);
  remove_tree (dir);
}

static void
test_dir_duplicate (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *first = g_build_filename (dir, "a.so", NULL);
  g_autofree char *second = g_build_filename (dir, "sub", "b.so", NULL);
  g_autofree char *expected = g_strdup_printf (
      "%s: module name \"good\" is already used by %s. Remove one of the "
      "two files from the module directory.", second, first);
  g_autoptr(GError) error = NULL;

  place_module (dir, "good.so", "a.so");
  place_module (dir, "good.so", "sub/b.so");

  g_autoptr(GPtrArray) mods = bootfix_module_load_dir (dir, &error);
  g_assert_null (mods);
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_MODULE);
  g_assert_cmpstr (error->message, ==, expected);

  remove_tree (dir);
}

/* One broken module spoils the directory: the error names it. */
static void
test_dir_bad_module (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *bad = g_build_filename (dir, "plan", "b.so", NULL);
  g_autofree char *prefix = g_strdup_printf ("%s: module \"no-plan\" has "
                                             "no plan callback", bad);
  g_autoptr(GError) error = NULL;

  place_module (dir, "good.so", "a.so");
  place_module (dir, "no-plan.so", "plan/b.so");
  place_module (dir, "future-fields.so", "c.so");

  g_autoptr(GPtrArray) mods = bootfix_module_load_dir (dir, &error);
  g_assert_null (mods);
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_MODULE);
  g_assert_true (g_str_has_prefix (error->message, prefix));

  remove_tree (dir);
}

static void
test_dir_empty (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autoptr(GError) error = NULL;

  g_autoptr(GPtrArray) mods = bootfix_module_load_dir (dir, &error);
  g_assert_no_error (error);
  g_assert_nonnull (mods);
  g_assert_cmpuint (mods->len, ==, 0);

  remove_tree (dir);
}

static void
test_dir_missing (void)
{
  g_autofree char *dir = module_path ("no-such-dir");
  g_autofree char *prefix = g_strdup_printf (
      "%s: cannot read the module directory (", dir);
  g_autoptr(GError) error = NULL;

  g_autoptr(GPtrArray) mods = bootfix_module_load_dir (dir, &error);
  g_assert_null (mods);
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_MODULE);
  g_assert_true (g_str_has_prefix (error->message, prefix));
  g_assert_nonnull (strstr (error->message, "Set BOOTFIX_MODULEDIR"));
}

/* ---- Where modules are looked for --------------------------------- */

static void
test_module_dir (void)
{
  /* Never the build tree: the binary must not carry its path. */
  const char *fallback = BOOTFIX_INSTALLED_MODULEDIR;

  g_assert_true (g_setenv ("BOOTFIX_MODULEDIR", "/opt/bootfix/mods", TRUE));
  g_assert_cmpstr (bootfix_module_dir (), ==, "/opt/bootfix/mods");
  g_assert_true (g_setenv ("BOOTFIX_MODULEDIR", "", TRUE));
  g_assert_cmpstr (bootfix_module_dir (), ==, fallback);
  g_unsetenv ("BOOTFIX_MODULEDIR");
  g_assert_cmpstr (bootfix_module_dir (), ==, fallback);
}

/* ---- Exported symbols --------------------------------------------- */

/* Symbols the linker defines in every shared object. */
static gboolean
is_linker_symbol (const char *name)
{
  static const char *const linker[] = {
    "_init", "_fini", "_edata", "_end", "__bss_start", NULL
  };
  return g_strv_contains (linker, name);
}

/* The dynamic symbols a shared object defines, minus the linker's, or
 * NULL (test skipped) when nm is not installed. */
static GPtrArray *
defined_symbols (const char *path)
{
  g_autofree char *nm = g_find_program_in_path ("nm");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;
  g_autoptr(GError) error = NULL;

  if (nm == NULL) {
    g_test_skip ("nm is not installed");
    return NULL;
  }
  const char *argv[] = { nm, "-D", "--defined-only", path, NULL };
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL,
                               G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_no_error (error);

  /* Lines are "<address> <type> <name>". */
  GPtrArray *syms = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  for (char **l = lines; *l != NULL; l++) {
    g_auto(GStrv) f = g_strsplit_set (g_strstrip (*l), " \t", -1);
    guint n = g_strv_length (f);
    if (n >= 3 && !is_linker_symbol (f[n - 1]))
      g_ptr_array_add (syms, g_strdup (f[n - 1]));
  }
  return syms;
}

static void
assert_exports_init_only (const char *path)
{
  g_autoptr(GPtrArray) syms = defined_symbols (path);
  if (syms == NULL)
    return;
  for (guint i = 0; i < syms->len; i++)
    g_test_message ("%s exports %s", path,
                    (char *) g_ptr_array_index (syms, i));
  g_assert_cmpuint (syms->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (syms, 0), ==,
                   BOOTFIX_MODULE_INIT_SYMBOL);
}

static void
test_exports_test_module (void)
{
  g_autofree char *path = module_path ("good.so");
  assert_exports_init_only (path);
}

/* plugin_init is a global function in the source: the version script
 * must hide it. */
static void
test_exports_hidden (void)
{
  g_autofree char *path = module_path ("no-init-symbol.so");
  g_autoptr(GPtrArray) syms = defined_symbols (path);
  if (syms == NULL)
    return;
  g_assert_cmpuint (syms->len, ==, 0);
}

static void
test_exports_windows (void)
{
  const char *path = g_getenv ("BOOTFIX_TEST_WINDOWS_MODULE");
  if (path == NULL || !g_file_test (path, G_FILE_TEST_EXISTS)) {
    g_test_skip ("the windows module is not built");
    return;
  }
  assert_exports_init_only (path);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (refusals); i++) {
    g_autofree char *name = g_strdup_printf ("/module-loader/refuse/%s",
                                             refusals[i].file);
    g_test_add_data_func (name, &refusals[i], test_refusal);
  }
  g_test_add_func ("/module-loader/refuse/short-struct-exact",
                   test_refusal_short_exact);
  g_test_add_func ("/module-loader/load/good", test_load_good);
  g_test_add_func ("/module-loader/load/v1-short", test_load_v1_short);
  g_test_add_func ("/module-loader/load/future-fields",
                   test_load_future_fields);
  g_test_add_func ("/module-loader/load/relative", test_load_relative);
  g_test_add_func ("/module-loader/load/twice", test_load_twice);
  g_test_add_func ("/module-loader/dir/order", test_dir_order);
  g_test_add_func ("/module-loader/dir/duplicate", test_dir_duplicate);
  g_test_add_func ("/module-loader/dir/bad-module", test_dir_bad_module);
  g_test_add_func ("/module-loader/dir/empty", test_dir_empty);
  g_test_add_func ("/module-loader/dir/missing", test_dir_missing);
  g_test_add_func ("/module-loader/module-dir", test_module_dir);
  g_test_add_func ("/module-loader/exports/test-module",
                   test_exports_test_module);
  g_test_add_func ("/module-loader/exports/hidden", test_exports_hidden);
  g_test_add_func ("/module-loader/exports/windows", test_exports_windows);

  return g_test_run ();
}
