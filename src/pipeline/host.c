/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host-services table for conversion modules. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "bootfix-error.h"
#include "host.h"
#include "host-private.h"
#include "report.h"

G_STATIC_ASSERT ((int) BOOTFIX_LINK_STATE_OK == BOOTFIX_LINK_OK);
G_STATIC_ASSERT ((int) BOOTFIX_LINK_STATE_FIXABLE == BOOTFIX_LINK_FIXABLE);
G_STATIC_ASSERT ((int) BOOTFIX_LINK_STATE_BROKEN == BOOTFIX_LINK_BROKEN);

/* The fields of the first struct bootfix_link (0.2.0). */
#define LINK_V1_SIZE (offsetof (struct bootfix_link, remedy) + sizeof (const char *))
/* A link id is a short word or two: "storage-driver-file". */
#define MAX_LINK_NAME 64

static BootfixHostContext *
ctx_of (const struct bootfix_host *h)
{
  return (BootfixHostContext *) h;
}

/* The ABI declares these printf-like; say so here too, so the
 * compiler checks the vprintf below against it. */
static void host_log (const struct bootfix_host *h, int level,
                      const char *fmt, ...) G_GNUC_PRINTF (3, 4);
static void host_error (const struct bootfix_host *h, const char *fmt, ...)
  G_GNUC_PRINTF (2, 3);

static void
host_log (const struct bootfix_host *h, int level, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  if (level >= BOOTFIX_LOG_WARNING) {
    g_ptr_array_add (ctx_of (h)->messages, g_strdup (msg));
    g_warning ("%s", msg);
  } else if (level == BOOTFIX_LOG_INFO) {
    g_info ("%s", msg);
  } else {
    g_debug ("%s", msg);
  }
}

static void
host_error (const struct bootfix_host *h, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  BootfixHostContext *ctx = ctx_of (h);
  g_free (ctx->error);
  ctx->error = g_strdup_vprintf (fmt, ap);
  va_end (ap);
}

/* A host call failed on our side: keep the GError, tell the module.
 * A getter that broke its contract and failed without an error must
 * not take the host down: that becomes an error of its own. */
int
bootfix_host_fail (const struct bootfix_host *h, GError *err)
{
  BootfixHostContext *ctx = ctx_of (h);
  if (err == NULL)
    err = g_error_new (BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                       _("a host call failed without saying why"));
  host_error (h, "%s", err->message);
  if (ctx->host_error == NULL)
    ctx->host_error = err;
  else
    g_error_free (err);
  return -1;
}

int
bootfix_host_bad_argument (const struct bootfix_host *h, const char *call,
                           const char *why)
{
  return bootfix_host_fail (h, g_error_new (BOOTFIX_ERROR, BOOTFIX_ERROR_MODULE,
                               _("%s: %s"), call, why));
}

/* ---- the matched rule ---- */

static const struct bootfix_rule *
host_rule (const struct bootfix_host *h)
{
  return (const struct bootfix_rule *) ctx_of (h)->rule;
}

static size_t
host_rule_n_items (const struct bootfix_rule *r)
{
  return r ? ((const BootfixRule *) r)->items->len : 0;
}

static const BootfixRuleItem *
rule_item (const struct bootfix_rule *r, size_t i)
{
  const BootfixRule *rule = (const BootfixRule *) r;
  return rule && i < rule->items->len ? g_ptr_array_index (rule->items, i) : NULL;
}

static const char *
host_rule_item_kind (const struct bootfix_rule *r, size_t i)
{
  const BootfixRuleItem *item = rule_item (r, i);
  return item ? item->kind : NULL;
}

static const char *
host_rule_item_attr (const struct bootfix_rule *r, size_t i, const char *attr)
{
  const BootfixRuleItem *item = rule_item (r, i);
  return item && attr ? bootfix_rule_item_attr (item, attr) : NULL;
}

static const char *
host_rule_id (const struct bootfix_rule *r)
{
  return r ? ((const BootfixRule *) r)->id : NULL;
}

/* ---- guest reads ---- */

/* The hive and the concrete key path (current control set) a module's
 * path names; NULL after reporting the failure. */
static BootfixHive *
module_key (const struct bootfix_host *h, const char *hive_name,
            const char *path, char **concrete)
{
  BootfixHostContext *ctx = ctx_of (h);
  GError *err = NULL;
  BootfixHive *hive = ctx->get_hive (ctx->user, hive_name, &err);
  g_autoptr (GPtrArray) paths =
    hive ? bootfix_hive_expand_path (hive, path, TRUE, &err) : NULL;
  if (paths == NULL) {
    bootfix_host_fail (h, err);
    return NULL;
  }
  *concrete = g_strdup (g_ptr_array_index (paths, 0));
  return hive;
}

int
bootfix_host_copy_out (const struct bootfix_host *h, const char *call,
                       GBytes *bytes, void **data, size_t *len)
{
  gsize n = 0;
  const void *p = g_bytes_get_data (bytes, &n);
  char *copy = malloc (n + 1);
  if (copy == NULL)
    return bootfix_host_bad_argument (h, call, g_strerror (ENOMEM));
  if (n)
    memcpy (copy, p, n);
  copy[n] = '\0';
  *data = copy;
  *len = n;
  return 1;
}

static int
host_get_value (const struct bootfix_host *h, const char *hive_name,
                const char *path, const char *name, uint32_t *type,
                void **data, size_t *len)
{
  if (!hive_name || !path || !name || !type || !data || !len)
    return bootfix_host_bad_argument (h, "get_value", _("NULL argument"));
  g_autofree char *key = NULL;
  BootfixHive *hive = module_key (h, hive_name, path, &key);
  if (hive == NULL)
    return -1;
  GError *err = NULL;
  g_autoptr (GBytes) bytes = NULL;
  guint32 t = 0;
  int r = bootfix_hive_get_value (hive, key, name, &t, &bytes, &err);
  if (r <= 0)
    return r == 0 ? 0 : bootfix_host_fail (h, err);
  *type = t;
  return bootfix_host_copy_out (h, "get_value", bytes, data, len);
}

/* Names from the hive as a malloc'd array of malloc'd strings. */
static int
copy_out_names (const struct bootfix_host *h, const char *call, GStrv list,
                char ***names, size_t *n)
{
  guint len = g_strv_length (list);
  char **out = calloc (len + 1, sizeof *out);
  if (out == NULL)
    return bootfix_host_bad_argument (h, call, g_strerror (ENOMEM));
  for (guint i = 0; i < len; i++)
    if ((out[i] = strdup (list[i])) == NULL) {
      for (guint k = 0; k < i; k++)
        free (out[k]);
      free (out);
      return bootfix_host_bad_argument (h, call, g_strerror (ENOMEM));
    }
  *names = out;
  *n = len;
  return 1;
}

typedef int (*HiveLister) (BootfixHive *hive, const char *path, GStrv *names,
                           GError **error);

static int
list_names (const struct bootfix_host *h, const char *call, HiveLister list,
            const char *hive_name, const char *path, char ***names, size_t *n)
{
  if (!hive_name || !path || !names || !n)
    return bootfix_host_bad_argument (h, call, _("NULL argument"));
  g_autofree char *key = NULL;
  BootfixHive *hive = module_key (h, hive_name, path, &key);
  if (hive == NULL)
    return -1;
  GError *err = NULL;
  g_auto (GStrv) found = NULL;
  int r = list (hive, key, &found, &err);
  if (r <= 0)
    return r == 0 ? 0 : bootfix_host_fail (h, err);
  return copy_out_names (h, call, found, names, n);
}

static int
host_list_values (const struct bootfix_host *h, const char *hive_name,
                  const char *path, char ***names, size_t *n)
{
  return list_names (h, "list_values", bootfix_hive_list_values, hive_name,
                     path, names, n);
}

static int
host_list_subkeys (const struct bootfix_host *h, const char *hive_name,
                   const char *path, char ***names, size_t *n)
{
  return list_names (h, "list_subkeys", bootfix_hive_list_subkeys, hive_name,
                     path, names, n);
}

static int
host_file_exists (const struct bootfix_host *h, const char *path)
{
  BootfixHostContext *ctx = ctx_of (h);
  if (path == NULL)
    return bootfix_host_bad_argument (h, "file_exists", _("NULL argument"));
  GError *err = NULL;
  int r = bootfix_guest_windows_file_exists (ctx->guest, path, &err);
  return r < 0 ? bootfix_host_fail (h, err) : r;
}

/* ---- the plan ---- */

static gboolean
valid_location (const char *hive, const char *path)
{
  return hive && *hive && path && *path && g_utf8_validate (path, -1, NULL);
}

static int
host_ensure_key (const struct bootfix_host *h, const char *hive,
                 const char *path, const char *reason)
{
  if (!valid_location (hive, path))
    return bootfix_host_bad_argument (h, "ensure_key", _("missing hive or key path"));
  bootfix_plan_add (ctx_of (h)->plan, BOOTFIX_ACTION_ENSURE_KEY, hive, path,
                    NULL, 0, NULL, 0, reason);
  return 0;
}

/* UTF-8 entries, each ending in a NUL (the list's own terminator is an
 * empty last entry). */
static gboolean
multi_sz_ok (const char *p, size_t len)
{
  if (len == 0 || p[len - 1] != '\0')
    return FALSE;
  for (size_t start = 0; start < len;) {
    size_t end = start;
    while (p[end] != '\0')
      end++;
    if (!g_utf8_validate (p + start, (gssize) (end - start), NULL))
      return FALSE;
    start = end + 1;
  }
  return TRUE;
}

static const char *
check_value (uint32_t type, const void *data, size_t len)
{
  if (data == NULL && len > 0)
    return _("NULL data");
  switch (type) {
  case BOOTFIX_REG_DWORD:
    return len == 4 ? NULL : _("a REG_DWORD must be 4 bytes");
  case BOOTFIX_REG_SZ:
  case BOOTFIX_REG_EXPAND_SZ:
    return g_utf8_validate (data, (gssize) len, NULL) ? NULL
           : _("string data is not UTF-8");
  case BOOTFIX_REG_MULTI_SZ:
    return multi_sz_ok (data, len) ? NULL
           : _("a REG_MULTI_SZ must be UTF-8 entries, each ending in a NUL");
  case BOOTFIX_REG_BINARY:
    return NULL;
  default:
    return _("unsupported registry type");
  }
}

static int
host_set_value (const struct bootfix_host *h, const char *hive,
                const char *path, const char *name, uint32_t type,
                const void *data, size_t len, const char *reason)
{
  if (!valid_location (hive, path) || name == NULL)
    return bootfix_host_bad_argument (h, "set_value", _("missing hive, key path or name"));
  const char *why = check_value (type, data, len);
  if (why)
    return bootfix_host_bad_argument (h, "set_value", why);
  bootfix_plan_add (ctx_of (h)->plan, BOOTFIX_ACTION_SET_VALUE, hive, path,
                    name, type, data, len, reason);
  return 0;
}

static int
host_delete_value (const struct bootfix_host *h, const char *hive,
                   const char *path, const char *name, const char *reason)
{
  if (!valid_location (hive, path) || name == NULL)
    return bootfix_host_bad_argument (h, "delete_value", _("missing hive, key path or name"));
  bootfix_plan_add (ctx_of (h)->plan, BOOTFIX_ACTION_DELETE_VALUE, hive, path,
                    name, 0, NULL, 0, reason);
  return 0;
}

static int
host_delete_key (const struct bootfix_host *h, const char *hive,
                 const char *path, const char *reason)
{
  if (!valid_location (hive, path))
    return bootfix_host_bad_argument (h, "delete_key", _("missing hive or key path"));
  bootfix_plan_add (ctx_of (h)->plan, BOOTFIX_ACTION_DELETE_KEY, hive, path,
                    NULL, 0, NULL, 0, reason);
  return 0;
}

static int
host_refuse (const struct bootfix_host *h, const char *why, const char *advice)
{
  if (why == NULL || *why == '\0')
    return bootfix_host_bad_argument (h, "refuse", _("a refusal needs a reason"));
  bootfix_plan_refuse (ctx_of (h)->plan, why, advice);
  return 0;
}

/* ---- --check ---- */

static gboolean
link_name_ok (const char *name)
{
  size_t n = name ? strlen (name) : 0;
  if (n == 0 || n > MAX_LINK_NAME)
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-')
      return FALSE;
  return TRUE;
}

static const char *
link_problem (const struct bootfix_link *l)
{
  if (l->state < BOOTFIX_LINK_OK || l->state > BOOTFIX_LINK_BROKEN)
    return _("unknown link state");
  if (!link_name_ok (l->name))
    return _("a link name is a short id of a-z, 0-9 and '-'");
  if ((l->detail && !g_utf8_validate (l->detail, -1, NULL)) ||
      (l->remedy && !g_utf8_validate (l->remedy, -1, NULL)))
    return _("link text is not UTF-8");
  return NULL;
}

static int
host_report_link (const struct bootfix_host *h, const struct bootfix_link *link)
{
  BootfixHostContext *ctx = ctx_of (h);
  if (!ctx->in_check)
    return bootfix_host_bad_argument (h, "report_link",
                                      _("only the check callback reports links"));
  if (link == NULL || link->_struct_size < LINK_V1_SIZE)
    return bootfix_host_bad_argument (h, "report_link",
                                      _("no link, or an old one"));
  /* Read what both sides know; fields of a newer module are ignored. */
  struct bootfix_link l = { 0 };
  memcpy (&l, link, MIN (sizeof l, (size_t) link->_struct_size));
  const char *why = link_problem (&l);
  if (why)
    return bootfix_host_bad_argument (h, "report_link", why);
  g_ptr_array_add (ctx->links, bootfix_link_new (l.name, (BootfixLinkState) l.state,
                                                 l.detail, l.remedy));
  return 0;
}

/* ---- the context ---- */

BootfixHostContext *
bootfix_host_context_new (const struct bootfix_facts *facts,
                          const BootfixRule *rule, BootfixPlan *plan,
                          BootfixGuest *guest, BootfixHiveGetter get_hive,
                          gpointer user)
{
  BootfixHostContext *ctx = g_new0 (BootfixHostContext, 1);
  ctx->host = (struct bootfix_host) {
    ._struct_size = sizeof (struct bootfix_host),
    ._api_version = BOOTFIX_API_VERSION,
    .facts = facts,
    .log = host_log,
    .error = host_error,
    .rule = host_rule,
    .rule_n_items = host_rule_n_items,
    .rule_item_kind = host_rule_item_kind,
    .rule_item_attr = host_rule_item_attr,
    .rule_id = host_rule_id,
    .get_value = host_get_value,
    .file_exists = host_file_exists,
    .ensure_key = host_ensure_key,
    .set_value = host_set_value,
    .delete_value = host_delete_value,
    .delete_key = host_delete_key,
    .refuse = host_refuse,
    .n_partitions = bootfix_host_n_partitions,
    .partition = bootfix_host_partition,
    .read_file = bootfix_host_read_file,
    .read_device = bootfix_host_read_device,
    .path_exists = bootfix_host_path_exists,
    .list_values = host_list_values,
    .patch_file = bootfix_host_patch_file,
    .patch_device = bootfix_host_patch_device,
    .replace_file = bootfix_host_replace_file,
    .cabinet_extract = bootfix_host_cabinet_extract,
    .create_windows_file = bootfix_host_create_windows_file,
    .read_driver_source = bootfix_host_read_driver_source,
    .list_subkeys = host_list_subkeys,
    .report_link = host_report_link,
  };
  ctx->rule = rule;
  ctx->plan = plan;
  ctx->guest = guest;
  ctx->get_hive = get_hive;
  ctx->user = user;
  ctx->messages = g_ptr_array_new_with_free_func (g_free);
  ctx->links = g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_link_free);
  return ctx;
}

void
bootfix_host_context_free (BootfixHostContext *ctx)
{
  if (ctx == NULL)
    return;
  g_free (ctx->error);
  g_clear_error (&ctx->host_error);
  g_ptr_array_unref (ctx->messages);
  g_ptr_array_unref (ctx->links);
  bootfix_host_disks_clear (ctx);
  g_free (ctx->driver_source);
  g_free (ctx);
}

void
bootfix_host_context_set_file_getter (BootfixHostContext *ctx,
                                      BootfixFileGetter get_file)
{
  ctx->get_file = get_file;
}

void
bootfix_host_context_set_driver_source (BootfixHostContext *ctx,
                                        const char *dir)
{
  g_free (ctx->driver_source);
  ctx->driver_source = g_strdup (dir);
}

GPtrArray *
bootfix_host_context_messages (BootfixHostContext *ctx)
{
  return ctx->messages;
}

GPtrArray *
bootfix_host_context_links (BootfixHostContext *ctx)
{
  return ctx->links;
}

static int (*callback_of (const BootfixModule *mod, BootfixCallback which))
  (const struct bootfix_host *)
{
  switch (which) {
  case BOOTFIX_CALLBACK_PROBE: return mod->m.probe;
  case BOOTFIX_CALLBACK_PLAN: return mod->m.plan;
  case BOOTFIX_CALLBACK_VERIFY: return mod->m.verify;
  case BOOTFIX_CALLBACK_CHECK: return mod->m.check;
  }
  return NULL;
}

int
bootfix_host_call (BootfixHostContext *ctx, const BootfixModule *mod,
                   BootfixCallback which, GError **error)
{
  static const char *const names[] = { "probe", "plan", "verify", "check" };
  int (*cb) (const struct bootfix_host *) = callback_of (mod, which);
  if (cb == NULL)
    return 1;
  g_clear_pointer (&ctx->error, g_free);
  g_clear_error (&ctx->host_error);
  ctx->in_check = which == BOOTFIX_CALLBACK_CHECK;
  int r = cb (&ctx->host);
  ctx->in_check = FALSE;
  if (r >= 0)
    return r;
  if (ctx->host_error) {
    g_propagate_prefixed_error (error, g_steal_pointer (&ctx->host_error),
                                "%s: ", mod->m.name);
    return -1;
  }
  g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_MODULE,
               _("module %s failed in %s: %s"), mod->m.name, names[which],
               ctx->error ? ctx->error : _("no reason given"));
  return -1;
}
