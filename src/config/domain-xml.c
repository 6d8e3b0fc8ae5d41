/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Domain XML for --output: the user's domain pointed at the new disk
 * images (everything else as it was), or one made from -a's arguments.
 * The user's document is parsed again with the private context of
 * xml-util.c: it may come from a stranger as much as when we read it. */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <libxml/xmlsave.h>

#include "bootfix-error.h"
#include "domain-xml.h"
#include "xml-util.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlBuffer, xmlBufferFree)

/* What -a cannot know, chosen so that Windows 7 to 11 start: 4 GiB is
 * Windows 11's minimum and more than the older ones need. */
#define ARGS_MEMORY_MIB "4096"
#define ARGS_VCPUS "2"

static gboolean G_GNUC_PRINTF (3, 4)
fail (GError **error, const char *what, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_INVALID_DOMAIN, "%s: %s",
               what, msg);
  return FALSE;
}

/* The document without an XML declaration (the user's had none either,
 * as virsh dumpxml writes it); format: indent a tree we built. */
static char *
dump (xmlDoc *doc, gboolean format, const char *what, GError **error)
{
  g_autoptr (xmlBuffer) buf = xmlBufferCreate ();
  xmlSaveCtxt *save = buf ? xmlSaveToBuffer (buf, "UTF-8",
                                             XML_SAVE_NO_DECL |
                                             (format ? XML_SAVE_FORMAT : 0))
                          : NULL;
  if (save == NULL || xmlSaveDoc (save, doc) < 0) {
    if (save)
      xmlSaveClose (save);
    fail (error, what, _("cannot write the domain XML (out of memory)"));
    return NULL;
  }
  xmlSaveClose (save);
  return g_strdup ((const char *) xmlBufferContent (buf));
}

/* ---- the rewrite of the user's domain ---- */

/* A new child element placed before node's first element child, with
 * the same indentation, so the file still reads as it did. */
static xmlNode *
add_first_child (xmlNode *node, const char *name)
{
  xmlNode *n = xmlNewNode (NULL, BAD_CAST name);
  xmlNode *first = node->children;
  while (first && first->type != XML_ELEMENT_NODE)
    first = first->next;
  if (first == NULL)
    return xmlAddChild (node, n);
  xmlAddPrevSibling (first, n);
  if (n->prev && xmlIsBlankNode (n->prev))
    xmlAddNextSibling (n, xmlCopyNode (n->prev, 1));
  return n;
}

/* Unlink and free node with the blank text that indents it. */
static void
remove_node (xmlNode *node)
{
  xmlNode *blank = node->prev && xmlIsBlankNode (node->prev) ? node->prev : NULL;
  xmlUnlinkNode (node);
  xmlFreeNode (node);
  if (blank) {
    xmlUnlinkNode (blank);
    xmlFreeNode (blank);
  }
}

/* <source file='…'> on a type='file' disk.  A source of another type
 * (dev=, protocol=, pool=) says nothing that fits a file: replace it. */
static void
point_source (xmlNode *disk, const char *file)
{
  g_autofree char *type = bootfix_xml_get_attr (disk, "type");
  xmlNode *source = bootfix_xml_first_child (disk, "source");
  if (source && type && !g_str_equal (type, "file")) {
    xmlNode *fresh = xmlNewNode (NULL, BAD_CAST "source");
    xmlReplaceNode (source, fresh);
    xmlFreeNode (source);
    source = fresh;
  }
  if (source == NULL)
    source = add_first_child (disk, "source");
  xmlSetProp (disk, BAD_CAST "type", BAD_CAST "file");
  xmlSetProp (source, BAD_CAST "file", BAD_CAST file);
}

static void
set_driver_type (xmlNode *disk, const char *format)
{
  xmlNode *driver = bootfix_xml_first_child (disk, "driver");
  if (driver == NULL) {
    driver = add_first_child (disk, "driver");
    xmlSetProp (driver, BAD_CAST "name", BAD_CAST "qemu");
  }
  xmlSetProp (driver, BAD_CAST "type", BAD_CAST format);
}

/* ---- <backingStore>: the files an image is backed by ---- */

/* The blank text that indents node ("\n      "), so that what is added
 * beside it reads as the rest of the file; NULL when the document has
 * none there (one long line, or a tree we build and format). */
static char *
indentation_before (xmlNode *node)
{
  if (node->prev == NULL || !xmlIsBlankNode (node->prev))
    return NULL;
  xmlChar *text = xmlNodeGetContent (node->prev);
  char *copy = g_strdup ((const char *) text);
  xmlFree (text);
  return copy;
}

/* child as the last child of parent, on a line of its own when indent
 * is not NULL. */
static xmlNode *
append_child (xmlNode *parent, xmlNode *child, const char *indent)
{
  if (indent != NULL)
    xmlAddChild (parent, xmlNewText (BAD_CAST indent));
  return xmlAddChild (parent, child);
}

/* <backingStore type='file'><format type='…'/><source file='…'/>, or
 * type='block' with <source dev='…'/>; its children indented by inner. */
static xmlNode *
backing_store_node (const BootfixBackingStore *b, const char *inner)
{
  xmlNode *node = xmlNewNode (NULL, BAD_CAST "backingStore");
  xmlSetProp (node, BAD_CAST "type", BAD_CAST (b->block ? "block" : "file"));
  xmlNode *format = append_child (node, xmlNewNode (NULL, BAD_CAST "format"),
                                  inner);
  xmlSetProp (format, BAD_CAST "type", BAD_CAST b->format);
  xmlNode *source = append_child (node, xmlNewNode (NULL, BAD_CAST "source"),
                                  inner);
  xmlSetProp (source, BAD_CAST (b->block ? "dev" : "file"), BAD_CAST b->path);
  return node;
}

/* The chain after <source>: one <backingStore> per file, each nested in
 * the one above, and an empty one last, which tells libvirt the chain
 * ends there.  Built in a loop; the caller's chain is at most the image
 * checks' depth. */
static void
add_backing_chain (xmlNode *source, const GPtrArray *chain)
{
  g_autofree char *indent = indentation_before (source);
  g_autoptr (GString) pad = g_string_new (indent);
  g_autofree char *parent_pad = NULL;
  xmlNode *parent = NULL;

  for (guint i = 0; i <= chain->len; i++) {
    g_autofree char *inner = g_strconcat (pad->str, "  ", NULL);
    xmlNode *node = i < chain->len
                    ? backing_store_node (g_ptr_array_index (chain, i),
                                          indent ? inner : NULL)
                    : xmlNewNode (NULL, BAD_CAST "backingStore");
    if (parent == NULL) {
      xmlAddNextSibling (source, node);
      if (indent != NULL)
        xmlAddPrevSibling (node, xmlNewText (BAD_CAST indent));
    } else {
      append_child (parent, node, indent ? pad->str : NULL);
      if (indent != NULL) /* the line parent's end tag starts */
        xmlAddChild (parent, xmlNewText (BAD_CAST parent_pad));
    }
    parent = node;
    g_free (parent_pad);
    parent_pad = g_strdup (pad->str);
    g_string_assign (pad, inner);
  }
}

/* The old <backingStore> described the old source's chain, so it goes.
 * An image backed by files gets their chain; a standalone one none. */
static void
set_backing_store (xmlNode *disk, const GPtrArray *chain)
{
  xmlNode *b;
  while ((b = bootfix_xml_first_child (disk, "backingStore")) != NULL)
    remove_node (b);
  if (chain != NULL && chain->len > 0)
    add_backing_chain (bootfix_xml_first_child (disk, "source"), chain);
}

static gboolean
rewrite_disk (xmlNode *disk, const BootfixDiskImage *img, const char *what,
              GError **error)
{
  xmlNode *target = bootfix_xml_first_child (disk, "target");
  g_autofree char *dev = target ? bootfix_xml_get_attr (target, "dev") : NULL;
  if (g_strcmp0 (dev, img->target_dev) != 0)
    return fail (error, what, _("the disks of the domain XML are not the ones "
                                "that were fixed (%s, not %s); it changed "
                                "while virt-bootfix ran"),
                 dev ? dev : "?", img->target_dev);
  point_source (disk, img->file);
  set_driver_type (disk, img->format);
  set_backing_store (disk, img->backing);
  return TRUE;
}

/* <os> set to start with firmware: firmware='efi' lets libvirt pick
 * the UEFI files and a fresh variable store; BIOS is libvirt's default,
 * so no attribute.  The old firmware's <loader>, <nvram> and feature
 * list go, as they name files and features of the other one. */
static gboolean
set_firmware (xmlNode *root, const char *firmware, const char *what,
              GError **error)
{
  xmlNode *os = bootfix_xml_first_child (root, "os");
  if (os == NULL)
    return fail (error, what, _("has no <os> element to set the firmware in"));
  static const char *const stale[] = { "loader", "nvram", "firmware" };
  for (guint i = 0; i < G_N_ELEMENTS (stale); i++) {
    xmlNode *n;
    while ((n = bootfix_xml_first_child (os, stale[i])) != NULL)
      remove_node (n);
  }
  if (g_str_equal (firmware, "efi"))
    xmlSetProp (os, BAD_CAST "firmware", BAD_CAST "efi");
  else
    xmlUnsetProp (os, BAD_CAST "firmware");
  return TRUE;
}

char *
bootfix_domain_xml_rewrite_disks (const char *xml, gsize len, const char *what,
                                  const BootfixDiskImage *images, guint n,
                                  const char *firmware, GError **error)
{
  g_autoptr (xmlDoc) doc = bootfix_xml_parse (xml, len, what, error);
  if (doc == NULL)
    return NULL;
  xmlNode *root = xmlDocGetRootElement (doc);
  if (firmware && bootfix_xml_is_element (root, "domain") &&
      !set_firmware (root, firmware, what, error))
    return NULL;
  xmlNode *devices = bootfix_xml_is_element (root, "domain")
                     ? bootfix_xml_first_child (root, "devices") : NULL;
  guint i = 0;
  for (xmlNode *c = devices ? devices->children : NULL; c; c = c->next) {
    if (!bootfix_domain_is_disk_node (c))
      continue;
    if (i >= n || !rewrite_disk (c, &images[i], what, error)) {
      if (i >= n)
        fail (error, what, _("has more disks than were fixed; it changed "
                             "while virt-bootfix ran"));
      return NULL;
    }
    i++;
  }
  if (i != n) {
    fail (error, what, _("has %u disks, but %u were fixed; it changed while "
                         "virt-bootfix ran"), i, n);
    return NULL;
  }
  return dump (doc, FALSE, what, error);
}

/* ---- a domain from -a's arguments ---- */

static xmlNode *
add_element (xmlNode *parent, const char *name, const char *text)
{
  /* xmlNewTextChild escapes the text (a guest name may hold '&'). */
  return xmlNewTextChild (parent, NULL, BAD_CAST name, BAD_CAST text);
}

static void
set_attr (xmlNode *node, const char *name, const char *value)
{
  if (value)
    xmlSetProp (node, BAD_CAST name, BAD_CAST value);
}

/* An XML comment must not hold "--" (a translation might). */
static void
add_comment (xmlNode *parent, const char *text)
{
  g_auto (GStrv) parts = g_strsplit (text, "--", -1);
  g_autofree char *safe = g_strjoinv ("- -", parts);
  xmlAddChild (parent, xmlNewComment (BAD_CAST safe));
}

static void
add_os (xmlNode *root, const BootfixDomain *dom, gboolean efi)
{
  xmlNode *os = add_element (root, "os", NULL);
  if (efi)
    set_attr (os, "firmware", "efi");
  xmlNode *type = add_element (os, "type", "hvm");
  set_attr (type, "arch", dom->arch ? dom->arch : "x86_64");
  set_attr (type, "machine", dom->machine);
  set_attr (add_element (os, "boot", NULL), "dev", "hd");
  xmlNode *features = add_element (root, "features", NULL);
  add_element (features, "acpi", NULL);
  add_element (features, "apic", NULL);
}

static void
add_disk (xmlNode *devices, const BootfixDisk *d, const BootfixDiskImage *img)
{
  xmlNode *disk = add_element (devices, "disk", NULL);
  set_attr (disk, "type", "file");
  set_attr (disk, "device", "disk");
  set_attr (disk, "model", d->model);
  xmlNode *driver = add_element (disk, "driver", NULL);
  set_attr (driver, "name", "qemu");
  set_attr (driver, "type", img->format);
  xmlNode *source = add_element (disk, "source", NULL);
  set_attr (source, "file", img->file);
  if (img->backing != NULL && img->backing->len > 0)
    add_backing_chain (source, img->backing);
  xmlNode *target = add_element (disk, "target", NULL);
  set_attr (target, "dev", d->target_dev);
  set_attr (target, "bus", d->bus);
}

static void
add_devices (xmlNode *root, const BootfixDomain *dom,
             const BootfixDiskImage *images)
{
  xmlNode *devices = add_element (root, "devices", NULL);
  for (guint i = 0; i < dom->controllers->len; i++) {
    const BootfixDomainController *c = g_ptr_array_index (dom->controllers, i);
    xmlNode *ctl = add_element (devices, "controller", NULL);
    set_attr (ctl, "type", c->type);
    g_autofree char *index = g_strdup_printf ("%d", c->index);
    set_attr (ctl, "index", index);
    set_attr (ctl, "model", c->model);
  }
  for (guint i = 0; i < dom->disks->len; i++)
    add_disk (devices, g_ptr_array_index (dom->disks, i), &images[i]);
  set_attr (add_element (devices, "graphics", NULL), "type", "vnc");
  set_attr (add_element (add_element (devices, "video", NULL), "model", NULL),
            "type", "vga");
}

char *
bootfix_domain_xml_from_args (const BootfixDomain *dom,
                              const BootfixDiskImage *images, guint n,
                              const char *firmware, GError **error)
{
  if (n != dom->disks->len) {
    fail (error, dom->name, _("%u disk images for %u disks"), n,
          dom->disks->len);
    return NULL;
  }
  gboolean efi = g_strcmp0 (firmware, "efi") == 0;
  g_autoptr (xmlDoc) doc = xmlNewDoc (BAD_CAST "1.0");
  xmlNode *root = xmlNewNode (NULL, BAD_CAST "domain");
  xmlDocSetRootElement (doc, root);
  set_attr (root, "type", "kvm");
  g_autofree char *note = g_strdup_printf (
    _(" Written by virt-bootfix from the disks, machine type and bus it was "
      "given.  Not known from them, and chosen here: memory %s MiB, %s vCPUs, "
      "ACPI and APIC, a VNC display, %s firmware (%s).  Check them before "
      "you boot. "),
    ARGS_MEMORY_MIB, ARGS_VCPUS, efi ? "UEFI" : "BIOS",
    efi ? _("the boot disk has an EFI system partition")
        : _("the boot disk has no EFI system partition"));
  add_comment (root, note);
  add_element (root, "name", dom->name);
  set_attr (add_element (root, "memory", ARGS_MEMORY_MIB), "unit", "MiB");
  add_element (root, "vcpu", ARGS_VCPUS);
  add_os (root, dom, efi);
  add_devices (root, dom, images);
  return dump (doc, TRUE, dom->name, error);
}

char *
bootfix_domain_xml_with_images (const BootfixDomain *dom,
                                const BootfixDiskImage *images, guint n,
                                const char *firmware, GError **error)
{
  if (dom->xml == NULL)
    return bootfix_domain_xml_from_args (dom, images, n, firmware, error);
  gsize len = 0;
  const char *xml = g_bytes_get_data (dom->xml, &len);
  gboolean change = firmware && g_strcmp0 (firmware, dom->firmware) != 0;
  return bootfix_domain_xml_rewrite_disks (xml, len, dom->name, images, n,
                                           change ? firmware : NULL, error);
}
