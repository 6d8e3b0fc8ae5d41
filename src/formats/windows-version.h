/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What libguestfs inspection says about a Windows root, derived from
 * the few registry values it reads (SOFTWARE\Microsoft\Windows NT\
 * CurrentVersion).  Pure: the guest layer fetches the values, these
 * functions only interpret them, exactly as libguestfs 1.48 does
 * (daemon/inspect_utils.ml, lib/inspect-osinfo.c), so that our own
 * Windows finder reports what guestfs_inspect_os would. */
#ifndef BOOTFIX_WINDOWS_VERSION_H
#define BOOTFIX_WINDOWS_VERSION_H

#include <glib.h>

G_BEGIN_DECLS

/* Registry value types that hold a DWORD. */
#define BOOTFIX_REG_DWORD 4
#define BOOTFIX_REG_DWORD_BIG_ENDIAN 5

/* A DWORD value's data as the signed number libguestfs makes of it.
 * FALSE unless the type is a DWORD type and the data exactly 4 bytes. */
gboolean bootfix_windows_dword (guint32 type, const guint8 *data, gsize len,
                                gint32 *out);

/* The version in a CurrentVersion string: the first "N.M" in it, else
 * the first "N" (minor 0).  FALSE (and 0.0) when there is neither or a
 * number does not fit an int. */
gboolean bootfix_windows_parse_version (const char *text, int *major,
                                        int *minor);

/* The osinfo short id ("win7", "win2k8r2", "win10", "win2k19", "winxp",
 * "win2k3r2", … or "unknown") for a Windows version, ProductName and
 * InstallationType (the variant: "Server" in it means a server). */
const char *bootfix_windows_osinfo (int major, int minor,
                                    const char *product_name,
                                    const char *variant);

G_END_DECLS

#endif
