/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where virt-bootfix finds its files: the data folder, the module
 * folder and the translations are looked up the same way. */
#ifndef BOOTFIX_DIRS_H
#define BOOTFIX_DIRS_H

#include <glib.h>

G_BEGIN_DECLS

/* The prefix whose bindir is the given folder: "/opt/vb" for
 * ("/opt/vb/bin", "bin"), NULL when the folder does not end in bindir
 * (or bindir is absolute or empty).  Pure; a copy. */
char *bootfix_prefix_of_bindir (const char *folder, const char *bindir);

/* The prefix this program is installed in: the one above the bindir
 * that holds the running executable (/proc/self/exe, symbolic links
 * resolved), so that an installation moved elsewhere or staged with
 * DESTDIR finds its own files; the configured prefix when the
 * executable does not sit in a bindir (the build tree, a test).
 * Computed once. */
const char *bootfix_runtime_prefix (void);

/* A folder of the installation: rel (relative to the prefix, as meson
 * configured it) under bootfix_runtime_prefix (); an absolute rel (a
 * folder configured outside the prefix) as it is.  Interned: never
 * freed. */
const char *bootfix_installed_dir (const char *rel);

/* $env_var when set and not empty, else bootfix_installed_dir (rel).
 * The build tree is never a fallback: an installed binary must not
 * carry the paths of the machine it was built on, so running from the
 * build tree goes through the environment (`meson devenv`, the tests'
 * env).  Not a copy. */
const char *bootfix_lookup_dir (const char *env_var, const char *rel);

G_END_DECLS

#endif
