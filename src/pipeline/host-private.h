/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Inside the host-services table: the context behind struct
 * bootfix_host, shared by host.c (rules, registry, plan) and
 * host-disks.c (partitions, files, byte edits). */
#ifndef BOOTFIX_HOST_PRIVATE_H
#define BOOTFIX_HOST_PRIVATE_H

#include "host.h"

G_BEGIN_DECLS

struct _BootfixHostContext {
  struct bootfix_host host; /* first: callbacks cast back to the context */
  const BootfixRule *rule;
  BootfixPlan *plan;
  BootfixGuest *guest;
  BootfixHiveGetter get_hive;
  BootfixFileGetter get_file; /* NULL: read straight from the guest */
  gpointer user;
  char *error;              /* what the module said before returning -1 */
  GError *host_error;       /* a failure of ours inside a host call */
  GPtrArray *messages;
  /* Filled on the first partition call: */
  GArray *partitions;       /* struct bootfix_partition */
  GPtrArray *strings;       /* what their const char * point to */
  const char *cab_wanted;   /* during cabinet_extract: the file name */
  char *driver_source;      /* --virtio-win DIR, or NULL */
  GPtrArray *links;         /* BootfixLink*: what check callbacks said */
  gboolean in_check;        /* a check callback runs: report_link works */
};

/* Record our own failure (takes err) and return -1 to the module. */
int bootfix_host_fail (const struct bootfix_host *h, GError *err);
int bootfix_host_bad_argument (const struct bootfix_host *h, const char *call,
                               const char *why);

/* A malloc'd copy of bytes, NUL-terminated, for the module: 1, or -1. */
int bootfix_host_copy_out (const struct bootfix_host *h, const char *call,
                           GBytes *bytes, void **data, size_t *len);

/* host-disks.c */
size_t bootfix_host_n_partitions (const struct bootfix_host *h);
const struct bootfix_partition *bootfix_host_partition (const struct bootfix_host *h,
                                                        size_t i);
int bootfix_host_read_file (const struct bootfix_host *h, const char *device,
                            const char *path, size_t max_len, void **data,
                            size_t *len);
int bootfix_host_read_device (const struct bootfix_host *h, const char *device,
                              uint64_t offset, void *buf, size_t len);
int bootfix_host_path_exists (const struct bootfix_host *h, const char *device,
                              const char *path);
int bootfix_host_patch_file (const struct bootfix_host *h,
                             const struct bootfix_edit *edit,
                             const char *device, const char *path,
                             uint64_t offset, const void *old_bytes,
                             const void *new_bytes, size_t len);
int bootfix_host_patch_device (const struct bootfix_host *h,
                               const struct bootfix_edit *edit,
                               const char *device, uint64_t offset,
                               const void *old_bytes, const void *new_bytes,
                               size_t len);
int bootfix_host_replace_file (const struct bootfix_host *h,
                               const struct bootfix_edit *edit,
                               const char *device, const char *path,
                               const void *old_data, size_t old_len,
                               const void *new_data, size_t new_len);
void bootfix_host_disks_clear (BootfixHostContext *ctx);
/* Read a module's edit description, of whatever size its module was
 * built with, into text (pointing at the module's strings): NULL, or
 * why it is unusable. */
const char *bootfix_host_edit_text (const struct bootfix_edit *edit,
                                    BootfixEditText *text);

/* host-cabinet.c */
int bootfix_host_cabinet_extract (const struct bootfix_host *h,
                                  const char *folder, const char *name,
                                  void **data, size_t *len, char **source);
int bootfix_host_read_driver_source (const struct bootfix_host *h,
                                     const char *relpath, size_t max_len,
                                     void **data, size_t *len);
int bootfix_host_create_windows_file (const struct bootfix_host *h,
                                      const struct bootfix_edit *edit,
                                      const char *relpath, const void *data,
                                      size_t len);

G_END_DECLS

#endif
