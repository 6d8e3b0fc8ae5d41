/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one lookup of virt-bootfix's folders (data and modules). */
#include "config.h"

#include "dirs.h"

const char *
bootfix_lookup_dir (const char *env_var, const char *installed)
{
  /* An empty variable is treated as unset: "BOOTFIX_MODULEDIR= cmd" is
   * how shells clear it for one command. */
  const char *env = g_getenv (env_var);

  if (env != NULL && env[0] != '\0')
    return env;
  return installed;
}
