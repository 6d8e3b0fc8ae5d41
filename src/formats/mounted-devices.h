/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SYSTEM\MountedDevices: value data (which volume) and value names
 * (which drive letter or volume GUID).  Pure codecs; the hive is read
 * and written elsewhere.  Layouts: docs/boot-formats.md, "MountedDevices". */
#ifndef BOOTFIX_MOUNTED_DEVICES_H
#define BOOTFIX_MOUNTED_DEVICES_H

#include <glib.h>
#include "disk-layout.h"

G_BEGIN_DECLS

/* u32 disk signature + u64 partition start in bytes */
#define BOOTFIX_MOUNTED_DEVICE_MBR_SIZE 12
/* "DMIO:ID:" + 16 GUID bytes */
#define BOOTFIX_MOUNTED_DEVICE_GPT_SIZE 24
/* Removable-media values are UTF-16 PnP paths of a few hundred bytes. */
#define BOOTFIX_MAX_MOUNTED_DEVICE_VALUE 4096
/* "\??\Volume{…}" is 48 characters; allow generous other names. */
#define BOOTFIX_MAX_MOUNTED_DEVICE_NAME 1024

typedef enum {
  BOOTFIX_VOLUME_ID_MBR,   /* disk signature + byte offset */
  BOOTFIX_VOLUME_ID_GPT,   /* GPT unique partition GUID (or LDM volume id) */
  BOOTFIX_VOLUME_ID_OTHER, /* anything else, e.g. "\??\USBSTOR#…": opaque */
} BootfixVolumeIdKind;

/* The identity a MountedDevices value records. */
typedef struct {
  BootfixVolumeIdKind kind;
  guint32 disk_signature;           /* MBR */
  guint64 offset;                   /* MBR: partition start, bytes */
  guint8 guid[BOOTFIX_GUID_SIZE];   /* GPT */
} BootfixVolumeId;

/* Decode a value.  Values that are neither form but are even-length
 * (UTF-16 device paths) give BOOTFIX_VOLUME_ID_OTHER, not an error.
 * Fails (BOOTFIX_ERROR_GUEST) for empty, oversized or odd-length
 * values and "DMIO:ID:" values that are not 24 bytes. */
gboolean bootfix_mounted_device_decode (const guint8 *buf, gsize size,
                                        BootfixVolumeId *id, GError **error);

/* The value bytes for an MBR or GPT identity (12 or 24 bytes, g_free). */
guint8 *bootfix_mounted_device_encode (const BootfixVolumeId *id, gsize *size,
                                       GError **error);

/* The value that replaces buf when the volume old_id now has the
 * identity new_id: same length as buf.  Fails when buf does not decode
 * to old_id or when the two identities are of different kinds (the
 * value would change length: encode the new one instead). */
guint8 *bootfix_mounted_device_rewrite (const guint8 *buf, gsize size,
                                        const BootfixVolumeId *old_id,
                                        const BootfixVolumeId *new_id,
                                        gsize *new_size, GError **error);

gboolean bootfix_volume_id_equal (const BootfixVolumeId *a, const BootfixVolumeId *b);

/* "disk 0x7A1F0001 @ 1048576", "gpt partition {…}", "other". */
char *bootfix_volume_id_format (const BootfixVolumeId *id);
/* Any value, for reports; never fails.  Other values show their text
 * ("other \??\USBSTOR#…") when it is printable ASCII in UTF-16 (as PnP
 * paths are), else their length. */
char *bootfix_mounted_device_format (const guint8 *buf, gsize size);

typedef enum {
  BOOTFIX_MOUNTED_NAME_DRIVE,  /* \DosDevices\C: */
  BOOTFIX_MOUNTED_NAME_VOLUME, /* \??\Volume{guid} */
  BOOTFIX_MOUNTED_NAME_OTHER,  /* anything else (#{…} and the like) */
} BootfixMountedNameKind;

typedef struct {
  BootfixMountedNameKind kind;
  char letter;                           /* DRIVE: 'A'..'Z' */
  guint8 volume_guid[BOOTFIX_GUID_SIZE]; /* VOLUME */
} BootfixMountedName;

/* Classify a value name (case-insensitive, as registry names are).
 * Names that start like a drive or volume name but are malformed fail
 * with BOOTFIX_ERROR_GUEST; unknown names are OTHER. */
gboolean bootfix_mounted_device_parse_name (const char *name,
                                            BootfixMountedName *out,
                                            GError **error);
/* "\DosDevices\C:" (letter upper-cased) and "\??\Volume{…}". */
char *bootfix_mounted_device_drive_name (char letter);
char *bootfix_mounted_device_volume_name (const guint8 guid[BOOTFIX_GUID_SIZE]);

G_END_DECLS

#endif
