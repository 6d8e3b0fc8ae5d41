/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The windows module's links of the boot chain, for --check. */
#ifndef WINDOWS_LINKS_H
#define WINDOWS_LINKS_H

#include <stddef.h>
#include "bootfix-module.h"

/* What to do when no rule covers the guest on its controller. */
#define WINDOWS_NO_RULE_ADVICE \
  "choose another bus (ide on machine pc, or sata on q35), or add a rule " \
  "under data/rules"

/* Report the storage driver's links through h->report_link.  0 or -1. */
int windows_check_links (const struct bootfix_host *h);

/* windows.c: does item i of r apply to this guest's controller? */
int windows_item_applies (const struct bootfix_host *h,
                          const struct bootfix_rule *r, size_t i);

#endif
