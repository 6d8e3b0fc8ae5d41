/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What --resume compares to tell that a guest is still the one a record
 * describes: the domain file and every disk, each by path, size, inode
 * and modification time in nanoseconds (docs/batch.md, "Resume"). */
#ifndef BOOTFIX_BATCH_IDENTITY_H
#define BOOTFIX_BATCH_IDENTITY_H

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Most disks one record may list: far above what a domain can attach. */
#define BOOTFIX_BATCH_IDENTITY_MAX_DISKS 1024

typedef struct _BootfixBatchIdentity BootfixBatchIdentity;

/* Stat the files now; one that cannot be stat'ed is recorded as
 * unknown, and an unknown file is never the same as anything. */
BootfixBatchIdentity *bootfix_batch_identity_take (const char *domain_file,
                                                   const char *const *disks);
void bootfix_batch_identity_free (BootfixBatchIdentity *id);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixBatchIdentity, bootfix_batch_identity_free)

/* {"domain_file": FILE, "disks": [FILE...]}, FILE being {"path",
 * "size", "inode", "mtime_ns"} (the numbers null when unknown). */
JsonNode *bootfix_batch_identity_to_json (const BootfixBatchIdentity *id);
/* NULL when node is not such an object (hostile input). */
BootfixBatchIdentity *bootfix_batch_identity_from_json (JsonNode *node);

/* Same paths in the same order, each file known and equal in size,
 * inode and mtime. */
gboolean bootfix_batch_identity_same (const BootfixBatchIdentity *a,
                                      const BootfixBatchIdentity *b);

G_END_DECLS

#endif
