/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Registry hives on the host: a downloaded copy of a guest hive, read
 * and edited with libhivex.  Every byte of it is hostile; hivex does the
 * bounds checking of the format, we bound paths and value sizes. */
#ifndef BOOTFIX_HIVE_H
#define BOOTFIX_HIVE_H

#include <glib.h>
#include "plan.h"

G_BEGIN_DECLS

/* Deepest key path we follow or create. */
#define BOOTFIX_MAX_KEY_DEPTH 32
/* Largest value we read into memory (hivex itself allows more). */
#define BOOTFIX_MAX_VALUE_LEN (1024 * 1024)

typedef struct _BootfixHive BootfixHive;

/* label names the hive in messages, e.g. "/Windows/System32/config/SYSTEM". */
BootfixHive *bootfix_hive_open (const char *local_path, const char *label,
                                gboolean writable, GError **error);
void bootfix_hive_free (BootfixHive *hive);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixHive, bootfix_hive_free)

/* Concrete paths for a plan path: a path that starts with
 * BOOTFIX_CONTROL_SET becomes one path per control set, the current one
 * (SYSTEM\Select\Current) first; with current_only, just that one. */
GPtrArray *bootfix_hive_expand_path (BootfixHive *hive, const char *path,
                                     gboolean current_only, GError **error);

/* Read a value at a concrete path.  Returns 1 and the value in ABI form
 * (UTF-8 for strings) in *data, 0 when the key or value is absent, -1
 * on error. */
int bootfix_hive_get_value (BootfixHive *hive, const char *path,
                            const char *name, guint32 *type, GBytes **data,
                            GError **error);

/* The value names of the key at a concrete path (NULL-terminated, UTF-8,
 * at most BOOTFIX_MAX_LISTED_VALUES).  1, 0 when the key is absent, -1. */
#define BOOTFIX_MAX_LISTED_VALUES 4096
int bootfix_hive_list_values (BootfixHive *hive, const char *path,
                              GStrv *names, GError **error);
/* The subkey names of the key at a concrete path ("" is the root), as
 * for bootfix_hive_list_values. */
#define BOOTFIX_MAX_LISTED_KEYS 4096
int bootfix_hive_list_subkeys (BootfixHive *hive, const char *path,
                               GStrv *names, GError **error);

/* Bring the hive (in memory) to what the action asks for, in every
 * control set it names.  Appends a BootfixChange to changes for
 * everything that was not already so; appends nothing when the action
 * already holds.  With write FALSE, only reports what would change. */
gboolean bootfix_hive_apply (BootfixHive *hive, const BootfixAction *action,
                             const char *hive_name, gboolean write,
                             GPtrArray *changes, GError **error);

/* libhivex asserts (aborts the process) on some damaged hives when it
 * writes to them.  Apply the actions (BootfixAction*, all for this hive)
 * to a fresh copy of local_path in a child process first: a hive that
 * kills the child, or keeps it busy past the deadline, fails here with
 * BOOTFIX_ERROR_GUEST instead of killing or hanging virt-bootfix.
 * Other failures are left for the real run to report. */
#define BOOTFIX_HIVE_PREFLIGHT_TIMEOUT_SECONDS 120
gboolean bootfix_hive_preflight (const char *local_path, const char *label,
                                 GPtrArray *actions, const char *hive_name,
                                 GError **error);

/* Write the in-memory hive to out_path (a new file). */
gboolean bootfix_hive_commit (BootfixHive *hive, const char *out_path,
                              GError **error);

/* Readable form of a value, for the report ("0", "intelide", "01 ff …"). */
char *bootfix_value_to_string (guint32 type, GBytes *abi_data);

G_END_DECLS

#endif
