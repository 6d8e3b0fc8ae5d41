/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A plan: the declarative actions modules ask for, and the changes the
 * executor found they mean for this guest. */
#ifndef BOOTFIX_PLAN_H
#define BOOTFIX_PLAN_H

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  BOOTFIX_ACTION_ENSURE_KEY,
  BOOTFIX_ACTION_SET_VALUE,
  BOOTFIX_ACTION_DELETE_VALUE,
  BOOTFIX_ACTION_DELETE_KEY,
  /* Byte and file edits outside the registry (boot chain): */
  BOOTFIX_ACTION_PATCH_FILE,   /* bytes at offset of a file, same length */
  BOOTFIX_ACTION_PATCH_DEVICE, /* bytes at offset of a disk or partition */
  BOOTFIX_ACTION_REPLACE_FILE, /* a whole file's new contents */
} BootfixActionKind;

typedef struct {
  BootfixActionKind kind;
  char *hive;     /* "SYSTEM", "SOFTWARE" */
  char *path;     /* backslashes; may start with BOOTFIX_CONTROL_SET */
  char *name;     /* value name (SET/DELETE_VALUE), else NULL */
  guint32 type;   /* registry type (SET_VALUE) */
  GBytes *data;   /* ABI form: UTF-8 for strings (SET_VALUE) */
  char *reason;   /* rule id or module name */
  /* PATCH_*, REPLACE_FILE: data holds the new bytes. */
  char *device;   /* "/dev/sda1" */
  char *file;     /* PATCH_FILE, REPLACE_FILE: path in that filesystem */
  guint64 offset; /* PATCH_* */
  GBytes *old;    /* what the module read there; REPLACE_FILE: NULL
                   * creates a file that must not exist */
  char *change_kind; /* "bcd", "bootsector", "file" */
  char *target, *old_text, *new_text; /* readable, for the report */
} BootfixAction;

/* The fields of an edit action that describe it to the user. */
typedef struct {
  const char *change_kind;
  const char *target;
  const char *old_text;
  const char *new_text;
  const char *reason;
} BootfixEditText;

/* One change to the guest, as reported: kind "registry" for now. */
typedef struct {
  char *kind;
  char *key;      /* HKLM\SYSTEM\ControlSet001\Services\intelide */
  char *value_name; /* "Start"; NULL for a change to the key itself */
  char *target;   /* key, or key\value_name: one string for humans */
  char *old_value;/* readable; NULL = absent */
  char *new_value;/* readable; NULL = removed */
  char *reason;
} BootfixChange;

typedef struct {
  GPtrArray *actions;  /* BootfixAction* */
  gboolean refused;
  char *refuse_why;
  char *refuse_advice;
} BootfixPlan;

BootfixPlan *bootfix_plan_new (void);
void bootfix_plan_free (BootfixPlan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixPlan, bootfix_plan_free)

void bootfix_plan_add (BootfixPlan *plan, BootfixActionKind kind,
                       const char *hive, const char *path, const char *name,
                       guint32 type, const void *data, gsize len,
                       const char *reason);
/* A byte or file edit (PATCH_FILE, PATCH_DEVICE, REPLACE_FILE); file is
 * NULL for PATCH_DEVICE. */
void bootfix_plan_add_edit (BootfixPlan *plan, BootfixActionKind kind,
                            const BootfixEditText *text, const char *device,
                            const char *file, guint64 offset, GBytes *old,
                            GBytes *new_bytes);
/* Registry actions have a hive; edits do not. */
gboolean bootfix_action_is_registry (const BootfixAction *a);

/* The first refusal wins; later ones are kept as the same refusal. */
void bootfix_plan_refuse (BootfixPlan *plan, const char *why,
                          const char *advice);
/* Hive names the registry actions touch, without duplicates, in first-use order. */
GPtrArray *bootfix_plan_hives (const BootfixPlan *plan);

BootfixChange *bootfix_change_new (const char *kind, const char *key,
                                   const char *value_name,
                                   const char *old_value,
                                   const char *new_value, const char *reason);
void bootfix_change_free (BootfixChange *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixChange, bootfix_change_free)

G_END_DECLS

#endif
