/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers the rule tests share (test-rules, test-cleanups). */
#ifndef BOOTFIX_TEST_RULES_UTIL_H
#define BOOTFIX_TEST_RULES_UTIL_H

#include <glib.h>
#include "rules.h"

/* A rule document from a string, named mem.xml in messages. */
BootfixRuleSet *load_string (const char *xml, GError **error);
/* data/rules as shipped (BOOTFIX_DATADIR); asserts it loads. */
BootfixRuleSet *load_shipped (void);
/* "kind a=v b=v", attributes sorted: a whole item as one string. */
char *item_to_string (const BootfixRuleItem *item);
/* The rule's items are exactly expect (NULL-terminated), in order. */
void assert_items (const BootfixRule *rule, const char *const *expect);

#endif
