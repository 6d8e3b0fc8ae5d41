/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The boot-chain module: entry points and the partition map. */
#include <string.h>

#include "bootchain.h"

static int
bootchain_probe (const struct bootfix_host *h)
{
  /* Needs the partition and file calls of a newer host. */
  return strcmp (h->facts->os_type, "windows") == 0 &&
         h->facts->major_version >= 5 &&
         BOOTFIX_HOST_HAS (h, replace_file);
}

void
chain_volume_id (const struct bootfix_partition *p, BootfixVolumeId *id)
{
  memset (id, 0, sizeof *id);
  if (p->gpt) {
    id->kind = BOOTFIX_VOLUME_ID_GPT;
    memcpy (id->guid, p->partition_guid, sizeof id->guid);
  } else {
    id->kind = BOOTFIX_VOLUME_ID_MBR;
    id->disk_signature = p->mbr_signature;
    id->offset = p->start;
  }
}

const struct bootfix_partition *
chain_find (const Chain *c, const BootfixVolumeId *id)
{
  for (guint i = 0; i < c->parts->len; i++) {
    const struct bootfix_partition *p = g_ptr_array_index (c->parts, i);
    BootfixVolumeId pid;
    chain_volume_id (p, &pid);
    if (bootfix_volume_id_equal (&pid, id))
      return p;
  }
  return NULL;
}

void
chain_add_move (Chain *c, const BootfixVolumeId *old,
                const struct bootfix_partition *to)
{
  if (chain_moved (c, old) != NULL)
    return;
  ChainMove m = { *old, to };
  g_array_append_val (c->moves, m);
}

const struct bootfix_partition *
chain_moved (const Chain *c, const BootfixVolumeId *old)
{
  for (guint i = 0; i < c->moves->len; i++) {
    const ChainMove *m = &g_array_index (c->moves, ChainMove, i);
    if (bootfix_volume_id_equal (&m->old, old))
      return m->to;
  }
  return NULL;
}

const struct bootfix_partition *
chain_resolve (const Chain *c, const BootfixVolumeId *old)
{
  const struct bootfix_partition *moved = chain_moved (c, old);
  if (moved != NULL || old->kind != BOOTFIX_VOLUME_ID_MBR)
    return moved;
  /* Another partition of the same old disk went to disk D: this one is
   * where it was on D, if D has a partition there. */
  for (guint i = 0; i < c->moves->len; i++) {
    const ChainMove *m = &g_array_index (c->moves, ChainMove, i);
    if (m->old.kind != BOOTFIX_VOLUME_ID_MBR ||
        m->old.disk_signature != old->disk_signature)
      continue;
    for (guint k = 0; k < c->parts->len; k++) {
      const struct bootfix_partition *p = g_ptr_array_index (c->parts, k);
      if (p->disk_index == m->to->disk_index && p->start == old->offset)
        return p;
    }
  }
  return NULL;
}

gboolean
chain_has_files (const struct bootfix_partition *p)
{
  return strcmp (p->fs_type, "ntfs") == 0 || strcmp (p->fs_type, "vfat") == 0;
}

/* "C:\WINDOWS" from SOFTWARE gives the drive letter and the folder. */
static int
read_system_root (Chain *c)
{
  const struct bootfix_host *h = c->h;
  uint32_t type = 0;
  void *data = NULL;
  size_t len = 0;
  int r = h->get_value (h, "SOFTWARE", "Microsoft\\Windows NT\\CurrentVersion",
                        "SystemRoot", &type, &data, &len);
  if (r < 0)
    return -1;
  const char *s = data;
  if (r == 1 && (type == BOOTFIX_REG_SZ || type == BOOTFIX_REG_EXPAND_SZ) &&
      len >= 3 && g_ascii_isalpha (s[0]) && s[1] == ':' && s[2] == '\\') {
    c->letter = g_ascii_toupper (s[0]);
    c->sysroot_dir = g_strdup (s + 2);
  } else {
    h->log (h, BOOTFIX_LOG_WARNING,
            "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\SystemRoot is "
            "missing or not like C:\\Windows; drive letters are left as they are");
  }
  free (data);
  return 0;
}

static gboolean
collect_partitions (Chain *c)
{
  const struct bootfix_host *h = c->h;
  size_t n = h->n_partitions (h);
  for (size_t i = 0; i < n; i++) {
    const struct bootfix_partition *p = h->partition (h, i);
    if (p == NULL)
      continue;
    g_ptr_array_add (c->parts, (gpointer) p);
    if (p->windows_root)
      c->root = p;
    if (strcmp (p->fs_type, "BitLocker") == 0) {
      h->log (h, BOOTFIX_LOG_WARNING,
              "%s is encrypted with BitLocker: the boot chain is left as it "
              "is (editing the BCD would ask for the recovery key)", p->device);
      return FALSE;
    }
  }
  return c->root != NULL;
}

static int
plan_passes (Chain *c)
{
  int r = c->h->facts->major_version >= 6 ? chain_fix_bcd (c) : chain_fix_nt5 (c);
  return r == 0 ? chain_fix_mounted_devices (c) : r;
}

/* The partition map and SystemRoot, then pass (plan or check). */
static int
with_chain (const struct bootfix_host *h, int (*pass) (Chain *c))
{
  Chain c = { .h = h };
  c.parts = g_ptr_array_new ();
  c.moves = g_array_new (FALSE, TRUE, sizeof (ChainMove));
  int r = 0;
  if (!collect_partitions (&c))
    h->log (h, BOOTFIX_LOG_DEBUG, "no partitioned Windows root: boot chain not checked");
  else
    r = read_system_root (&c) < 0 ? -1 : pass (&c);
  g_ptr_array_unref (c.parts);
  g_array_unref (c.moves);
  g_free (c.sysroot_dir);
  return r;
}

static int
bootchain_plan (const struct bootfix_host *h)
{
  return with_chain (h, plan_passes);
}

static int
bootchain_check (const struct bootfix_host *h)
{
  return with_chain (h, chain_check_links);
}

static struct bootfix_module bootchain_module = {
  .name = "bootchain",
  .version = "1",
  .description = "Repoints BCD, MountedDevices, NTFS boot sectors and boot.ini "
                 "at the partitions of the restored disk",
  .probe = bootchain_probe,
  .plan = bootchain_plan,
  .check = bootchain_check,
};

BOOTFIX_REGISTER_MODULE (bootchain_module)
