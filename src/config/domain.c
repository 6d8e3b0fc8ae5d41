/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The domain reader: a libvirt domain XML (or -a arguments) -> which
 * disk the guest boots from and which emulated controller it sits on.
 * Controller facts come from the controller database; this file knows
 * only libvirt's XML shape.  Every value in the XML may be hostile. */
#include "config.h"

#include <stdarg.h>
#include <string.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "domain.h"
#include "bootfix-error.h"
#include "domain-xml.h"
#include "xml-util.h"

/* Bounds on hostile input.  No real guest comes near them; they keep
 * loops and index bookkeeping small and integers far from overflow. */
#define MAX_DISKS 1024
#define MAX_CONTROLLERS 1024
#define MAX_DEVICES 16384
#define MAX_INDEX 65535
#define MAX_BOOT_ORDER 65535
#define MAX_NAME_LEN 255
#define MAX_TOKEN_LEN 64
#define MAX_TARGET_LEN 32
/* libvirt turns the letters of a target name (hda, sdaa) into an int
 * index; longer runs overflow it and libvirt rejects the name. */
#define MAX_TARGET_LETTERS 9
#define MAX_PATH_LEN 4096
#define READ_CHUNK 65536

typedef struct {
  const char *what;     /* file name, for messages */
  const char *base_dir; /* for relative source paths, may be NULL */
  const BootfixControllerDb *db;
  BootfixDomain *d;
  gboolean os_boot;     /* <os><boot dev=...> present */
  guint n_boot_orders;  /* devices with <boot order=...> */
  guint n_other_disks;  /* cdrom, floppy */
  guint n_luns;
} Reader;

BootfixBackingStore *
bootfix_backing_store_new (const char *path, const char *format,
                           gboolean block)
{
  BootfixBackingStore *b = g_new0 (BootfixBackingStore, 1);
  b->path = g_strdup (path);
  b->format = g_strdup (format);
  b->block = block;
  return b;
}

void
bootfix_backing_store_free (BootfixBackingStore *b)
{
  if (b == NULL)
    return;
  g_free (b->path);
  g_free (b->format);
  g_free (b);
}

static void
disk_free (BootfixDisk *disk)
{
  g_clear_pointer (&disk->backing, g_ptr_array_unref);
  g_free (disk->target_dev);
  g_free (disk->bus);
  g_free (disk->source);
  g_free (disk->source_type);
  g_free (disk->pool);
  g_free (disk->volume);
  g_free (disk->format);
  g_free (disk->model);
  g_free (disk);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixDisk, disk_free)

static void
domain_controller_free (BootfixDomainController *c)
{
  g_free (c->type);
  g_free (c->model);
  g_free (c);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixDomainController, domain_controller_free)

void
bootfix_domain_free (BootfixDomain *d)
{
  if (d == NULL)
    return;
  g_free (d->name);
  g_free (d->machine);
  g_free (d->machine_family);
  g_free (d->arch);
  g_free (d->firmware);
  g_ptr_array_unref (d->disks);
  g_ptr_array_unref (d->controllers);
  g_free (d->bus);
  g_free (d->controller_model);
  g_ptr_array_unref (d->warnings);
  g_clear_pointer (&d->xml, g_bytes_unref);
  g_free (d);
}

static BootfixDomain *
domain_new (void)
{
  BootfixDomain *d = g_new0 (BootfixDomain, 1);
  d->disks = g_ptr_array_new_with_free_func ((GDestroyNotify) disk_free);
  d->controllers =
    g_ptr_array_new_with_free_func ((GDestroyNotify) domain_controller_free);
  d->warnings = g_ptr_array_new_with_free_func (g_free);
  return d;
}

/* ---- Messages: "FILE: guest 'NAME': what is wrong; what to do" ---- */

static char *
message_prefix (const Reader *r)
{
  if (r->d->name != NULL)
    return g_strdup_printf (_("%s: guest '%s': "), r->what, r->d->name);
  return g_strdup_printf ("%s: ", r->what);
}

static gboolean G_GNUC_PRINTF (4, 5)
fail (const Reader *r, GError **error, BootfixError code, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_autofree char *prefix = message_prefix (r);
  g_set_error (error, BOOTFIX_ERROR, code, "%s%s", prefix, msg);
  return FALSE;
}

static void G_GNUC_PRINTF (2, 3)
warn (const Reader *r, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_ptr_array_add (r->d->warnings, g_strdup_vprintf (fmt, ap));
  va_end (ap);
}

/* ---- Small readers for hostile values ---- */

/* Names libvirt uses for buses, models, types, machines: short ASCII.
 * Checking them first also keeps odd bytes out of our messages. */
static gboolean
token_valid (const char *v)
{
  size_t len = strlen (v);
  if (len == 0 || len > MAX_TOKEN_LEN)
    return FALSE;
  for (const char *p = v; *p != '\0'; p++) {
    if (!g_ascii_isalnum (*p) && strchr ("._-", *p) == NULL)
      return FALSE;
  }
  return TRUE;
}

/* Attribute `attr` of node as a checked token; NULL when absent. */
static gboolean
get_token (const Reader *r, xmlNode *node, const char *attr, char **out,
           GError **error)
{
  g_autofree char *v = bootfix_xml_get_attr (node, attr);

  if (v != NULL && !token_valid (v))
    return fail (r, error, BOOTFIX_ERROR_INVALID_DOMAIN,
                 _("<%s %s='...'> is not a valid value (at most %d letters, "
                   "digits, '.', '_' or '-'); fix the XML"),
                 (const char *) node->name, attr, MAX_TOKEN_LEN);
  *out = g_steal_pointer (&v);
  return TRUE;
}

/* A bounded non-negative integer attribute; `dflt` when absent. */
static gboolean
get_int (const Reader *r, xmlNode *node, const char *attr, int min, int max,
         int dflt, int *out, GError **error)
{
  g_autofree char *v = bootfix_xml_get_attr (node, attr);
  guint64 n = 0;

  if (v == NULL) {
    *out = dflt;
    return TRUE;
  }
  if (!g_ascii_string_to_unsigned (v, 10, min, max, &n, NULL))
    return fail (r, error, BOOTFIX_ERROR_INVALID_DOMAIN,
                 _("<%s %s='...'> must be a whole number from %d to %d; fix "
                   "the XML"), (const char *) node->name, attr, min, max);
  *out = (int) n;
  return TRUE;
}

/* A guest name we can print and use in file names; libvirt's pool and
 * volume names (a dir pool's volume is a file name in it) alike. */
static gboolean
guest_name_valid (const char *name)
{
  size_t len = strlen (name);
  if (len == 0 || len > MAX_NAME_LEN || strchr (name, '/') != NULL)
    return FALSE;
  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p)) {
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return FALSE;
  }
  return g_utf8_validate (name, -1, NULL);
}

/* "hda", "sdab", "vdc", "nvme0n1": lower-case letters then letters or
 * digits, with a letter run libvirt can turn into an index. */
static gboolean
target_dev_valid (const char *dev)
{
  size_t len = strlen (dev);
  size_t letters = strspn (dev, "abcdefghijklmnopqrstuvwxyz");

  if (len == 0 || len > MAX_TARGET_LEN || letters == 0 ||
      letters > MAX_TARGET_LETTERS)
    return FALSE;
  return strspn (dev, "abcdefghijklmnopqrstuvwxyz0123456789") == len;
}

/* ---- <domain>, <name>, <os> ---- */

static gboolean
read_domain_type (const Reader *r, xmlNode *root, GError **error)
{
  g_autofree char *type = NULL;

  if (!get_token (r, root, "type", &type, error))
    return FALSE;
  if (type != NULL && !g_str_equal (type, "kvm") && !g_str_equal (type, "qemu"))
    return fail (r, error, BOOTFIX_ERROR_UNSUPPORTED,
                 _("<domain type='%s'> is not a QEMU/KVM guest; virt-bootfix "
                   "repairs guests for type 'kvm' or 'qemu'"), type);
  return TRUE;
}

static gboolean
read_name (Reader *r, xmlNode *root, GError **error)
{
  g_autofree char *name =
    bootfix_xml_get_text (bootfix_xml_first_child (root, "name"));

  if (name == NULL)
    return TRUE; /* named after its first disk later */
  if (!guest_name_valid (name))
    return fail (r, error, BOOTFIX_ERROR_INVALID_DOMAIN,
                 _("<name> must be 1 to %d characters without '/' or control "
                   "characters; fix the XML"), MAX_NAME_LEN);
  r->d->name = g_steal_pointer (&name);
  return TRUE;
}

static gboolean
read_arch (Reader *r, xmlNode *type, GError **error)
{
  /* We repair x86 Windows; other arches have other controllers. */
  static const char *const arches[] = { "x86_64", "i686", NULL };
  g_autofree char *arch = NULL;

  if (!get_token (r, type, "arch", &arch, error))
    return FALSE;
  if (arch == NULL)
    arch = g_strdup ("x86_64");
  if (!g_strv_contains (arches, arch))
    return fail (r, error, BOOTFIX_ERROR_UNSUPPORTED,
                 _("architecture '%s' is not supported; virt-bootfix repairs "
                   "x86_64 and i686 guests only"), arch);
  r->d->arch = g_steal_pointer (&arch);
  return TRUE;
}

/* d->machine -> d->machine_family, through the data's patterns. */
static gboolean
set_machine_family (Reader *r, GError **error)
{
  g_autoptr (GError) local = NULL;
  const char *family =
    bootfix_controller_db_machine_family (r->db, r->d->machine, &local);

  if (family == NULL) {
    g_autofree char *prefix = message_prefix (r);
    g_propagate_prefixed_error (error, g_steal_pointer (&local), "%s", prefix);
    return FALSE;
  }
  r->d->machine_family = g_strdup (family);
  return TRUE;
}

static gboolean
read_machine (Reader *r, xmlNode *type, GError **error)
{
  BootfixDomain *d = r->d;

  if (!get_token (r, type, "machine", &d->machine, error))
    return FALSE;
  if (d->machine == NULL) {
    /* libvirt fills in its default, 'pc', when the XML is defined. */
    d->machine = g_strdup ("pc");
    warn (r, _("no machine type in <os><type>; assuming 'pc' (i440fx), "
               "libvirt's default"));
  }
  return set_machine_family (r, error);
}

static void
read_firmware (Reader *r, xmlNode *os)
{
  g_autofree char *firmware = bootfix_xml_get_attr (os, "firmware");
  xmlNode *loader = bootfix_xml_first_child (os, "loader");
  g_autofree char *loader_type = loader ? bootfix_xml_get_attr (loader, "type")
                                        : NULL;

  /* Only the two spellings of UEFI matter; anything else is SeaBIOS. */
  if (g_strcmp0 (firmware, "efi") == 0 ||
      g_strcmp0 (loader_type, "pflash") == 0)
    r->d->firmware = g_strdup ("efi");
  else
    r->d->firmware = g_strdup ("bios");
}

/* <os><boot dev=...>: the firmware's order; warn when disks are not first. */
static void
read_boot_devs (Reader *r, xmlNode *os)
{
  gboolean first = TRUE;
  gboolean has_hd = FALSE;
  gboolean hd_first = FALSE;

  for (xmlNode *c = os->children; c != NULL; c = c->next) {
    if (!bootfix_xml_is_element (c, "boot"))
      continue;
    g_autofree char *dev = bootfix_xml_get_attr (c, "dev");
    gboolean hd = g_strcmp0 (dev, "hd") == 0;
    r->os_boot = TRUE;
    hd_first |= first && hd;
    has_hd |= hd;
    first = FALSE;
  }
  if (r->os_boot && !has_hd)
    warn (r, _("<os><boot dev=...> does not list 'hd': the guest will not boot "
               "from a disk until you add <boot dev='hd'/>"));
  else if (r->os_boot && !hd_first)
    warn (r, _("<os><boot dev=...> does not list 'hd' first: the guest tries "
               "another device (cdrom, network, floppy) before its disk"));
}

static gboolean
read_os (Reader *r, xmlNode *root, GError **error)
{
  xmlNode *os = bootfix_xml_first_child (root, "os");
  xmlNode *type = bootfix_xml_first_child (os, "type");
  g_autofree char *os_type = bootfix_xml_get_text (type);

  if (type == NULL)
    return fail (r, error, BOOTFIX_ERROR_INVALID_DOMAIN,
                 _("no <os><type> element; add <os><type arch='x86_64' "
                   "machine='pc'>hvm</type></os>"));
  if (g_strcmp0 (os_type, "hvm") != 0)
    return fail (r, error, BOOTFIX_ERROR_UNSUPPORTED,
                 _("<os><type> is not 'hvm': only fully virtualized guests "
                   "boot from an emulated disk controller"));
  if (!read_arch (r, type, error) || !read_machine (r, type, error))
    return FALSE;
  read_firmware (r, os);
  read_boot_devs (r, os);
  return TRUE;
}

/* ---- <devices><disk> ---- */

static char *
resolve_path (const char *base_dir, const char *path)
{
  if (base_dir == NULL || g_path_is_absolute (path))
    return g_strdup (path);
  return g_build_filename (base_dir, path, NULL);
}

/* type='volume': source/@pool and @volume.  Only libvirt knows the
 * path; without libvirt the disk stays without a source and is refused
 * when the guest is opened. */
static gboolean
read_disk_volume (const Reader *r, xmlNode *node, BootfixDisk *disk,
                  GError **error)
{
  xmlNode *source = bootfix_xml_first_child (node, "source");
  g_autofree char *pool = source ? bootfix_xml_get_attr (source, "pool") : NULL;
  g_autofree char *volume = source ? bootfix_xml_get_attr (source, "volume")
                                   : NULL;

  if (pool == NULL || volume == NULL || !guest_name_valid (pool) ||
      !guest_name_valid (volume))
    return fail (r, error, BOOTFIX_ERROR_INVALID_DOMAIN,
                 _("disk '%s' of type 'volume' has no usable <source "
                   "pool='...' volume='...'> (names of 1 to %d bytes, "
                   "without '/' or control characters); fix the XML"),
                 disk->target_dev, MAX_NAME_LEN);
  disk->pool = g_steal_pointer (&pool);
  disk->volume = g_steal_pointer (&volume);
  return TRUE;
}

/* source/@file for type='file', source/@dev for 'block', the pool and
 * volume for 'volume'; other types (network, nvme, dir) have no host
 * path we can name. */
static gboolean
read_disk_source (const Reader *r, xmlNode *node, BootfixDisk *disk,
                  GError **error)
{
  const char *attr = NULL;

  if (g_str_equal (disk->source_type, "volume"))
    return read_disk_volume (r, node, disk, error);
  if (g_str_equal (disk->source_type, "file"))
    attr = "file";
  else if (g_str_equal (disk->source_type, "block"))
    attr = "dev";
  else
    return TRUE;
  xmlNode *source = bootfix_xml_first_child (node, "source");
  g_autofree char *path = source ? bootfix_xml_get_attr (source, attr) : NULL;
  if (path == NULL || path[0] == '\0' || strlen (path) > MAX_PATH_LEN)
    return fail (r, error, BOOTFIX_ERROR_INVALID_DOMAIN,
                 _("disk '%s' has no usable <source %s='...'>; give the path "
                   "of the disk image"), disk->target_dev, attr);
  disk->source = resolve_path (r->base_dir, path);
  return TRUE;
}

/* One <backingStore>, when it names a local file (type 'file', the
 * default, or 'block') by a path we can compare and says its format;
 * NULL otherwise: an empty one (the end), a network or volume source,
 * a missing <format>. */
static BootfixBackingStore *
read_backing_store (const Reader *r, xmlNode *node)
{
  g_autofree char *type = bootfix_xml_get_attr (node, "type");
  gboolean block = g_strcmp0 (type, "block") == 0;
  if (type != NULL && !block && !g_str_equal (type, "file"))
    return NULL;
  xmlNode *source = bootfix_xml_first_child (node, "source");
  xmlNode *format = bootfix_xml_first_child (node, "format");
  g_autofree char *path =
    source ? bootfix_xml_get_attr (source, block ? "dev" : "file") : NULL;
  g_autofree char *fmt = format ? bootfix_xml_get_attr (format, "type") : NULL;
  if (path == NULL || path[0] == '\0' || strlen (path) > MAX_PATH_LEN ||
      fmt == NULL || !token_valid (fmt))
    return NULL;
  /* Relative like <source file>; still relative without a base folder
   * (libvirt's XML, read from memory): nothing to compare it with. */
  g_autofree char *resolved = resolve_path (r->base_dir, path);
  if (!g_path_is_absolute (resolved))
    return NULL;
  return bootfix_backing_store_new (resolved, fmt, block);
}

/* The <backingStore> chain of a disk, one nested level per layer, read
 * in a loop and at most BOOTFIX_MAX_CHAIN_DEPTH deep (the image checks
 * follow no more).  A layer we cannot use ends what is declared, as if
 * the XML stopped there: declaring only ever lets a named file lie
 * outside its image's folder, so ignoring a layer never lets in more
 * than the XML without it would (docs/image-formats.md, "Backing files
 * the domain declares"). */
static void
read_backing_chain (const Reader *r, xmlNode *node, BootfixDisk *disk)
{
  xmlNode *b = bootfix_xml_first_child (node, "backingStore");
  while (b != NULL && disk->backing->len < BOOTFIX_MAX_CHAIN_DEPTH) {
    BootfixBackingStore *layer = read_backing_store (r, b);
    if (layer == NULL)
      return;
    g_ptr_array_add (disk->backing, layer);
    b = bootfix_xml_first_child (b, "backingStore");
  }
}

static gboolean
read_disk_target (const Reader *r, xmlNode *node, BootfixDisk *disk,
                  GError **error)
{
  xmlNode *target = bootfix_xml_first_child (node, "target");
  g_autofree char *dev = target ? bootfix_xml_get_attr (target, "dev") : NULL;

  if (dev == NULL)
    return fail (r, error, BOOTFIX_ERROR_INVALID_DOMAIN,
                 _("a <disk> has no <target dev=...>; add one, for example "
                   "<target dev='hda' bus='ide'/>"));
  if (!target_dev_valid (dev))
    return fail (r, error, BOOTFIX_ERROR_INVALID_DOMAIN,
                 _("<target dev='...'> is not a disk name libvirt accepts (like "
                   "hda, sdb or vdc; at most %d letters); fix the XML"),
                 MAX_TARGET_LETTERS);
  disk->target_dev = g_steal_pointer (&dev);
  if (!get_token (r, target, "bus", &disk->bus, error))
    return FALSE;
  if (disk->bus == NULL)
    return fail (r, error, BOOTFIX_ERROR_INVALID_DOMAIN,
                 _("disk '%s' has no <target bus=...>; add the bus the guest "
                   "sees it on (ide, sata, scsi, virtio, nvme)"),
                 disk->target_dev);
  return TRUE;
}

/* address/@controller of a drive address.  Only virtio disks are PCI
 * functions of their own; libvirt rejects a PCI address on any other. */
static gboolean
read_disk_address (const Reader *r, xmlNode *node, BootfixDisk *disk,
                   GError **error)
{
  xmlNode *address = bootfix_xml_first_child (node, "address");
  g_autofree char *type = address ? bootfix_xml_get_attr (address, "type")
                                  : NULL;

  if (g_strcmp0 (type, "drive") == 0)
    return get_int (r, address, "controller", 0, MAX_INDEX, 0,
                    &disk->controller_index, error);
  if (g_strcmp0 (type, "pci") == 0 && !g_str_equal (disk->bus, "virtio"))
    return fail (r, error, BOOTFIX_ERROR_INVALID_DOMAIN,
                 _("disk '%s' on bus '%s' has a PCI <address>, but only "
                   "virtio disks are PCI devices (libvirt rejects this too); "
                   "remove the <address> and let libvirt assign one"),
                 disk->target_dev, disk->bus);
  return TRUE;
}

static gboolean
read_disk (Reader *r, xmlNode *node, GError **error)
{
  g_autoptr (BootfixDisk) disk = g_new0 (BootfixDisk, 1);
  xmlNode *driver = bootfix_xml_first_child (node, "driver");
  xmlNode *boot = bootfix_xml_first_child (node, "boot");

  if (r->d->disks->len >= MAX_DISKS)
    return fail (r, error, BOOTFIX_ERROR_INVALID_DOMAIN,
                 _("more than %d disks"), MAX_DISKS);
  if (!get_token (r, node, "type", &disk->source_type, error) ||
      !read_disk_target (r, node, disk, error) ||
      !get_token (r, node, "model", &disk->model, error) ||
      (driver && !get_token (r, driver, "type", &disk->format, error)) ||
      (boot && !get_int (r, boot, "order", 1, MAX_BOOT_ORDER, 0,
                         &disk->boot_order, error)) ||
      !read_disk_address (r, node, disk, error))
    return FALSE;
  if (disk->source_type == NULL)
    disk->source_type = g_strdup ("file"); /* libvirt's default */
  if (!read_disk_source (r, node, disk, error))
    return FALSE;
  disk->backing = g_ptr_array_new_with_free_func (
    (GDestroyNotify) bootfix_backing_store_free);
  read_backing_chain (r, node, disk);
  if (disk->model != NULL && !g_str_equal (disk->bus, "virtio"))
    warn (r, _("disk '%s': model='%s' applies to virtio disks only; ignored"),
          disk->target_dev, disk->model);
  g_ptr_array_add (r->d->disks, g_steal_pointer (&disk));
  return TRUE;
}

/* Only device='disk' (libvirt's default) is a disk image we repair.
 * device='lun' passes a host SCSI device through with its own command
 * set: it is not a restored image, so we count it only to explain. */
gboolean
bootfix_domain_is_disk_node (xmlNode *node)
{
  if (!bootfix_xml_is_element (node, "disk"))
    return FALSE;
  g_autofree char *device = bootfix_xml_get_attr (node, "device");
  return device == NULL || g_str_equal (device, "disk");
}

static gboolean
read_disk_element (Reader *r, xmlNode *node, GError **error)
{
  g_autofree char *device = bootfix_xml_get_attr (node, "device");

  if (bootfix_domain_is_disk_node (node))
    return read_disk (r, node, error);
  if (g_str_equal (device, "lun"))
    r->n_luns++;
  else
    r->n_other_disks++;
  return TRUE;
}

/* ---- <devices><controller> ---- */

static gboolean
read_controller (Reader *r, xmlNode *node, GError **error)
{
  g_autoptr (BootfixDomainController) c =
    g_new0 (BootfixDomainController, 1);

  if (r->d->controllers->len >= MAX_CONTROLLERS)
    return fail (r, error, BOOTFIX_ERROR_INVALID_DOMAIN,
                 _("more than %d controllers"), MAX_CONTROLLERS);
  if (!get_token (r, node, "type", &c->type, error) ||
      !get_token (r, node, "model", &c->model, error) ||
      !get_int (r, node, "index", 0, MAX_INDEX, -1, &c->index, error))
    return FALSE;
  if (c->type == NULL)
    return fail (r, error, BOOTFIX_ERROR_INVALID_DOMAIN,
                 _("a <controller> has no type; add type='scsi' (or ide, "
                   "sata, ...)"));
  g_ptr_array_add (r->d->controllers, g_steal_pointer (&c));
  return TRUE;
}

/* A controller without index gets the lowest index its type does not
 * use yet, in document order, as libvirt numbers them.  That index is
 * at most controllers->len, so marking the used ones below it is
 * enough: O(n^2) rather than a search per candidate index, which took
 * seconds for 1024 <controller type='scsi'/> without index. */
static void
assign_controller_indexes (GPtrArray *controllers)
{
  guint n = controllers->len;
  g_autofree gboolean *used = g_new (gboolean, n + 1);

  for (guint i = 0; i < n; i++) {
    BootfixDomainController *c = g_ptr_array_index (controllers, i);
    int index = 0;
    if (c->index >= 0)
      continue;
    memset (used, 0, (n + 1) * sizeof *used);
    for (guint j = 0; j < n; j++) {
      const BootfixDomainController *o = g_ptr_array_index (controllers, j);
      if (o->index >= 0 && (guint) o->index <= n &&
          g_str_equal (o->type, c->type))
        used[o->index] = TRUE;
    }
    while (used[index])
      index++;
    c->index = index;
  }
}

/* ---- <devices> ---- */

/* Per-device <boot order>: any device may carry one (disk, interface,
 * hostdev, ...); libvirt wants them unique and never with <os><boot>. */
static gboolean
check_boot_order (Reader *r, xmlNode *device, GHashTable *orders,
                  GError **error)
{
  xmlNode *boot = bootfix_xml_first_child (device, "boot");
  int order = 0;

  if (boot == NULL)
    return TRUE;
  if (!get_int (r, boot, "order", 1, MAX_BOOT_ORDER, 0, &order, error))
    return FALSE;
  if (r->os_boot)
    return fail (r, error, BOOTFIX_ERROR_INVALID_DOMAIN,
                 _("<%s> has a <boot order=...> and <os> has <boot dev=...>; "
                   "libvirt rejects that combination: keep only one of them"),
                 (const char *) device->name);
  if (order > 0 && !g_hash_table_add (orders, GINT_TO_POINTER (order)))
    return fail (r, error, BOOTFIX_ERROR_INVALID_DOMAIN,
                 _("boot order %d is used by more than one device; give each "
                   "device its own <boot order=...>"), order);
  r->n_boot_orders++;
  return TRUE;
}

static gboolean
read_devices (Reader *r, xmlNode *root, GError **error)
{
  xmlNode *devices = bootfix_xml_first_child (root, "devices");
  g_autoptr (GHashTable) orders = g_hash_table_new (NULL, NULL);
  guint n = 0;

  for (xmlNode *c = devices ? devices->children : NULL; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE || c->ns != NULL)
      continue;
    if (++n > MAX_DEVICES)
      return fail (r, error, BOOTFIX_ERROR_INVALID_DOMAIN,
                   _("more than %d devices"), MAX_DEVICES);
    if (!check_boot_order (r, c, orders, error))
      return FALSE;
    if (bootfix_xml_is_element (c, "disk") && !read_disk_element (r, c, error))
      return FALSE;
    if (bootfix_xml_is_element (c, "controller") && !read_controller (r, c, error))
      return FALSE;
  }
  assign_controller_indexes (r->d->controllers);
  return TRUE;
}

/* ---- The boot disk ---- */

static gboolean
fail_no_disk (const Reader *r, GError **error)
{
  if (r->n_luns > 0)
    return fail (r, error, BOOTFIX_ERROR_INVALID_DOMAIN,
                 _("has no <disk device='disk'>, only device='lun' (a host "
                   "SCSI device passed through); virt-bootfix repairs disk "
                   "images: describe the Windows system disk as "
                   "<disk type='file' device='disk'> or type='block'"));
  return fail (r, error, BOOTFIX_ERROR_INVALID_DOMAIN,
               _("has no <disk device='disk'>%s; add the Windows system disk, "
                 "for example <disk type='file' device='disk'><source "
                 "file='/path/win.img'/><target dev='hda' bus='ide'/></disk>"),
               r->n_other_disks > 0 ? _(" (only cdrom or floppy drives)") : "");
}

/* Lowest <boot order> among disks, else the first disk. */
static gboolean
pick_boot_disk (Reader *r, GError **error)
{
  BootfixDomain *d = r->d;
  int best = 0;

  if (d->disks->len == 0)
    return fail_no_disk (r, error);
  d->boot_disk = 0;
  for (guint i = 0; i < d->disks->len; i++) {
    const BootfixDisk *disk = g_ptr_array_index (d->disks, i);
    if (disk->boot_order > 0 && (best == 0 || disk->boot_order < best)) {
      best = disk->boot_order;
      d->boot_disk = i;
    }
  }
  const BootfixDisk *boot = g_ptr_array_index (d->disks, d->boot_disk);
  if (best == 0 && r->n_boot_orders > 0)
    warn (r, _("other devices have a <boot order=...> but no disk has one: the "
               "firmware may never boot from disk; assuming disk '%s'"),
          boot->target_dev);
  else if (best == 0 && d->disks->len > 1)
    warn (r, _("several disks and no <boot order=...>: assuming the first "
               "disk in the XML, '%s', is the boot disk"), boot->target_dev);
  return TRUE;
}

/* The <controller> a drive-addressed disk sits on; NULL when libvirt
 * would add it implicitly (the XML does not declare it). */
static gboolean
find_disk_controller (const Reader *r, const BootfixDisk *disk,
                      const BootfixDomainController **out, GError **error)
{
  *out = NULL;
  for (guint i = 0; i < r->d->controllers->len; i++) {
    const BootfixDomainController *c =
      g_ptr_array_index (r->d->controllers, i);
    if (c->index != disk->controller_index || !g_str_equal (c->type, disk->bus))
      continue;
    if (*out != NULL)
      return fail (r, error, BOOTFIX_ERROR_INVALID_DOMAIN,
                   _("two <controller type='%s' index='%d'>; give each its "
                     "own index"), c->type, c->index);
    *out = c;
  }
  return TRUE;
}

/* The model that picks the controller: virtio-blk puts it on the disk
 * (one PCI function per disk), every other bus on its <controller>. */
static gboolean
boot_controller_model (Reader *r, const BootfixDisk *disk, GError **error)
{
  const BootfixDomainController *c = NULL;

  if (g_str_equal (disk->bus, "virtio")) {
    r->d->controller_model = g_strdup (disk->model);
    return TRUE;
  }
  if (!find_disk_controller (r, disk, &c, error))
    return FALSE;
  r->d->controller_model = c ? g_strdup (c->model) : NULL;
  /* libvirt's SCSI default depends on the QEMU binary (reference 5.2). */
  if (g_str_equal (disk->bus, "scsi") &&
      (c == NULL || c->model == NULL || g_str_equal (c->model, "auto")))
    warn (r, _("the SCSI controller of disk '%s' has no model: assuming "
               "libvirt's default, lsilogic; if libvirt chose virtio-scsi, "
               "give virt-bootfix the output of 'virsh dumpxml'"),
          disk->target_dev);
  return TRUE;
}

static gboolean
resolve_boot_controller (Reader *r, GError **error)
{
  BootfixDomain *d = r->d;
  const BootfixDisk *disk = g_ptr_array_index (d->disks, d->boot_disk);
  g_autoptr (GError) local = NULL;

  if (!boot_controller_model (r, disk, error))
    return FALSE;
  d->bus = g_strdup (disk->bus);
  d->controller = bootfix_controller_db_resolve (
    r->db, d->machine_family, disk->bus, d->controller_model, &local);
  if (d->controller == NULL) {
    g_autofree char *prefix = message_prefix (r);
    g_propagate_prefixed_error (error, g_steal_pointer (&local),
                                _("%sboot disk '%s': "), prefix,
                                disk->target_dev);
    return FALSE;
  }
  if (!d->controller->bootable)
    return fail (r, error, BOOTFIX_ERROR_UNSUPPORTED,
                 _("boot disk '%s' is on %s: %s"), disk->target_dev,
                 d->controller->description, d->controller->reason);
  return TRUE;
}

/* "win7" for /images/win7.qcow2; the target name for sourceless disks. */
static char *
name_from_disk (const BootfixDisk *disk)
{
  if (disk->source != NULL) {
    g_autofree char *base = g_path_get_basename (disk->source);
    char *dot = strrchr (base, '.');
    if (dot != NULL && dot != base)
      *dot = '\0';
    if (guest_name_valid (base))
      return g_steal_pointer (&base);
  }
  return g_strdup (disk->target_dev);
}

static gboolean
finish_domain (Reader *r, GError **error)
{
  if (!pick_boot_disk (r, error))
    return FALSE;
  if (r->d->name == NULL)
    r->d->name = name_from_disk (g_ptr_array_index (r->d->disks, 0));
  return resolve_boot_controller (r, error);
}

/* ---- Entry points ---- */

static gboolean
read_domain (Reader *r, xmlDoc *doc, GError **error)
{
  xmlNode *root = xmlDocGetRootElement (doc);

  if (root->ns != NULL && g_str_equal ((const char *) root->name, "domain"))
    return fail (r, error, BOOTFIX_ERROR_INVALID_DOMAIN,
                 _("<domain> has an XML namespace (xmlns); libvirt domain XML "
                   "has none: remove it"));
  if (!bootfix_xml_is_element (root, "domain"))
    return fail (r, error, BOOTFIX_ERROR_INVALID_DOMAIN,
                 _("the root element is <%s>, not <domain>; give a libvirt "
                   "domain XML (virsh dumpxml GUEST)"),
                 token_valid ((const char *) root->name)
                   ? (const char *) root->name : "?");
  return read_domain_type (r, root, error) && read_name (r, root, error) &&
         read_os (r, root, error) && read_devices (r, root, error) &&
         finish_domain (r, error);
}

BootfixDomain *
bootfix_domain_parse (const char *xml, gsize len, const char *what,
                      const char *base_dir, const BootfixControllerDb *db,
                      GError **error)
{
  g_return_val_if_fail (xml != NULL && db != NULL, NULL);
  g_autoptr (BootfixDomain) d = domain_new ();
  Reader r = { .what = what ? what : _("domain XML"), .base_dir = base_dir,
               .db = db, .d = d };
  g_autoptr (GError) local = NULL;

  g_autoptr (xmlDoc) doc = bootfix_xml_parse (xml, len, r.what, &local);
  if (doc == NULL) {
    /* Not well-formed or not allowed: the domain is at fault, not our data. */
    if (local->domain == BOOTFIX_ERROR &&
        local->code == BOOTFIX_ERROR_INVALID_DATA)
      local->code = BOOTFIX_ERROR_INVALID_DOMAIN;
    g_propagate_error (error, g_steal_pointer (&local));
    return NULL;
  }
  if (!read_domain (&r, doc, error))
    return NULL;
  d->xml = g_bytes_new (xml, len);
  return g_steal_pointer (&d);
}

/* The whole file, up to BOOTFIX_MAX_XML_SIZE: pipes (virsh dumpxml via
 * <(...)) work, and /dev/zero cannot make us read forever. */
static GByteArray *
read_bounded (const char *path, GError **error)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GError) local = NULL;
  g_autoptr (GFileInputStream) in = g_file_read (file, NULL, &local);
  g_autoptr (GByteArray) buf = g_byte_array_new ();
  g_autofree guint8 *chunk = g_malloc (READ_CHUNK);

  while (in != NULL) {
    gssize n = g_input_stream_read (G_INPUT_STREAM (in), chunk, READ_CHUNK,
                                    NULL, &local);
    if (n <= 0)
      break;
    if (buf->len + (gsize) n > BOOTFIX_MAX_XML_SIZE) {
      g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_INVALID_DOMAIN,
                   _("%s: larger than %d bytes; is this a domain XML?"), path,
                   BOOTFIX_MAX_XML_SIZE);
      return NULL;
    }
    g_byte_array_append (buf, chunk, (guint) n);
  }
  if (local != NULL) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("cannot read the domain XML: %s"), local->message);
    return NULL;
  }
  return g_steal_pointer (&buf);
}

BootfixDomain *
bootfix_domain_parse_file (const char *path, const BootfixControllerDb *db,
                           GError **error)
{
  g_return_val_if_fail (path != NULL && db != NULL, NULL);

  g_autoptr (GByteArray) buf = read_bounded (path, error);
  if (buf == NULL)
    return NULL;
  g_autofree char *abs = g_canonicalize_filename (path, NULL);
  g_autofree char *base_dir = g_path_get_dirname (abs);
  return bootfix_domain_parse ((const char *) buf->data, buf->len, path,
                               base_dir, db, error);
}

/* ---- The -a DISK --machine M --bus B form ---- */

/* "hda", "vdb", "sdaa": libvirt's naming, for messages and reports. */
static char *
target_name (const char *bus, guint i)
{
  const char *prefix = g_str_equal (bus, "ide")      ? "hd"
                       : g_str_equal (bus, "virtio") ? "vd" : "sd";
  char letters[8];
  int n = (int) sizeof letters - 1;

  letters[n] = '\0';
  do {
    letters[--n] = (char) ('a' + i % 26);
    i = i / 26;
  } while (i-- > 0 && n > 0);
  return g_strconcat (prefix, letters + n, NULL);
}

static gboolean
add_arg_disks (Reader *r, const char *const *disks, const char *bus,
               const char *model, GError **error)
{
  for (guint i = 0; disks[i] != NULL; i++) {
    g_autoptr (BootfixDisk) disk = g_new0 (BootfixDisk, 1);
    if (i >= MAX_DISKS || disks[i][0] == '\0')
      return fail (r, error, BOOTFIX_ERROR_INVALID_DOMAIN,
                   _("give 1 to %d non-empty disk paths with -a"), MAX_DISKS);
    disk->target_dev = target_name (bus, i);
    disk->bus = g_strdup (bus);
    disk->source = resolve_path (r->base_dir, disks[i]);
    disk->source_type = g_strdup ("file");
    if (g_str_equal (bus, "virtio"))
      disk->model = g_strdup (model);
    g_ptr_array_add (r->d->disks, g_steal_pointer (&disk));
  }
  if (r->d->disks->len == 0)
    return fail (r, error, BOOTFIX_ERROR_INVALID_DOMAIN,
                 _("no disk given; add -a DISK"));
  return TRUE;
}

static gboolean
check_args (Reader *r, const char *machine, const char *bus, const char *model,
            GError **error)
{
  if (bus == NULL)
    return fail (r, error, BOOTFIX_ERROR_INVALID_DOMAIN,
                 _("no disk bus given; say which bus the guest will boot "
                   "from with --bus (ide, sata, scsi, virtio, nvme)"));
  if (!token_valid (bus) || (model && !token_valid (model)) ||
      (machine && !token_valid (machine)))
    return fail (r, error, BOOTFIX_ERROR_INVALID_DOMAIN,
                 _("--bus, --controller-model and --machine take a short name of "
                   "letters, digits, '.', '_' or '-'"));
  return TRUE;
}

BootfixDomain *
bootfix_domain_new_from_disks (const char *const *disks, const char *machine,
                               const char *bus, const char *model,
                               const BootfixControllerDb *db, GError **error)
{
  g_return_val_if_fail (disks != NULL && db != NULL, NULL);
  g_autoptr (BootfixDomain) d = domain_new ();
  g_autofree char *cwd = g_get_current_dir ();
  Reader r = { .what = disks[0] ? disks[0] : "-a", .base_dir = cwd,
               .db = db, .d = d };

  if (!check_args (&r, machine, bus, model, error) ||
      !add_arg_disks (&r, disks, bus, model, error))
    return NULL;
  d->name = name_from_disk (g_ptr_array_index (d->disks, 0));
  d->arch = g_strdup ("x86_64");
  d->firmware = NULL; /* unknown here: --firmware, or the disk tells */
  if (!g_str_equal (bus, "virtio")) {
    BootfixDomainController *c = g_new0 (BootfixDomainController, 1);
    c->type = g_strdup (bus);
    c->model = g_strdup (model);
    g_ptr_array_add (d->controllers, c);
  }
  if (machine == NULL) {
    d->machine = g_strdup ("pc");
    warn (&r, _("no machine type given; assuming 'pc' (i440fx)"));
  } else {
    d->machine = g_strdup (machine);
  }
  d->boot_disk = 0; /* the -a form: the first disk boots */
  if (!set_machine_family (&r, error) || !resolve_boot_controller (&r, error))
    return NULL;
  return g_steal_pointer (&d);
}

void
bootfix_domain_set_formats (BootfixDomain *d, const char *const *formats)
{
  for (guint i = 0; formats && formats[i] && i < d->disks->len; i++) {
    BootfixDisk *disk = g_ptr_array_index (d->disks, i);
    g_free (disk->format);
    disk->format = g_strdup (formats[i]);
  }
}
