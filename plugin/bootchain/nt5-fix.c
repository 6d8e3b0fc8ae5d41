/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The NT 5 pass (2000, XP, 2003): NTLDR's world.  The NTFS boot sector
 * must know where its partition starts (hidden sectors) and the
 * geometry QEMU's BIOS shows; boot.ini must name the partition that
 * holds the Windows folder.  Facts: docs/boot-formats.md, "NTFS boot
 * sector" and "boot.ini and ARC paths". */
#include <string.h>

#include "bootchain.h"
#include "bootini.h"
#include "ntfs-boot.h"

/* QEMU's BIOS geometry: LBA-assisted, 63 sectors per track. */
#define QEMU_SECTORS_PER_TRACK 63

static int
patch_fields (Chain *c, const struct bootfix_partition *p, guint64 where,
              const char *which, const guint8 *sector, GArray *changes)
{
  const struct bootfix_host *h = c->h;
  for (guint i = 0; i < changes->len; i++) {
    const BootfixNtfsChange *ch = &g_array_index (changes, BootfixNtfsChange, i);
    guint8 old[4], now[4];
    memcpy (old, sector + ch->offset, ch->width);
    for (guint b = 0; b < ch->width; b++)
      now[b] = (guint8) (ch->new_value >> (8 * b));
    g_autofree char *target = g_strdup_printf ("%s %s: %s", p->device, which, ch->name);
    g_autofree char *old_text = g_strdup_printf ("%u", ch->old_value);
    g_autofree char *new_text = g_strdup_printf ("%u", ch->new_value);
    struct bootfix_edit edit = {
      ._struct_size = sizeof edit, .kind = "bootsector", .target = target,
      .old_text = old_text, .new_text = new_text, .reason = CHAIN_REASON,
    };
    if (h->patch_device (h, &edit, p->device, where + ch->offset, old, now,
                         ch->width) < 0)
      return -1;
  }
  return 0;
}

/* What the boot sector of p must say on QEMU's BIOS. */
static BootfixNtfsGeometry
qemu_geometry (const struct bootfix_partition *p)
{
  return (BootfixNtfsGeometry) {
    .set_hidden_sectors = TRUE,
    .hidden_sectors = p->start / (p->sector_size ? p->sector_size : 512),
    .set_sectors_per_track = TRUE,
    .sectors_per_track = QEMU_SECTORS_PER_TRACK,
    .set_heads = TRUE,
    .heads = bootfix_ntfs_heads_for_disk_size (p->disk_size),
  };
}

/* Fix one copy of the boot sector; *boot gets what it says. */
static int
fix_copy (Chain *c, const struct bootfix_partition *p, guint64 where,
          const char *which, BootfixNtfsBoot *boot)
{
  const struct bootfix_host *h = c->h;
  guint8 sector[BOOTFIX_NTFS_BOOT_SECTOR_SIZE];
  if (h->read_device (h, p->device, where, sector, sizeof sector) < 0)
    return -1;
  g_autoptr (GError) err = NULL;
  if (!bootfix_ntfs_boot_parse (sector, sizeof sector, boot, &err)) {
    h->log (h, BOOTFIX_LOG_WARNING, "%s %s: %s; left as it is", p->device, which,
            err->message);
    return 1;
  }
  BootfixNtfsGeometry geo = qemu_geometry (p);
  GArray *changes = NULL;
  g_autofree guint8 *patched = bootfix_ntfs_boot_patch (sector, sizeof sector, &geo,
                                                        &changes, &err);
  if (patched == NULL) {
    h->error (h, "%s %s: %s", p->device, which, err->message);
    return -1;
  }
  int r = patch_fields (c, p, where, which, sector, changes);
  g_array_unref (changes);
  return r;
}

static int
fix_boot_sectors (Chain *c, const struct bootfix_partition *p)
{
  const struct bootfix_host *h = c->h;
  if (strcmp (p->fs_type, "ntfs") != 0)
    return 0;
  if (!p->gpt && p->number > 4) {
    /* Whether hidden sectors count from the disk or the EBR differs
     * between tools (docs/boot-formats.md, "NTFS boot sector"): report,
     * do not guess. */
    h->log (h, BOOTFIX_LOG_WARNING,
            "%s is a logical partition: its boot sector's hidden sectors are "
            "not checked", p->device);
    return 0;
  }
  BootfixNtfsBoot boot;
  int r = fix_copy (c, p, 0, "boot sector", &boot);
  if (r != 0)
    return r < 0 ? -1 : 0;
  guint64 backup = 0;
  g_autoptr (GError) err = NULL;
  if (!bootfix_ntfs_boot_backup_location (&boot, p->size, &backup, &err)) {
    h->log (h, BOOTFIX_LOG_WARNING, "%s: %s; the backup boot sector is left as it is",
            p->device, err->message);
    return 0;
  }
  BootfixNtfsBoot copy;
  return fix_copy (c, p, backup, "backup boot sector", &copy) < 0 ? -1 : 0;
}

/* What fixing p's boot sector changes, "hidden sectors: 63 -> 2048,
 * …" (g_free), "" for nothing (or not a boot sector we fix), NULL
 * after h->error(). */
char *
chain_nt5_geometry_changes (Chain *c, const struct bootfix_partition *p)
{
  const struct bootfix_host *h = c->h;
  guint8 sector[BOOTFIX_NTFS_BOOT_SECTOR_SIZE];
  BootfixNtfsBoot boot;
  if (strcmp (p->fs_type, "ntfs") != 0 || (!p->gpt && p->number > 4))
    return g_strdup ("");
  if (h->read_device (h, p->device, 0, sector, sizeof sector) < 0)
    return NULL;
  if (!bootfix_ntfs_boot_parse (sector, sizeof sector, &boot, NULL))
    return g_strdup ("");
  BootfixNtfsGeometry geo = qemu_geometry (p);
  GArray *changes = NULL;
  g_autoptr (GError) err = NULL;
  g_autofree guint8 *patched = bootfix_ntfs_boot_patch (sector, sizeof sector,
                                                        &geo, &changes, &err);
  if (patched == NULL) {
    h->error (h, "%s boot sector: %s", p->device, err->message);
    return NULL;
  }
  GString *out = g_string_new (NULL);
  for (guint i = 0; i < changes->len; i++) {
    const BootfixNtfsChange *ch = &g_array_index (changes, BootfixNtfsChange, i);
    g_string_append_printf (out, "%s%s: %u -> %u", i ? ", " : "", ch->name,
                            ch->old_value, ch->new_value);
  }
  g_array_unref (changes);
  return g_string_free (out, FALSE);
}

/* ---- boot.ini ---- */

static const struct bootfix_partition *
active_partition (const Chain *c)
{
  for (guint i = 0; i < c->parts->len; i++) {
    const struct bootfix_partition *p = g_ptr_array_index (c->parts, i);
    if (p->active && p->disk_index == c->root->disk_index)
      return p;
  }
  return NULL;
}

/* Does this ARC path start Windows from our folder, elsewhere? */
gboolean
chain_nt5_needs_repoint (const Chain *c, const BootfixArcPath *arc,
                         const BootfixArcPath *want)
{
  return g_ascii_strcasecmp (arc->path, c->sysroot_dir) == 0 &&
         !bootfix_arc_path_same_device (arc, want);
}

static int
rewrite_bootini (Chain *c, const struct bootfix_partition *home,
                 const guint8 *buf, gsize len)
{
  const struct bootfix_host *h = c->h;
  g_autoptr (GError) err = NULL;
  g_autoptr (BootfixBootIni) ini = bootfix_bootini_parse (buf, len, &err);
  if (ini == NULL) {
    h->error (h, "boot.ini on %s cannot be read: %s", home->device, err->message);
    return -1;
  }
  BootfixArcPath want = {
    .kind = BOOTFIX_ARC_MULTI, .rdisk = (guint32) c->root->disk_index,
    .partition = (guint32) c->root->arc_number, .path = (char *) c->sysroot_dir,
  };
  g_autofree guint8 *now = g_memdup2 (buf, len);
  gsize now_len = len;
  g_autofree char *old_text = NULL;
  for (guint i = 0; i <= ini->entries->len; i++) {
    gboolean is_default = i == ini->entries->len;
    const BootfixArcPath *arc = NULL;
    if (is_default && ini->default_is_arc)
      arc = &ini->default_arc;
    else if (!is_default && ((BootfixBootIniEntry *) g_ptr_array_index (ini->entries, i))->is_arc)
      arc = &((BootfixBootIniEntry *) g_ptr_array_index (ini->entries, i))->arc;
    if (arc == NULL || !chain_nt5_needs_repoint (c, arc, &want))
      continue;
    if (old_text == NULL)
      old_text = bootfix_arc_path_to_string (arc);
    guint n = 0;
    guint8 *next = bootfix_bootini_rewrite (now, now_len, arc, &want, &now_len, &n, &err);
    if (next == NULL) {
      h->error (h, "boot.ini on %s: %s", home->device, err->message);
      return -1;
    }
    g_free (now);
    now = next;
  }
  if (old_text == NULL)
    return 0;
  g_autofree char *new_text = bootfix_arc_path_to_string (&want);
  g_autofree char *target = g_strdup_printf ("%s:\\boot.ini", home->device);
  struct bootfix_edit edit = {
    ._struct_size = sizeof edit, .kind = "file", .target = target,
    .old_text = old_text, .new_text = new_text, .reason = CHAIN_REASON,
  };
  return h->replace_file (h, &edit, home->device, "\\boot.ini", buf, len, now, now_len);
}

static int
fix_bootini (Chain *c)
{
  const struct bootfix_host *h = c->h;
  if (c->sysroot_dir == NULL || c->root->gpt || c->root->arc_number == 0)
    return 0;
  const struct bootfix_partition *homes[2] = { active_partition (c), c->root };
  for (guint i = 0; i < G_N_ELEMENTS (homes); i++) {
    if (homes[i] == NULL || !chain_has_files (homes[i]) || (i == 1 && homes[0] == homes[1]))
      continue;
    void *data = NULL;
    size_t len = 0;
    int r = h->read_file (h, homes[i]->device, "\\boot.ini", BOOTFIX_MAX_BOOTINI_SIZE,
                          &data, &len);
    if (r < 0)
      return -1;
    if (r == 0)
      continue;
    r = rewrite_bootini (c, homes[i], data, len);
    free (data);
    return r;
  }
  h->log (h, BOOTFIX_LOG_WARNING, "no boot.ini found on the active or the Windows "
          "partition; NTLDR will not find Windows");
  return 0;
}

int
chain_fix_nt5 (Chain *c)
{
  const struct bootfix_partition *active = active_partition (c);
  if (fix_boot_sectors (c, c->root) < 0)
    return -1;
  if (active && active != c->root && fix_boot_sectors (c, active) < 0)
    return -1;
  return fix_bootini (c);
}
