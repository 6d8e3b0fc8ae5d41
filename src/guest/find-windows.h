/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Our own search for Windows roots, in place of guestfs_inspect_os: it
 * reads only what virt-bootfix needs (the filesystems' types, the
 * system root found by its files, cmd.exe's architecture and a few
 * SOFTWARE values read in the appliance), and reports the same facts.
 * Private to src/guest. */
#ifndef BOOTFIX_FIND_WINDOWS_H
#define BOOTFIX_FIND_WINDOWS_H

#include <glib.h>
#include <guestfs.h>

#include "guest.h"

G_BEGIN_DECLS

/* Every Windows root on the disks (guestfs_list_devices) and
 * partitions (guestfs_list_partitions) (BootfixGuestInfo *, in the
 * order of the devices; root, os_type, product, variant, arch,
 * osinfo, version and systemroot filled), and the vfs type of every
 * device and partition looked at in fs_types (device -> type).
 *
 * *need_libguestfs is set (and NULL returned, without an error) when
 * something only libguestfs's own inspection can judge is present: a
 * filesystem that is neither NTFS nor FAT (another OS may live there;
 * LVM, RAID), or a FAT/NTFS root that looks like Unix or DOS.  Leaves
 * nothing mounted.  NULL with an error when a Windows root cannot be
 * read (a damaged hive): the error says what, not which guest. */
GPtrArray *bootfix_lg_find_windows (guestfs_h *g, const char *const *disks,
                                    const char *const *partitions,
                                    GHashTable *fs_types,
                                    gboolean *need_libguestfs,
                                    GError **error);

G_END_DECLS

#endif
