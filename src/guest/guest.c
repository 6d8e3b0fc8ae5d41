/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Guest sessions through libguestfs. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>

#include <guestfs.h>

#include "bootfix-error.h"
#include "appliance-private.h"
#include "guest.h"
#include "find-windows.h"
#include "guest-backend.h"
#include "image-chain.h"
#include "hive.h"

/* A guest's view of an appliance.  The appliance may hold other
 * guests' disks too: this guest's are the ndisks from index first, and
 * it names them as it would alone (/dev/sda…); the names are turned
 * into the appliance's at every call and back in every answer.  Inside,
 * devices are the appliance's. */
typedef struct {
  BootfixGuest parent;   /* first: ops take the BootfixGuest */
  BootfixAppliance *app;
  guestfs_h *g;          /* app->g */
  guint first, ndisks;
  gboolean shared;       /* the appliance holds other guests' disks */
  char *name;            /* guest name for messages */
  char *first_disk;      /* for messages */
  char *root;            /* the appliance's name */
  char *root_shown;      /* the guest's name */
  char *wanted_root;     /* --root, as the guest names it, or NULL */
  char *systemroot;
  gboolean readonly;
  gboolean check;        /* inspect what must not be written, too */
  gboolean mounted_rw;   /* the Windows root is wanted read-write */
  char *probed_writable; /* the NTFS device ntfs-3g.probe found writable */
} LgGuest;

/* Defined at the end, after the functions it points to. */
static const BootfixGuestOps libguestfs_ops;
static char *fs_type_of (LgGuest *guest, const char *device);
static gboolean use_filesystem (LgGuest *guest, const char *device,
                                gboolean rw, GError **error);

static LgGuest *
lg_of (BootfixGuest *guest)
{
  return (LgGuest *) guest;
}

/* The last libguestfs error, naming the guest; notices an appliance
 * that died under the call. */
static void
set_guestfs_error (GError **error, LgGuest *guest, BootfixError code,
                   const char *what)
{
  const char *msg = guestfs_last_error (guest->g);
  g_set_error (error, BOOTFIX_ERROR, code, _("guest %s: %s: %s"), guest->name,
               what, msg ? msg : _("unknown libguestfs error"));
  bootfix_appliance_check_alive (guest->app);
}

/* ---- opening ---- */

/* No ".." component and not a symbolic link: what a domain XML from a
 * stranger must not use to point us at another file. */
static gboolean
source_path_is_plain (const char *path)
{
  g_auto (GStrv) parts = g_strsplit (path, "/", -1);
  for (char **p = parts; *p; p++)
    if (g_str_equal (*p, ".."))
      return FALSE;
  return !g_file_test (path, G_FILE_TEST_IS_SYMLINK);
}

static gboolean
check_disk_source (const BootfixDomain *dom, const BootfixDisk *d,
                   gboolean allow_unsafe, gboolean allow_block_devices,
                   GError **error)
{
  if (d->source == NULL && d->volume != NULL) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED,
                 _("guest %s: disk %s is volume %s of libvirt storage pool "
                   "%s, which only libvirt can turn into a path; name the "
                   "guest with -d NAME (and -c URI) instead of its XML, or "
                   "point the domain at the image file"),
                 dom->name, d->target_dev ? d->target_dev : "?", d->volume,
                 d->pool);
    return FALSE;
  }
  if (d->source == NULL) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED,
                 _("guest %s: disk %s has no local source (type '%s'); copy "
                   "the image to a local file and point the domain at it"),
                 dom->name, d->target_dev ? d->target_dev : "?",
                 d->source_type ? d->source_type : "?");
    return FALSE;
  }
  if (!allow_unsafe && !source_path_is_plain (d->source)) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED,
                 _("guest %s: disk source %s is a symbolic link or contains "
                   "'..'; name the image itself, or pass --allow-unsafe-paths "
                   "if you trust the domain XML"), dom->name, d->source);
    return FALSE;
  }
  if (access (d->source, R_OK) != 0) {
    int saved = errno;
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
                 _("guest %s: disk image %s: %s; check the <source> path in "
                   "the domain XML"), dom->name, d->source, g_strerror (saved));
    return FALSE;
  }
  /* Every file qemu will open for the image, checked before it does. */
  g_autoptr (BootfixImageChain) chain = bootfix_image_chain_check (
    d->source, d->format ? d->format : "raw", d->backing, allow_block_devices,
    allow_unsafe, error);
  if (chain == NULL) {
    g_prefix_error (error, _("guest %s: "), dom->name);
    return FALSE;
  }
  const char *claims = ((BootfixImageLayer *) g_ptr_array_index (chain->layers, 0))->claims;
  if (claims)
    g_message (_("guest %s: %s is opened as raw, as declared, but its bytes look "
                 "like a %s image; if it is one, say so (--format %s before -a, "
                 "or <driver type='%s'/> in the domain)"),
               dom->name, d->source, claims, claims, claims);
  return TRUE;
}

gboolean
bootfix_guest_check_sources (const BootfixDomain *dom,
                             gboolean allow_unsafe_paths,
                             gboolean allow_block_devices, GError **error)
{
  for (guint i = 0; i < dom->disks->len; i++)
    if (!check_disk_source (dom, g_ptr_array_index (dom->disks, i),
                            allow_unsafe_paths, allow_block_devices, error))
      return FALSE;
  return TRUE;
}

BootfixGuest *
bootfix_guest_open_in (BootfixAppliance *app, guint first,
                       const BootfixDomain *dom, const BootfixGuestOptions *opts,
                       GError **error)
{
  g_return_val_if_fail (bootfix_appliance_alive (app), NULL);
  g_return_val_if_fail (first + dom->disks->len <= app->drives->len, NULL);
  LgGuest *guest = g_new0 (LgGuest, 1);
  guest->parent.ops = &libguestfs_ops;
  guest->app = bootfix_appliance_ref (app);
  guest->g = app->g;
  guest->first = first;
  guest->ndisks = dom->disks->len;
  guest->shared = dom->disks->len < app->drives->len;
  guest->name = g_strdup (dom->name);
  guest->first_disk = g_strdup (((BootfixDisk *) g_ptr_array_index (dom->disks, 0))->source);
  guest->readonly = opts->readonly;
  guest->check = opts->check;
  guest->wanted_root = g_strdup (opts->root);
  (void) error;
  return &guest->parent;
}

static void
lg_free (BootfixGuest *base)
{
  LgGuest *guest = lg_of (base);
  g_clear_pointer (&guest->app, bootfix_appliance_unref);
  g_free (guest->name);
  g_free (guest->first_disk);
  g_free (guest->root);
  g_free (guest->root_shown);
  g_free (guest->wanted_root);
  g_free (guest->systemroot);
  g_free (guest->probed_writable);
  g_free (guest);
}

/* ---- the guest's names and the appliance's ---- */

/* libguestfs's names for disk index i: sda … sdz, sdaa … */
static void
append_drive_letters (GString *s, guint index)
{
  if (index >= 26)
    append_drive_letters (s, index / 26 - 1);
  g_string_append_c (s, (char) ('a' + index % 26));
}

/* "/dev/sdb3" -> disk 1, partition suffix "3"; FALSE when the name is
 * not of that form. */
static gboolean
parse_drive_name (const char *device, guint *index, const char **suffix)
{
  if (!g_str_has_prefix (device, "/dev/sd"))
    return FALSE;
  const char *p = device + strlen ("/dev/sd");
  guint64 n = 0;
  for (; *p >= 'a' && *p <= 'z'; p++) {
    n = n * 26 + (guint) (*p - 'a' + 1);
    if (n > G_MAXUINT16)
      return FALSE;
  }
  if (n == 0 || strspn (p, "0123456789") != strlen (p))
    return FALSE;
  *index = (guint) n - 1;
  *suffix = p;
  return TRUE;
}

/* This guest's disks, as the appliance names them. */
static gboolean
own_disks (LgGuest *guest, const char *const **disks, GError **error)
{
  const char *const *all = bootfix_appliance_devices (guest->app, error);
  if (all == NULL)
    return FALSE;
  if (g_strv_length ((char **) all) < guest->first + guest->ndisks) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
                 _("guest %s: the appliance shows fewer disks than were added"),
                 guest->name);
    return FALSE;
  }
  *disks = all + guest->first;
  return TRUE;
}

/* The appliance's name for a device the guest names (NULL stays NULL:
 * the Windows root).  A name of another guest's disk is refused. */
static gboolean
to_appliance (LgGuest *guest, const char *device, char **out, GError **error)
{
  *out = NULL;
  if (device == NULL)
    return TRUE;
  guint index;
  const char *suffix;
  const char *const *disks;
  if (!parse_drive_name (device, &index, &suffix)) {
    if (guest->shared) {
      g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_NEEDS_OWN_APPLIANCE,
                   _("guest %s: %s needs an appliance of its own"),
                   guest->name, device);
      return FALSE;
    }
    *out = g_strdup (device);
    return TRUE;
  }
  if (!own_disks (guest, &disks, error))
    return FALSE;
  if (index >= guest->ndisks) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
                 _("guest %s: there is no device %s"), guest->name, device);
    return FALSE;
  }
  *out = g_strconcat (disks[index], suffix, NULL);
  return TRUE;
}

/* Which of the guest's disks an appliance device is, or is a
 * partition of (*rest: the partition number, "" for the disk); -1 when
 * it is not the guest's. */
static int
own_index (LgGuest *guest, const char *device, const char **rest)
{
  const char *const *disks;
  if (device == NULL || !own_disks (guest, &disks, NULL))
    return -1;
  for (guint i = 0; i < guest->ndisks; i++) {
    const char *r = g_str_has_prefix (device, disks[i])
                    ? device + strlen (disks[i]) : NULL;
    if (r && strspn (r, "0123456789") == strlen (r)) {
      *rest = r;
      return (int) i;
    }
  }
  return -1;
}

/* The guest's name for an appliance device (itself when it is not one
 * of the guest's disks or partitions: an LVM volume of a guest alone). */
static char *
to_guest (LgGuest *guest, const char *device)
{
  const char *rest;
  int i = own_index (guest, device, &rest);
  if (i < 0)
    return g_strdup (device);
  g_autoptr (GString) s = g_string_new ("/dev/sd");
  append_drive_letters (s, (guint) i);
  g_string_append (s, rest);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static gboolean
owns (LgGuest *guest, const char *device)
{
  const char *rest;
  return own_index (guest, device, &rest) >= 0;
}

/* This guest's partitions, as the appliance names them. */
static GStrv
own_partitions (LgGuest *guest, GError **error)
{
  const char *const *all = bootfix_appliance_partitions (guest->app, error);
  if (all == NULL)
    return NULL;
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
  for (guint i = 0; all[i]; i++)
    if (owns (guest, all[i]))
      g_strv_builder_add (b, all[i]);
  return g_strv_builder_end (b);
}

/* ---- inspection ---- */

void
bootfix_guest_info_clear (BootfixGuestInfo *info)
{
  g_clear_pointer (&info->root, g_free);
  g_clear_pointer (&info->os_type, g_free);
  g_clear_pointer (&info->product_name, g_free);
  g_clear_pointer (&info->product_variant, g_free);
  g_clear_pointer (&info->arch, g_free);
  g_clear_pointer (&info->osinfo, g_free);
  g_clear_pointer (&info->systemroot, g_free);
  g_clear_pointer (&info->unwritable, g_free);
  g_clear_pointer (&info->unwritable_advice, g_free);
}

/* Where Windows keeps its SYSTEM hive below a filesystem's root, for the
 * usual system roots (libguestfs finds others through boot.ini). */
static const char *const system_hive_candidates[] = {
  "/windows/system32/config/system",
  "/winnt/system32/config/system",
};

/* libguestfs inspection failed for the whole appliance.  Usually a
 * damaged hive is the cause: find it, so the message names the file. */
static char *
find_damaged_hive (LgGuest *guest)
{
  g_auto (GStrv) fses = guestfs_list_filesystems (guest->g);
  g_clear_pointer (&guest->app->mounted, g_free);
  for (size_t i = 0; fses && fses[i] && fses[i + 1]; i += 2) {
    if (!owns (guest, fses[i]))
      continue;
    /* The failed inspection may have left something mounted. */
    guestfs_umount_all (guest->g);
    if (strcmp (fses[i + 1], "ntfs") != 0 ||
        guestfs_mount_ro (guest->g, fses[i], "/") == -1) {
      g_debug ("damaged hive search: skipping %s (%s): %s", fses[i], fses[i + 1],
               guestfs_last_error (guest->g));
      continue;
    }
    for (guint j = 0; j < G_N_ELEMENTS (system_hive_candidates); j++) {
      g_autofree char *path =
        guestfs_case_sensitive_path (guest->g, system_hive_candidates[j]);
      if (path == NULL || guestfs_is_file (guest->g, path) <= 0)
        continue;
      g_autofree char *tmp = NULL;
      int fd = g_file_open_tmp ("virt-bootfix-XXXXXX.hive", &tmp, NULL);
      if (fd < 0)
        continue;
      close (fd);
      g_autofree char *shown = to_guest (guest, fses[i]);
      g_autofree char *label = g_strdup_printf ("%s on %s", path, shown);
      g_autoptr (GError) why = NULL;
      g_autoptr (BootfixHive) hive = NULL;
      if (guestfs_download (guest->g, path, tmp) == 0)
        hive = bootfix_hive_open (tmp, label, FALSE, &why);
      else
        why = g_error_new (BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST, "%s: %s", label,
                           guestfs_last_error (guest->g));
      (void) unlink (tmp);
      if (hive)
        continue;
      guestfs_umount_all (guest->g);
      return g_strdup_printf (_("%s; restore the SYSTEM hive from a backup "
                                "(Windows keeps one in System32\\config\\RegBack "
                                "before Windows 10 1803, and in repair\\ on XP)"),
                              why->message);
    }
    guestfs_umount_all (guest->g);
  }
  return NULL;
}

/* inspection failed for the whole appliance: name the damaged hive
 * when there is one. */
static void
set_inspection_error (LgGuest *guest, const char *why, GError **error)
{
  g_autofree char *damaged = find_damaged_hive (guest);
  g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
               _("guest %s: inspection of %s failed: %s"), guest->name,
               guest->first_disk, damaged ? damaged : why);
}

/* The roots as the guest names them. */
static GStrv
roots_shown (LgGuest *guest, char *const *roots)
{
  g_autoptr (GStrvBuilder) names = g_strv_builder_new ();
  for (guint i = 0; roots[i]; i++) {
    g_autofree char *shown = to_guest (guest, roots[i]);
    g_strv_builder_add (names, shown);
  }
  return g_strv_builder_end (names);
}

/* libguestfs's inspection looks at every disk of the appliance: only a
 * guest alone in one may use it. */
static GStrv
inspect_with_libguestfs (LgGuest *guest, gboolean full, GError **error)
{
  if (guest->shared) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_NEEDS_OWN_APPLIANCE,
                 _("guest %s: needs libguestfs's inspection, in an appliance "
                   "of its own"), guest->name);
    return NULL;
  }
  g_debug ("inspecting with libguestfs: %s",
           full ? "not only Windows on NTFS/FAT" : "no Windows root found");
  g_auto (GStrv) roots = guestfs_inspect_os (guest->g);
  if (roots == NULL) {
    g_autofree char *msg = g_strdup (guestfs_last_error (guest->g));
    set_inspection_error (guest, msg, error);
    return NULL;
  }
  return roots_shown (guest, roots);
}

/* Every OS root of the guest, as the guest names them.  Our own finder
 * answers when the disks hold only Windows on NTFS/FAT; anything else
 * (another OS may be there, LVM, no Windows at all) goes to
 * guestfs_inspect_os, so its verdict stays libguestfs's.  *found: the
 * finder's facts per root, or NULL when libguestfs inspected. */
static GStrv
list_roots (LgGuest *guest, GPtrArray **found, GError **error)
{
  const char *const *all;
  if (!own_disks (guest, &all, error))
    return NULL;
  g_autoptr (GStrvBuilder) own = g_strv_builder_new ();
  for (guint i = 0; i < guest->ndisks; i++)
    g_strv_builder_add (own, all[i]);
  g_auto (GStrv) disks = g_strv_builder_end (own);
  g_auto (GStrv) parts = own_partitions (guest, error);
  if (parts == NULL)
    return NULL;
  g_clear_pointer (&guest->app->mounted, g_free);
  gboolean full = FALSE;
  g_autoptr (GError) why = NULL;
  g_autoptr (GPtrArray) fast =
    bootfix_lg_find_windows (guest->g, (const char *const *) disks,
                             (const char *const *) parts,
                             guest->app->fs_types, &full, &why);
  if (fast == NULL && !full) {
    set_inspection_error (guest, why->message, error);
    return NULL;
  }
  if (fast == NULL || fast->len == 0)
    return inspect_with_libguestfs (guest, full, error);
  g_autoptr (GStrvBuilder) names = g_strv_builder_new ();
  for (guint i = 0; i < fast->len; i++) {
    BootfixGuestInfo *info = fast->pdata[i];
    char *shown = to_guest (guest, info->root);
    g_free (info->root);
    info->root = shown;
    g_strv_builder_add (names, shown);
  }
  *found = g_steal_pointer (&fast);
  return g_strv_builder_end (names);
}

static gboolean
pick_root (LgGuest *guest, char **roots, char **root, GError **error)
{
  guint n = g_strv_length (roots);
  if (n == 0) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
                 _("guest %s: no operating system found on %s; is this the "
                   "right disk image?"), guest->name, guest->first_disk);
    return FALSE;
  }
  if (guest->wanted_root) {
    if (!g_strv_contains ((const char *const *) roots, guest->wanted_root)) {
      g_autofree char *list = g_strjoinv (", ", roots);
      g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
                   _("guest %s: --root %s is not an operating system of this "
                     "guest; found: %s"), guest->name, guest->wanted_root, list);
      return FALSE;
    }
    *root = g_strdup (guest->wanted_root);
    return TRUE;
  }
  if (n > 1) {
    g_autofree char *list = g_strjoinv (", ", roots);
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED,
                 _("guest %s: %u operating systems found on %s (%s); say which "
                   "one to fix with --root"), guest->name, n,
                 guest->first_disk, list);
    return FALSE;
  }
  *root = g_strdup (roots[0]);
  return TRUE;
}

/* ntfs-3g.probe's verdicts that make a read-write mount unsafe
 * (ntfs-3g's volume.h: NTFS_VOLUME_HIBERNATED, _UNCLEAN_UNMOUNT). */
#define NTFS_PROBE_HIBERNATED 14
#define NTFS_PROBE_UNCLEAN 15

/* Why ntfs-3g.probe's verdict r on shown forbids writing, and what to
 * do, or FALSE when it does not say so. */
static gboolean
ntfs_unwritable (int r, const char *shown, char **why, char **advice)
{
  if (r == NTFS_PROBE_HIBERNATED) {
    *why = g_strdup_printf (_("Windows on %s is hibernated or was shut down "
                              "with Fast Startup"), shown);
    *advice = g_strdup (_("start it on the old machine and shut it down fully "
                          "(shutdown /s /t 0), or disable Fast Startup, then "
                          "make the backup again"));
    return TRUE;
  }
  if (r == NTFS_PROBE_UNCLEAN) {
    *why = g_strdup_printf (_("the NTFS filesystem %s is marked dirty (not shut "
                              "down cleanly)"), shown);
    *advice = g_strdup (_("run chkdsk /f on it first"));
    return TRUE;
  }
  return FALSE;
}

/* Writing to a hibernated Windows (or one shut down with Fast Startup)
 * loses what Windows restores from hiberfil.sys, and writing to a dirty
 * NTFS can finish what chkdsk should repair.  Refuse both; a check
 * notes them in info (when not NULL) and goes on. */
static gboolean
check_ntfs_writable (LgGuest *guest, const char *root, BootfixGuestInfo *info,
                     GError **error)
{
  /* Once is enough: nothing writes to the filesystem between the probe
   * at inspection and the read-write mount (a raw write forgets it). */
  if (g_strcmp0 (guest->probed_writable, root) == 0)
    return TRUE;
  g_autofree char *type = fs_type_of (guest, root);
  if (strcmp (type, "ntfs") != 0)
    return TRUE;
  int r = guestfs_ntfs_3g_probe (guest->g, 1, root);
  if (r == 0)
    guest->probed_writable = g_strdup (root);
  g_autofree char *shown = to_guest (guest, root);
  g_autofree char *why = NULL, *advice = NULL;
  if (ntfs_unwritable (r, shown, &why, &advice)) {
    if (guest->check && info) {
      info->unwritable = g_steal_pointer (&why);
      info->unwritable_advice = g_steal_pointer (&advice);
      info->hibernated = r == NTFS_PROBE_HIBERNATED;
      return TRUE;
    }
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED,
                 _("guest %s: %s; %s"), guest->name, why, advice);
  } else if (r != 0)
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
                 _("guest %s: the NTFS filesystem %s cannot be mounted "
                   "read-write (ntfs-3g.probe says %d)"), guest->name, shown, r);
  return r == 0;
}

static char *
inspect_string (guestfs_h *g, char *(*get) (guestfs_h *, const char *),
                const char *root)
{
  char *s = get (g, root);
  return s ? s : g_strdup ("");
}

/* What libguestfs's own inspection found out about root. */
static void
info_from_libguestfs (guestfs_h *g, const char *root, BootfixGuestInfo *info)
{
  info->os_type = inspect_string (g, guestfs_inspect_get_type, root);
  if (strcmp (info->os_type, "windows") != 0)
    return;
  info->product_name = inspect_string (g, guestfs_inspect_get_product_name, root);
  info->product_variant = inspect_string (g, guestfs_inspect_get_product_variant, root);
  info->arch = inspect_string (g, guestfs_inspect_get_arch, root);
  info->osinfo = inspect_string (g, guestfs_inspect_get_osinfo, root);
  info->major = guestfs_inspect_get_major_version (g, root);
  info->minor = guestfs_inspect_get_minor_version (g, root);
  info->systemroot = guestfs_inspect_get_windows_systemroot (g, root);
}

static void
info_take (BootfixGuestInfo *info, BootfixGuestInfo *from)
{
  *info = *from;
  memset (from, 0, sizeof *from);
  g_clear_pointer (&info->root, g_free);
}

gboolean
bootfix_guest_inspect (BootfixGuest *base, BootfixGuestInfo *info,
                       GError **error)
{
  g_return_val_if_fail (base->ops == &libguestfs_ops, FALSE);
  LgGuest *guest = lg_of (base);
  g_autoptr (GPtrArray) found = NULL;
  g_auto (GStrv) roots = list_roots (guest, &found, error);
  g_autofree char *shown = NULL;
  g_autofree char *root = NULL;
  if (roots == NULL || !pick_root (guest, roots, &shown, error) ||
      !to_appliance (guest, shown, &root, error))
    return FALSE;
  if (found) {
    guint i = 0;
    while (strcmp (((BootfixGuestInfo *) found->pdata[i])->root, shown) != 0)
      i++;
    info_take (info, found->pdata[i]);
  } else
    info_from_libguestfs (guest->g, root, info);
  if (strcmp (info->os_type, "windows") != 0) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
                 _("guest %s: the operating system on %s (%s) is %s, not "
                   "Windows; virt-bootfix repairs Windows guests only"),
                 guest->name, guest->first_disk, shown, info->os_type);
    return FALSE;
  }
  if (!check_ntfs_writable (guest, root, info, error))
    return FALSE;
  if (info->systemroot == NULL) {
    set_guestfs_error (error, guest, BOOTFIX_ERROR_GUEST, _("cannot find the Windows directory"));
    return FALSE;
  }
  if (!use_filesystem (guest, root, FALSE, error))
    return FALSE;
  g_debug ("guest %s: %s on %s: %s, %s, %d.%d, %s, %s, systemroot %s",
           guest->name, info->os_type, shown, info->product_name,
           info->product_variant, info->major, info->minor, info->arch,
           info->osinfo, info->systemroot);
  info->root = g_strdup (shown);
  guest->root = g_steal_pointer (&root);
  guest->root_shown = g_steal_pointer (&shown);
  guest->systemroot = g_strdup (info->systemroot);
  return TRUE;
}

/* ---- which filesystem is mounted ---- */

/* One filesystem at a time is mounted at /: the Windows root most of
 * the time, another partition (System Reserved, the ESP) while the boot
 * chain is read or written. */
static gboolean
use_filesystem (LgGuest *guest, const char *device, gboolean rw,
                GError **error)
{
  BootfixAppliance *app = guest->app;
  if (app->mounted && strcmp (app->mounted, device) == 0 &&
      (app->mounted_writable || !rw))
    return TRUE;
  g_return_val_if_fail (!rw || !guest->readonly, FALSE);
  g_clear_pointer (&app->mounted, g_free);
  if (guestfs_umount_all (guest->g) == -1) {
    set_guestfs_error (error, guest, BOOTFIX_ERROR_FAILED,
                       _("cannot unmount the guest's filesystems"));
    return FALSE;
  }
  if (rw && !check_ntfs_writable (guest, device, NULL, error))
    return FALSE;
  int r = rw ? guestfs_mount (guest->g, device, "/")
             : guestfs_mount_ro (guest->g, device, "/");
  if (r == -1) {
    g_autofree char *shown = to_guest (guest, device);
    g_autofree char *what = g_strdup_printf (rw ? _("cannot mount %s read-write")
                                                : _("cannot mount %s"), shown);
    set_guestfs_error (error, guest, BOOTFIX_ERROR_GUEST, what);
    return FALSE;
  }
  app->mounted = g_strdup (device);
  app->mounted_writable = rw;
  return TRUE;
}

/* device: as the guest names it; NULL stands for the Windows root, in
 * the mode it is wanted in. */
static gboolean
use_device (LgGuest *guest, const char *device, gboolean rw,
            GError **error)
{
  if (device == NULL)
    return use_filesystem (guest, guest->root, guest->mounted_rw, error);
  g_autofree char *on = NULL;
  return to_appliance (guest, device, &on, error) &&
         use_filesystem (guest, on, rw, error);
}

/* ---- files ---- */

/* systemroot + relpath (backslashes) resolved case-insensitively. */
static char *
windows_path (LgGuest *guest, const char *relpath, GError **error)
{
  if (!use_device (guest, NULL, FALSE, error))
    return NULL;
  g_autofree char *slashed = g_strdelimit (g_strdup (relpath), "\\", '/');
  g_autofree char *path = g_build_path ("/", guest->systemroot, slashed, NULL);
  char *real = guestfs_case_sensitive_path (guest->g, path);
  if (real == NULL)
    set_guestfs_error (error, guest, BOOTFIX_ERROR_GUEST, path);
  return real;
}

static char *
lg_hive_path (BootfixGuest *base, const char *hive_name,
              GError **error)
{
  LgGuest *guest = lg_of (base);
  g_autofree char *rel = g_strconcat ("system32\\config\\", hive_name, NULL);
  g_autofree char *path = windows_path (guest, rel, error);
  if (path == NULL)
    return NULL;
  if (guestfs_is_file (guest->g, path) <= 0) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
                 _("guest %s: the registry hive %s is missing"), guest->name,
                 path);
    return NULL;
  }
  int64_t size = guestfs_filesize (guest->g, path);
  if (size < 0 || size > BOOTFIX_MAX_HIVE_SIZE) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
                 _("guest %s: the registry hive %s has an implausible size"),
                 guest->name, path);
    return NULL;
  }
  return g_steal_pointer (&path);
}

static gboolean
lg_download (BootfixGuest *base, const char *device,
             const char *guest_path, const char *local_path,
             GError **error)
{
  LgGuest *guest = lg_of (base);
  if (!use_device (guest, device, FALSE, error))
    return FALSE;
  if (guestfs_download (guest->g, guest_path, local_path) == -1) {
    set_guestfs_error (error, guest, BOOTFIX_ERROR_GUEST, guest_path);
    return FALSE;
  }
  return TRUE;
}

static int
lg_windows_file_exists (BootfixGuest *base, const char *relpath,
                        GError **error)
{
  LgGuest *guest = lg_of (base);
  g_autofree char *path = windows_path (guest, relpath, error);
  if (path == NULL)
    return -1;
  int r = guestfs_is_file (guest->g, path);
  if (r == -1)
    set_guestfs_error (error, guest, BOOTFIX_ERROR_GUEST, path);
  return r;
}

static gboolean
lg_mount_rw (BootfixGuest *base, GError **error)
{
  LgGuest *guest = lg_of (base);
  g_return_val_if_fail (!guest->readonly && guest->root, FALSE);
  guest->mounted_rw = TRUE;
  return use_device (guest, NULL, TRUE, error);
}

static char *
lg_checksum (BootfixGuest *base, const char *device,
             const char *guest_path, GError **error)
{
  LgGuest *guest = lg_of (base);
  if (!use_device (guest, device, FALSE, error))
    return NULL;
  char *sum = guestfs_checksum (guest->g, "sha256", guest_path);
  if (sum == NULL)
    set_guestfs_error (error, guest, BOOTFIX_ERROR_FAILED, guest_path);
  return sum;
}

static char *
lg_stage (BootfixGuest *base, const char *device,
          const char *local_path, const char *guest_path,
          GError **error)
{
  LgGuest *guest = lg_of (base);
  if (!use_device (guest, device, TRUE, error))
    return NULL;
  g_autofree char *staged = g_strconcat (guest_path, ".bootfix-new", NULL);
  g_autofree char *contents = NULL;
  gsize len = 0;
  if (!g_file_get_contents (local_path, &contents, &len, error))
    return NULL;
  g_autofree char *want = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                                       (const guchar *) contents, len);
  if (guestfs_upload (guest->g, local_path, staged) == -1) {
    set_guestfs_error (error, guest, BOOTFIX_ERROR_FAILED, staged);
    bootfix_guest_discard_staged (&guest->parent, device, staged);
    return NULL;
  }
  g_autofree char *got = bootfix_guest_checksum (&guest->parent, device, staged, error);
  if (got == NULL || strcmp (got, want) != 0) {
    if (got)
      g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                   _("guest %s: %s was not written intact (checksum mismatch)"),
                   guest->name, staged);
    bootfix_guest_discard_staged (&guest->parent, device, staged);
    return NULL;
  }
  return g_steal_pointer (&staged);
}

static gboolean
lg_commit_staged (BootfixGuest *base, const char *device,
                  const char *staged, const char *guest_path,
                  GError **error)
{
  LgGuest *guest = lg_of (base);
  if (!use_device (guest, device, TRUE, error))
    return FALSE;
  if (guestfs_rename (guest->g, staged, guest_path) == -1) {
    set_guestfs_error (error, guest, BOOTFIX_ERROR_FAILED, guest_path);
    return FALSE;
  }
  return TRUE;
}

static gboolean
lg_truncate (BootfixGuest *base, const char *device, const char *guest_path,
             GError **error)
{
  LgGuest *guest = lg_of (base);
  if (!use_device (guest, device, TRUE, error))
    return FALSE;
  if (guestfs_truncate (guest->g, guest_path) == -1) {
    set_guestfs_error (error, guest, BOOTFIX_ERROR_FAILED, guest_path);
    return FALSE;
  }
  return TRUE;
}

static void
lg_discard_staged (BootfixGuest *base, const char *device,
                   const char *staged)
{
  LgGuest *guest = lg_of (base);
  if (use_device (guest, device, TRUE, NULL))
    (void) guestfs_rm_f (guest->g, staged);
}

/* The appliance goes on for the other guests: unmount, so that ntfs-3g
 * has written everything of this guest to its disks.  No sync here: the
 * kernel's dirty blocks reach the overlays when the appliance shuts
 * down (libguestfs syncs then), and a guest counts as written only
 * after that shutdown succeeded (group.c), so a sync per guest would
 * make nothing safer and costs most of a second under TCG. */
static gboolean
lg_flush (BootfixGuest *base, GError **error)
{
  LgGuest *guest = lg_of (base);
  g_clear_pointer (&guest->app->mounted, g_free);
  if (guestfs_umount_all (guest->g) == -1) {
    set_guestfs_error (error, guest, BOOTFIX_ERROR_FAILED,
                       _("cannot flush the changes to the disk image"));
    return FALSE;
  }
  return TRUE;
}

/* ---- disks, partitions and raw bytes ---- */

void
bootfix_guest_disk_free (BootfixGuestDisk *disk)
{
  if (disk == NULL)
    return;
  g_free (disk->device);
  g_clear_pointer (&disk->layout, bootfix_disk_layout_free);
  g_free (disk);
}

static gboolean
lg_read_device (BootfixGuest *base, const char *device,
                guint64 offset, guint8 *buf, gsize len,
                GError **error)
{
  LgGuest *guest = lg_of (base);
  g_autofree char *on = NULL;
  if (!to_appliance (guest, device, &on, error))
    return FALSE;
  gsize done = 0;
  while (done < len) {
    size_t got = 0;
    g_autofree char *chunk = guestfs_pread_device (guest->g, on,
                                                   (int) MIN (len - done, BOOTFIX_MAX_DEVICE_IO),
                                                   (int64_t) (offset + done), &got);
    if (chunk == NULL || got == 0) {
      if (chunk == NULL)
        set_guestfs_error (error, guest, BOOTFIX_ERROR_GUEST, device);
      else
        g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
                     _("guest %s: %s ends before byte %" PRIu64),
                     guest->name, device, offset + len);
      return FALSE;
    }
    memcpy (buf + done, chunk, MIN (got, len - done));
    done += MIN (got, len - done);
  }
  return TRUE;
}

/* device: the appliance's name; the disk gets the guest's. */
static BootfixGuestDisk *
read_disk (LgGuest *guest, const char *device, int index, GError **error)
{
  g_autoptr (BootfixGuestDisk) disk = g_new0 (BootfixGuestDisk, 1);
  disk->device = to_guest (guest, device);
  disk->index = index;
  int64_t size = guestfs_blockdev_getsize64 (guest->g, device);
  /* Not asked (a call costs a fifth of a second under TCG): appliance.c
   * adds every drive without a block size, so qemu shows it with
   * 512-byte logical sectors whatever the image holds. */
  const guint ss = 512;
  if (size < 0) {
    set_guestfs_error (error, guest, BOOTFIX_ERROR_GUEST, disk->device);
    return NULL;
  }
  disk->size = (guint64) size;
  if (!bootfix_guest_disk_read_layout (&guest->parent, disk, ss,
                                       guest->name, error))
    return NULL;
  return g_steal_pointer (&disk);
}

static GPtrArray *
lg_disks (BootfixGuest *base, GError **error)
{
  LgGuest *guest = lg_of (base);
  const char *const *devices;
  if (!own_disks (guest, &devices, error))
    return NULL;
  g_autoptr (GPtrArray) disks =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_guest_disk_free);
  for (int i = 0; i < (int) guest->ndisks; i++) {
    BootfixGuestDisk *d = read_disk (guest, devices[i], i, error);
    if (d == NULL)
      return NULL;
    g_ptr_array_add (disks, d);
  }
  return g_steal_pointer (&disks);
}

static char *
lg_partition_device (BootfixGuest *base, const BootfixGuestDisk *disk,
                     guint number)
{
  LgGuest *guest = lg_of (base);
  g_autofree char *name = g_strdup_printf ("%s%u", disk->device, number);
  g_autofree char *on = NULL;
  if (!to_appliance (guest, name, &on, NULL))
    return NULL;
  const char *const *parts = bootfix_appliance_partitions (guest->app, NULL);
  return parts && g_strv_contains (parts, on) ? g_steal_pointer (&name) : NULL;
}

/* blkid's answer for an appliance device, asked once. */
static char *
fs_type_of (LgGuest *guest, const char *device)
{
  GHashTable *known = guest->app->fs_types;
  const char *type = g_hash_table_lookup (known, device);
  if (type)
    return g_strdup (type);
  char *asked = guestfs_vfs_type (guest->g, device);
  if (asked == NULL)
    return g_strdup ("");
  g_hash_table_replace (known, g_strdup (device), g_strdup (asked));
  return asked;
}

static char *
lg_fs_type (BootfixGuest *base, const char *device)
{
  LgGuest *guest = lg_of (base);
  g_autofree char *on = NULL;
  if (!to_appliance (guest, device, &on, NULL))
    return g_strdup ("");
  return fs_type_of (guest, on);
}

static const char *
lg_root (const BootfixGuest *base)
{
  const LgGuest *guest = (const LgGuest *) base;
  return guest->root_shown;
}

static int
lg_read_file (BootfixGuest *base, const char *device,
              const char *path, gsize max_len, GBytes **out,
              char **real_path, GError **error)
{
  LgGuest *guest = lg_of (base);
  if (!use_device (guest, device, FALSE, error))
    return -1;
  g_autofree char *slashed = g_strdelimit (g_strdup (path), "\\", '/');
  g_autofree char *abs = g_build_path ("/", "/", slashed, NULL);
  g_autofree char *real = guestfs_case_sensitive_path (guest->g, abs);
  if (real == NULL || guestfs_is_file (guest->g, real) <= 0)
    return 0;
  int64_t size = guestfs_filesize (guest->g, real);
  if (size < 0 || (guint64) size > max_len) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
                 _("guest %s: %s on %s is larger than %zu bytes"), guest->name,
                 real, device ? device : guest->root_shown, (size_t) max_len);
    return -1;
  }
  g_autofree char *tmp = NULL;
  int fd = g_file_open_tmp ("virt-bootfix-XXXXXX.file", &tmp, error);
  if (fd < 0)
    return -1;
  close (fd);
  char *contents = NULL;
  gsize len = 0;
  gboolean ok = bootfix_guest_download (&guest->parent, device, real, tmp, error) &&
                g_file_get_contents (tmp, &contents, &len, error);
  (void) unlink (tmp);
  if (!ok)
    return -1;
  *out = g_bytes_new_take (contents, len);
  if (real_path)
    *real_path = g_steal_pointer (&real);
  return 1;
}

static gboolean
lg_write_device (BootfixGuest *base, const char *device,
                 guint64 offset, GBytes *data, GError **error)
{
  LgGuest *guest = lg_of (base);
  g_autofree char *on = NULL;
  if (!to_appliance (guest, device, &on, error))
    return FALSE;
  /* Nothing may be mounted while a boot sector is rewritten under it,
   * and new boot sector bytes may change what blkid says. */
  bootfix_appliance_forget (guest->app, on);
  g_clear_pointer (&guest->probed_writable, g_free);
  if (guestfs_umount_all (guest->g) == -1) {
    set_guestfs_error (error, guest, BOOTFIX_ERROR_FAILED, device);
    return FALSE;
  }
  gsize len = 0;
  const char *p = g_bytes_get_data (data, &len);
  gsize done = 0;
  while (done < len) {
    int n = guestfs_pwrite_device (guest->g, on, p + done,
                                   MIN (len - done, BOOTFIX_MAX_DEVICE_IO),
                                   (int64_t) (offset + done));
    if (n <= 0) {
      set_guestfs_error (error, guest, BOOTFIX_ERROR_FAILED, device);
      return FALSE;
    }
    done += (gsize) n;
  }
  g_autofree guint8 *back = g_malloc (len ? len : 1);
  if (!bootfix_guest_read_device (&guest->parent, device, offset, back, len, error))
    return FALSE;
  if (memcmp (back, p, len) != 0) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("guest %s: %s does not hold what was written at byte %"
                   PRIu64), guest->name, device, offset);
    return FALSE;
  }
  return TRUE;
}

static int
lg_file_exists (BootfixGuest *base, const char *device,
                const char *path, GError **error)
{
  LgGuest *guest = lg_of (base);
  if (!use_device (guest, device, FALSE, error))
    return -1;
  g_autofree char *slashed = g_strdelimit (g_strdup (path), "\\", '/');
  g_autofree char *abs = g_build_path ("/", "/", slashed, NULL);
  g_autofree char *real = guestfs_case_sensitive_path (guest->g, abs);
  return real != NULL && guestfs_is_file (guest->g, real) > 0;
}

static char *
lg_windows_path (BootfixGuest *base, const char *relpath,
                 GError **error)
{
  LgGuest *guest = lg_of (base);
  return windows_path (guest, relpath, error);
}

static GStrv
lg_list_dir (BootfixGuest *base, const char *device,
             const char *path, GError **error)
{
  LgGuest *guest = lg_of (base);
  if (!use_device (guest, device, FALSE, error))
    return NULL;
  if (guestfs_is_dir (guest->g, path) <= 0)
    return g_new0 (char *, 1);
  char **names = guestfs_ls (guest->g, path);
  if (names == NULL)
    set_guestfs_error (error, guest, BOOTFIX_ERROR_GUEST, path);
  return names;
}

static int64_t
lg_file_size (BootfixGuest *base, const char *device,
              const char *path, GError **error)
{
  LgGuest *guest = lg_of (base);
  if (!use_device (guest, device, FALSE, error))
    return -1;
  int64_t size = guestfs_filesize (guest->g, path);
  if (size < 0)
    set_guestfs_error (error, guest, BOOTFIX_ERROR_GUEST, path);
  return size;
}

static const BootfixGuestOps libguestfs_ops = {
  .free = lg_free,
  .root = lg_root,
  .hive_path = lg_hive_path,
  .download = lg_download,
  .windows_file_exists = lg_windows_file_exists,
  .windows_path = lg_windows_path,
  .read_file = lg_read_file,
  .file_exists = lg_file_exists,
  .list_dir = lg_list_dir,
  .file_size = lg_file_size,
  .mount_rw = lg_mount_rw,
  .stage = lg_stage,
  .commit_staged = lg_commit_staged,
  .discard_staged = lg_discard_staged,
  .truncate = lg_truncate,
  .checksum = lg_checksum,
  .disks = lg_disks,
  .partition_device = lg_partition_device,
  .fs_type = lg_fs_type,
  .read_device = lg_read_device,
  .write_device = lg_write_device,
  .flush = lg_flush,
};
