/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An appliance: one libguestfs handle, launched once, that holds the
 * disks of one guest or of a group of guests.  Each guest works on its
 * own disks through a BootfixGuest opened in the appliance
 * (bootfix_guest_open_in), which shows them under the names they would
 * have alone (/dev/sda, …), so plans and reports do not depend on the
 * company a guest keeps. */
#ifndef BOOTFIX_APPLIANCE_H
#define BOOTFIX_APPLIANCE_H

#include <glib.h>
#include "domain.h"

G_BEGIN_DECLS

typedef struct _BootfixAppliance BootfixAppliance;

/* name: for messages (the guest's name, or "a group of N guests"). */
BootfixAppliance *bootfix_appliance_new (const char *name, gboolean verbose,
                                         gboolean trace);
BootfixAppliance *bootfix_appliance_ref (BootfixAppliance *app);
void bootfix_appliance_unref (BootfixAppliance *app);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixAppliance, bootfix_appliance_unref)

/* Before the launch: the guest's disks, each as overlays[i] (qcow2)
 * when overlays is set, else as its source in its format.  Returns the
 * appliance index of the guest's first disk. */
guint bootfix_appliance_add_guest (BootfixAppliance *app,
                                   const BootfixDomain *dom,
                                   GPtrArray *overlays, gboolean readonly);

/* How many disks were added (those of every guest in it). */
guint bootfix_appliance_n_disks (const BootfixAppliance *app);

/* How many disks one appliance takes (libguestfs's limit). */
guint bootfix_appliance_max_disks (void);

/* Start it.  Uses KVM only where it can work (see bootfix_kvm_usable),
 * otherwise TCG, and retries once under TCG when a KVM launch fails.
 * Errors name the appliance and, when adding a disk failed, the guest
 * and its disk. */
gboolean bootfix_appliance_launch (BootfixAppliance *app, GError **error);

/* "kvm" or "tcg" once launched, else NULL. */
const char *bootfix_appliance_accelerator (const BootfixAppliance *app);

/* Is the appliance still running?  FALSE once it died (qemu crashed or
 * was killed) or was shut down. */
gboolean bootfix_appliance_alive (const BootfixAppliance *app);

/* Unmount, flush and stop: only after this is every write in the disk
 * images (the overlays), so its failure is an error. */
gboolean bootfix_appliance_shutdown (BootfixAppliance *app, GError **error);

/* Whether KVM can run an appliance here.  FALSE with a reason when
 * /dev/kvm is missing or inaccessible, when it is a software nested KVM
 * (kvm_pvm), or when the CPU shows no vmx/svm flag. */
gboolean bootfix_kvm_usable (char **why);

G_END_DECLS

#endif
