/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* BCD device elements: parse, list partition references, patch, encode.
 * Every offset and length here comes from a guest; all of them go
 * through bytes.h and are bounded by the descriptor that contains them,
 * and nesting stops at BOOTFIX_BCD_MAX_DEPTH. */
#include "config.h"

#include <inttypes.h>

#include <stdarg.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "bcd-device.h"
#include "bootfix-error.h"
#include "bytes.h"
#include "utf16.h"
#include "disk-layout.h" /* GUID text */

/* Where the options GUID and the outer descriptor sit in the value. */
#define OPTIONS_OFFSET 0x00
#define ROOT_OFFSET 0x10
#define GUID_LEN 16

/* Offsets inside a descriptor, counted from its header. */
#define HDR_TYPE 0x00
#define HDR_FLAGS 0x04
#define HDR_SIZE 0x08
#define HDR_RESERVED 0x0c
#define PART_ID 0x10
#define PART_DISK_TYPE 0x20
#define PART_STYLE 0x24
#define PART_DISK_ID 0x28
#define PART_MIN_SIZE 0x38 /* identity ends here; bcdedit pads to 0x48 */
#define LOCAL_TYPE 0x10
#define RAMDISK_BASE 0x14
#define RAMDISK_SIZE 0x1c
#define RAMDISK_OFFSET 0x24
#define RAMDISK_FILE_PATH 0x28
#define FILE_FILE_PATH 0x14
#define VHD_PARAMS 0x14
#define VHD_NESTED 0x28
#define LOCATE_KIND 0x10
#define LOCATE_ELEMENT 0x14
#define LOCATE_OFFSET 0x18
#define LOCATE_STRING 0x1c

/* File-path header, counted from its start: version, length (header
 * included), path type; the nested device follows it. */
#define FP_VERSION 0x0
#define FP_LENGTH 0x4
#define FP_TYPE 0x8
#define FP_HEADER_LEN 0x0c
/* The one form bcdedit writes: a device descriptor then a UTF-16 path.
 * Other versions/types keep the descriptor opaque. */
#define FP_KNOWN_VERSION 1
#define FP_KNOWN_TYPE 5

typedef struct {
  const guint8 *buf;
  gsize len;
  gboolean complete;
} Parser;

static void node_free (BootfixBcdNode *n);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixBcdNode, node_free)

static BootfixBcdNode *parse_node (Parser *p, gsize offset, gsize end, guint depth,
                                   GError **error);

static gboolean fail (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* Every guest error carries the same prefix; the caller adds which
 * object and element the value came from. */
static gboolean
fail (GError **error, const char *format, ...)
{
  va_list ap;
  va_start (ap, format);
  g_autofree char *msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_GUEST, _("BCD device element: %s"),
               msg);
  return FALSE;
}

static void
node_free (BootfixBcdNode *n)
{
  if (n == NULL)
    return;
  node_free (n->nested);
  g_clear_pointer (&n->path, g_bytes_unref);
  g_clear_pointer (&n->raw, g_bytes_unref);
  g_clear_pointer (&n->tail, g_bytes_unref);
  g_free (n);
}

void
bootfix_bcd_device_free (BootfixBcdDevice *dev)
{
  if (dev == NULL)
    return;
  node_free (dev->root);
  g_clear_pointer (&dev->trailer, g_bytes_unref);
  g_free (dev);
}

static gsize
node_end (const BootfixBcdNode *n)
{
  return n->offset + n->size;
}

/* ---- Checked reads: end is the limit of the enclosing descriptor ---- */

static gboolean
read_u32 (const Parser *p, gsize off, gsize end, const char *field, guint32 *out,
          GError **error)
{
  if (end > p->len || !bootfix_read_le32 (p->buf, end, off, out))
    return fail (error, _("the %s field at offset 0x%zx lies past the end of its "
                          "descriptor (0x%zx)"),
                 field, off, end);
  return TRUE;
}

static gboolean
read_u64 (const Parser *p, gsize off, gsize end, const char *field, guint64 *out,
          GError **error)
{
  if (end > p->len || !bootfix_read_le64 (p->buf, end, off, out))
    return fail (error, _("the %s field at offset 0x%zx lies past the end of its "
                          "descriptor (0x%zx)"),
                 field, off, end);
  return TRUE;
}

static gboolean
read_guid (const Parser *p, gsize off, gsize end, const char *field, guint8 out[16],
           GError **error)
{
  if (end > p->len || !bootfix_span_ok (end, off, GUID_LEN))
    return fail (error, _("the %s field at offset 0x%zx lies past the end of its "
                          "descriptor (0x%zx)"),
                 field, off, end);
  memcpy (out, p->buf + off, GUID_LEN);
  return TRUE;
}

/* The bytes [from, to) as they are, or NULL when there are none. */
static GBytes *
span_bytes (const Parser *p, gsize from, gsize to)
{
  if (to <= from || !bootfix_span_ok (p->len, from, to - from))
    return NULL;
  return g_bytes_new (p->buf + from, to - from);
}

/* A UTF-16LE string filling [from, to): kept even when empty. */
static gboolean
take_path (const Parser *p, BootfixBcdNode *n, gsize from, gsize to, GError **error)
{
  if (to < from || !bootfix_span_ok (p->len, from, to - from))
    return fail (error, _("the path at offset 0x%zx ends before it starts"), from);
  if ((to - from) % 2 != 0)
    return fail (error, _("the UTF-16 path at offset 0x%zx has an odd length (%zu bytes)"),
                 from, to - from);
  n->path_offset = from;
  n->path = g_bytes_new (p->buf + from, to - from);
  return TRUE;
}

/* Keep everything after the header as raw bytes; we cannot see inside. */
static gboolean
make_opaque (Parser *p, BootfixBcdNode *n)
{
  n->kind = BOOTFIX_BCD_NODE_OPAQUE;
  n->raw_offset = n->offset + BOOTFIX_BCD_HEADER_LEN;
  n->raw = span_bytes (p, n->raw_offset, node_end (n));
  p->complete = FALSE;
  return TRUE;
}

/* ---- One parser per descriptor kind ---- */

static gboolean
parse_partition (Parser *p, BootfixBcdNode *n, GError **error)
{
  gsize end = node_end (n);

  if (n->size < PART_MIN_SIZE)
    return fail (error, _("the partition descriptor at offset 0x%zx is 0x%x bytes, "
                          "shorter than the 0x%x its identity needs"),
                 n->offset, n->size, PART_MIN_SIZE);
  n->kind = BOOTFIX_BCD_NODE_PARTITION;
  if (!read_guid (p, n->offset + PART_ID, end, _("partition id"), n->partition_id,
                  error) ||
      !read_u32 (p, n->offset + PART_DISK_TYPE, end, _("disk type"), &n->disk_type,
                 error) ||
      !read_u32 (p, n->offset + PART_STYLE, end, _("partition style"), &n->style,
                 error) ||
      !read_guid (p, n->offset + PART_DISK_ID, end, _("disk id"), n->disk_id, error))
    return FALSE;
  n->tail_offset = n->offset + PART_MIN_SIZE;
  n->tail = span_bytes (p, n->tail_offset, end);
  return TRUE;
}

/* File-path header at fp, then the parent device, then the path; the
 * header's length bounds both. */
static gboolean
parse_file_path (Parser *p, BootfixBcdNode *n, gsize fp, GError **error)
{
  gsize end = node_end (n);

  if (!read_u32 (p, fp + FP_VERSION, end, _("file path version"), &n->fp_version,
                 error) ||
      !read_u32 (p, fp + FP_LENGTH, end, _("file path length"), &n->fp_length, error) ||
      !read_u32 (p, fp + FP_TYPE, end, _("file path type"), &n->fp_type, error))
    return FALSE;
  if (n->fp_version != FP_KNOWN_VERSION || n->fp_type != FP_KNOWN_TYPE)
    return make_opaque (p, n);
  if (n->fp_length < FP_HEADER_LEN)
    return fail (error, _("the file path length at offset 0x%zx is 0x%x, shorter than "
                          "its own 12-byte header"),
                 fp + FP_LENGTH, n->fp_length);
  if (n->fp_length > end - fp)
    return fail (error, _("the file path length at offset 0x%zx is 0x%x, past the end "
                          "of its descriptor (0x%zx bytes left)"),
                 fp + FP_LENGTH, n->fp_length, end - fp);
  n->fp_offset = fp;
  gsize fp_end = fp + n->fp_length;
  n->nested = parse_node (p, fp + FP_HEADER_LEN, fp_end, n->depth + 1, error);
  if (n->nested == NULL || !take_path (p, n, node_end (n->nested), fp_end, error))
    return FALSE;
  n->tail_offset = fp_end;
  n->tail = span_bytes (p, fp_end, end);
  return TRUE;
}

static gboolean
parse_ramdisk (Parser *p, BootfixBcdNode *n, GError **error)
{
  gsize end = node_end (n);

  n->kind = BOOTFIX_BCD_NODE_RAMDISK;
  if (!read_u64 (p, n->offset + RAMDISK_BASE, end, _("ramdisk image base"),
                 &n->image_base, error) ||
      !read_u64 (p, n->offset + RAMDISK_SIZE, end, _("ramdisk image size"),
                 &n->image_size, error) ||
      !read_u32 (p, n->offset + RAMDISK_OFFSET, end, _("ramdisk image offset"),
                 &n->image_offset, error))
    return FALSE;
  return parse_file_path (p, n, n->offset + RAMDISK_FILE_PATH, error);
}

static gboolean
parse_vhd (Parser *p, BootfixBcdNode *n, GError **error)
{
  if (n->size < VHD_NESTED)
    return fail (error, _("the virtual disk descriptor at offset 0x%zx is 0x%x bytes, "
                          "shorter than its 0x%x-byte parameters"),
                 n->offset, n->size, VHD_NESTED);
  n->kind = BOOTFIX_BCD_NODE_VHD;
  n->raw_offset = n->offset + VHD_PARAMS;
  n->raw = span_bytes (p, n->raw_offset, n->offset + VHD_NESTED);
  n->nested = parse_node (p, n->offset + VHD_NESTED, node_end (n), n->depth + 1, error);
  if (n->nested == NULL)
    return FALSE;
  n->tail_offset = node_end (n->nested);
  n->tail = span_bytes (p, n->tail_offset, node_end (n));
  return TRUE;
}

static gboolean
parse_block (Parser *p, BootfixBcdNode *n, GError **error)
{
  if (!read_u32 (p, n->offset + LOCAL_TYPE, node_end (n), _("local device type"),
                 &n->local_type, error))
    return FALSE;
  switch (n->local_type) {
  case BOOTFIX_BCD_LOCAL_RAMDISK:
    return parse_ramdisk (p, n, error);
  case BOOTFIX_BCD_LOCAL_FILE:
    n->kind = BOOTFIX_BCD_NODE_FILE;
    return parse_file_path (p, n, n->offset + FILE_FILE_PATH, error);
  case BOOTFIX_BCD_LOCAL_VHD:
    return parse_vhd (p, n, error);
  default:
    return make_opaque (p, n);
  }
}

static gboolean
parse_locate (Parser *p, BootfixBcdNode *n, GError **error)
{
  gsize end = node_end (n);
  gsize off_field = n->offset + LOCATE_OFFSET;

  if (!read_u32 (p, n->offset + LOCATE_KIND, end, _("locate kind"), &n->locate_kind,
                 error) ||
      !read_u32 (p, n->offset + LOCATE_ELEMENT, end, _("locate element"),
                 &n->locate_element, error) ||
      !read_u32 (p, off_field, end, _("nested descriptor offset"), &n->locate_offset,
                 error))
    return FALSE;
  /* Offset 0 (no parent device) is a form no store we know has. */
  if (n->locate_offset == 0)
    return make_opaque (p, n);
  if (n->locate_offset < LOCATE_STRING)
    return fail (error, _("the nested descriptor offset at 0x%zx is 0x%x, inside the "
                          "locate header (it must be at least 0x%x)"),
                 off_field, n->locate_offset, LOCATE_STRING);
  if (n->locate_offset > n->size)
    return fail (error, _("the nested descriptor offset at 0x%zx is 0x%x, past the end "
                          "of its 0x%x-byte descriptor"),
                 off_field, n->locate_offset, n->size);
  n->kind = BOOTFIX_BCD_NODE_LOCATE;
  if (!take_path (p, n, n->offset + LOCATE_STRING, n->offset + n->locate_offset, error))
    return FALSE;
  n->nested = parse_node (p, n->offset + n->locate_offset, end, n->depth + 1, error);
  if (n->nested == NULL)
    return FALSE;
  n->tail_offset = node_end (n->nested);
  n->tail = span_bytes (p, n->tail_offset, end);
  return TRUE;
}

static gboolean
parse_payload (Parser *p, BootfixBcdNode *n, GError **error)
{
  switch (n->type) {
  case BOOTFIX_BCD_DEV_PARTITION:
    return parse_partition (p, n, error);
  case BOOTFIX_BCD_DEV_BOOT:
    n->kind = BOOTFIX_BCD_NODE_BOOT;
    n->raw_offset = n->offset + BOOTFIX_BCD_HEADER_LEN;
    n->raw = span_bytes (p, n->raw_offset, node_end (n));
    return TRUE;
  case BOOTFIX_BCD_DEV_BLOCK:
    return parse_block (p, n, error);
  case BOOTFIX_BCD_DEV_LOCATE:
    return parse_locate (p, n, error);
  default:
    /* Legacy partition, serial, UDP, unknown: reported, not guessed. */
    return make_opaque (p, n);
  }
}

/* The descriptor at offset, which must fit before end (its parent's end). */
static BootfixBcdNode *
parse_node (Parser *p, gsize offset, gsize end, guint depth, GError **error)
{
  g_autoptr (BootfixBcdNode) n = NULL;

  if (depth >= BOOTFIX_BCD_MAX_DEPTH) {
    fail (error, _("the descriptor at offset 0x%zx is nested deeper than %d levels"),
          offset, BOOTFIX_BCD_MAX_DEPTH);
    return NULL;
  }
  if (end > p->len || !bootfix_span_ok (end, offset, BOOTFIX_BCD_HEADER_LEN)) {
    fail (error, _("the descriptor header at offset 0x%zx needs 16 bytes, its parent "
                   "ends at 0x%zx"),
          offset, end);
    return NULL;
  }
  n = g_new0 (BootfixBcdNode, 1);
  n->offset = offset;
  n->depth = depth;
  if (!read_u32 (p, offset + HDR_TYPE, end, _("device type"), &n->type, error) ||
      !read_u32 (p, offset + HDR_FLAGS, end, _("flags"), &n->flags, error) ||
      !read_u32 (p, offset + HDR_SIZE, end, _("size"), &n->size, error) ||
      !read_u32 (p, offset + HDR_RESERVED, end, _("reserved"), &n->reserved, error))
    return NULL;
  if (n->size < BOOTFIX_BCD_HEADER_LEN) {
    fail (error, _("the size field at offset 0x%zx is 0x%x, smaller than the "
                   "descriptor's own 16-byte header"),
          offset + HDR_SIZE, n->size);
    return NULL;
  }
  if (n->size > end - offset) {
    fail (error, _("the size field at offset 0x%zx is 0x%x, past the end of its "
                   "parent (0x%zx bytes left)"),
          offset + HDR_SIZE, n->size, end - offset);
    return NULL;
  }
  if (!parse_payload (p, n, error))
    return NULL;
  return g_steal_pointer (&n);
}

BootfixBcdDevice *
bootfix_bcd_device_parse (const guint8 *data, gsize len, GError **error)
{
  Parser p = { data, len, TRUE };
  g_autoptr (BootfixBcdDevice) dev = NULL;

  if (data == NULL || len < BOOTFIX_BCD_DEVICE_MIN_LEN) {
    fail (error, _("the value is %zu bytes, shorter than the 32 bytes of options GUID "
                   "and descriptor header"),
          data == NULL ? 0 : len);
    return NULL;
  }
  if (len > BOOTFIX_BCD_MAX_DEVICE_LEN) {
    fail (error, _("the value is %zu bytes, more than the %d a device element may have"),
          len, BOOTFIX_BCD_MAX_DEVICE_LEN);
    return NULL;
  }
  dev = g_new0 (BootfixBcdDevice, 1);
  dev->length = len;
  if (!read_guid (&p, OPTIONS_OFFSET, len, _("options GUID"), dev->options, error))
    return NULL;
  dev->root = parse_node (&p, ROOT_OFFSET, len, 0, error);
  if (dev->root == NULL)
    return NULL;
  dev->trailer_offset = node_end (dev->root);
  dev->trailer = span_bytes (&p, dev->trailer_offset, len);
  dev->complete = p.complete;
  return g_steal_pointer (&dev);
}

/* ---- Encode: write every field and kept span at its offset ---- */

typedef struct {
  guint8 *buf;
  gsize len;
} Out;

static gboolean
put_raw (Out *o, gsize off, const guint8 *data, gsize n)
{
  if (!bootfix_span_ok (o->len, off, n))
    return FALSE;
  if (n > 0)
    memcpy (o->buf + off, data, n);
  return TRUE;
}

static gboolean
put_bytes (Out *o, gsize off, GBytes *b)
{
  gsize n = 0;
  const guint8 *data;

  if (b == NULL)
    return TRUE;
  data = g_bytes_get_data (b, &n);
  return put_raw (o, off, data, n);
}

static gboolean
put_file_path (Out *o, const BootfixBcdNode *n)
{
  return bootfix_write_le32 (o->buf, o->len, n->fp_offset + FP_VERSION, n->fp_version) &&
         bootfix_write_le32 (o->buf, o->len, n->fp_offset + FP_LENGTH, n->fp_length) &&
         bootfix_write_le32 (o->buf, o->len, n->fp_offset + FP_TYPE, n->fp_type);
}

static gboolean
put_fields (Out *o, const BootfixBcdNode *n)
{
  gsize d = n->offset;

  switch (n->kind) {
  case BOOTFIX_BCD_NODE_PARTITION:
    return put_raw (o, d + PART_ID, n->partition_id, GUID_LEN) &&
           bootfix_write_le32 (o->buf, o->len, d + PART_DISK_TYPE, n->disk_type) &&
           bootfix_write_le32 (o->buf, o->len, d + PART_STYLE, n->style) &&
           put_raw (o, d + PART_DISK_ID, n->disk_id, GUID_LEN);
  case BOOTFIX_BCD_NODE_RAMDISK:
    return bootfix_write_le32 (o->buf, o->len, d + LOCAL_TYPE, n->local_type) &&
           bootfix_write_le64 (o->buf, o->len, d + RAMDISK_BASE, n->image_base) &&
           bootfix_write_le64 (o->buf, o->len, d + RAMDISK_SIZE, n->image_size) &&
           bootfix_write_le32 (o->buf, o->len, d + RAMDISK_OFFSET, n->image_offset) &&
           put_file_path (o, n);
  case BOOTFIX_BCD_NODE_FILE:
    return bootfix_write_le32 (o->buf, o->len, d + LOCAL_TYPE, n->local_type) &&
           put_file_path (o, n);
  case BOOTFIX_BCD_NODE_VHD:
    return bootfix_write_le32 (o->buf, o->len, d + LOCAL_TYPE, n->local_type);
  case BOOTFIX_BCD_NODE_LOCATE:
    return bootfix_write_le32 (o->buf, o->len, d + LOCATE_KIND, n->locate_kind) &&
           bootfix_write_le32 (o->buf, o->len, d + LOCATE_ELEMENT, n->locate_element) &&
           bootfix_write_le32 (o->buf, o->len, d + LOCATE_OFFSET, n->locate_offset);
  case BOOTFIX_BCD_NODE_OPAQUE:
  case BOOTFIX_BCD_NODE_BOOT:
  default:
    return TRUE;
  }
}

static gboolean
put_node (Out *o, const BootfixBcdNode *n, guint depth)
{
  /* A model a caller built by hand could loop; parse never does. */
  if (depth >= BOOTFIX_BCD_MAX_DEPTH)
    return FALSE;
  if (!bootfix_write_le32 (o->buf, o->len, n->offset + HDR_TYPE, n->type) ||
      !bootfix_write_le32 (o->buf, o->len, n->offset + HDR_FLAGS, n->flags) ||
      !bootfix_write_le32 (o->buf, o->len, n->offset + HDR_SIZE, n->size) ||
      !bootfix_write_le32 (o->buf, o->len, n->offset + HDR_RESERVED, n->reserved) ||
      !put_fields (o, n) || !put_bytes (o, n->raw_offset, n->raw) ||
      !put_bytes (o, n->path_offset, n->path) || !put_bytes (o, n->tail_offset, n->tail))
    return FALSE;
  return n->nested == NULL || put_node (o, n->nested, depth + 1);
}

GBytes *
bootfix_bcd_device_encode (const BootfixBcdDevice *dev, GError **error)
{
  Out o;

  g_return_val_if_fail (dev != NULL && dev->root != NULL, NULL);
  o.len = dev->length;
  o.buf = g_malloc0 (MAX (o.len, 1));
  if (!put_raw (&o, OPTIONS_OFFSET, dev->options, GUID_LEN) ||
      !put_node (&o, dev->root, 0) || !put_bytes (&o, dev->trailer_offset, dev->trailer)) {
    g_free (o.buf);
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("BCD device element: the model does not fit in its %zu bytes"),
                 dev->length);
    return NULL;
  }
  return g_bytes_new_take (o.buf, o.len);
}

/* ---- Partition references ---- */

static gboolean
node_is_reference (const BootfixBcdNode *n)
{
  return n->kind == BOOTFIX_BCD_NODE_PARTITION &&
         (n->style == BOOTFIX_BCD_STYLE_MBR || n->style == BOOTFIX_BCD_STYLE_GPT);
}

static void
node_to_ref (const BootfixBcdNode *n, BootfixBcdPartitionRef *ref)
{
  memset (ref, 0, sizeof *ref);
  ref->offset = n->offset;
  ref->depth = n->depth;
  if (n->style == BOOTFIX_BCD_STYLE_MBR) {
    ref->kind = BOOTFIX_BCD_REF_MBR;
    (void) bootfix_read_le64 (n->partition_id, GUID_LEN, 0, &ref->partition_offset);
    (void) bootfix_read_le32 (n->disk_id, GUID_LEN, 0, &ref->disk_signature);
  } else {
    ref->kind = BOOTFIX_BCD_REF_GPT;
    memcpy (ref->partition_guid, n->partition_id, GUID_LEN);
    memcpy (ref->disk_guid, n->disk_id, GUID_LEN);
  }
}

GArray *
bootfix_bcd_device_get_references (const BootfixBcdDevice *dev)
{
  GArray *refs = g_array_new (FALSE, TRUE, sizeof (BootfixBcdPartitionRef));
  guint depth = 0;

  for (const BootfixBcdNode *n = dev->root; n != NULL && depth < BOOTFIX_BCD_MAX_DEPTH;
       n = n->nested, depth++) {
    if (node_is_reference (n)) {
      BootfixBcdPartitionRef ref;
      node_to_ref (n, &ref);
      g_array_append_val (refs, ref);
    }
  }
  return refs;
}

gboolean
bootfix_bcd_device_set_reference (BootfixBcdDevice *dev, gsize offset,
                                  const BootfixBcdPartitionRef *ref, GError **error)
{
  BootfixBcdNode *n = dev->root;

  for (guint depth = 0; n != NULL && depth < BOOTFIX_BCD_MAX_DEPTH; depth++) {
    if (n->offset == offset && node_is_reference (n))
      break;
    n = n->nested;
  }
  if (n == NULL || n->offset != offset || !node_is_reference (n)) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("BCD device element: no MBR or GPT partition reference at offset "
                   "0x%zx"),
                 offset);
    return FALSE;
  }
  if (ref->kind == BOOTFIX_BCD_REF_MBR) {
    /* Switching style: the GUID bytes must not survive as padding. */
    if (n->style != BOOTFIX_BCD_STYLE_MBR) {
      memset (n->partition_id, 0, GUID_LEN);
      memset (n->disk_id, 0, GUID_LEN);
      n->style = BOOTFIX_BCD_STYLE_MBR;
    }
    (void) bootfix_write_le64 (n->partition_id, GUID_LEN, 0, ref->partition_offset);
    (void) bootfix_write_le32 (n->disk_id, GUID_LEN, 0, ref->disk_signature);
  } else {
    n->style = BOOTFIX_BCD_STYLE_GPT;
    memcpy (n->partition_id, ref->partition_guid, GUID_LEN);
    memcpy (n->disk_id, ref->disk_guid, GUID_LEN);
  }
  return TRUE;
}

GBytes *
bootfix_bcd_device_patch (const guint8 *data, gsize len, gsize offset,
                          const BootfixBcdPartitionRef *ref, GError **error)
{
  g_autoptr (BootfixBcdDevice) dev = bootfix_bcd_device_parse (data, len, error);
  g_autoptr (GBytes) out = NULL;

  if (dev == NULL || !bootfix_bcd_device_set_reference (dev, offset, ref, error))
    return NULL;
  out = bootfix_bcd_device_encode (dev, error);
  if (out == NULL)
    return NULL;
  /* The store writes the value back in place: never a new length. */
  if (g_bytes_get_size (out) != len) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("BCD device element: a patch changed the length from %zu to %zu"),
                 len, g_bytes_get_size (out));
    return NULL;
  }
  return g_steal_pointer (&out);
}

/* ---- Readable form ---- */

/* UTF-16LE up to the first NUL, control characters shown as '?' so a
 * hostile path cannot drive a terminal. */
static void
append_utf16 (GString *s, GBytes *path)
{
  gsize len = 0;
  const guint8 *data = path ? g_bytes_get_data (path, &len) : NULL;
  g_autofree char *utf8 = bootfix_utf16le_to_utf8 (data, len);
  if (utf8 == NULL) {
    g_string_append (s, _("(invalid UTF-16)"));
    return;
  }
  bootfix_append_guest_text (s, utf8);
}

static guint16
path_first_unit (GBytes *path)
{
  gsize len = 0;
  const guint8 *data = path ? g_bytes_get_data (path, &len) : NULL;
  guint16 u = 0;

  (void) bootfix_read_le16 (data, len, 0, &u);
  return u;
}

static void
append_partition (GString *s, const BootfixBcdNode *n)
{
  BootfixBcdPartitionRef ref;
  guint32 pnum = 0, dnum = 0;

  if (node_is_reference (n)) {
    node_to_ref (n, &ref);
    g_autofree char *text = bootfix_bcd_ref_to_string (&ref);
    g_string_append (s, text);
  } else if (n->style == BOOTFIX_BCD_STYLE_RAW) {
    (void) bootfix_read_le32 (n->partition_id, GUID_LEN, 0, &pnum);
    (void) bootfix_read_le32 (n->disk_id, GUID_LEN, 0, &dnum);
    g_string_append_printf (s, "raw disk %u partition %u", dnum, pnum);
  } else {
    g_string_append_printf (s, "partition style %u", n->style);
  }
}

static void
append_node (GString *s, const BootfixBcdNode *n, guint depth)
{
  if (n == NULL || depth >= BOOTFIX_BCD_MAX_DEPTH) {
    g_string_append (s, "?");
    return;
  }
  switch (n->kind) {
  case BOOTFIX_BCD_NODE_PARTITION:
    append_partition (s, n);
    break;
  case BOOTFIX_BCD_NODE_BOOT:
    g_string_append (s, "boot");
    break;
  case BOOTFIX_BCD_NODE_RAMDISK:
  case BOOTFIX_BCD_NODE_FILE:
    g_string_append (s, n->kind == BOOTFIX_BCD_NODE_RAMDISK ? "ramdisk [" : "file [");
    append_node (s, n->nested, depth + 1);
    g_string_append (s, "] ");
    append_utf16 (s, n->path);
    break;
  case BOOTFIX_BCD_NODE_VHD:
    g_string_append (s, "vhd ");
    append_node (s, n->nested, depth + 1);
    break;
  case BOOTFIX_BCD_NODE_LOCATE:
    g_string_append_printf (s, "locate custom:%08x ", n->locate_element);
    if (path_first_unit (n->path) != 0) {
      g_string_append_c (s, '"');
      append_utf16 (s, n->path);
      g_string_append (s, "\" ");
    }
    append_node (s, n->nested, depth + 1);
    break;
  case BOOTFIX_BCD_NODE_OPAQUE:
  default:
    if (n->type == BOOTFIX_BCD_DEV_BLOCK)
      g_string_append_printf (s, "block device, local type %u (%u bytes)", n->local_type,
                              n->size);
    else
      g_string_append_printf (s, "device type %u (%u bytes)", n->type, n->size);
    break;
  }
}

char *
bootfix_bcd_device_to_string (const BootfixBcdDevice *dev)
{
  static const guint8 zero[GUID_LEN] = { 0 };
  GString *s = g_string_new (NULL);

  append_node (s, dev->root, 0);
  if (memcmp (dev->options, zero, GUID_LEN) != 0) {
    g_autofree char *guid = bootfix_guid_bytes_to_string (dev->options);
    g_string_append_printf (s, ",%s", guid);
  }
  if (dev->trailer != NULL)
    g_string_append_printf (s, " (+%zu trailing bytes)", g_bytes_get_size (dev->trailer));
  return g_string_free (s, FALSE);
}

char *
bootfix_bcd_ref_to_string (const BootfixBcdPartitionRef *ref)
{
  if (ref->kind == BOOTFIX_BCD_REF_MBR)
    return g_strdup_printf ("disk 0x%08X @ %" PRIu64, ref->disk_signature,
                            ref->partition_offset);
  g_autofree char *disk = bootfix_guid_bytes_to_string (ref->disk_guid);
  g_autofree char *part = bootfix_guid_bytes_to_string (ref->partition_guid);
  return g_strdup_printf ("gpt disk %s partition %s", disk, part);
}
