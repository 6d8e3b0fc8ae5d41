/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --print-target: what each domain resolves to (machine, firmware, boot
 * disk, bus, controller model, controller and PCI id), from the domain
 * XML and data/controllers.xml alone: no disk is opened. */
#ifndef BOOTFIX_TARGET_H
#define BOOTFIX_TARGET_H

#include <stdio.h>
#include <glib.h>
#include "domain.h"

G_BEGIN_DECLS

/* One domain: either resolved (dom) or not (error). */
typedef struct {
  char *source;       /* the domain XML, or the first -a disk */
  BootfixDomain *dom; /* NULL when the domain could not be resolved */
  GError *error;      /* why, or NULL */
} BootfixTarget;

BootfixTarget *bootfix_target_new (const char *source, BootfixDomain *dom,
                                   GError *error);
void bootfix_target_free (BootfixTarget *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixTarget, bootfix_target_free)

/* A few lines per domain; errors go to err, the rest to out (NULL:
 * errors only). */
void bootfix_target_print (const BootfixTarget *t, FILE *out, FILE *err);

/* {"targets": [...]}: per domain its source, name, machine,
 * machine_family, firmware, boot_disk {target, source, bus}, bus,
 * controller_model, controller, pci_id, warnings, and error (null
 * when it resolved; every other member but source is then null). */
char *bootfix_targets_to_json (GPtrArray *targets);

/* 0 when every domain resolved, else 1 (the fix would end in error). */
int bootfix_targets_exit_code (GPtrArray *targets);

G_END_DECLS

#endif
