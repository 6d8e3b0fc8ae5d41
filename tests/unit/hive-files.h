/* Test files for the hive tests: our small hive and temporary copies.
 * GLib only, so tests of any layer can link it. */
#ifndef BOOTFIX_TEST_HIVE_FILES_H
#define BOOTFIX_TEST_HIVE_FILES_H

#include <glib.h>

G_BEGIN_DECLS

/* A whole file's bytes (the test fails when it cannot be read). */
GBytes *test_read_file (const char *path);

/* tests/unit/data/bcd/mini-bcd (ours), found through BOOTFIX_TEST_DATA. */
GBytes *test_mini_bcd (void);

/* A new temporary file holding len bytes of data; the caller removes it. */
char *test_temp_file (const void *data, gsize len);

G_END_DECLS

#endif
