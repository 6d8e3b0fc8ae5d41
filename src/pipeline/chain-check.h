/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The links of the boot chain the host checks itself, as BootfixLinks
 * (report.h): what the domain's firmware needs of the boot disk, and
 * the volumes no offline fix can handle.  What the Windows boot manager
 * loads after that is the modules' (their check callbacks).  Facts:
 * docs/boot-chain-check.md. */
#ifndef BOOTFIX_CHAIN_CHECK_H
#define BOOTFIX_CHAIN_CHECK_H

#include <glib.h>
#include "guest.h"
#include "report.h"

G_BEGIN_DECLS

typedef struct {
  const char *firmware;  /* "bios", "efi", or NULL: the one the disk needs */
  guint boot_disk;       /* index of the disk the firmware starts */
  const char *arch;      /* the domain's: "x86_64" or "i686" */
} BootfixChainTarget;

/* Append the firmware's links: BIOS: partition table, MBR boot code,
 * active partition, its boot sector; UEFI: partition table, EFI system
 * partition, the fallback loader \EFI\Boot\BOOTX64.EFI.  A link that
 * makes the rest meaningless ends the walk.  *firmware: the firmware
 * walked ("bios" or "efi"; t->firmware, or the one the disk needs).
 * FALSE only when the guest's disks cannot be read. */
gboolean bootfix_chain_check_firmware (BootfixGuest *guest,
                                       const BootfixChainTarget *t,
                                       GPtrArray *links,
                                       const char **firmware,
                                       GError **error);

/* Append a broken link for each thing on the guest's disks that no
 * offline fix can see into: BitLocker volumes, dynamic disks, Storage
 * Spaces.  Nothing when there is none. */
gboolean bootfix_chain_check_volumes (BootfixGuest *guest, GPtrArray *links,
                                      GError **error);

/* The first broken link, or NULL. */
const BootfixLink *bootfix_chain_first_broken (GPtrArray *links);

G_END_DECLS

#endif
