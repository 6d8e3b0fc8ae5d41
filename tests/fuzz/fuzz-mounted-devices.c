/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the MountedDevices codec (mounted-devices.c).
 * The input is tried as a value (decode, encode round trip, rewrite to
 * another identity of the same kind, format) and, up to its first NUL,
 * as a value name and as GUID text. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <glib.h>

#include "bootfix-error.h"
#include "disk-layout.h"
#include "mounted-devices.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_guest_error (GError *error)
{
  g_assert (g_error_matches (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST));
  g_assert (error->message[0] != '\0' && g_utf8_validate (error->message, -1, NULL));
  g_error_free (error);
}

/* Another identity of the same kind: every field changed. */
static BootfixVolumeId
other_identity (const BootfixVolumeId *id)
{
  BootfixVolumeId n = *id;
  n.disk_signature = ~id->disk_signature;
  n.offset = id->offset + 512;
  for (guint i = 0; i < BOOTFIX_GUID_SIZE; i++)
    n.guid[i] = (guint8) ~id->guid[i];
  return n;
}

static void
check_known_value (const uint8_t *data, size_t size, const BootfixVolumeId *id)
{
  BootfixVolumeId n = other_identity (id), back;
  gsize enc_size = 0, new_size = 0;
  g_autofree guint8 *enc = bootfix_mounted_device_encode (id, &enc_size, NULL);
  g_autofree guint8 *rew = NULL;
  g_autofree char *text = bootfix_volume_id_format (id);

  /* encode (decode (x)) == x */
  g_assert (enc != NULL && enc_size == size && memcmp (enc, data, size) == 0);
  rew = bootfix_mounted_device_rewrite (data, size, id, &n, &new_size, NULL);
  g_assert (rew != NULL && new_size == size);
  g_assert (bootfix_mounted_device_decode (rew, new_size, &back, NULL));
  g_assert (bootfix_volume_id_equal (&back, &n));
  /* The old identity no longer matches the new bytes. */
  g_assert (bootfix_mounted_device_rewrite (rew, new_size, id, &n, &new_size, NULL) == NULL);
  g_assert (g_utf8_validate (text, -1, NULL));
}

static void
check_value (const uint8_t *data, size_t size)
{
  BootfixVolumeId id;
  GError *error = NULL;
  g_autofree char *text = bootfix_mounted_device_format (data, size);

  g_assert (text != NULL && g_utf8_validate (text, -1, NULL));
  for (const char *c = text; *c != '\0'; c++)
    g_assert ((guchar) *c >= 0x20 && *c != 0x7f);
  if (!bootfix_mounted_device_decode (data, size, &id, &error)) {
    check_guest_error (error);
    return;
  }
  if (id.kind != BOOTFIX_VOLUME_ID_OTHER)
    check_known_value (data, size, &id);
}

static void
check_name (const char *name)
{
  BootfixMountedName n, again;
  GError *error = NULL;
  guint8 guid[BOOTFIX_GUID_SIZE];
  g_autofree char *rebuilt = NULL;

  /* GUID text: bytes and back give the same digits, lower case. */
  if (bootfix_guid_text_to_bytes (name, guid, &error)) {
    char text[BOOTFIX_GUID_TEXT_SIZE];
    bootfix_guid_bytes_to_text (guid, text);
    g_assert (g_ascii_strncasecmp (text + 1, name[0] == '{' ? name + 1 : name, 36) == 0);
  } else {
    check_guest_error (error);
    error = NULL;
  }
  if (!bootfix_mounted_device_parse_name (name, &n, &error)) {
    check_guest_error (error);
    return;
  }
  if (n.kind == BOOTFIX_MOUNTED_NAME_DRIVE)
    rebuilt = bootfix_mounted_device_drive_name (n.letter);
  else if (n.kind == BOOTFIX_MOUNTED_NAME_VOLUME)
    rebuilt = bootfix_mounted_device_volume_name (n.volume_guid);
  if (rebuilt == NULL)
    return;
  g_assert (g_ascii_strcasecmp (rebuilt, name) == 0);
  g_assert (bootfix_mounted_device_parse_name (rebuilt, &again, NULL));
  g_assert (memcmp (&n, &again, sizeof n) == 0);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *name = g_strndup ((const char *) data, size);

  check_value (data, size);
  check_name (name);
  return 0;
}
