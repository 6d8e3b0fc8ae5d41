/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The BCD store: a registry hive (\Boot\BCD, \EFI\Microsoft\Boot\BCD)
 * read and edited on the host with libhivex.  open() loads every object
 * and element into memory, bounded by the caps below.  Fixes never
 * rewrite the hive: they patch element bytes in place (see
 * bootfix_bcd_store_element_file_offset).
 * Layout: docs/boot-formats.md, "BCD store". */
#ifndef BOOTFIX_BCD_STORE_H
#define BOOTFIX_BCD_STORE_H

#include <glib.h>
#include "bcd-device.h"
#include "bootfix-module.h" /* BOOTFIX_REG_* */

G_BEGIN_DECLS

/* Caps on hostile stores; real ones have ~20 objects of ~30 elements. */
#define BOOTFIX_BCD_MAX_OBJECTS 1024
#define BOOTFIX_BCD_MAX_ELEMENTS 512
#define BOOTFIX_BCD_MAX_VALUE_LEN (64 * 1024)
/* Object key names are 38-character GUIDs; element names 8 hex digits. */
#define BOOTFIX_BCD_MAX_NAME_LEN 64

/* Well-known object GUIDs (Objects\{guid} key names). */
#define BOOTFIX_BCD_GUID_BOOTMGR "{9dea862c-5cdd-4e70-acc1-f32b344d4795}"
#define BOOTFIX_BCD_GUID_FWBOOTMGR "{a5a30fa2-3d06-4e9f-b5f4-a01df9d1fcba}"
#define BOOTFIX_BCD_GUID_MEMDIAG "{b2721d73-1db4-4c62-bf78-c548a880142d}"
#define BOOTFIX_BCD_GUID_NTLDR "{466f5a88-0af2-4f76-9038-095b170dc21c}"
#define BOOTFIX_BCD_GUID_CURRENT "{fa926493-6f1c-4193-a414-58f0b2456d1e}"
#define BOOTFIX_BCD_GUID_DEFAULT "{1cae1eb7-a0df-4d4d-9851-4860e34ef535}"
#define BOOTFIX_BCD_GUID_RAMDISKOPTIONS "{ae5534e0-a924-466c-b836-758539a3ee3a}"
#define BOOTFIX_BCD_GUID_GLOBALSETTINGS "{7ea2e1ac-2e61-4728-aaa3-896d9d0a9f0e}"
#define BOOTFIX_BCD_GUID_BOOTLOADERSETTINGS "{6efb52bf-1766-41db-a6b3-0ee5eff72bd7}"
#define BOOTFIX_BCD_GUID_RESUMELOADERSETTINGS "{1afa9c49-16ab-4a5c-901b-212802da9460}"
#define BOOTFIX_BCD_GUID_DBGSETTINGS "{4636856e-540f-4170-a130-a84776f4c654}"
#define BOOTFIX_BCD_GUID_EMSSETTINGS "{0ce4991b-e6b3-4b16-b23c-5e0d9250e5d9}"
#define BOOTFIX_BCD_GUID_BADMEMORY "{5189b25c-5558-4bf2-bca4-289b11bd29e2}"
#define BOOTFIX_BCD_GUID_HYPERVISORSETTINGS "{7ff607e0-4395-11db-b0de-0800200c9a66}"

/* Element ids the fixer touches. */
#define BOOTFIX_BCD_ELEM_DEVICE 0x11000001u
#define BOOTFIX_BCD_ELEM_PATH 0x12000002u
#define BOOTFIX_BCD_ELEM_DESCRIPTION 0x12000004u
#define BOOTFIX_BCD_ELEM_OSDEVICE 0x21000001u
#define BOOTFIX_BCD_ELEM_SYSTEMROOT 0x22000002u
#define BOOTFIX_BCD_ELEM_DEFAULT 0x23000003u
#define BOOTFIX_BCD_ELEM_DISPLAYORDER 0x24000001u
#define BOOTFIX_BCD_ELEM_RAMDISKSDIDEVICE 0x31000003u

/* Description\Type decoded (bits 31..28 class, 23..20 image or inherit
 * class, 19..0 application). */
typedef enum {
  BOOTFIX_BCD_OBJECT_UNKNOWN,
  BOOTFIX_BCD_OBJECT_FWBOOTMGR,   /* 0x10100001 */
  BOOTFIX_BCD_OBJECT_BOOTMGR,     /* 0x10100002 */
  BOOTFIX_BCD_OBJECT_OSLOADER,    /* 0x10200003 */
  BOOTFIX_BCD_OBJECT_RESUME,      /* 0x10200004 */
  BOOTFIX_BCD_OBJECT_MEMDIAG,     /* 0x10200005 */
  BOOTFIX_BCD_OBJECT_NTLDR,       /* 0x10300006 */
  BOOTFIX_BCD_OBJECT_SETUPLDR,    /* 0x1xx00007 */
  BOOTFIX_BCD_OBJECT_BOOTSECTOR,  /* 0x10400008 */
  BOOTFIX_BCD_OBJECT_STARTUP,     /* 0x1xx00009 */
  BOOTFIX_BCD_OBJECT_APPLICATION, /* 0x1..: another application */
  BOOTFIX_BCD_OBJECT_INHERIT_LIBRARY, /* 0x201.....: {globalsettings}... */
  BOOTFIX_BCD_OBJECT_INHERIT_APP,     /* 0x202.....: for app code in bits 19..0 */
  BOOTFIX_BCD_OBJECT_INHERIT_DEVICE,  /* 0x203..... */
  BOOTFIX_BCD_OBJECT_DEVICE,          /* 0x3.......: {ramdiskoptions}... */
} BootfixBcdObjectKind;

/* Element format: bits 27..24 of the element id. */
typedef enum {
  BOOTFIX_BCD_FORMAT_UNKNOWN = 0,
  BOOTFIX_BCD_FORMAT_DEVICE = 1,       /* REG_BINARY, bcd-device.h */
  BOOTFIX_BCD_FORMAT_STRING = 2,       /* REG_SZ */
  BOOTFIX_BCD_FORMAT_OBJECT = 3,       /* REG_SZ "{guid}" */
  BOOTFIX_BCD_FORMAT_OBJECT_LIST = 4,  /* REG_MULTI_SZ */
  BOOTFIX_BCD_FORMAT_INTEGER = 5,      /* REG_BINARY, 8 bytes */
  BOOTFIX_BCD_FORMAT_BOOLEAN = 6,      /* REG_BINARY, 1 byte */
  BOOTFIX_BCD_FORMAT_INTEGER_LIST = 7, /* REG_BINARY, n x 8 bytes */
} BootfixBcdFormat;

typedef struct {
  guint32 id;
  BootfixBcdFormat format;
  guint32 reg_type; /* of the Element value, as stored */
  GBytes *value;    /* as stored */
  /*< private >*/
  gsize node; /* the element's key in the hive */
} BootfixBcdElement;

typedef struct {
  char *guid;        /* the key name as stored */
  const char *alias; /* "{bootmgr}", ... or NULL */
  guint32 type;      /* Description\Type */
  BootfixBcdObjectKind kind;
  GPtrArray *elements; /* BootfixBcdElement *, in hive (name) order */
  /*< private >*/
  gsize node;
} BootfixBcdObject;

typedef struct _BootfixBcdStore BootfixBcdStore;

/* A damaged store -> BOOTFIX_ERROR_GUEST naming the key. */
BootfixBcdStore *bootfix_bcd_store_open (const char *path, GError **error);
void bootfix_bcd_store_free (BootfixBcdStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixBcdStore, bootfix_bcd_store_free)

/* Description\KeyName ("BCD00000000"), or NULL when absent. */
const char *bootfix_bcd_store_get_key_name (const BootfixBcdStore *store);
/* BootfixBcdObject *, in hive order; owned by the store. */
GPtrArray *bootfix_bcd_store_get_objects (const BootfixBcdStore *store);
/* By GUID text or alias ("{bootmgr}"), case-insensitive; NULL if none. */
const BootfixBcdObject *bootfix_bcd_store_find_object (const BootfixBcdStore *store,
                                                       const char *guid_or_alias);
const BootfixBcdElement *bootfix_bcd_object_find_element (const BootfixBcdObject *obj,
                                                          guint32 id);

/* Where the element's value bytes sit in the store file, so that a fix
 * can patch them in place (a device value keeps its length).  file is
 * the store's bytes; the offset is checked to hold exactly el->value.
 * Fails (BOOTFIX_ERROR_GUEST) for values hivex keeps inline or in
 * pieces, and when the bytes there differ. */
gboolean bootfix_bcd_store_element_file_offset (BootfixBcdStore *store,
                                                const BootfixBcdElement *el,
                                                const guint8 *file,
                                                gsize file_len,
                                                guint64 *offset,
                                                GError **error);

/* Decoding. */
BootfixBcdFormat bootfix_bcd_element_format (guint32 id);
const char *bootfix_bcd_format_name (BootfixBcdFormat format);
BootfixBcdObjectKind bootfix_bcd_object_kind (guint32 type);
const char *bootfix_bcd_object_kind_name (BootfixBcdObjectKind kind);
/* "{bootmgr}" for its GUID (any case) and back; NULL when not known. */
const char *bootfix_bcd_alias_for_guid (const char *guid);
const char *bootfix_bcd_guid_for_alias (const char *alias);

/* Typed views of an element; BOOTFIX_ERROR_GUEST when the stored type
 * or size does not fit the format. */
char *bootfix_bcd_element_get_string (const BootfixBcdElement *el, GError **error);
BootfixBcdDevice *bootfix_bcd_element_get_device (const BootfixBcdElement *el,
                                                  GError **error);

G_END_DECLS

#endif
