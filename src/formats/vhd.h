/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* VHD (qemu's "vpc") and VHDX: enough of each to know its kind (fixed,
 * dynamic, or differencing, which needs a parent we refuse to follow)
 * and, for VHDX, its sector sizes.  Pure; layouts:
 * docs/image-formats.md, "VHD" and "VHDX". */
#ifndef BOOTFIX_VHD_H
#define BOOTFIX_VHD_H

#include <glib.h>

G_BEGIN_DECLS

#define BOOTFIX_VHD_FOOTER_SIZE 512

typedef enum {
  BOOTFIX_VHD_FIXED = 2,
  BOOTFIX_VHD_DYNAMIC = 3,
  BOOTFIX_VHD_DIFFERENCING = 4,
} BootfixVhdType;

typedef struct {
  BootfixVhdType type;
  guint64 current_size;
} BootfixVhdFooter;

/* The footer qemu uses: the copy at the start of the file when there
 * is one (dynamic disks), else the last 512 bytes.  Fails
 * (BOOTFIX_ERROR_GUEST) without a "conectix" footer, for a
 * differencing disk, or any type but fixed and dynamic. */
gboolean bootfix_vhd_footer_parse (const guint8 *head, gsize head_len,
                                   const guint8 *tail, gsize tail_len,
                                   BootfixVhdFooter *footer, GError **error);

/* VHDX: the region table is read from here (the first of two copies;
 * qemu reads this one). */
#define BOOTFIX_VHDX_REGION_TABLE_AT (192 * 1024)
#define BOOTFIX_VHDX_REGION_TABLE_SIZE (64 * 1024)
/* The metadata region's table plus its items; a larger region is
 * read only this far. */
#define BOOTFIX_VHDX_MAX_METADATA (1024 * 1024)

/* From the 64 KiB region table: where the metadata region is.  Fails
 * (BOOTFIX_ERROR_GUEST) without the "regi" signature, with more than
 * 2047 entries, or without exactly one metadata region. */
gboolean bootfix_vhdx_region_table_parse (const guint8 *buf, gsize size,
                                          guint64 *metadata_offset,
                                          guint32 *metadata_length,
                                          GError **error);

typedef struct {
  guint32 block_size;
  guint64 virtual_size;
  guint32 logical_sector_size;   /* 512 or 4096 */
  guint32 physical_sector_size;
} BootfixVhdxParameters;

/* From the metadata region (buf holds its first bytes, up to
 * BOOTFIX_VHDX_MAX_METADATA).  Fails (BOOTFIX_ERROR_GUEST) without the
 * "metadata" signature, for items outside buf, for a differencing
 * disk (the HasParent flag or a parent locator item), or when a
 * required item is missing. */
gboolean bootfix_vhdx_metadata_parse (const guint8 *buf, gsize size,
                                      BootfixVhdxParameters *params,
                                      GError **error);

/* Does the file start with the VHDX signature "vhdxfile"? */
gboolean bootfix_vhdx_signature_ok (const guint8 *buf, gsize size);

G_END_DECLS

#endif
