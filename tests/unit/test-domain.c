/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests for the domain reader (domain.c) and the controller database
 * (controllers.c): table-driven, exact values, no appliance. */
#include "config.h"

#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "bootfix-error.h"
#include "controllers.h"
#include "domain.h"
#include "rules.h"

/* The real data/controllers.xml, loaded once in main(). */
static BootfixControllerDb *db;

static const char *
test_data_dir (void)
{
  const char *dir = g_getenv ("BOOTFIX_TEST_DATA");
  g_assert_nonnull (dir);
  return dir;
}

static void
assert_contains (const char *haystack, const char *needle)
{
  if (strstr (haystack, needle) == NULL) {
    g_test_message ("expected \"%s\" in \"%s\"", needle, haystack);
    g_assert_not_reached ();
  }
}

static void
assert_warning (const BootfixDomain *d, const char *needle)
{
  for (guint i = 0; i < d->warnings->len; i++) {
    if (strstr (g_ptr_array_index (d->warnings, i), needle) != NULL)
      return;
  }
  g_test_message ("no warning contains \"%s\" (%u warnings)", needle,
                  d->warnings->len);
  for (guint i = 0; i < d->warnings->len; i++)
    g_test_message ("  warning: %s",
                    (const char *) g_ptr_array_index (d->warnings, i));
  g_assert_not_reached ();
}

static const BootfixDisk *
boot_disk (const BootfixDomain *d)
{
  g_assert_cmpuint (d->boot_disk, <, d->disks->len);
  return g_ptr_array_index (d->disks, d->boot_disk);
}

/* ---- One row: a domain XML and what it must give ---- */

typedef struct {
  const char *file;
  const char *controller;  /* expected controller id; NULL: an error */
  const char *pci;         /* expected default PCI id */
  const char *boot_target; /* expected boot disk target dev */
  int code;                /* expected BootfixError when controller is NULL */
  const char *text;        /* in the error, or in a warning on success;
                            * NULL on success: no warning at all */
} DomainCase;

static void
check_domain_case (const char *path, const DomainCase *c)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixDomain) d = bootfix_domain_parse_file (path, db, &error);

  if (c->controller == NULL) {
    g_assert_null (d);
    g_assert_error (error, BOOTFIX_ERROR, c->code);
    g_test_message ("%s", error->message);
    /* Every error names the file it is about. */
    g_assert_true (g_str_has_prefix (error->message, path));
    assert_contains (error->message, c->text);
    return;
  }
  g_assert_no_error (error);
  g_assert_nonnull (d);
  g_assert_cmpstr (d->controller->id, ==, c->controller);
  g_assert_cmpstr (d->controller->pci_id, ==, c->pci);
  g_assert_true (d->controller->bootable);
  g_assert_cmpstr (boot_disk (d)->target_dev, ==, c->boot_target);
  g_assert_cmpstr (d->bus, ==, boot_disk (d)->bus);
  g_assert_nonnull (d->name);
  if (c->text != NULL)
    assert_warning (d, c->text);
  else
    g_assert_cmpuint (d->warnings->len, ==, 0);
}

#define OK(f, id, pci, tgt, warning) { f, id, pci, tgt, 0, warning }
#define ERR(f, code, text) { f, NULL, NULL, NULL, BOOTFIX_ERROR_##code, text }

static const DomainCase domain_cases[] = {
  /* i440fx and IDE */
  OK ("pc-ide.xml", "piix3-ide", "8086:7010", "hda", NULL),
  OK ("i440fx-7.2-ide.xml", "piix3-ide", "8086:7010", "hda", NULL),
  OK ("pc-1.2-ide.xml", "piix3-ide", "8086:7010", "hda", NULL),
  OK ("ide-piix4.xml", "piix4-ide", "8086:7111", "hda", NULL),
  ERR ("ide-ich6.xml", UNSUPPORTED,
       "guest 'vbox-import': boot disk 'hda': disk bus 'ide' with controller "
       "model 'ich6' on the i440fx machine is not supported: the ICH6 IDE "
       "controller is not emulated by QEMU"),
  ERR ("ide-unknown-model.xml", UNSUPPORTED,
       "no known controller for disk bus 'ide' with model 'piix9' on the i440fx "
       "machine (known models: 'piix3', 'piix4')"),
  OK ("i686.xml", "piix3-ide", "8086:7010", "hda", NULL),
  OK ("missing-machine.xml", "piix3-ide", "8086:7010", "hda",
      "no machine type in <os><type>; assuming 'pc'"),
  OK ("no-domain-type.xml", "piix3-ide", "8086:7010", "hda", NULL),
  OK ("backing-chain.xml", "piix3-ide", "8086:7010", "hda", NULL),
  /* q35 and SATA */
  OK ("q35-sata.xml", "ich9-ahci", "8086:2922", "sda", NULL),
  OK ("pc-q35-7.2-sata.xml", "ich9-ahci", "8086:2922", "sda", NULL),
  OK ("pc-sata.xml", "ich9-ahci", "8086:2922", "sda", NULL),
  OK ("no-arch.xml", "ich9-ahci", "8086:2922", "sda", NULL),
  OK ("efi.xml", "ich9-ahci", "8086:2922", "sda", NULL),
  ERR ("q35-ide.xml", UNSUPPORTED,
       "guest 'win7-q35': boot disk 'hda': disk bus 'ide' on the q35 machine is "
       "not supported: q35 has no IDE controller; use bus='sata' (ICH9 AHCI)"),
  /* virtio-blk: the model is on the disk */
  OK ("virtio.xml", "virtio-blk", "1af4:1001", "vda", NULL),
  OK ("virtio-transitional.xml", "virtio-blk", "1af4:1001", "vda", NULL),
  OK ("virtio-non-transitional.xml", "virtio-blk", "1af4:1042", "vda", NULL),
  OK ("network-source.xml", "virtio-blk", "1af4:1001", "vda", NULL),
  /* A volume of a libvirt storage pool: libvirt gives the path later. */
  OK ("volume-source.xml", "piix3-ide", "8086:7010", "hda", NULL),
  ERR ("volume-no-pool.xml", INVALID_DOMAIN,
       "disk 'hda' of type 'volume' has no usable <source pool='...' "
       "volume='...'>"),
  ERR ("volume-slash.xml", INVALID_DOMAIN, "without '/' or control characters"),
  /* SCSI: the model is on the <controller> */
  OK ("scsi-lsilogic.xml", "lsi53c895a", "1000:0012", "sda", NULL),
  OK ("scsi-lsisas1068.xml", "lsisas1068", "1000:0054", "sda", NULL),
  OK ("scsi-lsisas1078.xml", "megasas", "1000:0060", "sda", NULL),
  OK ("scsi-vmpvscsi.xml", "pvscsi", "15ad:07c0", "sda", NULL),
  OK ("scsi-virtio-scsi.xml", "virtio-scsi", "1af4:1004", "sda", NULL),
  OK ("scsi-virtio-transitional.xml", "virtio-scsi", "1af4:1004", "sda", NULL),
  OK ("scsi-virtio-non-transitional.xml", "virtio-scsi", "1af4:1048", "sda",
      NULL),
  OK ("scsi-auto.xml", "lsi53c895a", "1000:0012", "sda",
      "assuming libvirt's default, lsilogic"),
  OK ("scsi-no-model.xml", "lsi53c895a", "1000:0012", "sda",
      "assuming libvirt's default, lsilogic"),
  OK ("scsi-no-controller.xml", "lsi53c895a", "1000:0012", "sda",
      "assuming libvirt's default, lsilogic"),
  OK ("scsi-autoindex.xml", "virtio-scsi", "1af4:1004", "sda", NULL),
  OK ("scsi-explicit-index-later.xml", "pvscsi", "15ad:07c0", "sda", NULL),
  ERR ("scsi-duplicate-index.xml", INVALID_DOMAIN,
       "two <controller type='scsi' index='0'>"),
  ERR ("scsi-ibmvscsi.xml", UNSUPPORTED, "exists only on POWER"),
  ERR ("scsi-buslogic.xml", UNSUPPORTED,
       "QEMU does not emulate the BusLogic SCSI controller"),
  ERR ("scsi-ncr53c90.xml", UNSUPPORTED, "NCR 53C90"),
  ERR ("scsi-am53c974.xml", UNSUPPORTED, "AMD 53C974"),
  ERR ("scsi-dc390.xml", UNSUPPORTED, "Tekram DC-390"),
  /* NVMe, USB and other buses */
  OK ("nvme.xml", "nvme", "1b36:0010", "nvme0n1", NULL),
  ERR ("usb.xml", UNSUPPORTED,
       "guest 'usb-stick': boot disk 'sda' is on USB mass storage (QEMU "
       "usb-storage): Windows does not boot from a USB disk"),
  ERR ("sd.xml", UNSUPPORTED, "SD card disks are not a Windows boot device"),
  ERR ("xen-bus.xml", UNSUPPORTED, "Xen paravirtual disks"),
  ERR ("unknown-bus.xml", UNSUPPORTED,
       "boot disk 'hda': unknown disk bus 'foo' (known buses: "),
  /* Which disk boots */
  OK ("boot-order-second.xml", "virtio-blk", "1af4:1001", "vda", NULL),
  OK ("boot-order-cdrom-only.xml", "piix3-ide", "8086:7010", "hda",
      "no disk has one"),
  OK ("two-disks-first.xml", "virtio-blk", "1af4:1001", "vdb",
      "assuming the first disk in the XML, 'vdb'"),
  OK ("boot-network-first.xml", "piix3-ide", "8086:7010", "hda",
      "does not list 'hd' first"),
  OK ("boot-no-hd.xml", "piix3-ide", "8086:7010", "hda",
      "does not list 'hd': the guest will not boot from a disk"),
  ERR ("boot-dev-and-order.xml", INVALID_DOMAIN,
       "<disk> has a <boot order=...> and <os> has <boot dev=...>; libvirt "
       "rejects that combination"),
  ERR ("boot-order-duplicate.xml", INVALID_DOMAIN,
       "boot order 1 is used by more than one device"),
  ERR ("boot-order-bad.xml", INVALID_DOMAIN,
       "<boot order='...'> must be a whole number from 1 to 65535"),
  /* No usable disk */
  ERR ("no-disk.xml", INVALID_DOMAIN,
       "guest 'empty': has no <disk device='disk'>; add the Windows system "
       "disk"),
  ERR ("cdrom-only.xml", INVALID_DOMAIN,
       "has no <disk device='disk'> (only cdrom or floppy drives); add"),
  ERR ("lun-only.xml", INVALID_DOMAIN, "only device='lun'"),
  /* Machines, arches, domain types */
  ERR ("unknown-machine.xml", UNSUPPORTED,
       "guest 'isa': unknown machine type 'isapc' (known machine types: pc, "
       "pc-i440fx-*, pc-[0-9]*, q35, pc-q35-*)"),
  ERR ("aarch64.xml", UNSUPPORTED,
       "guest 'arm': architecture 'aarch64' is not supported"),
  ERR ("xen-domain.xml", UNSUPPORTED, "<domain type='xen'> is not a QEMU/KVM"),
  ERR ("os-type-linux.xml", UNSUPPORTED, "<os><type> is not 'hvm'"),
  ERR ("no-os-type.xml", INVALID_DOMAIN, "no <os><type> element"),
  /* Broken or hostile XML */
  ERR ("not-a-domain.xml", INVALID_DOMAIN,
       "the root element is <network>, not <domain>"),
  ERR ("namespaced.xml", INVALID_DOMAIN, "<domain> has an XML namespace"),
  ERR ("malformed.xml", INVALID_DOMAIN, "malformed.xml:12: "),
  ERR ("doctype-external-entity.xml", INVALID_DOMAIN,
       "a DOCTYPE declaration is not allowed"),
  ERR ("billion-laughs.xml", INVALID_DOMAIN, "billion-laughs.xml:"),
  ERR ("ide-pci-address.xml", INVALID_DOMAIN,
       "disk 'hda' on bus 'ide' has a PCI <address>"),
  ERR ("target-overflow.xml", INVALID_DOMAIN,
       "<target dev='...'> is not a disk name libvirt accepts"),
  ERR ("no-bus.xml", INVALID_DOMAIN, "disk 'hda' has no <target bus=...>"),
  ERR ("no-source.xml", INVALID_DOMAIN,
       "disk 'hda' has no usable <source file='...'>"),
  ERR ("bad-token.xml", INVALID_DOMAIN, "<target bus='...'> is not a valid value"),
  ERR ("bad-name.xml", INVALID_DOMAIN, "<name> must be 1 to 255 characters"),
  /* Accepted with a warning */
  OK ("disk-model-on-ide.xml", "piix3-ide", "8086:7010", "hda",
      "applies to virtio disks only"),
  OK ("relative-source.xml", "piix3-ide", "8086:7010", "hda",
      "several disks and no <boot order=...>"),
  OK ("no-name.xml", "piix3-ide", "8086:7010", "hda", NULL),
};

static void
test_domain_file (gconstpointer data)
{
  const DomainCase *c = data;
  g_autofree char *path =
    g_build_filename (test_data_dir (), "domains", c->file, NULL);
  check_domain_case (path, c);
}

/* Every XML under data/domains has a row, so none is silently unused. */
static void
test_domain_files_all_listed (void)
{
  g_autofree char *dir = g_build_filename (test_data_dir (), "domains", NULL);
  g_autoptr (GDir) gdir = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (gdir);
  while ((name = g_dir_read_name (gdir)) != NULL) {
    gboolean found = FALSE;
    if (!g_str_has_suffix (name, ".xml"))
      continue;
    for (guint i = 0; i < G_N_ELEMENTS (domain_cases); i++)
      found |= g_str_equal (domain_cases[i].file, name);
    if (!found)
      g_test_message ("%s has no row in domain_cases", name);
    g_assert_true (found);
    n++;
  }
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (domain_cases));
}

/* ---- Field-level checks on a few files ---- */

static BootfixDomain *
parse_test_file (const char *file)
{
  g_autofree char *path =
    g_build_filename (test_data_dir (), "domains", file, NULL);
  g_autoptr (GError) error = NULL;
  BootfixDomain *d = bootfix_domain_parse_file (path, db, &error);
  g_assert_no_error (error);
  return d;
}

static void
test_domain_fields (void)
{
  g_autoptr (BootfixDomain) d = parse_test_file ("pc-ide.xml");
  const BootfixDisk *disk = boot_disk (d);
  const BootfixDomainController *c;

  g_assert_cmpstr (d->name, ==, "win-xp");
  g_assert_cmpstr (d->machine, ==, "pc");
  g_assert_cmpstr (d->machine_family, ==, "i440fx");
  g_assert_cmpstr (d->arch, ==, "x86_64");
  g_assert_cmpstr (d->firmware, ==, "bios");
  g_assert_cmpuint (d->disks->len, ==, 1);
  g_assert_cmpuint (d->boot_disk, ==, 0);
  g_assert_cmpstr (disk->target_dev, ==, "hda");
  g_assert_cmpstr (disk->bus, ==, "ide");
  g_assert_cmpstr (disk->source, ==, "/var/lib/libvirt/images/hda.img");
  g_assert_cmpstr (disk->source_type, ==, "file");
  g_assert_cmpstr (disk->format, ==, "raw");
  g_assert_null (disk->model);
  g_assert_cmpint (disk->boot_order, ==, 0);
  g_assert_cmpint (disk->controller_index, ==, 0);
  g_assert_cmpuint (d->controllers->len, ==, 1);
  c = g_ptr_array_index (d->controllers, 0);
  g_assert_cmpstr (c->type, ==, "ide");
  g_assert_cmpint (c->index, ==, 0);
  g_assert_null (c->model);
  g_assert_cmpstr (d->bus, ==, "ide");
  g_assert_null (d->controller_model);
  g_assert_true (d->controller == bootfix_controller_db_lookup (db, "piix3-ide"));
}

static void
test_domain_firmware (void)
{
  g_autoptr (BootfixDomain) efi = parse_test_file ("efi.xml");
  g_autoptr (BootfixDomain) pflash = parse_test_file ("pc-q35-7.2-sata.xml");
  g_autoptr (BootfixDomain) bios = parse_test_file ("q35-sata.xml");

  g_assert_cmpstr (efi->firmware, ==, "efi");
  g_assert_cmpstr (pflash->firmware, ==, "efi");
  g_assert_cmpstr (bios->firmware, ==, "bios");
}

static void
test_domain_arch (void)
{
  g_autoptr (BootfixDomain) i686 = parse_test_file ("i686.xml");
  g_autoptr (BootfixDomain) none = parse_test_file ("no-arch.xml");
  g_autoptr (BootfixDomain) nomachine = parse_test_file ("missing-machine.xml");

  g_assert_cmpstr (i686->arch, ==, "i686");
  g_assert_cmpstr (none->arch, ==, "x86_64");
  g_assert_cmpstr (nomachine->machine, ==, "pc");
  g_assert_cmpstr (nomachine->machine_family, ==, "i440fx");
}

static void
test_domain_relative_source (void)
{
  g_autoptr (BootfixDomain) d = parse_test_file ("relative-source.xml");
  g_autofree char *dir = g_build_filename (test_data_dir (), "domains", NULL);
  g_autofree char *abs_dir = g_canonicalize_filename (dir, NULL);
  g_autofree char *expected =
    g_build_filename (abs_dir, "images", "win.img", NULL);
  const BootfixDisk *second = g_ptr_array_index (d->disks, 1);

  g_assert_cmpstr (boot_disk (d)->source, ==, expected);
  g_assert_cmpstr (second->source, ==, "/abs/data.img");
}

/* A disk's chain as "PATH FORMAT[ block]|…"; "" when none is declared. */
static char *
chain_text (const BootfixDisk *disk)
{
  g_autoptr (GString) s = g_string_new (NULL);
  g_assert_nonnull (disk->backing);
  for (guint i = 0; i < disk->backing->len; i++) {
    const BootfixBackingStore *b = g_ptr_array_index (disk->backing, i);
    g_string_append_printf (s, "%s%s %s%s", i ? "|" : "", b->path, b->format,
                            b->block ? " block" : "");
  }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
test_domain_backing_file (void)
{
  g_autoptr (BootfixDomain) d = parse_test_file ("backing-chain.xml");
  g_autofree char *dir = g_build_filename (test_data_dir (), "domains", NULL);
  g_autofree char *abs_dir = g_canonicalize_filename (dir, NULL);
  g_autofree char *want = g_strdup_printf (
    "%s/images/top.qcow2 qcow2|/images/base.img raw", abs_dir);
  g_autofree char *hda = chain_text (g_ptr_array_index (d->disks, 0));
  g_autofree char *hdb = chain_text (g_ptr_array_index (d->disks, 1));

  g_assert_cmpstr (hda, ==, want);
  g_assert_cmpstr (hdb, ==, "/dev/vg0/data raw block");
}

/* The chain text of a one-disk domain whose disk holds chain. */
static char *
read_chain (const char *chain, const char *base)
{
  g_autofree char *xml = g_strdup_printf (
    "<domain type='kvm'><name>b</name><os><type machine='pc'>hvm</type></os>"
    "<devices><disk type='file' device='disk'><driver name='qemu' "
    "type='qcow2'/><source file='/out/b.qcow2'/>%s<target dev='hda' "
    "bus='ide'/></disk></devices></domain>", chain);
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixDomain) d = bootfix_domain_parse (xml, strlen (xml), "b.xml",
                                                      base, db, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (boot_disk (d)->source, ==, "/out/b.qcow2");
  return chain_text (boot_disk (d));
}

/* What a <backingStore> chain declares: the layers up to the first one
 * that is not a local file (or block device) with a usable path and a
 * format; the rest of the disk reads as before. */
static void
test_domain_backing_chain (void)
{
  static const struct {
    const char *what, *base, *chain, *want;
  } cases[] = {
    { "none", "/vm", "", "" },
    { "the empty end", "/vm", "<backingStore/>", "" },
    { "two layers, relative", "/vm",
      "<backingStore type='file'><format type='qcow2'/><source file='b.qcow2'/>"
      "<backingStore><source file='/img/c.img'/><format type='raw'/>"
      "<backingStore/></backingStore></backingStore>",
      "/vm/b.qcow2 qcow2|/img/c.img raw" },
    { "relative without a base folder", NULL,
      "<backingStore><format type='raw'/><source file='b.img'/></backingStore>", "" },
    { "a block device", "/vm",
      "<backingStore type='block'><format type='raw'/><source dev='/dev/vg/b'/>"
      "</backingStore>", "/dev/vg/b raw block" },
    { "a block device named as a file", "/vm",
      "<backingStore type='block'><format type='raw'/><source file='/dev/vg/b'/>"
      "</backingStore>", "" },
    { "a network layer ends it", "/vm",
      "<backingStore><format type='qcow2'/><source file='/img/a.qcow2'/>"
      "<backingStore type='network'><format type='raw'/><source protocol='nbd' "
      "name='x'><host name='h'/></source><backingStore><format type='raw'/>"
      "<source file='/img/c.img'/></backingStore></backingStore></backingStore>",
      "/img/a.qcow2 qcow2" },
    { "a volume", "/vm",
      "<backingStore type='volume'><format type='raw'/><source pool='p' "
      "volume='v'/></backingStore>", "" },
    { "no format", "/vm", "<backingStore><source file='/img/a.img'/></backingStore>", "" },
    { "a format that is no token", "/vm",
      "<backingStore><format type='raw img'/><source file='/img/a.img'/>"
      "</backingStore>", "" },
    { "an empty path", "/vm",
      "<backingStore><format type='raw'/><source file=''/></backingStore>", "" },
    { "no source", "/vm", "<backingStore><format type='raw'/></backingStore>", "" },
    { "two beside each other: the first", "/vm",
      "<backingStore><format type='raw'/><source file='/img/1.img'/></backingStore>"
      "<backingStore><format type='raw'/><source file='/img/2.img'/></backingStore>",
      "/img/1.img raw" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_test_message ("case: %s", cases[i].what);
    g_autofree char *got = read_chain (cases[i].chain, cases[i].base);
    g_assert_cmpstr (got, ==, cases[i].want);
  }
  /* A path longer than any we take (the <source> limit). */
  g_autofree char *path = g_strnfill (4100, 'p');
  g_autofree char *too_long = g_strdup_printf (
    "<backingStore><format type='raw'/><source file='/%s'/></backingStore>", path);
  g_autofree char *got = read_chain (too_long, "/vm");
  g_assert_cmpstr (got, ==, "");
}

/* Hostile depth: no more layers than the image checks follow, read
 * without recursion however deep the XML nests. */
static void
test_domain_backing_depth (void)
{
  g_autoptr (GString) xml = g_string_new (
    "<domain type='kvm'><name>d</name><os><type machine='pc'>hvm</type></os>"
    "<devices><disk type='file' device='disk'><source file='/out/d.qcow2'/>");
  const guint levels = BOOTFIX_MAX_CHAIN_DEPTH + 8;
  for (guint i = 0; i < levels; i++)
    g_string_append_printf (xml, "<backingStore><format type='qcow2'/><source "
                            "file='/img/%u.qcow2'/>", i);
  for (guint i = 0; i < levels; i++)
    g_string_append (xml, "</backingStore>");
  g_string_append (xml, "<target dev='hda' bus='ide'/></disk></devices></domain>");
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixDomain) d = bootfix_domain_parse (xml->str, xml->len, "d.xml",
                                                      NULL, db, &error);
  g_assert_no_error (error);
  const GPtrArray *chain = boot_disk (d)->backing;
  g_assert_cmpuint (chain->len, ==, BOOTFIX_MAX_CHAIN_DEPTH);
  const BootfixBackingStore *last = g_ptr_array_index (chain, chain->len - 1);
  g_autofree char *want = g_strdup_printf ("/img/%u.qcow2", BOOTFIX_MAX_CHAIN_DEPTH - 1);
  g_assert_cmpstr (last->path, ==, want);
}

/* From memory: no base dir keeps relative paths as written. */
static void
test_domain_parse_memory (void)
{
  g_autofree char *path = g_build_filename (test_data_dir (), "domains",
                                            "relative-source.xml", NULL);
  g_autofree char *xml = NULL;
  gsize len = 0;
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &xml, &len, NULL));
  g_autoptr (BootfixDomain) d =
    bootfix_domain_parse (xml, len, NULL, NULL, db, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (boot_disk (d)->source, ==, "images/win.img");
  g_assert_cmpstr (d->name, ==, "rel");

  g_autoptr (BootfixDomain) d2 =
    bootfix_domain_parse (xml, len, "x.xml", "/var/lib/vm", db, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (boot_disk (d2)->source, ==, "/var/lib/vm/images/win.img");
}

static void
test_domain_names (void)
{
  g_autoptr (BootfixDomain) d = parse_test_file ("no-name.xml");
  g_autoptr (BootfixDomain) net = parse_test_file ("network-source.xml");
  const BootfixDisk *disk = boot_disk (net);

  g_assert_cmpstr (d->name, ==, "win2k8");
  g_assert_cmpstr (boot_disk (d)->format, ==, "raw");
  g_assert_null (disk->source);
  g_assert_cmpstr (disk->source_type, ==, "network");
  g_assert_cmpstr (net->name, ==, "nbd");

  g_autoptr (BootfixDomain) vol = parse_test_file ("volume-source.xml");
  const BootfixDisk *vdisk = boot_disk (vol);
  g_assert_null (vdisk->source);
  g_assert_cmpstr (vdisk->source_type, ==, "volume");
  g_assert_cmpstr (vdisk->pool, ==, "default");
  g_assert_cmpstr (vdisk->volume, ==, "win7.img");
  g_assert_null (disk->pool);
  g_assert_null (disk->volume);
}

static void
test_domain_boot_order (void)
{
  g_autoptr (BootfixDomain) d = parse_test_file ("boot-order-second.xml");

  g_assert_cmpuint (d->disks->len, ==, 2); /* the cdrom is not a disk */
  g_assert_cmpuint (d->boot_disk, ==, 1);
  g_assert_cmpint (boot_disk (d)->boot_order, ==, 1);
  g_assert_cmpint (((BootfixDisk *) g_ptr_array_index (d->disks, 0))->boot_order,
                   ==, 2);
}

static void
test_domain_controller_indexes (void)
{
  g_autoptr (BootfixDomain) d = parse_test_file ("scsi-autoindex.xml");
  g_autoptr (BootfixDomain) later =
    parse_test_file ("scsi-explicit-index-later.xml");
  const BootfixDomainController *c;

  g_assert_cmpuint (d->controllers->len, ==, 3);
  c = g_ptr_array_index (d->controllers, 0);
  g_assert_cmpstr (c->type, ==, "usb");
  g_assert_cmpint (c->index, ==, 0);
  c = g_ptr_array_index (d->controllers, 1);
  g_assert_cmpstr (c->model, ==, "lsilogic");
  g_assert_cmpint (c->index, ==, 0);
  c = g_ptr_array_index (d->controllers, 2);
  g_assert_cmpstr (c->model, ==, "virtio-scsi");
  g_assert_cmpint (c->index, ==, 1);
  g_assert_cmpstr (d->controller_model, ==, "virtio-scsi");
  g_assert_cmpint (boot_disk (d)->controller_index, ==, 1);

  /* An explicit index later in the file is taken first. */
  c = g_ptr_array_index (later->controllers, 0);
  g_assert_cmpint (c->index, ==, 1);
  g_assert_cmpstr (later->controller_model, ==, "vmpvscsi");
}

static void
test_domain_virtio_ids (void)
{
  g_autoptr (BootfixDomain) plain = parse_test_file ("virtio.xml");
  g_autoptr (BootfixDomain) modern =
    parse_test_file ("virtio-non-transitional.xml");
  GPtrArray *ids = plain->controller->all_pci_ids;

  g_assert_cmpuint (ids->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (ids, 0), ==, "1af4:1001");
  g_assert_cmpstr (g_ptr_array_index (ids, 1), ==, "1af4:1042");
  ids = modern->controller->all_pci_ids;
  g_assert_cmpuint (ids->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (ids, 0), ==, "1af4:1042");
  g_assert_cmpstr (g_ptr_array_index (ids, 1), ==, "1af4:1001");
  g_assert_cmpstr (modern->controller->id, ==, "virtio-blk");
  g_assert_cmpstr (modern->controller_model, ==, "virtio-non-transitional");
  g_assert_null (plain->controller_model);
}

/* The DOCTYPE names a file; its content must never reach us. */
static void
test_domain_no_entity_read (void)
{
  g_autofree char *path = g_build_filename (
    test_data_dir (), "domains", "doctype-external-entity.xml", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixDomain) d = bootfix_domain_parse_file (path, db, &error);

  g_assert_null (d);
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_INVALID_DOMAIN);
  g_assert_null (strstr (error->message, "TOP-SECRET-MARKER"));
}

static void
test_domain_too_large (void)
{
  gsize len = 8 * 1024 * 1024 + 1;
  g_autofree char *xml = g_malloc (len);
  g_autoptr (GError) error = NULL;

  memset (xml, ' ', len);
  g_autoptr (BootfixDomain) d =
    bootfix_domain_parse (xml, len, "huge.xml", NULL, db, &error);
  g_assert_null (d);
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_INVALID_DOMAIN);
  assert_contains (error->message, "huge.xml: larger than");
}

static void
test_domain_missing_file (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixDomain) d =
    bootfix_domain_parse_file ("/nonexistent/dom.xml", db, &error);

  g_assert_null (d);
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED);
  assert_contains (error->message, "/nonexistent/dom.xml");
}

/* ---- libvirt's own test XMLs (../shared/fixtures/libvirt-domains) ---- */

static char *
fixtures_dir (void)
{
  const char *shared = g_getenv ("BOOTFIX_SHARED_DIR");
  if (shared == NULL)
    return NULL;
  char *dir = g_build_filename (shared, "fixtures", "libvirt-domains", NULL);
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR)) {
    g_free (dir);
    return NULL;
  }
  return dir;
}

/* Expected outcome per file, from the fixtures' README table.  The six
 * files libvirt rejects are marked; all six are rejected here too. */
static const DomainCase fixture_cases[] = {
  /* rejected by libvirt (memballoon PCI conflict); we see no disk */
  ERR ("440fx-ide-address-conflict.xml", INVALID_DOMAIN,
       "has no <disk device='disk'>"),
  OK ("autoindex.xml", "ich9-ahci", "8086:2922", "sda", NULL),
  /* <boot dev> cdrom, network, hd, fd; the first disk is vdb */
  OK ("boot-complex.xml", "virtio-blk", "1af4:1001", "vdb",
      "does not list 'hd' first"),
  /* rejected by libvirt: <boot order> plus <os><boot dev> */
  ERR ("boot-dev+order.xml", INVALID_DOMAIN,
       "libvirt rejects that combination"),
  ERR ("boot-floppy-q35.xml", INVALID_DOMAIN, "(only cdrom or floppy drives)"),
  OK ("boot-network.xml", "piix3-ide", "8086:7010", "hda",
      "does not list 'hd'"),
  /* cdrom order 1, network vda order 3: vda is the lowest disk */
  OK ("boot-order.xml", "virtio-blk", "1af4:1001", "vda", NULL),
  OK ("controller-virtio-scsi.xml", "virtio-scsi", "1af4:1004", "sda",
      "assuming the first disk in the XML, 'sda'"),
  OK ("disk-boot-disk.xml", "piix3-ide", "8086:7010", "hda", NULL),
  ERR ("disk-cdrom.xml", INVALID_DOMAIN, "(only cdrom or floppy drives)"),
  OK ("disk-device-removable.xml", "piix3-ide", "8086:7010", "hda",
      "assuming the first disk in the XML, 'hda'"),
  OK ("disk-floppy.xml", "piix3-ide", "8086:7010", "hda", NULL),
  /* rejected by libvirt: PCI address on an IDE disk */
  ERR ("disk-ide-incompatible-address.xml", INVALID_DOMAIN,
       "disk 'hda' on bus 'ide' has a PCI <address>"),
  OK ("disk-network-iscsi.xml", "virtio-blk", "1af4:1001", "vda",
      "assuming the first disk in the XML, 'vda'"),
  OK ("disk-network-nbd.xml", "virtio-blk", "1af4:1001", "vda",
      "assuming the first disk in the XML, 'vda'"),
  OK ("disk-nvme.xml", "virtio-blk", "1af4:1001", "vda",
      "assuming the first disk in the XML, 'vda'"),
  OK ("disk-sata-device.xml", "ich9-ahci", "8086:2922", "sda", NULL),
  /* rejected by libvirt: PCI address on a SATA disk */
  ERR ("disk-sata-incompatible-address.xml", INVALID_DOMAIN,
       "disk 'sda' on bus 'sata' has a PCI <address>"),
  OK ("disk-scsi-device-auto.xml", "piix3-ide", "8086:7010", "hda",
      "assuming the first disk in the XML, 'hda'"),
  OK ("disk-scsi-disk-split.xml", "virtio-scsi", "1af4:1004", "sdc",
      "assuming the first disk in the XML, 'sdc'"),
  OK ("disk-scsi-disk-vpd.xml", "lsi53c895a", "1000:0012", "sdb", NULL),
  ERR ("disk-scsi-lun-passthrough.xml", INVALID_DOMAIN, "only device='lun'"),
  OK ("disk-scsi.xml", "piix3-ide", "8086:7010", "hda",
      "assuming the first disk in the XML, 'hda'"),
  OK ("disk-source-pool-mode.xml", "piix3-ide", "8086:7010", "hdc", NULL),
  OK ("disk-source-pool.xml", "piix3-ide", "8086:7010", "hdd",
      "assuming the first disk in the XML, 'hdd'"),
  /* rejected by libvirt: target name overflows its disk index */
  ERR ("disk-target-overflow.xml", INVALID_DOMAIN,
       "<target dev='...'> is not a disk name libvirt accepts"),
  ERR ("disk-usb-device.xml", UNSUPPORTED,
       "boot disk 'sda' is on USB mass storage"),
  /* rejected by libvirt: PCI address on a USB disk */
  ERR ("disk-usb-pci.xml", INVALID_DOMAIN,
       "disk 'sda' on bus 'usb' has a PCI <address>"),
  ERR ("disk-virtio-scsi-reservations.xml", INVALID_DOMAIN,
       "only device='lun'"),
  OK ("disk-virtio.xml", "piix3-ide", "8086:7010", "hda",
      "assuming the first disk in the XML, 'hda'"),
  OK ("iothreads-virtio-scsi-pci.xml", "virtio-blk", "1af4:1001", "vdb",
      "assuming the first disk in the XML, 'vdb'"),
  ERR ("q35-default-devices-only.xml", INVALID_DOMAIN,
       "has no <disk device='disk'>; add"),
  OK ("q35-virt-manager-basic.xml", "virtio-blk", "1af4:1001", "vda", NULL),
  OK ("q35.xml", "ich9-ahci", "8086:2922", "sda", NULL),
  OK ("virtio-non-transitional.xml", "virtio-blk", "1af4:1042", "vda", NULL),
  OK ("virtio-transitional.xml", "virtio-blk", "1af4:1001", "vda", NULL),
  OK ("x86_64-default-cpu-kvm-pc-4.2.xml", "virtio-blk", "1af4:1001", "vda",
      NULL),
  OK ("x86_64-default-cpu-kvm-q35-4.2.xml", "virtio-blk", "1af4:1001", "vda",
      NULL),
  OK ("x86_64-pc-headless.xml", "virtio-blk", "1af4:1001", "vda", NULL),
  OK ("x86_64-q35-headless.xml", "virtio-blk", "1af4:1001", "vda", NULL),
};

static void
test_fixture_file (gconstpointer data)
{
  const DomainCase *c = data;
  g_autofree char *dir = fixtures_dir ();

  if (dir == NULL) {
    g_test_skip ("no ../shared/fixtures/libvirt-domains");
    return;
  }
  g_autofree char *path = g_build_filename (dir, c->file, NULL);
  check_domain_case (path, c);
}

static void
test_fixtures_all_listed (void)
{
  g_autofree char *dir = fixtures_dir ();
  const char *name;
  guint n = 0;

  if (dir == NULL) {
    g_test_skip ("no ../shared/fixtures/libvirt-domains");
    return;
  }
  g_autoptr (GDir) gdir = g_dir_open (dir, 0, NULL);
  g_assert_nonnull (gdir);
  while ((name = g_dir_read_name (gdir)) != NULL) {
    gboolean found = FALSE;
    if (!g_str_has_suffix (name, ".xml"))
      continue;
    for (guint i = 0; i < G_N_ELEMENTS (fixture_cases); i++)
      found |= g_str_equal (fixture_cases[i].file, name);
    if (!found)
      g_test_message ("%s has no row in fixture_cases", name);
    g_assert_true (found);
    n++;
  }
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (fixture_cases));
}

/* Variants derived at test time (the fixtures stay untouched). */
static char *
fixture_variant (const char *file, const char *const *edits)
{
  g_autofree char *dir = fixtures_dir ();
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autofree char *xml = NULL;

  g_assert_true (g_file_get_contents (path, &xml, NULL, NULL));
  for (guint i = 0; edits[i] != NULL; i += 2) {
    g_assert_nonnull (strstr (xml, edits[i]));
    g_autoptr (GString) s = g_string_new (xml);
    g_string_replace (s, edits[i], edits[i + 1], 1);
    g_free (xml);
    xml = g_string_free (g_steal_pointer (&s), FALSE);
  }
  return g_steal_pointer (&xml);
}

/* disk-scsi.xml boots hda; give each SCSI disk the boot in turn to
 * reach every SCSI model the file declares. */
static void
test_fixture_scsi_models (void)
{
  static const struct {
    const char *target, *id, *pci, *error;
  } rows[] = {
    { "sda", "lsi53c895a", "1000:0012", NULL },
    { "sdb", "megasas", "1000:0060", NULL },
    { "sdc", "lsisas1068", "1000:0054", NULL },
    { "sdd", NULL, NULL, "model 'ibmvscsi'" },
    { "sde", "pvscsi", "15ad:07c0", NULL },
  };
  g_autofree char *dir = fixtures_dir ();

  if (dir == NULL) {
    g_test_skip ("no ../shared/fixtures/libvirt-domains");
    return;
  }
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++) {
    g_autofree char *from = g_strdup_printf ("<target dev='%s' bus='scsi'",
                                             rows[i].target);
    g_autofree char *to = g_strdup_printf ("<boot order='1'/>%s", from);
    const char *edits[] = { "<boot dev='hd'/>", "", from, to, NULL };
    g_autofree char *xml = fixture_variant ("disk-scsi.xml", edits);
    g_autoptr (GError) error = NULL;
    g_autoptr (BootfixDomain) d = bootfix_domain_parse (
      xml, strlen (xml), "disk-scsi.xml", NULL, db, &error);
    if (rows[i].error != NULL) {
      g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_UNSUPPORTED);
      assert_contains (error->message, rows[i].error);
      continue;
    }
    g_assert_no_error (error);
    g_assert_cmpstr (boot_disk (d)->target_dev, ==, rows[i].target);
    g_assert_cmpstr (d->controller->id, ==, rows[i].id);
    g_assert_cmpstr (d->controller->pci_id, ==, rows[i].pci);
  }
}

/* The fixtures have no IDE-on-q35 test; derive one. */
static void
test_fixture_ide_on_q35 (void)
{
  g_autofree char *dir = fixtures_dir ();

  if (dir == NULL) {
    g_test_skip ("no ../shared/fixtures/libvirt-domains");
    return;
  }
  const char *edits[] = { "machine='pc'", "machine='pc-q35-4.2'", NULL };
  g_autofree char *xml = fixture_variant ("disk-boot-disk.xml", edits);
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixDomain) d = bootfix_domain_parse (
    xml, strlen (xml), "disk-boot-disk.xml", NULL, db, &error);

  g_assert_null (d);
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_UNSUPPORTED);
  assert_contains (error->message,
                   "disk-boot-disk.xml: guest 'QEMUGuest1': boot disk 'hda': "
                   "disk bus 'ide' on the q35 machine is not supported: q35 has "
                   "no IDE controller");
}

/* ---- The -a DISK --machine M --bus B form ---- */

typedef struct {
  const char *machine, *bus, *model;
  const char *controller, *pci; /* NULL: an error */
  int code;
  const char *text;             /* error; or a warning; NULL: none */
} ArgsCase;

static const ArgsCase args_cases[] = {
  { "pc", "ide", NULL, "piix3-ide", "8086:7010", 0, NULL },
  { "pc-i440fx-8.2", "ide", "piix4", "piix4-ide", "8086:7111", 0, NULL },
  { "q35", "sata", NULL, "ich9-ahci", "8086:2922", 0, NULL },
  { NULL, "ide", NULL, "piix3-ide", "8086:7010", 0,
    "no machine type given; assuming 'pc'" },
  { "pc-q35-8.0", "virtio", "virtio-non-transitional", "virtio-blk",
    "1af4:1042", 0, NULL },
  { "pc", "virtio", NULL, "virtio-blk", "1af4:1001", 0, NULL },
  { "pc", "scsi", "lsisas1068", "lsisas1068", "1000:0054", 0, NULL },
  { "pc", "scsi", NULL, "lsi53c895a", "1000:0012", 0,
    "assuming libvirt's default, lsilogic" },
  { "q35", "nvme", NULL, "nvme", "1b36:0010", 0, NULL },
  { "q35", "ide", NULL, NULL, NULL, BOOTFIX_ERROR_UNSUPPORTED,
    "win10.qcow2: guest 'win10': boot disk 'hda': disk bus 'ide' on the q35 "
    "machine is not supported" },
  { "pc", "usb", NULL, NULL, NULL, BOOTFIX_ERROR_UNSUPPORTED,
    "boot disk 'sda' is on USB mass storage" },
  { "pc", NULL, NULL, NULL, NULL, BOOTFIX_ERROR_INVALID_DOMAIN,
    "no disk bus given; say which bus" },
  { "virt", "ide", NULL, NULL, NULL, BOOTFIX_ERROR_UNSUPPORTED,
    "guest 'win10': unknown machine type 'virt'" },
  { "pc", "ide\n", NULL, NULL, NULL, BOOTFIX_ERROR_INVALID_DOMAIN,
    "--bus, --controller-model and --machine take a short name" },
  { "pc", "scsi", "buslogic", NULL, NULL, BOOTFIX_ERROR_UNSUPPORTED,
    "QEMU does not emulate the BusLogic" },
};

static void
test_args_case (gconstpointer data)
{
  const ArgsCase *c = data;
  const char *disks[] = { "/images/win10.qcow2", "/images/data.img", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixDomain) d = bootfix_domain_new_from_disks (
    disks, c->machine, c->bus, c->model, db, &error);

  if (c->controller == NULL) {
    g_assert_null (d);
    g_assert_error (error, BOOTFIX_ERROR, c->code);
    g_test_message ("%s", error->message);
    assert_contains (error->message, c->text);
    return;
  }
  g_assert_no_error (error);
  g_assert_cmpstr (d->controller->id, ==, c->controller);
  g_assert_cmpstr (d->controller->pci_id, ==, c->pci);
  g_assert_cmpuint (d->disks->len, ==, 2);
  g_assert_cmpuint (d->boot_disk, ==, 0);
  g_assert_cmpstr (boot_disk (d)->source, ==, "/images/win10.qcow2");
  g_assert_cmpstr (d->bus, ==, c->bus);
  g_assert_cmpstr (d->controller_model, ==, c->model);
  if (c->text != NULL)
    assert_warning (d, c->text);
  else
    g_assert_cmpuint (d->warnings->len, ==, 0);
}

static void
test_args_fields (void)
{
  g_autoptr (GPtrArray) disks = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *expected = g_build_filename (cwd, "rel", "w2k8.img", NULL);

  g_ptr_array_add (disks, g_strdup ("rel/w2k8.img"));
  for (guint i = 1; i < 28; i++)
    g_ptr_array_add (disks, g_strdup_printf ("/d/%u.img", i));
  g_ptr_array_add (disks, NULL);
  g_autoptr (BootfixDomain) d = bootfix_domain_new_from_disks (
    (const char *const *) disks->pdata, "q35", "scsi", "virtio-scsi", db,
    &error);
  g_assert_no_error (error);
  g_assert_cmpstr (d->name, ==, "w2k8");
  g_assert_cmpstr (d->machine, ==, "q35");
  g_assert_cmpstr (d->machine_family, ==, "q35");
  g_assert_cmpstr (d->arch, ==, "x86_64");
  g_assert_cmpuint (d->disks->len, ==, 28);
  g_assert_cmpstr (boot_disk (d)->source, ==, expected);
  g_assert_cmpstr (boot_disk (d)->target_dev, ==, "sda");
  g_assert_cmpstr (((BootfixDisk *) g_ptr_array_index (d->disks, 25))->target_dev,
                   ==, "sdz");
  g_assert_cmpstr (((BootfixDisk *) g_ptr_array_index (d->disks, 26))->target_dev,
                   ==, "sdaa");
  g_assert_cmpstr (((BootfixDisk *) g_ptr_array_index (d->disks, 27))->target_dev,
                   ==, "sdab");
  g_assert_cmpuint (d->controllers->len, ==, 1);
  g_assert_cmpstr (((BootfixDomainController *)
                    g_ptr_array_index (d->controllers, 0))->model, ==,
                   "virtio-scsi");
  g_assert_cmpstr (d->controller->id, ==, "virtio-scsi");
  /* No domain, so nothing declares a backing file. */
  g_assert_null (boot_disk (d)->backing);
}

static void
test_args_virtio_names (void)
{
  const char *disks[] = { "/a.img", "/b.img", "/c.img", NULL };
  const char *none[] = { NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixDomain) d = bootfix_domain_new_from_disks (
    disks, "pc", "virtio", "virtio-transitional", db, &error);

  g_assert_no_error (error);
  /* The disk alone says which firmware it needs (--firmware may). */
  g_assert_null (d->firmware);
  g_assert_cmpuint (d->controllers->len, ==, 0);
  for (guint i = 0; i < 3; i++) {
    const BootfixDisk *disk = g_ptr_array_index (d->disks, i);
    g_autofree char *name = g_strdup_printf ("vd%c", 'a' + i);
    g_assert_cmpstr (disk->target_dev, ==, name);
    g_assert_cmpstr (disk->model, ==, "virtio-transitional");
  }
  const char *formats[] = { "qcow2", "vhdx", NULL };
  bootfix_domain_set_formats (d, formats);
  g_assert_cmpstr (((BootfixDisk *) g_ptr_array_index (d->disks, 0))->format, ==, "qcow2");
  g_assert_cmpstr (((BootfixDisk *) g_ptr_array_index (d->disks, 1))->format, ==, "vhdx");
  g_assert_null (((BootfixDisk *) g_ptr_array_index (d->disks, 2))->format);
  g_autoptr (BootfixDomain) empty =
    bootfix_domain_new_from_disks (none, "pc", "ide", NULL, db, &error);
  g_assert_null (empty);
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_INVALID_DOMAIN);
  assert_contains (error->message, "no disk given; add -a DISK");
}

/* ---- The controller database ---- */

static void
test_db_families (void)
{
  static const struct {
    const char *machine, *family;
  } rows[] = {
    { "pc", "i440fx" },
    { "pc-i440fx-7.2", "i440fx" },
    { "pc-i440fx-rhel7.6.0", "i440fx" },
    { "pc-1.2", "i440fx" },
    { "pc-0.15", "i440fx" },
    { "q35", "q35" },
    { "pc-q35-7.2", "q35" },
    { "pc-q35-rhel9.2.0", "q35" },
    { "PC", NULL },
    { "Q35", NULL },
    { "pc-q35", NULL },
    { "pc-i440fx", NULL },
    { "pc-", NULL },
    { "pc-x", NULL },
    { "xpc", NULL },
    { "pcq35", NULL },
    { "q35-7.2", NULL },
    { "isapc", NULL },
    { "microvm", NULL },
    { "virt", NULL },
    { "", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++) {
    g_autoptr (GError) error = NULL;
    const char *family =
      bootfix_controller_db_machine_family (db, rows[i].machine, &error);
    g_test_message ("machine '%s'", rows[i].machine);
    g_assert_cmpstr (family, ==, rows[i].family);
    if (rows[i].family == NULL) {
      g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_UNSUPPORTED);
      assert_contains (error->message, "unknown machine type");
    } else {
      g_assert_no_error (error);
    }
  }
}

typedef struct {
  const char *family, *bus, *model;
  const char *id, *pci; /* NULL id: an UNSUPPORTED error containing text */
  const char *text;
} ResolveCase;

static const ResolveCase resolve_cases[] = {
  { "i440fx", "ide", NULL, "piix3-ide", "8086:7010", NULL },
  { "i440fx", "ide", "piix3", "piix3-ide", "8086:7010", NULL },
  { "i440fx", "ide", "piix4", "piix4-ide", "8086:7111", NULL },
  { "i440fx", "ide", "ich6", NULL, NULL,
    "disk bus 'ide' with controller model 'ich6' on the i440fx machine is not "
    "supported: the ICH6 IDE controller is not emulated by QEMU" },
  { "q35", "ide", NULL, NULL, NULL,
    "disk bus 'ide' on the q35 machine is not supported: q35 has no IDE "
    "controller; use bus='sata' (ICH9 AHCI)" },
  { "q35", "ide", "piix3", NULL, NULL, "q35 has no IDE controller" },
  { "i440fx", "ide", "piix9", NULL, NULL,
    "no known controller for disk bus 'ide' with model 'piix9' on the i440fx "
    "machine (known models: 'piix3', 'piix4')" },
  { "i440fx", "sata", NULL, "ich9-ahci", "8086:2922", NULL },
  { "q35", "sata", NULL, "ich9-ahci", "8086:2922", NULL },
  { "q35", "virtio", NULL, "virtio-blk", "1af4:1001", NULL },
  { "i440fx", "virtio", "virtio", "virtio-blk", "1af4:1001", NULL },
  { "q35", "virtio", "virtio-transitional", "virtio-blk", "1af4:1001", NULL },
  { "q35", "virtio", "virtio-non-transitional", "virtio-blk", "1af4:1042",
    NULL },
  { "q35", "virtio", "lsilogic", NULL, NULL,
    "known models: 'virtio', 'virtio-transitional', 'virtio-non-transitional'" },
  { "i440fx", "scsi", NULL, "lsi53c895a", "1000:0012", NULL },
  { "i440fx", "scsi", "auto", "lsi53c895a", "1000:0012", NULL },
  { "q35", "scsi", "lsilogic", "lsi53c895a", "1000:0012", NULL },
  { "i440fx", "scsi", "lsisas1068", "lsisas1068", "1000:0054", NULL },
  { "i440fx", "scsi", "lsisas1078", "megasas", "1000:0060", NULL },
  { "i440fx", "scsi", "vmpvscsi", "pvscsi", "15ad:07c0", NULL },
  { "q35", "scsi", "virtio-scsi", "virtio-scsi", "1af4:1004", NULL },
  { "q35", "scsi", "virtio-transitional", "virtio-scsi", "1af4:1004", NULL },
  { "q35", "scsi", "virtio-non-transitional", "virtio-scsi", "1af4:1048",
    NULL },
  { "i440fx", "scsi", "ibmvscsi", NULL, NULL, "exists only on POWER" },
  { "i440fx", "scsi", "buslogic", NULL, NULL, "BusLogic" },
  { "i440fx", "scsi", "ncr53c90", NULL, NULL, "NCR 53C90" },
  { "i440fx", "scsi", "am53c974", NULL, NULL, "AMD 53C974" },
  { "i440fx", "scsi", "dc390", NULL, NULL, "Tekram DC-390" },
  { "i440fx", "scsi", "piix3", NULL, NULL,
    "no known controller for disk bus 'scsi' with model 'piix3'" },
  { "i440fx", "nvme", NULL, "nvme", "1b36:0010", NULL },
  { "q35", "nvme", NULL, "nvme", "1b36:0010", NULL },
  { "i440fx", "usb", NULL, "usb-storage", NULL, NULL },
  { "q35", "usb", "qemu-xhci", "usb-storage", NULL, NULL },
  { "i440fx", "sd", NULL, NULL, NULL, "SD card" },
  { "i440fx", "fdc", NULL, NULL, NULL, "floppy controller" },
  { "i440fx", "xen", NULL, NULL, NULL, "Xen paravirtual" },
  { "i440fx", "uml", NULL, NULL, NULL, "User-Mode Linux" },
  { "i440fx", "foo", NULL, NULL, NULL,
    "unknown disk bus 'foo' (known buses: 'ide', 'sata', 'virtio', 'scsi', "
    "'nvme', 'usb', 'sd', 'fdc', 'xen', 'uml')" },
};

static void
test_db_resolve (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (resolve_cases); i++) {
    const ResolveCase *c = &resolve_cases[i];
    g_autoptr (GError) error = NULL;
    const BootfixController *ctl =
      bootfix_controller_db_resolve (db, c->family, c->bus, c->model, &error);
    g_test_message ("%s/%s/%s", c->family, c->bus, c->model);
    if (c->id == NULL) {
      g_assert_null (ctl);
      g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_UNSUPPORTED);
      assert_contains (error->message, c->text);
      continue;
    }
    g_assert_no_error (error);
    g_assert_nonnull (ctl);
    g_assert_cmpstr (ctl->id, ==, c->id);
    g_assert_cmpstr (ctl->pci_id, ==, c->pci);
    g_assert_true (ctl->bootable == (c->pci != NULL));
  }
}

static void
test_db_lookup_list (void)
{
  static const char *const ids[] = {
    "piix3-ide", "piix4-ide", "ich9-ahci", "virtio-blk", "virtio-scsi",
    "lsi53c895a", "lsisas1068", "megasas", "pvscsi", "nvme", "usb-storage",
  };
  g_autoptr (GPtrArray) list = bootfix_controller_db_list (db);
  const BootfixController *c;

  g_assert_cmpuint (list->len, ==, G_N_ELEMENTS (ids));
  for (guint i = 0; i < list->len; i++) {
    g_assert_cmpstr (g_ptr_array_index (list, i), ==, ids[i]);
    c = bootfix_controller_db_lookup (db, ids[i]);
    g_assert_nonnull (c);
    g_assert_cmpstr (c->id, ==, ids[i]);
    g_assert_nonnull (c->description);
  }
  c = bootfix_controller_db_lookup (db, "virtio-scsi");
  g_assert_cmpuint (c->all_pci_ids->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (c->all_pci_ids, 0), ==, "1af4:1004");
  g_assert_cmpstr (g_ptr_array_index (c->all_pci_ids, 1), ==, "1af4:1048");
  c = bootfix_controller_db_lookup (db, "usb-storage");
  g_assert_false (c->bootable);
  g_assert_null (c->pci_id);
  g_assert_cmpuint (c->all_pci_ids->len, ==, 0);
  assert_contains (c->reason, "Windows does not boot from a USB disk");
  c = bootfix_controller_db_lookup (db, "piix3-ide");
  g_assert_true (c->bootable);
  g_assert_null (c->reason);
  g_assert_null (bootfix_controller_db_lookup (db, "lsi"));
}

/* A small database to test the glob matcher through the public API. */
static BootfixControllerDb *
load_db_text (const char *text, char **path_out, GError **error)
{
  g_autofree char *dir = g_dir_make_tmp ("bootfix-test-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "controllers.xml", NULL);

  g_assert_nonnull (dir);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  BootfixControllerDb *loaded = bootfix_controller_db_load (path, error);
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  if (path_out != NULL)
    *path_out = g_steal_pointer (&path);
  return loaded;
}

static void
test_db_globs (void)
{
  static const char text[] =
    "<controllers>\n"
    "  <machine family='a'><pattern glob='a?c'/></machine>\n"
    "  <machine family='b'><pattern glob='x[0-9a-f]y'/></machine>\n"
    "  <machine family='c'><pattern glob='p*q*r'/></machine>\n"
    "  <machine family='d'><pattern glob='*ab'/></machine>\n"
    "  <machine family='e'><pattern glob='m[a-c-]n'/></machine>\n"
    "  <machine family='f'><pattern glob='*z*'/></machine>\n"
    "</controllers>\n";
  static const struct {
    const char *machine, *family;
  } rows[] = {
    { "abc", "a" },  { "a.c", "a" },  { "ac", NULL },   { "abbc", NULL },
    { "x5y", "b" },  { "xfy", "b" },  { "xgy", NULL },  { "xFy", NULL },
    { "x55y", NULL }, { "pqr", "c" },  { "pxxqyyr", "c" }, { "prq", NULL },
    { "pqrx", NULL }, { "aab", "d" },  { "ab", "d" },   { "abb", NULL },
    { "mbn", "e" },  { "m-n", "e" },  { "mdn", NULL },  { "z", "f" },
    { "azb", "f" },  { "", NULL },    { "A", NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixControllerDb) small = load_db_text (text, NULL, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++) {
    g_autoptr (GError) e = NULL;
    g_test_message ("machine '%s'", rows[i].machine);
    g_assert_cmpstr (bootfix_controller_db_machine_family (
                       small, rows[i].machine, &e), ==, rows[i].family);
  }
}

typedef struct {
  const char *name;
  const char *text;
  int line;           /* expected "file:LINE: "; 0: just "file:" */
  const char *message;
} BadDbCase;

#define C_OK "  <controller id='a' description='A'><pci id='8086:7010'/>" \
             "<match bus='ide'/></controller>\n"

static const BadDbCase bad_db_cases[] = {
  { "duplicate-id",
    "<controllers>\n" C_OK
    "  <controller id='a' description='B'><pci id='8086:7011'/>"
    "<match bus='sata'/></controller>\n</controllers>\n",
    3, "controller id 'a' is defined twice" },
  { "missing-pci",
    "<controllers>\n  <controller id='a' description='A'>\n"
    "    <match bus='ide'/>\n  </controller>\n</controllers>\n",
    2, "controller 'a' has no <pci id>" },
  { "unknown-element",
    "<controllers>\n  <controller id='a' description='A'>\n"
    "    <pci id='8086:7010'/>\n    <matches bus='ide'/>\n"
    "  </controller>\n</controllers>\n",
    4, "unknown element <matches> in <controller>" },
  { "unknown-top-element",
    "<controllers>\n" C_OK "  <bus name='ide'/>\n</controllers>\n",
    3, "unknown element <bus> in <controllers>" },
  { "malformed",
    "<controllers>\n" C_OK "  <controller id='b'\n</controllers>\n",
    4, "" },
  { "unknown-attribute",
    "<controllers>\n  <controller id='a' description='A' vendor='x'>"
    "<pci id='8086:7010'/><match bus='ide'/></controller>\n</controllers>\n",
    2, "<controller> has an unknown attribute 'vendor'" },
  { "bad-pci",
    "<controllers>\n  <controller id='a' description='A'>"
    "<pci id='8086:70g0'/><match bus='ide'/></controller>\n</controllers>\n",
    2, "<pci id='8086:70g0'>: expected a PCI id" },
  { "upper-case-pci",
    "<controllers>\n  <controller id='a' description='A'>"
    "<pci id='8086:701A'/><match bus='ide'/></controller>\n</controllers>\n",
    2, "expected a PCI id like 8086:7010 (lower-case hex)" },
  { "duplicate-pci",
    "<controllers>\n  <controller id='a' description='A'>\n"
    "    <pci id='8086:7010'/>\n    <pci id='8086:7010'/>\n"
    "    <match bus='ide'/></controller>\n</controllers>\n",
    4, "lists PCI id 8086:7010 twice" },
  { "match-pci-not-listed",
    "<controllers>\n  <controller id='a' description='A'>\n"
    "    <pci id='8086:7010'/>\n    <match bus='ide' pci='8086:7011'/>\n"
    "  </controller>\n</controllers>\n",
    4, "<match pci='8086:7011'> is not one of the <pci> ids of controller 'a'" },
  { "unknown-family",
    "<controllers>\n  <controller id='a' description='A'>\n"
    "    <pci id='8086:7010'/>\n    <match bus='ide' machine='q99'/>\n"
    "  </controller>\n</controllers>\n",
    4, "unknown machine family 'q99'" },
  { "duplicate-match",
    "<controllers>\n" C_OK
    "  <controller id='b' description='B'><pci id='8086:7011'/>\n"
    "    <match bus='ide'/></controller>\n</controllers>\n",
    4, "already matched at line 2" },
  { "duplicate-family",
    "<controllers>\n  <machine family='pc'><pattern glob='pc'/></machine>\n"
    "  <machine family='pc'><pattern glob='pc-*'/></machine>\n"
    "</controllers>\n",
    3, "machine family 'pc' is defined twice" },
  { "no-pattern",
    "<controllers>\n  <machine family='pc'>\n  </machine>\n</controllers>\n",
    2, "machine family 'pc' has no <pattern>" },
  { "bad-glob",
    "<controllers>\n  <machine family='pc'>\n"
    "    <pattern glob='pc-[0-9'/>\n  </machine>\n</controllers>\n",
    3, "<pattern glob='pc-[0-9'>: expected a pattern" },
  { "model-and-default",
    "<controllers>\n  <controller id='a' description='A'>"
    "<pci id='8086:7010'/>\n    <match bus='ide' model='x' default='yes'/>"
    "</controller>\n</controllers>\n",
    3, "<match> cannot have both model and default='yes'" },
  { "default-no",
    "<controllers>\n  <controller id='a' description='A'>"
    "<pci id='8086:7010'/>\n    <match bus='ide' default='no'/>"
    "</controller>\n</controllers>\n",
    3, "<match default='no'>: expected 'yes'" },
  { "not-bootable-without-reason",
    "<controllers>\n  <controller id='u' description='U' bootable='no'>"
    "<match bus='usb'/></controller>\n</controllers>\n",
    2, "controller 'u' has bootable='no' but no reason" },
  { "reason-on-bootable",
    "<controllers>\n  <controller id='a' description='A' reason='r'>"
    "<pci id='8086:7010'/><match bus='ide'/></controller>\n</controllers>\n",
    2, "a reason is only for bootable='no'" },
  { "unsupported-without-reason",
    "<controllers>\n\n  <unsupported bus='ide' machine='q35'/>\n"
    "</controllers>\n",
    3, "<unsupported> needs the attribute 'reason'" },
  { "missing-description",
    "<controllers>\n  <controller id='a'><pci id='8086:7010'/>"
    "<match bus='ide'/></controller>\n</controllers>\n",
    2, "<controller> needs the attribute 'description'" },
  { "upper-case-id",
    "<controllers>\n  <controller id='PIIX3' description='A'>"
    "<pci id='8086:7010'/><match bus='ide'/></controller>\n</controllers>\n",
    2, "<controller id='PIIX3'>: expected lower-case letters" },
  { "no-match",
    "<controllers>\n  <controller id='a' description='A'>"
    "<pci id='8086:7010'/></controller>\n</controllers>\n",
    2, "controller 'a' has no <match>" },
  { "text-content",
    "<controllers>\n  <controller id='a' description='A'>piix3"
    "<pci id='8086:7010'/><match bus='ide'/></controller>\n</controllers>\n",
    2, "<controller> may not contain text" },
  { "child-in-empty",
    "<controllers>\n  <controller id='a' description='A'>\n"
    "    <pci id='8086:7010'><x/></pci><match bus='ide'/></controller>\n"
    "</controllers>\n",
    3, "<pci> may not contain <x>" },
  { "wrong-root",
    "<rules>\n</rules>\n", 1,
    "the root element is <rules>, expected <controllers>" },
  { "doctype",
    "<?xml version='1.0'?>\n<!DOCTYPE controllers [\n"
    "  <!ENTITY e SYSTEM '/etc/passwd'>\n]>\n<controllers/>\n",
    0, "a DOCTYPE declaration is not allowed" },
};

static void
test_db_bad (gconstpointer data)
{
  const BadDbCase *c = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr (BootfixControllerDb) bad = load_db_text (c->text, &path, &error);

  g_assert_null (bad);
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_INVALID_DATA);
  g_test_message ("%s", error->message);
  g_autofree char *prefix = c->line > 0
    ? g_strdup_printf ("%s:%d: ", path, c->line)
    : g_strdup_printf ("%s:", path);
  g_assert_true (g_str_has_prefix (error->message, prefix));
  assert_contains (error->message, c->message);
}

static void
test_db_missing_file (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixControllerDb) none =
    bootfix_controller_db_load ("/nonexistent/controllers.xml", &error);

  g_assert_null (none);
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED);
  assert_contains (error->message, "/nonexistent/controllers.xml");
}

/* ---- main ---- */

static void
add_table_tests (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (domain_cases); i++) {
    g_autofree char *p = g_strdup_printf ("/domain/file/%s",
                                          domain_cases[i].file);
    g_test_add_data_func (p, &domain_cases[i], test_domain_file);
  }
  for (guint i = 0; i < G_N_ELEMENTS (fixture_cases); i++) {
    g_autofree char *p = g_strdup_printf ("/domain/libvirt-fixture/%s",
                                          fixture_cases[i].file);
    g_test_add_data_func (p, &fixture_cases[i], test_fixture_file);
  }
  for (guint i = 0; i < G_N_ELEMENTS (args_cases); i++) {
    g_autofree char *p = g_strdup_printf ("/domain/args/%u-%s-%s", i,
                                          args_cases[i].machine,
                                          args_cases[i].bus);
    g_strdelimit (p, "\n", '_');
    g_test_add_data_func (p, &args_cases[i], test_args_case);
  }
  for (guint i = 0; i < G_N_ELEMENTS (bad_db_cases); i++) {
    g_autofree char *p = g_strdup_printf ("/controllers/bad/%s",
                                          bad_db_cases[i].name);
    g_test_add_data_func (p, &bad_db_cases[i], test_db_bad);
  }
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  path = g_build_filename (bootfix_data_dir (), "controllers.xml", NULL);
  db = bootfix_controller_db_load (path, &error);
  g_assert_no_error (error);

  add_table_tests ();
  g_test_add_func ("/domain/files-all-listed", test_domain_files_all_listed);
  g_test_add_func ("/domain/fields", test_domain_fields);
  g_test_add_func ("/domain/firmware", test_domain_firmware);
  g_test_add_func ("/domain/arch-and-machine", test_domain_arch);
  g_test_add_func ("/domain/relative-source", test_domain_relative_source);
  g_test_add_func ("/domain/backing-file", test_domain_backing_file);
  g_test_add_func ("/domain/backing-chain", test_domain_backing_chain);
  g_test_add_func ("/domain/backing-depth", test_domain_backing_depth);
  g_test_add_func ("/domain/parse-memory", test_domain_parse_memory);
  g_test_add_func ("/domain/names", test_domain_names);
  g_test_add_func ("/domain/boot-order", test_domain_boot_order);
  g_test_add_func ("/domain/controller-indexes",
                   test_domain_controller_indexes);
  g_test_add_func ("/domain/virtio-ids", test_domain_virtio_ids);
  g_test_add_func ("/domain/no-entity-read", test_domain_no_entity_read);
  g_test_add_func ("/domain/too-large", test_domain_too_large);
  g_test_add_func ("/domain/missing-file", test_domain_missing_file);
  g_test_add_func ("/domain/libvirt-fixture/all-listed",
                   test_fixtures_all_listed);
  g_test_add_func ("/domain/libvirt-fixture/scsi-models",
                   test_fixture_scsi_models);
  g_test_add_func ("/domain/libvirt-fixture/ide-on-q35",
                   test_fixture_ide_on_q35);
  g_test_add_func ("/domain/args/fields", test_args_fields);
  g_test_add_func ("/domain/args/virtio-names", test_args_virtio_names);
  g_test_add_func ("/controllers/families", test_db_families);
  g_test_add_func ("/controllers/resolve", test_db_resolve);
  g_test_add_func ("/controllers/lookup-list", test_db_lookup_list);
  g_test_add_func ("/controllers/globs", test_db_globs);
  g_test_add_func ("/controllers/missing-file", test_db_missing_file);

  ret = g_test_run ();
  bootfix_controller_db_free (db);
  return ret;
}
