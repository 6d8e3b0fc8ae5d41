/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test files for the hive tests: our small hive, temporary copies, and
 * the real hives of the fixtures outside the project.  GLib and GIO
 * only, so tests of any layer can link it. */
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

/* fixtures/hives/NAME of the shared folder outside the project
 * (BOOTFIX_SHARED_DIR), decompressed with xz; NULL when the folder or
 * xz is not there, and the test should skip. */
GBytes *test_unxz_shared (const char *name);

/* The real Windows 10 1709 SYSTEM hive of that folder replayed with
 * both its logs (see test-hive-log.c): the SHA-256 another project's
 * test publishes for yarp's (M. Suhanov's reference implementation)
 * recovery of the same three files; we did not run yarp. */
#define TEST_REPLAYED_1709_SHA256 \
  "734095bf043ea72300feb8bc380a585d8a9c925cdd5ffc190ca5ff6bc5a7c231"

G_END_DECLS

#endif
