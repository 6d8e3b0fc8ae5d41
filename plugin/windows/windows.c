/* The Windows storage module: turns the matched rule (data/rules) into
 * registry actions that let Windows load the driver of the emulated
 * boot controller.  It knows how to apply each kind of rule item; which
 * Windows needs which item is data, not code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bootfix-module.h"

#define SERVICES BOOTFIX_CONTROL_SET "\\Services\\"
#define CDD BOOTFIX_CONTROL_SET "\\Control\\CriticalDeviceDatabase\\"

/* Longest registry path we build. */
#define MAX_PATH 512

static int
windows_probe (const struct bootfix_host *h)
{
  return strcmp (h->facts->os_type, "windows") == 0;
}

static int
build_path (const struct bootfix_host *h, char *buf, const char *prefix,
            const char *name, const char *suffix)
{
  int n = snprintf (buf, MAX_PATH, "%s%s%s", prefix, name, suffix);
  if (n < 0 || n >= MAX_PATH) {
    h->error (h, "registry path for '%s' is too long", name);
    return -1;
  }
  return 0;
}

static int
set_string (const struct bootfix_host *h, const char *path, const char *name,
            uint32_t type, const char *value, const char *reason)
{
  return h->set_value (h, "SYSTEM", path, name, type, value, strlen (value),
                       reason);
}

static int
set_dword (const struct bootfix_host *h, const char *path, const char *name,
           const char *text, const char *reason)
{
  char *end = NULL;
  unsigned long v = strtoul (text, &end, 0);
  if (*text == '\0' || *end != '\0' || v > 0xffffffffUL) {
    h->error (h, "rule %s: '%s' is not a number for %s", reason, text, name);
    return -1;
  }
  uint8_t le[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >> 24) & 0xff };
  return h->set_value (h, "SYSTEM", path, name, BOOTFIX_REG_DWORD, le, 4, reason);
}

/* Set a value only when the current control set lacks it: we never
 * overwrite what Windows set up, except Start. */
static int
fill_in (const struct bootfix_host *h, const char *path, const char *name,
         uint32_t type, const char *value, const char *reason)
{
  if (value == NULL)
    return 0;
  uint32_t t;
  void *data = NULL;
  size_t len;
  int r = h->get_value (h, "SYSTEM", path, name, &t, &data, &len);
  free (data);
  if (r != 0)
    return r < 0 ? -1 : 0;
  return type == BOOTFIX_REG_DWORD ? set_dword (h, path, name, value, reason)
                                   : set_string (h, path, name, type, value, reason);
}

static int
plan_service (const struct bootfix_host *h, const struct bootfix_rule *r,
              size_t i, const char *reason)
{
  const char *name = h->rule_item_attr (r, i, "name");
  const char *start = h->rule_item_attr (r, i, "start");
  char path[MAX_PATH];
  if (name == NULL || build_path (h, path, SERVICES, name, "") == -1)
    return -1;
  if (fill_in (h, path, "Type", BOOTFIX_REG_DWORD,
               h->rule_item_attr (r, i, "type"), reason) == -1 ||
      fill_in (h, path, "ErrorControl", BOOTFIX_REG_DWORD,
               h->rule_item_attr (r, i, "error-control"), reason) == -1 ||
      fill_in (h, path, "Group", BOOTFIX_REG_SZ,
               h->rule_item_attr (r, i, "group"), reason) == -1 ||
      fill_in (h, path, "ImagePath", BOOTFIX_REG_EXPAND_SZ,
               h->rule_item_attr (r, i, "image-path"), reason) == -1)
    return -1;
  return start ? set_dword (h, path, "Start", start, reason) : 0;
}

static int
plan_cdd (const struct bootfix_host *h, const struct bootfix_rule *r, size_t i,
          const char *reason)
{
  const char *id = h->rule_item_attr (r, i, "id");
  const char *service = h->rule_item_attr (r, i, "service");
  const char *guid = h->rule_item_attr (r, i, "class-guid");
  char path[MAX_PATH];
  if (id == NULL || service == NULL || guid == NULL) {
    h->error (h, "rule %s: a cdd item needs id, service and class-guid", reason);
    return -1;
  }
  if (build_path (h, path, CDD, id, "") == -1 ||
      set_string (h, path, "Service", BOOTFIX_REG_SZ, service, reason) == -1)
    return -1;
  return set_string (h, path, "ClassGUID", BOOTFIX_REG_SZ, guid, reason);
}

static int
plan_remove_start_override (const struct bootfix_host *h,
                            const struct bootfix_rule *r, size_t i,
                            const char *reason)
{
  const char *service = h->rule_item_attr (r, i, "service");
  char path[MAX_PATH];
  if (service == NULL || build_path (h, path, SERVICES, service, "\\StartOverride") == -1)
    return -1;
  return h->delete_key (h, "SYSTEM", path, reason);
}

/* Every driver the plan makes boot-start must be on disk, or Windows
 * stops with the very 0x7B we are here to prevent.  Returns 1 when all
 * are present, 0 after refusing, -1 on error. */
static int
check_driver_files (const struct bootfix_host *h, const struct bootfix_rule *r)
{
  size_t n = h->rule_n_items (r);
  for (size_t i = 0; i < n; i++) {
    if (strcmp (h->rule_item_kind (r, i), "driver-file") != 0)
      continue;
    const char *file = h->rule_item_attr (r, i, "name");
    char path[MAX_PATH];
    if (file == NULL || build_path (h, path, "system32\\drivers\\", file, "") == -1)
      return -1;
    int exists = h->file_exists (h, path);
    if (exists <= 0) {
      if (exists == 0) {
        char why[MAX_PATH + 128];
        snprintf (why, sizeof why, "the driver file %%SystemRoot%%\\%s that "
                  "%s needs is missing", path, h->facts->controller_id);
        h->refuse (h, why, "restore the file from the Windows installation "
                   "media, or choose another bus");
      }
      return exists < 0 ? -1 : 0;
    }
  }
  return 1;
}

/* An item may name the one controller it is for (the CDDB key of the
 * other PIIX is not needed). */
static int
item_applies (const struct bootfix_host *h, const struct bootfix_rule *r,
              size_t i)
{
  const char *only = h->rule_item_attr (r, i, "controller");
  return only == NULL || strcasecmp (only, h->facts->controller_id) == 0;
}

static int
plan_item (const struct bootfix_host *h, const struct bootfix_rule *r, size_t i,
           const char *reason)
{
  const char *kind = h->rule_item_kind (r, i);
  if (!item_applies (h, r, i))
    return 0;
  if (strcmp (kind, "service") == 0)
    return plan_service (h, r, i, reason);
  if (strcmp (kind, "cdd") == 0)
    return plan_cdd (h, r, i, reason);
  if (strcmp (kind, "remove-start-override") == 0)
    return plan_remove_start_override (h, r, i, reason);
  if (strcmp (kind, "driver-file") == 0)
    return 0; /* checked before anything is planned */
  /* A rule this module cannot fully apply must not be half-applied. */
  char why[256];
  snprintf (why, sizeof why, "rule %s asks for '%s', which this version of "
            "the windows module does not know", reason, kind);
  return h->refuse (h, why, "update virt-bootfix");
}

/* The first refuse item wins: the guest must not be touched. */
static int
find_refusal (const struct bootfix_host *h, const struct bootfix_rule *r)
{
  size_t n = h->rule_n_items (r);
  for (size_t i = 0; i < n; i++)
    if (strcmp (h->rule_item_kind (r, i), "refuse") == 0) {
      h->refuse (h, h->rule_item_attr (r, i, "reason"),
                 h->rule_item_attr (r, i, "advice"));
      return 1;
    }
  return 0;
}

static int
windows_plan (const struct bootfix_host *h)
{
  const struct bootfix_rule *r = h->rule (h);
  const struct bootfix_facts *f = h->facts;
  if (r == NULL) {
    char why[512];
    snprintf (why, sizeof why, "no rule covers %s (NT %d.%d, %s) on the %s "
              "controller (%s)", f->product_name, f->major_version,
              f->minor_version, f->arch, f->controller_id, f->pci_id);
    return h->refuse (h, why, "choose another bus (ide on machine pc, or sata "
                      "on q35), or add a rule under data/rules");
  }
  if (find_refusal (h, r))
    return 0;
  int files = check_driver_files (h, r);
  if (files <= 0)
    return files;
  const char *reason = h->rule_id (r);
  size_t n = h->rule_n_items (r);
  for (size_t i = 0; i < n; i++)
    if (plan_item (h, r, i, reason) == -1)
      return -1;
  return 0;
}

static struct bootfix_module windows_module = {
  .name = "windows",
  .version = "1",
  .description = "Enable the inbox storage driver of the emulated boot "
                 "controller (CriticalDeviceDatabase, service Start, "
                 "StartOverride)",
  .probe = windows_probe,
  .plan = windows_plan,
};

BOOTFIX_REGISTER_MODULE (windows_module)
