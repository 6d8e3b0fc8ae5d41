/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* qcow2 header parsing: docs/image-formats.md, "qcow2" (qemu's
 * docs/interop/qcow2.txt).  Every number is big-endian and read through
 * bytes.h; the rules follow what qemu's qcow2 driver accepts, and are
 * stricter where being stricter costs a real image nothing (duplicate
 * extensions, names with NUL bytes). */
#include "config.h"

#include <inttypes.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "bootfix-error.h"
#include "bytes.h"
#include "image-format.h"
#include "qcow2-header.h"

#define MAGIC "QFI\xfb"
#define OFF_VERSION 4
#define OFF_BACKING_OFFSET 8
#define OFF_BACKING_SIZE 16
#define OFF_CLUSTER_BITS 20
#define OFF_SIZE 24
#define OFF_CRYPT_METHOD 32
#define OFF_INCOMPATIBLE 72
#define OFF_HEADER_LENGTH 100
#define V2_HEADER_LENGTH 72
#define V3_MIN_HEADER_LENGTH 104
#define MIN_CLUSTER_BITS 9
#define MAX_CLUSTER_BITS 21

#define INCOMPAT_DIRTY (G_GUINT64_CONSTANT (1) << 0)
#define INCOMPAT_CORRUPT (G_GUINT64_CONSTANT (1) << 1)
#define INCOMPAT_DATA_FILE (G_GUINT64_CONSTANT (1) << 2)
#define INCOMPAT_KNOWN (G_GUINT64_CONSTANT (0x1f))

#define EXT_END 0x00000000u
#define EXT_BACKING_FORMAT 0xe2792acau
#define EXT_DATA_FILE 0x44415441u
#define EXT_HEADER_SIZE 8

void
bootfix_qcow2_header_clear (BootfixQcow2Header *h)
{
  g_clear_pointer (&h->backing_file, g_free);
  g_clear_pointer (&h->backing_format, g_free);
}

/* Version, cluster size, encryption and the incompatible features. */
static gboolean
parse_fixed (const guint8 *buf, gsize size, BootfixQcow2Header *h,
             guint32 *header_length, GError **error)
{
  guint32 crypt = 0;
  guint64 incompat = 0;

  if (size < 4 || memcmp (buf, MAGIC, 4) != 0)
    return bootfix_guest_error (error, _("not a qcow2 image (no qcow2 magic)"));
  if (size < V2_HEADER_LENGTH)
    return bootfix_guest_error (error, _("qcow2 header is truncated"));
  if (!bootfix_read_be32 (buf, size, OFF_VERSION, &h->version) ||
      (h->version != 2 && h->version != 3))
    return bootfix_guest_error (error, _("qcow2 version %u is not 2 or 3"),
                                h->version);
  if (!bootfix_read_be32 (buf, size, OFF_CLUSTER_BITS, &h->cluster_bits) ||
      h->cluster_bits < MIN_CLUSTER_BITS || h->cluster_bits > MAX_CLUSTER_BITS)
    return bootfix_guest_error (error, _("qcow2 cluster bits %u are outside %d..%d"),
                                h->cluster_bits, MIN_CLUSTER_BITS, MAX_CLUSTER_BITS);
  if (!bootfix_read_be64 (buf, size, OFF_SIZE, &h->size) ||
      !bootfix_read_be32 (buf, size, OFF_CRYPT_METHOD, &crypt))
    return bootfix_guest_error (error, _("qcow2 header is truncated"));
  if (crypt != 0)
    return bootfix_guest_error (error, _("the qcow2 image is encrypted"));
  *header_length = V2_HEADER_LENGTH;
  if (h->version == 2)
    return TRUE;
  if (!bootfix_read_be64 (buf, size, OFF_INCOMPATIBLE, &incompat) ||
      !bootfix_read_be32 (buf, size, OFF_HEADER_LENGTH, header_length) ||
      *header_length < V3_MIN_HEADER_LENGTH || *header_length % 8 != 0 ||
      *header_length > (1u << h->cluster_bits))
    return bootfix_guest_error (error, _("qcow2 version 3 header is truncated "
                                         "or its length is invalid"));
  if (incompat & INCOMPAT_CORRUPT)
    return bootfix_guest_error (error, _("qemu marked the qcow2 image corrupt; "
                                         "repair it with qemu-img check -r all"));
  if (incompat & INCOMPAT_DATA_FILE)
    return bootfix_guest_error (error, _("the qcow2 image keeps its data in an "
                                         "external data file, which is not supported"));
  if (incompat & ~INCOMPAT_KNOWN)
    return bootfix_guest_error (error, _("the qcow2 image uses unknown incompatible "
                                         "features (0x%" PRIx64 ")"), incompat);
  h->dirty = (incompat & INCOMPAT_DIRTY) != 0;
  return TRUE;
}

static gboolean
take_backing_format (const guint8 *buf, gsize size, gsize offset, guint32 len,
                     BootfixQcow2Header *h, GError **error)
{
  if (h->backing_format != NULL)
    return bootfix_guest_error (error, _("the qcow2 image names its backing "
                                         "format twice"));
  if (len > BOOTFIX_QCOW2_MAX_FORMAT_NAME || !bootfix_span_ok (size, offset, len))
    return bootfix_guest_error (error, _("the qcow2 backing format name is too long"));
  h->backing_format = bootfix_image_reference_dup (buf + offset, len,
                                                   _("backing format"), error);
  return h->backing_format != NULL;
}

/* The header extensions between the header and end (the backing name,
 * or the end of the first cluster), as qemu walks them. */
static gboolean
parse_extensions (const guint8 *buf, gsize size, gsize offset, gsize end,
                  BootfixQcow2Header *h, GError **error)
{
  while (offset < end) {
    guint32 type = 0, len = 0;
    if (!bootfix_span_ok (end, offset, EXT_HEADER_SIZE) ||
        !bootfix_read_be32 (buf, size, offset, &type) ||
        !bootfix_read_be32 (buf, size, offset + 4, &len))
      return bootfix_guest_error (error, _("a qcow2 header extension is truncated"));
    offset += EXT_HEADER_SIZE;
    if (type == EXT_END)
      return TRUE;
    if (len > end - offset)
      return bootfix_guest_error (error, _("a qcow2 header extension is too large"));
    if (type == EXT_DATA_FILE)
      return bootfix_guest_error (error, _("the qcow2 image names an external "
                                           "data file, which is not supported"));
    if (type == EXT_BACKING_FORMAT &&
        !take_backing_format (buf, size, offset, len, h, error))
      return FALSE;
    offset += ((gsize) len + 7) & ~(gsize) 7;
  }
  return TRUE;
}

static gboolean
parse_backing_name (const guint8 *buf, gsize size, guint64 offset,
                    guint32 len, guint64 cluster_size, BootfixQcow2Header *h,
                    GError **error)
{
  if (offset > cluster_size || len > cluster_size - offset ||
      len > BOOTFIX_IMAGE_MAX_REFERENCE)
    return bootfix_guest_error (error, _("the qcow2 backing file name lies outside "
                                         "the first cluster or is too long"));
  if (!bootfix_span_ok (size, (gsize) offset, len))
    return bootfix_guest_error (error, _("the qcow2 image is shorter than its "
                                         "backing file name"));
  h->backing_file = bootfix_image_reference_dup (buf + offset, len,
                                                 _("backing file"), error);
  return h->backing_file != NULL;
}

gboolean
bootfix_qcow2_header_parse (const guint8 *buf, gsize size,
                            BootfixQcow2Header *h, GError **error)
{
  guint32 header_length = 0, backing_len = 0;
  guint64 backing_offset = 0;

  memset (h, 0, sizeof *h);
  if (!parse_fixed (buf, size, h, &header_length, error) ||
      !bootfix_read_be64 (buf, size, OFF_BACKING_OFFSET, &backing_offset) ||
      !bootfix_read_be32 (buf, size, OFF_BACKING_SIZE, &backing_len)) {
    bootfix_qcow2_header_clear (h);
    if (error && *error == NULL)
      bootfix_guest_error (error, _("qcow2 header is truncated"));
    return FALSE;
  }
  guint64 cluster_size = G_GUINT64_CONSTANT (1) << h->cluster_bits;
  guint64 ext_end = backing_offset ? backing_offset : cluster_size;
  if (ext_end > cluster_size)
    ext_end = cluster_size; /* refused below, as a bad backing offset */
  gboolean ok =
    parse_extensions (buf, size, header_length, MIN ((gsize) ext_end, size), h, error) &&
    (backing_offset == 0 ||
     parse_backing_name (buf, size, backing_offset, backing_len, cluster_size, h, error));
  if (!ok)
    bootfix_qcow2_header_clear (h);
  return ok;
}
