/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where virt-bootfix finds its files: the data folder and the module
 * folder are looked up the same way. */
#ifndef BOOTFIX_DIRS_H
#define BOOTFIX_DIRS_H

#include <glib.h>

G_BEGIN_DECLS

/* $env_var when set and not empty, else installed.  The build tree is
 * never a fallback: an installed binary must not carry the paths of the
 * machine it was built on, so running from the build tree goes through
 * the environment (`meson devenv`, the tests' env).  Returns one of the
 * two, not a copy. */
const char *bootfix_lookup_dir (const char *env_var, const char *installed);

G_END_DECLS

#endif
