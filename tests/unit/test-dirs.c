/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where the program finds its folders (dirs.c): the prefix above the
 * bindir that holds the executable, the configured one otherwise, and
 * the environment variables over both. */
#include "config.h"

#include <glib.h>

#include "dirs.h"

typedef struct {
  const char *folder, *bindir;
  const char *prefix; /* NULL: not a bindir */
} PrefixCase;

static const PrefixCase prefix_cases[] = {
  { "/usr/bin", "bin", "/usr" },
  { "/usr/local/bin", "bin", "/usr/local" },
  { "/opt/vb/bin/", "bin", "/opt/vb" },
  { "/tmp/stage/usr/local/bin", "bin", "/tmp/stage/usr/local" },
  { "/bin", "bin", "/" },
  { "/opt/vb/libexec/vb", "libexec/vb", "/opt/vb" },
  { "/opt/vb/libexec/vb", "libexec/vb/", "/opt/vb" },
  /* Not a bindir: the build tree, a lookalike, a relative path. */
  { "/src/virt-bootfix/build/src/cli", "bin", NULL },
  { "/usr/sbin", "bin", NULL },
  { "/usr/xbin", "bin", NULL },
  { "bin", "bin", NULL },
  { "usr/bin", "bin", NULL },
  { "/", "bin", NULL },
  /* A bindir configured outside the prefix, or none. */
  { "/usr/bin", "/usr/bin", NULL },
  { "/usr/bin", "", NULL },
  { NULL, "bin", NULL },
};

static void
test_prefix_of_bindir (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (prefix_cases); i++) {
    const PrefixCase *c = &prefix_cases[i];
    g_autofree char *got = bootfix_prefix_of_bindir (c->folder, c->bindir);
    if (g_strcmp0 (got, c->prefix) != 0)
      g_error ("case %u (%s, %s): got %s, expected %s", i, c->folder,
               c->bindir, got, c->prefix);
  }
}

/* This test runs from the build tree, which is no bindir: the
 * configured prefix, and the configured folders under it. */
static void
test_build_tree_prefix (void)
{
  g_assert_cmpstr (bootfix_runtime_prefix (), ==, BOOTFIX_PREFIX);
  g_assert_cmpstr (bootfix_installed_dir (BOOTFIX_DATADIR_REL), ==,
                   BOOTFIX_INSTALLED_DATADIR);
  g_assert_cmpstr (bootfix_installed_dir (BOOTFIX_MODULEDIR_REL), ==,
                   BOOTFIX_INSTALLED_MODULEDIR);
  /* A folder configured outside the prefix stays where it is. */
  g_assert_cmpstr (bootfix_installed_dir ("/etc/virt-bootfix"), ==,
                   "/etc/virt-bootfix");
}

static void
test_lookup_env (void)
{
  g_autofree char *saved = g_strdup (g_getenv ("BOOTFIX_TEST_DIR"));
  g_assert_true (g_setenv ("BOOTFIX_TEST_DIR", "/opt/bootfix-test/data", TRUE));
  g_assert_cmpstr (bootfix_lookup_dir ("BOOTFIX_TEST_DIR", "share/x"), ==,
                   "/opt/bootfix-test/data");
  /* Empty is unset. */
  g_assert_true (g_setenv ("BOOTFIX_TEST_DIR", "", TRUE));
  g_assert_cmpstr (bootfix_lookup_dir ("BOOTFIX_TEST_DIR", "share/x"), ==,
                   bootfix_installed_dir ("share/x"));
  g_unsetenv ("BOOTFIX_TEST_DIR");
  g_autofree char *want = g_build_filename (BOOTFIX_PREFIX, "share", "x", NULL);
  g_assert_cmpstr (bootfix_lookup_dir ("BOOTFIX_TEST_DIR", "share/x"), ==, want);
  if (saved)
    g_setenv ("BOOTFIX_TEST_DIR", saved, TRUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dirs/prefix-of-bindir", test_prefix_of_bindir);
  g_test_add_func ("/dirs/build-tree-prefix", test_build_tree_prefix);
  g_test_add_func ("/dirs/lookup-env", test_lookup_env);
  return g_test_run ();
}
