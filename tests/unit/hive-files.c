/* Test files for the hive tests; see hive-files.h. */
#include "config.h"

#include <unistd.h>

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
