/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fixing a group of guests in one shared appliance: each guest keeps
 * its own overlays, plan, verification, journal and report; only the
 * appliance launch is shared.  A guest that fails, is refused or whose
 * hive kills the hivex child fails alone.  When the appliance itself
 * dies, every guest of the group not finished yet is handed back to be
 * run again in an appliance of its own. */
#ifndef BOOTFIX_GROUP_H
#define BOOTFIX_GROUP_H

#include <glib.h>
#include "executor.h"

G_BEGIN_DECLS

typedef struct {
  /* Guest index's report is final (the callee takes it). */
  void (*done) (guint index, BootfixGuestReport *report, gpointer user);
  /* Guest index must run again, alone. */
  void (*retry) (guint index, gpointer user);
  /* Asked before each guest starts (may be NULL): stop now?  The
   * guests not started yet are neither done nor retried; the ones
   * already written are still committed. */
  gboolean (*stop) (gpointer user);
  gpointer user;
} BootfixGroupCallbacks;

/* domains: BootfixDomain*, all of whose disks fit in one appliance. */
void bootfix_fix_group (const BootfixContext *ctx, GPtrArray *domains,
                        const BootfixFixOptions *opts,
                        const BootfixGroupCallbacks *cb);

/* Guests in this process, in order, groups of at most group_size of
 * them (0: up to 10) sharing an appliance whose disk limit they fit;
 * a guest a group hands back runs again alone.  Appends one report per
 * domain (BootfixDomain*) to reports, in their order. */
void bootfix_fix_in_groups (const BootfixContext *ctx, GPtrArray *domains,
                            guint group_size, const BootfixFixOptions *opts,
                            GPtrArray *reports);

/* One guest in an appliance of its own.  Always returns a report; on
 * failure its status is error or refused and its messages say why. */
BootfixGuestReport *bootfix_fix_guest (const BootfixContext *ctx,
                                       const BootfixDomain *dom,
                                       const BootfixFixOptions *opts);

G_END_DECLS

#endif
