/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Disk images on the host: qcow2 overlays that take every write of a
 * fix, the list of ranges an overlay changed, and byte ranges of the
 * base image.  Together they give the journal its old bytes and let a
 * fix reach the base image only after it was verified. */
#ifndef BOOTFIX_IMAGE_H
#define BOOTFIX_IMAGE_H

#include <glib.h>

G_BEGIN_DECLS

/* Most ranges one overlay may hold: a fix writes a few hives and NTFS
 * metadata, far fewer. */
#define BOOTFIX_MAX_RANGES 4096
/* Largest total of changed bytes we journal for one disk. */
#define BOOTFIX_MAX_CHANGED_BYTES (512 * 1024 * 1024)

typedef struct {
  guint64 offset;
  guint64 length;
} BootfixRange;

/* Run a qemu tool (qemu-img, qemu-io) in cwd (NULL: ours), collecting
 * its standard output in *out (may be NULL); its standard error makes
 * the message when it fails. */
gboolean bootfix_image_run_tool (const char *const *argv, const char *cwd,
                                 char **out, GError **error);

/* qemu-img create -f qcow2 -b base -F base_format overlay. */
gboolean bootfix_image_create_overlay (const char *base, const char *base_format,
                                       const char *overlay, GError **error);

/* The ranges the overlay itself holds (depth 0 in qemu-img map), merged
 * when adjacent, in offset order. */
GArray *bootfix_image_changed_ranges (const char *overlay, GError **error);

/* A standalone image of what the guest sees through overlay (a qcow2
 * and its backing chain): qemu-img convert -O format, then fsync. */
gboolean bootfix_image_convert (const char *overlay, const char *format,
                                const char *target, GError **error);

/* Read a range of an image as the guest sees it (format "raw" is read
 * directly, others through qemu-img dd). */
GBytes *bootfix_image_read (const char *path, const char *format,
                            const BootfixRange *range, GError **error);

/* Every range of an image as the guest sees it, one after the other,
 * in one qemu-img run for formats other than raw. */
GBytes *bootfix_image_read_ranges (const char *path, const char *format,
                                   const GArray *ranges, GError **error);

/* Write bytes at offset into a raw image and fsync it. */
gboolean bootfix_image_write_raw (const char *path, guint64 offset,
                                  GBytes *data, GError **error);

/* Write range i of ranges, whose bytes are in the file range_files[i]
 * (a name without spaces, relative to workdir), into the image at path
 * through qemu in its format, flush, and fsync each of files (every
 * host file of the image). */
gboolean bootfix_image_write_ranges (const char *path, const char *format,
                                     const GArray *ranges, const char *workdir,
                                     const char *const *range_files,
                                     const GPtrArray *files, GError **error);

/* Does a running qemu hold the image open for writing?  qemu marks
 * its permissions with OFD locks on bytes 100 + n (n = 1: write); a
 * conflicting lock there means a writer. */
gboolean bootfix_image_in_use (const char *path, gboolean *in_use,
                               GError **error);

/* fsync a file or directory by path. */
gboolean bootfix_fsync_path (const char *path, GError **error);

G_END_DECLS

#endif
