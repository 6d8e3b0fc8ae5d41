/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bounds-checked little-endian (and, for image headers, big-endian)
 * access to guest bytes.  Every reader
 * takes (buf, size, offset) and fails instead of reading past the end;
 * every codec in src/formats uses these and nothing else. */
#ifndef BOOTFIX_BYTES_H
#define BOOTFIX_BYTES_H

#include <glib.h>
#include <string.h>

G_BEGIN_DECLS

/* Does [offset, offset + len) fit in size bytes?  Overflow-safe. */
static inline gboolean
bootfix_span_ok (gsize size, gsize offset, gsize len)
{
  return offset <= size && len <= size - offset;
}

static inline gboolean
bootfix_read_u8 (const guint8 *buf, gsize size, gsize offset, guint8 *out)
{
  if (!bootfix_span_ok (size, offset, 1))
    return FALSE;
  *out = buf[offset];
  return TRUE;
}

static inline gboolean
bootfix_read_le16 (const guint8 *buf, gsize size, gsize offset, guint16 *out)
{
  if (!bootfix_span_ok (size, offset, 2))
    return FALSE;
  *out = (guint16) (buf[offset] | buf[offset + 1] << 8);
  return TRUE;
}

static inline gboolean
bootfix_read_le32 (const guint8 *buf, gsize size, gsize offset, guint32 *out)
{
  if (!bootfix_span_ok (size, offset, 4))
    return FALSE;
  *out = (guint32) buf[offset] | (guint32) buf[offset + 1] << 8 |
         (guint32) buf[offset + 2] << 16 | (guint32) buf[offset + 3] << 24;
  return TRUE;
}

static inline gboolean
bootfix_read_le64 (const guint8 *buf, gsize size, gsize offset, guint64 *out)
{
  guint32 lo, hi;
  if (!bootfix_read_le32 (buf, size, offset, &lo) ||
      !bootfix_read_le32 (buf, size, offset + 4, &hi))
    return FALSE;
  *out = (guint64) hi << 32 | lo;
  return TRUE;
}

/* Big-endian readers, for image headers (qcow2, VHD) that store
 * their numbers that way. */
static inline gboolean
bootfix_read_be16 (const guint8 *buf, gsize size, gsize offset, guint16 *out)
{
  if (!bootfix_span_ok (size, offset, 2))
    return FALSE;
  *out = (guint16) (buf[offset] << 8 | buf[offset + 1]);
  return TRUE;
}

static inline gboolean
bootfix_read_be32 (const guint8 *buf, gsize size, gsize offset, guint32 *out)
{
  if (!bootfix_span_ok (size, offset, 4))
    return FALSE;
  *out = (guint32) buf[offset] << 24 | (guint32) buf[offset + 1] << 16 |
         (guint32) buf[offset + 2] << 8 | (guint32) buf[offset + 3];
  return TRUE;
}

static inline gboolean
bootfix_read_be64 (const guint8 *buf, gsize size, gsize offset, guint64 *out)
{
  guint32 hi, lo;
  if (!bootfix_read_be32 (buf, size, offset, &hi) ||
      !bootfix_read_be32 (buf, size, offset + 4, &lo))
    return FALSE;
  *out = (guint64) hi << 32 | lo;
  return TRUE;
}

static inline gboolean
bootfix_write_le16 (guint8 *buf, gsize size, gsize offset, guint16 v)
{
  if (!bootfix_span_ok (size, offset, 2))
    return FALSE;
  buf[offset] = v & 0xff;
  buf[offset + 1] = v >> 8;
  return TRUE;
}

static inline gboolean
bootfix_write_le32 (guint8 *buf, gsize size, gsize offset, guint32 v)
{
  if (!bootfix_span_ok (size, offset, 4))
    return FALSE;
  for (int i = 0; i < 4; i++)
    buf[offset + i] = (v >> (8 * i)) & 0xff;
  return TRUE;
}

static inline gboolean
bootfix_write_le64 (guint8 *buf, gsize size, gsize offset, guint64 v)
{
  return bootfix_write_le32 (buf, size, offset, (guint32) v) &&
         bootfix_write_le32 (buf, size, offset + 4, (guint32) (v >> 32));
}

G_END_DECLS

#endif
