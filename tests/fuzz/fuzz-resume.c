/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for --resume (src/batch/batch-resume.c): the input
 * is a JSONL file as a crash or a user may leave it.  It must parse
 * without a crash, count no more skipped lines than it has, and never
 * make a guest whose files are not there count as done. */
#include "config.h"

#include "fuzz-common.h"
#include "batch-record.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Paths the seeds use; none exists on the fuzzing machine. */
static const char *const domains[] = {
  "/nonexistent/guests/win7.xml", "/nonexistent/guests/xp.xml", "/x",
};

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  guint skipped = 0;
  g_autoptr (BootfixResume) r =
    bootfix_resume_parse ((const char *) data, size, &skipped);
  size_t lines = 1;
  for (size_t i = 0; i < size; i++)
    lines += data[i] == '\n';
  CHECK (skipped <= lines && skipped == bootfix_resume_skipped (r));
  const char *const disks[] = { "/nonexistent/guests/win7.img", NULL };
  for (guint i = 0; i < G_N_ELEMENTS (domains); i++) {
    BootfixBatchEntry e = { .entry = (char *) "e", .path = (char *) domains[i] };
    CHECK (!bootfix_resume_is_done (r, &e, disks));
    CHECK (!bootfix_resume_is_done (r, &e, NULL));
  }
  return 0;
}
