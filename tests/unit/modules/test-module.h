/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared between the test modules (test-module.c) and
 * test-module-loader.c, so both agree on layouts and results. */
#ifndef TEST_MODULE_H
#define TEST_MODULE_H

#include <stdint.h>
#include "bootfix-module.h"

#define TEST_PROBE_RESULT 1
#define TEST_VERIFY_RESULT 0
/* What the verify-fails variant says (tests/integration checks it). */
#define TEST_VERIFY_FAILURE "the test module finds the guest wrong"

/* Registry path the plan callback passes to host->ensure_key, with the
 * module's name as the reason, so the test sees which module ran. */
#define TEST_PLAN_PATH "BootfixTest"

/* The hive the retry-hive module reads twice (-DTEST_RETRY). */
#define TEST_RETRY_HIVE "SYSTEM"

/* One byte over the loader's 64 KiB limit. */
#define TEST_HUGE_SIZE (64 * 1024 + 1)

/* What a module built against a later header might look like: the v1
 * fields, then fields this host does not know. */
struct test_future_module {
  struct bootfix_module m;
  int (*post_plan) (const struct bootfix_host *h);
  uint64_t magic[4];
};

#endif
