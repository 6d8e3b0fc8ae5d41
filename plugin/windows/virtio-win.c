/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtio-win: the folder for the guest (<virtio-dir osinfo= dir=>), the
 * arch folder (an attribute of <virtio-driver> named after the arch),
 * then NAME/OSDIR/ARCHDIR/NAME.sys, as on the virtio-win ISO. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "virtio-win.h"

#define MAX_PATH 512
/* viostor.sys is under 100 KiB; leave room for debug builds. */
#define MAX_DRIVER_SIZE (16 * 1024 * 1024)

static const char *
os_folder (const struct bootfix_host *h, const struct bootfix_rule *r)
{
  size_t n = h->rule_n_items (r);
  for (size_t i = 0; i < n; i++)
    if (strcmp (h->rule_item_kind (r, i), "virtio-dir") == 0 &&
        strcasecmp (h->rule_item_attr (r, i, "osinfo"), h->facts->osinfo) == 0)
      return h->rule_item_attr (r, i, "dir");
  return NULL;
}

static int
refuse_missing (const struct bootfix_host *h, const char *what)
{
  char why[MAX_PATH + 128];
  snprintf (why, sizeof why, "the virtio-win tree has no %s for %s (%s)", what,
            h->facts->product_name, h->facts->arch);
  return h->refuse (h, why, "give a virtio-win release that supports this "
                    "Windows, or choose bus 'sata' (machine 'q35') or 'ide' "
                    "(machine 'pc')") < 0 ? -1 : 0;
}

static int
install_one (const struct bootfix_host *h, const struct bootfix_rule *r,
             size_t i, const char *osdir)
{
  const char *name = h->rule_item_attr (r, i, "name");
  const char *archdir = h->rule_item_attr (r, i, h->facts->arch);
  char rel[MAX_PATH], target[MAX_PATH];
  if (name == NULL || archdir == NULL)
    return refuse_missing (h, "folder for this architecture");
  if (snprintf (rel, sizeof rel, "%s/%s/%s/%s.sys", name, osdir, archdir, name) >= MAX_PATH ||
      snprintf (target, sizeof target, "system32\\drivers\\%s.sys", name) >= MAX_PATH) {
    h->error (h, "virtio-win path for %s is too long", name);
    return -1;
  }
  int there = h->file_exists (h, target);
  if (there != 0)
    return there < 0 ? -1 : 1; /* an installed driver is kept */
  void *data = NULL;
  size_t len = 0;
  int got = h->read_driver_source (h, rel, MAX_DRIVER_SIZE, &data, &len);
  if (got <= 0)
    return got < 0 ? -1 : refuse_missing (h, rel);
  char shown[MAX_PATH + 16], from[MAX_PATH + 64];
  snprintf (shown, sizeof shown, "%%SystemRoot%%\\%s", target);
  snprintf (from, sizeof from, "%zu bytes from virtio-win %s", len, rel);
  struct bootfix_edit edit = {
    ._struct_size = sizeof edit, .kind = "file", .target = shown,
    .old_text = NULL, .new_text = from, .reason = h->rule_id (r),
  };
  int res = h->create_windows_file (h, &edit, target, data, len);
  free (data);
  return res < 0 ? -1 : 1;
}

int
windows_install_virtio_drivers (const struct bootfix_host *h,
                                const struct bootfix_rule *r)
{
  size_t n = h->rule_n_items (r);
  for (size_t i = 0; i < n; i++) {
    if (strcmp (h->rule_item_kind (r, i), "virtio-driver") != 0)
      continue;
    if (!BOOTFIX_HOST_HAS (h, read_driver_source)) {
      h->error (h, "this host cannot read a virtio-win tree");
      return -1;
    }
    const char *osdir = os_folder (h, r);
    if (osdir == NULL)
      return refuse_missing (h, "folder known to virt-bootfix");
    int res = install_one (h, r, i, osdir);
    if (res <= 0)
      return res;
  }
  return 1;
}
