/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the firmware needs of the boot disk, and the volumes no offline
 * fix handles.  docs/boot-chain-check.md, "BIOS", "UEFI" and "What no
 * offline fix handles". */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "boot-code.h"
#include "bootfix-error.h"
#include "chain-check.h"

/* Partition type GUIDs (docs/boot-formats.md, "GPT";
 * docs/boot-chain-check.md, "What no offline fix handles"). */
#define GUID_ESP "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
#define GUID_LDM_METADATA "5808C8AA-7E8F-42E0-85D2-E1E90434CFB3"
#define GUID_LDM_DATA "AF9B60A0-1431-4F62-BC68-3311714A69AD"
#define GUID_STORAGE_SPACES "E75CAF8F-F680-4CEE-AFA3-B001E56EFC2D"
/* MBR type of a dynamic disk's one partition. */
#define MBR_TYPE_LDM 0x42

typedef struct {
  BootfixGuest *guest;
  const BootfixGuestDisk *disk;
  const BootfixChainTarget *t;
  GPtrArray *links;
} Walk;

static void
add (GPtrArray *links, const char *name, BootfixLinkState state,
     const char *detail, const char *remedy)
{
  g_ptr_array_add (links, bootfix_link_new (name, state, detail, remedy));
}

static gboolean
has_type (const BootfixPartition *p, const char *guid_text)
{
  guint8 guid[BOOTFIX_GUID_SIZE];
  return bootfix_guid_text_to_bytes (guid_text, guid, NULL) &&
         memcmp (p->type_guid, guid, sizeof guid) == 0;
}

/* The disk's EFI system partition (the first), or NULL. */
static const BootfixPartition *
find_esp (const BootfixDiskLayout *l)
{
  for (guint i = 0; l && l->label == BOOTFIX_DISK_LABEL_GPT &&
                    i < l->partitions->len; i++)
    if (has_type (g_ptr_array_index (l->partitions, i), GUID_ESP))
      return g_ptr_array_index (l->partitions, i);
  return NULL;
}

/* Without a firmware given: UEFI for a GPT disk with an ESP (as
 * virt-v2v decides), else BIOS. */
static const char *
firmware_needed (const BootfixDiskLayout *l)
{
  return find_esp (l) ? "efi" : "bios";
}

static char *
partition_device (Walk *w, const BootfixPartition *p)
{
  char *dev = bootfix_guest_partition_device (w->guest, w->disk, p->number);
  return dev ? dev : g_strdup_printf ("%s%u", w->disk->device, p->number);
}

/* ---- BIOS ---- */

/* The partition whose files the MBR code should start: the one with
 * bootmgr or ntldr, for the advice; 0 when none has them. */
static guint
loader_partition (Walk *w)
{
  static const char *const loaders[] = { "\\bootmgr", "\\ntldr" };
  for (guint i = 0; i < w->disk->layout->partitions->len; i++) {
    const BootfixPartition *p = g_ptr_array_index (w->disk->layout->partitions, i);
    g_autofree char *dev = partition_device (w, p);
    for (guint k = 0; p->kind == BOOTFIX_PARTITION_PRIMARY && k < 2; k++)
      if (bootfix_guest_file_exists (w->guest, dev, loaders[k], NULL) == 1)
        return p->number;
  }
  return 0;
}

static gboolean
check_mbr_code (Walk *w, GError **error)
{
  guint8 sector[BOOTFIX_BOOT_SECTOR_SIZE];
  if (!bootfix_guest_read_device (w->guest, w->disk->device, 0, sector,
                                  sizeof sector, error))
    return FALSE;
  BootfixBootCode code = bootfix_mbr_boot_code (sector, sizeof sector);
  g_autofree char *detail = g_strdup_printf (
    code == BOOTFIX_BOOT_CODE_PRESENT ? _("boot code in the MBR of %s")
    : code == BOOTFIX_BOOT_CODE_ABSENT
      ? _("the MBR of %s has no boot code: its first 440 bytes are zero")
      : _("the MBR of %s holds a formatter's placeholder, not boot code"),
    w->disk->device);
  add (w->links, "mbr-boot-code", code == BOOTFIX_BOOT_CODE_PRESENT
       ? BOOTFIX_LINK_STATE_OK : BOOTFIX_LINK_STATE_BROKEN, detail,
       code == BOOTFIX_BOOT_CODE_PRESENT ? NULL
       : _("write Windows' MBR code: start the guest from a Windows "
           "installation ISO, open the command prompt of Windows RE and run "
           "bootrec /fixmbr"));
  return TRUE;
}

/* The one active partition, or NULL after saying what is wrong. */
static const BootfixPartition *
check_active (Walk *w)
{
  const BootfixDiskLayout *l = w->disk->layout;
  const BootfixPartition *active = NULL;
  for (guint i = 0; i < l->partitions->len; i++) {
    const BootfixPartition *p = g_ptr_array_index (l->partitions, i);
    if (p->active && p->kind == BOOTFIX_PARTITION_PRIMARY)
      active = p;
  }
  if (l->n_active == 1 && active) {
    g_autofree char *dev = partition_device (w, active);
    g_autofree char *detail = g_strdup_printf (_("%s is the active partition"), dev);
    add (w->links, "active-partition", BOOTFIX_LINK_STATE_OK, detail, NULL);
    return active;
  }
  guint n = loader_partition (w);
  g_autofree char *detail = l->n_active == 0
    ? g_strdup_printf (_("no partition of %s is marked active: the MBR code "
                         "has nothing to start"), w->disk->device)
    : g_strdup_printf (_("%u partitions of %s are marked active"),
                       l->n_active, w->disk->device);
  g_autofree char *which = n ? g_strdup_printf ("%u", n) : g_strdup ("N");
  g_autofree char *remedy = g_strdup_printf (
    _("mark only the partition that holds bootmgr (or ntldr) active, here "
      "%s: sfdisk --activate IMAGE %s (or diskpart in Windows RE: select "
      "partition %s, active)"), n ? which : _("the system partition"),
    which, which);
  add (w->links, "active-partition", BOOTFIX_LINK_STATE_BROKEN, detail, remedy);
  return NULL;
}

static char *
vbr_problem (const BootfixVbr *vbr, const char *dev)
{
  if (vbr->kind == BOOTFIX_VBR_UNKNOWN)
    return g_strdup_printf (_("the active partition %s holds neither an NTFS "
                              "nor a FAT boot sector"), dev);
  if (!vbr->signature)
    return g_strdup_printf (_("the boot sector of %s lacks its 55 AA "
                              "signature"), dev);
  if (vbr->code == BOOTFIX_BOOT_CODE_ABSENT)
    return g_strdup_printf (_("the boot sector of %s has no boot code"), dev);
  if (vbr->code == BOOTFIX_BOOT_CODE_PLACEHOLDER)
    return g_strdup_printf (_("the boot sector of %s holds the placeholder "
                              "mkntfs or mkfs.fat writes, not Windows' boot "
                              "code"), dev);
  return NULL;
}

static gboolean
check_boot_sector (Walk *w, const BootfixPartition *active, GError **error)
{
  g_autofree char *dev = partition_device (w, active);
  guint8 sector[BOOTFIX_BOOT_SECTOR_SIZE];
  if (!bootfix_guest_read_device (w->guest, dev, 0, sector, sizeof sector,
                                  error))
    return FALSE;
  BootfixVbr vbr;
  bootfix_vbr_parse (sector, sizeof sector, &vbr);
  g_autofree char *problem = vbr_problem (&vbr, dev);
  if (problem) {
    add (w->links, "boot-sector", BOOTFIX_LINK_STATE_BROKEN, problem,
         _("write Windows' boot sector code: in Windows RE run bootsect "
           "/nt60 SYS /mbr (Vista and later) or bootrec /fixboot; on XP, "
           "fixboot in the Recovery Console"));
    return TRUE;
  }
  g_autofree char *detail = g_strdup_printf (_("%s boot code on %s"),
                                             bootfix_vbr_kind_name (vbr.kind), dev);
  add (w->links, "boot-sector", BOOTFIX_LINK_STATE_OK, detail, NULL);
  return TRUE;
}

static gboolean
walk_bios (Walk *w, GError **error)
{
  if (w->disk->layout->label == BOOTFIX_DISK_LABEL_GPT) {
    g_autofree char *detail = g_strdup_printf (
      _("%s has a GPT partition table, and Windows starts from a GPT disk "
        "only with UEFI"), w->disk->device);
    add (w->links, "partition-table", BOOTFIX_LINK_STATE_BROKEN, detail,
         _("give the guest UEFI firmware: <os firmware='efi'> in its domain "
           "XML (virsh edit), or --firmware efi with -a"));
    return TRUE;
  }
  g_autofree char *detail = g_strdup_printf (_("MBR on %s, as BIOS firmware "
                                               "needs"), w->disk->device);
  add (w->links, "partition-table", BOOTFIX_LINK_STATE_OK, detail, NULL);
  if (!check_mbr_code (w, error))
    return FALSE;
  const BootfixPartition *active = check_active (w);
  return active == NULL || check_boot_sector (w, active, error);
}

/* ---- UEFI ---- */

/* \EFI\Boot\BOOTX64.EFI, or BOOTIA32.EFI for a 32-bit firmware. */
static void
check_fallback (Walk *w, const char *esp)
{
  const char *path = g_strcmp0 (w->t->arch, "i686") == 0
                     ? "\\EFI\\Boot\\BOOTIA32.EFI" : "\\EFI\\Boot\\BOOTX64.EFI";
  int r = bootfix_guest_file_exists (w->guest, esp, path, NULL);
  g_autofree char *detail = r == 1
    ? g_strdup_printf (_("%s on %s, which UEFI starts when it has no boot "
                         "entry"), path, esp)
    : g_strdup_printf (_("no %s on %s: a new UEFI variable store has no boot "
                         "entry, so the firmware looks for that file only"),
                       path, esp);
  g_autofree char *remedy = r == 1 ? NULL : g_strdup_printf (
    _("copy \\EFI\\Microsoft\\Boot\\bootmgfw.efi to %s on the EFI system "
      "partition (guestfish: mount it, then cp), or run bcdboot C:\\Windows "
      "/f UEFI in Windows RE"), path);
  add (w->links, "uefi-fallback", r == 1 ? BOOTFIX_LINK_STATE_OK
       : BOOTFIX_LINK_STATE_BROKEN, detail, remedy);
}

static gboolean
walk_uefi (Walk *w, GError **error)
{
  if (w->disk->layout->label == BOOTFIX_DISK_LABEL_MBR) {
    g_autofree char *detail = g_strdup_printf (
      _("%s has an MBR partition table, and Windows starts with UEFI only "
        "from a GPT disk"), w->disk->device);
    add (w->links, "partition-table", BOOTFIX_LINK_STATE_BROKEN, detail,
         _("give the guest BIOS firmware: remove firmware='efi' and any "
           "<loader> from <os> in its domain XML (virsh edit), or --firmware "
           "bios with -a"));
    return TRUE;
  }
  g_autofree char *gpt = g_strdup_printf (_("GPT on %s, as UEFI needs"),
                                          w->disk->device);
  add (w->links, "partition-table", BOOTFIX_LINK_STATE_OK, gpt, NULL);
  const BootfixPartition *p = find_esp (w->disk->layout);
  g_autofree char *esp = p ? partition_device (w, p) : NULL;
  g_autofree char *fs = esp ? bootfix_guest_fs_type (w->guest, esp) : NULL;
  const char *remedy = _("in Windows RE, make a FAT32 partition of type EFI "
                         "system and run bcdboot C:\\Windows /s S: /f UEFI");
  g_autofree char *detail =
    esp == NULL ? g_strdup_printf (_("no EFI system partition on %s"),
                                   w->disk->device)
    : strcmp (fs, "vfat") != 0
      ? g_strdup_printf (_("the EFI system partition %s holds %s, not FAT"),
                         esp, *fs ? fs : _("no file system"))
      : g_strdup_printf (_("EFI system partition %s (FAT)"), esp);
  gboolean ok = esp && strcmp (fs, "vfat") == 0;
  add (w->links, "efi-system-partition", ok ? BOOTFIX_LINK_STATE_OK
       : BOOTFIX_LINK_STATE_BROKEN, detail, ok ? NULL : remedy);
  if (ok)
    check_fallback (w, esp);
  (void) error;
  return TRUE;
}

gboolean
bootfix_chain_check_firmware (BootfixGuest *guest, const BootfixChainTarget *t,
                              GPtrArray *links, const char **firmware,
                              GError **error)
{
  g_autoptr (GPtrArray) disks = bootfix_guest_disks (guest, error);
  if (disks == NULL)
    return FALSE;
  if (t->boot_disk >= disks->len) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
                 _("the appliance shows no boot disk number %u"), t->boot_disk);
    return FALSE;
  }
  Walk w = { guest, g_ptr_array_index (disks, t->boot_disk), t, links };
  *firmware = t->firmware ? t->firmware : firmware_needed (w.disk->layout);
  if (w.disk->layout == NULL) {
    g_autofree char *detail = g_strdup_printf (
      _("%s has no partition table the firmware can read"), w.disk->device);
    add (links, "partition-table", BOOTFIX_LINK_STATE_BROKEN, detail,
         _("make sure the boot disk is the Windows system disk: the first "
           "-a, or the disk with <boot order='1'/>"));
    return TRUE;
  }
  return g_str_equal (*firmware, "efi") ? walk_uefi (&w, error)
                                        : walk_bios (&w, error);
}

/* ---- what no offline fix handles ---- */

typedef struct {
  gboolean dynamic, spaces;
} DiskKinds;

static void
volume_link (BootfixGuest *guest, const BootfixGuestDisk *disk,
             const BootfixPartition *p, GPtrArray *links)
{
  g_autofree char *dev = bootfix_guest_partition_device (guest, disk, p->number);
  g_autofree char *fs = dev ? bootfix_guest_fs_type (guest, dev) : NULL;
  if (fs == NULL || strcmp (fs, "BitLocker") != 0)
    return;
  g_autofree char *detail = g_strdup_printf (_("%s is encrypted with "
                                               "BitLocker"), dev);
  add (links, "bitlocker", BOOTFIX_LINK_STATE_BROKEN, detail,
       _("suspend or turn off BitLocker in Windows before the backup "
         "(manage-bde -off C:), or keep the recovery key at hand: Windows "
         "asks for it on new hardware, and virt-bootfix can neither check "
         "nor change an encrypted volume"));
}

static void
disk_kind_links (const BootfixGuestDisk *disk, const DiskKinds *k,
                 GPtrArray *links)
{
  if (k->dynamic) {
    g_autofree char *detail = g_strdup_printf (_("%s is a dynamic disk "
                                                 "(Logical Disk Manager)"),
                                               disk->device);
    add (links, "dynamic-disk", BOOTFIX_LINK_STATE_BROKEN, detail,
         _("convert it to a basic disk in Windows (Disk Management) before "
           "the backup, or restore its volumes onto a basic disk: "
           "virt-bootfix does not follow dynamic volumes"));
  }
  if (k->spaces) {
    g_autofree char *detail = g_strdup_printf (_("%s belongs to a Storage "
                                                 "Spaces pool"), disk->device);
    add (links, "storage-spaces", BOOTFIX_LINK_STATE_BROKEN, detail,
         _("Storage Spaces cannot be read offline: restore the volumes onto "
           "a basic disk"));
  }
}

gboolean
bootfix_chain_check_volumes (BootfixGuest *guest, GPtrArray *links,
                             GError **error)
{
  g_autoptr (GPtrArray) disks = bootfix_guest_disks (guest, error);
  if (disks == NULL)
    return FALSE;
  for (guint i = 0; i < disks->len; i++) {
    const BootfixGuestDisk *disk = g_ptr_array_index (disks, i);
    DiskKinds k = { FALSE, FALSE };
    for (guint j = 0; disk->layout && j < disk->layout->partitions->len; j++) {
      const BootfixPartition *p = g_ptr_array_index (disk->layout->partitions, j);
      k.dynamic |= p->mbr_type == MBR_TYPE_LDM ||
                   has_type (p, GUID_LDM_METADATA) || has_type (p, GUID_LDM_DATA);
      k.spaces |= has_type (p, GUID_STORAGE_SPACES);
      volume_link (guest, disk, p, links);
    }
    disk_kind_links (disk, &k, links);
  }
  return TRUE;
}

const BootfixLink *
bootfix_chain_first_broken (GPtrArray *links)
{
  for (guint i = 0; i < links->len; i++) {
    const BootfixLink *l = g_ptr_array_index (links, i);
    if (l->state == BOOTFIX_LINK_STATE_BROKEN)
      return l;
  }
  return NULL;
}
