/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bootfix-module.h is the one header module authors get.  It must
 * compile on its own (no GLib, no config.h) as strict C11 with warnings
 * as errors, and as C++; meson builds this file both ways.  Running it
 * checks what BOOTFIX_REGISTER_MODULE fills in. */
#include "bootfix-module.h"

#ifdef __cplusplus
#define STATIC_ASSERT static_assert
#else
#define STATIC_ASSERT _Static_assert
#endif

/* The ABI promise: every table starts with its 64-bit size. */
STATIC_ASSERT (offsetof (struct bootfix_module, _struct_size) == 0,
               "module table starts with its size");
STATIC_ASSERT (offsetof (struct bootfix_host, _struct_size) == 0,
               "host table starts with its size");
STATIC_ASSERT (offsetof (struct bootfix_facts, _struct_size) == 0,
               "facts start with their size");
STATIC_ASSERT (offsetof (struct bootfix_partition, _struct_size) == 0,
               "partitions start with their size");
STATIC_ASSERT (offsetof (struct bootfix_edit, _struct_size) == 0,
               "edits start with their size");
STATIC_ASSERT (sizeof (uint64_t) == 8, "_struct_size is 64 bits");
STATIC_ASSERT (offsetof (struct bootfix_module, _api_version) == 8,
               "API version right after the size");

static int
probe (const struct bootfix_host *h)
{
  (void) h;
  return 1;
}

static int
plan (const struct bootfix_host *h)
{
  (void) h;
  return 0;
}

static struct bootfix_module module;
BOOTFIX_REGISTER_MODULE (module)

/* The _HAS macros on structs as an older or newer sender passes them. */
static int
has_macros_work (void)
{
  struct bootfix_facts old_facts;
  struct bootfix_facts facts;
  struct bootfix_partition part;
  struct bootfix_host host;

  old_facts._struct_size = offsetof (struct bootfix_facts, driver_source);
  facts._struct_size = sizeof facts;
  part._struct_size = offsetof (struct bootfix_partition, fs_type);
  host._struct_size = sizeof host;
  host.list_subkeys = 0;
  return !BOOTFIX_FACTS_HAS (&old_facts, driver_source)
         && BOOTFIX_FACTS_HAS (&old_facts, pci_id)
         && BOOTFIX_FACTS_HAS (&facts, driver_source)
         && BOOTFIX_PARTITION_HAS (&part, type_guid)
         && !BOOTFIX_PARTITION_HAS (&part, fs_type)
         && !BOOTFIX_HOST_HAS (&host, list_subkeys);
}

int
main (void)
{
  const struct bootfix_module *m;

  module.name = "header-alone";
  module.probe = probe;
  module.plan = plan;
  m = bootfix_module_init ();
  if (m != &module
      || m->_struct_size != sizeof (struct bootfix_module)
      || m->_api_version != BOOTFIX_API_VERSION
      || m->probe (NULL) != 1 || m->plan (NULL) != 0
      || !has_macros_work ())
    return 1;
  return 0;
}
