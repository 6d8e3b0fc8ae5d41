/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests for the MountedDevices codec (mounted-devices.c): values and
 * names built from docs/boot-formats.md, "MountedDevices", exact
 * fields, round trips, byte-exact rewrites, and a table of bad values
 * and names.  With BOOTFIX_WRITE_CORPUS=DIR the good values are
 * written there. */
#include "config.h"

#include <string.h>
#include <glib.h>

#include "bootfix-error.h"
#include "bytes.h"
#include "disk-layout.h"
#include "mounted-devices.h"

#define PART_GUID "{6f4c5e2a-1b2c-11e0-9a3b-806e6f6e6963}"
/* The same GUID as stored: Data1-3 little-endian, then raw bytes. */
static const guint8 part_guid_bytes[16] = { 0x2a, 0x5e, 0x4c, 0x6f, 0x2c, 0x1b, 0xe0, 0x11,
                                            0x9a, 0x3b, 0x80, 0x6e, 0x6f, 0x6e, 0x69, 0x63 };

/* UTF-16LE of an ASCII string, no terminator (as Windows stores PnP paths). */
static GBytes *
utf16 (const char *ascii, gboolean nul)
{
  gsize n = strlen (ascii) + (nul ? 1 : 0);
  guint8 *b = g_malloc0 (2 * n);
  for (gsize i = 0; i < strlen (ascii); i++)
    bootfix_write_le16 (b, 2 * n, 2 * i, (guint8) ascii[i]);
  return g_bytes_new_take (b, 2 * n);
}

static GBytes *
value_of (const char *kind)
{
  /* The example in docs/boot-formats.md, "MountedDevices": signature
   * 0xB2F6B2F6, offset 0x7E00 (LBA 63). */
  static const guint8 mbr_doc[] = { 0xf6, 0xb2, 0xf6, 0xb2, 0x00, 0x7e,
                                    0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
  static const guint8 mbr_1m[] = { 0x01, 0x00, 0x1f, 0x7a, 0x00, 0x00,
                                   0x10, 0x00, 0x00, 0x00, 0x00, 0x00 };
  static const guint8 binary[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
                                   0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10 };
  if (g_str_equal (kind, "mbr-doc"))
    return g_bytes_new_static (mbr_doc, sizeof mbr_doc);
  if (g_str_equal (kind, "mbr-1m"))
    return g_bytes_new_static (mbr_1m, sizeof mbr_1m);
  if (g_str_equal (kind, "gpt")) {
    guint8 *b = g_malloc (24);
    memcpy (b, "DMIO:ID:", 8);
    memcpy (b + 8, part_guid_bytes, 16);
    return g_bytes_new_take (b, 24);
  }
  if (g_str_equal (kind, "usb"))
    return utf16 ("\\??\\USBSTOR#Disk&Ven_SanDisk&Prod_Cruzer&Rev_1.00#"
                  "20060266001&0#{53f56307-b6bf-11d0-94f2-00a0c91efb8b}",
                  FALSE);
  if (g_str_equal (kind, "cdrom"))
    return utf16 ("\\??\\IDE#CdRomQEMU_DVD-ROM#5&1&0&1.0.0#{53f5630d}", TRUE);
  if (g_str_equal (kind, "escape"))
    return utf16 ("\\??\\evil\x1b[31m", FALSE);
  if (g_str_equal (kind, "binary"))
    return g_bytes_new_static (binary, sizeof binary);
  g_assert_not_reached ();
}

/* ---- Good values --------------------------------------------------- */

typedef struct {
  const char *value;
  BootfixVolumeIdKind kind;
  guint32 signature;
  guint64 offset;
  const char *guid;
  const char *format;
} GoodValue;

static const GoodValue good_values[] = {
  { "mbr-doc", BOOTFIX_VOLUME_ID_MBR, 0xB2F6B2F6, 0x7E00, NULL, "disk 0xB2F6B2F6 @ 32256" },
  { "mbr-1m", BOOTFIX_VOLUME_ID_MBR, 0x7A1F0001, 1048576, NULL, "disk 0x7A1F0001 @ 1048576" },
  { "gpt", BOOTFIX_VOLUME_ID_GPT, 0, 0, PART_GUID, "gpt partition " PART_GUID },
  { "usb", BOOTFIX_VOLUME_ID_OTHER, 0, 0, NULL,
    "other \\??\\USBSTOR#Disk&Ven_SanDisk&Prod_Cruzer&Rev_1.00#20060266001&0#"
    "{53f56307-b6bf-11d0-94f2-00a0c91efb8b}" },
  { "cdrom", BOOTFIX_VOLUME_ID_OTHER, 0, 0, NULL,
    "other \\??\\IDE#CdRomQEMU_DVD-ROM#5&1&0&1.0.0#{53f5630d}" },
  { "escape", BOOTFIX_VOLUME_ID_OTHER, 0, 0, NULL, "other (26 bytes)" },
  { "binary", BOOTFIX_VOLUME_ID_OTHER, 0, 0, NULL, "other (16 bytes)" },
};

static void
test_good_value (gconstpointer data)
{
  const GoodValue *c = data;
  g_autoptr (GBytes) value = value_of (c->value);
  gsize size = 0;
  const guint8 *buf = g_bytes_get_data (value, &size);
  g_autoptr (GError) error = NULL;
  g_autofree char *format = bootfix_mounted_device_format (buf, size);
  g_autofree guint8 *again = NULL;
  gsize again_size = 0;
  BootfixVolumeId id;

  g_assert_true (bootfix_mounted_device_decode (buf, size, &id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (id.kind, ==, c->kind);
  g_assert_cmphex (id.disk_signature, ==, c->signature);
  g_assert_cmpuint (id.offset, ==, c->offset);
  if (c->guid != NULL) {
    g_autofree char *guid = bootfix_guid_bytes_to_string (id.guid);
    g_assert_cmpstr (guid, ==, c->guid);
  }
  g_assert_cmpstr (format, ==, c->format);
  /* Round trip: encode (decode (x)) == x where there is an encoding. */
  again = bootfix_mounted_device_encode (&id, &again_size, &error);
  if (c->kind == BOOTFIX_VOLUME_ID_OTHER) {
    g_assert_null (again);
    g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED);
  } else {
    g_assert_no_error (error);
    g_assert_cmpmem (again, again_size, buf, size);
  }
}

/* ---- Bad values ---------------------------------------------------- */

typedef struct {
  const char *name;
  const char *bytes; /* literal; length given separately */
  gsize size;
  const char *message;
} BadValue;

static const BadValue bad_values[] = {
  { "empty", "", 0, "0 bytes is empty" },
  { "dmio-short", "DMIO:ID:0123456789ab", 20, "“DMIO:ID:” but has 20 bytes" },
  { "dmio-long", "DMIO:ID:0123456789abcdefX", 25, "has 25 bytes" },
  { "dmio-12", "DMIO:ID:0123", 12, "has 12 bytes, not 24" },
  { "dmio-prefix-only", "DMIO:ID:", 8, "has 8 bytes" },
  { "odd-1", "\\", 1, "odd length for UTF-16" },
  { "odd-13", "0123456789abc", 13, "13 bytes is neither" },
  { "odd-23", "\\\0?\0?\0\\\0U\0S\0B\0S\0T\0O\0R\0#", 23, "odd length" },
  { "odd-25", "\\\0?\0?\0\\\0U\0S\0B\0S\0T\0O\0R\0#\0D\0", 25, "odd length" },
};

static void
test_bad_value (gconstpointer data)
{
  const BadValue *c = data;
  g_autoptr (GError) error = NULL;
  BootfixVolumeId id;

  g_assert_false (bootfix_mounted_device_decode ((const guint8 *) c->bytes, c->size, &id,
                                                 &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
  if (strstr (error->message, c->message) == NULL)
    g_error ("“%s” not in “%s”", c->message, error->message);
}

static void
test_oversized_value (void)
{
  g_autofree guint8 *big = g_malloc0 (BOOTFIX_MAX_MOUNTED_DEVICE_VALUE + 2);
  g_autoptr (GError) error = NULL;
  g_autofree char *format = NULL;
  BootfixVolumeId id;

  g_assert_true (bootfix_mounted_device_decode (big, BOOTFIX_MAX_MOUNTED_DEVICE_VALUE, &id,
                                                NULL));
  g_assert_false (bootfix_mounted_device_decode (big, BOOTFIX_MAX_MOUNTED_DEVICE_VALUE + 2,
                                                 &id, &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
  g_assert_nonnull (strstr (error->message, "larger than 4096 bytes"));
  format = bootfix_mounted_device_format (big, BOOTFIX_MAX_MOUNTED_DEVICE_VALUE + 2);
  g_assert_cmpstr (format, ==, "invalid (4098 bytes)");
}

/* ---- Names --------------------------------------------------------- */

typedef struct {
  const char *name;
  BootfixMountedNameKind kind;
  char letter;
  const char *guid;
} GoodName;

static const GoodName good_names[] = {
  { "\\DosDevices\\C:", BOOTFIX_MOUNTED_NAME_DRIVE, 'C', NULL },
  { "\\dosdevices\\d:", BOOTFIX_MOUNTED_NAME_DRIVE, 'D', NULL },
  { "\\DosDevices\\Z:", BOOTFIX_MOUNTED_NAME_DRIVE, 'Z', NULL },
  { "\\??\\Volume" PART_GUID, BOOTFIX_MOUNTED_NAME_VOLUME, 0, PART_GUID },
  { "\\??\\VOLUME{6F4C5E2A-1B2C-11E0-9A3B-806E6F6E6963}", BOOTFIX_MOUNTED_NAME_VOLUME, 0,
    PART_GUID },
  { "#{5cbd7d03-35c2-11e0-8a49-806e6f6e6963}", BOOTFIX_MOUNTED_NAME_OTHER, 0, NULL },
  { "\\DosDevices", BOOTFIX_MOUNTED_NAME_OTHER, 0, NULL },
  { "", BOOTFIX_MOUNTED_NAME_OTHER, 0, NULL },
};

static void
test_good_name (gconstpointer data)
{
  const GoodName *c = data;
  g_autoptr (GError) error = NULL;
  BootfixMountedName n;

  g_assert_true (bootfix_mounted_device_parse_name (c->name, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpint (n.kind, ==, c->kind);
  g_assert_cmpint (n.letter, ==, c->letter);
  if (c->guid != NULL) {
    g_autofree char *guid = bootfix_guid_bytes_to_string (n.volume_guid);
    g_autofree char *name = bootfix_mounted_device_volume_name (n.volume_guid);
    g_assert_cmpstr (guid, ==, c->guid);
    g_assert_cmpstr (name, ==, "\\??\\Volume" PART_GUID);
  }
  if (c->kind == BOOTFIX_MOUNTED_NAME_DRIVE) {
    g_autofree char *name = bootfix_mounted_device_drive_name (c->letter);
    g_assert_true (g_ascii_strcasecmp (name, c->name) == 0);
  }
}

typedef struct {
  const char *name;
  const char *message;
} BadName;

static const BadName bad_names[] = {
  { "\\DosDevices\\", "is not a name like \\DosDevices\\C:" },
  { "\\DosDevices\\CC:", "“\\\\DosDevices\\\\CC:” is not" },
  { "\\DosDevices\\1:", "like \\DosDevices\\C:" },
  { "\\DosDevices\\C", "like \\DosDevices\\C:" },
  { "\\DosDevices\\C:\\", "like \\DosDevices\\C:" },
  { "\\DosDevices\\\x1b[2J:", "\\033[2J:" },
  { "\\??\\Volume", "like \\??\\Volume{" },
  { "\\??\\Volume{1234}", "like \\??\\Volume{" },
  { "\\??\\Volume{6f4c5e2a-1b2c-11e0-9a3b-806e6f6e6963", "like \\??\\Volume{" },
  { "\\??\\Volume6f4c5e2a-1b2c-11e0-9a3b-806e6f6e6963", "like \\??\\Volume{" },
  { "\\??\\Volume{6f4c5e2a-1b2c-11e0-9a3b-806e6f6e6963}x", "like \\??\\Volume{" },
  { "\\??\\Volume{6f4c5e2a-1b2c-11e0-9a3b-806e6f6e696z}", "like \\??\\Volume{" },
};

static void
test_bad_name (gconstpointer data)
{
  const BadName *c = data;
  g_autoptr (GError) error = NULL;
  BootfixMountedName n;

  g_assert_false (bootfix_mounted_device_parse_name (c->name, &n, &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
  if (strstr (error->message, c->message) == NULL)
    g_error ("“%s” not in “%s”", c->message, error->message);
}

static void
test_long_name (void)
{
  g_autofree char *name = g_strnfill (BOOTFIX_MAX_MOUNTED_DEVICE_NAME + 1, 'x');
  g_autoptr (GError) error = NULL;
  BootfixMountedName n;

  g_assert_false (bootfix_mounted_device_parse_name (name, &n, &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST);
  g_assert_nonnull (strstr (error->message, "longer than 1024 bytes"));
  name[BOOTFIX_MAX_MOUNTED_DEVICE_NAME] = '\0';
  g_assert_true (bootfix_mounted_device_parse_name (name, &n, NULL));
}

/* ---- Rewrite ------------------------------------------------------- */

/* How many bytes differ, and that the lengths agree. */
static guint
n_diff (const guint8 *a, gsize a_size, const guint8 *b, gsize b_size)
{
  guint n = 0;
  g_assert_cmpuint (a_size, ==, b_size);
  for (gsize i = 0; i < a_size; i++)
    n += a[i] != b[i];
  return n;
}

static void
test_rewrite_mbr (void)
{
  g_autoptr (GBytes) value = value_of ("mbr-doc");
  gsize size = 0, new_size = 0;
  const guint8 *buf = g_bytes_get_data (value, &size);
  BootfixVolumeId old_id = { BOOTFIX_VOLUME_ID_MBR, 0xB2F6B2F6, 0x7E00, { 0 } };
  /* Partition moved from LBA 63 to LBA 2048; signature kept. */
  BootfixVolumeId new_id = { BOOTFIX_VOLUME_ID_MBR, 0xB2F6B2F6, 0x100000, { 0 } };
  static const guint8 expect[] = { 0xf6, 0xb2, 0xf6, 0xb2, 0x00, 0x00,
                                   0x10, 0x00, 0x00, 0x00, 0x00, 0x00 };
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *out = bootfix_mounted_device_rewrite (buf, size, &old_id, &new_id,
                                                           &new_size, &error);

  g_assert_no_error (error);
  g_assert_cmpmem (out, new_size, expect, sizeof expect);
  /* Only offset bytes 5 (0x7e -> 0x00) and 6 (0x00 -> 0x10) change. */
  g_assert_cmpuint (n_diff (buf, size, out, new_size), ==, 2);
  g_assert_cmpuint (out[5], !=, buf[5]);
  g_assert_cmpuint (out[6], !=, buf[6]);
}

static void
test_rewrite_gpt (void)
{
  g_autoptr (GBytes) value = value_of ("gpt");
  gsize size = 0, new_size = 0;
  const guint8 *buf = g_bytes_get_data (value, &size);
  BootfixVolumeId old_id = { BOOTFIX_VOLUME_ID_GPT, 0, 0, { 0 } };
  BootfixVolumeId new_id = old_id;
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *out = NULL;

  memcpy (old_id.guid, part_guid_bytes, 16);
  memcpy (new_id.guid, part_guid_bytes, 16);
  new_id.guid[15] ^= 0xff;
  out = bootfix_mounted_device_rewrite (buf, size, &old_id, &new_id, &new_size, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n_diff (buf, size, out, new_size), ==, 1);
  g_assert_cmpmem (out, 8, "DMIO:ID:", 8);
  g_assert_cmpuint (out[23], ==, 0x63 ^ 0xff);
}

static void
test_rewrite_refused (void)
{
  g_autoptr (GBytes) mbr = value_of ("mbr-doc");
  g_autoptr (GBytes) usb = value_of ("usb");
  BootfixVolumeId old_id = { BOOTFIX_VOLUME_ID_MBR, 0xB2F6B2F6, 0x7E00, { 0 } };
  BootfixVolumeId wrong = { BOOTFIX_VOLUME_ID_MBR, 0xB2F6B2F6, 0x8000, { 0 } };
  BootfixVolumeId gpt = { BOOTFIX_VOLUME_ID_GPT, 0, 0, { 1 } };
  gsize size = 0, new_size = 99;
  const guint8 *buf = g_bytes_get_data (mbr, &size);
  g_autoptr (GError) e1 = NULL;
  g_autoptr (GError) e2 = NULL;
  g_autoptr (GError) e3 = NULL;

  /* The value does not name the old volume. */
  g_assert_null (bootfix_mounted_device_rewrite (buf, size, &wrong, &old_id, &new_size, &e1));
  g_assert_error (e1, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED);
  g_assert_cmpstr (e1->message, ==,
                   "MountedDevices value names disk 0xB2F6B2F6 @ 32256, not "
                   "disk 0xB2F6B2F6 @ 32768");
  g_assert_cmpuint (new_size, ==, 0);
  /* MBR to GPT would change the length. */
  g_assert_null (bootfix_mounted_device_rewrite (buf, size, &old_id, &gpt, &new_size, &e2));
  g_assert_error (e2, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED);
  g_assert_nonnull (strstr (e2->message, "would change length"));
  /* Opaque values have nothing to rewrite. */
  buf = g_bytes_get_data (usb, &size);
  g_assert_null (bootfix_mounted_device_rewrite (buf, size, &old_id, &old_id, &new_size, &e3));
  g_assert_error (e3, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED);
  g_assert_nonnull (strstr (e3->message, "cannot be rewritten"));
}

static void
write_corpus (const char *dir)
{
  for (guint i = 0; i < G_N_ELEMENTS (good_values); i++) {
    g_autoptr (GBytes) v = value_of (good_values[i].value);
    g_autofree char *path = g_build_filename (dir, good_values[i].value, NULL);
    gsize size = 0;
    const char *data = g_bytes_get_data (v, &size);
    g_assert_true (g_file_set_contents (path, data, size, NULL));
  }
  /* The fuzzer also reads its input as a value name. */
  for (guint i = 0; i < G_N_ELEMENTS (good_names); i++) {
    g_autofree char *file = g_strdup_printf ("name-%u", i);
    g_autofree char *path = g_build_filename (dir, file, NULL);
    if (good_names[i].name[0] != '\0')
      g_assert_true (g_file_set_contents (path, good_names[i].name, -1, NULL));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("BOOTFIX_WRITE_CORPUS") != NULL)
    write_corpus (g_getenv ("BOOTFIX_WRITE_CORPUS"));
  for (guint i = 0; i < G_N_ELEMENTS (good_values); i++) {
    g_autofree char *path = g_strdup_printf ("/mounted-devices/value/good/%s",
                                             good_values[i].value);
    g_test_add_data_func (path, &good_values[i], test_good_value);
  }
  for (guint i = 0; i < G_N_ELEMENTS (bad_values); i++) {
    g_autofree char *path = g_strdup_printf ("/mounted-devices/value/bad/%s",
                                             bad_values[i].name);
    g_test_add_data_func (path, &bad_values[i], test_bad_value);
  }
  for (guint i = 0; i < G_N_ELEMENTS (good_names); i++) {
    g_autofree char *path = g_strdup_printf ("/mounted-devices/name/good/%u", i);
    g_test_add_data_func (path, &good_names[i], test_good_name);
  }
  for (guint i = 0; i < G_N_ELEMENTS (bad_names); i++) {
    g_autofree char *path = g_strdup_printf ("/mounted-devices/name/bad/%u", i);
    g_test_add_data_func (path, &bad_names[i], test_bad_name);
  }
  g_test_add_func ("/mounted-devices/value/oversized", test_oversized_value);
  g_test_add_func ("/mounted-devices/name/long", test_long_name);
  g_test_add_func ("/mounted-devices/rewrite/mbr", test_rewrite_mbr);
  g_test_add_func ("/mounted-devices/rewrite/gpt", test_rewrite_gpt);
  g_test_add_func ("/mounted-devices/rewrite/refused", test_rewrite_refused);
  return g_test_run ();
}
