/* Guest sessions through libguestfs. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>

#include <guestfs.h>

#include "bootfix-error.h"
#include "guest.h"
#include "find-windows.h"
#include "guest-backend.h"
#include "hive.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (guestfs_h, guestfs_close)

/* The libguestfs session behind a BootfixGuest. */
typedef struct {
  BootfixGuest parent;   /* first: ops take the BootfixGuest */
  guestfs_h *g;
  char *name;            /* guest name for messages */
  char *first_disk;      /* for messages */
  char *accelerator;
  char *root;
  char *wanted_root;     /* --root, or NULL */
  char *systemroot;
  gboolean readonly;
  gboolean mounted_rw;   /* the Windows root is wanted read-write */
  char *mounted;         /* the device mounted at /, or NULL */
  gboolean mounted_writable;
  GHashTable *fs_types;  /* device -> vfs type, asked once (blkid is slow) */
  GStrv devices;         /* guestfs_list_devices, asked once */
  GStrv partitions;      /* guestfs_list_partitions, asked once */
} LgGuest;

/* Defined at the end, after the functions it points to. */
static const BootfixGuestOps libguestfs_ops;
static char *lg_fs_type (BootfixGuest *base, const char *device);

static LgGuest *
lg_of (BootfixGuest *guest)
{
  return (LgGuest *) guest;
}

static void
set_guestfs_error (GError **error, guestfs_h *g, BootfixError code,
                   const char *guest, const char *what)
{
  const char *msg = guestfs_last_error (g);
  g_set_error (error, BOOTFIX_ERROR, code, _("guest %s: %s: %s"), guest, what,
               msg ? msg : _("unknown libguestfs error"));
}

/* ---- choosing an accelerator ---- */

static gboolean
cpu_has_virt_flag (void)
{
  g_autofree char *cpuinfo = NULL;
  if (!g_file_get_contents ("/proc/cpuinfo", &cpuinfo, NULL, NULL))
    return FALSE;
  g_auto (GStrv) lines = g_strsplit (cpuinfo, "\n", -1);
  for (char **l = lines; *l; l++) {
    if (!g_str_has_prefix (*l, "flags"))
      continue;
    g_auto (GStrv) words = g_strsplit_set (*l, " \t", -1);
    for (char **w = words; *w; w++)
      if (strcmp (*w, "vmx") == 0 || strcmp (*w, "svm") == 0)
        return TRUE;
  }
  return FALSE;
}

gboolean
bootfix_kvm_usable (char **why)
{
  const char *reason = NULL;
  if (access ("/dev/kvm", R_OK | W_OK) != 0)
    reason = "/dev/kvm is missing or not accessible";
  else if (g_file_test ("/sys/module/kvm_pvm", G_FILE_TEST_EXISTS))
    /* A software nested KVM: qemu aborts on it (MSR 0x10a) or hangs. */
    reason = "/dev/kvm is a software nested KVM (kvm_pvm)";
  else if (!cpu_has_virt_flag ())
    reason = "the CPU has no vmx/svm flag";
  if (why)
    *why = g_strdup (reason);
  return reason == NULL;
}

static gboolean
settings_force_tcg (guestfs_h *g)
{
  g_auto (GStrv) settings = guestfs_get_backend_settings (g);
  return settings && g_strv_contains ((const char *const *) settings, "force_tcg");
}

static void
add_force_tcg (guestfs_h *g)
{
  g_auto (GStrv) old = guestfs_get_backend_settings (g);
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
  if (old)
    g_strv_builder_addv (b, (const char **) old);
  g_strv_builder_add (b, "force_tcg");
  g_auto (GStrv) settings = g_strv_builder_end (b);
  guestfs_set_backend_settings (g, settings);
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
                   gboolean allow_unsafe, GError **error)
{
  if (d->source == NULL) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED,
                 _("guest %s: disk %s has no local source (type '%s'); copy "
                   "the image to a local file and point the domain at it"),
                 dom->name, d->target_dev ? d->target_dev : "?",
                 d->source_type ? d->source_type : "?");
    return FALSE;
  }
  /* qemu follows a qcow2 image's backing file wherever it points, even
   * for a read-only dry run; the journal handles raw images only, too. */
  if (d->format && strcmp (d->format, "raw") != 0) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED,
                 _("guest %s: disk %s is %s; virt-bootfix handles raw images "
                   "only so far. Convert it (qemu-img convert -O raw) or fix a "
                   "raw copy"), dom->name, d->source, d->format);
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
  return TRUE;
}

static guestfs_h *
new_handle (const BootfixDomain *dom, const BootfixGuestOptions *opts,
            gboolean tcg, GError **error)
{
  guestfs_h *g = guestfs_create ();
  if (g == NULL) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("cannot create a libguestfs handle"));
    return NULL;
  }
  /* We report errors ourselves, with the guest's name. */
  guestfs_set_error_handler (g, NULL, NULL);
  if (opts->verbose)
    guestfs_set_verbose (g, 1);
  if (opts->trace)
    guestfs_set_trace (g, 1);
  if (tcg && !settings_force_tcg (g))
    add_force_tcg (g);
  for (guint i = 0; i < dom->disks->len; i++) {
    const BootfixDisk *d = g_ptr_array_index (dom->disks, i);
    const char *format = d->format ? d->format : "raw";
    const char *file = d->source;
    if (opts->overlays) {
      file = g_ptr_array_index (opts->overlays, i);
      format = "qcow2";
    }
    if (guestfs_add_drive_opts (g, file,
                                GUESTFS_ADD_DRIVE_OPTS_FORMAT, format,
                                GUESTFS_ADD_DRIVE_OPTS_READONLY, opts->readonly,
                                -1) == -1) {
      set_guestfs_error (error, g, BOOTFIX_ERROR_GUEST, dom->name, d->source);
      guestfs_close (g);
      return NULL;
    }
  }
  return g;
}

static guestfs_h *
launch (const BootfixDomain *dom, const BootfixGuestOptions *opts,
        char **accel, GError **error)
{
  g_autofree char *why = NULL;
  gboolean tcg = !bootfix_kvm_usable (&why);
  g_autoptr (guestfs_h) g = new_handle (dom, opts, tcg, error);
  if (g == NULL)
    return NULL;
  tcg = settings_force_tcg (g);
  if (tcg && why)
    g_debug ("using TCG: %s", why);
  if (guestfs_launch (g) == 0) {
    *accel = g_strdup (tcg ? "tcg" : "kvm");
    return g_steal_pointer (&g);
  }
  if (tcg) {
    set_guestfs_error (error, g, BOOTFIX_ERROR_FAILED, dom->name,
                       _("cannot start the libguestfs appliance"));
    return NULL;
  }
  g_debug ("KVM launch failed (%s); retrying under TCG", guestfs_last_error (g));
  g_clear_pointer (&g, guestfs_close);
  g = new_handle (dom, opts, TRUE, error);
  if (g == NULL)
    return NULL;
  if (guestfs_launch (g) == -1) {
    set_guestfs_error (error, g, BOOTFIX_ERROR_FAILED, dom->name,
                       _("cannot start the libguestfs appliance"));
    return NULL;
  }
  *accel = g_strdup ("tcg");
  return g_steal_pointer (&g);
}

gboolean
bootfix_guest_check_sources (const BootfixDomain *dom,
                             gboolean allow_unsafe_paths, GError **error)
{
  for (guint i = 0; i < dom->disks->len; i++)
    if (!check_disk_source (dom, g_ptr_array_index (dom->disks, i),
                            allow_unsafe_paths, error))
      return FALSE;
  return TRUE;
}

BootfixGuest *
bootfix_guest_open (const BootfixDomain *dom, const BootfixGuestOptions *opts,
                    GError **error)
{
  g_autofree char *accel = NULL;
  guestfs_h *g = launch (dom, opts, &accel, error);
  if (g == NULL)
    return NULL;
  LgGuest *guest = g_new0 (LgGuest, 1);
  guest->parent.ops = &libguestfs_ops;
  guest->g = g;
  guest->name = g_strdup (dom->name);
  guest->first_disk = g_strdup (((BootfixDisk *) g_ptr_array_index (dom->disks, 0))->source);
  guest->accelerator = g_steal_pointer (&accel);
  guest->readonly = opts->readonly;
  guest->wanted_root = g_strdup (opts->root);
  guest->fs_types = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           g_free);
  g_debug ("guest %s: appliance running under %s", dom->name,
           guest->accelerator);
  return &guest->parent;
}

static void
lg_free (BootfixGuest *base)
{
  LgGuest *guest = lg_of (base);
  if (guest->g)
    guestfs_close (guest->g);
  g_free (guest->name);
  g_free (guest->first_disk);
  g_free (guest->accelerator);
  g_free (guest->root);
  g_free (guest->wanted_root);
  g_free (guest->systemroot);
  g_free (guest->mounted);
  g_clear_pointer (&guest->fs_types, g_hash_table_unref);
  g_strfreev (guest->devices);
  g_strfreev (guest->partitions);
  g_free (guest);
}

const char *
bootfix_guest_accelerator (const BootfixGuest *base)
{
  g_return_val_if_fail (base->ops == &libguestfs_ops, NULL);
  return ((const LgGuest *) base)->accelerator;
}

/* ---- the appliance's devices, asked once (each call is a round trip
 * that costs a few tenths of a second under TCG) ---- */

/* *slot, filled by list() the first time. */
static const char *const *
cached_list (LgGuest *guest, GStrv *slot, char **(*list) (guestfs_h *),
             const char *what, GError **error)
{
  if (*slot == NULL)
    *slot = list (guest->g);
  if (*slot == NULL)
    set_guestfs_error (error, guest->g, BOOTFIX_ERROR_GUEST, guest->name, what);
  return (const char *const *) *slot;
}

static const char *const *
lg_devices (LgGuest *guest, GError **error)
{
  return cached_list (guest, &guest->devices, guestfs_list_devices,
                      _("cannot list the disks"), error);
}

static const char *const *
lg_partitions (LgGuest *guest, GError **error)
{
  return cached_list (guest, &guest->partitions, guestfs_list_partitions,
                      _("cannot list the partitions"), error);
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
  for (size_t i = 0; fses && fses[i] && fses[i + 1]; i += 2) {
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
      g_autofree char *label = g_strdup_printf ("%s on %s", path, fses[i]);
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

/* Every OS root of the guest.  Our own finder answers when the disks
 * hold only Windows on NTFS/FAT; anything else (another OS may be
 * there, LVM, no Windows at all) goes to guestfs_inspect_os, so its
 * verdict stays libguestfs's.  *found: the finder's facts per root, or
 * NULL when libguestfs inspected. */
static GStrv
list_roots (LgGuest *guest, GPtrArray **found, GError **error)
{
  const char *const *disks = lg_devices (guest, error);
  const char *const *parts = disks ? lg_partitions (guest, error) : NULL;
  if (parts == NULL)
    return NULL;
  gboolean full = FALSE;
  g_autoptr (GError) why = NULL;
  g_autoptr (GPtrArray) fast =
    bootfix_lg_find_windows (guest->g, disks, parts, guest->fs_types, &full,
                             &why);
  if (fast == NULL && !full) {
    set_inspection_error (guest, why->message, error);
    return NULL;
  }
  if (fast && fast->len > 0) {
    g_autoptr (GStrvBuilder) names = g_strv_builder_new ();
    for (guint i = 0; i < fast->len; i++)
      g_strv_builder_add (names, ((BootfixGuestInfo *) fast->pdata[i])->root);
    *found = g_steal_pointer (&fast);
    return g_strv_builder_end (names);
  }
  g_debug ("inspecting with libguestfs: %s",
           full ? "not only Windows on NTFS/FAT" : "no Windows root found");
  char **roots = guestfs_inspect_os (guest->g);
  if (roots == NULL) {
    g_autofree char *msg = g_strdup (guestfs_last_error (guest->g));
    set_inspection_error (guest, msg, error);
  }
  return roots;
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

/* Writing to a hibernated Windows (or one shut down with Fast Startup)
 * loses what Windows restores from hiberfil.sys, and writing to a dirty
 * NTFS can finish what chkdsk should repair.  Refuse both. */
static gboolean
check_ntfs_writable (LgGuest *guest, const char *root, GError **error)
{
  g_autofree char *type = lg_fs_type (&guest->parent, root);
  if (strcmp (type, "ntfs") != 0)
    return TRUE;
  int r = guestfs_ntfs_3g_probe (guest->g, 1, root);
  if (r == NTFS_PROBE_HIBERNATED)
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED,
                 _("guest %s: Windows on %s is hibernated or was shut down "
                   "with Fast Startup; start it on the old machine and shut "
                   "it down fully (shutdown /s /t 0), or disable Fast "
                   "Startup, then make the backup again"), guest->name, root);
  else if (r == NTFS_PROBE_UNCLEAN)
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED,
                 _("guest %s: the NTFS filesystem %s is marked dirty (not "
                   "shut down cleanly); run chkdsk /f on it first"),
                 guest->name, root);
  else if (r != 0)
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
                 _("guest %s: the NTFS filesystem %s cannot be mounted "
                   "read-write (ntfs-3g.probe says %d)"), guest->name, root, r);
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
  g_autofree char *root = NULL;
  if (roots == NULL || !pick_root (guest, roots, &root, error))
    return FALSE;
  guestfs_h *g = guest->g;
  if (found) {
    guint i = 0;
    while (strcmp (((BootfixGuestInfo *) found->pdata[i])->root, root) != 0)
      i++;
    info_take (info, found->pdata[i]);
  } else
    info_from_libguestfs (g, root, info);
  if (strcmp (info->os_type, "windows") != 0) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
                 _("guest %s: the operating system on %s (%s) is %s, not "
                   "Windows; virt-bootfix repairs Windows guests only"),
                 guest->name, guest->first_disk, root, info->os_type);
    return FALSE;
  }
  if (!check_ntfs_writable (guest, root, error))
    return FALSE;
  if (info->systemroot == NULL) {
    set_guestfs_error (error, g, BOOTFIX_ERROR_GUEST, guest->name,
                       _("cannot find the Windows directory"));
    return FALSE;
  }
  if (guestfs_mount_ro (g, root, "/") == -1) {
    set_guestfs_error (error, g, BOOTFIX_ERROR_GUEST, guest->name, root);
    return FALSE;
  }
  g_debug ("guest %s: %s on %s: %s, %s, %d.%d, %s, %s, systemroot %s",
           guest->name, info->os_type, root, info->product_name,
           info->product_variant, info->major, info->minor, info->arch,
           info->osinfo, info->systemroot);
  info->root = g_strdup (root);
  guest->mounted = g_strdup (root);
  guest->root = g_steal_pointer (&root);
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
  if (guest->mounted && strcmp (guest->mounted, device) == 0 &&
      (guest->mounted_writable || !rw))
    return TRUE;
  g_return_val_if_fail (!rw || !guest->readonly, FALSE);
  if (guestfs_umount_all (guest->g) == -1) {
    set_guestfs_error (error, guest->g, BOOTFIX_ERROR_FAILED, guest->name,
                       _("cannot unmount the guest's filesystems"));
    return FALSE;
  }
  g_clear_pointer (&guest->mounted, g_free);
  if (rw && !check_ntfs_writable (guest, device, error))
    return FALSE;
  int r = rw ? guestfs_mount (guest->g, device, "/")
             : guestfs_mount_ro (guest->g, device, "/");
  if (r == -1) {
    g_autofree char *what = g_strdup_printf (rw ? _("cannot mount %s read-write")
                                                : _("cannot mount %s"), device);
    set_guestfs_error (error, guest->g, BOOTFIX_ERROR_GUEST, guest->name, what);
    return FALSE;
  }
  guest->mounted = g_strdup (device);
  guest->mounted_writable = rw;
  return TRUE;
}

/* NULL stands for the Windows root, in the mode it is wanted in. */
static gboolean
use_device (LgGuest *guest, const char *device, gboolean rw,
            GError **error)
{
  if (device == NULL)
    return use_filesystem (guest, guest->root, guest->mounted_rw, error);
  return use_filesystem (guest, device, rw, error);
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
    set_guestfs_error (error, guest->g, BOOTFIX_ERROR_GUEST, guest->name, path);
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
    set_guestfs_error (error, guest->g, BOOTFIX_ERROR_GUEST, guest->name,
                       guest_path);
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
    set_guestfs_error (error, guest->g, BOOTFIX_ERROR_GUEST, guest->name, path);
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
    set_guestfs_error (error, guest->g, BOOTFIX_ERROR_FAILED, guest->name,
                       guest_path);
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
    set_guestfs_error (error, guest->g, BOOTFIX_ERROR_FAILED, guest->name, staged);
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
    set_guestfs_error (error, guest->g, BOOTFIX_ERROR_FAILED, guest->name,
                       guest_path);
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
    set_guestfs_error (error, guest->g, BOOTFIX_ERROR_FAILED, guest->name,
                       guest_path);
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

static gboolean
lg_shutdown (BootfixGuest *base, GError **error)
{
  LgGuest *guest = lg_of (base);
  g_clear_pointer (&guest->mounted, g_free);
  if (guestfs_umount_all (guest->g) == -1 || guestfs_shutdown (guest->g) == -1) {
    set_guestfs_error (error, guest->g, BOOTFIX_ERROR_FAILED, guest->name,
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
  gsize done = 0;
  while (done < len) {
    size_t got = 0;
    g_autofree char *chunk = guestfs_pread_device (guest->g, device,
                                                   (int) MIN (len - done, BOOTFIX_MAX_DEVICE_IO),
                                                   (int64_t) (offset + done), &got);
    if (chunk == NULL || got == 0) {
      if (chunk == NULL)
        set_guestfs_error (error, guest->g, BOOTFIX_ERROR_GUEST, guest->name, device);
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

static BootfixGuestDisk *
read_disk (LgGuest *guest, const char *device, int index, GError **error)
{
  g_autoptr (BootfixGuestDisk) disk = g_new0 (BootfixGuestDisk, 1);
  disk->device = g_strdup (device);
  disk->index = index;
  int64_t size = guestfs_blockdev_getsize64 (guest->g, device);
  int ss = guestfs_blockdev_getss (guest->g, device);
  if (size < 0 || ss <= 0) {
    set_guestfs_error (error, guest->g, BOOTFIX_ERROR_GUEST, guest->name, device);
    return NULL;
  }
  disk->size = (guint64) size;
  if (!bootfix_guest_disk_read_layout (&guest->parent, disk, (guint) ss,
                                       guest->name, error))
    return NULL;
  return g_steal_pointer (&disk);
}

static GPtrArray *
lg_disks (BootfixGuest *base, GError **error)
{
  LgGuest *guest = lg_of (base);
  const char *const *devices = lg_devices (guest, error);
  if (devices == NULL)
    return NULL;
  g_autoptr (GPtrArray) disks =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_guest_disk_free);
  for (int i = 0; devices[i]; i++) {
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
  const char *const *parts = lg_partitions (guest, NULL);
  return parts && g_strv_contains (parts, name)
         ? g_steal_pointer (&name) : NULL;
}

static char *
lg_fs_type (BootfixGuest *base, const char *device)
{
  LgGuest *guest = lg_of (base);
  const char *known = g_hash_table_lookup (guest->fs_types, device);
  if (known)
    return g_strdup (known);
  char *type = guestfs_vfs_type (guest->g, device);
  if (type == NULL)
    return g_strdup ("");
  g_hash_table_replace (guest->fs_types, g_strdup (device), g_strdup (type));
  return type;
}

static const char *
lg_root (const BootfixGuest *base)
{
  const LgGuest *guest = (const LgGuest *) base;
  return guest->root;
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
                 real, device ? device : guest->root, (size_t) max_len);
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
  /* Nothing may be mounted while a boot sector is rewritten under it. */
  g_clear_pointer (&guest->mounted, g_free);
  /* New boot sector or partition table bytes may change what blkid
   * and the partition list say. */
  g_hash_table_remove_all (guest->fs_types);
  g_clear_pointer (&guest->devices, g_strfreev);
  g_clear_pointer (&guest->partitions, g_strfreev);
  if (guestfs_umount_all (guest->g) == -1) {
    set_guestfs_error (error, guest->g, BOOTFIX_ERROR_FAILED, guest->name, device);
    return FALSE;
  }
  gsize len = 0;
  const char *p = g_bytes_get_data (data, &len);
  gsize done = 0;
  while (done < len) {
    int n = guestfs_pwrite_device (guest->g, device, p + done,
                                   MIN (len - done, BOOTFIX_MAX_DEVICE_IO),
                                   (int64_t) (offset + done));
    if (n <= 0) {
      set_guestfs_error (error, guest->g, BOOTFIX_ERROR_FAILED, guest->name, device);
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
    set_guestfs_error (error, guest->g, BOOTFIX_ERROR_GUEST, guest->name, path);
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
    set_guestfs_error (error, guest->g, BOOTFIX_ERROR_GUEST, guest->name, path);
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
  .shutdown = lg_shutdown,
};
