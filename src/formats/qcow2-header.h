/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The qcow2 header: enough of it to know which other file the image
 * makes qemu open (its backing file, in which format) and whether we
 * can let qemu open it at all.  Pure; layout: docs/image-formats.md,
 * "qcow2". */
#ifndef BOOTFIX_QCOW2_HEADER_H
#define BOOTFIX_QCOW2_HEADER_H

#include <glib.h>

G_BEGIN_DECLS

/* qemu opens clusters up to 2 MiB; the backing name lies in the first
 * cluster.  A caller that hands over this many bytes (or the whole file
 * when it is shorter) gives the parser all it may need. */
#define BOOTFIX_QCOW2_MAX_CLUSTER_SIZE (2 * 1024 * 1024)
#define BOOTFIX_QCOW2_HEAD_BYTES BOOTFIX_QCOW2_MAX_CLUSTER_SIZE
/* qemu's limit for the backing format name (it keeps 16 bytes). */
#define BOOTFIX_QCOW2_MAX_FORMAT_NAME 15

typedef struct {
  guint32 version;        /* 2 or 3 */
  guint32 cluster_bits;   /* 9..21 */
  guint64 size;           /* virtual disk size in bytes */
  gboolean dirty;         /* v3 incompatible bit 0: qemu repairs on open */
  char *backing_file;     /* as stored, NULL when there is none */
  char *backing_format;   /* the backing format extension, NULL when absent */
} BootfixQcow2Header;

void bootfix_qcow2_header_clear (BootfixQcow2Header *h);

/* Parse the header at the start of buf (the image's first bytes; see
 * BOOTFIX_QCOW2_HEAD_BYTES).  Fails with BOOTFIX_ERROR_GUEST, saying
 * why, for anything qemu would refuse or that we do not let qemu open:
 * a bad magic or version, encryption, an external data file, the
 * corrupt bit, unknown incompatible features, header extensions or a
 * backing name outside the first cluster or outside buf, a duplicate
 * backing format, or a backing name that bootfix_image_reference_dup
 * refuses. */
gboolean bootfix_qcow2_header_parse (const guint8 *buf, gsize size,
                                     BootfixQcow2Header *h, GError **error);

G_END_DECLS

#endif
