/* The bootchain module, planned for real against guests held in memory:
 * partitions, files, device bytes and registry values live in a host
 * table of this test, and every planned edit is recorded.  No
 * appliance; the end-to-end repair is tests/integration/test-bootchain.sh.
 * The BCD store is tests/unit/data/bcd/mini-bcd (ours, see its README). */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <gmodule.h>

#include "bcd-device.h"
#include "bootfix-module.h"
#include "bytes.h"

#define ESP_STORE "\\EFI\\Microsoft\\Boot\\BCD"

/* --- the module ---------------------------------------------------- */

static const struct bootfix_module *
bootchain_module (void)
{
  static const struct bootfix_module *mod;
  if (mod != NULL)
    return mod;
  const char *path = g_getenv ("BOOTFIX_TEST_BOOTCHAIN_MODULE");
  g_assert_nonnull (path);
  GModule *m = g_module_open (path, G_MODULE_BIND_LOCAL);
  if (m == NULL)
    g_error ("%s: %s", path, g_module_error ());
  gpointer sym = NULL;
  g_assert_true (g_module_symbol (m, BOOTFIX_MODULE_INIT_SYMBOL, &sym));
  mod = ((const struct bootfix_module *(*) (void)) sym) ();
  g_assert_cmpstr (mod->name, ==, "bootchain");
  return mod;
}

/* --- a guest in memory ------------------------------------------- */

typedef struct {
  struct bootfix_host host; /* first: callbacks cast back */
  struct bootfix_facts facts;
  GArray *parts;            /* struct bootfix_partition */
  GHashTable *files;        /* "device|\\path" (lower case) -> GBytes */
  GHashTable *devices;      /* device -> GByteArray (from byte 0) */
  GHashTable *values;       /* "HIVE\\key\\name" (lower case) -> GBytes */
  GPtrArray *values_order;  /* value names under MountedDevices */
  GPtrArray *plan;          /* char *: one line per planned action */
  GPtrArray *warnings;
  GHashTable *patched;      /* "device|\\path|offset" -> GBytes (new) */
} Fake;

static Fake *fake_of (const struct bootfix_host *h) { return (Fake *) h; }

static char *
file_key (const char *device, const char *path)
{
  g_autofree char *p = g_strdelimit (g_strdup (path), "/", '\\');
  g_autofree char *k = g_strdup_printf ("%s|%s%s", device, *p == '\\' ? "" : "\\", p);
  return g_ascii_strdown (k, -1);
}

static void
fake_log (const struct bootfix_host *h, int level, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  if (level >= BOOTFIX_LOG_WARNING)
    g_ptr_array_add (fake_of (h)->warnings, msg);
  else
    g_free (msg);
}

static void
fake_error (const struct bootfix_host *h, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_printerr ("module error: %s\n", msg);
}

static int
copy_out (GBytes *b, void **data, size_t *len)
{
  gsize n = 0;
  const void *p = g_bytes_get_data (b, &n);
  char *c = malloc (n + 1);
  memcpy (c, p, n);
  c[n] = '\0';
  *data = c;
  *len = n;
  return 1;
}

static int
fake_get_value (const struct bootfix_host *h, const char *hive,
                const char *path, const char *name, uint32_t *type,
                void **data, size_t *len)
{
  g_autofree char *k = g_ascii_strdown (g_strdup_printf ("%s\\%s\\%s", hive, path, name), -1);
  GBytes *b = g_hash_table_lookup (fake_of (h)->values, k);
  if (b == NULL)
    return 0;
  /* SystemRoot is the only string the module reads. */
  *type = g_str_has_suffix (k, "\\systemroot") ? BOOTFIX_REG_SZ : BOOTFIX_REG_BINARY;
  return copy_out (b, data, len);
}

static int
fake_list_values (const struct bootfix_host *h, const char *hive,
                  const char *path, char ***names, size_t *n)
{
  GPtrArray *order = fake_of (h)->values_order;
  *names = calloc (order->len + 1, sizeof (char *));
  for (guint i = 0; i < order->len; i++)
    (*names)[i] = strdup (order->pdata[i]);
  *n = order->len;
  return 1;
}

static size_t
fake_n_partitions (const struct bootfix_host *h)
{
  return fake_of (h)->parts->len;
}

static const struct bootfix_partition *
fake_partition (const struct bootfix_host *h, size_t i)
{
  GArray *a = fake_of (h)->parts;
  return i < a->len ? &g_array_index (a, struct bootfix_partition, i) : NULL;
}

static int
fake_read_file (const struct bootfix_host *h, const char *device,
                const char *path, size_t max_len, void **data, size_t *len)
{
  g_autofree char *k = file_key (device, path);
  GBytes *b = g_hash_table_lookup (fake_of (h)->files, k);
  return b ? copy_out (b, data, len) : 0;
}

static int
fake_path_exists (const struct bootfix_host *h, const char *device,
                  const char *path)
{
  g_autofree char *k = file_key (device, path);
  return g_hash_table_contains (fake_of (h)->files, k);
}

static int
fake_read_device (const struct bootfix_host *h, const char *device,
                  uint64_t offset, void *buf, size_t len)
{
  GByteArray *d = g_hash_table_lookup (fake_of (h)->devices, device);
  g_assert_nonnull (d);
  g_assert_cmpuint (offset + len, <=, d->len);
  memcpy (buf, d->data + offset, len);
  return 0;
}

static void
record (const struct bootfix_host *h, char *line)
{
  g_ptr_array_add (fake_of (h)->plan, line);
}

static int
fake_patch_file (const struct bootfix_host *h, const struct bootfix_edit *e,
                 const char *device, const char *path, uint64_t offset,
                 const void *old, const void *new_bytes, size_t len)
{
  Fake *f = fake_of (h);
  g_autofree char *k = file_key (device, path);
  GBytes *file = g_hash_table_lookup (f->files, k);
  g_assert_nonnull (file);
  g_assert_cmpuint (offset + len, <=, g_bytes_get_size (file));
  /* The module must say what is there now. */
  g_assert_cmpmem ((const guint8 *) g_bytes_get_data (file, NULL) + offset, len, old, len);
  g_hash_table_insert (f->patched, g_strdup_printf ("%s|%" G_GUINT64_FORMAT, k, offset),
                       g_bytes_new (new_bytes, len));
  record (h, g_strdup_printf ("%s %s: %s -> %s", e->kind, e->target, e->old_text, e->new_text));
  return 0;
}

static int
fake_patch_device (const struct bootfix_host *h, const struct bootfix_edit *e,
                   const char *device, uint64_t offset, const void *old,
                   const void *new_bytes, size_t len)
{
  GByteArray *d = g_hash_table_lookup (fake_of (h)->devices, device);
  g_assert_cmpmem (d->data + offset, len, old, len);
  record (h, g_strdup_printf ("%s %s: %s -> %s", e->kind, e->target, e->old_text, e->new_text));
  return 0;
}

static int
fake_replace_file (const struct bootfix_host *h, const struct bootfix_edit *e,
                   const char *device, const char *path, const void *old,
                   size_t old_len, const void *new_data, size_t new_len)
{
  Fake *f = fake_of (h);
  g_autofree char *k = file_key (device, path);
  g_hash_table_insert (f->patched, g_strdup (k), g_bytes_new (new_data, new_len));
  record (h, g_strdup_printf ("%s %s: %s -> %s", e->kind, e->target, e->old_text, e->new_text));
  return 0;
}

static int
fake_set_value (const struct bootfix_host *h, const char *hive, const char *path,
                const char *name, uint32_t type, const void *data, size_t len,
                const char *reason)
{
  g_autofree char *hex = g_strdup ("");
  for (size_t i = 0; i < len; i++) {
    char *next = g_strdup_printf ("%s%02x", hex, ((const guint8 *) data)[i]);
    g_free (hex);
    hex = next;
  }
  record (h, g_strdup_printf ("set %s\\%s\\%s = %s", hive, path, name, hex));
  return 0;
}

static int
fake_delete_value (const struct bootfix_host *h, const char *hive,
                   const char *path, const char *name, const char *reason)
{
  record (h, g_strdup_printf ("delete %s\\%s\\%s", hive, path, name));
  return 0;
}

static Fake *
fake_new (int major, int minor)
{
  Fake *f = g_new0 (Fake, 1);
  f->facts = (struct bootfix_facts) {
    ._struct_size = sizeof f->facts, .guest_name = "g", .os_type = "windows",
    .product_name = "Windows", .product_variant = "Client", .arch = "x86_64",
    .osinfo = "", .major_version = major, .minor_version = minor,
    .machine = "pc", .machine_family = "i440fx", .bus = "ide",
    .controller_id = "piix3-ide", .pci_id = "8086:7010", .driver_source = "",
  };
  f->host = (struct bootfix_host) {
    ._struct_size = sizeof f->host, ._api_version = BOOTFIX_API_VERSION,
    .facts = &f->facts, .log = fake_log, .error = fake_error,
    .get_value = fake_get_value, .set_value = fake_set_value,
    .delete_value = fake_delete_value, .n_partitions = fake_n_partitions,
    .partition = fake_partition, .read_file = fake_read_file,
    .read_device = fake_read_device, .path_exists = fake_path_exists,
    .list_values = fake_list_values, .patch_file = fake_patch_file,
    .patch_device = fake_patch_device, .replace_file = fake_replace_file,
  };
  f->parts = g_array_new (FALSE, TRUE, sizeof (struct bootfix_partition));
  f->files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                    (GDestroyNotify) g_bytes_unref);
  f->devices = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                      (GDestroyNotify) g_byte_array_unref);
  f->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                     (GDestroyNotify) g_bytes_unref);
  f->values_order = g_ptr_array_new_with_free_func (g_free);
  f->plan = g_ptr_array_new_with_free_func (g_free);
  f->warnings = g_ptr_array_new_with_free_func (g_free);
  f->patched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) g_bytes_unref);
  return f;
}

static void
fake_free (Fake *f)
{
  g_array_unref (f->parts);
  g_hash_table_unref (f->files);
  g_hash_table_unref (f->devices);
  g_hash_table_unref (f->values);
  g_ptr_array_unref (f->values_order);
  g_ptr_array_unref (f->plan);
  g_ptr_array_unref (f->warnings);
  g_hash_table_unref (f->patched);
  g_free (f);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fake, fake_free)

static struct bootfix_partition *
add_part (Fake *f, const char *device, int number, guint64 start, guint64 size,
          const char *fs)
{
  struct bootfix_partition p = {
    ._struct_size = sizeof p, .device = device, .disk_device = "/dev/sda",
    .number = number, .start = start, .size = size,
    .disk_size = 64 * 1024 * 1024, .sector_size = 512, .fs_type = fs,
    .arc_number = number,
  };
  g_array_append_val (f->parts, p);
  return &g_array_index (f->parts, struct bootfix_partition, f->parts->len - 1);
}

static void
add_file (Fake *f, const char *device, const char *path, GBytes *data)
{
  g_hash_table_insert (f->files, file_key (device, path), g_bytes_ref (data));
}

static void
add_text (Fake *f, const char *device, const char *path, const char *text)
{
  g_autoptr (GBytes) b = g_bytes_new (text, strlen (text));
  add_file (f, device, path, b);
}

static void
add_value (Fake *f, const char *hive, const char *key, const char *name,
           const void *data, gsize len)
{
  g_autofree char *k = g_strdup_printf ("%s\\%s\\%s", hive, key, name);
  g_hash_table_insert (f->values, g_ascii_strdown (k, -1), g_bytes_new (data, len));
  if (g_str_equal (key, "MountedDevices"))
    g_ptr_array_add (f->values_order, g_strdup (name));
}

static void
add_mounted (Fake *f, const char *name, guint32 sig, guint64 offset)
{
  guint8 v[12];
  bootfix_write_le32 (v, sizeof v, 0, sig);
  bootfix_write_le64 (v, sizeof v, 4, offset);
  add_value (f, "SYSTEM", "MountedDevices", name, v, sizeof v);
}

static void
set_system_root (Fake *f, const char *root)
{
  add_value (f, "SOFTWARE", "Microsoft\\Windows NT\\CurrentVersion", "SystemRoot",
             root, strlen (root));
}

static int
plan (Fake *f)
{
  g_assert_cmpint (bootchain_module ()->probe (&f->host), ==, 1);
  return bootchain_module ()->plan (&f->host);
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
dump (const Fake *f)
{
  for (guint i = 0; i < f->plan->len; i++)
    g_test_message ("plan: %s", (char *) f->plan->pdata[i]);
  for (guint i = 0; i < f->warnings->len; i++)
    g_test_message ("warning: %s", (char *) f->warnings->pdata[i]);
}

static GBytes *
mini_bcd (void)
{
  const char *dir = g_getenv ("BOOTFIX_TEST_DATA");
  g_assert_nonnull (dir);
  g_autofree char *path = g_build_filename (dir, "bcd", "mini-bcd", NULL);
  g_autoptr (GMappedFile) m = g_mapped_file_new (path, FALSE, NULL);
  g_assert_nonnull (m);
  return g_mapped_file_get_bytes (m);
}

/* --- BCD ----------------------------------------------------------- */

/* mini-bcd names a GPT disk {0b6f9d2e-…} with partitions {b1b2c3d4-…}
 * (bootmgr), {a1b2c3d4-…} … as bcdedit would after an install; the
 * restored disk has other GUIDs.  ESP p1 holds the store, p3 Windows. */
static Fake *
gpt_guest (void)
{
  Fake *f = fake_new (10, 0);
  add_part (f, "/dev/sda1", 1, 1048576, 100 << 20, "vfat");
  add_part (f, "/dev/sda3", 3, 122683392, 1 << 30, "ntfs");
  for (guint i = 0; i < 2; i++) {
    struct bootfix_partition *p = &g_array_index (f->parts, struct bootfix_partition, i);
    p->gpt = 1;
    memset (p->disk_guid, 0x11, 16);
    memset (p->partition_guid, i == 0 ? 0x21 : 0x23, 16);
    p->windows_root = i == 1;
  }
  g_autoptr (GBytes) store = mini_bcd ();
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
assert_patches_name (Fake *f, const guint8 disk_byte, GHashTable *want_parts)
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
  g_autoptr (Fake) f = gpt_guest ();
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
  g_autoptr (Fake) f = gpt_guest ();
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

/* A second plan over the repaired store changes nothing. */
static void
test_bcd_idempotent (void)
{
  g_autoptr (Fake) f = gpt_guest ();
  g_assert_cmpint (plan (f), ==, 0);
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
  g_autoptr (Fake) again = gpt_guest ();
  g_autoptr (GBytes) b = g_bytes_new (fixed->data, fixed->len);
  add_file (again, "/dev/sda1", ESP_STORE, b);
  g_assert_cmpint (plan (again), ==, 0);
  dump (again);
  g_assert_cmpuint (count_prefix (again->plan, "bcd "), ==, 0);
}

/* BitLocker: nothing is planned, and the user is told why. */
static void
test_bitlocker (void)
{
  g_autoptr (Fake) f = gpt_guest ();
  add_part (f, "/dev/sda4", 4, 2u << 30, 1 << 20, "BitLocker");
  g_assert_cmpint (plan (f), ==, 0);
  g_assert_cmpuint (f->plan->len, ==, 0);
  g_assert_cmpuint (f->warnings->len, ==, 1);
  g_assert_nonnull (strstr (f->warnings->pdata[0], "BitLocker"));
}

/* --- MountedDevices ------------------------------------------------ */

#define NEW_SIG 0x7a1f0001u
#define OLD_SIG 0x1a2b3c4du

static Fake *
mbr_guest (int major)
{
  Fake *f = fake_new (major, major == 5 ? 1 : 1);
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
  g_autoptr (Fake) f = mbr_guest (6);
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
  add_value (f, "SYSTEM", "MountedDevices", "\\DosDevices\\D:", cd, sizeof cd);
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
  g_autoptr (Fake) f = mbr_guest (6);
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
add_xp_volume (Fake *f, const char *device, guint32 hidden, guint16 heads,
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

static Fake *
xp_guest (const char *bootini)
{
  Fake *f = fake_new (5, 1);
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
  g_autoptr (Fake) f = xp_guest (stale_ini);
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
  g_autoptr (Fake) f = xp_guest ("[boot loader]\r\ndefault=multi(0)disk(0)rdisk(0)partition(1)\\WINDOWS\r\n"
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
  g_autoptr (Fake) f = xp_guest (stale_ini);
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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bootchain/bcd/gpt-stale", test_bcd_gpt_stale);
  g_test_add_func ("/bootchain/bcd/idempotent", test_bcd_idempotent);
  g_test_add_func ("/bootchain/bcd/winre", test_bcd_winre);
  g_test_add_func ("/bootchain/bitlocker", test_bitlocker);
  g_test_add_func ("/bootchain/mounted-devices/stale", test_mounted_devices);
  g_test_add_func ("/bootchain/mounted-devices/right", test_mounted_devices_right);
  g_test_add_func ("/bootchain/nt5/moved", test_nt5_moved);
  g_test_add_func ("/bootchain/nt5/right", test_nt5_right);
  g_test_add_func ("/bootchain/nt5/logical", test_nt5_logical);
  return g_test_run ();
}
