/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one lookup of virt-bootfix's folders (data, modules,
 * translations), relative to the prefix the program runs from. */
#include "config.h"

#include <string.h>

#include "dirs.h"

/* Without a trailing slash ("/" stays "/"). */
static char *
without_trailing_slashes (const char *path)
{
  char *p = g_strdup (path);
  gsize n = strlen (p);
  while (n > 1 && p[n - 1] == '/')
    p[--n] = '\0';
  return p;
}

char *
bootfix_prefix_of_bindir (const char *folder, const char *bindir)
{
  if (folder == NULL || bindir == NULL || bindir[0] == '\0' ||
      g_path_is_absolute (bindir) || !g_path_is_absolute (folder))
    return NULL;
  g_autofree char *f = without_trailing_slashes (folder);
  g_autofree char *b = without_trailing_slashes (bindir);
  gsize nf = strlen (f), nb = strlen (b);
  /* "/opt/vb/bin" ends in "/" + "bin"; "/opt/vb/sbin" does not. */
  if (nf <= nb || strcmp (f + nf - nb, b) != 0 || f[nf - nb - 1] != '/')
    return NULL;
  gsize np = nf - nb - 1;
  return np == 0 ? g_strdup ("/") : g_strndup (f, np);
}

/* The prefix from the executable's folder, or NULL. */
static char *
prefix_from_executable (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  if (exe == NULL)
    return NULL;
  g_autofree char *folder = g_path_get_dirname (exe);
  return bootfix_prefix_of_bindir (folder, BOOTFIX_BINDIR);
}

const char *
bootfix_runtime_prefix (void)
{
  static const char *prefix;
  if (g_once_init_enter (&prefix)) {
    g_autofree char *found = prefix_from_executable ();
    g_once_init_leave (&prefix, g_intern_string (found ? found : BOOTFIX_PREFIX));
  }
  return prefix;
}

const char *
bootfix_installed_dir (const char *rel)
{
  if (g_path_is_absolute (rel))
    return g_intern_string (rel);
  g_autofree char *dir = g_build_filename (bootfix_runtime_prefix (), rel, NULL);
  return g_intern_string (dir);
}

const char *
bootfix_lookup_dir (const char *env_var, const char *rel)
{
  /* An empty variable is treated as unset: "BOOTFIX_MODULEDIR= cmd" is
   * how shells clear it for one command. */
  const char *env = g_getenv (env_var);

  if (env != NULL && env[0] != '\0')
    return env;
  return bootfix_installed_dir (rel);
}
