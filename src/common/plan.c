/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The plan: a list of declarative actions, built by modules. */
#include "config.h"

#include "plan.h"

static void
action_free (gpointer p)
{
  BootfixAction *a = p;
  g_free (a->hive);
  g_free (a->path);
  g_free (a->name);
  g_clear_pointer (&a->data, g_bytes_unref);
  g_free (a->reason);
  g_free (a->device);
  g_free (a->file);
  g_clear_pointer (&a->old, g_bytes_unref);
  g_free (a->change_kind);
  g_free (a->target);
  g_free (a->old_text);
  g_free (a->new_text);
  g_free (a);
}

BootfixPlan *
bootfix_plan_new (void)
{
  BootfixPlan *plan = g_new0 (BootfixPlan, 1);
  plan->actions = g_ptr_array_new_with_free_func (action_free);
  return plan;
}

void
bootfix_plan_free (BootfixPlan *plan)
{
  if (plan == NULL)
    return;
  g_ptr_array_unref (plan->actions);
  g_free (plan->refuse_why);
  g_free (plan->refuse_advice);
  g_free (plan);
}

void
bootfix_plan_add (BootfixPlan *plan, BootfixActionKind kind,
                  const char *hive, const char *path, const char *name,
                  guint32 type, const void *data, gsize len,
                  const char *reason)
{
  BootfixAction *a = g_new0 (BootfixAction, 1);
  a->kind = kind;
  a->hive = g_strdup (hive);
  a->path = g_strdup (path);
  a->name = g_strdup (name);
  a->type = type;
  if (kind == BOOTFIX_ACTION_SET_VALUE)
    a->data = g_bytes_new (data, len);
  a->reason = g_strdup (reason);
  g_ptr_array_add (plan->actions, a);
}

void
bootfix_plan_add_edit (BootfixPlan *plan, BootfixActionKind kind,
                       const BootfixEditText *text, const char *device,
                       const char *file, guint64 offset, GBytes *old,
                       GBytes *new_bytes)
{
  g_return_if_fail (kind >= BOOTFIX_ACTION_PATCH_FILE);
  BootfixAction *a = g_new0 (BootfixAction, 1);
  a->kind = kind;
  a->device = g_strdup (device);
  a->file = g_strdup (file);
  a->offset = offset;
  a->old = old ? g_bytes_ref (old) : NULL; /* NULL: create the file */
  a->data = g_bytes_ref (new_bytes);
  a->change_kind = g_strdup (text->change_kind);
  a->target = g_strdup (text->target);
  a->old_text = g_strdup (text->old_text);
  a->new_text = g_strdup (text->new_text);
  a->reason = g_strdup (text->reason);
  g_ptr_array_add (plan->actions, a);
}

gboolean
bootfix_action_is_registry (const BootfixAction *a)
{
  return a->kind < BOOTFIX_ACTION_PATCH_FILE;
}

void
bootfix_plan_refuse (BootfixPlan *plan, const char *why, const char *advice)
{
  if (plan->refused)
    return;
  plan->refused = TRUE;
  plan->refuse_why = g_strdup (why);
  plan->refuse_advice = g_strdup (advice);
}

GPtrArray *
bootfix_plan_hives (const BootfixPlan *plan)
{
  GPtrArray *hives = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < plan->actions->len; i++) {
    const BootfixAction *a = g_ptr_array_index (plan->actions, i);
    if (bootfix_action_is_registry (a) &&
        !g_ptr_array_find_with_equal_func (hives, a->hive, g_str_equal, NULL))
      g_ptr_array_add (hives, g_strdup (a->hive));
  }
  return hives;
}

BootfixChange *
bootfix_change_new (const char *kind, const char *key,
                    const char *value_name, const char *old_value,
                    const char *new_value, const char *reason)
{
  BootfixChange *c = g_new0 (BootfixChange, 1);
  c->kind = g_strdup (kind);
  c->key = g_strdup (key);
  c->value_name = g_strdup (value_name);
  c->target = value_name ? g_strdup_printf ("%s\\%s", key, value_name)
                         : g_strdup (key);
  c->old_value = g_strdup (old_value);
  c->new_value = g_strdup (new_value);
  c->reason = g_strdup (reason);
  return c;
}

void
bootfix_change_free (BootfixChange *c)
{
  if (c == NULL)
    return;
  g_free (c->kind);
  g_free (c->key);
  g_free (c->value_name);
  g_free (c->target);
  g_free (c->old_value);
  g_free (c->new_value);
  g_free (c->reason);
  g_free (c);
}
