/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The bootfix_guest_* calls of guest.h, dispatched to the guest's
 * backend (guest-backend.h). */
#include "config.h"

#include "guest-backend.h"

void
bootfix_guest_free (BootfixGuest *guest)
{
  if (guest != NULL)
    guest->ops->free (guest);
}

const char *
bootfix_guest_root (const BootfixGuest *guest)
{
  return guest->ops->root (guest);
}

char *
bootfix_guest_hive_path (BootfixGuest *guest, const char *hive_name,
                         GError **error)
{
  return guest->ops->hive_path (guest, hive_name, error);
}

gboolean
bootfix_guest_download (BootfixGuest *guest, const char *device,
                        const char *guest_path, const char *local_path,
                        GError **error)
{
  return guest->ops->download (guest, device, guest_path, local_path, error);
}

int
bootfix_guest_windows_file_exists (BootfixGuest *guest, const char *relpath,
                                   GError **error)
{
  return guest->ops->windows_file_exists (guest, relpath, error);
}

char *
bootfix_guest_windows_path (BootfixGuest *guest, const char *relpath,
                            GError **error)
{
  return guest->ops->windows_path (guest, relpath, error);
}

int
bootfix_guest_read_file (BootfixGuest *guest, const char *device,
                         const char *path, gsize max_len, GBytes **out,
                         char **real_path, GError **error)
{
  return guest->ops->read_file (guest, device, path, max_len, out, real_path,
                                error);
}

int
bootfix_guest_file_exists (BootfixGuest *guest, const char *device,
                           const char *path, GError **error)
{
  return guest->ops->file_exists (guest, device, path, error);
}

GStrv
bootfix_guest_list_dir (BootfixGuest *guest, const char *device,
                        const char *path, GError **error)
{
  return guest->ops->list_dir (guest, device, path, error);
}

int64_t
bootfix_guest_file_size (BootfixGuest *guest, const char *device,
                         const char *path, GError **error)
{
  return guest->ops->file_size (guest, device, path, error);
}

gboolean
bootfix_guest_mount_rw (BootfixGuest *guest, GError **error)
{
  return guest->ops->mount_rw (guest, error);
}

char *
bootfix_guest_stage (BootfixGuest *guest, const char *device,
                     const char *local_path, const char *guest_path,
                     GError **error)
{
  return guest->ops->stage (guest, device, local_path, guest_path, error);
}

gboolean
bootfix_guest_commit_staged (BootfixGuest *guest, const char *device,
                             const char *staged, const char *guest_path,
                             GError **error)
{
  return guest->ops->commit_staged (guest, device, staged, guest_path, error);
}

void
bootfix_guest_discard_staged (BootfixGuest *guest, const char *device,
                              const char *staged)
{
  guest->ops->discard_staged (guest, device, staged);
}

gboolean
bootfix_guest_truncate (BootfixGuest *guest, const char *device,
                        const char *guest_path, GError **error)
{
  return guest->ops->truncate (guest, device, guest_path, error);
}

char *
bootfix_guest_checksum (BootfixGuest *guest, const char *device,
                        const char *guest_path, GError **error)
{
  return guest->ops->checksum (guest, device, guest_path, error);
}

GPtrArray *
bootfix_guest_disks (BootfixGuest *guest, GError **error)
{
  return guest->ops->disks (guest, error);
}

char *
bootfix_guest_partition_device (BootfixGuest *guest,
                                const BootfixGuestDisk *disk, guint number)
{
  return guest->ops->partition_device (guest, disk, number);
}

char *
bootfix_guest_fs_type (BootfixGuest *guest, const char *device)
{
  return guest->ops->fs_type (guest, device);
}

gboolean
bootfix_guest_read_device (BootfixGuest *guest, const char *device,
                           guint64 offset, guint8 *buf, gsize len,
                           GError **error)
{
  return guest->ops->read_device (guest, device, offset, buf, len, error);
}

gboolean
bootfix_guest_write_device (BootfixGuest *guest, const char *device,
                            guint64 offset, GBytes *data, GError **error)
{
  return guest->ops->write_device (guest, device, offset, data, error);
}

gboolean
bootfix_guest_flush (BootfixGuest *guest, GError **error)
{
  return guest->ops->flush (guest, error);
}

/* ---- shared by the backends ---- */

/* What we read of a disk at once to parse its partition table. */
#define LAYOUT_READ_SIZE (1024 * 1024)

typedef struct {
  BootfixGuest *guest;
  const char *device;
  guint sector_size;
} SectorReader;

static gboolean
read_sectors (guint64 lba, guint n_sectors, guint8 *dest, gpointer user,
              GError **error)
{
  SectorReader *r = user;
  if (lba > G_MAXUINT64 / r->sector_size)
    return FALSE;
  return bootfix_guest_read_device (r->guest, r->device, lba * r->sector_size,
                                    dest, (gsize) n_sectors * r->sector_size,
                                    error);
}

gboolean
bootfix_guest_disk_read_layout (BootfixGuest *guest, BootfixGuestDisk *disk,
                                guint sector_size, const char *guest_name,
                                GError **error)
{
  gsize want = (gsize) MIN ((guint64) LAYOUT_READ_SIZE, disk->size);
  g_autofree guint8 *buf = g_malloc (want ? want : 1);
  if (!bootfix_guest_read_device (guest, disk->device, 0, buf, want, error))
    return FALSE;
  SectorReader reader = { guest, disk->device, sector_size };
  g_autoptr (GError) err = NULL;
  disk->layout = bootfix_disk_layout_parse_with_reader (buf, want, sector_size,
                                                        read_sectors, &reader,
                                                        &err);
  if (disk->layout == NULL)
    /* A disk without a partition table (data, or a whole-disk
     * filesystem) has nothing for the boot chain. */
    g_debug ("guest %s: %s: %s", guest_name, disk->device, err->message);
  return TRUE;
}
