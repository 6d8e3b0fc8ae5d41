/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where virt-bootfix finds its files: the data folder and the module
 * folder are looked up the same way. */
#ifndef BOOTFIX_DIRS_H
#define BOOTFIX_DIRS_H

#include <glib.h>

G_BEGIN_DECLS

/* $env_var when set and not empty, else installed when it is a
 * directory, else uninstalled (the source or build tree, for running
 * from the build tree).  Returns one of the three, not a copy. */
const char *bootfix_lookup_dir (const char *env_var, const char *installed,
                                const char *uninstalled);

G_END_DECLS

#endif
