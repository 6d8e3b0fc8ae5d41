/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The MountedDevices pass: drive letters and volume names that record a
 * volume identity the guest no longer has are given the identity of
 * the partition that now holds that volume, so C: stays the Windows
 * partition and other letters keep theirs.  Layout: docs/boot-formats.md,
 * "MountedDevices". */
#include <string.h>

#include "bootchain.h"

#define MOUNTED_DEVICES "MountedDevices"

typedef struct {
  char *name;
  BootfixMountedName kind;
  guint8 *data;
  gsize len;
  BootfixVolumeId id;
  gboolean stale;
} Entry;

static void
entry_clear (gpointer p)
{
  Entry *e = p;
  g_free (e->name);
  g_free (e->data);
}

static int
load_entries (Chain *c, GArray *entries)
{
  const struct bootfix_host *h = c->h;
  char **names = NULL;
  size_t n = 0;
  int r = h->list_values (h, "SYSTEM", MOUNTED_DEVICES, &names, &n);
  if (r <= 0)
    return r;
  for (size_t i = 0; i < n; i++) {
    Entry e = { .name = names[i] };
    uint32_t type = 0;
    void *data = NULL;
    size_t len = 0;
    int got = h->get_value (h, "SYSTEM", MOUNTED_DEVICES, e.name, &type, &data, &len);
    if (got < 0) {
      r = -1;
    } else if (got == 1 && type == BOOTFIX_REG_BINARY &&
               bootfix_mounted_device_parse_name (e.name, &e.kind, NULL) &&
               bootfix_mounted_device_decode (data, len, &e.id, NULL) &&
               e.id.kind != BOOTFIX_VOLUME_ID_OTHER) {
      e.data = g_memdup2 (data, len);
      e.len = len;
      e.stale = chain_find (c, &e.id) == NULL;
      g_array_append_val (entries, e);
      e.name = NULL;
    }
    free (data);
    free (e.name);
  }
  free (names);
  return r < 0 ? -1 : 1;
}

static int
repoint (Chain *c, const Entry *e, const struct bootfix_partition *to)
{
  const struct bootfix_host *h = c->h;
  BootfixVolumeId now;
  chain_volume_id (to, &now);
  g_autoptr (GError) err = NULL;
  gsize len = 0;
  g_autofree guint8 *bytes =
    e->id.kind == now.kind
    ? bootfix_mounted_device_rewrite (e->data, e->len, &e->id, &now, &len, &err)
    : bootfix_mounted_device_encode (&now, &len, &err);
  if (bytes == NULL) {
    h->error (h, "MountedDevices\\%s: %s", e->name, err->message);
    return -1;
  }
  return h->set_value (h, "SYSTEM", MOUNTED_DEVICES, e->name, BOOTFIX_REG_BINARY,
                       bytes, len, CHAIN_REASON);
}

/* Another letter that already names the Windows partition would take
 * C: from it: such a letter goes. */
static int
drop_rival_letters (Chain *c, GArray *entries)
{
  BootfixVolumeId root;
  chain_volume_id (c->root, &root);
  for (guint i = 0; i < entries->len; i++) {
    const Entry *e = &g_array_index (entries, Entry, i);
    if (e->kind.kind == BOOTFIX_MOUNTED_NAME_DRIVE && e->kind.letter != c->letter &&
        bootfix_volume_id_equal (&e->id, &root) &&
        c->h->delete_value (c->h, "SYSTEM", MOUNTED_DEVICES, e->name, CHAIN_REASON) < 0)
      return -1;
  }
  return 0;
}

int
chain_fix_mounted_devices (Chain *c)
{
  const struct bootfix_host *h = c->h;
  g_autoptr (GArray) entries = g_array_new (FALSE, TRUE, sizeof (Entry));
  g_array_set_clear_func (entries, entry_clear);
  int r = load_entries (c, entries);
  if (r <= 0)
    return r;
  gboolean root_letter_moved = FALSE;
  /* The Windows letter first: what it named is now the Windows root. */
  for (guint i = 0; i < entries->len; i++) {
    const Entry *e = &g_array_index (entries, Entry, i);
    if (e->stale && e->kind.kind == BOOTFIX_MOUNTED_NAME_DRIVE && e->kind.letter == c->letter) {
      chain_add_move (c, &e->id, c->root);
      root_letter_moved = TRUE;
    }
  }
  for (guint i = 0; i < entries->len; i++) {
    const Entry *e = &g_array_index (entries, Entry, i);
    if (!e->stale)
      continue;
    const struct bootfix_partition *to = chain_resolve (c, &e->id);
    if (to == NULL) {
      g_autofree char *was = bootfix_volume_id_format (&e->id);
      h->log (h, BOOTFIX_LOG_WARNING, "MountedDevices\\%s names %s, which is not "
              "on this guest; left as it is", e->name, was);
      continue;
    }
    if (repoint (c, e, to) < 0)
      return -1;
  }
  return root_letter_moved ? drop_rival_letters (c, entries) : 0;
}
