/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --check: the storage driver's links, as the guest is now, in the
 * current control set (the one that boots): is there a rule (an inbox
 * driver) for the controller, are its files there, does it start at
 * boot, does a StartOverride stop it, is it matched to the controller,
 * and do leftover drivers of the old hypervisor still load.  Each link
 * is fixable where the rule's items change it.  docs/boot-chain-check.md,
 * "Storage driver". */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "links.h"

#define MAX_TEXT 1024
#define MAX_KEY 512
#define SERVICES BOOTFIX_CONTROL_SET "\\Services\\"
#define CDD BOOTFIX_CONTROL_SET "\\Control\\CriticalDeviceDatabase\\"

/* A link's detail, built item by item (cut at MAX_TEXT). */
typedef struct {
  int state;
  char detail[MAX_TEXT];
  size_t len;
} Text;

static void __attribute__ ((format (printf, 2, 3)))
append (Text *t, const char *fmt, ...)
{
  va_list ap;
  if (t->len >= sizeof t->detail - 1)
    return;
  va_start (ap, fmt);
  int n = vsnprintf (t->detail + t->len, sizeof t->detail - t->len, fmt, ap);
  va_end (ap);
  if (n > 0)
    t->len += (size_t) n < sizeof t->detail - t->len ? (size_t) n
              : sizeof t->detail - t->len - 1;
}

static void
worsen (Text *t, int state)
{
  if (state > t->state)
    t->state = state;
}

static int
report (const struct bootfix_host *h, const char *name, int state,
        const char *detail, const char *remedy)
{
  struct bootfix_link l = {
    ._struct_size = sizeof l, .name = name, .state = state,
    .detail = detail, .remedy = state == BOOTFIX_LINK_OK ? NULL : remedy,
  };
  return h->report_link (h, &l);
}

/* A DWORD of the current control set: 1 with *v, 0 absent, -1. */
static int
read_dword (const struct bootfix_host *h, const char *key, const char *name,
            unsigned long *v)
{
  uint32_t type = 0;
  void *data = NULL;
  size_t len = 0;
  int r = h->get_value (h, "SYSTEM", key, name, &type, &data, &len);
  if (r == 1 && (type != BOOTFIX_REG_DWORD || len != 4))
    r = 0;
  if (r == 1) {
    const unsigned char *b = data;
    *v = b[0] | (unsigned long) b[1] << 8 | (unsigned long) b[2] << 16 |
         (unsigned long) b[3] << 24;
  }
  free (data);
  return r;
}

static int
key_path (const struct bootfix_host *h, char *buf, const char *prefix,
          const char *name, const char *suffix)
{
  int n = snprintf (buf, MAX_KEY, "%s%s%s", prefix, name, suffix);
  if (n < 0 || n >= MAX_KEY) {
    h->error (h, "registry path for '%s' is too long", name);
    return -1;
  }
  return 0;
}

static int
is_kind (const struct bootfix_host *h, const struct bootfix_rule *r, size_t i,
         const char *kind)
{
  return strcmp (h->rule_item_kind (r, i), kind) == 0 &&
         windows_item_applies (h, r, i);
}

/* ---- files ---- */

/* One driver file: present, in a cabinet, or missing. */
static int
check_file (const struct bootfix_host *h, const struct bootfix_rule *r,
            size_t i, Text *t)
{
  const char *name = h->rule_item_attr (r, i, "name");
  const char *cabs = h->rule_item_attr (r, i, "cabinets");
  char path[MAX_KEY];
  if (name == NULL || key_path (h, path, "system32\\drivers\\", name, "") < 0)
    return -1;
  int there = h->file_exists (h, path);
  if (there != 0)
    return there < 0 ? -1 : 0;
  int in_cab = 0;
  char folders[MAX_KEY];
  snprintf (folders, sizeof folders, "%s", cabs ? cabs : "");
  char *save = NULL;
  for (char *f = strtok_r (folders, ";", &save); f && !in_cab && cabs &&
       BOOTFIX_HOST_HAS (h, cabinet_extract); f = strtok_r (NULL, ";", &save)) {
    void *data = NULL;
    size_t len = 0;
    char *source = NULL;
    in_cab = h->cabinet_extract (h, f, name, &data, &len, &source);
    if (in_cab > 0)
      append (t, "%s%s is missing, %s holds it", t->len ? "; " : "", name,
              source ? source : f);
    free (data);
    free (source);
    if (in_cab < 0)
      return -1;
  }
  if (in_cab == 0)
    append (t, "%s%%SystemRoot%%\\%s is missing", t->len ? "; " : "", path);
  worsen (t, in_cab ? BOOTFIX_LINK_FIXABLE : BOOTFIX_LINK_BROKEN);
  return 0;
}

/* A virtio driver: installed, or to come from the --virtio-win tree. */
static int
check_virtio (const struct bootfix_host *h, const struct bootfix_rule *r,
              size_t i, Text *t)
{
  const char *name = h->rule_item_attr (r, i, "name");
  char path[MAX_KEY];
  if (name == NULL || key_path (h, path, "system32\\drivers\\", name, ".sys") < 0)
    return -1;
  int there = h->file_exists (h, path);
  if (there != 0)
    return there < 0 ? -1 : 0;
  int tree = *h->facts->driver_source != '\0';
  append (t, "%s%%SystemRoot%%\\%s is not installed%s", t->len ? "; " : "",
          path, tree ? ", the virtio-win tree has it" : "");
  worsen (t, tree ? BOOTFIX_LINK_FIXABLE : BOOTFIX_LINK_BROKEN);
  return 0;
}

static int
check_files (const struct bootfix_host *h, const struct bootfix_rule *r)
{
  Text t = { BOOTFIX_LINK_OK, "", 0 };
  size_t n = h->rule_n_items (r), files = 0;
  for (size_t i = 0; i < n; i++) {
    int res = 0;
    if (is_kind (h, r, i, "driver-file"))
      res = check_file (h, r, i, &t);
    else if (is_kind (h, r, i, "virtio-driver"))
      res = check_virtio (h, r, i, &t);
    else
      continue;
    if (res < 0)
      return -1;
    files++;
  }
  if (files == 0)
    return 0;
  if (t.len == 0)
    append (&t, "the driver files of rule %s are in system32\\drivers",
            h->rule_id (r));
  return report (h, "storage-driver-file", t.state, t.detail,
                 t.state == BOOTFIX_LINK_FIXABLE
                 ? "copies the missing files in"
                 : "restore the file from the Windows installation media (or "
                   "give --virtio-win DIR for a virtio driver), or choose "
                   "another bus");
}

/* ---- start, StartOverride, the controller match ---- */

static int
check_start (const struct bootfix_host *h, const struct bootfix_rule *r)
{
  Text t = { BOOTFIX_LINK_OK, "", 0 };
  Text ok = { BOOTFIX_LINK_OK, "", 0 };
  size_t n = h->rule_n_items (r);
  for (size_t i = 0; i < n; i++) {
    const char *name = h->rule_item_attr (r, i, "name");
    const char *start = h->rule_item_attr (r, i, "start");
    char key[MAX_KEY];
    unsigned long v = 0;
    if (!is_kind (h, r, i, "service") || start == NULL || name == NULL)
      continue;
    if (key_path (h, key, SERVICES, name, "") < 0)
      return -1;
    int got = read_dword (h, key, "Start", &v);
    if (got < 0)
      return -1;
    if (got && v == strtoul (start, NULL, 0)) {
      append (&ok, "%s%s", ok.len ? ", " : "", name);
      continue;
    }
    if (got)
      append (&t, "%s%s has Start=%lu (%s needed)", t.len ? "; " : "", name, v, start);
    else
      append (&t, "%s%s has no Start value (%s needed)", t.len ? "; " : "", name, start);
    worsen (&t, BOOTFIX_LINK_FIXABLE);
  }
  if (t.len == 0 && ok.len == 0)
    return 0;
  if (t.len == 0)
    append (&t, "%s start at boot", ok.detail);
  return report (h, "storage-driver-start", t.state, t.detail,
                 "sets Start in every control set");
}

static int
check_override (const struct bootfix_host *h, const struct bootfix_rule *r)
{
  Text t = { BOOTFIX_LINK_OK, "", 0 };
  size_t n = h->rule_n_items (r), items = 0;
  for (size_t i = 0; i < n; i++) {
    const char *svc = h->rule_item_attr (r, i, "service");
    char key[MAX_KEY];
    char **names = NULL;
    size_t count = 0;
    if (!is_kind (h, r, i, "remove-start-override") || svc == NULL)
      continue;
    items++;
    if (key_path (h, key, SERVICES, svc, "\\StartOverride") < 0)
      return -1;
    int got = h->list_values (h, "SYSTEM", key, &names, &count);
    for (size_t k = 0; got == 1 && k < count; k++)
      free (names[k]);
    if (got == 1)
      free (names);
    if (got < 0)
      return -1;
    if (got == 1 && count > 0) {
      append (&t, "%s%s\\StartOverride keeps %s from starting at boot",
              t.len ? "; " : "", svc, svc);
      worsen (&t, BOOTFIX_LINK_FIXABLE);
    }
  }
  if (items == 0)
    return 0;
  if (t.len == 0)
    append (&t, "no StartOverride stops the driver");
  return report (h, "storage-driver-override", t.state, t.detail,
                 "deletes the StartOverride keys");
}

/* NT 5 to 6.1 find a boot driver for a PCI id through the
 * CriticalDeviceDatabase; later ones through the inbox INF files. */
static int
check_match (const struct bootfix_host *h, const struct bootfix_rule *r)
{
  Text t = { BOOTFIX_LINK_OK, "", 0 };
  size_t n = h->rule_n_items (r), items = 0;
  for (size_t i = 0; i < n; i++) {
    const char *id = h->rule_item_attr (r, i, "id");
    const char *svc = h->rule_item_attr (r, i, "service");
    char key[MAX_KEY];
    uint32_t type = 0;
    void *data = NULL;
    size_t len = 0;
    if (!is_kind (h, r, i, "cdd") || id == NULL || svc == NULL)
      continue;
    items++;
    if (key_path (h, key, CDD, id, "") < 0)
      return -1;
    int got = h->get_value (h, "SYSTEM", key, "Service", &type, &data, &len);
    int same = got == 1 && type == BOOTFIX_REG_SZ && strcasecmp (data, svc) == 0;
    free (data);
    if (got < 0)
      return -1;
    if (!same) {
      append (&t, "%sCriticalDeviceDatabase\\%s does not name %s",
              t.len ? "; " : "", id, svc);
      worsen (&t, BOOTFIX_LINK_FIXABLE);
    }
  }
  if (t.len == 0 && items > 0)
    append (&t, "the CriticalDeviceDatabase maps %s [%s] to its driver",
            h->facts->controller_id, h->facts->pci_id);
  else if (t.len == 0)
    append (&t, "Windows %d.%d finds the driver for %s [%s] in its inbox INF "
            "files", h->facts->major_version, h->facts->minor_version,
            h->facts->controller_id, h->facts->pci_id);
  return report (h, "controller-match", t.state, t.detail,
                 "adds the CriticalDeviceDatabase keys");
}

/* ---- leftover drivers ---- */

static int
check_leftovers (const struct bootfix_host *h, const struct bootfix_rule *r)
{
  Text t = { BOOTFIX_LINK_OK, "", 0 };
  size_t n = h->rule_n_items (r), items = 0;
  for (size_t i = 0; i < n; i++) {
    const char *name = h->rule_item_attr (r, i, "name");
    char key[MAX_KEY];
    unsigned long v = 0;
    if (!is_kind (h, r, i, "disable-service") || name == NULL)
      continue;
    items++;
    if (key_path (h, key, SERVICES, name, "") < 0)
      return -1;
    int got = read_dword (h, key, "Start", &v);
    if (got < 0)
      return -1;
    if (got && v != 4) {
      append (&t, "%s%s still starts (Start=%lu)", t.len ? "; " : "", name, v);
      worsen (&t, BOOTFIX_LINK_FIXABLE);
    }
  }
  if (items == 0)
    return 0;
  if (t.len == 0)
    append (&t, "no driver of another hypervisor starts");
  return report (h, "leftover-drivers", t.state, t.detail,
                 "disables them (Start=4) and takes them out of the filter lists");
}

int
windows_check_links (const struct bootfix_host *h)
{
  const struct bootfix_rule *r = h->rule (h);
  const struct bootfix_facts *f = h->facts;
  char why[MAX_TEXT];
  if (!BOOTFIX_HOST_HAS (h, report_link))
    return 0;
  if (r == NULL) {
    snprintf (why, sizeof why, "no inbox driver: no rule covers %s (NT %d.%d, "
              "%s) on the %s controller (%s)", f->product_name, f->major_version,
              f->minor_version, f->arch, f->controller_id, f->pci_id);
    return report (h, "storage-driver", BOOTFIX_LINK_BROKEN, why,
                   WINDOWS_NO_RULE_ADVICE);
  }
  size_t n = h->rule_n_items (r);
  for (size_t i = 0; i < n; i++)
    if (strcmp (h->rule_item_kind (r, i), "refuse") == 0)
      return report (h, "storage-driver", BOOTFIX_LINK_BROKEN,
                     h->rule_item_attr (r, i, "reason"),
                     h->rule_item_attr (r, i, "advice"));
  snprintf (why, sizeof why, "rule %s: %s [%s] has an inbox driver",
            h->rule_id (r), f->controller_id, f->pci_id);
  if (report (h, "storage-driver", BOOTFIX_LINK_OK, why, NULL) < 0 ||
      check_files (h, r) < 0 || check_start (h, r) < 0 ||
      check_override (h, r) < 0 || check_match (h, r) < 0)
    return -1;
  return check_leftovers (h, r);
}
