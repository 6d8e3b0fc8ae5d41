/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Resolving an image's chain of files from its headers, before qemu
 * opens any of them.  The parsers are in src/formats; this file reads
 * the bytes they need and applies the path rules. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "bootfix-error.h"
#include "image-chain.h"
#include "image.h"
#include "image-format.h"
#include "qcow2-header.h"
#include "vhd.h"
#include "vmdk-descriptor.h"

typedef struct {
  gboolean allow_block_devices;
  gboolean allow_unsafe_paths;
  /* BootfixBackingStore*: the domain's <backingStore> chain for the
   * image, top first; NULL without a domain (the -a form). */
  const GPtrArray *declared;
  /* char*: real paths of the folders of the files the user named, the
   * image's first, then each declared backing file's as it is reached;
   * the last is the nearest above the file being resolved. */
  GPtrArray *folders;
  GHashTable *seen;    /* "dev:ino" of every file opened */
  BootfixImageChain *chain;
} Resolver;

void
bootfix_image_layer_free (BootfixImageLayer *l)
{
  if (l == NULL)
    return;
  g_free (l->path);
  g_free (l->format);
  g_free (l->kind);
  g_free (l->claims);
  g_ptr_array_unref (l->files);
  g_free (l);
}

BootfixImageLayer *
bootfix_image_layer_new (const char *path, const char *format)
{
  BootfixImageLayer *l = g_new0 (BootfixImageLayer, 1);
  l->path = g_strdup (path);
  l->format = g_strdup (format);
  l->files = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (l->files, g_strdup (path));
  return l;
}

BootfixImageChain *
bootfix_image_chain_new (void)
{
  BootfixImageChain *c = g_new0 (BootfixImageChain, 1);
  c->layers = g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_image_layer_free);
  return c;
}

gboolean
bootfix_image_chain_same (const BootfixImageChain *a, const BootfixImageChain *b)
{
  if (a->layers->len != b->layers->len)
    return FALSE;
  for (guint i = 0; i < a->layers->len; i++) {
    const BootfixImageLayer *x = g_ptr_array_index (a->layers, i);
    const BootfixImageLayer *y = g_ptr_array_index (b->layers, i);
    if (!g_str_equal (x->path, y->path) || !g_str_equal (x->format, y->format) ||
        x->files->len != y->files->len)
      return FALSE;
    for (guint k = 0; k < x->files->len; k++)
      if (!g_str_equal (g_ptr_array_index (x->files, k), g_ptr_array_index (y->files, k)))
        return FALSE;
  }
  return TRUE;
}

void
bootfix_image_chain_free (BootfixImageChain *c)
{
  if (c == NULL)
    return;
  g_ptr_array_unref (c->layers);
  g_free (c->not_writable);
  g_free (c);
}

/* ---- opening and reading ---- */

/* Open a file of the chain and check what it is (*is_block, when not
 * NULL: a block device).  The named image (top) may be a symbolic link
 * or block device: the caller checked its path against the user's
 * options already. */
static int
open_checked (Resolver *r, const char *path, gboolean top, gboolean *is_block,
              GError **error)
{
  int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK;
  if (!top && !r->allow_unsafe_paths)
    flags |= O_NOFOLLOW;
  int fd = g_open (path, flags, 0);
  struct stat st;
  if (fd < 0 || fstat (fd, &st) != 0) {
    int saved = errno;
    if (fd >= 0)
      close (fd);
    if (saved == ELOOP)
      bootfix_refuse (error, _("%s is a symbolic link; name the file itself, or pass "
                       "--allow-unsafe-paths if you trust the image"), path);
    else
      bootfix_refuse (error, _("cannot open %s: %s"), path, g_strerror (saved));
    return -1;
  }
  g_autofree char *key = g_strdup_printf ("%ju:%ju", (uintmax_t) st.st_dev,
                                          (uintmax_t) st.st_ino);
  gboolean ok = FALSE;
  if (S_ISBLK (st.st_mode) && !top && !r->allow_block_devices)
    bootfix_refuse (error, _("%s is a block device; pass --allow-block-devices to use it"), path);
  else if (!S_ISREG (st.st_mode) && !S_ISBLK (st.st_mode))
    bootfix_refuse (error, _("%s is not a regular file"), path);
  else if (!g_hash_table_add (r->seen, g_steal_pointer (&key)))
    bootfix_refuse (error, _("%s is reached twice: the image's files form a loop"), path);
  else
    ok = TRUE;
  if (!ok) {
    close (fd);
    return -1;
  }
  if (is_block != NULL)
    *is_block = S_ISBLK (st.st_mode);
  return fd;
}

/* Up to len bytes at offset (fewer at the end of the file). */
static guint8 *
read_at (int fd, const char *path, guint64 offset, gsize len, gsize *got,
         GError **error)
{
  g_autofree guint8 *buf = g_malloc0 (len ? len : 1);
  gsize done = 0;
  while (done < len) {
    ssize_t n = pread (fd, buf + done, len - done, (off_t) (offset + done));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int saved = errno;
      bootfix_refuse (error, _("cannot read %s: %s"), path, g_strerror (saved));
      return NULL;
    }
    if (n == 0)
      break;
    done += (gsize) n;
  }
  *got = done;
  return g_steal_pointer (&buf);
}

static guint64
file_size (int fd)
{
  off_t end = lseek (fd, 0, SEEK_END);
  return end > 0 ? (guint64) end : 0;
}

/* ---- names found in headers ---- */

static gboolean
has_dotdot (const char *name)
{
  g_auto (GStrv) parts = g_strsplit (name, "/", -1);
  for (char **p = parts; *p; p++)
    if (g_str_equal (*p, ".."))
      return TRUE;
  return FALSE;
}

/* Does real lie in the folder of a file the user named (subfolders
 * count)? */
static gboolean
in_named_folder (const Resolver *r, const char *real)
{
  for (guint i = 0; i < r->folders->len; i++) {
    const char *folder = g_ptr_array_index (r->folders, i);
    size_t n = strlen (folder);
    if (strncmp (real, folder, n) == 0 &&
        (real[n] == '/' || (n > 0 && folder[n - 1] == '/')))
      return TRUE;
  }
  return FALSE;
}

/* What the domain declares as the backing file of the layer at depth
 * (0: the image's own); NULL when it declares none there. */
static const BootfixBackingStore *
declared_at (const Resolver *r, guint depth)
{
  if (r->declared == NULL || depth >= r->declared->len)
    return NULL;
  return g_ptr_array_index (r->declared, depth);
}

/* Is the file at real path real, named in format, the one declared?
 * Real paths are compared: another spelling of the same file matches,
 * a file of the same name elsewhere does not. */
static gboolean
is_declared (const BootfixBackingStore *declared, const char *real,
             const char *format)
{
  if (declared == NULL || format == NULL ||
      !g_str_equal (declared->format, format))
    return FALSE;
  g_autofree char *want = realpath (declared->path, NULL);
  return want != NULL && g_str_equal (want, real);
}

/* A backing file outside every named folder that the domain does not
 * declare at that place: say what it does declare there. */
static char *
refuse_undeclared (const Resolver *r, const char *holder, const char *name,
                   const char *format, guint depth, GError **error)
{
  const char *folder = g_ptr_array_index (r->folders, r->folders->len - 1);
  const BootfixBackingStore *declared = declared_at (r, depth);
  if (declared == NULL)
    bootfix_refuse (error, _("%s names \"%s\" (%s) as its backing file, which lies "
                             "outside the image's folder (%s), and the disk's "
                             "<backingStore> in the domain XML declares no file "
                             "there; declare it there, keep it in the image's "
                             "folder, or pass --allow-unsafe-paths if you trust "
                             "the image"), holder, name, format, folder);
  else
    bootfix_refuse (error, _("%s names \"%s\" (%s) as its backing file, which lies "
                             "outside the image's folder (%s) and is not the file "
                             "the disk's <backingStore> in the domain XML declares "
                             "there (%s, %s); correct the domain XML, or pass "
                             "--allow-unsafe-paths if you trust the image"),
                    holder, name, format, folder, declared->path, declared->format);
  return NULL;
}

/* The file a header names, as qemu finds it (relative names count from
 * the folder of the file that holds them), after the path rules.
 * format: what the header says the file is, for a backing file of the
 * layer at depth; NULL for a VMDK extent, which no domain declares. */
static char *
resolve_reference (Resolver *r, const char *holder, const char *name,
                   const char *format, guint depth, GError **error)
{
  if (g_str_has_prefix (name, "json:") || name[strcspn (name, ":/")] == ':') {
    bootfix_refuse (error, _("%s names \"%s\", which qemu would read as a json: or "
                     "network name, not a local file; refused"), holder, name);
    return NULL;
  }
  g_autofree char *dir = g_path_get_dirname (holder);
  g_autofree char *path = g_canonicalize_filename (name, dir);
  if (r->allow_unsafe_paths)
    return g_steal_pointer (&path);
  GStatBuf st;
  g_autofree char *real = realpath (path, NULL);
  gboolean outside = real != NULL && !in_named_folder (r, real);
  gboolean declared = outside && is_declared (declared_at (r, depth), real, format);
  const char *why = NULL;
  if (has_dotdot (name))
    why = _("contains '..'");
  else if (g_lstat (path, &st) == 0 && S_ISLNK (st.st_mode))
    why = _("is a symbolic link");
  else if (outside && !declared && format != NULL && r->declared != NULL)
    return refuse_undeclared (r, holder, name, format, depth, error);
  else if (outside && !declared)
    why = _("lies outside the image's folder");
  if (why != NULL) {
    bootfix_refuse (error, _("%s names \"%s\", which %s; keep the image's files in "
                     "its folder (%s), or pass --allow-unsafe-paths if you trust "
                     "the image"), holder, name, why,
                    (const char *) g_ptr_array_index (r->folders, r->folders->len - 1));
    return NULL;
  }
  /* As trusted as the image: its own extents and backing files may
   * lie beside it. */
  if (declared)
    g_ptr_array_add (r->folders, g_path_get_dirname (real));
  return g_steal_pointer (&path);
}

static BootfixImageLayer *
add_layer (Resolver *r, const char *path, const char *format)
{
  BootfixImageLayer *l = bootfix_image_layer_new (path, format);
  g_ptr_array_add (r->chain->layers, l);
  return l;
}

/* Not writable in place: only the named image (layer 0) matters. */
static void
set_not_writable (Resolver *r, const char *why)
{
  if (r->chain->layers->len == 1 && r->chain->not_writable == NULL)
    r->chain->not_writable = g_strdup (why);
}

static gboolean
parse_error (GError **error, const char *path, GError *local)
{
  bootfix_refuse (error, _("%s: %s"), path, local->message);
  g_error_free (local);
  return FALSE;
}

/* ---- one layer per format ---- */

/* Raw has no header, so nothing it says is followed; but if its first
 * bytes claim another format the user may have named the wrong one. */
static gboolean
read_raw_layer (Resolver *r, BootfixImageLayer *l, int fd, GError **error)
{
  gsize head_len = 0, tail_len = 0;
  guint64 size = file_size (fd);
  guint64 tail_at = size > BOOTFIX_IMAGE_PROBE_TAIL ? size - BOOTFIX_IMAGE_PROBE_TAIL : 0;
  g_autofree guint8 *head = read_at (fd, l->path, 0, BOOTFIX_IMAGE_PROBE_HEAD, &head_len, error);
  g_autofree guint8 *tail = head ? read_at (fd, l->path, tail_at, BOOTFIX_IMAGE_PROBE_TAIL,
                                            &tail_len, error) : NULL;
  if (tail == NULL)
    return FALSE;
  const char *claims = bootfix_image_format_probe (head, head_len, tail, tail_len);
  if (!g_str_equal (claims, "raw"))
    l->claims = g_strdup (claims);
  l->kind = g_strdup ("raw");
  (void) r;
  return TRUE;
}

/* A qcow2 layer; *backing and *backing_format get what it names. */
static gboolean
read_qcow2_layer (Resolver *r, BootfixImageLayer *l, int fd, char **backing,
                  char **backing_format, GError **error)
{
  gsize len = 0;
  g_autofree guint8 *head = read_at (fd, l->path, 0, BOOTFIX_QCOW2_HEAD_BYTES, &len, error);
  BootfixQcow2Header h;
  GError *local = NULL;
  if (head == NULL)
    return FALSE;
  if (!bootfix_qcow2_header_parse (head, len, &h, &local))
    return parse_error (error, l->path, local);
  l->kind = g_strdup_printf ("v%u", h.version);
  if (h.backing_file && h.backing_format == NULL) {
    bootfix_refuse (error, _("%s does not record the format of its backing file %s, so "
                     "qemu would guess it from the file's own bytes; record it "
                     "with qemu-img rebase -u -b %s -F FORMAT %s"),
            l->path, h.backing_file, h.backing_file, l->path);
    bootfix_qcow2_header_clear (&h);
    return FALSE;
  }
  *backing = g_steal_pointer (&h.backing_file);
  *backing_format = g_steal_pointer (&h.backing_format);
  bootfix_qcow2_header_clear (&h);
  (void) r;
  return TRUE;
}

static gboolean
read_vpc_layer (BootfixImageLayer *l, int fd, GError **error)
{
  gsize head_len = 0, tail_len = 0;
  guint64 size = file_size (fd);
  guint64 tail_at = size > BOOTFIX_VHD_FOOTER_SIZE ? size - BOOTFIX_VHD_FOOTER_SIZE : 0;
  g_autofree guint8 *head = read_at (fd, l->path, 0, BOOTFIX_VHD_FOOTER_SIZE, &head_len, error);
  g_autofree guint8 *tail = head ? read_at (fd, l->path, tail_at, BOOTFIX_VHD_FOOTER_SIZE,
                                            &tail_len, error) : NULL;
  BootfixVhdFooter footer;
  GError *local = NULL;
  if (tail == NULL)
    return FALSE;
  if (!bootfix_vhd_footer_parse (head, head_len, tail, tail_len, &footer, &local))
    return parse_error (error, l->path, local);
  l->kind = g_strdup (footer.type == BOOTFIX_VHD_FIXED ? "fixed" : "dynamic");
  return TRUE;
}

static gboolean
read_vhdx_layer (BootfixImageLayer *l, int fd, GError **error)
{
  gsize len = 0, meta_len = 0;
  guint64 meta_offset = 0;
  guint32 meta_size = 0;
  BootfixVhdxParameters p;
  GError *local = NULL;
  g_autofree guint8 *sig = read_at (fd, l->path, 0, 8, &len, error);
  if (sig == NULL)
    return FALSE;
  if (!bootfix_vhdx_signature_ok (sig, len))
    return bootfix_refuse (error, _("%s is not a VHDX image (no vhdxfile signature)"), l->path);
  g_autofree guint8 *table = read_at (fd, l->path, BOOTFIX_VHDX_REGION_TABLE_AT,
                                      BOOTFIX_VHDX_REGION_TABLE_SIZE, &len, error);
  if (table == NULL)
    return FALSE;
  if (!bootfix_vhdx_region_table_parse (table, len, &meta_offset, &meta_size, &local))
    return parse_error (error, l->path, local);
  g_autofree guint8 *meta = read_at (fd, l->path, meta_offset,
                                     MIN (meta_size, BOOTFIX_VHDX_MAX_METADATA),
                                     &meta_len, error);
  if (meta == NULL)
    return FALSE;
  if (!bootfix_vhdx_metadata_parse (meta, meta_len, &p, &local))
    return parse_error (error, l->path, local);
  l->kind = g_strdup_printf ("%u-byte logical sectors", p.logical_sector_size);
  return TRUE;
}

/* A VMDK that names a parent is a snapshot: qemu would open the parent
 * as a backing file, in a format it guesses.  We do not follow it. */
static gboolean
refuse_vmdk_parent (const guint8 *head, gsize len, gsize at, const char *path,
                    GError **error)
{
  if (at >= len ||
      !bootfix_vmdk_names_parent ((const char *) head + at, len - at))
    return TRUE;
  return bootfix_refuse (error, _("%s is a VMDK snapshot (it names a parent with "
                          "parentFileNameHint), which virt-bootfix does not "
                          "follow; consolidate or convert it first"), path);
}

/* One sparse file: the named image itself or an extent of a
 * descriptor.  A sparse header that defers to an embedded descriptor
 * (capacity 0) would make qemu open further extents: refused. */
static gboolean
check_sparse (Resolver *r, int fd, const char *path, const char *kind_if_top,
              BootfixImageLayer *l, GError **error)
{
  gsize len = 0;
  BootfixVmdkSparseHeader h;
  GError *local = NULL;
  g_autofree guint8 *head = read_at (fd, path, 0, BOOTFIX_VMDK_SPARSE_HEADER_SIZE, &len, error);
  if (head == NULL)
    return FALSE;
  if (!bootfix_vmdk_sparse_header_parse (head, len, &h, &local))
    return parse_error (error, path, local);
  if (h.capacity == 0)
    return bootfix_refuse (error, _("%s is a sparse VMDK whose header defers to an embedded "
                            "descriptor; not supported"), path);
  gboolean compressed = !bootfix_vmdk_sparse_writable (&h);
  if (kind_if_top != NULL)
    l->kind = g_strdup (compressed && h.compression ? "streamOptimized" : kind_if_top);
  if (compressed)
    set_not_writable (r, h.compression ? _("a streamOptimized VMDK (its grains are "
                                           "compressed)")
                                       : _("a version 3 VMDK, which qemu opens "
                                           "read-only"));
  return TRUE;
}

static gboolean
read_vmdk_extents (Resolver *r, BootfixImageLayer *l, const BootfixVmdkDescriptor *d,
                   GError **error)
{
  for (guint i = 0; i < d->extents->len; i++) {
    const BootfixVmdkExtent *e = g_ptr_array_index (d->extents, i);
    g_autofree char *path = resolve_reference (r, l->path, e->file, NULL, 0, error);
    if (path == NULL)
      return FALSE;
    int fd = open_checked (r, path, FALSE, NULL, error);
    if (fd < 0)
      return FALSE;
    gboolean ok = e->kind == BOOTFIX_VMDK_EXTENT_FLAT ||
                  check_sparse (r, fd, path, NULL, l, error);
    close (fd);
    if (!ok)
      return FALSE;
    g_ptr_array_add (l->files, g_steal_pointer (&path));
  }
  return TRUE;
}

static gboolean
read_vmdk_layer (Resolver *r, BootfixImageLayer *l, int fd, GError **error)
{
  gsize len = 0;
  GError *local = NULL;
  g_autofree guint8 *head = read_at (fd, l->path, 0, BOOTFIX_VMDK_MAX_DESCRIPTOR, &len, error);
  if (head == NULL)
    return FALSE;
  if (len >= 4 && (memcmp (head, "KDMV", 4) == 0 || memcmp (head, "COWD", 4) == 0))
    return refuse_vmdk_parent (head, len, BOOTFIX_VMDK_SPARSE_DESCRIPTOR_AT, l->path, error) &&
           check_sparse (r, fd, l->path, "monolithicSparse", l, error);
  if (!refuse_vmdk_parent (head, len, 0, l->path, error))
    return FALSE;
  g_autoptr (BootfixVmdkDescriptor) d =
    bootfix_vmdk_descriptor_parse ((const char *) head, len, &local);
  if (d == NULL)
    return parse_error (error, l->path, local);
  l->kind = g_strdup (d->create_type);
  if (!bootfix_vmdk_create_type_writable (d->create_type)) {
    g_autofree char *why = g_strdup_printf (_("a %s VMDK"), d->create_type);
    set_not_writable (r, why);
  }
  return read_vmdk_extents (r, l, d, error);
}

/* ---- the chain ---- */

/* One layer; *backing (and its format) when it has one. */
static gboolean
read_layer (Resolver *r, const char *path, const char *format, gboolean top,
            char **backing, char **backing_format, GError **error)
{
  if (!bootfix_image_format_handled (format))
    return bootfix_refuse (error, _("%s: the format '%s' is not handled (raw, qcow2, vmdk, "
                            "vpc and vhdx are); convert the image with qemu-img "
                            "convert -O qcow2"), path, format);
  gboolean is_block = FALSE;
  int fd = open_checked (r, path, top, &is_block, error);
  if (fd < 0)
    return FALSE;
  BootfixImageLayer *l = add_layer (r, path, format);
  l->block = is_block;
  gboolean ok;
  if (g_str_equal (format, "qcow2"))
    ok = read_qcow2_layer (r, l, fd, backing, backing_format, error);
  else if (g_str_equal (format, "vmdk"))
    ok = read_vmdk_layer (r, l, fd, error);
  else if (g_str_equal (format, "vpc"))
    ok = read_vpc_layer (l, fd, error);
  else if (g_str_equal (format, "vhdx"))
    ok = read_vhdx_layer (l, fd, error);
  else
    ok = read_raw_layer (r, l, fd, error);
  close (fd);
  return ok;
}

static gboolean
resolve_layers (Resolver *r, const char *top, const char *format, GError **error)
{
  g_autofree char *path = g_strdup (top);
  g_autofree char *fmt = g_strdup (format);
  for (guint depth = 0;; depth++) {
    g_autofree char *backing = NULL, *backing_format = NULL;
    if (depth > BOOTFIX_MAX_CHAIN_DEPTH)
      return bootfix_refuse (error, _("%s has more than %d backing files"), top,
                     BOOTFIX_MAX_CHAIN_DEPTH);
    if (!read_layer (r, path, fmt, depth == 0, &backing, &backing_format, error))
      return FALSE;
    if (backing == NULL)
      return TRUE;
    char *next = resolve_reference (r, path, backing, backing_format, depth, error);
    if (next == NULL)
      return FALSE;
    g_free (path);
    path = next;
    g_free (fmt);
    fmt = g_steal_pointer (&backing_format);
  }
}

BootfixImageChain *
bootfix_image_chain_resolve (const char *path, const char *format,
                             const GPtrArray *declared,
                             gboolean allow_block_devices,
                             gboolean allow_unsafe_paths, GError **error)
{
  g_autofree char *top = g_canonicalize_filename (path, NULL);
  g_autofree char *dir = g_path_get_dirname (top);
  char *folder = realpath (dir, NULL);
  int saved = errno;
  Resolver r = {
    .allow_block_devices = allow_block_devices,
    .allow_unsafe_paths = allow_unsafe_paths,
    .declared = declared,
    .folders = g_ptr_array_new_with_free_func (g_free),
    .seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL),
    .chain = bootfix_image_chain_new (),
  };
  if (folder != NULL)
    g_ptr_array_add (r.folders, folder);
  gboolean ok = folder != NULL
                ? resolve_layers (&r, top, format ? format : "raw", error)
                : bootfix_refuse (error, _("cannot find the folder of %s: %s"), top,
                          g_strerror (saved));
  g_ptr_array_unref (r.folders);
  g_hash_table_unref (r.seen);
  if (!ok) {
    bootfix_image_chain_free (r.chain);
    return NULL;
  }
  return r.chain;
}

gboolean
bootfix_image_chain_in_use (const BootfixImageChain *chain, char **busy,
                            GError **error)
{
  for (guint i = 0; i < chain->layers->len; i++) {
    const BootfixImageLayer *l = g_ptr_array_index (chain->layers, i);
    for (guint k = 0; k < l->files->len; k++) {
      gboolean in_use = FALSE;
      const char *file = g_ptr_array_index (l->files, k);
      if (!bootfix_image_in_use (file, &in_use, error))
        return FALSE;
      if (in_use) {
        *busy = g_strdup (file);
        return TRUE;
      }
    }
  }
  *busy = NULL;
  return TRUE;
}

char *
bootfix_image_probe_file (const char *path, GError **error)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
  if (fd < 0) {
    int saved = errno;
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED, "%s: %s", path,
                 g_strerror (saved));
    return NULL;
  }
  gsize head_len = 0, tail_len = 0;
  guint64 size = file_size (fd);
  guint64 tail_at = size > BOOTFIX_IMAGE_PROBE_TAIL ? size - BOOTFIX_IMAGE_PROBE_TAIL : 0;
  g_autofree guint8 *head = read_at (fd, path, 0, BOOTFIX_IMAGE_PROBE_HEAD, &head_len, error);
  g_autofree guint8 *tail = head ? read_at (fd, path, tail_at, BOOTFIX_IMAGE_PROBE_TAIL,
                                            &tail_len, error) : NULL;
  close (fd);
  if (tail == NULL)
    return NULL;
  return g_strdup (bootfix_image_format_probe (head, head_len, tail, tail_len));
}

/* ---- qemu's view ---- */

static const char *
json_string (JsonObject *o, const char *member)
{
  JsonNode *n = o ? json_object_get_member (o, member) : NULL;
  return n && json_node_get_value_type (n) == G_TYPE_STRING ? json_node_get_string (n) : NULL;
}

/* The extents qemu lists for a VMDK layer, as canonical paths. */
static GPtrArray *
qemu_extents (JsonObject *layer)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  JsonObject *fs = json_object_has_member (layer, "format-specific")
                   ? json_object_get_object_member (layer, "format-specific") : NULL;
  JsonObject *data = fs && json_object_has_member (fs, "data")
                     ? json_object_get_object_member (fs, "data") : NULL;
  JsonArray *extents = data && json_object_has_member (data, "extents")
                       ? json_object_get_array_member (data, "extents") : NULL;
  for (guint i = 0; extents && i < json_array_get_length (extents); i++) {
    const char *f = json_string (json_array_get_object_element (extents, i), "filename");
    g_ptr_array_add (out, f ? g_canonicalize_filename (f, NULL) : g_strdup (""));
  }
  return out;
}

/* Layer i as qemu sees it against ours; NULL when they agree, else
 * what differs. */
static char *
layer_difference (const BootfixImageLayer *l, JsonObject *q)
{
  const char *file = json_string (q, "filename");
  const char *format = json_string (q, "format");
  g_autofree char *canonical = file ? g_canonicalize_filename (file, NULL) : NULL;
  if (g_strcmp0 (canonical, l->path) != 0 || g_strcmp0 (format, l->format) != 0)
    return g_strdup_printf (_("qemu opens %s as %s where virt-bootfix read %s as %s"),
                            file ? file : "?", format ? format : "?", l->path, l->format);
  if (!g_str_equal (l->format, "vmdk"))
    return NULL;
  g_autoptr (GPtrArray) extents = qemu_extents (q);
  /* files[0] is the descriptor; a sparse image is its own extent */
  guint ours = l->files->len == 1 ? 0 : 1;
  gboolean same = extents->len == l->files->len - ours;
  for (guint i = 0; same && i < extents->len; i++)
    same = g_str_equal (g_ptr_array_index (extents, i), g_ptr_array_index (l->files, i + ours));
  return same ? NULL : g_strdup_printf (_("qemu opens other extents for %s"), l->path);
}

gboolean
bootfix_image_chain_cross_check (const BootfixImageChain *chain, GError **error)
{
  const BootfixImageLayer *top = g_ptr_array_index (chain->layers, 0);
  const char *argv[] = { "qemu-img", "info", "--backing-chain", "--output=json", "-U",
                         "-f", top->format, top->path, NULL };
  g_autofree char *out = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (!bootfix_image_run_tool (argv, NULL, &out, error) ||
      !json_parser_load_from_data (parser, out, -1, error))
    return FALSE;
  JsonNode *root = json_parser_get_root (parser);
  JsonArray *layers = root && JSON_NODE_HOLDS_ARRAY (root) ? json_node_get_array (root) : NULL;
  g_autofree char *diff = NULL;
  if (layers == NULL || json_array_get_length (layers) != chain->layers->len)
    diff = g_strdup_printf (_("qemu sees %u layers where virt-bootfix read %u"),
                            layers ? json_array_get_length (layers) : 0, chain->layers->len);
  for (guint i = 0; diff == NULL && i < chain->layers->len; i++)
    diff = layer_difference (g_ptr_array_index (chain->layers, i),
                             json_array_get_object_element (layers, i));
  if (diff != NULL)
    return bootfix_refuse (error, _("%s: %s; refused"), top->path, diff);
  return TRUE;
}

BootfixImageChain *
bootfix_image_chain_check (const char *path, const char *format,
                           const GPtrArray *declared,
                           gboolean allow_block_devices, gboolean allow_unsafe_paths,
                           GError **error)
{
  g_autoptr (BootfixImageChain) chain = bootfix_image_chain_resolve (
    path, format, declared, allow_block_devices, allow_unsafe_paths, error);
  if (chain == NULL || !bootfix_image_chain_cross_check (chain, error))
    return NULL;
  return g_steal_pointer (&chain);
}
