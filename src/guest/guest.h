/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A guest session: the guest's disks in one libguestfs appliance,
 * inspected, with the Windows root mounted. */
#ifndef BOOTFIX_GUEST_H
#define BOOTFIX_GUEST_H

#include <stdint.h>
#include <glib.h>
#include "appliance.h"
#include "disk-layout.h"
#include "domain.h"

G_BEGIN_DECLS

/* Largest hive we download (a SYSTEM hive is a few tens of MiB). */
#define BOOTFIX_MAX_HIVE_SIZE (512 * 1024 * 1024)

typedef struct {
  char *root;            /* /dev/sda2 */
  char *os_type;         /* windows */
  char *product_name;
  char *product_variant; /* Client / Server */
  char *arch;
  char *osinfo;
  int major, minor;
  char *systemroot;      /* /Windows, as libguestfs found it */
  /* Why the Windows root must not be written (hibernated, Fast Startup,
   * a dirty NTFS) and what to do, found by a check session instead of
   * failing (BootfixGuestOptions.check); NULL when it may be. */
  char *unwritable;
  char *unwritable_advice;
  gboolean hibernated;   /* unwritable because Windows will resume */
} BootfixGuestInfo;

/* A guest behind a table of operations (guest-backend.h): a libguestfs
 * session from bootfix_guest_open_in, or an in-memory one for the tests
 * (guest-memory.h). */
typedef struct _BootfixGuest BootfixGuest;

typedef struct {
  const char *root;   /* --root: which OS of a multi-boot guest, or NULL */
  gboolean readonly;  /* the disks were added read-only (--dry-run) */
  gboolean check;     /* --check: a Windows root that must not be written
                       * is inspected all the same (BootfixGuestInfo
                       * says why it must not) */
} BootfixGuestOptions;

/* Every disk has a local source the user can read; errors name the
 * guest, the disk and what to do.  A domain XML may come from someone
 * else: a source that is a symbolic link or climbs with ".." is refused
 * (BOOTFIX_ERROR_REFUSED) unless allow_unsafe_paths, and so is an
 * image whose chain of files (bootfix_image_chain_check) is unsafe. */
gboolean bootfix_guest_check_sources (const BootfixDomain *dom,
                                      gboolean allow_unsafe_paths,
                                      gboolean allow_block_devices,
                                      GError **error);

/* The guest whose disks were added to a launched appliance from index
 * first on (bootfix_appliance_add_guest).  It names its disks /dev/sda,
 * /dev/sdb, … as it would alone, and cannot reach another guest's. */
BootfixGuest *bootfix_guest_open_in (BootfixAppliance *app, guint first,
                                     const BootfixDomain *dom,
                                     const BootfixGuestOptions *opts,
                                     GError **error);
void bootfix_guest_free (BootfixGuest *guest);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixGuest, bootfix_guest_free)

/* Inspect and mount the single Windows root read-only.  Fails with
 * BOOTFIX_ERROR_GUEST naming the guest and the disk or file when no OS,
 * no Windows, or a damaged registry is found. */
gboolean bootfix_guest_inspect (BootfixGuest *guest, BootfixGuestInfo *info,
                                GError **error);
void bootfix_guest_info_clear (BootfixGuestInfo *info);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (BootfixGuestInfo, bootfix_guest_info_clear)

/* Guest path of a hive ("SYSTEM" -> /Windows/System32/config/SYSTEM),
 * matched case-insensitively; fails when it is not a regular file. */
char *bootfix_guest_hive_path (BootfixGuest *guest, const char *hive_name,
                               GError **error);
/* device: the filesystem the path is on; NULL for the Windows root.
 * The same holds for every function below that takes one. */
gboolean bootfix_guest_download (BootfixGuest *guest, const char *device,
                                 const char *guest_path,
                                 const char *local_path, GError **error);

/* Is there a file at systemroot\relpath (backslashes, any case)?
 * 1 yes, 0 no, -1 error. */
int bootfix_guest_windows_file_exists (BootfixGuest *guest,
                                       const char *relpath, GError **error);

/* Remount the Windows root read-write (not in read-only sessions). */
gboolean bootfix_guest_mount_rw (BootfixGuest *guest, GError **error);

/* Upload local_path next to guest_path under a temporary name, check it
 * arrived intact (sha256), and return the temporary name. */
char *bootfix_guest_stage (BootfixGuest *guest, const char *device,
                           const char *local_path, const char *guest_path,
                           GError **error);
/* Rename a staged file over its target: the atomic step. */
gboolean bootfix_guest_commit_staged (BootfixGuest *guest, const char *device,
                                      const char *staged,
                                      const char *guest_path, GError **error);
/* Remove a staged file after a failure (best effort). */
void bootfix_guest_discard_staged (BootfixGuest *guest, const char *device,
                                   const char *staged);

/* Cut an existing guest file to zero bytes (emptying a hive's
 * transaction logs after the hive was written back). */
gboolean bootfix_guest_truncate (BootfixGuest *guest, const char *device,
                                 const char *guest_path, GError **error);

/* sha256 of a guest file, as hex. */
char *bootfix_guest_checksum (BootfixGuest *guest, const char *device,
                              const char *guest_path, GError **error);

/* ---- disks and partitions (the boot chain) ---- */

/* Largest single read or write of device bytes (libguestfs messages are
 * capped at a few MiB). */
#define BOOTFIX_MAX_DEVICE_IO (1024 * 1024)

typedef struct {
  char *device;               /* "/dev/sda" */
  int index;                  /* in domain order */
  guint64 size;               /* bytes */
  BootfixDiskLayout *layout;  /* NULL: no partition table we can read */
} BootfixGuestDisk;

void bootfix_guest_disk_free (BootfixGuestDisk *disk);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixGuestDisk, bootfix_guest_disk_free)

/* Every disk with its parsed partition table (BootfixGuestDisk *). */
GPtrArray *bootfix_guest_disks (BootfixGuest *guest, GError **error);
/* "/dev/sda2" for partition 2 of disk, or NULL when the appliance does
 * not show it. */
char *bootfix_guest_partition_device (BootfixGuest *guest,
                                      const BootfixGuestDisk *disk,
                                      guint number);
/* "ntfs", "vfat", …, or "" when there is no filesystem. */
char *bootfix_guest_fs_type (BootfixGuest *guest, const char *device);
/* The inspected Windows root ("/dev/sda2"). */
const char *bootfix_guest_root (const BootfixGuest *guest);

/* Read a file of the filesystem on device (path from its root, either
 * slash, any case).  1 with *out (and the real path, if asked), 0 when
 * there is no such regular file, -1 on error (also over max_len). */
int bootfix_guest_read_file (BootfixGuest *guest, const char *device,
                             const char *path, gsize max_len, GBytes **out,
                             char **real_path, GError **error);
/* Is there a regular file at path on device?  1, 0, -1. */
int bootfix_guest_file_exists (BootfixGuest *guest, const char *device,
                               const char *path, GError **error);
/* systemroot\relpath resolved case-insensitively (the last part may
 * not exist yet). */
char *bootfix_guest_windows_path (BootfixGuest *guest, const char *relpath,
                                  GError **error);
/* The names in a directory; an empty list when it is not one. */
GStrv bootfix_guest_list_dir (BootfixGuest *guest, const char *device,
                              const char *path, GError **error);
int64_t bootfix_guest_file_size (BootfixGuest *guest, const char *device,
                                 const char *path, GError **error);
/* Raw bytes of a disk or partition. */
gboolean bootfix_guest_read_device (BootfixGuest *guest, const char *device,
                                    guint64 offset, guint8 *buf, gsize len,
                                    GError **error);
/* Write raw bytes (everything is unmounted first) and read them back. */
gboolean bootfix_guest_write_device (BootfixGuest *guest, const char *device,
                                     guint64 offset, GBytes *data,
                                     GError **error);

/* Unmount the guest's filesystems, so that everything written to them
 * has reached the appliance's block devices (the appliance may go on
 * for other guests; only bootfix_appliance_shutdown syncs it all into
 * the images). */
gboolean bootfix_guest_flush (BootfixGuest *guest, GError **error);

G_END_DECLS

#endif
