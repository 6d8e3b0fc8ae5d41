/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host-services table handed to conversion modules: guest facts,
 * the matched rule, registry reads and the plan builder. */
#ifndef BOOTFIX_HOST_H
#define BOOTFIX_HOST_H

#include <glib.h>
#include "bootfix-module.h"
#include "guest.h"
#include "hive.h"
#include "module-loader.h"
#include "plan.h"
#include "rules.h"

G_BEGIN_DECLS

/* Gives the module a hive by name ("SYSTEM"), downloading it once. */
typedef BootfixHive *(*BootfixHiveGetter) (gpointer user, const char *name,
                                           GError **error);

/* Gives the module a file of the guest: device NULL for the Windows
 * root.  NULL without an error when there is no such file.  Lets the
 * executor keep the copy it will later patch. */
typedef GBytes *(*BootfixFileGetter) (gpointer user, const char *device,
                                      const char *path, gsize max_len,
                                      GError **error);

typedef struct _BootfixHostContext BootfixHostContext;

/* facts must outlive the context; strings in it must not be NULL. */
BootfixHostContext *bootfix_host_context_new (const struct bootfix_facts *facts,
                                              const BootfixRule *rule,
                                              BootfixPlan *plan,
                                              BootfixGuest *guest,
                                              BootfixHiveGetter get_hive,
                                              gpointer user);
void bootfix_host_context_free (BootfixHostContext *ctx);
void bootfix_host_context_set_file_getter (BootfixHostContext *ctx,
                                           BootfixFileGetter get_file);
/* The driver tree read_driver_source reads from (--virtio-win), or NULL. */
void bootfix_host_context_set_driver_source (BootfixHostContext *ctx,
                                             const char *dir);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixHostContext, bootfix_host_context_free)

/* Warnings the modules logged, for the report (char*). */
GPtrArray *bootfix_host_context_messages (BootfixHostContext *ctx);
/* The links the modules' check callbacks reported (BootfixLink*, in
 * order; report.h). */
GPtrArray *bootfix_host_context_links (BootfixHostContext *ctx);

typedef enum {
  BOOTFIX_CALLBACK_PROBE,
  BOOTFIX_CALLBACK_PLAN,
  BOOTFIX_CALLBACK_VERIFY,
  BOOTFIX_CALLBACK_CHECK,
} BootfixCallback;

/* Call one module callback.  Returns its result (probe: 0 or 1), or -1
 * with a GError that names the module and carries its message.  An
 * absent optional callback returns 1. */
int bootfix_host_call (BootfixHostContext *ctx, const BootfixModule *mod,
                       BootfixCallback which, GError **error);

G_END_DECLS

#endif
