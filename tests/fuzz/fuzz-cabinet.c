/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: arbitrary bytes as a driver-cache cabinet, looked up
 * for a few names the way the Windows module asks for drivers (whole
 * names and last components, every compression the seeds use).  A
 * lookup must give a file within the size limit, no file, or a
 * BOOTFIX_ERROR_GUEST / _UNSUPPORTED error in UTF-8.
 *
 * libgcab's block checksums would stop nearly every mutation before the
 * decompressors: GCAB_SKIP_CHECKSUM=1 is set here so that they see the
 * mutated data.  By default libgcab runs in a child, as in the tool;
 * FUZZ_CABINET_IN_PROCESS=1 runs it here, to find libgcab's own crashes
 * (its LZX decoder is known not to be memory-safe: expect those).  The
 * system libgcab carries no instrumentation: for coverage and ASan
 * inside it, put a build of libgcab made with clang -fsanitize=
 * address,undefined,fuzzer-no-link first on LD_LIBRARY_PATH. */
#include "config.h"

#include "fuzz-common.h"

#include <stdint.h>
#include <stdlib.h>
#include <glib.h>

#include "bootfix-error.h"
#include "cabinet.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Names in the seeds (tests/unit/data/cabinet/make-cabs.py): stored,
 * MSZIP, LZX, reserve areas; one by its whole name. */
static const char *const lookups[] = {
  "a.sys", "D\\b.sys", "atapi.sys", "lzx.sys", "res.sys", "short.sys",
};

static gboolean in_process;

/* libgcab's g_warn_if_fail() on inflate leftovers: expected here. */
static void
drop_message (const char *domain, GLogLevelFlags level, const char *message,
              gpointer data)
{
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL);
  g_log_set_handler ("gcab", G_LOG_LEVEL_WARNING, drop_message, NULL);
  g_setenv ("GCAB_SKIP_CHECKSUM", "1", TRUE);
  in_process = g_getenv ("FUZZ_CABINET_IN_PROCESS") != NULL;
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GBytes) cab = g_bytes_new_static (data, size);

  for (gsize i = 0; i < G_N_ELEMENTS (lookups); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) out = NULL;
    gboolean ok = in_process
      ? bootfix_cabinet_extract_in_process (cab, "fuzz.cab", lookups[i], &out, &error)
      : bootfix_cabinet_extract (cab, "fuzz.cab", lookups[i], &out, &error);
    if (ok) {
      CHECK (error == NULL);
      CHECK (out == NULL || g_bytes_get_size (out) <= BOOTFIX_CABINET_MAX_FILE_SIZE);
    } else {
      CHECK (out == NULL && error != NULL && error->domain == BOOTFIX_ERROR);
      CHECK (error->code == BOOTFIX_ERROR_GUEST ||
             error->code == BOOTFIX_ERROR_UNSUPPORTED);
      fuzz_touch_text (error->message);
    }
  }
  return 0;
}
