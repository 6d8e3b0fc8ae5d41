/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every host file a disk image makes qemu open, found by reading the
 * image headers ourselves before qemu sees them: a qcow2's backing
 * files, in the formats the headers record, and a VMDK's extents.  A
 * format is never guessed from the image's own bytes (only the
 * --format auto probe does that, with a warning).  Each file must be
 * local and regular (a block device only with allow_block_devices),
 * named without "json:" or a protocol, not a symbolic link, without
 * "..", and inside the folder of a file the user named: the image, or
 * a backing file the domain declares (the last three waived by
 * allow_unsafe_paths).  A declared backing file may lie anywhere, as
 * the image may.  Loops and chains deeper than BOOTFIX_MAX_CHAIN_DEPTH
 * (domain.h) are refused.  Only then may qemu open the chain, and the
 * first thing it opens is qemu-img info, whose view must match ours.
 * Layout facts: docs/image-formats.md. */
#ifndef BOOTFIX_IMAGE_CHAIN_H
#define BOOTFIX_IMAGE_CHAIN_H

#include <glib.h>
#include "domain.h"

G_BEGIN_DECLS

typedef struct {
  char *path;       /* absolute (lexically normalised), as qemu opens it */
  char *format;     /* raw, qcow2, vmdk, vpc or vhdx */
  char *kind;       /* inside the format: "monolithicSparse", "dynamic", … */
  GPtrArray *files; /* char*: every host file of the layer, path first */
  gboolean block;   /* path is a block device */
  /* A raw layer whose bytes claim another format: that format (for a
   * hint: the layer is still read as raw).  NULL otherwise. */
  char *claims;
} BootfixImageLayer;

typedef struct {
  GPtrArray *layers;  /* BootfixImageLayer*: [0] the image, then its backing files */
  /* NULL when qemu can write layer 0 in place; else why it cannot
   * ("a streamOptimized VMDK"). */
  char *not_writable;
} BootfixImageChain;

BootfixImageLayer *bootfix_image_layer_new (const char *path, const char *format);
void bootfix_image_layer_free (BootfixImageLayer *l);
BootfixImageChain *bootfix_image_chain_new (void);
void bootfix_image_chain_free (BootfixImageChain *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixImageChain, bootfix_image_chain_free)

/* Read the headers of path (declared format) and of every file they
 * name.  declared: the disk's <backingStore> chain (BootfixBackingStore*,
 * BootfixDisk.backing), NULL without a domain; the backing file a
 * header names at depth i is the declared one when it is declared[i]'s
 * file (by real path) in declared[i]'s format.  Refusals are
 * BOOTFIX_ERROR_REFUSED and name the file, what it names and the way
 * out.  The image named may be a block device whatever
 * allow_block_devices says (reading it is the user's choice; writing
 * one is checked by the journal). */
BootfixImageChain *bootfix_image_chain_resolve (const char *path,
                                                const char *format,
                                                const GPtrArray *declared,
                                                gboolean allow_block_devices,
                                                gboolean allow_unsafe_paths,
                                                GError **error);

/* qemu-img info --backing-chain on a resolved chain: every layer, its
 * format and its VMDK extents must be the ones we found
 * (BOOTFIX_ERROR_REFUSED otherwise). */
gboolean bootfix_image_chain_cross_check (const BootfixImageChain *chain,
                                          GError **error);

/* Resolve, then cross-check. */
BootfixImageChain *bootfix_image_chain_check (const char *path,
                                              const char *format,
                                              const GPtrArray *declared,
                                              gboolean allow_block_devices,
                                              gboolean allow_unsafe_paths,
                                              GError **error);

/* Does a running qemu hold any file of any layer open for writing?
 * *busy gets the first such file. */
gboolean bootfix_image_chain_in_use (const BootfixImageChain *chain,
                                     char **busy, GError **error);

/* The same layers with the same formats and files. */
gboolean bootfix_image_chain_same (const BootfixImageChain *a,
                                   const BootfixImageChain *b);

/* The format the first and last bytes of the file claim
 * (bootfix_image_format_probe), for --format auto. */
char *bootfix_image_probe_file (const char *path, GError **error);

G_END_DECLS

#endif
