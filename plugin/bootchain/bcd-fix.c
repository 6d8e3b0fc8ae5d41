/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The BCD pass: every device element that names a partition the guest
 * no longer has is pointed at the partition that holds the object's
 * files, patched in place in the store file (same length). */
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "bcd-store.h"
#include "bootchain.h"

/* Every place bootmgr may look for its store (bootchain.h). */
static const char *const store_paths[] = {
  CHAIN_BIOS_STORE,
  CHAIN_UEFI_STORE,
};

/* A store is a few tens of KiB; refuse to load absurd ones. */
#define MAX_STORE_SIZE (16 * 1024 * 1024)

typedef ChainStore Store;

void
chain_ref_to_id (const BootfixBcdPartitionRef *ref, BootfixVolumeId *id)
{
  memset (id, 0, sizeof *id);
  if (ref->kind == BOOTFIX_BCD_REF_GPT) {
    id->kind = BOOTFIX_VOLUME_ID_GPT;
    memcpy (id->guid, ref->partition_guid, sizeof id->guid);
  } else {
    id->kind = BOOTFIX_VOLUME_ID_MBR;
    id->disk_signature = ref->disk_signature;
    id->offset = ref->partition_offset;
  }
}

const struct bootfix_partition *
chain_ref_partition (const Chain *c, const BootfixBcdPartitionRef *ref)
{
  BootfixVolumeId id;
  chain_ref_to_id (ref, &id);
  const struct bootfix_partition *p = chain_find (c, &id);
  if (p && ref->kind == BOOTFIX_BCD_REF_GPT &&
      memcmp (p->disk_guid, ref->disk_guid, 16) != 0)
    return NULL;
  return p;
}

static gboolean
ref_exists (const Chain *c, const BootfixBcdPartitionRef *ref)
{
  return chain_ref_partition (c, ref) != NULL;
}

static void
ref_for (const struct bootfix_partition *p, const BootfixBcdPartitionRef *old,
         BootfixBcdPartitionRef *ref)
{
  *ref = *old;
  ref->kind = p->gpt ? BOOTFIX_BCD_REF_GPT : BOOTFIX_BCD_REF_MBR;
  ref->disk_signature = p->mbr_signature;
  ref->partition_offset = p->start;
  memcpy (ref->disk_guid, p->disk_guid, 16);
  memcpy (ref->partition_guid, p->partition_guid, 16);
}

static char *
object_path (const BootfixBcdObject *obj)
{
  const BootfixBcdElement *el =
    bootfix_bcd_object_find_element (obj, BOOTFIX_BCD_ELEM_PATH);
  return el ? bootfix_bcd_element_get_string (el, NULL) : NULL;
}

/* The file a ramdisk or file device reads from its parent partition
 * (WinRE: \Recovery\WindowsRE\Winre.wim), as UTF-8; NULL if none. */
static char *
device_file_path (const BootfixBcdDevice *dev)
{
  for (const BootfixBcdNode *n = dev->root; n; n = n->nested) {
    if ((n->kind != BOOTFIX_BCD_NODE_RAMDISK && n->kind != BOOTFIX_BCD_NODE_FILE) ||
        n->path == NULL)
      continue;
    gsize len = 0;
    const gunichar2 *u = g_bytes_get_data (n->path, &len);
    char *text = g_utf16_to_utf8 (u, (glong) (len / 2), NULL, NULL, NULL);
    if (text && *text)
      return text;
    g_free (text);
  }
  return NULL;
}

/* The partition that holds a file: among those that have it, the one
 * at the old offset, else the Windows root. */
static const struct bootfix_partition *
holder_of_file (Store *s, const char *path, const BootfixVolumeId *old)
{
  const struct bootfix_host *h = s->c->h;
  const struct bootfix_partition *best = NULL;
  for (guint i = 0; i < s->c->parts->len; i++) {
    const struct bootfix_partition *p = g_ptr_array_index (s->c->parts, i);
    if (!chain_has_files (p))
      continue;
    int r = h->path_exists (h, p->device, path);
    if (r < 0)
      return NULL;
    if (r == 0)
      continue;
    if (old->kind == BOOTFIX_VOLUME_ID_MBR && p->start == old->offset)
      return p;
    if (best == NULL || p->windows_root)
      best = p;
  }
  return best;
}

/* Where the object's files are: its application path, else the file a
 * ramdisk device reads; the boot manager lives with its store. */
static const struct bootfix_partition *
holder_of (Store *s, const BootfixBcdObject *obj, const BootfixBcdDevice *dev,
           const BootfixVolumeId *old)
{
  g_autofree char *path = object_path (obj);
  if (path == NULL || *path == '\0') {
    g_free (path);
    path = device_file_path (dev);
  }
  if (path != NULL && *path != '\0')
    return holder_of_file (s, path, old);
  return obj->kind == BOOTFIX_BCD_OBJECT_BOOTMGR ||
         obj->kind == BOOTFIX_BCD_OBJECT_FWBOOTMGR ? s->home : NULL;
}

/* Pass 1: learn where stale identities went from the files. */
static int
learn_moves (Store *s, const BootfixBcdObject *obj, const BootfixBcdDevice *dev)
{
  g_autoptr (GArray) refs = bootfix_bcd_device_get_references (dev);
  for (guint i = 0; i < refs->len; i++) {
    const BootfixBcdPartitionRef *ref = &g_array_index (refs, BootfixBcdPartitionRef, i);
    if (ref_exists (s->c, ref))
      continue;
    BootfixVolumeId old;
    chain_ref_to_id (ref, &old);
    /* The first move learnt for an identity is kept: do not look for
     * files (an appliance round trip per partition) again. */
    if (chain_moved (s->c, &old) != NULL)
      continue;
    const struct bootfix_partition *to = holder_of (s, obj, dev, &old);
    if (to)
      chain_add_move (s->c, &old, to);
  }
  return 0;
}

static const char *
element_name (guint32 id)
{
  switch (id) {
  case BOOTFIX_BCD_ELEM_DEVICE: return "device";
  case BOOTFIX_BCD_ELEM_OSDEVICE: return "osdevice";
  case BOOTFIX_BCD_ELEM_RAMDISKSDIDEVICE: return "ramdisksdidevice";
  default: return NULL;
  }
}

static int
plan_patch (Store *s, const BootfixBcdObject *obj, const BootfixBcdElement *el,
            const BootfixBcdDevice *old_dev, GBytes *new_value)
{
  const struct bootfix_host *h = s->c->h;
  gsize flen = 0;
  const guint8 *file = g_bytes_get_data (s->file, &flen);
  guint64 off = 0;
  g_autoptr (GError) err = NULL;
  if (!bootfix_bcd_store_element_file_offset (s->store, el, file, flen, &off, &err)) {
    h->error (h, "%s on %s: %s", s->path, s->home->device, err->message);
    return -1;
  }
  gsize len = 0;
  const guint8 *nv = g_bytes_get_data (new_value, &len);
  g_autoptr (BootfixBcdDevice) new_dev = bootfix_bcd_device_parse (nv, len, NULL);
  g_autofree char *old_text = bootfix_bcd_device_to_string (old_dev);
  g_autofree char *new_text = new_dev ? bootfix_bcd_device_to_string (new_dev)
                                      : g_strdup ("?");
  const char *ename = element_name (el->id);
  g_autofree char *elem = ename ? g_strdup (ename) : g_strdup_printf ("%08x", el->id);
  g_autofree char *target = g_strdup_printf ("%s:%s %s %s", s->home->device, s->path,
                                             obj->alias ? obj->alias : obj->guid, elem);
  struct bootfix_edit edit = {
    ._struct_size = sizeof edit,
    .kind = "bcd",
    .target = target,
    .old_text = old_text,
    .new_text = new_text,
    .reason = CHAIN_REASON,
  };
  return h->patch_file (h, &edit, s->home->device, s->path, off,
                        g_bytes_get_data (el->value, NULL), nv, len);
}

/* Pass 2: rewrite every stale reference whose new home is known. */
static int
fix_element (Store *s, const BootfixBcdObject *obj, const BootfixBcdElement *el,
             const BootfixBcdDevice *dev)
{
  const struct bootfix_host *h = s->c->h;
  g_autoptr (GArray) refs = bootfix_bcd_device_get_references (dev);
  g_autoptr (GBytes) value = g_bytes_ref (el->value);
  gboolean changed = FALSE;
  for (guint i = 0; i < refs->len; i++) {
    const BootfixBcdPartitionRef *ref = &g_array_index (refs, BootfixBcdPartitionRef, i);
    if (ref_exists (s->c, ref))
      continue;
    BootfixVolumeId old;
    chain_ref_to_id (ref, &old);
    const struct bootfix_partition *to = chain_resolve (s->c, &old);
    if (to == NULL) {
      g_autofree char *was = bootfix_bcd_ref_to_string (ref);
      h->log (h, BOOTFIX_LOG_WARNING,
              "%s on %s: %s element %08x names %s, which is not on this guest, "
              "and no partition holds its files; left as it is", s->path,
              s->home->device, obj->alias ? obj->alias : obj->guid, el->id, was);
      continue;
    }
    BootfixBcdPartitionRef now;
    ref_for (to, ref, &now);
    g_autoptr (GError) err = NULL;
    GBytes *next = bootfix_bcd_device_patch (g_bytes_get_data (value, NULL),
                                             g_bytes_get_size (value), ref->offset,
                                             &now, &err);
    if (next == NULL) {
      h->error (h, "%s on %s: %s", s->path, s->home->device, err->message);
      return -1;
    }
    g_bytes_unref (value);
    value = next;
    changed = TRUE;
  }
  return changed ? plan_patch (s, obj, el, dev, value) : 0;
}

typedef int (*ElementFunc) (Store *s, const BootfixBcdObject *obj,
                            const BootfixBcdElement *el,
                            const BootfixBcdDevice *dev);

static int
learn_element (Store *s, const BootfixBcdObject *obj, const BootfixBcdElement *el,
               const BootfixBcdDevice *dev)
{
  return learn_moves (s, obj, dev);
}

static int
for_each_device (Store *s, ElementFunc fn)
{
  GPtrArray *objects = bootfix_bcd_store_get_objects (s->store);
  for (guint i = 0; i < objects->len; i++) {
    const BootfixBcdObject *obj = g_ptr_array_index (objects, i);
    for (guint k = 0; k < obj->elements->len; k++) {
      const BootfixBcdElement *el = g_ptr_array_index (obj->elements, k);
      if (el->format != BOOTFIX_BCD_FORMAT_DEVICE)
        continue;
      g_autoptr (GError) err = NULL;
      g_autoptr (BootfixBcdDevice) dev = bootfix_bcd_element_get_device (el, &err);
      if (dev == NULL) {
        s->c->h->log (s->c->h, BOOTFIX_LOG_WARNING, "%s on %s: %s; left as it is",
                      s->path, s->home->device, err->message);
        continue;
      }
      if (fn (s, obj, el, dev) < 0)
        return -1;
    }
  }
  return 0;
}

/* 1 open, 0 no such file, -1 with *err: it cannot be read (a damaged
 * store), or with h->error for a failure of ours. */
static int
open_store (Store *s, char **err_text)
{
  const struct bootfix_host *h = s->c->h;
  void *data = NULL;
  size_t len = 0;
  int r = h->read_file (h, s->home->device, s->path, MAX_STORE_SIZE, &data, &len);
  if (r <= 0)
    return r;
  s->file = g_bytes_new_take (data, len);
  g_autofree char *tmp = NULL;
  g_autoptr (GError) err = NULL;
  int fd = g_file_open_tmp ("bootfix-bcd-XXXXXX", &tmp, &err);
  if (fd < 0 || (close (fd), !g_file_set_contents (tmp, data, (gssize) len, &err))) {
    h->error (h, "cannot copy %s: %s", s->path, err ? err->message : "?");
    if (tmp)
      g_unlink (tmp);
    return -1;
  }
  s->store = bootfix_bcd_store_open (tmp, &err);
  g_unlink (tmp);
  if (s->store == NULL) {
    *err_text = g_strdup_printf ("the BCD store %s on %s cannot be read (%s)",
                                 s->path, s->home->device, err->message);
    return -1;
  }
  return 1;
}

int
chain_store_open (Chain *c, const struct bootfix_partition *home,
                  const char *path, ChainStore **out, char **err_text)
{
  Store *s = g_new0 (Store, 1);
  *s = (Store) { .c = c, .home = home, .path = path };
  *out = NULL;
  *err_text = NULL;
  int r = open_store (s, err_text);
  if (r > 0) {
    c->h->log (c->h, BOOTFIX_LOG_INFO, "BCD store %s on %s", path, home->device);
    r = for_each_device (s, learn_element) < 0 ? -1 : 1;
  }
  if (r <= 0) {
    chain_store_free (s);
    return r;
  }
  *out = s;
  return 1;
}

void
chain_store_free (ChainStore *s)
{
  if (s == NULL)
    return;
  g_clear_pointer (&s->store, bootfix_bcd_store_free);
  g_clear_pointer (&s->file, g_bytes_unref);
  g_free (s);
}

static int
fix_store (Chain *c, const struct bootfix_partition *home, const char *path)
{
  ChainStore *s = NULL;
  g_autofree char *err = NULL;
  int r = chain_store_open (c, home, path, &s, &err);
  if (err)
    c->h->error (c->h, "%s; rebuild it in Windows RE with 'bcdboot C:\\Windows'",
                 err);
  if (r > 0)
    r = for_each_device (s, fix_element);
  chain_store_free (s);
  return r < 0 ? -1 : 0;
}

int
chain_fix_bcd (Chain *c)
{
  const struct bootfix_host *h = c->h;
  for (guint i = 0; i < c->parts->len; i++) {
    const struct bootfix_partition *p = g_ptr_array_index (c->parts, i);
    if (!chain_has_files (p))
      continue;
    for (guint k = 0; k < G_N_ELEMENTS (store_paths); k++) {
      int r = h->path_exists (h, p->device, store_paths[k]);
      if (r < 0 || (r == 1 && fix_store (c, p, store_paths[k]) < 0))
        return -1;
    }
  }
  return 0;
}
