/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test files for the hive tests; see hive-files.h. */
#include "config.h"

#include <unistd.h>
#include <gio/gio.h>

#include "hive-files.h"

GBytes *
test_read_file (const char *path)
{
  char *data = NULL;
  gsize len = 0;
  g_autoptr (GError) error = NULL;
  g_assert_true (g_file_get_contents (path, &data, &len, &error));
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

GBytes *
test_mini_bcd (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("BOOTFIX_TEST_DATA"),
                                            "bcd", "mini-bcd", NULL);
  return test_read_file (path);
}

char *
test_temp_file (const void *data, gsize len)
{
  char *path = NULL;
  int fd = g_file_open_tmp ("bootfix-test-XXXXXX", &path, NULL);
  g_assert_cmpint (fd, >=, 0);
  close (fd);
  g_assert_true (g_file_set_contents (path, data, (gssize) len, NULL));
  return path;
}

GBytes *
test_unxz_shared (const char *name)
{
  const char *shared = g_getenv ("BOOTFIX_SHARED_DIR");
  g_autofree char *path = shared
    ? g_build_filename (shared, "fixtures", "hives", name, NULL) : NULL;
  g_autofree char *xz = g_find_program_in_path ("xz");
  if (path == NULL || xz == NULL || !g_file_test (path, G_FILE_TEST_EXISTS))
    return NULL;
  g_autoptr (GError) error = NULL;
  const char *argv[] = { xz, "-dc", path, NULL };
  g_autoptr (GSubprocess) p =
    g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  GBytes *out = NULL;
  g_assert_true (g_subprocess_communicate (p, NULL, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (p));
  return out;
}
