/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Rule files (the XML files in data/rules): what each Windows needs on each
 * controller.  Loaded once, matched per guest. */
#ifndef BOOTFIX_RULES_H
#define BOOTFIX_RULES_H

#include <glib.h>

G_BEGIN_DECLS

/* What a rule may match on.  Strings may be NULL (unknown). */
typedef struct {
  int major;
  int minor;
  const char *arch;       /* "i386" / "x86_64" */
  const char *osinfo;     /* "win7" */
  const char *variant;    /* "client" / "server" (lower case) */
  const char *controller; /* controller id from controllers.xml */
  const char *driver_source; /* "virtio-win" with --virtio-win, else NULL */
} BootfixRuleQuery;

/* One item of a rule: an element of the rule body with its attributes,
 * for example kind "service" with name=intelide start=0.  In the view
 * bootfix_rule_set_resolve() builds, every item also has the attribute
 * "rule": the id of the rule or cleanup it was written in. */
typedef struct {
  char *kind;
  GHashTable *attrs;  /* char* -> char* */
  int line;           /* where it was written (in the file of its rule),
                       * for messages */
} BootfixRuleItem;

/* A <rule> (storage: the most specific one that matches wins) or a
 * <cleanup> (every one that matches applies, on top of the storage
 * rule).  Both have the same <match>. */
typedef struct {
  char *id;
  char *description;
  char *file;         /* base name of the file that holds it */
  int line;
  gboolean cleanup;   /* a <cleanup>, not a storage <rule> */
  GPtrArray *items;   /* BootfixRuleItem* */
  /* match: */
  int nt_min, nt_max; /* major*100+minor, inclusive; 0 / G_MAXINT when open */
  char *arch;         /* NULL = any */
  char *osinfo;       /* NULL = any */
  char *variant;      /* NULL = any */
  char *driver_source; /* NULL = any; "virtio-win": only with that tree */
  GPtrArray *controllers; /* char*; empty = any */
} BootfixRule;

void bootfix_rule_free (BootfixRule *rule);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixRule, bootfix_rule_free)

typedef struct _BootfixRuleSet BootfixRuleSet;

/* Load every *.xml in dir, in name order.  Errors name file:line. */
BootfixRuleSet *bootfix_rule_set_load_dir (const char *dir, GError **error);
/* Load one document from memory (tests and fuzzing). */
BootfixRuleSet *bootfix_rule_set_load_data (const char *data, gsize len,
                                            const char *what, GError **error);
void bootfix_rule_set_free (BootfixRuleSet *rs);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixRuleSet, bootfix_rule_set_free)

/* The storage rules, in load order (cleanups are not among them). */
guint bootfix_rule_set_size (const BootfixRuleSet *rs);
const BootfixRule *bootfix_rule_set_index (const BootfixRuleSet *rs, guint i);
/* The cleanups, in load order. */
guint bootfix_rule_set_n_cleanups (const BootfixRuleSet *rs);
const BootfixRule *bootfix_rule_set_cleanup (const BootfixRuleSet *rs,
                                             guint i);

/* The most specific rule that matches, or NULL.  Specificity: a
 * constrained controller, osinfo, arch, variant each count; then the
 * narrower NT range wins.  Two matching rules of equal specificity are a
 * data error, reported here (BOOTFIX_ERROR_INVALID_DATA naming both). */
const BootfixRule *bootfix_rule_set_match (const BootfixRuleSet *rs,
                                           const BootfixRuleQuery *q,
                                           GError **error);

/* Every cleanup that matches, in load order (borrowed pointers). */
GPtrArray *bootfix_rule_set_match_cleanups (const BootfixRuleSet *rs,
                                            const BootfixRuleQuery *q);

/* The rule a conversion module is given (host->rule()): a copy of the
 * storage rule bootfix_rule_set_match() picks, followed by the items of
 * every matching cleanup, each item tagged with attribute "rule" = the
 * id it came from.  The view has the storage rule's id.
 *
 * Cleanups never stand alone: NULL when no storage rule matches (the
 * module refuses "no rule covers", and a refused guest is not touched
 * at all), and a refusal is returned without them.  Also NULL, with
 * BOOTFIX_ERROR_INVALID_DATA, on a tie and when a cleanup would disable
 * a service the storage rule enables. */
BootfixRule *bootfix_rule_set_resolve (const BootfixRuleSet *rs,
                                       const BootfixRuleQuery *q,
                                       GError **error);

/* Item attribute or NULL. */
const char *bootfix_rule_item_attr (const BootfixRuleItem *item,
                                    const char *name);

/* Where data files live: $BOOTFIX_DATADIR, else the installed datadir
 * (dirs.h). */
const char *bootfix_data_dir (void);

G_END_DECLS

#endif
