/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Windows storage module: turns the matched rule (data/rules) into
 * registry actions that let Windows load the driver of the emulated
 * boot controller, and applies the cleanups the host appends to it
 * (drivers of the old hypervisor that must not load any more).  It
 * knows how to apply each kind of rule item; which Windows needs which
 * item is data, not code. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bootfix-module.h"
#include "links.h"
#include "registry-value.h"
#include "virtio-win.h"

#define SERVICES BOOTFIX_CONTROL_SET "\\Services\\"
#define CDD BOOTFIX_CONTROL_SET "\\Control\\CriticalDeviceDatabase\\"

/* Longest registry path we build. */
#define MAX_PATH 512
/* Longest reason we show with an action: "RULE-ID: REASON", each at
 * most 256 bytes in the rule files. */
#define MAX_REASON 600
/* Longest control set key name: "ControlSetNNN". */
#define CONTROL_SET_NAME_LEN 13

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

/* Read name under rest in the control set set_name (path receives the
 * key's path).  1 with *data to free, 0 when the key or value is
 * absent, -1 error. */
static int
read_in_control_set (const struct bootfix_host *h, const char *set_name,
                     const char *rest, const char *name, char *path,
                     uint32_t *type, void **data, size_t *len)
{
  int k = snprintf (path, MAX_PATH, "%s\\%s", set_name, rest);
  if (k < 0 || k >= MAX_PATH) {
    h->error (h, "registry path for '%s' is too long", rest);
    return -1;
  }
  *data = NULL;
  return h->get_value (h, "SYSTEM", path, name, type, data, len);
}

static int
fill_value (const struct bootfix_host *h, const char *path, const char *name,
            uint32_t type, const char *value, const char *reason)
{
  return type == BOOTFIX_REG_DWORD ? set_dword (h, path, name, value, reason)
                                   : set_string (h, path, name, type, value, reason);
}

static int
is_control_set_name (const char *name)
{
  if (strlen (name) != CONTROL_SET_NAME_LEN ||
      strncasecmp (name, "ControlSet", 10) != 0)
    return 0;
  for (size_t k = 10; k < CONTROL_SET_NAME_LEN; k++)
    if (!isdigit ((unsigned char) name[k]))
      return 0;
  return 1;
}

static int
compare_names (const void *a, const void *b)
{
  return strcasecmp (*(char *const *) a, *(char *const *) b);
}

static void
free_names (char **names, size_t n)
{
  for (size_t k = 0; names && k < n; k++)
    free (names[k]);
  free (names);
}

/* The control sets a cleanup edits, each as a key name under SYSTEM, in
 * order: every ControlSetNNN in the hive, or, from an older host that
 * cannot list keys, the current one alone (the host expands
 * BOOTFIX_CONTROL_SET).  0 with *sets to free_names, or -1. */
static int
control_sets (const struct bootfix_host *h, char ***sets, size_t *n)
{
  *sets = NULL;
  *n = 0;
  if (!BOOTFIX_HOST_HAS (h, list_subkeys)) {
    *sets = calloc (1, sizeof **sets);
    if (*sets == NULL || ((*sets)[0] = strdup (BOOTFIX_CONTROL_SET)) == NULL) {
      free (*sets);
      h->error (h, "out of memory");
      return -1;
    }
    *n = 1;
    return 0;
  }
  char **names = NULL;
  size_t count = 0;
  if (h->list_subkeys (h, "SYSTEM", "", &names, &count) < 0)
    return -1;
  size_t kept = 0;
  for (size_t k = 0; k < count; k++) {
    if (is_control_set_name (names[k]))
      names[kept++] = names[k];
    else
      free (names[k]);
  }
  if (kept > 0)
    qsort (names, kept, sizeof *names, compare_names);
  *sets = names;
  *n = kept;
  return 0;
}

/* Set a value in every control set that lacks it: we never overwrite
 * what Windows set up, except Start.  rest is under the control set
 * ("Services\\intelide"). */
static int
fill_in (const struct bootfix_host *h, const char *rest, const char *name,
         uint32_t type, const char *value, const char *reason)
{
  char **sets;
  size_t n_sets;
  if (value == NULL)
    return 0;
  if (control_sets (h, &sets, &n_sets) < 0)
    return -1;
  int rc = 0;
  for (size_t k = 0; k < n_sets && rc == 0; k++) {
    char path[MAX_PATH];
    uint32_t t;
    void *data = NULL;
    size_t len;
    int r = read_in_control_set (h, sets[k], rest, name, path, &t, &data, &len);
    free (data);
    if (r < 0 || (r == 0 && fill_value (h, path, name, type, value, reason) < 0))
      rc = -1;
  }
  free_names (sets, n_sets);
  return rc;
}

static int
plan_service (const struct bootfix_host *h, const struct bootfix_rule *r,
              size_t i, const char *reason)
{
  const char *name = h->rule_item_attr (r, i, "name");
  const char *start = h->rule_item_attr (r, i, "start");
  char path[MAX_PATH], rest[MAX_PATH];
  if (name == NULL || build_path (h, path, SERVICES, name, "") == -1 ||
      build_path (h, rest, "Services\\", name, "") == -1)
    return -1;
  if (fill_in (h, rest, "Type", BOOTFIX_REG_DWORD,
               h->rule_item_attr (r, i, "type"), reason) == -1 ||
      fill_in (h, rest, "ErrorControl", BOOTFIX_REG_DWORD,
               h->rule_item_attr (r, i, "error-control"), reason) == -1 ||
      fill_in (h, rest, "Group", BOOTFIX_REG_SZ,
               h->rule_item_attr (r, i, "group"), reason) == -1 ||
      fill_in (h, rest, "ImagePath", BOOTFIX_REG_EXPAND_SZ,
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

/* Plan the missing driver file path from the first folder of the
 * item's cabinets list (';'-separated) that has it.  1 planned, 0 no
 * cabinet has it, -1 error. */
static int
extract_driver (const struct bootfix_host *h, const struct bootfix_rule *r,
                size_t i, const char *file, const char *path)
{
  const char *list = h->rule_item_attr (r, i, "cabinets");
  if (list == NULL || !BOOTFIX_HOST_HAS (h, cabinet_extract) ||
      !BOOTFIX_HOST_HAS (h, create_windows_file))
    return 0;
  char folders[MAX_PATH];
  if (snprintf (folders, sizeof folders, "%s", list) >= (int) sizeof folders)
    return 0;
  char *save = NULL;
  for (char *folder = strtok_r (folders, ";", &save); folder;
       folder = strtok_r (NULL, ";", &save)) {
    void *data = NULL;
    size_t len = 0;
    char *source = NULL;
    int got = h->cabinet_extract (h, folder, file, &data, &len, &source);
    if (got <= 0) {
      if (got < 0)
        return -1;
      continue;
    }
    char target[MAX_PATH + 16], from[MAX_PATH + 64];
    snprintf (target, sizeof target, "%%SystemRoot%%\\%s", path);
    snprintf (from, sizeof from, "%zu bytes from %s", len, source ? source : folder);
    struct bootfix_edit edit = {
      ._struct_size = sizeof edit, .kind = "file", .target = target,
      .old_text = NULL, .new_text = from, .reason = h->rule_id (r),
    };
    int res = h->create_windows_file (h, &edit, path, data, len);
    free (data);
    free (source);
    return res < 0 ? -1 : 1;
  }
  return 0;
}

/* Every driver the plan makes boot-start must be on disk, or Windows
 * stops with the very 0x7B we are here to prevent: a missing one comes
 * from the driver cache when the rule says where that is.  Returns 1
 * when all are there, 0 after refusing, -1 on error. */
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
    if (exists == 0)
      exists = extract_driver (h, r, i, file, path);
    if (exists <= 0) {
      if (exists == 0) {
        const char *cabs = h->rule_item_attr (r, i, "cabinets");
        char why[2 * MAX_PATH + 128];
        snprintf (why, sizeof why, "the driver file %%SystemRoot%%\\%s that "
                  "%s needs is missing%s%s%s", path, h->facts->controller_id,
                  cabs ? ", and no cabinet in %SystemRoot%\\" : "",
                  cabs ? cabs : "", cabs ? " holds it" : "");
        h->refuse (h, why, "restore the file from the Windows installation "
                   "media, or choose another bus");
      }
      return exists < 0 ? -1 : 0;
    }
  }
  return 1;
}

/* ---- cleanups ---- */

/* The id of the rule or cleanup item i was written in: its attribute
 * "rule", which the host adds (an older host does not). */
static const char *
item_rule (const struct bootfix_host *h, const struct bootfix_rule *r,
           size_t i)
{
  const char *rule = h->rule_item_attr (r, i, "rule");
  return rule != NULL ? rule : h->rule_id (r);
}

/* The reason shown with an item's actions: the id of the rule or
 * cleanup, and a cleanup item's own reason. */
static void
item_reason (const struct bootfix_host *h, const struct bootfix_rule *r,
             size_t i, char *buf)
{
  const char *rule = item_rule (h, r, i);
  const char *why = h->rule_item_attr (r, i, "reason");
  if (why != NULL)
    snprintf (buf, MAX_REASON, "%s: %s", rule, why);
  else
    snprintf (buf, MAX_REASON, "%s", rule);
}

/* Start=4 in every control set whose Services\NAME has a Start value;
 * the key is never created, nor deleted (uninstallers need it). */
static int
plan_disable_service (const struct bootfix_host *h,
                      const struct bootfix_rule *r, size_t i,
                      const char *reason)
{
  const char *name = h->rule_item_attr (r, i, "name");
  char rest[MAX_PATH];
  char **sets;
  size_t n_sets;
  if (name == NULL || build_path (h, rest, "Services\\", name, "") == -1 ||
      control_sets (h, &sets, &n_sets) < 0)
    return -1;
  int rc = 0;
  for (size_t k = 0; k < n_sets && rc == 0; k++) {
    char path[MAX_PATH];
    uint32_t type;
    void *data;
    size_t len;
    int found = read_in_control_set (h, sets[k], rest, "Start", path, &type,
                                     &data, &len);
    free (data);
    if (found < 0 || (found && set_dword (h, path, "Start", "4", reason) < 0))
      rc = -1;
  }
  free_names (sets, n_sets);
  return rc;
}

static int
attr_is (const struct bootfix_host *h, const struct bootfix_rule *r,
         size_t i, const char *attr, const char *want)
{
  const char *v = h->rule_item_attr (r, i, attr);
  return v != NULL && want != NULL && strcasecmp (v, want) == 0;
}

/* Do items i and j both remove a name from the same filter list? */
static int
same_filter_list (const struct bootfix_host *h, const struct bootfix_rule *r,
                  size_t i, size_t j)
{
  return strcmp (h->rule_item_kind (r, j), "remove-filter") == 0
         && attr_is (h, r, j, "class-guid",
                     h->rule_item_attr (r, i, "class-guid"))
         && attr_is (h, r, j, "value", h->rule_item_attr (r, i, "value"));
}

/* Is the entry (n bytes of UTF-8 at p) the name, ignoring ASCII case? */
static int
entry_is (const char *p, size_t n, const char *name)
{
  return strlen (name) == n && strncasecmp (p, name, n) == 0;
}

/* The names to remove from one list: the remove-filter items of the
 * rule that edit it, and which of them the list held. */
typedef struct {
  size_t n;
  size_t *item;  /* rule item indexes */
  int *found;
} FilterEdit;

static int
entry_to_remove (const struct bootfix_host *h, const struct bootfix_rule *r,
                 FilterEdit *edit, const char *p, size_t n)
{
  for (size_t g = 0; g < edit->n; g++)
    if (entry_is (p, n, h->rule_item_attr (r, edit->item[g], "name"))) {
      edit->found[g] = 1;
      return 1;
    }
  return 0;
}

/* Copy a REG_MULTI_SZ list (len bytes in the ABI's UTF-8 form) to out
 * without the entries to remove and without empty entries, in order,
 * terminated.  out has room for len + 2 bytes.  Returns its length. */
static size_t
filter_multi_sz (const struct bootfix_host *h, const struct bootfix_rule *r,
                 FilterEdit *edit, const char *in, size_t len, char *out)
{
  size_t o = 0, start = 0;
  for (size_t k = 0; k <= len; k++) {
    if (k < len && in[k] != '\0')
      continue;
    size_t n = k - start;
    if (n > 0 && !entry_to_remove (h, r, edit, in + start, n)) {
      memcpy (out + o, in + start, n);
      o += n;
      out[o++] = '\0';
    }
    start = k + 1;
  }
  out[o++] = '\0';
  return o;
}

/* The reasons of the items whose names were removed, joined by "; ". */
static char *
edit_reason (const struct bootfix_host *h, const struct bootfix_rule *r,
             const FilterEdit *edit)
{
  char *out = calloc (edit->n, MAX_REASON + 2);
  if (out == NULL)
    return NULL;
  for (size_t g = 0; g < edit->n; g++) {
    char one[MAX_REASON];
    if (!edit->found[g])
      continue;
    item_reason (h, r, edit->item[g], one);
    if (*out != '\0')
      strcat (out, "; ");
    strcat (out, one);
  }
  return out;
}

/* Plan the new list for one control set's key path, if it changes. */
static int
plan_filter_list (const struct bootfix_host *h, const struct bootfix_rule *r,
                  FilterEdit *edit, const char *path, const char *value,
                  const char *in, size_t len)
{
  char *out = malloc (len + 2);
  if (out == NULL) {
    h->error (h, "out of memory");
    return -1;
  }
  memset (edit->found, 0, edit->n * sizeof *edit->found);
  size_t out_len = filter_multi_sz (h, r, edit, in, len, out);
  int changed = 0, rc = 0;
  for (size_t g = 0; g < edit->n; g++)
    changed |= edit->found[g];
  if (changed) {
    char *reason = edit_reason (h, r, edit);
    rc = reason == NULL ? -1
         : h->set_value (h, "SYSTEM", path, value, BOOTFIX_REG_MULTI_SZ, out,
                         out_len, reason);
    if (reason == NULL)
      h->error (h, "out of memory");
    free (reason);
  }
  free (out);
  return rc;
}

/* One list in every control set that has it.  A value that is not a
 * REG_MULTI_SZ is left alone, with a warning. */
static int
plan_filter_lists (const struct bootfix_host *h, const struct bootfix_rule *r,
                   FilterEdit *edit, const char *rest, const char *value)
{
  char **sets;
  size_t n_sets;
  if (control_sets (h, &sets, &n_sets) < 0)
    return -1;
  int rc = 0;
  for (size_t k = 0; k < n_sets && rc >= 0; k++) {
    char path[MAX_PATH];
    uint32_t type;
    void *data;
    size_t len;
    int found = read_in_control_set (h, sets[k], rest, value, path, &type,
                                     &data, &len);
    rc = found;
    if (found > 0 && type != BOOTFIX_REG_MULTI_SZ)
      h->log (h, BOOTFIX_LOG_WARNING, "HKLM\\SYSTEM\\%s\\%s is not a "
              "REG_MULTI_SZ list; it was left as it is", path, value);
    else if (found > 0)
      rc = plan_filter_list (h, r, edit, path, value, data, len);
    free (data);
  }
  free_names (sets, n_sets);
  return rc < 0 ? -1 : 0;
}

/* Remove the names of item i and of every later item that edits the
 * same list in one go, so that each removal sees the others (the host
 * reads the guest as it was, not as planned).  An earlier item of the
 * same list has done it already. */
static int
plan_remove_filter (const struct bootfix_host *h, const struct bootfix_rule *r,
                    size_t i)
{
  const char *guid = h->rule_item_attr (r, i, "class-guid");
  const char *value = h->rule_item_attr (r, i, "value");
  size_t n = h->rule_n_items (r);
  char rest[MAX_PATH];
  if (guid == NULL || value == NULL
      || h->rule_item_attr (r, i, "name") == NULL) {
    h->error (h, "rule %s: a remove-filter item needs class-guid, value and "
              "name", h->rule_id (r));
    return -1;
  }
  for (size_t j = 0; j < i; j++)
    if (same_filter_list (h, r, i, j))
      return 0;
  if (build_path (h, rest, "Control\\Class\\", guid, "") == -1)
    return -1;
  FilterEdit edit = { 0, calloc (n, sizeof (size_t)),
                      calloc (n, sizeof (int)) };
  int rc = -1;
  if (edit.item == NULL || edit.found == NULL)
    h->error (h, "out of memory");
  else {
    for (size_t j = i; j < n; j++)
      if (same_filter_list (h, r, i, j) && h->rule_item_attr (r, j, "name"))
        edit.item[edit.n++] = j;
    rc = plan_filter_lists (h, r, &edit, rest, value);
  }
  free (edit.item);
  free (edit.found);
  return rc;
}

/* ---- applying items ---- */

/* An item may name the one controller it is for (the CDDB key of the
 * other PIIX is not needed). */
int
windows_item_applies (const struct bootfix_host *h, const struct bootfix_rule *r,
                      size_t i)
{
  const char *only = h->rule_item_attr (r, i, "controller");
  return only == NULL || strcasecmp (only, h->facts->controller_id) == 0;
}

static int
plan_item (const struct bootfix_host *h, const struct bootfix_rule *r, size_t i)
{
  const char *kind = h->rule_item_kind (r, i);
  char reason[MAX_REASON];
  if (!windows_item_applies (h, r, i))
    return 0;
  item_reason (h, r, i, reason);
  if (strcmp (kind, "service") == 0)
    return plan_service (h, r, i, reason);
  if (strcmp (kind, "cdd") == 0)
    return plan_cdd (h, r, i, reason);
  if (strcmp (kind, "remove-start-override") == 0)
    return plan_remove_start_override (h, r, i, reason);
  if (strcmp (kind, "driver-file") == 0 || strcmp (kind, "virtio-driver") == 0 ||
      strcmp (kind, "virtio-dir") == 0)
    return 0; /* handled before anything else is planned */
  if (strcmp (kind, "registry-value") == 0)
    return windows_plan_registry_value (h, r, i, reason);
  if (strcmp (kind, "disable-service") == 0)
    return plan_disable_service (h, r, i, reason);
  if (strcmp (kind, "remove-filter") == 0)
    return plan_remove_filter (h, r, i);
  /* A rule this module cannot fully apply must not be half-applied. */
  char why[MAX_PATH];
  snprintf (why, sizeof why, "rule %s asks for '%s', which this version of "
            "the windows module does not know", item_rule (h, r, i), kind);
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
    return h->refuse (h, why, WINDOWS_NO_RULE_ADVICE);
  }
  if (find_refusal (h, r))
    return 0;
  int files = check_driver_files (h, r);
  if (files > 0)
    files = windows_install_virtio_drivers (h, r);
  if (files <= 0)
    return files;
  size_t n = h->rule_n_items (r);
  for (size_t i = 0; i < n; i++)
    if (plan_item (h, r, i) == -1)
      return -1;
  return 0;
}

static struct bootfix_module windows_module = {
  .name = "windows",
  .version = "1",
  .description = "Enable the inbox storage driver of the emulated boot "
                 "controller (CriticalDeviceDatabase, service Start, "
                 "StartOverride) and disable leftover drivers of the old "
                 "hypervisor (cleanups)",
  .probe = windows_probe,
  .plan = windows_plan,
  .check = windows_check_links,
};

BOOTFIX_REGISTER_MODULE (windows_module)
