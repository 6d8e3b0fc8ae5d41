/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SYSTEM\MountedDevices values and names (docs/boot-formats.md,
 * "MountedDevices").
 * Value data and names come from the guest's hive: lengths are checked
 * before every read and all reads go through bytes.h. */
#include "config.h"

#include <inttypes.h>

#include <string.h>
#include <glib/gi18n-lib.h>

#include "mounted-devices.h"
#include "bootfix-error.h"
#include "bytes.h"

/* 24-byte GPT form: ASCII "DMIO:ID:" then the partition GUID bytes. */
#define DMIO_PREFIX "DMIO:ID:"
#define DMIO_PREFIX_LEN 8
/* 12-byte MBR form: u32 signature at 0, u64 offset at 4. */
#define MBR_SIGNATURE_OFFSET 0
#define MBR_OFFSET_OFFSET 4

#define DOS_DEVICES_PREFIX "\\DosDevices\\"
#define VOLUME_PREFIX "\\??\\Volume"
/* How much of a hostile name an error message quotes. */
#define MAX_QUOTED_NAME 64
/* How many UTF-16 units of an "other" value a report shows. */
#define MAX_SHOWN_UNITS 256

static gboolean
has_dmio_prefix (const guint8 *buf, gsize size)
{
  for (gsize i = 0; i < DMIO_PREFIX_LEN; i++) {
    guint8 b = 0;
    if (!bootfix_read_u8 (buf, size, i, &b) || b != (guint8) DMIO_PREFIX[i])
      return FALSE;
  }
  return TRUE;
}

static gboolean
decode_known (const guint8 *buf, gsize size, BootfixVolumeId *id)
{
  if (size == BOOTFIX_MOUNTED_DEVICE_GPT_SIZE) {
    id->kind = BOOTFIX_VOLUME_ID_GPT;
    for (gsize i = 0; i < BOOTFIX_GUID_SIZE; i++) {
      if (!bootfix_read_u8 (buf, size, DMIO_PREFIX_LEN + i, &id->guid[i]))
        return FALSE;
    }
    return TRUE;
  }
  id->kind = BOOTFIX_VOLUME_ID_MBR;
  return bootfix_read_le32 (buf, size, MBR_SIGNATURE_OFFSET, &id->disk_signature) &&
         bootfix_read_le64 (buf, size, MBR_OFFSET_OFFSET, &id->offset);
}

gboolean
bootfix_mounted_device_decode (const guint8 *buf, gsize size, BootfixVolumeId *id,
                               GError **error)
{
  gboolean dmio;

  g_return_val_if_fail (buf != NULL || size == 0, FALSE);
  memset (id, 0, sizeof *id);
  dmio = has_dmio_prefix (buf, size);
  if (size == 0 || size > BOOTFIX_MAX_MOUNTED_DEVICE_VALUE) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
                 _("MountedDevices value of %" "zu" " bytes is empty or "
                   "larger than %u bytes"),
                 size, BOOTFIX_MAX_MOUNTED_DEVICE_VALUE);
    return FALSE;
  }
  if (dmio && size != BOOTFIX_MOUNTED_DEVICE_GPT_SIZE) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
                 _("MountedDevices value starts with “DMIO:ID:” but has %" "zu"
                   " bytes, not %u"),
                 size, BOOTFIX_MOUNTED_DEVICE_GPT_SIZE);
    return FALSE;
  }
  if (dmio || size == BOOTFIX_MOUNTED_DEVICE_MBR_SIZE)
    return decode_known (buf, size, id);
  /* Everything else Windows writes is a UTF-16 device path. */
  if (size % 2 != 0) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
                 _("MountedDevices value of %" "zu" " bytes is neither an MBR "
                   "nor a GPT identity and has an odd length for UTF-16"),
                 size);
    return FALSE;
  }
  id->kind = BOOTFIX_VOLUME_ID_OTHER;
  return TRUE;
}

guint8 *
bootfix_mounted_device_encode (const BootfixVolumeId *id, gsize *size, GError **error)
{
  g_autofree guint8 *out = NULL;

  switch (id->kind) {
  case BOOTFIX_VOLUME_ID_MBR:
    *size = BOOTFIX_MOUNTED_DEVICE_MBR_SIZE;
    out = g_malloc0 (*size);
    bootfix_write_le32 (out, *size, MBR_SIGNATURE_OFFSET, id->disk_signature);
    bootfix_write_le64 (out, *size, MBR_OFFSET_OFFSET, id->offset);
    return g_steal_pointer (&out);
  case BOOTFIX_VOLUME_ID_GPT:
    *size = BOOTFIX_MOUNTED_DEVICE_GPT_SIZE;
    out = g_malloc0 (*size);
    memcpy (out, DMIO_PREFIX, DMIO_PREFIX_LEN);
    memcpy (out + DMIO_PREFIX_LEN, id->guid, BOOTFIX_GUID_SIZE);
    return g_steal_pointer (&out);
  case BOOTFIX_VOLUME_ID_OTHER:
  default:
    break;
  }
  *size = 0;
  g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
               _("cannot encode a MountedDevices value for an opaque identity"));
  return NULL;
}

gboolean
bootfix_volume_id_equal (const BootfixVolumeId *a, const BootfixVolumeId *b)
{
  if (a->kind != b->kind)
    return FALSE;
  switch (a->kind) {
  case BOOTFIX_VOLUME_ID_MBR:
    return a->disk_signature == b->disk_signature && a->offset == b->offset;
  case BOOTFIX_VOLUME_ID_GPT:
    return memcmp (a->guid, b->guid, BOOTFIX_GUID_SIZE) == 0;
  case BOOTFIX_VOLUME_ID_OTHER:
  default:
    /* Opaque values carry no identity we could compare. */
    return FALSE;
  }
}

guint8 *
bootfix_mounted_device_rewrite (const guint8 *buf, gsize size,
                                const BootfixVolumeId *old_id,
                                const BootfixVolumeId *new_id, gsize *new_size,
                                GError **error)
{
  BootfixVolumeId found;
  g_autofree char *found_text = NULL;
  g_autofree char *old_text = NULL;

  *new_size = 0;
  if (!bootfix_mounted_device_decode (buf, size, &found, error))
    return NULL;
  if (found.kind == BOOTFIX_VOLUME_ID_OTHER) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("MountedDevices value of %" "zu" " bytes is neither an MBR "
                   "nor a GPT identity and cannot be rewritten"),
                 size);
    return NULL;
  }
  if (!bootfix_volume_id_equal (&found, old_id)) {
    found_text = bootfix_volume_id_format (&found);
    old_text = bootfix_volume_id_format (old_id);
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("MountedDevices value names %s, not %s"), found_text, old_text);
    return NULL;
  }
  /* Same kind, same length: a same-size value write is all it takes. */
  if (new_id->kind != old_id->kind) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("cannot rewrite a MountedDevices value in place across MBR and GPT "
                   "(the value would change length)"));
    return NULL;
  }
  return bootfix_mounted_device_encode (new_id, new_size, error);
}

char *
bootfix_volume_id_format (const BootfixVolumeId *id)
{
  char guid[BOOTFIX_GUID_TEXT_SIZE];

  switch (id->kind) {
  case BOOTFIX_VOLUME_ID_MBR:
    return g_strdup_printf ("disk 0x%08X @ %" PRIu64, id->disk_signature,
                            id->offset);
  case BOOTFIX_VOLUME_ID_GPT:
    bootfix_guid_bytes_to_text (id->guid, guid);
    return g_strdup_printf ("gpt partition %s", guid);
  case BOOTFIX_VOLUME_ID_OTHER:
  default:
    return g_strdup ("other");
  }
}

/* The text of a UTF-16 value when it is plain printable ASCII (as PnP
 * paths are), up to a NUL; NULL when it is not text. */
static char *
ascii_utf16_text (const guint8 *buf, gsize size)
{
  g_autoptr (GString) s = g_string_new (NULL);
  for (gsize i = 0; i < MAX_SHOWN_UNITS; i++) {
    guint16 u = 0;
    if (!bootfix_read_le16 (buf, size, 2 * i, &u) || u == 0)
      break;
    if (u < 0x20 || u > 0x7e)
      return NULL;
    g_string_append_c (s, (char) u);
  }
  return s->len > 0 ? g_string_free (g_steal_pointer (&s), FALSE) : NULL;
}

char *
bootfix_mounted_device_format (const guint8 *buf, gsize size)
{
  BootfixVolumeId id;
  g_autofree char *text = NULL;

  if (!bootfix_mounted_device_decode (buf, size, &id, NULL))
    return g_strdup_printf ("invalid (%" "zu" " bytes)", size);
  if (id.kind != BOOTFIX_VOLUME_ID_OTHER)
    return bootfix_volume_id_format (&id);
  text = ascii_utf16_text (buf, size);
  if (text != NULL)
    return g_strdup_printf ("other %s", text);
  return g_strdup_printf ("other (%" "zu" " bytes)", size);
}

/* ---- Names -------------------------------------------------------- */

static gboolean
bad_name (const char *name, const char *expected, GError **error)
{
  g_autofree char *quoted = bootfix_quote_guest_text (name, MAX_QUOTED_NAME);
  g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
               _("MountedDevices value name “%s” is not a name like %s"), quoted,
               expected);
  return FALSE;
}

gboolean
bootfix_mounted_device_parse_name (const char *name, BootfixMountedName *out,
                                   GError **error)
{
  gsize len;
  const gsize dos_len = strlen (DOS_DEVICES_PREFIX);
  const gsize vol_len = strlen (VOLUME_PREFIX);

  g_return_val_if_fail (name != NULL, FALSE);
  memset (out, 0, sizeof *out);
  len = strnlen (name, BOOTFIX_MAX_MOUNTED_DEVICE_NAME + 1);
  if (len > BOOTFIX_MAX_MOUNTED_DEVICE_NAME) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST,
                 _("MountedDevices value name is longer than %u bytes"),
                 BOOTFIX_MAX_MOUNTED_DEVICE_NAME);
    return FALSE;
  }
  if (len >= dos_len && g_ascii_strncasecmp (name, DOS_DEVICES_PREFIX, dos_len) == 0) {
    const char *rest = name + dos_len;
    if (!g_ascii_isalpha (rest[0]) || rest[1] != ':' || rest[2] != '\0')
      return bad_name (name, "\\DosDevices\\C:", error);
    out->kind = BOOTFIX_MOUNTED_NAME_DRIVE;
    out->letter = g_ascii_toupper (rest[0]);
    return TRUE;
  }
  if (len >= vol_len && g_ascii_strncasecmp (name, VOLUME_PREFIX, vol_len) == 0) {
    const char *rest = name + vol_len;
    if (rest[0] != '{' ||
        !bootfix_guid_text_to_bytes (rest, out->volume_guid, NULL))
      return bad_name (name, "\\??\\Volume{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}", error);
    out->kind = BOOTFIX_MOUNTED_NAME_VOLUME;
    return TRUE;
  }
  out->kind = BOOTFIX_MOUNTED_NAME_OTHER;
  return TRUE;
}

char *
bootfix_mounted_device_drive_name (char letter)
{
  g_return_val_if_fail (g_ascii_isalpha (letter), NULL);
  return g_strdup_printf (DOS_DEVICES_PREFIX "%c:", g_ascii_toupper (letter));
}

char *
bootfix_mounted_device_volume_name (const guint8 guid[BOOTFIX_GUID_SIZE])
{
  char text[BOOTFIX_GUID_TEXT_SIZE];
  bootfix_guid_bytes_to_text (guid, text);
  return g_strconcat (VOLUME_PREFIX, text, NULL);
}
