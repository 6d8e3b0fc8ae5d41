/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Domain XML written for --output: the user's domain pointed at new
 * disk images, or, for the -a form, a domain made from the arguments.
 * The rewrite parses the document again with the private context of
 * xml-util.c and changes only the disks it repairs. */
#ifndef BOOTFIX_DOMAIN_XML_H
#define BOOTFIX_DOMAIN_XML_H

#include <glib.h>
#include <libxml/tree.h>
#include "domain.h"

G_BEGIN_DECLS

/* The new image of one disk. */
typedef struct {
  const char *target_dev; /* the disk it takes the place of (checked) */
  const char *file;       /* absolute path */
  const char *format;     /* qcow2 or raw */
  /* BootfixBackingStore*: the files the image is backed by, top first
   * (an overlay's source disk, then the source's own backing files),
   * written as the disk's <backingStore> chain; NULL for an image that
   * stands alone. */
  const GPtrArray *backing;
} BootfixDiskImage;

/* Is node a <disk> virt-bootfix repairs (device='disk', libvirt's
 * default)?  The domain reader and the rewrite agree through it on
 * which disks there are and in which order. */
gboolean bootfix_domain_is_disk_node (xmlNode *node);

/* The document xml with each repaired disk of <devices> (in document
 * order) pointed at images[i]: <source file='…'> (the disk becomes
 * type='file'; a source of another type is replaced whole, one that is
 * missing is added), <driver type='…'> (added when absent, as
 * name='qemu'), and the old <backingStore> replaced by images[i]'s
 * chain, ended by an empty <backingStore/> (none for an image without
 * one).  Everything else is left as it was, comments included; the
 * output has no XML declaration.  firmware
 * NULL keeps <os> as it is; "efi" or "bios" sets it (and drops the old
 * <loader>, <nvram> and <firmware>).  Fails (BOOTFIX_ERROR_INVALID_DOMAIN)
 * when the repaired disks are not n or their targets are not the
 * images'. */
char *bootfix_domain_xml_rewrite_disks (const char *xml, gsize len,
                                        const char *what,
                                        const BootfixDiskImage *images,
                                        guint n, const char *firmware,
                                        GError **error);

/* A domain for the -a form, from what the arguments said: name,
 * machine, arch, the controller (bus and model) and the disks as
 * images[i].  What they do not say is filled with a stated choice in
 * a comment at the top: memory (4 GiB), 2 vCPUs, ACPI and APIC, a VNC
 * display; firmware is efi when firmware says so, else BIOS. */
char *bootfix_domain_xml_from_args (const BootfixDomain *dom,
                                    const BootfixDiskImage *images, guint n,
                                    const char *firmware, GError **error);

/* The one to use for dom: the rewrite of the XML it was read from (with
 * firmware when it is not dom's own), or the -a form's domain. */
char *bootfix_domain_xml_with_images (const BootfixDomain *dom,
                                      const BootfixDiskImage *images, guint n,
                                      const char *firmware, GError **error);

G_END_DECLS

#endif
