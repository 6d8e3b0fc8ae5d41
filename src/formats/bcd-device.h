/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* BCD device elements (element format 1: 11000001 device, 21000001
 * osdevice, 31000003 ramdisksdidevice, ...): a pure codec over the raw
 * REG_BINARY bytes.  parse() builds a model that keeps every byte, so
 * encode() of an unmodified model gives the input back byte for byte.
 * Layout: docs/boot-formats.md, "BCD device elements". */
#ifndef BOOTFIX_BCD_DEVICE_H
#define BOOTFIX_BCD_DEVICE_H

#include <glib.h>

G_BEGIN_DECLS

/* Deepest chain of nested descriptors we follow (real ones: 4). */
#define BOOTFIX_BCD_MAX_DEPTH 8
/* Largest device value we parse (real ones: under 1 KiB). */
#define BOOTFIX_BCD_MAX_DEVICE_LEN (64 * 1024)
/* Options GUID (16) + descriptor header (16). */
#define BOOTFIX_BCD_DEVICE_MIN_LEN 0x20
#define BOOTFIX_BCD_HEADER_LEN 0x10
/* A partition descriptor as bcdedit writes it, header included. */
#define BOOTFIX_BCD_PARTITION_LEN 0x48

/* DeviceType in a descriptor header (not the WMI numbers). */
typedef enum {
  BOOTFIX_BCD_DEV_BLOCK = 0, /* block I/O, local sub-type follows */
  BOOTFIX_BCD_DEV_LEGACY_PARTITION = 2,
  BOOTFIX_BCD_DEV_SERIAL = 3,
  BOOTFIX_BCD_DEV_UDP = 4,
  BOOTFIX_BCD_DEV_BOOT = 5,
  BOOTFIX_BCD_DEV_PARTITION = 6,
  BOOTFIX_BCD_DEV_LOCATE = 8,
} BootfixBcdDeviceType;

/* Local sub-type of a block (type 0) descriptor. */
typedef enum {
  BOOTFIX_BCD_LOCAL_DISK = 0,
  BOOTFIX_BCD_LOCAL_FLOPPY = 1,
  BOOTFIX_BCD_LOCAL_CDROM = 2,
  BOOTFIX_BCD_LOCAL_RAMDISK = 3,
  BOOTFIX_BCD_LOCAL_FILE = 5,
  BOOTFIX_BCD_LOCAL_VHD = 6,
} BootfixBcdLocalType;

/* Partition style inside a partition descriptor. */
typedef enum {
  BOOTFIX_BCD_STYLE_GPT = 0,
  BOOTFIX_BCD_STYLE_MBR = 1,
  BOOTFIX_BCD_STYLE_RAW = 2,
} BootfixBcdPartitionStyle;

/* What the parser made of one descriptor. */
typedef enum {
  BOOTFIX_BCD_NODE_OPAQUE,    /* not understood: payload kept in raw */
  BOOTFIX_BCD_NODE_PARTITION, /* type 6 */
  BOOTFIX_BCD_NODE_BOOT,      /* type 5, payload in raw */
  BOOTFIX_BCD_NODE_RAMDISK,   /* type 0 local 3: params, file path */
  BOOTFIX_BCD_NODE_FILE,      /* type 0 local 5: file path */
  BOOTFIX_BCD_NODE_VHD,       /* type 0 local 6: raw params, nested */
  BOOTFIX_BCD_NODE_LOCATE,    /* type 8: element, path, nested */
} BootfixBcdNodeKind;

/* One descriptor.  Offsets are absolute in the value.  A field is
 * meaningful only for the kinds named next to it. */
typedef struct _BootfixBcdNode BootfixBcdNode;
struct _BootfixBcdNode {
  BootfixBcdNodeKind kind;
  gsize offset; /* of the 16-byte header */
  guint depth;  /* 0: the outer descriptor at 0x10 */
  guint32 type, flags, size, reserved;

  /* PARTITION: +0x10 partition id (MBR: u64 byte offset + 8 bytes;
   * GPT: partition GUID), +0x20 disk local type, +0x24 style,
   * +0x28 disk id (MBR: u32 signature + 12 bytes; GPT: disk GUID). */
  guint8 partition_id[16];
  guint32 disk_type;
  guint32 style;
  guint8 disk_id[16];

  /* RAMDISK, FILE, VHD: local sub-type at +0x10. */
  guint32 local_type;
  /* RAMDISK: image base, size, offset at +0x14, +0x1c, +0x24. */
  guint64 image_base, image_size;
  guint32 image_offset;

  /* RAMDISK, FILE: file-path header (version, length, path type),
   * then the nested parent device, then the UTF-16LE path. */
  gsize fp_offset;
  guint32 fp_version, fp_length, fp_type;

  /* LOCATE: +0x10 kind, +0x14 element id to locate, +0x18 offset of
   * the nested descriptor from this header; UTF-16LE string between. */
  guint32 locate_kind, locate_element, locate_offset;

  /* RAMDISK, FILE: the file path; LOCATE: the locate string.  UTF-16LE
   * as stored, NUL included; may be empty but never NULL for them. */
  gsize path_offset;
  GBytes *path;

  /* RAMDISK, FILE: parent device; VHD, LOCATE: next descriptor. */
  BootfixBcdNode *nested;

  /* Bytes kept as stored: raw is the payload we do not decode (OPAQUE,
   * BOOT, VHD parameters), tail whatever follows the decoded part up to
   * offset + size.  NULL when empty. */
  gsize raw_offset;
  GBytes *raw;
  gsize tail_offset;
  GBytes *tail;
};

typedef struct {
  gsize length;        /* of the value */
  guint8 options[16];  /* associated options object, GUID bytes */
  BootfixBcdNode *root; /* the descriptor at 0x10 */
  gsize trailer_offset; /* bytes after the root descriptor, or NULL */
  GBytes *trailer;
  /* FALSE when some descriptor is OPAQUE: it may name a partition we
   * cannot see, so a fixer must not assume the list is complete. */
  gboolean complete;
} BootfixBcdDevice;

typedef enum {
  BOOTFIX_BCD_REF_MBR,
  BOOTFIX_BCD_REF_GPT,
} BootfixBcdRefKind;

/* A partition named by a device element.  offset is where the
 * partition descriptor's header starts; the identity fields sit at
 * offset + 0x10 (partition), + 0x24 (style), + 0x28 (disk). */
typedef struct {
  gsize offset;
  guint depth;
  BootfixBcdRefKind kind;
  guint32 disk_signature;    /* MBR */
  guint64 partition_offset;  /* MBR, bytes from the start of the disk */
  guint8 disk_guid[16];      /* GPT, GUID bytes as stored */
  guint8 partition_guid[16]; /* GPT, GUID bytes as stored */
} BootfixBcdPartitionRef;

/* Parse a device value.  Damage -> BOOTFIX_ERROR_GUEST naming the field
 * and its offset. */
BootfixBcdDevice *bootfix_bcd_device_parse (const guint8 *data, gsize len,
                                            GError **error);
void bootfix_bcd_device_free (BootfixBcdDevice *dev);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixBcdDevice, bootfix_bcd_device_free)

/* The bytes of the model.  Fails (BOOTFIX_ERROR_FAILED) only when a
 * caller left the model inconsistent. */
GBytes *bootfix_bcd_device_encode (const BootfixBcdDevice *dev, GError **error);

/* Every MBR and GPT partition reference, outermost first. */
GArray *bootfix_bcd_device_get_references (const BootfixBcdDevice *dev);

/* Give the partition descriptor at offset (a reference's offset) a new
 * identity; ref->kind may change the style.  Within one style, only the
 * identity bytes change (the MBR padding is kept). */
gboolean bootfix_bcd_device_set_reference (BootfixBcdDevice *dev, gsize offset,
                                           const BootfixBcdPartitionRef *ref,
                                           GError **error);

/* The same on a copy of a value: parse, set, encode.  The result always
 * has the input's length. */
GBytes *bootfix_bcd_device_patch (const guint8 *data, gsize len, gsize offset,
                                  const BootfixBcdPartitionRef *ref,
                                  GError **error);

/* "disk 0x43DA9AB1 @ 525336576", "gpt disk {..} partition {..}",
 * "ramdisk [boot] \sources\boot.wim,{options}", ... */
char *bootfix_bcd_device_to_string (const BootfixBcdDevice *dev);
char *bootfix_bcd_ref_to_string (const BootfixBcdPartitionRef *ref);

G_END_DECLS

#endif
