/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A guest held in memory, for unit tests: filesystems of files, and
 * devices (disks and partitions) of bytes.  It answers every
 * bootfix_guest_* call the pipeline makes the way the libguestfs
 * session does (paths in any case, either slash; a read past a
 * device's end fails), without an appliance. */
#ifndef BOOTFIX_GUEST_MEMORY_H
#define BOOTFIX_GUEST_MEMORY_H

#include "guest.h"

G_BEGIN_DECLS

/* root: the Windows root's device ("/dev/sda2"); systemroot: the Windows
 * directory on it ("/Windows"). */
BootfixGuest *bootfix_memory_guest_new (const char *name, const char *root,
                                        const char *systemroot);

/* A file at path (from the filesystem's root) of the filesystem on
 * device, NULL for the Windows root; replaces one of the same name. */
void bootfix_memory_guest_add_file (BootfixGuest *guest, const char *device,
                                    const char *path, GBytes *data);
/* A partition (or any block device that is not a disk) of size bytes:
 * head is its first bytes (NULL: none), the rest reads as zeros;
 * fs_type as bootfix_guest_fs_type says it ("" for none). */
void bootfix_memory_guest_add_device (BootfixGuest *guest, const char *device,
                                      guint64 size, GBytes *head,
                                      const char *fs_type);
/* A disk: a device that bootfix_guest_disks lists, in the order added,
 * with the partition table parsed from its bytes (512-byte sectors). */
void bootfix_memory_guest_add_disk (BootfixGuest *guest, const char *device,
                                    guint64 size, GBytes *head);

/* What a file or device holds now (after stage/commit or writes);
 * NULL when there is no such file or device. */
GBytes *bootfix_memory_guest_get_file (BootfixGuest *guest, const char *device,
                                       const char *path);
GBytes *bootfix_memory_guest_get_device (BootfixGuest *guest,
                                         const char *device);
/* Whether bootfix_guest_flush was called (the changes were flushed). */
gboolean bootfix_memory_guest_was_flushed (BootfixGuest *guest);

G_END_DECLS

#endif
