/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the batch list (src/batch/batch-list.c): the
 * input is a --batch FILE.  A list that parses has entries that are
 * UTF-8, trimmed, on increasing lines, with distinct absolute paths,
 * each taken by exactly one shard of N; a refusal is a usage error in
 * UTF-8.  The input's head is also tried as a --shard value. */
#include "config.h"

#include "fuzz-common.h"
#include "bootfix-error.h"
#include "batch-list.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_entry (const BootfixBatchEntry *e, guint previous_line)
{
  size_t n = fuzz_touch_text (e->entry);
  CHECK (n > 0 && n <= BOOTFIX_BATCH_MAX_LINE);
  CHECK (strchr (e->entry, '\n') == NULL && e->entry[0] != '#');
  CHECK (e->entry[0] != ' ' && e->entry[0] != '\t');
  CHECK (e->entry[n - 1] != ' ' && e->entry[n - 1] != '\t' &&
         e->entry[n - 1] != '\r');
  fuzz_touch_text (e->path);
  CHECK (g_path_is_absolute (e->path));
  CHECK (e->line > previous_line);
  for (guint n_shards = 1; n_shards <= 5; n_shards++) {
    guint taken = 0;
    for (guint k = 0; k < n_shards; k++)
      taken += bootfix_batch_in_shard (e, k, n_shards) ? 1 : 0;
    CHECK (taken == 1);
  }
}

static void
check_shard (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, MIN (size, 32));
  guint k = 0, n = 0;
  GError *error = NULL;
  if (bootfix_batch_shard_parse (text, &k, &n, &error)) {
    CHECK (k < n && n <= 65536);
    return;
  }
  CHECK (g_error_matches (error, BOOTFIX_ERROR, BOOTFIX_ERROR_USAGE));
  fuzz_touch_text (error->message);
  g_error_free (error);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  g_autoptr (GPtrArray) entries =
    bootfix_batch_list_parse ((const char *) data, size, "/base", "list",
                              &error);
  check_shard (data, size);
  if (entries == NULL) {
    CHECK (g_error_matches (error, BOOTFIX_ERROR, BOOTFIX_ERROR_USAGE));
    fuzz_touch_text (error->message);
    g_error_free (error);
    return 0;
  }
  CHECK (entries->len <= BOOTFIX_BATCH_MAX_ENTRIES);
  g_autoptr (GHashTable) paths = g_hash_table_new (g_str_hash, g_str_equal);
  guint line = 0;
  for (guint i = 0; i < entries->len; i++) {
    const BootfixBatchEntry *e = g_ptr_array_index (entries, i);
    check_entry (e, line);
    line = e->line;
    CHECK (g_hash_table_add (paths, e->path));
  }
  return 0;
}
