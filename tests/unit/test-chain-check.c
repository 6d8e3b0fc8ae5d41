/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The links the host checks itself (src/pipeline/chain-check.c): what
 * BIOS and UEFI firmware need of the boot disk, and the volumes no
 * offline fix handles, on disks held in memory (guest-memory.h) with
 * real MBRs, GPTs and boot sectors.  No appliance. */
#include "config.h"

#include <string.h>
#include <glib.h>

#include "boot-code.h"
#include "bytes.h"
#include "chain-check.h"
#include "disk-layout.h"
#include "guest-memory.h"

#define SECTOR 512
#define ESP "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
#define BASIC "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7"
#define LDM_DATA "AF9B60A0-1431-4F62-BC68-3311714A69AD"
#define SPACES "E75CAF8F-F680-4CEE-AFA3-B001E56EFC2D"
#define STUB "This is not a bootable disk. Please insert a bootable floppy"

typedef enum { VBR_CODE, VBR_STUB, VBR_ZERO } Vbr;

typedef struct {
  guint number;
  gboolean active;
  guint8 mbr_type;       /* MBR disks */
  const char *type_guid; /* GPT disks */
  const char *fs;        /* "ntfs", "vfat", "BitLocker", "" */
  Vbr vbr;
  const char *file;      /* one file on it, or NULL */
} Part;

#define PART_LBA(n) (2048 + ((guint64) (n) - 1) * 4096)
#define PART_SECTORS 4096

/* The partition's first sector: an NTFS or FAT32 boot sector. */
static GBytes *
boot_sector (const Part *p)
{
  guint8 *s = g_malloc0 (SECTOR);
  gboolean fat = g_strcmp0 (p->fs, "vfat") == 0;
  gsize code = fat ? 0x5A : 0x54;
  if (p->vbr != VBR_ZERO)
    memcpy (s, "\xEB\x52\x90", 3);
  if (fat) {
    memcpy (s + 3, "MSDOS5.0", 8);
    s[0x0C] = 0x02;
    s[0x0D] = 8;
    memcpy (s + 0x52, "FAT32   ", 8);
  } else {
    memcpy (s + 3, "NTFS    ", 8);
  }
  if (p->vbr == VBR_CODE)
    memcpy (s + code, "\xFA\x33\xC0 BOOTMGR", 11);
  else if (p->vbr == VBR_STUB)
    memcpy (s + code + 0x20, STUB, sizeof STUB - 1);
  s[0x1FE] = 0x55, s[0x1FF] = 0xAA;
  return g_bytes_new_take (s, SECTOR);
}

static void
mbr_table (guint8 *disk, const Part *parts, guint n, gboolean code)
{
  if (code)
    memcpy (disk, "\xFA\x33\xC0\x8E\xD0\xBC\x00\x7C", 8);
  bootfix_write_le32 (disk, SECTOR, 0x1B8, 0x7A1F00AA);
  for (guint i = 0; i < n; i++) {
    guint8 *e = disk + 0x1BE + 16 * (parts[i].number - 1);
    e[0] = parts[i].active ? 0x80 : 0;
    e[4] = parts[i].mbr_type ? parts[i].mbr_type : 0x07;
    bootfix_write_le32 (e, 16, 8, (guint32) PART_LBA (parts[i].number));
    bootfix_write_le32 (e, 16, 12, PART_SECTORS);
  }
  disk[0x1FE] = 0x55, disk[0x1FF] = 0xAA;
}

static void
gpt_table (guint8 *disk, const Part *parts, guint n, guint64 sectors)
{
  guint8 *h = disk + SECTOR, *entries = disk + 2 * SECTOR;
  guint8 *e = disk + 0x1BE;
  e[4] = 0xEE;
  bootfix_write_le32 (e, 16, 8, 1);
  bootfix_write_le32 (e, 16, 12, (guint32) (sectors - 1));
  disk[0x1FE] = 0x55, disk[0x1FF] = 0xAA;
  memcpy (h, "EFI PART", 8);
  bootfix_write_le32 (h, SECTOR, 8, 0x00010000);
  bootfix_write_le32 (h, SECTOR, 12, 92);
  bootfix_write_le64 (h, SECTOR, 24, 1);
  bootfix_write_le64 (h, SECTOR, 32, sectors - 1);
  bootfix_write_le64 (h, SECTOR, 40, 34);
  bootfix_write_le64 (h, SECTOR, 48, sectors - 34);
  memset (h + 56, 0x5D, 16);
  bootfix_write_le64 (h, SECTOR, 72, 2);
  bootfix_write_le32 (h, SECTOR, 80, 128);
  bootfix_write_le32 (h, SECTOR, 84, 128);
  for (guint i = 0; i < n; i++) {
    guint8 *p = entries + (parts[i].number - 1) * 128;
    g_assert_true (bootfix_guid_text_to_bytes (parts[i].type_guid, p, NULL));
    memset (p + 16, 0x40 + parts[i].number, 16);
    bootfix_write_le64 (p, 128, 32, PART_LBA (parts[i].number));
    bootfix_write_le64 (p, 128, 40, PART_LBA (parts[i].number) + PART_SECTORS - 1);
  }
  bootfix_write_le32 (h, SECTOR, 88, bootfix_crc32 (entries, 128 * 128));
  bootfix_write_le32 (h, SECTOR, 16, bootfix_crc32 (h, 92));
}

/* A 64 MiB disk named device with its partitions, their boot sectors
 * and files. */
static void
add_disk (BootfixGuest *guest, const char *device, gboolean gpt,
          gboolean mbr_code, const Part *parts, guint n)
{
  guint64 sectors = 64 * 2048;
  g_autofree guint8 *head = g_malloc0 (34 * SECTOR);
  if (gpt)
    gpt_table (head, parts, n, sectors);
  else
    mbr_table (head, parts, n, mbr_code);
  g_autoptr (GBytes) bytes = g_bytes_new (head, 34 * SECTOR);
  bootfix_memory_guest_add_disk (guest, device, sectors * SECTOR, bytes);
  for (guint i = 0; i < n; i++) {
    g_autofree char *dev = g_strdup_printf ("%s%u", device, parts[i].number);
    g_autoptr (GBytes) vbr = boot_sector (&parts[i]);
    bootfix_memory_guest_add_device (guest, dev, PART_SECTORS * SECTOR, vbr,
                                     parts[i].fs ? parts[i].fs : "");
    if (parts[i].file) {
      g_autoptr (GBytes) x = g_bytes_new ("x", 1);
      bootfix_memory_guest_add_file (guest, dev, parts[i].file, x);
    }
  }
}

static BootfixGuest *
new_guest (void)
{
  return bootfix_memory_guest_new ("g", "/dev/sda2", "/Windows");
}

/* The walk's links as "name=state" words, and the firmware walked. */
static char *
walk (BootfixGuest *guest, const char *firmware, guint boot_disk,
      const char *arch, GPtrArray **links_out, const char **walked)
{
  BootfixChainTarget t = { firmware, boot_disk, arch };
  GPtrArray *links = g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_link_free);
  g_autoptr (GError) error = NULL;
  const char *fw = NULL;
  g_assert_true (bootfix_chain_check_firmware (guest, &t, links, &fw, &error));
  g_assert_no_error (error);
  GString *out = g_string_new (NULL);
  for (guint i = 0; i < links->len; i++) {
    const BootfixLink *l = links->pdata[i];
    g_test_message ("%s %s: %s | %s", bootfix_link_state_to_string (l->state),
                    l->name, l->detail, l->remedy ? l->remedy : "");
    g_assert_true ((l->state == BOOTFIX_LINK_STATE_OK) == (l->remedy == NULL));
    g_string_append_printf (out, "%s%s=%s", i ? " " : "", l->name,
                            bootfix_link_state_to_string (l->state));
  }
  if (walked)
    *walked = fw;
  if (links_out)
    *links_out = links;
  else
    g_ptr_array_unref (links);
  return g_string_free (out, FALSE);
}

static const BootfixLink *
find (GPtrArray *links, const char *name)
{
  for (guint i = 0; i < links->len; i++)
    if (g_str_equal (((BootfixLink *) links->pdata[i])->name, name))
      return links->pdata[i];
  g_assert_not_reached ();
}

/* ---- BIOS ---- */

#define BIOS_OK "partition-table=ok mbr-boot-code=ok active-partition=ok boot-sector=ok"

/* System Reserved (active, bootmgr) and Windows, as Windows 7 makes. */
static const Part sysres[] = {
  { 1, TRUE, 0, NULL, "ntfs", VBR_CODE, "/bootmgr" },
  { 2, FALSE, 0, NULL, "ntfs", VBR_CODE, "/Windows/System32/winload.exe" },
};

static void
test_bios_ok (void)
{
  g_autoptr (BootfixGuest) guest = new_guest ();
  add_disk (guest, "/dev/sda", FALSE, TRUE, sysres, 2);
  const char *fw = NULL;
  g_autoptr (GPtrArray) links = NULL;
  g_autofree char *got = walk (guest, "bios", 0, "x86_64", &links, &fw);
  g_assert_cmpstr (got, ==, BIOS_OK);
  g_assert_cmpstr (fw, ==, "bios");
  g_assert_cmpstr (find (links, "active-partition")->detail, ==,
                   "/dev/sda1 is the active partition");
  g_assert_cmpstr (find (links, "boot-sector")->detail, ==,
                   "NTFS boot code on /dev/sda1");
  g_assert_null (bootfix_chain_first_broken (links));
}

typedef struct {
  const char *name;
  gboolean mbr_code;
  Part parts[2];
  const char *want;
  const char *link, *detail, *remedy; /* a part of each */
} BiosCase;

static const BiosCase bios_cases[] = {
  { "zeroed-mbr-code", FALSE,
    { { 1, TRUE, 0, NULL, "ntfs", VBR_CODE, "/bootmgr" } },
    "partition-table=ok mbr-boot-code=broken active-partition=ok boot-sector=ok",
    "mbr-boot-code", "its first 440 bytes are zero", "bootrec /fixmbr" },
  { "no-active-partition", TRUE,
    { { 1, FALSE, 0, NULL, "ntfs", VBR_CODE, NULL },
      { 2, FALSE, 0, NULL, "ntfs", VBR_CODE, "/BOOTMGR" } },
    "partition-table=ok mbr-boot-code=ok active-partition=broken",
    "active-partition", "no partition of /dev/sda is marked active",
    "sfdisk --activate IMAGE 2" },
  { "two-active-partitions", TRUE,
    { { 1, TRUE, 0, NULL, "ntfs", VBR_CODE, NULL },
      { 2, TRUE, 0, NULL, "ntfs", VBR_CODE, NULL } },
    "partition-table=ok mbr-boot-code=ok active-partition=broken",
    "active-partition", "2 partitions of /dev/sda are marked active",
    "the system partition" },
  { "mkntfs-boot-sector", TRUE,
    { { 1, TRUE, 0, NULL, "ntfs", VBR_STUB, "/bootmgr" } },
    "partition-table=ok mbr-boot-code=ok active-partition=ok boot-sector=broken",
    "boot-sector", "the placeholder mkntfs or mkfs.fat writes", "bootsect /nt60" },
  { "zeroed-boot-sector-code", TRUE,
    { { 1, TRUE, 0, NULL, "ntfs", VBR_ZERO, "/bootmgr" } },
    "partition-table=ok mbr-boot-code=ok active-partition=ok boot-sector=broken",
    "boot-sector", "/dev/sda1 has no boot code", "bootrec /fixboot" },
  { "fat32-boot-partition", TRUE,
    { { 1, TRUE, 0x0C, NULL, "vfat", VBR_CODE, "/bootmgr" } },
    BIOS_OK, "boot-sector", "FAT32 boot code on /dev/sda1", NULL },
};

static void
test_bios_case (gconstpointer data)
{
  const BiosCase *c = data;
  g_autoptr (BootfixGuest) guest = new_guest ();
  guint n = c->parts[1].number ? 2 : 1;
  add_disk (guest, "/dev/sda", FALSE, c->mbr_code, c->parts, n);
  g_autoptr (GPtrArray) links = NULL;
  g_autofree char *got = walk (guest, "bios", 0, "x86_64", &links, NULL);
  g_assert_cmpstr (got, ==, c->want);
  const BootfixLink *l = find (links, c->link);
  g_assert_nonnull (strstr (l->detail, c->detail));
  if (c->remedy)
    g_assert_nonnull (strstr (l->remedy, c->remedy));
  if (l->state == BOOTFIX_LINK_STATE_BROKEN)
    g_assert_true (bootfix_chain_first_broken (links) == l);
}

/* A GPT disk with BIOS: nothing after the partition table matters. */
static void
test_bios_gpt (void)
{
  static const Part parts[] = {
    { 1, FALSE, 0, ESP, "vfat", VBR_CODE, "/EFI/Boot/BOOTX64.EFI" },
    { 2, FALSE, 0, BASIC, "ntfs", VBR_CODE, NULL },
  };
  g_autoptr (BootfixGuest) guest = new_guest ();
  add_disk (guest, "/dev/sda", TRUE, FALSE, parts, 2);
  g_autoptr (GPtrArray) links = NULL;
  g_autofree char *got = walk (guest, "bios", 0, "x86_64", &links, NULL);
  g_assert_cmpstr (got, ==, "partition-table=broken");
  const BootfixLink *l = links->pdata[0];
  g_assert_nonnull (strstr (l->detail, "/dev/sda has a GPT partition table"));
  g_assert_nonnull (strstr (l->remedy, "<os firmware='efi'>"));
}

/* ---- UEFI ---- */

static void
uefi_guest (BootfixGuest *guest, const char *esp_fs, const char *fallback,
            const char *esp_type)
{
  const Part parts[] = {
    { 1, FALSE, 0, esp_type, esp_fs, VBR_CODE, fallback },
    { 2, FALSE, 0, BASIC, "ntfs", VBR_CODE, "/Windows/System32/winload.efi" },
  };
  add_disk (guest, "/dev/sda", TRUE, FALSE, parts, 2);
}

static void
test_uefi (void)
{
  static const struct {
    const char *fs, *fallback, *type, *arch, *want, *detail;
  } rows[] = {
    { "vfat", "/efi/boot/bootx64.efi", ESP, "x86_64",
      "partition-table=ok efi-system-partition=ok uefi-fallback=ok",
      "\\EFI\\Boot\\BOOTX64.EFI on /dev/sda1" },
    { "vfat", "/EFI/Microsoft/Boot/bootmgfw.efi", ESP, "x86_64",
      "partition-table=ok efi-system-partition=ok uefi-fallback=broken",
      "no \\EFI\\Boot\\BOOTX64.EFI on /dev/sda1" },
    { "vfat", "/EFI/Boot/BOOTX64.EFI", ESP, "i686",
      "partition-table=ok efi-system-partition=ok uefi-fallback=broken",
      "no \\EFI\\Boot\\BOOTIA32.EFI" },
    { "ntfs", "/EFI/Boot/BOOTX64.EFI", ESP, "x86_64",
      "partition-table=ok efi-system-partition=broken",
      "the EFI system partition /dev/sda1 holds ntfs, not FAT" },
    { "vfat", "/EFI/Boot/BOOTX64.EFI", BASIC, "x86_64",
      "partition-table=ok efi-system-partition=broken",
      "no EFI system partition on /dev/sda" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++) {
    g_autoptr (BootfixGuest) guest = new_guest ();
    uefi_guest (guest, rows[i].fs, rows[i].fallback, rows[i].type);
    g_autoptr (GPtrArray) links = NULL;
    g_autofree char *got = walk (guest, "efi", 0, rows[i].arch, &links, NULL);
    g_assert_cmpstr (got, ==, rows[i].want);
    const BootfixLink *last = links->pdata[links->len - 1];
    g_assert_nonnull (strstr (last->detail, rows[i].detail));
  }
}

static void
test_uefi_mbr (void)
{
  g_autoptr (BootfixGuest) guest = new_guest ();
  add_disk (guest, "/dev/sda", FALSE, TRUE, sysres, 2);
  g_autoptr (GPtrArray) links = NULL;
  g_autofree char *got = walk (guest, "efi", 0, "x86_64", &links, NULL);
  g_assert_cmpstr (got, ==, "partition-table=broken");
  const BootfixLink *l = links->pdata[0];
  g_assert_nonnull (strstr (l->detail, "has an MBR partition table"));
  g_assert_nonnull (strstr (l->remedy, "remove firmware='efi'"));
}

/* No firmware given (-a without --firmware): the one the disk needs. */
static void
test_firmware_from_disk (void)
{
  const char *fw = NULL;
  g_autoptr (BootfixGuest) gpt = new_guest ();
  uefi_guest (gpt, "vfat", "/EFI/Boot/BOOTX64.EFI", ESP);
  g_autofree char *a = walk (gpt, NULL, 0, "x86_64", NULL, &fw);
  g_assert_cmpstr (fw, ==, "efi");
  g_assert_cmpstr (a, ==, "partition-table=ok efi-system-partition=ok uefi-fallback=ok");
  g_autoptr (BootfixGuest) mbr = new_guest ();
  add_disk (mbr, "/dev/sda", FALSE, TRUE, sysres, 2);
  g_autofree char *b = walk (mbr, NULL, 0, "x86_64", NULL, &fw);
  g_assert_cmpstr (fw, ==, "bios");
  g_assert_cmpstr (b, ==, BIOS_OK);
  /* A GPT disk without an ESP boots neither way; BIOS says why. */
  g_autoptr (BootfixGuest) plain = new_guest ();
  uefi_guest (plain, "vfat", NULL, BASIC);
  g_autofree char *c = walk (plain, NULL, 0, "x86_64", NULL, &fw);
  g_assert_cmpstr (fw, ==, "bios");
  g_assert_cmpstr (c, ==, "partition-table=broken");
}

/* The firmware starts the boot disk, not the first one. */
static void
test_boot_disk_index (void)
{
  static const Part data[] = { { 1, FALSE, 0, NULL, "ntfs", VBR_ZERO, NULL } };
  g_autoptr (BootfixGuest) guest = new_guest ();
  add_disk (guest, "/dev/sda", FALSE, FALSE, data, 1);
  add_disk (guest, "/dev/sdb", FALSE, TRUE, sysres, 2);
  g_autofree char *got = walk (guest, "bios", 1, "x86_64", NULL, NULL);
  g_assert_cmpstr (got, ==, BIOS_OK);
  BootfixChainTarget t = { "bios", 2, "x86_64" };
  g_autoptr (GPtrArray) links = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  const char *fw;
  g_assert_false (bootfix_chain_check_firmware (guest, &t, links, &fw, &error));
  g_assert_nonnull (error);
}

static void
test_no_partition_table (void)
{
  g_autoptr (BootfixGuest) guest = new_guest ();
  g_autoptr (GBytes) zero = g_bytes_new_take (g_malloc0 (SECTOR), SECTOR);
  bootfix_memory_guest_add_disk (guest, "/dev/sda", 64 << 20, zero);
  g_autoptr (GPtrArray) links = NULL;
  g_autofree char *got = walk (guest, "bios", 0, "x86_64", &links, NULL);
  g_assert_cmpstr (got, ==, "partition-table=broken");
  g_assert_nonnull (strstr (((BootfixLink *) links->pdata[0])->detail,
                            "no partition table"));
}

/* ---- what no offline fix handles ---- */

static char *
volumes (BootfixGuest *guest)
{
  g_autoptr (GPtrArray) links =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_link_free);
  g_autoptr (GError) error = NULL;
  g_assert_true (bootfix_chain_check_volumes (guest, links, &error));
  g_assert_no_error (error);
  GString *out = g_string_new (NULL);
  for (guint i = 0; i < links->len; i++) {
    const BootfixLink *l = links->pdata[i];
    g_assert_cmpint (l->state, ==, BOOTFIX_LINK_STATE_BROKEN);
    g_assert_nonnull (l->remedy);
    g_string_append_printf (out, "%s%s: %s", i ? "; " : "", l->name, l->detail);
  }
  return g_string_free (out, FALSE);
}

static void
test_volumes (void)
{
  static const Part bitlocker[] = {
    { 1, TRUE, 0, NULL, "ntfs", VBR_CODE, NULL },
    { 2, FALSE, 0, NULL, "BitLocker", VBR_CODE, NULL },
  };
  static const Part dynamic[] = { { 1, TRUE, 0x42, NULL, "", VBR_CODE, NULL } };
  static const Part ldm[] = { { 1, FALSE, 0, LDM_DATA, "", VBR_CODE, NULL } };
  static const Part spaces[] = { { 1, FALSE, 0, SPACES, "", VBR_CODE, NULL } };
  g_autoptr (BootfixGuest) plain = new_guest ();
  add_disk (plain, "/dev/sda", FALSE, TRUE, sysres, 2);
  g_autofree char *none = volumes (plain);
  g_assert_cmpstr (none, ==, "");
  g_autoptr (BootfixGuest) guest = new_guest ();
  add_disk (guest, "/dev/sda", FALSE, TRUE, bitlocker, 2);
  add_disk (guest, "/dev/sdb", FALSE, TRUE, dynamic, 1);
  add_disk (guest, "/dev/sdc", TRUE, FALSE, ldm, 1);
  add_disk (guest, "/dev/sdd", TRUE, FALSE, spaces, 1);
  g_autofree char *all = volumes (guest);
  g_assert_cmpstr (all, ==,
                   "bitlocker: /dev/sda2 is encrypted with BitLocker; "
                   "dynamic-disk: /dev/sdb is a dynamic disk (Logical Disk Manager); "
                   "dynamic-disk: /dev/sdc is a dynamic disk (Logical Disk Manager); "
                   "storage-spaces: /dev/sdd belongs to a Storage Spaces pool");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/chain-check/bios/ok", test_bios_ok);
  for (guint i = 0; i < G_N_ELEMENTS (bios_cases); i++) {
    g_autofree char *name = g_strdup_printf ("/chain-check/bios/%s",
                                             bios_cases[i].name);
    g_test_add_data_func (name, &bios_cases[i], test_bios_case);
  }
  g_test_add_func ("/chain-check/bios/gpt", test_bios_gpt);
  g_test_add_func ("/chain-check/uefi/gpt", test_uefi);
  g_test_add_func ("/chain-check/uefi/mbr", test_uefi_mbr);
  g_test_add_func ("/chain-check/firmware-from-disk", test_firmware_from_disk);
  g_test_add_func ("/chain-check/boot-disk-index", test_boot_disk_index);
  g_test_add_func ("/chain-check/no-partition-table", test_no_partition_table);
  g_test_add_func ("/chain-check/volumes", test_volumes);
  return g_test_run ();
}
