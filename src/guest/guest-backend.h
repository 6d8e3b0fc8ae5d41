/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a BootfixGuest is made of: a table of operations.  guest.c
 * implements it over libguestfs; guest-memory.c over files and device
 * bytes held in memory, so that the host table, the executor's hive
 * cache and the edits run in unit tests without an appliance.  Only
 * implementations include this; everyone else calls the bootfix_guest_*
 * functions of guest.h, which dispatch here and keep their contracts
 * (each operation below means exactly what its namesake there says). */
#ifndef BOOTFIX_GUEST_BACKEND_H
#define BOOTFIX_GUEST_BACKEND_H

#include "guest.h"

G_BEGIN_DECLS

typedef struct {
  void (*free) (BootfixGuest *guest);
  const char *(*root) (const BootfixGuest *guest);
  char *(*hive_path) (BootfixGuest *guest, const char *hive_name,
                      GError **error);
  gboolean (*download) (BootfixGuest *guest, const char *device,
                        const char *guest_path, const char *local_path,
                        GError **error);
  int (*windows_file_exists) (BootfixGuest *guest, const char *relpath,
                              GError **error);
  char *(*windows_path) (BootfixGuest *guest, const char *relpath,
                         GError **error);
  int (*read_file) (BootfixGuest *guest, const char *device, const char *path,
                    gsize max_len, GBytes **out, char **real_path,
                    GError **error);
  int (*file_exists) (BootfixGuest *guest, const char *device,
                      const char *path, GError **error);
  GStrv (*list_dir) (BootfixGuest *guest, const char *device,
                     const char *path, GError **error);
  int64_t (*file_size) (BootfixGuest *guest, const char *device,
                        const char *path, GError **error);
  gboolean (*mount_rw) (BootfixGuest *guest, GError **error);
  char *(*stage) (BootfixGuest *guest, const char *device,
                  const char *local_path, const char *guest_path,
                  GError **error);
  gboolean (*commit_staged) (BootfixGuest *guest, const char *device,
                             const char *staged, const char *guest_path,
                             GError **error);
  void (*discard_staged) (BootfixGuest *guest, const char *device,
                          const char *staged);
  gboolean (*truncate) (BootfixGuest *guest, const char *device,
                        const char *guest_path, GError **error);
  char *(*checksum) (BootfixGuest *guest, const char *device,
                     const char *guest_path, GError **error);
  GPtrArray *(*disks) (BootfixGuest *guest, GError **error);
  char *(*partition_device) (BootfixGuest *guest,
                             const BootfixGuestDisk *disk, guint number);
  char *(*fs_type) (BootfixGuest *guest, const char *device);
  gboolean (*read_device) (BootfixGuest *guest, const char *device,
                           guint64 offset, guint8 *buf, gsize len,
                           GError **error);
  gboolean (*write_device) (BootfixGuest *guest, const char *device,
                            guint64 offset, GBytes *data, GError **error);
  gboolean (*flush) (BootfixGuest *guest, GError **error);
} BootfixGuestOps;

/* The first member of every implementation's own struct. */
struct _BootfixGuest {
  const BootfixGuestOps *ops;
};

/* disk->layout from the disk's first bytes (the MBR, the primary GPT
 * and its entries; further sectors are read on demand), read through
 * the guest's read_device.  A disk without a partition table we can
 * read (data, a whole-disk filesystem) keeps a NULL layout: that is not
 * an error.  FALSE only when the bytes cannot be read. */
gboolean bootfix_guest_disk_read_layout (BootfixGuest *guest,
                                         BootfixGuestDisk *disk,
                                         guint sector_size,
                                         const char *guest_name,
                                         GError **error);

G_END_DECLS

#endif
