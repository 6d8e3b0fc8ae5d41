/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests for the domain XML --output writes (domain-xml.c): the user's
 * domain pointed at new images, and a domain made from -a's arguments.
 * Each result is read back with the domain reader; virt-xml-validate
 * checks it against libvirt's schema where that tool is installed. */
#include "config.h"

#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "bootfix-error.h"
#include "controllers.h"
#include "domain.h"
#include "domain-xml.h"

static BootfixControllerDb *db;

static void
assert_contains (const char *haystack, const char *needle)
{
  if (strstr (haystack, needle) == NULL) {
    g_test_message ("expected \"%s\" in \"%s\"", needle, haystack);
    g_assert_not_reached ();
  }
}

static void
assert_lacks (const char *haystack, const char *needle)
{
  if (strstr (haystack, needle) != NULL) {
    g_test_message ("did not expect \"%s\" in \"%s\"", needle, haystack);
    g_assert_not_reached ();
  }
}

static BootfixDomain *
parse (const char *xml)
{
  g_autoptr (GError) error = NULL;
  BootfixDomain *d = bootfix_domain_parse (xml, strlen (xml), "test.xml",
                                           "/images", db, &error);
  g_assert_no_error (error);
  return d;
}

static const BootfixDisk *
disk (const BootfixDomain *d, guint i)
{
  g_assert_cmpuint (i, <, d->disks->len);
  return g_ptr_array_index (d->disks, i);
}

/* libvirt's own schema, when its validator is here. */
static void
validate (const char *xml)
{
  g_test_message ("%s", xml);
  g_autofree char *tool = g_find_program_in_path ("virt-xml-validate");
  if (tool == NULL) {
    g_test_message ("virt-xml-validate not installed: schema not checked");
    return;
  }
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("bootfix-domain-XXXXXX.xml", &path, NULL);
  g_assert_cmpint (fd, >=, 0);
  close (fd);
  g_assert_true (g_file_set_contents (path, xml, -1, NULL));
  const char *argv[] = { tool, path, "domain", NULL };
  g_autofree char *out = NULL, *err = NULL;
  int status = 0;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, 0, NULL, NULL,
                               &out, &err, &status, NULL));
  if (!g_spawn_check_wait_status (status, NULL))
    g_test_message ("virt-xml-validate: %s%s\n%s", out, err, xml);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_unlink (path);
}

/* Two disks (relative and absolute sources), a CD-ROM and a LUN that
 * stay as they are, a <backingStore/>, a disk without <driver>. */
static const char two_disks[] =
  "<!-- the user's own comment -->\n"
  "<domain type='kvm'>\n"
  "  <name>w7</name>\n"
  "  <uuid>8a2e8f0c-1111-4c2b-9e37-2f5b1c4d6e7f</uuid>\n"
  "  <memory unit='MiB'>2048</memory>\n"
  "  <os>\n"
  "    <type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type>\n"
  "  </os>\n"
  "  <devices>\n"
  "    <disk type='file' device='disk'>\n"
  "      <driver name='qemu' type='raw' cache='none'/>\n"
  "      <source file='w7.img'/>\n"
  "      <backingStore/>\n"
  "      <target dev='hda' bus='ide'/>\n"
  "      <boot order='1'/>\n"
  "    </disk>\n"
  "    <disk type='file' device='cdrom'>\n"
  "      <source file='/isos/virtio-win.iso'/>\n"
  "      <target dev='hdc' bus='ide'/>\n"
  "      <readonly/>\n"
  "    </disk>\n"
  "    <disk type='block' device='lun'>\n"
  "      <source dev='/dev/sdz'/>\n"
  "      <target dev='sdb' bus='scsi'/>\n"
  "    </disk>\n"
  "    <disk device='disk'>\n"
  "      <source file='/data/w7-data.img'/>\n"
  "      <target dev='hdb' bus='ide'/>\n"
  "    </disk>\n"
  "  </devices>\n"
  "</domain>\n";

static void
test_rewrite_every_disk (void)
{
  g_autoptr (BootfixDomain) before = parse (two_disks);
  g_assert_cmpstr (disk (before, 0)->source, ==, "/images/w7.img");
  const BootfixDiskImage images[] = {
    { "hda", "/out/w7-hda.qcow2", "qcow2", NULL },
    { "hdb", "/out/w7-hdb.qcow2", "qcow2", NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autofree char *xml = bootfix_domain_xml_with_images (before, images, 2,
                                                         NULL, &error);
  g_assert_no_error (error);
  g_autoptr (BootfixDomain) after = parse (xml);
  g_assert_cmpuint (after->disks->len, ==, 2);
  for (guint i = 0; i < 2; i++) {
    g_assert_cmpstr (disk (after, i)->source, ==, images[i].file);
    g_assert_cmpstr (disk (after, i)->format, ==, "qcow2");
    g_assert_cmpstr (disk (after, i)->source_type, ==, "file");
  }
  g_assert_cmpint (disk (after, 0)->boot_order, ==, 1);
  /* Everything else as it was. */
  assert_contains (xml, "<!-- the user's own comment -->");
  assert_contains (xml, "<uuid>8a2e8f0c-1111-4c2b-9e37-2f5b1c4d6e7f</uuid>");
  assert_contains (xml, "cache=\"none\"");
  assert_contains (xml, "<source file=\"/isos/virtio-win.iso\"/>");
  assert_contains (xml, "<source dev=\"/dev/sdz\"/>");
  assert_contains (xml, "<driver name=\"qemu\" type=\"qcow2\"/>");
  assert_lacks (xml, "backingStore");
  assert_lacks (xml, "<?xml");
  assert_lacks (xml, "w7.img");
  g_assert_cmpstr (after->name, ==, "w7");
  g_assert_cmpstr (after->machine, ==, "pc-i440fx-7.2");
  validate (xml);
}

/* A chain of BootfixBackingStore from (path, format, block) triples. */
static GPtrArray *
chain_of (const BootfixBackingStore *layers, guint n)
{
  GPtrArray *chain =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_backing_store_free);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (chain, bootfix_backing_store_new (layers[i].path, layers[i].format,
                                                       layers[i].block));
  return chain;
}

static void
assert_same_chain (const GPtrArray *got, const GPtrArray *want)
{
  g_assert_nonnull (got);
  g_assert_cmpuint (got->len, ==, want->len);
  for (guint i = 0; i < want->len; i++) {
    const BootfixBackingStore *a = g_ptr_array_index (got, i);
    const BootfixBackingStore *b = g_ptr_array_index (want, i);
    g_assert_cmpstr (a->path, ==, b->path);
    g_assert_cmpstr (a->format, ==, b->format);
    g_assert_cmpint (a->block, ==, b->block);
  }
}

static guint
count (const char *haystack, const char *needle)
{
  guint n = 0;
  for (const char *p = strstr (haystack, needle); p; p = strstr (p + 1, needle))
    n++;
  return n;
}

/* An overlay's NAME.xml declares what it is backed by: the old
 * <backingStore/> goes, each disk gets its chain (a block device as
 * type='block'), ended by an empty element, indented like the file;
 * the domain reader reads the same chain back. */
static void
test_rewrite_backing_chain (void)
{
  static const BootfixBackingStore hda_layers[] = {
    { (char *) "/images/w7.qcow2", (char *) "qcow2", FALSE },
    { (char *) "/images/base/w7 & 'old'.img", (char *) "raw", FALSE },
  };
  static const BootfixBackingStore hdb_layers[] = {
    { (char *) "/dev/vg0/data", (char *) "raw", TRUE },
  };
  g_autoptr (GPtrArray) hda = chain_of (hda_layers, G_N_ELEMENTS (hda_layers));
  g_autoptr (GPtrArray) hdb = chain_of (hdb_layers, G_N_ELEMENTS (hdb_layers));
  const BootfixDiskImage images[] = {
    { "hda", "/out/w7-hda.qcow2", "qcow2", hda },
    { "hdb", "/out/w7-hdb.qcow2", "qcow2", hdb },
  };
  g_autoptr (GError) error = NULL;
  g_autofree char *xml = bootfix_domain_xml_rewrite_disks (
    two_disks, strlen (two_disks), "w7", images, 2, NULL, &error);
  g_assert_no_error (error);
  g_autoptr (BootfixDomain) after = parse (xml);
  assert_same_chain (disk (after, 0)->backing, hda);
  assert_same_chain (disk (after, 1)->backing, hdb);
  g_assert_cmpuint (count (xml, "<backingStore"), ==, 5);
  g_assert_cmpuint (count (xml, "<backingStore/>"), ==, 2);
  assert_contains (xml,
    "      <source file=\"/out/w7-hda.qcow2\"/>\n"
    "      <backingStore type=\"file\">\n"
    "        <format type=\"qcow2\"/>\n"
    "        <source file=\"/images/w7.qcow2\"/>\n"
    "        <backingStore type=\"file\">\n"
    "          <format type=\"raw\"/>\n"
    "          <source file=\"/images/base/w7 &amp; 'old'.img\"/>\n"
    "          <backingStore/>\n"
    "        </backingStore>\n"
    "      </backingStore>\n"
    "      <target dev=\"hda\" bus=\"ide\"/>\n");
  assert_contains (xml, "<backingStore type=\"block\">");
  assert_contains (xml, "<source dev=\"/dev/vg0/data\"/>");
  validate (xml);

  /* On one line, the chain stays on it. */
  static const char flat[] =
    "<domain type='kvm'><name>f</name><memory>1048576</memory>"
    "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>"
    "<disk type='file' device='disk'><source file='/images/f.img'/>"
    "<backingStore type='file'><format type='qcow2'/><source file='/old'/>"
    "<backingStore/></backingStore><target dev='hda' bus='ide'/></disk>"
    "</devices></domain>";
  const BootfixDiskImage image = { "hda", "/out/f-hda.qcow2", "qcow2", hdb };
  g_autofree char *out = bootfix_domain_xml_rewrite_disks (flat, strlen (flat), "f",
                                                          &image, 1, NULL, &error);
  g_assert_no_error (error);
  assert_contains (out, "<source file=\"/out/f-hda.qcow2\"/><backingStore type=\"block\">"
                        "<format type=\"raw\"/><source dev=\"/dev/vg0/data\"/>"
                        "<backingStore/></backingStore><target");
  assert_lacks (out, "/old");
  validate (out);
}

/* A block disk becomes a file; a raw standalone copy says raw. */
static void
test_rewrite_block_disk (void)
{
  static const char xml[] =
    "<domain type='kvm'><name>b</name><memory>1048576</memory>"
    "<os><type arch='x86_64' machine='q35'>hvm</type></os><devices>"
    "<disk type='block' device='disk'><driver name='qemu' type='raw'/>"
    "<source dev='/dev/vg0/b'><seclabel model='dac' relabel='no'/></source>"
    "<target dev='sda' bus='sata'/></disk></devices></domain>";
  const BootfixDiskImage image = { "sda", "/out/b-sda.raw", "raw", NULL };
  g_autoptr (GError) error = NULL;
  g_autofree char *out = bootfix_domain_xml_rewrite_disks (xml, strlen (xml), "b",
                                                          &image, 1, NULL, &error);
  g_assert_no_error (error);
  assert_contains (out, "<disk type=\"file\" device=\"disk\">");
  assert_contains (out, "<source file=\"/out/b-sda.raw\"/>");
  assert_contains (out, "<driver name=\"qemu\" type=\"raw\"/>");
  assert_lacks (out, "/dev/vg0/b");
  assert_lacks (out, "seclabel");
  validate (out);
}

/* A disk with no <source> at all (libvirt's empty drive) gets one. */
static void
test_rewrite_no_source (void)
{
  static const char xml[] =
    "<domain type='kvm'><name>e</name><memory>1048576</memory>"
    "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>\n"
    "  <disk type='file' device='disk'>\n"
    "    <target dev='hda' bus='ide'/>\n"
    "  </disk>\n"
    "</devices></domain>";
  const BootfixDiskImage image = { "hda", "/out/e-hda.qcow2", "qcow2", NULL };
  g_autoptr (GError) error = NULL;
  g_autofree char *out = bootfix_domain_xml_rewrite_disks (xml, strlen (xml), "e",
                                                          &image, 1, NULL, &error);
  g_assert_no_error (error);
  g_autoptr (BootfixDomain) after = parse (out);
  g_assert_cmpstr (disk (after, 0)->source, ==, "/out/e-hda.qcow2");
  g_assert_cmpstr (disk (after, 0)->format, ==, "qcow2");
  validate (out);
}

/* The document must hold the disks that were fixed, in that order. */
static void
test_rewrite_mismatch (void)
{
  const BootfixDiskImage images[] = {
    { "hda", "/out/a.qcow2", "qcow2", NULL },
    { "hdb", "/out/b.qcow2", "qcow2", NULL },
    { "hdc", "/out/c.qcow2", "qcow2", NULL },
  };
  const BootfixDiskImage swapped[] = {
    { "hdb", "/out/b.qcow2", "qcow2", NULL },
    { "hda", "/out/a.qcow2", "qcow2", NULL },
  };
  struct { const BootfixDiskImage *images; guint n; const char *says; } cases[] = {
    { images, 1, "more disks than were fixed" },
    { images, 3, "has 2 disks, but 3 were fixed" },
    { swapped, 2, "hda, not hdb" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GError) error = NULL;
    g_autofree char *out = bootfix_domain_xml_rewrite_disks (
      two_disks, strlen (two_disks), "w7", cases[i].images, cases[i].n, NULL,
      &error);
    g_assert_null (out);
    g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_INVALID_DOMAIN);
    assert_contains (error->message, cases[i].says);
  }
}

/* The rewrite parses with the same locked-down context as the reader. */
static void
test_rewrite_hostile (void)
{
  static const char xml[] =
    "<!DOCTYPE domain [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
    "<domain><name>&x;</name><devices><disk device='disk'>"
    "<target dev='hda' bus='ide'/></disk></devices></domain>";
  const BootfixDiskImage image = { "hda", "/out/a.qcow2", "qcow2", NULL };
  g_autoptr (GError) error = NULL;
  g_autofree char *out = bootfix_domain_xml_rewrite_disks (xml, strlen (xml), "h",
                                                          &image, 1, NULL, &error);
  g_assert_null (out);
  g_assert_nonnull (error);
}

/* --output gives a domain the firmware its disk needs, both ways: the
 * old firmware's files go; a domain already right is left as it was. */
static void
test_rewrite_firmware (void)
{
  static const char bios[] =
    "<domain type='kvm'><name>f</name><memory>1048576</memory>"
    "<os><type arch='x86_64' machine='q35'>hvm</type><boot dev='hd'/></os>"
    "<devices><disk type='file' device='disk'><driver name='qemu' "
    "type='raw'/><source file='/images/f.img'/><target dev='sda' "
    "bus='sata'/></disk></devices></domain>";
  static const char efi[] =
    "<domain type='kvm'><name>f</name><memory>1048576</memory>"
    "<os firmware='efi'><type arch='x86_64' machine='q35'>hvm</type>"
    "<loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE.fd"
    "</loader><nvram>/var/lib/libvirt/qemu/nvram/f_VARS.fd</nvram>"
    "<boot dev='hd'/></os><devices><disk type='file' device='disk'>"
    "<driver name='qemu' type='raw'/><source file='/images/f.img'/>"
    "<target dev='sda' bus='sata'/></disk></devices></domain>";
  const BootfixDiskImage image = { "sda", "/out/f-sda.qcow2", "qcow2", NULL };
  const struct {
    const char *xml, *set, *want;
  } cases[] = {
    { bios, "efi", "efi" }, { efi, "bios", "bios" },
    { bios, NULL, "bios" }, { efi, NULL, "efi" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GError) error = NULL;
    g_autofree char *out = bootfix_domain_xml_rewrite_disks (
      cases[i].xml, strlen (cases[i].xml), "f", &image, 1, cases[i].set,
      &error);
    g_assert_no_error (error);
    g_autoptr (BootfixDomain) after = parse (out);
    g_assert_cmpstr (after->firmware, ==, cases[i].want);
    if (cases[i].set)
      assert_lacks (out, "OVMF");
    assert_contains (out, "<boot dev=\"hd\"/>");
    validate (out);
  }
  static const char no_os[] =
    "<domain type='kvm'><name>f</name><devices><disk type='file' "
    "device='disk'><target dev='sda' bus='sata'/></disk></devices></domain>";
  g_autoptr (GError) error = NULL;
  g_assert_null (bootfix_domain_xml_rewrite_disks (no_os, strlen (no_os), "f",
                                                   &image, 1, "efi", &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_INVALID_DOMAIN);
}

/* -a: what the arguments said, the rest stated in a comment. */
static void
test_from_args (void)
{
  const char *disks[] = { "/images/a&b.img", "/images/data.img", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixDomain) dom = bootfix_domain_new_from_disks (
    disks, "q35", "scsi", "lsisas1068", db, &error);
  g_assert_no_error (error);
  g_assert_null (dom->xml);
  static const BootfixBackingStore layers[] = {
    { (char *) "/images/a&b.img", (char *) "raw", FALSE },
  };
  g_autoptr (GPtrArray) backing = chain_of (layers, 1);
  const BootfixDiskImage images[] = {
    { "sda", "/out/a&b-sda.qcow2", "qcow2", backing },
    { "sdb", "/out/a&b-sdb.qcow2", "qcow2", NULL },
  };
  for (guint efi = 0; efi < 2; efi++) {
    g_autofree char *xml = bootfix_domain_xml_with_images (
      dom, images, 2, efi ? "efi" : "bios", &error);
    g_assert_no_error (error);
    g_autoptr (BootfixDomain) back = parse (xml);
    g_assert_cmpstr (back->name, ==, "a&b");
    g_assert_cmpstr (back->machine, ==, "q35");
    g_assert_cmpstr (back->bus, ==, "scsi");
    g_assert_cmpstr (back->controller->id, ==, dom->controller->id);
    g_assert_cmpuint (back->disks->len, ==, 2);
    for (guint i = 0; i < 2; i++) {
      g_assert_cmpstr (disk (back, i)->source, ==, images[i].file);
      g_assert_cmpstr (disk (back, i)->format, ==, "qcow2");
    }
    assert_same_chain (disk (back, 0)->backing, backing);
    g_assert_cmpuint (disk (back, 1)->backing->len, ==, 0);
    g_assert_cmpstr (back->firmware, ==, efi ? "efi" : "bios");
    assert_contains (xml, "Check them before you boot");
    validate (xml);
  }
  g_assert_null (bootfix_domain_xml_from_args (dom, images, 1, NULL, &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_INVALID_DOMAIN);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_autofree char *path = g_build_filename (g_getenv ("BOOTFIX_DATADIR"),
                                            "controllers.xml", NULL);
  g_autoptr (GError) error = NULL;
  db = bootfix_controller_db_load (path, &error);
  g_assert_no_error (error);
  g_test_add_func ("/domain-xml/rewrite/every-disk", test_rewrite_every_disk);
  g_test_add_func ("/domain-xml/rewrite/backing-chain", test_rewrite_backing_chain);
  g_test_add_func ("/domain-xml/rewrite/block-disk", test_rewrite_block_disk);
  g_test_add_func ("/domain-xml/rewrite/no-source", test_rewrite_no_source);
  g_test_add_func ("/domain-xml/rewrite/mismatch", test_rewrite_mismatch);
  g_test_add_func ("/domain-xml/rewrite/hostile", test_rewrite_hostile);
  g_test_add_func ("/domain-xml/rewrite/firmware", test_rewrite_firmware);
  g_test_add_func ("/domain-xml/from-args", test_from_args);
  int r = g_test_run ();
  bootfix_controller_db_free (db);
  return r;
}
