/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host-services table, second half: the guest's partitions, files
 * on any of its filesystems, raw device bytes, and the byte and file
 * edits of the boot chain. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "bootfix-error.h"
#include "bootini.h"
#include "host-private.h"

/* A module reads boot sectors and partition-table sectors, not disks. */
#define MAX_DEVICE_READ (1024 * 1024)

static const char *
keep (BootfixHostContext *ctx, char *s)
{
  g_ptr_array_add (ctx->strings, s);
  return s;
}

static void
add_partition (BootfixHostContext *ctx, const BootfixGuestDisk *disk,
               const BootfixPartition *p)
{
  const BootfixDiskLayout *l = disk->layout;
  g_autofree char *dev = bootfix_guest_partition_device (ctx->guest, disk, p->number);
  if (dev == NULL) {
    g_debug ("%s partition %u is not visible in the appliance", disk->device,
             p->number);
    return;
  }
  struct bootfix_partition bp = {
    ._struct_size = sizeof bp,
    .disk_device = keep (ctx, g_strdup (disk->device)),
    .disk_index = disk->index,
    .number = (int) p->number,
    .gpt = l->label == BOOTFIX_DISK_LABEL_GPT,
    .start = p->offset,
    .size = p->size,
    .disk_size = disk->size,
    .sector_size = l->sector_size,
    .mbr_signature = l->mbr_signature,
    .active = p->active,
    .arc_number = (int) bootfix_bootini_partition_number (l, p),
    .mbr_type = p->mbr_type,
    .fs_type = keep (ctx, bootfix_guest_fs_type (ctx->guest, dev)),
  };
  const char *root = bootfix_guest_root (ctx->guest);
  bp.windows_root = root && strcmp (root, dev) == 0;
  bp.device = keep (ctx, g_steal_pointer (&dev));
  memcpy (bp.disk_guid, l->disk_guid, 16);
  memcpy (bp.partition_guid, p->unique_guid, 16);
  memcpy (bp.type_guid, p->type_guid, 16);
  g_array_append_val (ctx->partitions, bp);
}

static gboolean
load_partitions (BootfixHostContext *ctx, GError **error)
{
  if (ctx->partitions)
    return TRUE;
  g_autoptr (GPtrArray) disks = bootfix_guest_disks (ctx->guest, error);
  if (disks == NULL)
    return FALSE;
  ctx->partitions = g_array_new (FALSE, TRUE, sizeof (struct bootfix_partition));
  ctx->strings = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < disks->len; i++) {
    const BootfixGuestDisk *disk = g_ptr_array_index (disks, i);
    for (guint k = 0; disk->layout && k < disk->layout->partitions->len; k++) {
      const BootfixPartition *p = g_ptr_array_index (disk->layout->partitions, k);
      if (p->kind != BOOTFIX_PARTITION_EXTENDED)
        add_partition (ctx, disk, p);
    }
  }
  return TRUE;
}

void
bootfix_host_disks_clear (BootfixHostContext *ctx)
{
  g_clear_pointer (&ctx->partitions, g_array_unref);
  g_clear_pointer (&ctx->strings, g_ptr_array_unref);
}

size_t
bootfix_host_n_partitions (const struct bootfix_host *h)
{
  BootfixHostContext *ctx = (BootfixHostContext *) h;
  GError *err = NULL;
  if (!load_partitions (ctx, &err)) {
    bootfix_host_fail (h, err);
    return 0;
  }
  return ctx->partitions->len;
}

const struct bootfix_partition *
bootfix_host_partition (const struct bootfix_host *h, size_t i)
{
  BootfixHostContext *ctx = (BootfixHostContext *) h;
  if (ctx->partitions == NULL || i >= ctx->partitions->len)
    return NULL;
  return &g_array_index (ctx->partitions, struct bootfix_partition, i);
}

/* ---- reads ---- */

/* device as the module names it; NULL when it is the Windows root, which
 * the executor's file cache keys as NULL. */
static const char *
filesystem_key (BootfixHostContext *ctx, const char *device)
{
  const char *root = bootfix_guest_root (ctx->guest);
  return root && strcmp (root, device) == 0 ? NULL : device;
}

int
bootfix_host_read_file (const struct bootfix_host *h, const char *device,
                        const char *path, size_t max_len, void **data,
                        size_t *len)
{
  BootfixHostContext *ctx = (BootfixHostContext *) h;
  if (!device || !path || !data || !len)
    return bootfix_host_bad_argument (h, "read_file", _("NULL argument"));
  GError *err = NULL;
  g_autoptr (GBytes) bytes = NULL;
  if (ctx->get_file) {
    bytes = ctx->get_file (ctx->user, filesystem_key (ctx, device), path,
                           max_len, &err);
    if (bytes == NULL && err)
      return bootfix_host_fail (h, err);
  } else {
    int r = bootfix_guest_read_file (ctx->guest, device, path, max_len, &bytes,
                                     NULL, &err);
    if (r < 0)
      return bootfix_host_fail (h, err);
  }
  if (bytes == NULL)
    return 0;
  return bootfix_host_copy_out (h, "read_file", bytes, data, len);
}

int
bootfix_host_read_device (const struct bootfix_host *h, const char *device,
                          uint64_t offset, void *buf, size_t len)
{
  BootfixHostContext *ctx = (BootfixHostContext *) h;
  if (!device || (!buf && len))
    return bootfix_host_bad_argument (h, "read_device", _("NULL argument"));
  if (len > MAX_DEVICE_READ)
    return bootfix_host_bad_argument (h, "read_device", _("read too large"));
  GError *err = NULL;
  if (!bootfix_guest_read_device (ctx->guest, device, offset, buf, len, &err))
    return bootfix_host_fail (h, err);
  return 0;
}

int
bootfix_host_path_exists (const struct bootfix_host *h, const char *device,
                          const char *path)
{
  BootfixHostContext *ctx = (BootfixHostContext *) h;
  if (!device || !path)
    return bootfix_host_bad_argument (h, "path_exists", _("NULL argument"));
  GError *err = NULL;
  int r = bootfix_guest_file_exists (ctx->guest, device, path, &err);
  return r < 0 ? bootfix_host_fail (h, err) : r;
}

/* ---- edits ---- */

/* The fields of the first struct bootfix_edit (0.1.0): a module built
 * then passes this much, a newer one more. */
#define EDIT_V1_SIZE (offsetof (struct bootfix_edit, reason) + sizeof (const char *))

const char *
bootfix_host_edit_text (const struct bootfix_edit *edit, BootfixEditText *text)
{
  if (edit == NULL || edit->_struct_size < EDIT_V1_SIZE)
    return _("no edit description, or an old one");
  /* Read what both sides know; fields of a newer module are ignored. */
  struct bootfix_edit e = { 0 };
  memcpy (&e, edit, MIN (sizeof e, (size_t) edit->_struct_size));
  if (!e.kind || !e.target || !e.new_text)
    return _("an edit needs a kind, a target and a new value");
  if (!g_utf8_validate (e.target, -1, NULL) ||
      !g_utf8_validate (e.new_text, -1, NULL) ||
      (e.old_text && !g_utf8_validate (e.old_text, -1, NULL)))
    return _("edit text is not UTF-8");
  *text = (BootfixEditText) {
    .change_kind = e.kind,
    .target = e.target,
    .old_text = e.old_text,
    .new_text = e.new_text,
    .reason = e.reason,
  };
  return NULL;
}

static void
add_edit (const struct bootfix_host *h, BootfixActionKind kind,
          const BootfixEditText *text, const char *device,
          const char *path, uint64_t offset, const void *old, size_t old_len,
          const void *new_data, size_t new_len)
{
  BootfixHostContext *ctx = (BootfixHostContext *) h;
  g_autoptr (GBytes) o = g_bytes_new (old, old_len);
  g_autoptr (GBytes) n = g_bytes_new (new_data, new_len);
  const char *fs = kind == BOOTFIX_ACTION_PATCH_DEVICE ? device
                   : filesystem_key (ctx, device);
  bootfix_plan_add_edit (ctx->plan, kind, text, fs, path, offset, o, n);
}

int
bootfix_host_patch_file (const struct bootfix_host *h,
                         const struct bootfix_edit *edit, const char *device,
                         const char *path, uint64_t offset,
                         const void *old_bytes, const void *new_bytes,
                         size_t len)
{
  BootfixEditText text;
  const char *why = bootfix_host_edit_text (edit, &text);
  if (why == NULL && (!device || !path || !old_bytes || !new_bytes || len == 0))
    why = _("missing device, path or bytes");
  if (why)
    return bootfix_host_bad_argument (h, "patch_file", why);
  add_edit (h, BOOTFIX_ACTION_PATCH_FILE, &text, device, path, offset,
            old_bytes, len, new_bytes, len);
  return 0;
}

int
bootfix_host_patch_device (const struct bootfix_host *h,
                           const struct bootfix_edit *edit, const char *device,
                           uint64_t offset, const void *old_bytes,
                           const void *new_bytes, size_t len)
{
  BootfixEditText text;
  const char *why = bootfix_host_edit_text (edit, &text);
  if (why == NULL && (!device || !old_bytes || !new_bytes || len == 0 ||
                      len > MAX_DEVICE_READ))
    why = _("missing device or bytes");
  if (why)
    return bootfix_host_bad_argument (h, "patch_device", why);
  add_edit (h, BOOTFIX_ACTION_PATCH_DEVICE, &text, device, NULL, offset,
            old_bytes, len, new_bytes, len);
  return 0;
}

int
bootfix_host_replace_file (const struct bootfix_host *h,
                           const struct bootfix_edit *edit, const char *device,
                           const char *path, const void *old_data,
                           size_t old_len, const void *new_data,
                           size_t new_len)
{
  BootfixEditText text;
  const char *why = bootfix_host_edit_text (edit, &text);
  if (why == NULL && (!device || !path || (!old_data && old_len) ||
                      (!new_data && new_len)))
    why = _("missing device, path or data");
  if (why)
    return bootfix_host_bad_argument (h, "replace_file", why);
  add_edit (h, BOOTFIX_ACTION_REPLACE_FILE, &text, device, path, 0, old_data,
            old_len, new_data, new_len);
  return 0;
}
