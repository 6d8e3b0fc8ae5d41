/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* VMDK sparse headers and text descriptors: docs/image-formats.md,
 * "VMDK".  The descriptor is scanned the way qemu's vmdk driver scans
 * it (block/vmdk.c: an sscanf per line start, which may run on across
 * line ends), because the point is to know exactly which files qemu
 * will open; where we differ we refuse more, never less. */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "bootfix-error.h"
#include "bytes.h"
#include "image-format.h"
#include "vmdk-descriptor.h"

#define SPARSE_MAGIC "KDMV"
#define COWD_MAGIC "COWD"
#define OFF_VERSION 4
#define OFF_FLAGS 8
#define OFF_CAPACITY 12
#define OFF_DESCRIPTOR_OFFSET 28
#define OFF_COMPRESSION 77
#define COMPRESSION_DEFLATE 1
#define MAX_VERSION 3
/* qemu's field widths: %10s, %511[...], and 128 bytes for createType. */
#define TOKEN_MAX 10
#define NAME_MAX_SCANNED 511
#define CREATE_TYPE_MAX 127
/* More digits than a 64-bit sector count can have. */
#define MAX_DIGITS 19

gboolean
bootfix_vmdk_sparse_header_parse (const guint8 *buf, gsize size,
                                  BootfixVmdkSparseHeader *h, GError **error)
{
  memset (h, 0, sizeof *h);
  if (size >= 4 && memcmp (buf, COWD_MAGIC, 4) == 0)
    return bootfix_guest_error (error, _("VMFS sparse (COWD) VMDK extents are "
                                         "not supported"));
  if (size < BOOTFIX_VMDK_SPARSE_HEADER_SIZE || memcmp (buf, SPARSE_MAGIC, 4) != 0)
    return bootfix_guest_error (error, _("not a sparse VMDK extent (no KDMV magic)"));
  if (!bootfix_read_le32 (buf, size, OFF_VERSION, &h->version) ||
      !bootfix_read_le32 (buf, size, OFF_FLAGS, &h->flags) ||
      !bootfix_read_le64 (buf, size, OFF_CAPACITY, &h->capacity) ||
      !bootfix_read_le64 (buf, size, OFF_DESCRIPTOR_OFFSET, &h->descriptor_offset) ||
      !bootfix_read_le16 (buf, size, OFF_COMPRESSION, &h->compression))
    return bootfix_guest_error (error, _("sparse VMDK header is truncated"));
  if (h->version == 0 || h->version > MAX_VERSION)
    return bootfix_guest_error (error, _("sparse VMDK version %u is not supported"),
                                h->version);
  return TRUE;
}

gboolean
bootfix_vmdk_sparse_writable (const BootfixVmdkSparseHeader *h)
{
  return h->compression != COMPRESSION_DEFLATE && h->version != 3;
}

void
bootfix_vmdk_descriptor_free (BootfixVmdkDescriptor *d)
{
  if (d == NULL)
    return;
  g_free (d->create_type);
  g_ptr_array_unref (d->extents);
  g_free (d);
}

static void
extent_free (gpointer p)
{
  BootfixVmdkExtent *e = p;
  g_free (e->file);
  g_free (e);
}

/* ---- qemu's sscanf ("%10s %ld %10s \"%511[^\n\r\"]\" %ld"), by hand ---- */

typedef struct {
  char access[TOKEN_MAX + 1];
  gint64 sectors;
  char type[TOKEN_MAX + 1];
  char name[NAME_MAX_SCANNED + 1];
  gint64 offset;
  gboolean name_cut; /* the name filled all 511 bytes */
} ExtentLine;

static gboolean
c_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static const char *
skip_space (const char *p)
{
  while (*p && c_space (*p))
    p++;
  return p;
}

static gboolean
scan_token (const char **pp, char *out)
{
  const char *p = skip_space (*pp);
  gsize n = 0;
  while (*p && !c_space (*p) && n < TOKEN_MAX)
    out[n++] = *p++;
  out[n] = '\0';
  *pp = p;
  return n > 0;
}

/* strtoll's grammar; a value too large for 64 bits saturates as it does. */
static gboolean
scan_number (const char **pp, gint64 *out)
{
  const char *p = skip_space (*pp);
  gboolean negative = *p == '-';
  guint64 v = 0;
  int digits = 0;
  if (*p == '-' || *p == '+')
    p++;
  for (; g_ascii_isdigit (*p); p++, digits++)
    if (digits < MAX_DIGITS)
      v = v * 10 + (guint64) (*p - '0');
    else
      v = G_MAXUINT64;
  if (digits == 0)
    return FALSE;
  if (v > G_MAXINT64)
    *out = negative ? G_MININT64 : G_MAXINT64;
  else
    *out = negative ? -(gint64) v : (gint64) v;
  *pp = p;
  return TRUE;
}

/* How many fields matched, as sscanf counts them. */
static int
scan_extent_line (const char *p, ExtentLine *l)
{
  gsize n = 0;
  memset (l, 0, sizeof *l);
  if (!scan_token (&p, l->access))
    return 0;
  if (!scan_number (&p, &l->sectors))
    return 1;
  if (!scan_token (&p, l->type))
    return 2;
  p = skip_space (p);
  if (*p != '"')
    return 3;
  for (p++; *p && *p != '\n' && *p != '\r' && *p != '"' && n < NAME_MAX_SCANNED; p++)
    l->name[n++] = *p;
  if (n == 0)
    return 3;
  l->name_cut = n == NAME_MAX_SCANNED;
  if (*p != '"')
    return 4;
  p++;
  return scan_number (&p, &l->offset) ? 5 : 4;
}

static const char *
next_line (const char *p)
{
  const char *nl = strchr (p, '\n');
  return nl ? nl + 1 : p + strlen (p);
}

static gboolean
is_one_of (const char *s, const char *const *list)
{
  for (; *list; list++)
    if (g_str_equal (s, *list))
      return TRUE;
  return FALSE;
}

static gboolean
add_extent (BootfixVmdkDescriptor *d, const ExtentLine *l, GError **error)
{
  if (d->extents->len >= BOOTFIX_VMDK_MAX_EXTENTS)
    return bootfix_guest_error (error, _("the VMDK descriptor lists more than %d "
                                         "extents"), BOOTFIX_VMDK_MAX_EXTENTS);
  if (l->name_cut)
    return bootfix_guest_error (error, _("a VMDK extent name is too long"));
  BootfixVmdkExtent *e = g_new0 (BootfixVmdkExtent, 1);
  g_ptr_array_add (d->extents, e);
  gboolean flat = g_str_equal (l->type, "FLAT") || g_str_equal (l->type, "VMFS");
  e->kind = flat ? BOOTFIX_VMDK_EXTENT_FLAT : BOOTFIX_VMDK_EXTENT_SPARSE;
  e->sectors = (guint64) l->sectors;
  e->offset = g_str_equal (l->type, "FLAT") ? (guint64) l->offset : 0;
  e->file = bootfix_image_reference_dup ((const guint8 *) l->name, strlen (l->name),
                                         _("VMDK extent"), error);
  return e->file != NULL;
}

/* One line start: what qemu does with it, and our refusals on top. */
static gboolean
parse_extent_at (BootfixVmdkDescriptor *d, const char *p, GError **error)
{
  static const char *const qemu_types[] = { "FLAT", "SPARSE", "VMFS", "VMFSSPARSE",
                                            "SESPARSE", NULL };
  static const char *const other_access[] = { "RDONLY", "NOACCESS", NULL };
  ExtentLine l;
  int matches = scan_extent_line (p, &l);
  if (matches >= 4 && is_one_of (l.access, other_access))
    return bootfix_guest_error (error, _("the VMDK has a %s extent, which qemu "
                                         "would leave out of the disk"), l.access);
  if (matches < 4 || !g_str_equal (l.access, "RW"))
    return TRUE;
  gboolean bad = g_str_equal (l.type, "FLAT") ? matches != 5 || l.offset < 0
                 : g_str_equal (l.type, "VMFS") ? matches != 4
                 : matches != 4;
  if (bad)
    return bootfix_guest_error (error, _("the VMDK descriptor has an invalid "
                                         "extent line"));
  if (l.sectors <= 0 || !is_one_of (l.type, qemu_types))
    return TRUE; /* qemu skips it too */
  if (g_str_equal (l.type, "VMFSSPARSE") || g_str_equal (l.type, "SESPARSE"))
    return bootfix_guest_error (error, _("%s VMDK extents are not supported"), l.type);
  return add_extent (d, &l, error);
}

/* vmdk_parse_description: the first "createType", 2 bytes skipped
 * (="), up to the next quote. */
static char *
find_create_type (const char *text, GError **error)
{
  const char *key = strstr (text, "createType");
  gsize text_len = strlen (text);
  if (key != NULL && (gsize) (key - text) + strlen ("createType") + 2 < text_len) {
    const char *start = key + strlen ("createType") + 2;
    const char *end = strchr (start, '"');
    if (end != NULL && end - start <= CREATE_TYPE_MAX)
      return bootfix_image_reference_dup ((const guint8 *) start, (gsize) (end - start),
                                          _("VMDK createType"), error);
  }
  bootfix_guest_error (error, _("the VMDK descriptor has no usable createType"));
  return NULL;
}

BootfixVmdkDescriptor *
bootfix_vmdk_descriptor_parse (const char *text, gsize len, GError **error)
{
  static const char *const qemu_create_types[] = {
    "monolithicFlat", "vmfs", "vmfsSparse", "seSparse", "twoGbMaxExtentSparse",
    "twoGbMaxExtentFlat", NULL };
  g_autofree char *copy = g_strndup (text, MIN (len, BOOTFIX_VMDK_MAX_DESCRIPTOR));
  g_autoptr (BootfixVmdkDescriptor) d = g_new0 (BootfixVmdkDescriptor, 1);
  d->extents = g_ptr_array_new_with_free_func (extent_free);
  d->create_type = find_create_type (copy, error);
  if (d->create_type == NULL)
    return NULL;
  if (!is_one_of (d->create_type, qemu_create_types)) {
    g_autofree char *shown = bootfix_quote_guest_text (d->create_type, 64);
    bootfix_guest_error (error, _("VMDK createType \"%s\" is not one qemu opens"), shown);
    return NULL;
  }
  if (g_str_equal (d->create_type, "vmfsSparse") || g_str_equal (d->create_type, "seSparse")) {
    bootfix_guest_error (error, _("VMDK createType %s is not supported"), d->create_type);
    return NULL;
  }
  for (const char *p = copy; *p; p = next_line (p))
    if (!parse_extent_at (d, p, error))
      return NULL;
  if (d->extents->len == 0) {
    bootfix_guest_error (error, _("the VMDK descriptor lists no extent"));
    return NULL;
  }
  return g_steal_pointer (&d);
}

gboolean
bootfix_vmdk_names_parent (const char *text, gsize len)
{
  g_autofree char *copy = g_strndup (text, MIN (len, BOOTFIX_VMDK_PARENT_WINDOW));
  return strstr (copy, "parentFileNameHint") != NULL;
}

gboolean
bootfix_vmdk_create_type_writable (const char *create_type)
{
  static const char *const writable[] = {
    "monolithicSparse", "monolithicFlat", "vmfs", "twoGbMaxExtentSparse",
    "twoGbMaxExtentFlat", NULL };
  return create_type != NULL && is_one_of (create_type, writable);
}
