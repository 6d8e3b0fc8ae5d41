/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --output DIR: overlays in DIR, the images and NAME.xml put in place
 * without overwriting anything, and nothing half-done left behind. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "bootfix-error.h"
#include "domain-xml.h"
#include "image.h"
#include "image-chain.h"
#include "journal.h"
#include "output.h"

static void
disk_free (gpointer p)
{
  BootfixOutputDisk *d = p;
  g_free (d->source);
  g_free (d->source_format);
  g_clear_pointer (&d->declared, g_ptr_array_unref);
  g_clear_pointer (&d->backing, g_ptr_array_unref);
  g_free (d->target_dev);
  g_free (d->overlay);
  g_free (d->final);
  g_free (d);
}

void
bootfix_output_free (BootfixOutput *o)
{
  if (o == NULL)
    return;
  g_free (o->dir);
  g_free (o->guest);
  g_free (o->format);
  g_free (o->xml_path);
  g_free (o->work);
  g_ptr_array_unref (o->disks);
  g_ptr_array_unref (o->placed);
  g_free (o);
}

static gboolean G_GNUC_PRINTF (3, 4)
refuse (GError **error, const char *guest, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED, _("guest %s: %s"),
               guest, msg);
  return FALSE;
}

/* ---- checks ---- */

/* What an overlay of the source is backed by, top first: the source,
 * then the files it is backed by, as the checks resolved them. */
static GPtrArray *
backing_of_overlay (const BootfixImageChain *chain)
{
  GPtrArray *out =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_backing_store_free);
  for (guint i = 0; i < chain->layers->len; i++) {
    const BootfixImageLayer *l = g_ptr_array_index (chain->layers, i);
    g_ptr_array_add (out, bootfix_backing_store_new (l->path, l->format, l->block));
  }
  return out;
}

/* Only read here, but a block device still needs the user's word, and
 * a disk a running VM writes (any file of its chain, which the source
 * check resolved and approved already) would change under the overlay.
 * Keeps the chain for NAME.xml. */
static gboolean
check_source (const char *guest, BootfixOutputDisk *d,
              gboolean allow_block_devices, gboolean allow_unsafe_paths,
              GError **error)
{
  GStatBuf st;
  gboolean is_block = g_stat (d->source, &st) == 0 && S_ISBLK (st.st_mode);
  if (is_block && !allow_block_devices)
    return refuse (error, guest, _("%s is a block device; pass "
                                   "--allow-block-devices to read it"), d->source);
  if (!is_block && !g_file_test (d->source, G_FILE_TEST_IS_REGULAR))
    return refuse (error, guest, _("%s is not a regular file"), d->source);
  g_autoptr (BootfixImageChain) chain = bootfix_image_chain_resolve (
    d->source, d->source_format, d->declared, allow_block_devices,
    allow_unsafe_paths, error);
  g_autofree char *busy = NULL;
  if (chain == NULL || !bootfix_image_chain_in_use (chain, &busy, error))
    return FALSE;
  if (busy)
    return refuse (error, guest, _("%s is in use by a running virtual machine; "
                                   "shut the guest down first"), busy);
  d->backing = backing_of_overlay (chain);
  return TRUE;
}

/* path must not exist: an earlier result is never overwritten, and a
 * disk of the guest never becomes an output. */
static gboolean
check_free (const BootfixOutput *o, const char *path, GError **error)
{
  GStatBuf st, src;
  if (g_lstat (path, &st) != 0)
    return TRUE;
  for (guint i = 0; i < o->disks->len; i++) {
    const BootfixOutputDisk *d = g_ptr_array_index (o->disks, i);
    if (g_stat (d->source, &src) == 0 && src.st_dev == st.st_dev &&
        src.st_ino == st.st_ino)
      return refuse (error, o->guest, _("the output %s would be the guest's "
                                        "own disk %s; choose another --output "
                                        "folder"), path, d->source);
  }
  return refuse (error, o->guest, _("%s already exists; virt-bootfix does not "
                                    "overwrite an earlier result: remove it or "
                                    "choose another --output folder"), path);
}

static gboolean
check_outputs (const BootfixOutput *o, GError **error)
{
  GStatBuf st;
  if (g_stat (o->dir, &st) == 0 && !S_ISDIR (st.st_mode))
    return refuse (error, o->guest, _("--output %s is not a folder"), o->dir);
  for (guint i = 0; i < o->disks->len; i++)
    if (!check_free (o, ((BootfixOutputDisk *) g_ptr_array_index (o->disks, i))->final,
                     error))
      return FALSE;
  return check_free (o, o->xml_path, error);
}

/* ---- creating ---- */

static BootfixOutput *
output_new (const char *dir, const char *format, const BootfixDomain *dom)
{
  BootfixOutput *o = g_new0 (BootfixOutput, 1);
  o->dir = g_canonicalize_filename (dir, NULL);
  o->guest = g_strdup (dom->name);
  o->format = g_strdup (format);
  /* A guest name has no '/' (domain.c): every name stays in DIR. */
  g_autofree char *xml_name = g_strconcat (dom->name, ".xml", NULL);
  o->xml_path = g_build_filename (o->dir, xml_name, NULL);
  o->disks = g_ptr_array_new_with_free_func (disk_free);
  o->placed = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < dom->disks->len; i++) {
    const BootfixDisk *src = g_ptr_array_index (dom->disks, i);
    BootfixOutputDisk *d = g_new0 (BootfixOutputDisk, 1);
    g_ptr_array_add (o->disks, d);
    d->source = g_canonicalize_filename (src->source, NULL);
    d->source_format = g_strdup (src->format ? src->format : "raw");
    d->declared = src->backing ? g_ptr_array_ref (src->backing) : NULL;
    d->target_dev = g_strdup (src->target_dev);
    g_autofree char *name = g_strdup_printf (
      "%s-%s.%s", dom->name, src->target_dev,
      g_strcmp0 (format, "raw") == 0 ? "raw" : "qcow2");
    d->final = g_build_filename (o->dir, name, NULL);
  }
  return o;
}

/* DIR and the work folder in it.  DIR is 0755 (before the umask): the
 * result is meant for libvirt, whose qemu runs as a user of its own and
 * must reach the images.  They get qemu-img's modes under the user's
 * umask, like the backup's own files.  The work folder is 0700 while it
 * holds unfinished images. */
static gboolean
make_folders (BootfixOutput *o, GError **error)
{
  if (g_mkdir_with_parents (o->dir, 0755) != 0) {
    int saved = errno;
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("guest %s: cannot create the output folder %s: %s"),
                 o->guest, o->dir, g_strerror (saved));
    return FALSE;
  }
  g_autofree char *tmpl = g_build_filename (o->dir, ".virt-bootfix-work-XXXXXX", NULL);
  if (g_mkdtemp_full (tmpl, 0700) == NULL) {
    int saved = errno;
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("guest %s: cannot create a work folder in %s: %s"),
                 o->guest, o->dir, g_strerror (saved));
    return FALSE;
  }
  o->work = g_steal_pointer (&tmpl);
  return TRUE;
}

BootfixOutput *
bootfix_output_create (const char *dir, const char *format,
                       const BootfixDomain *dom, gboolean allow_block_devices,
                       gboolean allow_unsafe_paths, gboolean dry_run,
                       GError **error)
{
  g_autoptr (BootfixOutput) o = output_new (dir, format, dom);
  for (guint i = 0; i < o->disks->len; i++)
    if (!check_source (o->guest, g_ptr_array_index (o->disks, i),
                       allow_block_devices, allow_unsafe_paths, error))
      return NULL;
  if (!check_outputs (o, error))
    return NULL;
  if (dry_run)
    return g_steal_pointer (&o);
  if (!make_folders (o, error))
    return NULL;
  for (guint i = 0; i < o->disks->len; i++) {
    BootfixOutputDisk *d = g_ptr_array_index (o->disks, i);
    d->overlay = g_strdup_printf ("%s/disk%u.qcow2", o->work, i);
    if (!bootfix_image_create_overlay (d->source, d->source_format, d->overlay,
                                       error)) {
      g_prefix_error (error, _("guest %s: "), o->guest);
      bootfix_output_discard (o);
      return NULL;
    }
  }
  bootfix_debug_checkpoint ("output overlays created");
  return g_steal_pointer (&o);
}

GPtrArray *
bootfix_output_overlays (const BootfixOutput *o)
{
  GPtrArray *out = g_ptr_array_new ();
  for (guint i = 0; i < o->disks->len; i++)
    g_ptr_array_add (out, ((BootfixOutputDisk *) g_ptr_array_index (o->disks, i))->overlay);
  return out;
}

/* ---- committing ---- */

/* Rename from to to, never over an existing file (one may have
 * appeared since the check), and remember it for a discard. */
static gboolean
place (BootfixOutput *o, const char *from, const char *to, GError **error)
{
  if (!bootfix_fsync_path (from, error))
    return FALSE;
  if (renameat2 (AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) != 0) {
    int saved = errno;
    if (saved == EEXIST)
      return refuse (error, o->guest, _("%s appeared while virt-bootfix ran; "
                                        "it was left as it is"), to);
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("guest %s: cannot move %s to %s: %s"), o->guest, from, to,
                 g_strerror (saved));
    return FALSE;
  }
  g_ptr_array_add (o->placed, g_strdup (to));
  return TRUE;
}

static gboolean
place_image (BootfixOutput *o, BootfixOutputDisk *d, GError **error)
{
  if (o->format == NULL)
    return place (o, d->overlay, d->final, error);
  g_autofree char *copy = g_strconcat (d->overlay, ".", o->format, NULL);
  if (!bootfix_image_convert (d->overlay, o->format, copy, error)) {
    g_prefix_error (error, _("guest %s: "), o->guest);
    return FALSE;
  }
  return place (o, copy, d->final, error);
}

static gboolean
write_xml (BootfixOutput *o, const BootfixDomain *dom, const char *firmware,
           GError **error)
{
  g_autofree BootfixDiskImage *images = g_new0 (BootfixDiskImage, o->disks->len);
  for (guint i = 0; i < o->disks->len; i++) {
    const BootfixOutputDisk *d = g_ptr_array_index (o->disks, i);
    /* A standalone copy has no backing file; an overlay declares its. */
    images[i] = (BootfixDiskImage) {
      .target_dev = d->target_dev, .file = d->final,
      .format = o->format ? o->format : "qcow2",
      .backing = o->format ? NULL : d->backing,
    };
  }
  g_autofree char *xml = bootfix_domain_xml_with_images (dom, images,
                                                        o->disks->len,
                                                        firmware, error);
  g_autofree char *tmp = g_build_filename (o->work, "domain.xml", NULL);
  return xml != NULL && g_file_set_contents (tmp, xml, -1, error) &&
         place (o, tmp, o->xml_path, error);
}

gboolean
bootfix_output_commit (BootfixOutput *o, const BootfixDomain *dom,
                       const char *firmware, GError **error)
{
  g_return_val_if_fail (o->work != NULL, FALSE);
  for (guint i = 0; i < o->disks->len; i++) {
    if (!place_image (o, g_ptr_array_index (o->disks, i), error))
      return FALSE;
    bootfix_debug_checkpoint ("output image placed");
  }
  if (!write_xml (o, dom, firmware, error) ||
      !bootfix_fsync_path (o->dir, error))
    return FALSE;
  o->committed = TRUE;
  bootfix_output_discard (o);   /* the work folder and what is left in it */
  return TRUE;
}

/* Everything in the work folder is ours: it was made empty, 0700. */
static void
remove_work (const char *work)
{
  g_autoptr (GDir) d = g_dir_open (work, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name (d)) != NULL) {
    g_autofree char *path = g_build_filename (work, name, NULL);
    (void) g_unlink (path);
  }
  (void) g_rmdir (work);
}

void
bootfix_output_discard (BootfixOutput *o)
{
  if (!o->committed)
    for (guint i = 0; i < o->placed->len; i++)
      (void) g_unlink (g_ptr_array_index (o->placed, i));
  g_ptr_array_set_size (o->placed, 0);
  if (o->work)
    remove_work (o->work);
  g_clear_pointer (&o->work, g_free);
}
