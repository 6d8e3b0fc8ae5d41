/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* All test modules, good and deliberately broken, from one source.  The
 * variant is chosen by -D flags in meson.build:
 *   TEST_MODULE_NAME=<C expression>  the .name field ("x", NULL, "")
 *   TEST_PROBE=NULL / TEST_PLAN=NULL leave out a mandatory callback
 *   TEST_API_VERSION=<n>             declare another API version
 *   TEST_STRUCT_SIZE=<n>             declare another struct size
 *   TEST_V1_SHORT                    size stops right after .plan
 *   TEST_FUTURE                      struct with fields appended
 *   TEST_INIT_NULL                   bootfix_module_init returns NULL
 *   TEST_VERIFY_FAILS                verify says the guest is wrong
 *   TEST_NO_INIT                     no bootfix_module_init at all
 *   TEST_RETRY                       plan reads TEST_RETRY_HIVE twice */
#include <stddef.h>
#include "bootfix-module.h"
#include "test-module.h"

#ifdef TEST_RETRY
/* A module may try again after a host call returned -1; the host must
 * fail the same way again, not crash.  -1 when both reads failed,
 * anything else tells the test the second one did not. */
static int
test_plan_retry (const struct bootfix_host *h)
{
  uint32_t type = 0;
  void *data = NULL;
  size_t len = 0;
  int first = h->get_value (h, TEST_RETRY_HIVE, TEST_PLAN_PATH, "Value",
                            &type, &data, &len);
  int second = h->get_value (h, TEST_RETRY_HIVE, TEST_PLAN_PATH, "Value",
                             &type, &data, &len);
  return first == -1 && second == -1 ? -1 : 2;
}
#define TEST_PLAN test_plan_retry
#endif

#ifndef TEST_MODULE_NAME
#define TEST_MODULE_NAME "good"
#endif
#ifndef TEST_PROBE
#define TEST_PROBE test_probe
#endif
#ifndef TEST_PLAN
#define TEST_PLAN test_plan
#endif
#ifdef TEST_V1_SHORT
#define TEST_STRUCT_SIZE offsetof (struct bootfix_module, verify)
#endif

/* Unused in the variants that leave a callback out. */
#define UNUSED __attribute__ ((unused))

static UNUSED int
test_probe (const struct bootfix_host *h)
{
  return TEST_PROBE_RESULT;
}

/* Reads the host table only when the test filled in ensure_key, so the
 * test may also call it with an all-zero host. */
static UNUSED int
test_plan (const struct bootfix_host *h)
{
  if (h->ensure_key == NULL)
    return 0;
  return h->ensure_key (h, "SYSTEM", TEST_PLAN_PATH, TEST_MODULE_NAME);
}

static int
test_verify (const struct bootfix_host *h)
{
#ifdef TEST_VERIFY_FAILS
  h->error (h, "%s", TEST_VERIFY_FAILURE);
  return -1;
#else
  return TEST_VERIFY_RESULT;
#endif
}

#define TEST_FIELDS                             \
  .name = TEST_MODULE_NAME,                     \
  .version = "1.0",                             \
  .description = "virt-bootfix test module",    \
  .probe = TEST_PROBE,                          \
  .plan = TEST_PLAN,                            \
  .verify = test_verify

#if defined TEST_FUTURE

static struct test_future_module future = {
  .m = { TEST_FIELDS },
  .post_plan = test_verify,
  .magic = { 0xdeadbeef, 0xdeadbeef, 0xdeadbeef, 0xdeadbeef },
};

/* BOOTFIX_REGISTER_MODULE (future.m) would store sizeof (future.m); a
 * module built against a later header stores the size of the whole,
 * larger struct. */
extern const struct bootfix_module *bootfix_module_init (void);
const struct bootfix_module *
bootfix_module_init (void)
{
  future.m._struct_size = sizeof future;
  future.m._api_version = BOOTFIX_API_VERSION;
  return &future.m;
}

#else

/* Unused where bootfix_module_init returns NULL. */
static UNUSED struct bootfix_module module = { TEST_FIELDS };

#if defined TEST_NO_INIT

/* An nbdkit-style entry point under the wrong name.  The version script
 * must keep it local, so the loader cannot find any init symbol. */
extern const struct bootfix_module *plugin_init (void);
const struct bootfix_module *
plugin_init (void)
{
  return &module;
}

#elif defined TEST_INIT_NULL

extern const struct bootfix_module *bootfix_module_init (void);
const struct bootfix_module *
bootfix_module_init (void)
{
  return NULL;
}

#elif defined TEST_STRUCT_SIZE || defined TEST_API_VERSION

#ifndef TEST_STRUCT_SIZE
#define TEST_STRUCT_SIZE sizeof module
#endif
#ifndef TEST_API_VERSION
#define TEST_API_VERSION BOOTFIX_API_VERSION
#endif

/* What BOOTFIX_REGISTER_MODULE does, with the header fields lying. */
extern const struct bootfix_module *bootfix_module_init (void);
const struct bootfix_module *
bootfix_module_init (void)
{
  module._struct_size = TEST_STRUCT_SIZE;
  module._api_version = TEST_API_VERSION;
  return &module;
}

#else

BOOTFIX_REGISTER_MODULE (module)

#endif
#endif
