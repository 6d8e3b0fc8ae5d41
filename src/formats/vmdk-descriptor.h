/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* VMDK: the sparse extent header and the text descriptor, read the way
 * qemu's vmdk driver reads them, so that we know every file qemu will
 * open for a VMDK before it does.  Pure; layout: docs/image-formats.md,
 * "VMDK". */
#ifndef BOOTFIX_VMDK_DESCRIPTOR_H
#define BOOTFIX_VMDK_DESCRIPTOR_H

#include <glib.h>

G_BEGIN_DECLS

/* qemu reads at most 1 MiB - 1 of a descriptor... */
#define BOOTFIX_VMDK_MAX_DESCRIPTOR ((1 << 20) - 1)
/* ...but looks for a parent only in the first 10 KiB of it, which in a
 * sparse file starts at byte 512. */
#define BOOTFIX_VMDK_PARENT_WINDOW 10240
#define BOOTFIX_VMDK_SPARSE_DESCRIPTOR_AT 512
/* 2 TiB (VMDK's largest disk) in 2 GiB extents. */
#define BOOTFIX_VMDK_MAX_EXTENTS 1024
#define BOOTFIX_VMDK_SPARSE_HEADER_SIZE 512

typedef struct {
  guint32 version;
  guint32 flags;
  guint64 capacity;        /* sectors; 0 means "the descriptor says" */
  guint64 descriptor_offset; /* sectors */
  guint16 compression;     /* 1: deflate (streamOptimized) */
} BootfixVmdkSparseHeader;

/* A hosted sparse extent header ("KDMV").  Fails (BOOTFIX_ERROR_GUEST)
 * for anything else, VMFS sparse ("COWD") included. */
gboolean bootfix_vmdk_sparse_header_parse (const guint8 *buf, gsize size,
                                           BootfixVmdkSparseHeader *h,
                                           GError **error);

/* Can qemu write this sparse extent in place?  Not when its grains are
 * compressed (streamOptimized) or it is version 3, which qemu opens
 * read-only. */
gboolean bootfix_vmdk_sparse_writable (const BootfixVmdkSparseHeader *h);

typedef enum {
  BOOTFIX_VMDK_EXTENT_FLAT,   /* FLAT and VMFS: raw bytes at an offset */
  BOOTFIX_VMDK_EXTENT_SPARSE, /* SPARSE: a hosted sparse file */
} BootfixVmdkExtentKind;

typedef struct {
  BootfixVmdkExtentKind kind;
  guint64 sectors;
  guint64 offset;   /* FLAT: sectors into the file */
  char *file;       /* as written, relative to the descriptor's folder or absolute */
} BootfixVmdkExtent;

typedef struct {
  char *create_type;  /* createType as qemu finds it */
  GPtrArray *extents; /* BootfixVmdkExtent*, in order */
} BootfixVmdkDescriptor;

void bootfix_vmdk_descriptor_free (BootfixVmdkDescriptor *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixVmdkDescriptor, bootfix_vmdk_descriptor_free)

/* A text descriptor (up to the first NUL or len bytes).  Extent lines
 * are scanned as qemu scans them.  Fails (BOOTFIX_ERROR_GUEST) without
 * createType, for a createType qemu cannot open, an extent line qemu
 * refuses, a read-only or no-access extent (qemu would drop it and the
 * disk would shift), VMFSSPARSE and SESPARSE extents, no extents, more
 * than BOOTFIX_VMDK_MAX_EXTENTS, or a name bootfix_image_reference_dup
 * refuses. */
BootfixVmdkDescriptor *bootfix_vmdk_descriptor_parse (const char *text,
                                                      gsize len,
                                                      GError **error);

/* Does the text qemu reads for a parent (up to the first NUL, at most
 * BOOTFIX_VMDK_PARENT_WINDOW bytes) name one?  qemu takes any
 * "parentFileNameHint" in it as a backing file. */
gboolean bootfix_vmdk_names_parent (const char *text, gsize len);

/* Can qemu write a VMDK of this createType in place? */
gboolean bootfix_vmdk_create_type_writable (const char *create_type);

G_END_DECLS

#endif
