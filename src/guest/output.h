/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --output DIR: a guest fixed without writing a byte into its disks.
 * Each disk gets a qcow2 overlay backed by it (absolute path, backing
 * format recorded), which the appliance writes the fix into.  Until
 * the fix is final the overlays live in a work folder inside DIR
 * (.virt-bootfix-work-XXXXXX); then each is renamed to
 * DIR/NAME-TARGET.qcow2 (or, with an output format, converted into a
 * standalone DIR/NAME-TARGET.raw or .qcow2), and last DIR/NAME.xml,
 * the domain pointed at them, is written under a temporary name and
 * renamed.  Nothing is ever renamed over an existing file.  A failure
 * before the end removes everything this guest put into DIR. */
#ifndef BOOTFIX_OUTPUT_H
#define BOOTFIX_OUTPUT_H

#include <glib.h>
#include "domain.h"

G_BEGIN_DECLS

typedef struct {
  char *source;        /* the guest's disk (absolute), only ever read */
  char *source_format; /* raw unless the domain says otherwise */
  GPtrArray *declared; /* BootfixBackingStore*: the domain's chain below
                        * source (BootfixDisk.backing); NULL for -a */
  GPtrArray *backing;  /* BootfixBackingStore*: source and its backing
                        * files as the checks resolved them, which
                        * NAME.xml declares for the overlay */
  char *target_dev;
  char *overlay;       /* in the work folder; NULL in a dry run */
  char *final;         /* where it ends: DIR/NAME-TARGET.qcow2|.raw */
} BootfixOutputDisk;

typedef struct {
  char *dir;           /* absolute */
  char *guest;
  char *format;        /* NULL: overlays; "raw" or "qcow2": standalone copies */
  char *xml_path;      /* DIR/NAME.xml */
  char *work;          /* the work folder; NULL in a dry run */
  GPtrArray *disks;    /* BootfixOutputDisk* */
  GPtrArray *placed;   /* char*: final files put in DIR so far */
  gboolean committed;  /* NAME.xml is in place */
} BootfixOutput;

/* Check that the guest's disks can be read (a regular file, a block
 * device only if allowed, no file of the image's chain in use by a
 * running VM; the chain rules, with allow_unsafe_paths, are those of
 * bootfix_guest_check_sources, which ran first) and that DIR
 * holds none of the files this guest would get, none of which may be
 * one of its disks (BOOTFIX_ERROR_REFUSED otherwise).  Unless dry_run,
 * create DIR when missing, the work folder and the overlays.  format:
 * NULL, "raw" or "qcow2" (--output-format). */
BootfixOutput *bootfix_output_create (const char *dir, const char *format,
                                      const BootfixDomain *dom,
                                      gboolean allow_block_devices,
                                      gboolean allow_unsafe_paths,
                                      gboolean dry_run, GError **error);

/* Overlay paths in disk order, for the appliance. */
GPtrArray *bootfix_output_overlays (const BootfixOutput *o);

/* After the appliance shut down: the images into place, then NAME.xml
 * (bootfix_domain_xml_with_images; firmware as it takes it).  On
 * failure, call bootfix_output_discard. */
gboolean bootfix_output_commit (BootfixOutput *o, const BootfixDomain *dom,
                                const char *firmware, GError **error);

/* Remove whatever this guest put into DIR, unless it was committed. */
void bootfix_output_discard (BootfixOutput *o);

void bootfix_output_free (BootfixOutput *o);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixOutput, bootfix_output_free)

G_END_DECLS

#endif
