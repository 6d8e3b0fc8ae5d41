/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Finding Windows roots the way libguestfs inspection does, reading
 * only what virt-bootfix needs (see find-windows.h).  Under TCG every
 * appliance call costs tens of milliseconds and guestfs_inspect_os
 * several seconds, most of it probing filesystems no Windows fix
 * needs; see ARCHITECTURE.md, "Inspection". */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "appliance-private.h"
#include "bootfix-error.h"
#include "bootini.h"
#include "find-windows.h"
#include "windows-version.h"

/* Where libguestfs looks for the Windows directory (then boot.ini). */
static const char *const systemroot_candidates[] = {
  "/windows", "/winnt", "/win32", "/win", "/reactos",
};

/* Names at a filesystem's root that libguestfs tests before (Unix
 * roots, /usr, /var, grub's /boot) or instead of (DOS) a Windows root:
 * where one is present only its own inspection can say what it is. */
static const char *const other_os_markers[] = {
  "etc", "bin", "grub", "grub2", "hurd", "log", "fdos", "dos",
};

/* Longest registry string we keep (a product name is a few dozen). */
#define MAX_REGISTRY_STRING 1024

static void
info_free (BootfixGuestInfo *info)
{
  bootfix_guest_info_clear (info);
  g_free (info);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixGuestInfo, info_free)

static void
set_lg_error (GError **error, guestfs_h *g, const char *what)
{
  const char *msg = guestfs_last_error (g);
  g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST, "%s: %s", what,
               msg ? msg : _("unknown libguestfs error"));
}

/* libguestfs's is_dir_nocase / is_file_nocase. */
static gboolean
exists_nocase (guestfs_h *g, const char *path, gboolean dir)
{
  g_autofree char *real = guestfs_case_sensitive_path (g, path);
  if (real == NULL)
    return FALSE;
  return (dir ? guestfs_is_dir (g, real) : guestfs_is_file (g, real)) > 0;
}

static gboolean
is_systemroot (guestfs_h *g, const char *dir)
{
  g_autofree char *sys32 = g_strconcat (dir, "/system32", NULL);
  g_autofree char *config = g_strconcat (sys32, "/config", NULL);
  g_autofree char *cmd = g_strconcat (sys32, "/cmd.exe", NULL);
  return exists_nocase (g, sys32, TRUE) && exists_nocase (g, config, TRUE) &&
         exists_nocase (g, cmd, FALSE);
}

/* The first ARC entry of boot.ini whose directory is a system root, as
 * written there (libguestfs does not correct its case either). */
static char *
systemroot_from_boot_ini (guestfs_h *g)
{
  g_autofree char *path = guestfs_case_sensitive_path (g, "/boot.ini");
  if (path == NULL || guestfs_is_file (g, path) <= 0)
    return NULL;
  int64_t size = guestfs_filesize (g, path);
  if (size < 0 || size > BOOTFIX_MAX_BOOTINI_SIZE)
    return NULL;
  size_t len = 0;
  g_autofree char *text = guestfs_read_file (g, path, &len);
  if (text == NULL)
    return NULL;
  g_autoptr (GError) why = NULL;
  g_autoptr (BootfixBootIni) ini =
    bootfix_bootini_parse ((const guint8 *) text, len, &why);
  if (ini == NULL) {
    g_debug ("boot.ini: %s", why->message);
    return NULL;
  }
  for (guint i = 0; i < ini->entries->len; i++) {
    const BootfixBootIniEntry *e = g_ptr_array_index (ini->entries, i);
    if (!e->is_arc || e->arc.kind == BOOTFIX_ARC_SIGNATURE || !e->arc.path[0])
      continue;
    g_autofree char *dir = g_strdelimit (g_strdup (e->arc.path), "\\", '/');
    if (is_systemroot (g, dir))
      return g_steal_pointer (&dir);
  }
  return NULL;
}

static char *
find_systemroot (guestfs_h *g)
{
  for (guint i = 0; i < G_N_ELEMENTS (systemroot_candidates); i++) {
    g_autofree char *real =
      guestfs_case_sensitive_path (g, systemroot_candidates[i]);
    if (real && is_systemroot (g, real))
      return g_steal_pointer (&real);
  }
  return systemroot_from_boot_ini (g);
}

static gboolean
looks_like_other_os (guestfs_h *g)
{
  g_auto (GStrv) names = guestfs_ls (g, "/");
  if (names == NULL)
    return TRUE;  /* cannot tell: let libguestfs judge */
  for (guint i = 0; names[i]; i++)
    for (guint j = 0; j < G_N_ELEMENTS (other_os_markers); j++)
      if (g_ascii_strcasecmp (names[i], other_os_markers[j]) == 0)
        return TRUE;
  return FALSE;
}

/* ---- the registry, read in the appliance: only the values asked for
 * cross, not the hive (a SOFTWARE hive can be hundreds of MiB) ---- */

/* A string value of the open hive's node, or NULL when it is missing
 * or not a string. */
static char *
hive_string (guestfs_h *g, int64_t node, const char *name)
{
  int64_t v = guestfs_hivex_node_get_value (g, node, name);
  if (v <= 0)
    return NULL;
  g_autofree char *s = guestfs_hivex_value_string (g, v);
  if (s == NULL || strlen (s) > MAX_REGISTRY_STRING)
    return NULL;
  return g_utf8_make_valid (s, -1);
}

static gboolean
hive_dword (guestfs_h *g, int64_t node, const char *name, gint32 *out)
{
  int64_t v = guestfs_hivex_node_get_value (g, node, name);
  if (v <= 0)
    return FALSE;
  int64_t type = guestfs_hivex_value_type (g, v);
  size_t len = 0;
  g_autofree char *data = guestfs_hivex_value_value (g, v, &len);
  return data && type >= 0 && type <= G_MAXUINT32 &&
         bootfix_windows_dword ((guint32) type, (const guint8 *) data, len, out);
}

/* The values of Microsoft\Windows NT\CurrentVersion libguestfs reads,
 * with its fallbacks: the version DWORDs of Windows 10 and later, else
 * the CurrentVersion string; without that string it stops there. */
static void
read_current_version (guestfs_h *g, int64_t root, BootfixGuestInfo *info)
{
  static const char *const path[] = { "Microsoft", "Windows NT", "CurrentVersion" };
  int64_t node = root;
  for (guint i = 0; i < G_N_ELEMENTS (path) && node > 0; i++)
    node = guestfs_hivex_node_get_child (g, node, path[i]);
  if (node <= 0)
    return;
  char *product = hive_string (g, node, "ProductName");
  if (product) {
    g_free (info->product_name);
    info->product_name = product;
  }
  gint32 major, minor;
  if (hive_dword (g, node, "CurrentMajorVersionNumber", &major) &&
      hive_dword (g, node, "CurrentMinorVersionNumber", &minor)) {
    info->major = major;
    info->minor = minor;
  } else {
    g_autofree char *version = hive_string (g, node, "CurrentVersion");
    if (version == NULL)
      return;
    (void) bootfix_windows_parse_version (version, &info->major, &info->minor);
  }
  char *variant = hive_string (g, node, "InstallationType");
  if (variant) {
    g_free (info->product_variant);
    info->product_variant = variant;
  }
}

/* Open a hive in the appliance; when info is given read its version
 * values.  FALSE when hivex cannot open it, which fails libguestfs's
 * inspection too (a damaged SYSTEM hive). */
static gboolean
read_hive (guestfs_h *g, const char *path, BootfixGuestInfo *info,
           GError **error)
{
  if (guestfs_hivex_open (g, path, -1) == -1) {
    set_lg_error (error, g, path);
    return FALSE;
  }
  int64_t root = guestfs_hivex_root (g);
  gboolean ok = root > 0;
  if (!ok)
    set_lg_error (error, g, path);
  else if (info)
    read_current_version (g, root, info);
  (void) guestfs_hivex_close (g);
  return ok;
}

static char *
hive_file (guestfs_h *g, const char *systemroot, const char *name)
{
  g_autofree char *path =
    g_strconcat (systemroot, "/system32/config/", name, NULL);
  g_autofree char *real = guestfs_case_sensitive_path (g, path);
  return real && guestfs_is_file (g, real) > 0 ? g_steal_pointer (&real) : NULL;
}

/* Like libguestfs, read the registry only when both hives exist. */
static gboolean
read_registry (guestfs_h *g, BootfixGuestInfo *info, GError **error)
{
  g_autofree char *software = hive_file (g, info->systemroot, "software");
  g_autofree char *system = hive_file (g, info->systemroot, "system");
  if (software == NULL || system == NULL)
    return TRUE;
  return read_hive (g, system, NULL, error) &&
         read_hive (g, software, info, error);
}

/* ---- filesystems ---- */

/* The filesystem mounted at / as a Windows root, or NULL (no error)
 * when it is none. */
static BootfixGuestInfo *
inspect_mounted (guestfs_h *g, const char *device, GError **error)
{
  g_autofree char *systemroot = find_systemroot (g);
  if (systemroot == NULL)
    return NULL;
  g_autoptr (BootfixGuestInfo) info = g_new0 (BootfixGuestInfo, 1);
  info->root = g_strdup (device);
  info->os_type = g_strdup ("windows");
  info->product_name = g_strdup ("unknown");
  info->product_variant = g_strdup ("unknown");
  info->systemroot = g_steal_pointer (&systemroot);
  /* libguestfs reads the architecture with file(1) on cmd.exe; so do
   * we, in the appliance, rather than parse hostile PE headers here. */
  g_autofree char *cmd_rel = g_strconcat (info->systemroot, "/system32/cmd.exe", NULL);
  g_autofree char *cmd = guestfs_case_sensitive_path (g, cmd_rel);
  info->arch = cmd ? guestfs_file_architecture (g, cmd) : NULL;
  if (info->arch == NULL) {
    set_lg_error (error, g, cmd ? cmd : cmd_rel);
    return NULL;
  }
  if (!read_registry (g, info, error))
    return NULL;
  info->osinfo = g_strdup (bootfix_windows_osinfo (info->major, info->minor,
                                                   info->product_name,
                                                   info->product_variant));
  return g_steal_pointer (&info);
}

/* Look at one NTFS or FAT filesystem: *found when it is a Windows
 * root.  FALSE only on an error. */
static gboolean
check_filesystem (guestfs_h *g, const char *device, BootfixGuestInfo **found,
                  gboolean *need_libguestfs, GError **error)
{
  *found = NULL;
  /* libguestfs skips what it cannot mount; so do we. */
  if (guestfs_mount_ro (g, device, "/") == -1)
    return TRUE;
  gboolean ok = TRUE;
  if (looks_like_other_os (g))
    *need_libguestfs = TRUE;
  else {
    g_autoptr (GError) why = NULL;
    *found = inspect_mounted (g, device, &why);
    if (why) {
      g_propagate_error (error, g_steal_pointer (&why));
      ok = FALSE;
    }
  }
  (void) guestfs_umount_all (g);
  return ok;
}

/* Whole disks without partitions, then every partition: the devices
 * libguestfs's list_filesystems starts from. */
static GStrv
filesystem_devices (const char *const *devices, const char *const *parts)
{
  g_autoptr (GStrvBuilder) out = g_strv_builder_new ();
  for (guint i = 0; devices[i]; i++) {
    gboolean partitioned = FALSE;
    for (guint j = 0; parts[j] && !partitioned; j++)
      partitioned = bootfix_appliance_on_disk (parts[j], devices[i]);
    if (!partitioned)
      g_strv_builder_add (out, devices[i]);
  }
  g_strv_builder_addv (out, (const char **) parts);
  return g_strv_builder_end (out);
}

GPtrArray *
bootfix_lg_find_windows (guestfs_h *g, const char *const *disks,
                         const char *const *partitions, GHashTable *fs_types,
                         gboolean *need_libguestfs, GError **error)
{
  *need_libguestfs = FALSE;
  g_auto (GStrv) devices = filesystem_devices (disks, partitions);
  g_autoptr (GPtrArray) roots =
    g_ptr_array_new_with_free_func ((GDestroyNotify) info_free);
  for (guint i = 0; devices[i]; i++) {
    char *type = guestfs_vfs_type (g, devices[i]);
    if (type == NULL)
      type = g_strdup ("");
    g_hash_table_replace (fs_types, g_strdup (devices[i]), type);
    if (type[0] == '\0' || strcmp (type, "swap") == 0)
      continue;  /* no filesystem, or one no OS lives on */
    if (strcmp (type, "ntfs") != 0 && strcmp (type, "vfat") != 0) {
      *need_libguestfs = TRUE;
      return NULL;
    }
    BootfixGuestInfo *found = NULL;
    if (!check_filesystem (g, devices[i], &found, need_libguestfs, error))
      return NULL;
    if (*need_libguestfs)
      return NULL;
    if (found)
      g_ptr_array_add (roots, found);
  }
  return g_steal_pointer (&roots);
}
