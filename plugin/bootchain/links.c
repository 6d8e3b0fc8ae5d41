/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --check: the links of the boot chain this module knows, as the guest
 * is now: the Windows boot manager where the firmware's boot code looks
 * for it, its configuration (the BCD store or boot.ini), the default
 * entry and what it loads, and on NT 5 the boot sector's geometry.
 * Which of them the plan fixes follows from the same resolution the
 * passes use.  docs/boot-chain-check.md, "Windows boot manager". */
#include <string.h>

#include "bootchain.h"
#include "disk-layout.h"

#define ESP_TYPE "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
#define UEFI_BOOTMGR "\\EFI\\Microsoft\\Boot\\bootmgfw.efi"
#define BCDBOOT_BIOS "in Windows RE run bcdboot C:\\Windows /s S: /f BIOS, " \
  "S: being the active partition"
#define BCDBOOT_UEFI "in Windows RE run bcdboot C:\\Windows /s S: /f UEFI, " \
  "S: being the EFI system partition"

static int
report (Chain *c, const char *name, int state, const char *detail,
        const char *remedy)
{
  struct bootfix_link l = {
    ._struct_size = sizeof l, .name = name, .state = state,
    .detail = detail, .remedy = remedy,
  };
  return c->h->report_link (c->h, &l);
}

static gboolean
is_esp (const struct bootfix_partition *p)
{
  guint8 esp[BOOTFIX_GUID_SIZE];
  return p->gpt && bootfix_guid_text_to_bytes (ESP_TYPE, esp, NULL) &&
         memcmp (p->type_guid, esp, sizeof esp) == 0;
}

static gboolean
uefi (const Chain *c)
{
  const struct bootfix_facts *f = c->h->facts;
  return BOOTFIX_FACTS_HAS (f, firmware) && strcmp (f->firmware, "efi") == 0;
}

/* Where the firmware's boot code finds the boot manager: the active
 * partition (BIOS) or the ESP (UEFI) of the boot disk; NULL when there
 * is none (the host's firmware links say so). */
static const struct bootfix_partition *
boot_home (const Chain *c)
{
  const struct bootfix_facts *f = c->h->facts;
  int disk = BOOTFIX_FACTS_HAS (f, boot_disk) ? f->boot_disk : c->root->disk_index;
  for (guint i = 0; i < c->parts->len; i++) {
    const struct bootfix_partition *p = g_ptr_array_index (c->parts, i);
    if (p->disk_index == disk && (uefi (c) ? is_esp (p) : p->active))
      return p;
  }
  return NULL;
}

/* Each file must be on home: 1, 0 after a broken link, -1. */
static int
check_files (Chain *c, const struct bootfix_partition *home,
             const char *const *files, const char *remedy)
{
  const struct bootfix_host *h = c->h;
  for (guint i = 0; files[i]; i++) {
    int r = h->path_exists (h, home->device, files[i]);
    if (r < 0)
      return -1;
    if (r == 0) {
      g_autofree char *detail = g_strdup_printf ("no %s on %s, where the "
                                                 "firmware's boot code looks "
                                                 "for it", files[i], home->device);
      return report (c, "boot-manager", BOOTFIX_LINK_BROKEN, detail, remedy) < 0
             ? -1 : 0;
    }
  }
  g_autofree char *list = g_strjoinv (", ", (char **) files);
  g_autofree char *detail = g_strdup_printf ("%s on %s", list, home->device);
  return report (c, "boot-manager", BOOTFIX_LINK_OK, detail, NULL) < 0 ? -1 : 1;
}

/* ---- NT 6: the default entry of the BCD store ---- */

/* Where one device element of the loader points. */
typedef struct {
  const struct bootfix_partition *p; /* NULL: not a partition we follow */
  gboolean moved;                    /* stale; the fix points it at p */
  char *broken;                      /* why it cannot work, or NULL */
} Where;

static void
where_clear (Where *w)
{
  g_free (w->broken);
}

static void
resolve_element (ChainStore *s, const BootfixBcdObject *obj, guint32 id,
                 const char *what, Where *w)
{
  memset (w, 0, sizeof *w);
  const BootfixBcdElement *el = bootfix_bcd_object_find_element (obj, id);
  g_autoptr (BootfixBcdDevice) dev = el ? bootfix_bcd_element_get_device (el, NULL)
                                        : NULL;
  if (dev == NULL) {
    w->broken = g_strdup_printf ("its %s element is missing or cannot be read",
                                 what);
    return;
  }
  g_autoptr (GArray) refs = bootfix_bcd_device_get_references (dev);
  if (refs->len == 0) {
    /* "boot": the partition the boot manager came from. */
    w->p = dev->root->kind == BOOTFIX_BCD_NODE_BOOT ? s->home : NULL;
    return;
  }
  const BootfixBcdPartitionRef *ref = &g_array_index (refs, BootfixBcdPartitionRef, 0);
  w->p = chain_ref_partition (s->c, ref);
  if (w->p)
    return;
  BootfixVolumeId old;
  chain_ref_to_id (ref, &old);
  w->p = chain_resolve (s->c, &old);
  w->moved = w->p != NULL;
  if (w->p == NULL) {
    g_autofree char *was = bootfix_bcd_ref_to_string (ref);
    w->broken = g_strdup_printf ("its %s names %s, which this guest does not "
                                 "have, and no partition holds its files",
                                 what, was);
  }
}

static char *
element_string (const BootfixBcdObject *obj, guint32 id)
{
  const BootfixBcdElement *el = bootfix_bcd_object_find_element (obj, id);
  return el ? bootfix_bcd_element_get_string (el, NULL) : NULL;
}

/* Is file (from a BCD element) on p?  -1 on error. */
static int
has_file (Chain *c, const struct bootfix_partition *p, const char *file)
{
  return c->h->path_exists (c->h, p->device, file);
}

/* Why the loader cannot start Windows from where it points, or NULL;
 * *err: a host call failed. */
static char *
loader_problem (Chain *c, const BootfixBcdObject *obj, const Where *dev,
                const Where *os, gboolean *err)
{
  g_autofree char *app = element_string (obj, BOOTFIX_BCD_ELEM_PATH);
  g_autofree char *root = element_string (obj, BOOTFIX_BCD_ELEM_SYSTEMROOT);
  if (dev->broken || os->broken)
    return g_strdup (dev->broken ? dev->broken : os->broken);
  if (dev->p && app && *app) {
    int r = has_file (c, dev->p, app);
    *err = r < 0;
    if (r == 0)
      return g_strdup_printf ("its device is %s, which has no %s", dev->p->device,
                              app);
  }
  if (os->p && root && *root && !*err) {
    g_autofree char *hive = g_strconcat (root, "\\system32\\config\\SYSTEM", NULL);
    int r = has_file (c, os->p, hive);
    *err = r < 0;
    if (r == 0)
      return g_strdup_printf ("its osdevice is %s, which has no Windows folder "
                              "%s", os->p->device, root);
  }
  return NULL;
}

static int
report_loader (Chain *c, ChainStore *s, const BootfixBcdObject *obj)
{
  Where dev, os;
  resolve_element (s, obj, BOOTFIX_BCD_ELEM_DEVICE, "device", &dev);
  resolve_element (s, obj, BOOTFIX_BCD_ELEM_OSDEVICE, "osdevice", &os);
  gboolean err = FALSE;
  g_autofree char *problem = loader_problem (c, obj, &dev, &os, &err);
  g_autofree char *desc = element_string (obj, BOOTFIX_BCD_ELEM_DESCRIPTION);
  g_autofree char *entry = g_strdup_printf ("%s (\"%s\")", obj->alias ? obj->alias
                                            : obj->guid, desc ? desc : "");
  int r = -1;
  if (!err && problem) {
    g_autofree char *detail = g_strdup_printf ("the default entry %s: %s", entry,
                                               problem);
    r = report (c, "default-loader", BOOTFIX_LINK_BROKEN, detail,
                uefi (c) ? BCDBOOT_UEFI : BCDBOOT_BIOS);
  } else if (!err) {
    const struct bootfix_partition *to = os.p ? os.p : dev.p;
    g_autofree char *detail = g_strdup_printf ("the default entry %s starts "
                                               "Windows on %s", entry,
                                               to ? to->device : "?");
    g_autofree char *remedy = g_strdup_printf ("points its stale device "
                                               "elements at %s", to ? to->device : "?");
    gboolean moved = dev.moved || os.moved;
    r = report (c, "default-loader", moved ? BOOTFIX_LINK_FIXABLE : BOOTFIX_LINK_OK,
                detail, moved ? remedy : NULL);
  }
  where_clear (&dev);
  where_clear (&os);
  return r;
}

/* {bootmgr}'s default entry (23000003), else nothing to start. */
static int
check_default (Chain *c, ChainStore *s)
{
  const BootfixBcdObject *mgr =
    bootfix_bcd_store_find_object (s->store, BOOTFIX_BCD_GUID_BOOTMGR);
  g_autofree char *guid = mgr ? element_string (mgr, BOOTFIX_BCD_ELEM_DEFAULT) : NULL;
  const BootfixBcdObject *obj = guid ? bootfix_bcd_store_find_object (s->store, guid)
                                     : NULL;
  if (obj == NULL) {
    g_autofree char *detail = g_strdup_printf (
      "%s on %s has %s", s->path, s->home->device,
      mgr == NULL ? "no {bootmgr} object" : guid == NULL
      ? "no default entry in {bootmgr}" : "no object for {bootmgr}'s default");
    return report (c, "default-loader", BOOTFIX_LINK_BROKEN, detail,
                   uefi (c) ? BCDBOOT_UEFI : BCDBOOT_BIOS);
  }
  return report_loader (c, s, obj);
}

static int
check_nt6 (Chain *c, const struct bootfix_partition *home)
{
  static const char *const bios[] = { "\\bootmgr", NULL };
  static const char *const efi[] = { UEFI_BOOTMGR, NULL };
  const char *remedy = uefi (c) ? BCDBOOT_UEFI : BCDBOOT_BIOS;
  if (check_files (c, home, uefi (c) ? efi : bios, remedy) < 0)
    return -1;
  const char *path = uefi (c) ? CHAIN_UEFI_STORE : CHAIN_BIOS_STORE;
  ChainStore *s = NULL;
  g_autofree char *err = NULL;
  int r = chain_store_open (c, home, path, &s, &err);
  if (r < 0 && err == NULL)
    return -1;
  g_autofree char *detail = r > 0 ? g_strdup_printf ("%s on %s", path, home->device)
    : err ? g_strdup (err)
    : g_strdup_printf ("no %s on %s, where the boot manager reads it", path,
                       home->device);
  r = report (c, "boot-configuration", r > 0 ? BOOTFIX_LINK_OK : BOOTFIX_LINK_BROKEN,
              detail, r > 0 ? NULL : remedy);
  if (r == 0 && s)
    r = check_default (c, s);
  chain_store_free (s);
  return r < 0 ? -1 : 0;
}

/* ---- NT 5: boot.ini's default and the boot sectors ---- */

static int
check_bootini_default (Chain *c, const BootfixBootIni *ini)
{
  const BootfixArcPath *arc = ini->default_is_arc ? &ini->default_arc : NULL;
  for (guint i = 0; arc == NULL && i < ini->entries->len; i++) {
    const BootfixBootIniEntry *e = g_ptr_array_index (ini->entries, i);
    arc = e->is_arc ? &e->arc : NULL;
  }
  BootfixArcPath want = {
    .kind = BOOTFIX_ARC_MULTI, .rdisk = (guint32) c->root->disk_index,
    .partition = (guint32) c->root->arc_number, .path = c->sysroot_dir,
  };
  g_autofree char *now = arc ? bootfix_arc_path_to_string (arc) : g_strdup ("nothing");
  g_autofree char *to = bootfix_arc_path_to_string (&want);
  if (arc && g_ascii_strcasecmp (arc->path, c->sysroot_dir) == 0 &&
      bootfix_arc_path_same_device (arc, &want)) {
    g_autofree char *detail = g_strdup_printf ("boot.ini starts %s, Windows on "
                                               "%s", now, c->root->device);
    return report (c, "default-loader", BOOTFIX_LINK_OK, detail, NULL);
  }
  gboolean fixable = arc && chain_nt5_needs_repoint (c, arc, &want);
  g_autofree char *detail = g_strdup_printf ("boot.ini starts %s, but Windows "
                                             "is %s on %s", now, to,
                                             c->root->device);
  g_autofree char *remedy = fixable ? g_strdup_printf ("rewrites it to %s", to)
    : g_strdup_printf ("point boot.ini's default= at %s (bootcfg /rebuild in "
                       "the Recovery Console)", to);
  return report (c, "default-loader", fixable ? BOOTFIX_LINK_FIXABLE
                 : BOOTFIX_LINK_BROKEN, detail, remedy);
}

static int
check_bootini (Chain *c, const struct bootfix_partition *home)
{
  const struct bootfix_host *h = c->h;
  void *data = NULL;
  size_t len = 0;
  int r = h->read_file (h, home->device, "\\boot.ini", BOOTFIX_MAX_BOOTINI_SIZE,
                        &data, &len);
  if (r < 0)
    return -1;
  g_autoptr (GError) err = NULL;
  g_autoptr (BootfixBootIni) ini = r ? bootfix_bootini_parse (data, len, &err) : NULL;
  free (data);
  g_autofree char *detail = ini ? g_strdup_printf ("\\boot.ini on %s", home->device)
    : r ? g_strdup_printf ("\\boot.ini on %s cannot be read: %s", home->device,
                           err->message)
    : g_strdup_printf ("no \\boot.ini on %s, where NTLDR reads it", home->device);
  if (report (c, "boot-configuration", ini ? BOOTFIX_LINK_OK : BOOTFIX_LINK_BROKEN,
              detail, ini ? NULL : "rebuild it with bootcfg /rebuild in the "
              "Recovery Console of the Windows CD") < 0)
    return -1;
  if (ini == NULL || c->sysroot_dir == NULL || c->root->arc_number == 0)
    return 0;
  return check_bootini_default (c, ini);
}

static int
check_geometry (Chain *c, const struct bootfix_partition *home)
{
  GString *changes = g_string_new (NULL);
  const struct bootfix_partition *parts[2] = { c->root, home != c->root ? home : NULL };
  for (guint i = 0; i < 2 && parts[i]; i++) {
    g_autofree char *one = chain_nt5_geometry_changes (c, parts[i]);
    if (one == NULL) {
      g_string_free (changes, TRUE);
      return -1;
    }
    if (*one)
      g_string_append_printf (changes, "%s%s's boot sector: %s",
                              changes->len ? "; " : "", parts[i]->device, one);
  }
  g_autofree char *text = g_string_free (changes, FALSE);
  g_autofree char *ok = g_strdup_printf ("the boot sector of %s fits QEMU's BIOS "
                                         "geometry", c->root->device);
  return report (c, "boot-sector-geometry", *text ? BOOTFIX_LINK_FIXABLE
                 : BOOTFIX_LINK_OK, *text ? text : ok,
                 *text ? "sets them as QEMU's BIOS shows the disk" : NULL);
}

static int
check_nt5 (Chain *c, const struct bootfix_partition *home)
{
  static const char *const files[] = { "\\ntldr", "\\ntdetect.com", NULL };
  if (check_files (c, home, files, "copy ntldr and ntdetect.com from the i386 "
                   "folder of the Windows CD to the active partition "
                   "(Recovery Console: copy D:\\i386\\ntldr C:\\)") < 0 ||
      check_bootini (c, home) < 0)
    return -1;
  return check_geometry (c, home);
}

int
chain_check_links (Chain *c)
{
  if (!BOOTFIX_HOST_HAS (c->h, report_link))
    return 0;
  const struct bootfix_partition *home = boot_home (c);
  if (home == NULL)
    return 0;
  return c->h->facts->major_version >= 6 ? check_nt6 (c, home)
                                         : check_nt5 (c, home);
}
