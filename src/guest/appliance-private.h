/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What guest.c shares with appliance.c: the handle and the state every
 * guest of an appliance must see alike (what is mounted, the device
 * lists, blkid's answers).  Private to src/guest. */
#ifndef BOOTFIX_APPLIANCE_PRIVATE_H
#define BOOTFIX_APPLIANCE_PRIVATE_H

#include <guestfs.h>
#include "appliance.h"

G_BEGIN_DECLS

struct _BootfixAppliance {
  gint refs;
  char *name;             /* for messages */
  gboolean verbose, trace;
  GPtrArray *drives;      /* Drive*, in appliance order */
  guestfs_h *g;           /* NULL until launched */
  char *accelerator;
  gboolean dead;          /* shut down, or seen dead */
  char *mounted;          /* the device mounted at /, or NULL */
  gboolean mounted_writable;
  GHashTable *fs_types;   /* device -> vfs type, asked once (blkid is slow) */
  GStrv devices;          /* guestfs_list_devices, asked once */
  GStrv partitions;       /* guestfs_list_partitions, asked once */
};

/* The device list, asked once (NULL with error set). */
const char *const *bootfix_appliance_devices (BootfixAppliance *app,
                                              GError **error);
const char *const *bootfix_appliance_partitions (BootfixAppliance *app,
                                                 GError **error);
/* Is name the appliance's disk itself or one of its partitions
 * (/dev/sdc, /dev/sdc1; not /dev/sdca, the 53rd disk)? */
gboolean bootfix_appliance_on_disk (const char *name, const char *disk);
/* Forget what a raw write to device (a disk or a partition) may have
 * changed: blkid's answers for that disk's devices, and what is
 * mounted.  The device and partition lists stay: the disks of a launch
 * never change, and the kernel keeps the partitions it found at boot
 * (nothing asks it to read a partition table again). */
void bootfix_appliance_forget (BootfixAppliance *app, const char *device);
/* After a failed call: notice an appliance that died under it. */
void bootfix_appliance_check_alive (BootfixAppliance *app);

G_END_DECLS

#endif
