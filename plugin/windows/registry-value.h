/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Rule items that set one registry value as written in the rule. */
#ifndef WINDOWS_REGISTRY_VALUE_H
#define WINDOWS_REGISTRY_VALUE_H

#include <stddef.h>
#include "bootfix-module.h"

/* Plan item i (kind "registry-value") of rule r.  0 or -1. */
int windows_plan_registry_value (const struct bootfix_host *h,
                                 const struct bootfix_rule *r, size_t i,
                                 const char *reason);

#endif
