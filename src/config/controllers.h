/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The controller database, data/controllers.xml: which emulated PCI
 * controller a libvirt (machine, bus, controller model) turns into. */
#ifndef BOOTFIX_CONTROLLERS_H
#define BOOTFIX_CONTROLLERS_H

#include <glib.h>

G_BEGIN_DECLS

typedef struct _BootfixControllerDb BootfixControllerDb;

typedef struct {
  char *id;          /* "piix3-ide" */
  char *description; /* "Intel PIIX3 IDE (i440fx built-in)" */
  char *pci_id;      /* "8086:7010" (the one the guest sees by default);
                      * NULL only when !bootable and the data has none */
  GPtrArray *all_pci_ids; /* char *: every PCI id the device may show */
  gboolean bootable; /* FALSE for usb and the like: refuse as boot bus */
  char *reason;      /* why it is not bootable (for the user), or NULL */
} BootfixController;

BootfixControllerDb *bootfix_controller_db_load (const char *path,
                                                 GError **error);
void bootfix_controller_db_free (BootfixControllerDb *db);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixControllerDb, bootfix_controller_db_free)

/* "pc", "pc-i440fx-7.2", "pc-1.2" -> "i440fx"; "q35", "pc-q35-7.2" ->
 * "q35"; NULL (with error) when the data knows no such machine. */
const char *bootfix_controller_db_machine_family (const BootfixControllerDb *db,
                                                  const char *machine,
                                                  GError **error);

/* Resolve a bus (+ controller model, may be NULL) on a machine family
 * to a controller.  For virtio disks, model is the disk's model
 * (virtio, virtio-transitional, virtio-non-transitional).  Fails with
 * BOOTFIX_ERROR_UNSUPPORTED naming the bus, model and machine when the
 * data has no such combination, and says why when the data has a
 * reason (ide on q35). */
const BootfixController *
bootfix_controller_db_resolve (const BootfixControllerDb *db,
                               const char *machine_family, const char *bus,
                               const char *model, GError **error);

const BootfixController *
bootfix_controller_db_lookup (const BootfixControllerDb *db, const char *id);

/* All controller ids, in file order (for the support matrix). */
GPtrArray *bootfix_controller_db_list (const BootfixControllerDb *db);

G_END_DECLS

#endif
