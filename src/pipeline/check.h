/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --check's share of a job (executor.c): the modules' links, the state
 * of the Windows volume, and the refusals a fix would meet, as links of
 * the chain in the report.  docs/boot-chain-check.md. */
#ifndef BOOTFIX_CHECK_H
#define BOOTFIX_CHECK_H

#include <glib.h>
#include "guest.h"
#include "host.h"
#include "plan.h"
#include "report.h"

G_BEGIN_DECLS

/* Each claimed module (BootfixModule*) reports its links through host,
 * whose plan must stay empty: a module that plans while checking fails
 * the guest.  The links are appended to links. */
gboolean bootfix_check_modules (BootfixHostContext *host,
                                const BootfixPlan *scratch,
                                GPtrArray *claimed, GPtrArray *links,
                                const char *guest_name, GError **error);

/* A fix refuses a guest whose firmware cannot start its boot disk:
 * broken is the first broken link of the firmware's walk. */
void bootfix_check_refuse_firmware (BootfixPlan *plan, const char *firmware,
                                    const BootfixLink *broken);

/* The end of a check: the Windows volume's link (info from the
 * inspection, NULL when there was none), and, when a fix would refuse
 * the guest (why, advice) for a reason no link shows, a broken link
 * that says so. */
void bootfix_check_finish (BootfixGuestReport *report,
                           const BootfixGuestInfo *info, const char *why,
                           const char *advice);

G_END_DECLS

#endif
