/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What happened to each guest: the human summary, the JSON report and
 * the exit code. */
#ifndef BOOTFIX_REPORT_H
#define BOOTFIX_REPORT_H

#include <stdio.h>
#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum {
  BOOTFIX_STATUS_FIXED,
  BOOTFIX_STATUS_UNCHANGED,
  BOOTFIX_STATUS_WOULD_FIX,
  BOOTFIX_STATUS_REFUSED,
  BOOTFIX_STATUS_ERROR,
} BootfixStatus;

/* A registry hive that was not clean when it was read. */
typedef struct {
  char *name;    /* "SYSTEM" */
  char *path;    /* in the guest */
  char *state;   /* bootfix_hive_replay_verdict_name */
  char *detail;  /* one readable line */
} BootfixHiveReport;

BootfixHiveReport *bootfix_hive_report_new (const char *name, const char *path,
                                            const char *state,
                                            const char *detail);
void bootfix_hive_report_free (BootfixHiveReport *h);

/* One link of the boot chain, as --check found it.  The values are the
 * ABI's BOOTFIX_LINK_* (bootfix-module.h). */
typedef enum {
  BOOTFIX_LINK_STATE_OK = 0,      /* as the next link needs it */
  BOOTFIX_LINK_STATE_FIXABLE = 1, /* not yet, but a fix makes it so */
  BOOTFIX_LINK_STATE_BROKEN = 2,  /* and no fix here can help */
} BootfixLinkState;

typedef struct {
  char *name;    /* a stable id: "partition-table", "boot-manager", ... */
  BootfixLinkState state;
  char *detail;  /* what was found, for people */
  char *remedy;  /* broken: what the user must do; fixable: what the
                  * fix does; NULL when there is nothing to say */
} BootfixLink;

BootfixLink *bootfix_link_new (const char *name, BootfixLinkState state,
                               const char *detail, const char *remedy);
void bootfix_link_free (BootfixLink *link);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixLink, bootfix_link_free)
/* "ok", "fixable", "broken"; FALSE for any other name. */
const char *bootfix_link_state_to_string (BootfixLinkState state);
gboolean bootfix_link_state_from_string (const char *name,
                                         BootfixLinkState *state);

typedef struct {
  char *name;
  GPtrArray *disks;       /* char* */
  char *product;
  int major, minor;
  char *arch;
  char *osinfo;
  char *machine;
  char *bus;
  char *controller;
  char *pci_id;
  char *accelerator;      /* "kvm" / "tcg"; NULL when no appliance ran */
  char *rule_id;          /* matched rule, NULL when none */
  char *journal;          /* undo journal of a fix, else NULL */
  char *output;           /* --output: DIR/NAME.xml once written, else NULL */
  BootfixStatus status;
  GPtrArray *changes;     /* BootfixChange* */
  GPtrArray *messages;    /* char*: warnings, the error, the advice */
  GPtrArray *hives;       /* BootfixHiveReport*: the hives not clean */
  /* --check: the links of the boot chain, in the order the firmware
   * walks them; checked says the report is a check's. */
  gboolean checked;
  GPtrArray *links;       /* BootfixLink* */
  double seconds;
} BootfixGuestReport;

BootfixGuestReport *bootfix_guest_report_new (const char *name);
void bootfix_guest_report_free (BootfixGuestReport *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixGuestReport, bootfix_guest_report_free)

const char *bootfix_status_to_string (BootfixStatus status);

/* The object --json writes for one guest. */
JsonNode *bootfix_report_guest_to_json (const BootfixGuestReport *r);
/* Such an object read back (from a worker process, so hostile: parse
 * its text with bootfix_json_parse_hostile, json-text.h): a member
 * missing or of the wrong type, or an unknown status, is an error
 * (BOOTFIX_ERROR_FAILED) naming the member; unknown members are
 * ignored.  A string member may be null wherever the writer puts null
 * for NULL. */
BootfixGuestReport *bootfix_report_guest_from_json (JsonNode *node,
                                                    GError **error);

/* The version of the --json document and of each --jsonl record,
 * written as "format" (docs/report.md; schema:
 * data/schema/report.schema.json).  It changes only when a member is
 * removed or renamed or changes its type or meaning; members are added
 * without a change, so readers ignore the members they do not know. */
#define BOOTFIX_REPORT_FORMAT 1

/* The --json document for all guests: {"format", "guests"}. */
char *bootfix_report_to_json (GPtrArray *reports);
/* Written atomically (temporary file + rename). */
gboolean bootfix_report_write_json (GPtrArray *reports, const char *path,
                                    GError **error);

/* Human summary of one guest: status line and every change. */
void bootfix_report_print (const BootfixGuestReport *r, FILE *fp);

/* 1 if any guest had an error, else 3 if any was refused, else 0. */
int bootfix_report_exit_code (GPtrArray *reports);

/* What --check says of a guest: the worst state among its links
 * (broken also when the check could not finish but some link is
 * broken).  FALSE when the check found no verdict: it failed before any
 * link was broken, or the report is not a check's. */
gboolean bootfix_report_verdict (const BootfixGuestReport *r,
                                 BootfixLinkState *verdict);

/* --check's exit status: 1 if a guest could not be checked, else 3 if
 * one will not boot (a broken link), else 4 if one needs a fix, else 0:
 * every guest boots as it is. */
int bootfix_report_check_exit_code (GPtrArray *reports);

G_END_DECLS

#endif
