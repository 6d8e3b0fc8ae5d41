/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: arbitrary bytes as a registry hive, edited the way
 * the executor edits a guest's SYSTEM hive: set a value (creating keys),
 * delete a value, delete a key, resolve a control-set path, commit, and
 * reopen the result.  Any outcome but a crash or a non-bootfix error is
 * fine.  hivex itself is not instrumented. */
#include "config.h"

#include "fuzz-common.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <glib.h>

#include "bootfix-error.h"
#include "bootfix-module.h"
#include "hive.h"
#include "plan.h"


int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Real SYSTEM hives are larger, but the structure repeats. */
#define FUZZ_MAX_HIVE (1024 * 1024)

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

static BootfixPlan *
edits (void)
{
  static const guint8 zero[4] = { 0 };
  BootfixPlan *plan = bootfix_plan_new ();
  bootfix_plan_add (plan, BOOTFIX_ACTION_SET_VALUE, "SYSTEM",
                    BOOTFIX_CONTROL_SET "\\Services\\intelide", "Start",
                    BOOTFIX_REG_DWORD, zero, 4, "fuzz");
  bootfix_plan_add (plan, BOOTFIX_ACTION_SET_VALUE, "SYSTEM", "A\\B\\C", "S",
                    BOOTFIX_REG_SZ, "text", 4, "fuzz");
  bootfix_plan_add (plan, BOOTFIX_ACTION_DELETE_VALUE, "SYSTEM", "A\\B\\C", "S",
                    0, NULL, 0, "fuzz");
  bootfix_plan_add (plan, BOOTFIX_ACTION_DELETE_KEY, "SYSTEM", "A\\B", NULL, 0,
                    NULL, 0, "fuzz");
  return plan;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size > FUZZ_MAX_HIVE)
    return 0;
  int fd = fuzz_memfd_with ("fuzz-hive", data, size);
  g_autofree char *path = g_strdup_printf ("/proc/self/fd/%d", fd);
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixHive) hive = bootfix_hive_open (path, "fuzz", TRUE, &error);
  if (hive == NULL) {
    if (error->domain != BOOTFIX_ERROR)
      abort ();
    close (fd);
    return 0;
  }
  g_autoptr (BootfixPlan) plan = edits ();
  /* What the executor does: a hive that crashes libhivex on a copy in a
   * child is refused before it is edited here.  The fork costs most of
   * the time: FUZZ_HIVE_NO_PREFLIGHT=1 skips it, to fuzz our code at
   * full speed with libFuzzer's -fork=1 -ignore_crashes=1 (the known
   * libhivex assertion then shows up as a crash to be triaged). */
  static int preflight = -1;
  if (preflight < 0)
    preflight = g_getenv ("FUZZ_HIVE_NO_PREFLIGHT") == NULL;
  if (preflight &&
      !bootfix_hive_preflight (path, "fuzz", plan->actions, "SYSTEM", &error)) {
    if (error->domain != BOOTFIX_ERROR)
      abort ();
    close (fd);
    return 0;
  }
  g_autoptr (GPtrArray) changes =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_change_free);
  for (guint i = 0; i < plan->actions->len; i++) {
    g_clear_error (&error);
    if (!bootfix_hive_apply (hive, g_ptr_array_index (plan->actions, i),
                             "SYSTEM", TRUE, changes, &error) &&
        error->domain != BOOTFIX_ERROR)
      abort ();
  }
  int out = memfd_create ("fuzz-hive-out", MFD_CLOEXEC);
  g_autofree char *out_path = g_strdup_printf ("/proc/self/fd/%d", out);
  g_clear_error (&error);
  if (bootfix_hive_commit (hive, out_path, &error)) {
    g_autoptr (BootfixHive) again = bootfix_hive_open (out_path, "fuzz", FALSE, &error);
    (void) again;
  }
  close (out);
  close (fd);
  return 0;
}
