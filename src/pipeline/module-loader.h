/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Loading conversion modules through the versioned ABI of
 * bootfix-module.h. */
#ifndef BOOTFIX_MODULE_LOADER_H
#define BOOTFIX_MODULE_LOADER_H

#include <glib.h>
#include <gmodule.h>
#include "bootfix-module.h"

G_BEGIN_DECLS

/* The oldest module API version this host still accepts. */
#define BOOTFIX_API_VERSION_MIN 1

typedef struct {
  char *path;
  GModule *gmodule;
  /* The host's own zero-filled copy: min(sizeof, _struct_size) bytes of
   * the module's struct, so fields the module does not know read 0. */
  struct bootfix_module m;
} BootfixModule;

/* Open one module.  Fails with BOOTFIX_ERROR_MODULE and a message that
 * names the file when it cannot be opened, lacks bootfix_module_init,
 * returns NULL, declares an API version outside
 * [BOOTFIX_API_VERSION_MIN, BOOTFIX_API_VERSION], a struct size smaller
 * than the fields every version has, or lacks a name or a mandatory
 * callback (probe, plan). */
BootfixModule *bootfix_module_load (const char *path, GError **error);
void bootfix_module_free (BootfixModule *mod);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixModule, bootfix_module_free)

/* Every *.so in dir, in name order; an unloadable one is an error. */
GPtrArray *bootfix_module_load_dir (const char *dir, GError **error);

/* $BOOTFIX_MODULEDIR, else the installed module dir (dirs.h). */
const char *bootfix_module_dir (void);

G_END_DECLS

#endif
