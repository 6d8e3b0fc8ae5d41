/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The bootchain module, planned for real against guests held in memory
 * through the real host table (host-harness.h): the test describes
 * partitions, files, device bytes and registry values; they become a
 * disk with a real MBR or GPT, partitions, files and SYSTEM and SOFTWARE
 * hives of an in-memory guest, and every planned edit is diffed against
 * that guest (the module's old bytes must be what is there) and
 * recorded.  No appliance; the end-to-end repair is
 * tests/integration/test-bootchain.sh.  The BCD store, and the base of
 * the hives, is tests/unit/data/bcd/mini-bcd (ours, see its README). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "bcd-device.h"
#include "bootfix-error.h"
#include "bootfix-module.h"
#include "bytes.h"
#include "disk-layout.h"
#include "hive-log.h"
#include "hive-log-writer.h"
#include "host-harness.h"
#include "report.h"

#define ESP_STORE "\\EFI\\Microsoft\\Boot\\BCD"
#define SECTOR 512
#define DISK "/dev/sda"

/* --- the module ---------------------------------------------------- */

static const BootfixModule *
bootchain_module (void)
{
  const BootfixModule *mod = harness_module ("BOOTFIX_TEST_BOOTCHAIN_MODULE");
  g_assert_cmpstr (mod->m.name, ==, "bootchain");
  return mod;
}

/* --- a guest in memory ------------------------------------------- */

/* What the test says the guest holds; plan() turns it into a guest. */
typedef struct {
  struct bootfix_facts facts;
  GArray *parts;            /* struct bootfix_partition: the layout wanted */
  GHashTable *files;        /* "device|\\path" (lower case) -> GBytes */
  GHashTable *devices;      /* device -> GByteArray (from byte 0) */
  GPtrArray *values;        /* Value *, in the order added */
  gboolean discard_logs;    /* --discard-hive-logs */
  /* After plan(): */
  BootfixGuest *guest;
  Harness h;
  GPtrArray *plan;          /* char *: one line per planned action */
  GPtrArray *warnings;      /* char *: what the module warned about */
  GHashTable *patched;      /* "device|\\path|offset" -> GBytes (new) */
} TestGuest;

typedef struct {
  char *hive, *key, *name;
  guint32 type;
  GBytes *data;
} Value;

static void
value_free (gpointer p)
{
  Value *v = p;
  g_free (v->hive);
  g_free (v->key);
  g_free (v->name);
  g_bytes_unref (v->data);
  g_free (v);
}

static char *
file_key (const char *device, const char *path)
{
  g_autofree char *p = g_strdelimit (g_strdup (path), "/", '\\');
  g_autofree char *k = g_strdup_printf ("%s|%s%s", device, *p == '\\' ? "" : "\\", p);
  return g_ascii_strdown (k, -1);
}

static TestGuest *
test_guest_new (int major, int minor)
{
  TestGuest *f = g_new0 (TestGuest, 1);
  f->facts = (struct bootfix_facts) {
    ._struct_size = sizeof f->facts, .guest_name = "g", .os_type = "windows",
    .product_name = "Windows", .product_variant = "Client", .arch = "x86_64",
    .osinfo = "", .major_version = major, .minor_version = minor,
    .machine = "pc", .machine_family = "i440fx", .bus = "ide",
    .controller_id = "piix3-ide", .pci_id = "8086:7010", .driver_source = "",
    .firmware = "bios", .boot_disk = 0,
  };
  f->parts = g_array_new (FALSE, TRUE, sizeof (struct bootfix_partition));
  f->files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                    (GDestroyNotify) g_bytes_unref);
  f->devices = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                      (GDestroyNotify) g_byte_array_unref);
  f->values = g_ptr_array_new_with_free_func (value_free);
  f->plan = g_ptr_array_new_with_free_func (g_free);
  f->patched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) g_bytes_unref);
  return f;
}

static void
test_guest_free (TestGuest *f)
{
  if (f->guest) {
    harness_clear (&f->h);
    bootfix_guest_free (f->guest);
  }
  g_array_unref (f->parts);
  g_hash_table_unref (f->files);
  g_hash_table_unref (f->devices);
  g_ptr_array_unref (f->values);
  g_ptr_array_unref (f->plan);
  g_hash_table_unref (f->patched);
  g_free (f);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestGuest, test_guest_free)

static struct bootfix_partition *
add_part (TestGuest *f, const char *device, int number, guint64 start,
          guint64 size, const char *fs)
{
  struct bootfix_partition p = {
    ._struct_size = sizeof p, .device = device, .disk_device = DISK,
    .number = number, .start = start, .size = size,
    .sector_size = SECTOR, .fs_type = fs,
  };
  g_array_append_val (f->parts, p);
  return &g_array_index (f->parts, struct bootfix_partition, f->parts->len - 1);
}

static void
add_file (TestGuest *f, const char *device, const char *path, GBytes *data)
{
  g_hash_table_insert (f->files, file_key (device, path), g_bytes_ref (data));
}

static void
add_text (TestGuest *f, const char *device, const char *path, const char *text)
{
  g_autoptr (GBytes) b = g_bytes_new (text, strlen (text));
  add_file (f, device, path, b);
}

static void
add_value (TestGuest *f, const char *hive, const char *key, const char *name,
           guint32 type, const void *data, gsize len)
{
  Value *v = g_new0 (Value, 1);
  v->hive = g_strdup (hive);
  v->key = g_strdup (key);
  v->name = g_strdup (name);
  v->type = type;
  v->data = g_bytes_new (data, len);
  g_ptr_array_add (f->values, v);
}

static void
add_mounted (TestGuest *f, const char *name, guint32 sig, guint64 offset)
{
  guint8 v[12];
  bootfix_write_le32 (v, sizeof v, 0, sig);
  bootfix_write_le64 (v, sizeof v, 4, offset);
  add_value (f, "SYSTEM", "MountedDevices", name, BOOTFIX_REG_BINARY, v, sizeof v);
}

static void
set_system_root (TestGuest *f, const char *root)
{
  add_value (f, "SOFTWARE", "Microsoft\\Windows NT\\CurrentVersion", "SystemRoot",
             BOOTFIX_REG_SZ, root, strlen (root));
}

/* --- building the guest -------------------------------------------- */

/* The device Linux shows a partition as, whatever the test called it. */
static char *
real_device (const struct bootfix_partition *p)
{
  return g_strdup_printf (DISK "%d", p->number);
}

static void
mbr_entry (guint8 *sector, guint slot, gboolean active, guint8 type,
           guint64 lba, guint64 n_sectors)
{
  guint8 *e = sector + 0x1BE + 16 * slot;
  e[0] = active ? 0x80 : 0;
  e[4] = type;
  bootfix_write_le32 (e, 16, 8, (guint32) lba);
  bootfix_write_le32 (e, 16, 12, (guint32) n_sectors);
  sector[510] = 0x55;
  sector[511] = 0xAA;
}

/* An MBR, with an extended partition and one EBR per logical one. */
static void
write_mbr (TestGuest *f, GByteArray *disk)
{
  for (guint i = 0; i < f->parts->len; i++) {
    const struct bootfix_partition *p = &g_array_index (f->parts, struct bootfix_partition, i);
    guint8 type = g_str_equal (p->fs_type, "vfat") ? 0x0C : 0x07;
    guint64 lba = p->start / SECTOR, n = p->size / SECTOR;
    bootfix_write_le32 (disk->data, disk->len, 0x1B8, p->mbr_signature);
    if (p->number <= 4) {
      mbr_entry (disk->data, p->number - 1, p->active, type, lba, n);
      continue;
    }
    /* Slot 1 holds the extended partition, its EBR just before. */
    mbr_entry (disk->data, 0, FALSE, 0x05, lba - 1, n + 1);
    mbr_entry (disk->data + (lba - 1) * SECTOR, 0, FALSE, type, 1, n);
  }
}

static void
write_gpt (TestGuest *f, GByteArray *disk, guint64 disk_sectors)
{
  static const char *const esp = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B";
  static const char *const data = "EBD0A0A2-B9E5-4433-87C0-68B9B4C08BFF";
  guint8 *h = disk->data + SECTOR, *entries = disk->data + 2 * SECTOR;
  mbr_entry (disk->data, 0, FALSE, 0xEE, 1, MIN (disk_sectors - 1, G_MAXUINT32));
  memcpy (h, "EFI PART", 8);
  bootfix_write_le32 (h, SECTOR, 8, 0x00010000);
  bootfix_write_le32 (h, SECTOR, 12, 92);
  bootfix_write_le64 (h, SECTOR, 24, 1);
  bootfix_write_le64 (h, SECTOR, 32, disk_sectors - 1);
  bootfix_write_le64 (h, SECTOR, 40, 34);
  bootfix_write_le64 (h, SECTOR, 48, disk_sectors - 34);
  bootfix_write_le64 (h, SECTOR, 72, 2);
  bootfix_write_le32 (h, SECTOR, 80, 128);
  bootfix_write_le32 (h, SECTOR, 84, 128);
  for (guint i = 0; i < f->parts->len; i++) {
    const struct bootfix_partition *p = &g_array_index (f->parts, struct bootfix_partition, i);
    guint8 *e = entries + (p->number - 1) * 128;
    memcpy (h + 56, p->disk_guid, 16);
    g_assert_true (bootfix_guid_text_to_bytes (g_str_equal (p->fs_type, "vfat")
                                               ? esp : data, e, NULL));
    memcpy (e + 16, p->partition_guid, 16);
    bootfix_write_le64 (e, 128, 32, p->start / SECTOR);
    bootfix_write_le64 (e, 128, 40, (p->start + p->size) / SECTOR - 1);
  }
  bootfix_write_le32 (h, SECTOR, 88, bootfix_crc32 (entries, 128 * 128));
  bootfix_write_le32 (h, SECTOR, 16, bootfix_crc32 (h, 92));
}

/* A 64 MiB disk, or larger when a partition ends beyond that. */
static void
add_disk (TestGuest *f)
{
  guint64 size = 64 * 1024 * 1024;
  gboolean gpt = FALSE;
  for (guint i = 0; i < f->parts->len; i++) {
    const struct bootfix_partition *p = &g_array_index (f->parts, struct bootfix_partition, i);
    size = MAX (size, p->start + p->size + (1 << 20));
    gpt |= p->gpt;
  }
  g_autoptr (GByteArray) disk = g_byte_array_new ();
  g_byte_array_set_size (disk, 1 << 20);
  memset (disk->data, 0, disk->len);
  if (gpt)
    write_gpt (f, disk, size / SECTOR);
  else
    write_mbr (f, disk);
  g_autoptr (GBytes) head = g_byte_array_free_to_bytes (g_steal_pointer (&disk));
  bootfix_memory_guest_add_disk (f->guest, DISK, size, head);
}

/* Each value set on a copy of mini-bcd (any hive will do as a base). */
static void
add_hive (TestGuest *f, const char *name)
{
  g_autofree char *path = harness_copy_mini_bcd ();
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixHive) hive = bootfix_hive_open (path, name, TRUE, &error);
  g_assert_no_error (error);
  g_autoptr (BootfixPlan) seed = bootfix_plan_new ();
  g_autoptr (GPtrArray) changes =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_change_free);
  for (guint i = 0; i < f->values->len; i++) {
    const Value *v = f->values->pdata[i];
    if (!g_str_equal (v->hive, name))
      continue;
    bootfix_plan_add (seed, BOOTFIX_ACTION_SET_VALUE, v->hive, v->key, v->name,
                      v->type, g_bytes_get_data (v->data, NULL),
                      g_bytes_get_size (v->data), "seed");
    g_assert_true (bootfix_hive_apply (hive, g_ptr_array_index (seed->actions,
                                       seed->actions->len - 1), name, TRUE,
                                       changes, &error));
    g_assert_no_error (error);
  }
  harness_add_hive (f->guest, name, hive);
  g_unlink (path);
}

/* The partitions, with the files and bytes the test put on them. */
static void
add_partitions (TestGuest *f)
{
  for (guint i = 0; i < f->parts->len; i++) {
    const struct bootfix_partition *p = &g_array_index (f->parts, struct bootfix_partition, i);
    g_autofree char *dev = real_device (p);
    GByteArray *bytes = g_hash_table_lookup (f->devices, p->device);
    g_autoptr (GBytes) head = bytes ? g_bytes_new (bytes->data, bytes->len) : NULL;
    bootfix_memory_guest_add_device (f->guest, dev, p->size, head, p->fs_type);
    g_autofree char *prefix = g_strdup_printf ("%s|", p->device);
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init (&it, f->files);
    while (g_hash_table_iter_next (&it, &k, &v))
      if (g_str_has_prefix (k, prefix))
        bootfix_memory_guest_add_file (f->guest, dev, (char *) k + strlen (prefix), v);
  }
}

static char *
root_device (TestGuest *f)
{
  for (guint i = 0; i < f->parts->len; i++) {
    const struct bootfix_partition *p = &g_array_index (f->parts, struct bootfix_partition, i);
    if (p->windows_root)
      return real_device (p);
  }
  g_assert_not_reached ();
}

static void
build_guest (TestGuest *f)
{
  g_autofree char *root = root_device (f);
  f->guest = bootfix_memory_guest_new ("g", root, "/Windows");
  add_disk (f);
  add_partitions (f);
  add_hive (f, "SYSTEM");
  add_hive (f, "SOFTWARE");
}

/* --- what the plan says -------------------------------------------- */

static char *
hex (GBytes *data)
{
  gsize n = 0;
  const guint8 *p = g_bytes_get_data (data, &n);
  GString *out = g_string_new (NULL);
  for (gsize i = 0; i < n; i++)
    g_string_append_printf (out, "%02x", p[i]);
  return g_string_free (out, FALSE);
}

/* One line per action, and the new bytes of each file edit. */
static void
record_plan (TestGuest *f)
{
  const char *root = bootfix_guest_root (f->guest);
  for (guint i = 0; i < f->h.plan->actions->len; i++) {
    const BootfixAction *a = f->h.plan->actions->pdata[i];
    g_autofree char *key = a->file ? file_key (a->device ? a->device : root,
                                               a->file) : NULL;
    if (a->kind == BOOTFIX_ACTION_SET_VALUE) {
      g_autofree char *data = hex (a->data);
      g_ptr_array_add (f->plan, g_strdup_printf ("set %s\\%s\\%s = %s", a->hive,
                                                 a->path, a->name, data));
    } else if (a->kind == BOOTFIX_ACTION_DELETE_VALUE) {
      g_ptr_array_add (f->plan, g_strdup_printf ("delete %s\\%s\\%s", a->hive,
                                                 a->path, a->name));
    } else if (bootfix_action_is_registry (a)) {
      g_ptr_array_add (f->plan, g_strdup_printf ("key %s\\%s", a->hive, a->path));
    } else {
      g_ptr_array_add (f->plan, g_strdup_printf ("%s %s: %s -> %s", a->change_kind,
                                                 a->target, a->old_text,
                                                 a->new_text));
    }
    if (a->kind == BOOTFIX_ACTION_PATCH_FILE)
      g_hash_table_insert (f->patched, g_strdup_printf ("%s|%" G_GUINT64_FORMAT,
                                                        key, a->offset),
                           g_bytes_ref (a->data));
    else if (a->kind == BOOTFIX_ACTION_REPLACE_FILE)
      g_hash_table_insert (f->patched, g_steal_pointer (&key), g_bytes_ref (a->data));
  }
}

/* Probe (the module must claim the guest), plan, and diff the plan
 * against the guest as the executor does: an edit whose old bytes are
 * not what the guest holds fails there. */
static void
build_and_probe (TestGuest *f)
{
  build_guest (f);
  harness_init (&f->h, f->guest, NULL);
  bootfix_hive_cache_set_discard_logs (f->h.hives, f->discard_logs);
  f->h.facts = f->facts;
  f->warnings = f->h.warnings;
  g_autoptr (GError) error = NULL;
  g_assert_cmpint (harness_call (&f->h, bootchain_module (),
                                 BOOTFIX_CALLBACK_PROBE, &error), ==, 1);
  g_assert_no_error (error);
}

static int
plan (TestGuest *f)
{
  build_and_probe (f);
  g_autoptr (GPtrArray) changes = harness_plan_and_apply (&f->h, bootchain_module (),
                                                          NULL);
  record_plan (f);
  return 0;
}

static guint
count_prefix (GPtrArray *lines, const char *prefix)
{
  guint n = 0;
  for (guint i = 0; i < lines->len; i++)
    n += g_str_has_prefix (lines->pdata[i], prefix);
  return n;
}

static gboolean
has_line (GPtrArray *lines, const char *line)
{
  for (guint i = 0; i < lines->len; i++)
    if (g_str_equal (lines->pdata[i], line))
      return TRUE;
  return FALSE;
}

static void
dump (const TestGuest *f)
{
  for (guint i = 0; i < f->plan->len; i++)
    g_test_message ("plan: %s", (char *) f->plan->pdata[i]);
  for (guint i = 0; i < f->warnings->len; i++)
    g_test_message ("warning: %s", (char *) f->warnings->pdata[i]);
}

/* --- BCD ----------------------------------------------------------- */

/* mini-bcd names a GPT disk {0b6f9d2e-…} with partitions {b1b2c3d4-…}
 * (bootmgr), {a1b2c3d4-…} … as bcdedit would after an install; the
 * restored disk has other GUIDs.  ESP p1 holds the store, p3 Windows. */
static TestGuest *
gpt_guest (void)
{
  TestGuest *f = test_guest_new (10, 0);
  add_part (f, "/dev/sda1", 1, 1048576, 100 << 20, "vfat");
  add_part (f, "/dev/sda3", 3, 122683392, 1 << 30, "ntfs");
  for (guint i = 0; i < 2; i++) {
    struct bootfix_partition *p = &g_array_index (f->parts, struct bootfix_partition, i);
    p->gpt = 1;
    memset (p->disk_guid, 0x11, 16);
    memset (p->partition_guid, i == 0 ? 0x21 : 0x23, 16);
    p->windows_root = i == 1;
  }
  g_autoptr (GBytes) store = harness_mini_bcd ();
  add_file (f, "/dev/sda1", ESP_STORE, store);
  add_text (f, "/dev/sda1", "\\EFI\\Microsoft\\Boot\\bootmgfw.efi", "x");
  add_text (f, "/dev/sda1", "\\EFI\\Microsoft\\Boot\\memtest.efi", "x");
  add_text (f, "/dev/sda3", "\\Windows\\system32\\winload.efi", "x");
  add_text (f, "/dev/sda3", "\\Windows\\system32\\winresume.efi", "x");
  set_system_root (f, "C:\\Windows");
  return f;
}

/* Every patched device value decodes and names one of our partitions. */
static void
assert_patches_name (TestGuest *f, const guint8 disk_byte, GHashTable *want_parts)
{
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, f->patched);
  while (g_hash_table_iter_next (&it, &k, &v)) {
    gsize n = 0;
    const guint8 *p = g_bytes_get_data (v, &n);
    g_autoptr (GError) error = NULL;
    g_autoptr (BootfixBcdDevice) dev = bootfix_bcd_device_parse (p, n, &error);
    g_assert_no_error (error);
    g_autoptr (GArray) refs = bootfix_bcd_device_get_references (dev);
    g_assert_cmpuint (refs->len, >, 0);
    for (guint i = 0; i < refs->len; i++) {
      const BootfixBcdPartitionRef *r = &g_array_index (refs, BootfixBcdPartitionRef, i);
      g_assert_cmpint (r->kind, ==, BOOTFIX_BCD_REF_GPT);
      g_assert_cmpuint (r->disk_guid[0], ==, disk_byte);
      g_assert_true (g_hash_table_contains (want_parts, GUINT_TO_POINTER (r->partition_guid[0])));
    }
  }
}

static void
test_bcd_gpt_stale (void)
{
  g_autoptr (TestGuest) f = gpt_guest ();
  g_assert_cmpint (plan (f), ==, 0);
  dump (f);
  /* bootmgr (to the ESP, which holds bootmgfw.efi), the loader and
   * resume (device + osdevice each, to Windows): 5 values.  WinRE's
   * partition holds no file the store names: left, and said. */
  g_assert_cmpuint (count_prefix (f->plan, "bcd "), ==, 5);
  g_assert_cmpuint (g_hash_table_size (f->patched), ==, 5);
  g_autoptr (GHashTable) parts = g_hash_table_new (NULL, NULL);
  g_hash_table_add (parts, GUINT_TO_POINTER (0x21));
  g_hash_table_add (parts, GUINT_TO_POINTER (0x23));
  assert_patches_name (f, 0x11, parts);
  /* {ntldr} names an MBR disk nothing holds \ntldr for: kept, said. */
  gboolean warned = FALSE;
  for (guint i = 0; i < f->warnings->len; i++)
    warned |= strstr (f->warnings->pdata[i], "{ntldr}") != NULL &&
              strstr (f->warnings->pdata[i], "left as it is") != NULL;
  g_assert_true (warned);
}

/* WinRE's ramdisk names no application path, but the file it boots:
 * the partition holding \Recovery\WindowsRE\Winre.wim is its home,
 * and the boot.sdi device of the same old partition follows it. */
static void
test_bcd_winre (void)
{
  g_autoptr (TestGuest) f = gpt_guest ();
  struct bootfix_partition *re = add_part (f, "/dev/sda4", 4, 2u << 30, 500 << 20, "ntfs");
  re->gpt = 1;
  memset (re->disk_guid, 0x11, 16);
  memset (re->partition_guid, 0x24, 16);
  add_text (f, "/dev/sda4", "\\Recovery\\WindowsRE\\Winre.wim", "x");
  g_assert_cmpint (plan (f), ==, 0);
  dump (f);
  g_assert_cmpuint (count_prefix (f->plan, "bcd "), ==, 8);
  g_autoptr (GHashTable) parts = g_hash_table_new (NULL, NULL);
  g_hash_table_add (parts, GUINT_TO_POINTER (0x21));
  g_hash_table_add (parts, GUINT_TO_POINTER (0x23));
  g_hash_table_add (parts, GUINT_TO_POINTER (0x24));
  assert_patches_name (f, 0x11, parts);
  g_assert_cmpuint (f->warnings->len, ==, 1); /* {ntldr} only */
}

/* The ESP store with the patches the plan of f made (planned already). */
static GBytes *
patched_store (TestGuest *f)
{
  g_autofree char *key = file_key ("/dev/sda1", ESP_STORE);
  GBytes *orig = g_hash_table_lookup (f->files, key);
  g_autoptr (GByteArray) fixed = g_byte_array_new ();
  g_byte_array_append (fixed, g_bytes_get_data (orig, NULL), g_bytes_get_size (orig));
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, f->patched);
  while (g_hash_table_iter_next (&it, &k, &v)) {
    guint64 off = g_ascii_strtoull (strrchr (k, '|') + 1, NULL, 10);
    memcpy (fixed->data + off, g_bytes_get_data (v, NULL), g_bytes_get_size (v));
  }
  return g_byte_array_free_to_bytes (g_steal_pointer (&fixed));
}

/* mini-bcd with every stale element already pointing at gpt_guest's
 * partitions, as the module leaves it. */
static GBytes *
repaired_mini_bcd (void)
{
  g_autoptr (TestGuest) f = gpt_guest ();
  g_assert_cmpint (plan (f), ==, 0);
  return patched_store (f);
}

/* A second plan over the repaired store changes nothing. */
static void
test_bcd_idempotent (void)
{
  g_autoptr (GBytes) b = repaired_mini_bcd ();
  g_autoptr (TestGuest) again = gpt_guest ();
  add_file (again, "/dev/sda1", ESP_STORE, b);
  g_assert_cmpint (plan (again), ==, 0);
  dump (again);
  g_assert_cmpuint (count_prefix (again->plan, "bcd "), ==, 0);
}

/* --- dirty BCD stores (docs/hive-logs.md) --------------------------- */

/* How messages and the report name the ESP store: the test guest keeps
 * its files' paths in lower case. */
#define ESP_PLACE "/dev/sda1:/efi/microsoft/boot/bcd"

/* gpt_guest whose store is a backup of a running Windows: the primary
 * (dirty) holds primary_state, and, when log_state is not NULL, the
 * store's LOG1 (under a name in another case) leads to log_state.
 * *safe: the sequence number a written store must carry. */
static TestGuest *
dirty_bcd_guest (GBytes *primary_state, GBytes *log_state, guint32 *safe)
{
  TestGuest *f = gpt_guest ();
  g_autoptr (GBytes) dirty = mklog_dirty_primary (primary_state);
  add_file (f, "/dev/sda1", ESP_STORE, dirty);
  BootfixHiveHeader h;
  g_assert_cmpint (bootfix_hive_header_read (g_bytes_get_data (dirty, NULL),
                                             g_bytes_get_size (dirty), &h),
                   ==, BOOTFIX_HIVE_DIRTY);
  g_autoptr (GBytes) log = NULL;
  if (log_state) {
    g_autoptr (GArray) pages = mklog_diff_pages (primary_state, log_state);
    g_assert_cmpuint (pages->len, >, 0);
    GByteArray *entries = mklog_new_log (dirty, h.secondary_sequence);
    mklog_new_entry (entries, h.secondary_sequence, log_state,
                     (guint32 *) pages->data, pages->len);
    log = g_byte_array_free_to_bytes (entries);
    add_file (f, "/dev/sda1", ESP_STORE ".log1", log);
  }
  g_autoptr (GError) error = NULL;
  g_assert_true (bootfix_hive_log_safe_sequence (&h, log, NULL, safe, &error));
  g_assert_no_error (error);
  return f;
}

/* The store the fix left on the ESP: clean, at the safe number. */
static GBytes *
written_store (TestGuest *f, guint32 safe)
{
  GBytes *out = bootfix_memory_guest_get_file (f->guest, "/dev/sda1", ESP_STORE);
  BootfixHiveHeader h;
  g_assert_cmpint (bootfix_hive_header_read (g_bytes_get_data (out, NULL),
                                             g_bytes_get_size (out), &h),
                   ==, BOOTFIX_HIVE_CLEAN);
  g_assert_cmpuint (h.primary_sequence, ==, safe);
  return out;
}

static const BootfixHiveReport *
only_hive_state (TestGuest *f)
{
  g_assert_cmpuint (f->h.hives->states->len, ==, 1);
  const BootfixHiveReport *st = g_ptr_array_index (f->h.hives->states, 0);
  g_assert_cmpstr (st->name, ==, "BCD");
  g_assert_cmpstr (st->path, ==, ESP_PLACE);
  return st;
}

/* The primary looks repaired; its log, which Windows replays first,
 * holds the stale store.  Only a replay sees the 5 values to fix; the
 * store goes back clean, holding exactly the repair, and its log is
 * emptied, after the store, and reported. */
static void
test_bcd_dirty_replayed (void)
{
  g_autoptr (GBytes) repaired = repaired_mini_bcd ();
  g_autoptr (GBytes) stale = harness_mini_bcd ();
  guint32 safe = 0;
  g_autoptr (TestGuest) f = dirty_bcd_guest (repaired, stale, &safe);
  g_assert_cmpint (plan (f), ==, 0);
  dump (f);
  g_assert_cmpuint (count_prefix (f->plan, "bcd "), ==, 5);
  g_assert_cmpstr (only_hive_state (f)->state, ==, "replayed");
  g_autoptr (GPtrArray) logs =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_change_free);
  bootfix_hive_cache_log_changes (f->h.hives, logs);
  g_assert_cmpuint (logs->len, ==, 1);
  const BootfixChange *c = g_ptr_array_index (logs, 0);
  g_assert_cmpstr (c->kind, ==, "file");
  g_assert_cmpstr (c->target, ==, ESP_PLACE ".log1");
  g_assert_cmpstr (c->new_value, ==, "0 bytes");

  g_autoptr (GBytes) out = written_store (f, safe);
  gsize n = g_bytes_get_size (out);
  g_assert_cmpuint (n, ==, g_bytes_get_size (repaired));
  g_assert_cmpmem ((const guint8 *) g_bytes_get_data (out, NULL) + 512, n - 512,
                   (const guint8 *) g_bytes_get_data (repaired, NULL) + 512, n - 512);
  g_autoptr (GBytes) log = bootfix_memory_guest_get_file (f->guest, "/dev/sda1",
                                                          ESP_STORE ".LOG1");
  g_assert_cmpuint (g_bytes_get_size (log), ==, 0);
}

/* Without its log the store is refused, naming it, the logs looked
 * for and the option; nothing is planned or written. */
static void
test_bcd_dirty_no_logs (void)
{
  g_autoptr (GBytes) stale = harness_mini_bcd ();
  guint32 safe = 0;
  g_autoptr (TestGuest) f = dirty_bcd_guest (stale, NULL, &safe);
  build_and_probe (f);
  g_autoptr (GError) error = NULL;
  g_assert_cmpint (harness_call (&f->h, bootchain_module (), BOOTFIX_CALLBACK_PLAN,
                                 &error), ==, -1);
  g_assert_nonnull (error);
  GError *kept = f->h.hives->error;
  g_assert_error (kept, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED);
  g_test_message ("%s", kept->message);
  g_assert_true (g_str_has_prefix (kept->message, "guest test: registry hive "
                                   ESP_PLACE " is dirty"));
  g_assert_nonnull (strstr (kept->message, ESP_PLACE ".LOG1, .LOG2 or .LOG"));
  g_assert_nonnull (strstr (kept->message, "--discard-hive-logs"));
  g_assert_cmpstr (only_hive_state (f)->state, ==, "dirty-logs-missing");
  g_assert_cmpuint (f->h.plan->actions->len, ==, 0);
  g_autoptr (GBytes) now = bootfix_memory_guest_get_file (f->guest, "/dev/sda1",
                                                          ESP_STORE);
  BootfixHiveHeader h;
  g_assert_cmpint (bootfix_hive_header_read (g_bytes_get_data (now, NULL),
                                             g_bytes_get_size (now), &h),
                   ==, BOOTFIX_HIVE_DIRTY);
}

/* --discard-hive-logs: the primary as it is (stale), with a warning;
 * the repaired store goes back clean all the same. */
static void
test_bcd_dirty_discard (void)
{
  g_autoptr (GBytes) stale = harness_mini_bcd ();
  guint32 safe = 0;
  g_autoptr (TestGuest) f = dirty_bcd_guest (stale, NULL, &safe);
  f->discard_logs = TRUE;
  g_assert_cmpint (plan (f), ==, 0);
  g_assert_cmpuint (count_prefix (f->plan, "bcd "), ==, 5);
  g_assert_null (f->h.hives->error);
  g_assert_cmpuint (f->h.hives->warnings->len, ==, 1);
  g_assert_nonnull (strstr (f->h.hives->warnings->pdata[0], ESP_PLACE));
  g_assert_nonnull (strstr (f->h.hives->warnings->pdata[0], "--discard-hive-logs"));
  g_assert_cmpstr (only_hive_state (f)->state, ==, "dirty-logs-missing");
  g_autoptr (GBytes) out = written_store (f, safe);
}

/* A bad base block checksum: an error (exit 1), as for SYSTEM. */
static void
test_bcd_damaged (void)
{
  g_autoptr (GBytes) stale = harness_mini_bcd ();
  g_autoptr (GByteArray) bad = g_byte_array_new ();
  g_byte_array_append (bad, g_bytes_get_data (stale, NULL),
                       (guint) g_bytes_get_size (stale));
  bad->data[508] ^= 0x5a;
  g_autoptr (GBytes) bytes = g_bytes_new (bad->data, bad->len);
  g_autoptr (TestGuest) f = gpt_guest ();
  add_file (f, "/dev/sda1", ESP_STORE, bytes);
  build_and_probe (f);
  g_autoptr (GError) error = NULL;
  g_assert_cmpint (harness_call (&f->h, bootchain_module (), BOOTFIX_CALLBACK_PLAN,
                                 &error), ==, -1);
  g_assert_error (f->h.hives->error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
  g_assert_nonnull (strstr (f->h.hives->error->message, ESP_PLACE));
  g_assert_cmpstr (only_hive_state (f)->state, ==, "damaged");
}

/* BitLocker: nothing is planned, and the user is told why. */
static void
test_bitlocker (void)
{
  g_autoptr (TestGuest) f = gpt_guest ();
  add_part (f, "/dev/sda4", 4, 2u << 30, 1 << 20, "BitLocker");
  g_assert_cmpint (plan (f), ==, 0);
  g_assert_cmpuint (f->plan->len, ==, 0);
  g_assert_cmpuint (f->warnings->len, ==, 1);
  g_assert_nonnull (strstr (f->warnings->pdata[0], "BitLocker"));
}

/* --- MountedDevices ------------------------------------------------ */

#define NEW_SIG 0x7a1f0001u
#define OLD_SIG 0x1a2b3c4du

static TestGuest *
mbr_guest (int major)
{
  TestGuest *f = test_guest_new (major, major == 5 ? 1 : 1);
  add_part (f, "/dev/sda1", 1, 1048576, 100 << 20, "ntfs");
  add_part (f, "/dev/sda2", 2, 105906176, 1 << 30, "ntfs");
  struct bootfix_partition *sr = &g_array_index (f->parts, struct bootfix_partition, 0);
  struct bootfix_partition *win = &g_array_index (f->parts, struct bootfix_partition, 1);
  sr->mbr_signature = win->mbr_signature = NEW_SIG;
  sr->active = 1;
  win->windows_root = 1;
  set_system_root (f, major == 5 ? "C:\\WINDOWS" : "C:\\Windows");
  return f;
}

static void
test_mounted_devices (void)
{
  g_autoptr (TestGuest) f = mbr_guest (6);
  add_mounted (f, "\\DosDevices\\C:", OLD_SIG, 105906176);
  add_mounted (f, "\\??\\Volume{00000000-0000-0000-0000-000000000001}", OLD_SIG, 105906176);
  /* System Reserved has no letter: found by its old disk and offset. */
  add_mounted (f, "\\??\\Volume{00000000-0000-0000-0000-000000000002}", OLD_SIG, 1048576);
  /* E: already names the Windows partition: it would take C: away. */
  add_mounted (f, "\\DosDevices\\E:", NEW_SIG, 105906176);
  /* F: was on another disk that is not here: left, with a warning. */
  add_mounted (f, "\\DosDevices\\F:", 0x0badf00d, 32256);
  /* D: a CD-ROM (UTF-16 PnP path): never touched. */
  static const guint8 cd[] = { '\\', 0, '?', 0, '?', 0, '\\', 0, 'I', 0, 'D', 0, 'E', 0 };
  add_value (f, "SYSTEM", "MountedDevices", "\\DosDevices\\D:",
             BOOTFIX_REG_BINARY, cd, sizeof cd);
  g_assert_cmpint (plan (f), ==, 0);
  dump (f);
  g_assert_true (has_line (f->plan, "set SYSTEM\\MountedDevices\\\\DosDevices\\C: = 01001f7a0000500600000000"));
  g_assert_true (has_line (f->plan, "set SYSTEM\\MountedDevices\\\\??\\Volume{00000000-0000-0000-0000-000000000001} = 01001f7a0000500600000000"));
  g_assert_true (has_line (f->plan, "set SYSTEM\\MountedDevices\\\\??\\Volume{00000000-0000-0000-0000-000000000002} = 01001f7a0000100000000000"));
  g_assert_true (has_line (f->plan, "delete SYSTEM\\MountedDevices\\\\DosDevices\\E:"));
  g_assert_cmpuint (f->plan->len, ==, 4);
  g_assert_cmpuint (f->warnings->len, ==, 1);
  g_assert_nonnull (strstr (f->warnings->pdata[0], "\\DosDevices\\F:"));
}

static void
test_mounted_devices_right (void)
{
  g_autoptr (TestGuest) f = mbr_guest (6);
  add_mounted (f, "\\DosDevices\\C:", NEW_SIG, 105906176);
  add_mounted (f, "\\??\\Volume{00000000-0000-0000-0000-000000000002}", NEW_SIG, 1048576);
  g_assert_cmpint (plan (f), ==, 0);
  g_assert_cmpuint (f->plan->len, ==, 0);
  g_assert_cmpuint (f->warnings->len, ==, 0);
}

/* --- NT 5: boot sectors and boot.ini ------------------------------- */

/* A 1 MiB NTFS partition at LBA 2048 whose boot sectors (both copies)
 * still say LBA 63 and 240 heads. */
static void
add_xp_volume (TestGuest *f, const char *device, guint32 hidden, guint16 heads,
               guint16 spt)
{
  GByteArray *d = g_byte_array_sized_new (1 << 20);
  g_byte_array_set_size (d, 1 << 20);
  memset (d->data, 0, d->len);
  guint8 *s = d->data;
  gsize n = d->len;
  s[0] = 0xEB; s[1] = 0x52; s[2] = 0x90;
  memcpy (s + 3, "NTFS    ", 8);
  bootfix_write_le16 (s, n, 0x0B, 512);
  s[0x0D] = 8;
  s[0x15] = 0xF8;
  bootfix_write_le16 (s, n, 0x18, spt);
  bootfix_write_le16 (s, n, 0x1A, heads);
  bootfix_write_le32 (s, n, 0x1C, hidden);
  s[0x24] = 0x80;
  bootfix_write_le64 (s, n, 0x28, 2047);
  bootfix_write_le64 (s, n, 0x30, 4);
  bootfix_write_le64 (s, n, 0x38, 2);
  s[0x40] = 0xF6;
  s[0x44] = 0x01;
  s[0x1FE] = 0x55;
  s[0x1FF] = 0xAA;
  memcpy (s + 2047 * 512, s, 512); /* the backup: the last sector */
  g_hash_table_insert (f->devices, (gpointer) device, d);
}

static TestGuest *
xp_guest (const char *bootini)
{
  TestGuest *f = test_guest_new (5, 1);
  struct bootfix_partition *p = add_part (f, "/dev/sda1", 1, 1048576, 1 << 20, "ntfs");
  p->mbr_signature = NEW_SIG;
  p->active = 1;
  p->windows_root = 1;
  set_system_root (f, "C:\\WINDOWS");
  add_text (f, "/dev/sda1", "\\boot.ini", bootini);
  return f;
}

static const char stale_ini[] =
  "[boot loader]\r\ntimeout=30\r\n"
  "default=multi(0)disk(0)rdisk(0)partition(2)\\WINDOWS\r\n"
  "[operating systems]\r\n"
  "multi(0)disk(0)rdisk(0)partition(2)\\WINDOWS=\"Windows XP\" /fastdetect\r\n"
  "C:\\CMDCONS\\BOOTSECT.DAT=\"Recovery Console\" /cmdcons\r\n";

static void
test_nt5_moved (void)
{
  g_autoptr (TestGuest) f = xp_guest (stale_ini);
  add_xp_volume (f, "/dev/sda1", 63, 240, 63);
  g_assert_cmpint (plan (f), ==, 0);
  dump (f);
  /* 64 MiB disk: heads 64 (virt-v2v's rule); both copies. */
  g_assert_true (has_line (f->plan, "bootsector /dev/sda1 boot sector: heads: 240 -> 64"));
  g_assert_true (has_line (f->plan, "bootsector /dev/sda1 boot sector: hidden sectors: 63 -> 2048"));
  g_assert_true (has_line (f->plan, "bootsector /dev/sda1 backup boot sector: heads: 240 -> 64"));
  g_assert_true (has_line (f->plan, "bootsector /dev/sda1 backup boot sector: hidden sectors: 63 -> 2048"));
  g_assert_true (has_line (f->plan, "file /dev/sda1:\\boot.ini: multi(0)disk(0)rdisk(0)partition(2)\\WINDOWS -> "
                                    "multi(0)disk(0)rdisk(0)partition(1)\\WINDOWS"));
  g_assert_cmpuint (f->plan->len, ==, 5);
  g_autofree char *key = file_key ("/dev/sda1", "\\boot.ini");
  GBytes *ini = g_hash_table_lookup (f->patched, key);
  g_assert_nonnull (ini);
  g_autofree char *text = g_strndup (g_bytes_get_data (ini, NULL), g_bytes_get_size (ini));
  g_assert_null (strstr (text, "partition(2)"));
  g_assert_nonnull (strstr (text, "C:\\CMDCONS\\BOOTSECT.DAT=\"Recovery Console\""));
}

static void
test_nt5_right (void)
{
  g_autoptr (TestGuest) f = xp_guest ("[boot loader]\r\ndefault=multi(0)disk(0)rdisk(0)partition(1)\\WINDOWS\r\n"
                                 "[operating systems]\r\n"
                                 "multi(0)disk(0)rdisk(0)partition(1)\\WINDOWS=\"XP\"\r\n");
  add_xp_volume (f, "/dev/sda1", 2048, 64, 63);
  g_assert_cmpint (plan (f), ==, 0);
  dump (f);
  g_assert_cmpuint (f->plan->len, ==, 0);
}

/* Hidden sectors of a logical partition are reported, not guessed. */
static void
test_nt5_logical (void)
{
  g_autoptr (TestGuest) f = xp_guest (stale_ini);
  struct bootfix_partition *p = &g_array_index (f->parts, struct bootfix_partition, 0);
  p->number = 5;
  p->active = 0;
  g_assert_cmpint (plan (f), ==, 0);
  g_assert_cmpuint (count_prefix (f->plan, "bootsector "), ==, 0);
  gboolean said = FALSE;
  for (guint i = 0; i < f->warnings->len; i++)
    said |= strstr (f->warnings->pdata[i], "logical partition") != NULL;
  g_assert_true (said);
}

/* --- --check: the links ------------------------------------------- */

/* The module's links as "name=state ..." for firmware. */
static char *
check (TestGuest *f, const char *firmware)
{
  f->facts.firmware = firmware;
  build_and_probe (f);
  g_autoptr (GError) error = NULL;
  g_assert_cmpint (harness_call (&f->h, bootchain_module (),
                                 BOOTFIX_CALLBACK_CHECK, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (f->h.plan->actions->len, ==, 0);
  GPtrArray *links = bootfix_host_context_links (f->h.ctx);
  GString *out = g_string_new (NULL);
  for (guint i = 0; i < links->len; i++) {
    const BootfixLink *l = links->pdata[i];
    g_test_message ("%s %s: %s | %s", bootfix_link_state_to_string (l->state),
                    l->name, l->detail, l->remedy ? l->remedy : "");
    g_string_append_printf (out, "%s%s=%s", i ? " " : "", l->name,
                            bootfix_link_state_to_string (l->state));
  }
  return g_string_free (out, FALSE);
}

static const BootfixLink *
link_named (TestGuest *f, const char *name)
{
  GPtrArray *links = bootfix_host_context_links (f->h.ctx);
  for (guint i = 0; i < links->len; i++)
    if (g_str_equal (((BootfixLink *) links->pdata[i])->name, name))
      return links->pdata[i];
  g_assert_not_reached ();
}

static void
drop_file (TestGuest *f, const char *device, const char *path)
{
  g_autofree char *key = file_key (device, path);
  g_assert_true (g_hash_table_remove (f->files, key));
}

/* The default entry names the old disk; winload.efi is on sda3 now:
 * the fix repoints it. */
static void
test_check_gpt_stale (void)
{
  g_autoptr (TestGuest) f = gpt_guest ();
  g_autofree char *got = check (f, "efi");
  g_assert_cmpstr (got, ==, "boot-manager=ok boot-configuration=ok "
                   "default-loader=fixable");
  const BootfixLink *l = link_named (f, "default-loader");
  g_assert_nonnull (strstr (l->detail, "starts Windows on /dev/sda3"));
  g_assert_nonnull (strstr (l->remedy, "/dev/sda3"));
}

/* The same references, current: nothing to do; without winload.efi
 * where the entry points, nothing the fix can do. */
static void
test_check_gpt_current (void)
{
  for (guint missing = 0; missing < 2; missing++) {
    g_autoptr (TestGuest) f = gpt_guest ();
    for (guint i = 0; i < 2; i++) {
      struct bootfix_partition *p = &g_array_index (f->parts, struct bootfix_partition, i);
      g_assert_true (bootfix_guid_text_to_bytes ("{0b6f9d2e-7a41-4c3b-8e5d-1f2a3b4c5d6e}",
                                                 p->disk_guid, NULL));
      g_assert_true (bootfix_guid_text_to_bytes (i == 0 ? "{a1b2c3d4-e5f6-4718-9a0b-1c2d3e4f5a6b}"
                                                 : "{b1b2c3d4-e5f6-4718-9a0b-1c2d3e4f5a6b}",
                                                 p->partition_guid, NULL));
    }
    if (missing)
      drop_file (f, "/dev/sda3", "\\Windows\\system32\\winload.efi");
    g_autofree char *got = check (f, "efi");
    g_assert_cmpstr (got, ==, missing ? "boot-manager=ok boot-configuration=ok "
                     "default-loader=broken" : "boot-manager=ok "
                     "boot-configuration=ok default-loader=ok");
    if (missing)
      g_assert_nonnull (strstr (link_named (f, "default-loader")->detail,
                                "its device is /dev/sda3, which has no "
                                "\\Windows\\system32\\winload.efi"));
  }
}

static void
test_check_gpt_broken (void)
{
  g_autoptr (TestGuest) f = gpt_guest ();
  drop_file (f, "/dev/sda1", "\\EFI\\Microsoft\\Boot\\bootmgfw.efi");
  drop_file (f, "/dev/sda3", "\\Windows\\system32\\winload.efi");
  g_autofree char *got = check (f, "efi");
  g_assert_cmpstr (got, ==, "boot-manager=broken boot-configuration=ok "
                   "default-loader=broken");
  g_assert_nonnull (strstr (link_named (f, "boot-manager")->remedy, "/f UEFI"));
  /* The resume object's winresume.efi still shows where the old
   * Windows partition went: it is sda3, which has no winload.efi. */
  g_assert_nonnull (strstr (link_named (f, "default-loader")->detail,
                            "its device is /dev/sda3, which has no"));
}

/* No partition holds any file of the old Windows partition. */
static void
test_check_gpt_lost (void)
{
  g_autoptr (TestGuest) f = gpt_guest ();
  drop_file (f, "/dev/sda3", "\\Windows\\system32\\winload.efi");
  drop_file (f, "/dev/sda3", "\\Windows\\system32\\winresume.efi");
  g_autofree char *got = check (f, "efi");
  g_assert_cmpstr (got, ==, "boot-manager=ok boot-configuration=ok "
                   "default-loader=broken");
  g_assert_nonnull (strstr (link_named (f, "default-loader")->detail,
                            "which this guest does not have, and no partition "
                            "holds its files"));
}

/* BIOS: bootmgr and \Boot\BCD on the active partition. */
static void
test_check_bios_store (void)
{
  static const guint8 junk[] = "regf, but not a hive";
  for (guint c = 0; c < 3; c++) {
    g_autoptr (TestGuest) f = mbr_guest (6);
    if (c > 0)
      add_text (f, "/dev/sda1", "\\bootmgr", "x");
    if (c == 2) {
      g_autoptr (GBytes) b = g_bytes_new (junk, sizeof junk);
      add_file (f, "/dev/sda1", "\\Boot\\BCD", b);
    }
    g_autofree char *got = check (f, "bios");
    g_assert_cmpstr (got, ==, c == 0 ? "boot-manager=broken boot-configuration=broken"
                     : "boot-manager=ok boot-configuration=broken");
    const BootfixLink *l = link_named (f, "boot-configuration");
    g_assert_nonnull (strstr (l->detail, c == 2 ? "cannot be read"
                              : "no \\Boot\\BCD on /dev/sda1"));
    g_assert_nonnull (strstr (l->remedy, "bcdboot C:\\Windows /s S: /f BIOS"));
  }
}

/* NT 5: ntldr, boot.ini's default and the boot sector's geometry. */
static void
test_check_nt5 (void)
{
  static const char right_ini[] =
    "[boot loader]\r\ndefault=multi(0)disk(0)rdisk(0)partition(1)\\WINDOWS\r\n"
    "[operating systems]\r\nmulti(0)disk(0)rdisk(0)partition(1)\\WINDOWS=\"XP\"\r\n";
  static const char other_ini[] =
    "[boot loader]\r\ndefault=multi(0)disk(0)rdisk(0)partition(1)\\WINNT\r\n"
    "[operating systems]\r\nmulti(0)disk(0)rdisk(0)partition(1)\\WINNT=\"2000\"\r\n";
  static const struct {
    const char *ini;
    guint32 hidden;
    gboolean ntldr;
    const char *want;
  } rows[] = {
    { stale_ini, 63, TRUE, "boot-manager=ok boot-configuration=ok "
      "default-loader=fixable boot-sector-geometry=fixable" },
    { right_ini, 2048, TRUE, "boot-manager=ok boot-configuration=ok "
      "default-loader=ok boot-sector-geometry=ok" },
    { other_ini, 2048, FALSE, "boot-manager=broken boot-configuration=ok "
      "default-loader=broken boot-sector-geometry=ok" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++) {
    g_autoptr (TestGuest) f = xp_guest (rows[i].ini);
    add_xp_volume (f, "/dev/sda1", rows[i].hidden, rows[i].hidden == 63 ? 240 : 64, 63);
    if (rows[i].ntldr) {
      add_text (f, "/dev/sda1", "\\ntldr", "x");
      add_text (f, "/dev/sda1", "\\ntdetect.com", "x");
    }
    g_autofree char *got = check (f, "bios");
    g_assert_cmpstr (got, ==, rows[i].want);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bootchain/bcd/gpt-stale", test_bcd_gpt_stale);
  g_test_add_func ("/bootchain/bcd/idempotent", test_bcd_idempotent);
  g_test_add_func ("/bootchain/bcd/winre", test_bcd_winre);
  g_test_add_func ("/bootchain/bcd/dirty/replayed", test_bcd_dirty_replayed);
  g_test_add_func ("/bootchain/bcd/dirty/no-logs", test_bcd_dirty_no_logs);
  g_test_add_func ("/bootchain/bcd/dirty/discard", test_bcd_dirty_discard);
  g_test_add_func ("/bootchain/bcd/damaged", test_bcd_damaged);
  g_test_add_func ("/bootchain/bitlocker", test_bitlocker);
  g_test_add_func ("/bootchain/mounted-devices/stale", test_mounted_devices);
  g_test_add_func ("/bootchain/mounted-devices/right", test_mounted_devices_right);
  g_test_add_func ("/bootchain/nt5/moved", test_nt5_moved);
  g_test_add_func ("/bootchain/nt5/right", test_nt5_right);
  g_test_add_func ("/bootchain/nt5/logical", test_nt5_logical);
  g_test_add_func ("/bootchain/check/gpt-stale", test_check_gpt_stale);
  g_test_add_func ("/bootchain/check/gpt-current", test_check_gpt_current);
  g_test_add_func ("/bootchain/check/gpt-broken", test_check_gpt_broken);
  g_test_add_func ("/bootchain/check/gpt-lost", test_check_gpt_lost);
  g_test_add_func ("/bootchain/check/bios-store", test_check_bios_store);
  g_test_add_func ("/bootchain/check/nt5", test_check_nt5);
  return g_test_run ();
}
