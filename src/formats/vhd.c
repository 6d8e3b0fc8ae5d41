/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* VHD footers and the parts of VHDX that say whether a disk has a
 * parent: docs/image-formats.md, "VHD" and "VHDX".  VHD numbers are
 * big-endian, VHDX ones little-endian; GUIDs are compared as stored. */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "bootfix-error.h"
#include "bytes.h"
#include "vhd.h"

#define VHD_COOKIE "conectix"
#define VHD_OFF_CURRENT_SIZE 48
#define VHD_OFF_DISK_TYPE 60

gboolean
bootfix_vhd_footer_parse (const guint8 *head, gsize head_len,
                          const guint8 *tail, gsize tail_len,
                          BootfixVhdFooter *footer, GError **error)
{
  const guint8 *f = NULL;
  gsize len = 0;
  guint32 type = 0;
  if (head_len >= BOOTFIX_VHD_FOOTER_SIZE && memcmp (head, VHD_COOKIE, 8) == 0)
    f = head, len = head_len;
  else if (tail_len >= BOOTFIX_VHD_FOOTER_SIZE && memcmp (tail, VHD_COOKIE, 8) == 0)
    f = tail, len = tail_len;
  memset (footer, 0, sizeof *footer);
  if (f == NULL)
    return bootfix_guest_error (error, _("not a VHD image (no \"conectix\" footer)"));
  if (!bootfix_read_be64 (f, len, VHD_OFF_CURRENT_SIZE, &footer->current_size) ||
      !bootfix_read_be32 (f, len, VHD_OFF_DISK_TYPE, &type))
    return bootfix_guest_error (error, _("the VHD footer is truncated"));
  if (type == BOOTFIX_VHD_DIFFERENCING)
    return bootfix_guest_error (error, _("the VHD is a differencing disk: it needs "
                                         "its parent, which virt-bootfix does not "
                                         "follow; merge it into its parent first"));
  if (type != BOOTFIX_VHD_FIXED && type != BOOTFIX_VHD_DYNAMIC)
    return bootfix_guest_error (error, _("VHD disk type %u is neither fixed nor "
                                         "dynamic"), type);
  footer->type = (BootfixVhdType) type;
  return TRUE;
}

/* ---- VHDX ---- */

#define VHDX_SIGNATURE "vhdxfile"
#define REGI_SIGNATURE "regi"
#define REGI_OFF_COUNT 8
#define REGI_ENTRIES_AT 16
#define REGI_ENTRY_SIZE 32
#define MAX_TABLE_ENTRIES 2047
#define META_SIGNATURE "metadata"
#define META_OFF_COUNT 10
#define META_ENTRIES_AT 32
#define META_ENTRY_SIZE 32
/* Items start after the 64 KiB table. */
#define META_MIN_ITEM_OFFSET (64 * 1024)
#define FILE_PARAMS_HAS_PARENT 0x2u

/* GUIDs as stored (Windows layout: the first three fields little-endian). */
static const guint8 metadata_region_guid[16] = {
  0x06, 0xa2, 0x7c, 0x8b, 0x90, 0x47, 0x9a, 0x4b,
  0xb8, 0xfe, 0x57, 0x5f, 0x05, 0x0f, 0x88, 0x6e };
static const guint8 file_parameters_guid[16] = {
  0x37, 0x67, 0xa1, 0xca, 0x36, 0xfa, 0x43, 0x4d,
  0xb3, 0xb6, 0x33, 0xf0, 0xaa, 0x44, 0xe7, 0x6b };
static const guint8 virtual_size_guid[16] = {
  0x24, 0x42, 0xa5, 0x2f, 0x1b, 0xcd, 0x76, 0x48,
  0xb2, 0x11, 0x5d, 0xbe, 0xd8, 0x3b, 0xf4, 0xb8 };
static const guint8 logical_sector_guid[16] = {
  0x1d, 0xbf, 0x41, 0x81, 0x6f, 0xa9, 0x09, 0x47,
  0xba, 0x47, 0xf2, 0x33, 0xa8, 0xfa, 0xab, 0x5f };
static const guint8 physical_sector_guid[16] = {
  0xc7, 0x48, 0xa3, 0xcd, 0x5d, 0x44, 0x71, 0x44,
  0x9c, 0xc9, 0xe9, 0x88, 0x52, 0x51, 0xc5, 0x56 };
static const guint8 parent_locator_guid[16] = {
  0x2d, 0x5f, 0xd3, 0xa8, 0x0b, 0xb3, 0x4d, 0x45,
  0xab, 0xf7, 0xd3, 0xd8, 0x48, 0x34, 0xab, 0x0c };

gboolean
bootfix_vhdx_signature_ok (const guint8 *buf, gsize size)
{
  return size >= 8 && memcmp (buf, VHDX_SIGNATURE, 8) == 0;
}

gboolean
bootfix_vhdx_region_table_parse (const guint8 *buf, gsize size,
                                 guint64 *metadata_offset,
                                 guint32 *metadata_length, GError **error)
{
  guint32 count = 0;
  guint found = 0;
  if (size < REGI_ENTRIES_AT || memcmp (buf, REGI_SIGNATURE, 4) != 0 ||
      !bootfix_read_le32 (buf, size, REGI_OFF_COUNT, &count) ||
      count > MAX_TABLE_ENTRIES)
    return bootfix_guest_error (error, _("the VHDX region table is missing or damaged"));
  for (guint32 i = 0; i < count; i++) {
    gsize at = REGI_ENTRIES_AT + (gsize) i * REGI_ENTRY_SIZE;
    if (!bootfix_span_ok (size, at, REGI_ENTRY_SIZE))
      return bootfix_guest_error (error, _("the VHDX region table is truncated"));
    if (memcmp (buf + at, metadata_region_guid, 16) != 0)
      continue;
    found++;
    if (!bootfix_read_le64 (buf, size, at + 16, metadata_offset) ||
        !bootfix_read_le32 (buf, size, at + 24, metadata_length))
      return bootfix_guest_error (error, _("the VHDX region table is truncated"));
  }
  if (found != 1)
    return bootfix_guest_error (error, _("the VHDX has %u metadata regions, not one"),
                                found);
  return TRUE;
}

/* A metadata item's bytes, bounds-checked against the region. */
static gboolean
item_u32 (const guint8 *buf, gsize size, guint32 item_offset, guint32 item_len,
          gsize at, guint32 *out)
{
  return item_offset >= META_MIN_ITEM_OFFSET && at + 4 <= item_len &&
         bootfix_read_le32 (buf, size, (gsize) item_offset + at, out);
}

static gboolean
read_item (const guint8 *buf, gsize size, const guint8 *guid, guint32 off,
           guint32 len, BootfixVhdxParameters *p, guint *seen, GError **error)
{
  guint32 flags = 0, lo = 0, hi = 0;
  gboolean ok = TRUE;
  if (memcmp (guid, parent_locator_guid, 16) == 0)
    return bootfix_guest_error (error, _("the VHDX is a differencing disk (it has a "
                                         "parent locator); merge it into its "
                                         "parent first"));
  if (memcmp (guid, file_parameters_guid, 16) == 0) {
    ok = item_u32 (buf, size, off, len, 0, &p->block_size) &&
         item_u32 (buf, size, off, len, 4, &flags);
    if (ok && (flags & FILE_PARAMS_HAS_PARENT))
      return bootfix_guest_error (error, _("the VHDX is a differencing disk (it has "
                                           "a parent); merge it into its parent first"));
    *seen |= 1;
  } else if (memcmp (guid, virtual_size_guid, 16) == 0) {
    ok = item_u32 (buf, size, off, len, 0, &lo) && item_u32 (buf, size, off, len, 4, &hi);
    p->virtual_size = (guint64) hi << 32 | lo;
    *seen |= 2;
  } else if (memcmp (guid, logical_sector_guid, 16) == 0) {
    ok = item_u32 (buf, size, off, len, 0, &p->logical_sector_size);
    *seen |= 4;
  } else if (memcmp (guid, physical_sector_guid, 16) == 0) {
    ok = item_u32 (buf, size, off, len, 0, &p->physical_sector_size);
  }
  if (!ok)
    return bootfix_guest_error (error, _("a VHDX metadata item lies outside its "
                                         "region"));
  return TRUE;
}

gboolean
bootfix_vhdx_metadata_parse (const guint8 *buf, gsize size,
                             BootfixVhdxParameters *params, GError **error)
{
  guint16 count = 0;
  guint seen = 0;
  memset (params, 0, sizeof *params);
  if (size < META_ENTRIES_AT || memcmp (buf, META_SIGNATURE, 8) != 0 ||
      !bootfix_read_le16 (buf, size, META_OFF_COUNT, &count) ||
      count > MAX_TABLE_ENTRIES)
    return bootfix_guest_error (error, _("the VHDX metadata table is missing or "
                                         "damaged"));
  for (guint i = 0; i < count; i++) {
    gsize at = META_ENTRIES_AT + (gsize) i * META_ENTRY_SIZE;
    guint32 off = 0, len = 0;
    if (!bootfix_read_le32 (buf, size, at + 16, &off) ||
        !bootfix_read_le32 (buf, size, at + 20, &len))
      return bootfix_guest_error (error, _("the VHDX metadata table is truncated"));
    if (!read_item (buf, size, buf + at, off, len, params, &seen, error))
      return FALSE;
  }
  if (seen != 7)
    return bootfix_guest_error (error, _("the VHDX metadata lacks its file parameters, "
                                         "virtual size or logical sector size"));
  if (params->logical_sector_size != 512 && params->logical_sector_size != 4096)
    return bootfix_guest_error (error, _("VHDX logical sector size %u is neither 512 "
                                         "nor 4096"), params->logical_sector_size);
  return TRUE;
}
