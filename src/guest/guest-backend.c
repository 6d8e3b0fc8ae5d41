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
bootfix_guest_shutdown (BootfixGuest *guest, GError **error)
{
  return guest->ops->shutdown (guest, error);
}
