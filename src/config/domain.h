/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The domain reader: libvirt domain XML -> what the guest will boot on. */
#ifndef BOOTFIX_DOMAIN_H
#define BOOTFIX_DOMAIN_H

#include <glib.h>
#include "controllers.h"

G_BEGIN_DECLS

/* Backing files below a disk image: the most the image checks follow
 * (src/guest/image-chain.c), and so the most of a <backingStore> chain
 * the reader takes.  Real chains have a few. */
#define BOOTFIX_MAX_CHAIN_DEPTH 16

/* One file of the backing chain a domain declares for a disk (nested
 * <backingStore> elements, libvirt's way).  The domain names it as it
 * names the disk's <source>, so the image checks trust it as much: a
 * header may name it outside the image's folder (docs/image-formats.md,
 * "Backing files the domain declares").  --output writes such chains
 * for its overlays (domain-xml.h). */
typedef struct {
  char *path;     /* absolute: source/@file, or @dev when block */
  char *format;   /* <format type='...'>: raw, qcow2, ... */
  gboolean block; /* <backingStore type='block'> */
} BootfixBackingStore;

BootfixBackingStore *bootfix_backing_store_new (const char *path,
                                                const char *format,
                                                gboolean block);
void bootfix_backing_store_free (BootfixBackingStore *b);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixBackingStore, bootfix_backing_store_free)

typedef struct {
  char *target_dev;  /* "hda", "vda", "sda" */
  char *bus;         /* target/@bus */
  char *source;      /* source/@file or @dev; NULL for network/volume */
  char *source_type; /* disk/@type: file, block, network, volume, nvme */
  char *pool;        /* type='volume': source/@pool and @volume, which */
  char *volume;      /* libvirt turns into source (libvirt-guest.c) */
  char *format;      /* driver/@type: raw, qcow2; NULL when absent */
  char *model;       /* disk/@model, virtio only; NULL when absent */
  int boot_order;    /* boot/@order, 0 when absent */
  int controller_index; /* address/@controller, 0 when absent */
  /* BootfixBackingStore*: the declared chain below source, top first,
   * up to the first layer that is not a local file with a format (an
   * empty <backingStore/> ends it); empty when the XML declares none.
   * NULL for the -a form, which has no domain to declare one. */
  GPtrArray *backing;
} BootfixDisk;

typedef struct {
  char *type;        /* ide, sata, scsi, nvme, … */
  int index;
  char *model;       /* NULL when absent */
} BootfixDomainController;

typedef struct {
  char *name;            /* <name>, or the first disk's base name */
  char *machine;         /* as written: "pc-i440fx-7.2" */
  char *machine_family;  /* "i440fx" / "q35" */
  char *arch;            /* os/type/@arch, "x86_64" when absent */
  char *firmware;        /* "efi" or "bios"; NULL when unknown (the -a
                          * form: the caller may set it from --firmware) */
  GPtrArray *disks;      /* BootfixDisk*, only device='disk', doc order */
  GPtrArray *controllers;/* BootfixDomainController* */
  guint boot_disk;       /* index into disks */
  /* Resolved through controllers.xml for the boot disk: */
  char *bus;
  char *controller_model; /* the model used for the lookup, or NULL */
  const BootfixController *controller; /* owned by the db */
  GPtrArray *warnings;   /* char*: things worth telling the user */
  /* The document as read, for --output to rewrite (domain-xml.h);
   * NULL for the -a form. */
  GBytes *xml;
} BootfixDomain;

void bootfix_domain_free (BootfixDomain *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixDomain, bootfix_domain_free)

/* Parse a domain XML document.  `what` names it in errors (the file
 * name).  The boot disk is the device='disk' with the lowest boot
 * order, else the first device='disk'.  Fails (BOOTFIX_ERROR_INVALID_DOMAIN
 * or BOOTFIX_ERROR_UNSUPPORTED) when there is no disk, the machine or
 * bus is unknown, the bus cannot exist on the machine, or the XML is
 * not a domain.  Relative source paths are resolved against base_dir
 * when it is not NULL. */
BootfixDomain *bootfix_domain_parse (const char *xml, gsize len,
                                     const char *what, const char *base_dir,
                                     const BootfixControllerDb *db,
                                     GError **error);
BootfixDomain *bootfix_domain_parse_file (const char *path,
                                          const BootfixControllerDb *db,
                                          GError **error);

/* The -a DISK --machine M --bus B form: a domain made from arguments.
 * The first disk is the boot disk. */
BootfixDomain *bootfix_domain_new_from_disks (const char *const *disks,
                                              const char *machine,
                                              const char *bus,
                                              const char *model,
                                              const BootfixControllerDb *db,
                                              GError **error);

/* The -a form's formats, as --format gave them: formats[i] for disk i
 * (a NULL array, or a NULL entry, leaves the disk raw). */
void bootfix_domain_set_formats (BootfixDomain *d, const char *const *formats);

G_END_DECLS

#endif
