/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Dirty registry hives and their transaction logs (SYSTEM.LOG1/.LOG2).
 *
 * Windows 8.1 and later write changes to a log first and to the hive
 * (the "primary") much later, so a backup of a running Windows often
 * holds a primary whose newest state lives only in the logs.  Windows
 * replays them at boot; editing the primary with hivex makes it look
 * clean and loses them.  This reads a primary's base block, parses both
 * log formats and replays them by Windows' rules, all on bytes in
 * memory: every byte is hostile.  docs/hive-logs.md has the rules. */
#ifndef BOOTFIX_HIVE_LOG_H
#define BOOTFIX_HIVE_LOG_H

#include <glib.h>

G_BEGIN_DECLS

/* Largest primary we read or grow: BOOTFIX_MAX_HIVE_SIZE of guest.h
 * (formats cannot see it; a test holds the two equal). */
#define BOOTFIX_HIVE_LOG_MAX_HIVE_SIZE (512u * 1024 * 1024)
/* Largest transaction log we read.  Windows starts a new one long before. */
#define BOOTFIX_HIVE_LOG_MAX_LOG_SIZE (64u * 1024 * 1024)

#define BOOTFIX_REGF_BASE_BLOCK_SIZE 4096u
/* The part of a base block a log keeps (its first sector). */
#define BOOTFIX_REGF_LOG_HEADER_SIZE 512u

/* ---- base block ---------------------------------------------------- */

typedef enum {
  BOOTFIX_HIVE_CLEAN,         /* sequence numbers equal, checksum right */
  BOOTFIX_HIVE_DIRTY,         /* sequence numbers differ: logs hold newer data */
  BOOTFIX_HIVE_BAD_CHECKSUM,  /* "regf" but the base block checksum is wrong */
  BOOTFIX_HIVE_NOT_A_HIVE,    /* no "regf", or shorter than a base block */
} BootfixHiveState;

typedef struct {
  BootfixHiveState state;
  guint32 primary_sequence;   /* offset 4: bumped before a write */
  guint32 secondary_sequence; /* offset 8: bumped after it */
  guint64 timestamp;          /* FILETIME of the last write */
  guint32 major, minor;       /* format version, 1.3 to 1.6 */
  guint32 file_type;          /* 0 primary, 1 old log, 6 new log */
  guint32 bins_size;          /* hive bins data size */
  guint32 clustering;         /* clustering factor */
  guint32 checksum;           /* as stored */
} BootfixHiveHeader;

/* Read the base block of a primary (size >= 4096) or of a log (the
 * first 512 bytes are enough).  Never fails: a buffer that is not a hive
 * gives BOOTFIX_HIVE_NOT_A_HIVE with every field 0. */
BootfixHiveState bootfix_hive_header_read (const guint8 *buf, gsize size,
                                           BootfixHiveHeader *out);

/* XOR-32 of the first 508 bytes, with 0 and 0xffffffff avoided as
 * Windows does.  FALSE when size < 512. */
gboolean bootfix_regf_checksum (const guint8 *buf, gsize size, guint32 *out);

/* Set both sequence numbers to sequence and rewrite the checksum. */
gboolean bootfix_hive_stamp_sequence (guint8 *buf, gsize size,
                                      guint32 sequence, GError **error);

/* Marvin32 (Microsoft's keyed hash) of len bytes; new-format log entries
 * carry two of these with BOOTFIX_HIVE_LOG_MARVIN_SEED.  The seed's low
 * half starts the first state word; the result holds the two state
 * words, the first in the low half, as the log stores them.  The seed is
 * the number 0x82EF4D887A4E55C5 (the bytes 82 EF ... C5 read big-endian):
 * checked against the hashes of a real Windows 10 log. */
#define BOOTFIX_HIVE_LOG_MARVIN_SEED G_GUINT64_CONSTANT (0x82ef4d887a4e55c5)
guint64 bootfix_marvin32 (const guint8 *data, gsize len, guint64 seed);

/* ---- transaction logs ---------------------------------------------- */

typedef enum {
  BOOTFIX_HIVE_LOG_NEW, /* "HvLE" log entries, Windows 8.1 and later */
  BOOTFIX_HIVE_LOG_OLD, /* "DIRT" dirty vector and pages, NT to Windows 8 */
} BootfixHiveLogFormat;

/* Why a log's entries end where they do. */
typedef enum {
  BOOTFIX_HIVE_LOG_END,          /* no further entry: end of file or no "HvLE" */
  BOOTFIX_HIVE_LOG_TRUNCATED,    /* an entry runs past the end of the file */
  BOOTFIX_HIVE_LOG_BAD_ENTRY,    /* an entry's sizes, alignment or page list */
  BOOTFIX_HIVE_LOG_BAD_HASH,     /* an entry's Marvin32 hashes do not match */
  BOOTFIX_HIVE_LOG_SEQUENCE_GAP, /* the next entry is not number N + 1 */
} BootfixHiveLogStop;

/* One valid new-format entry; its pages are checked, not copied. */
typedef struct {
  gsize at;          /* file offset of "HvLE" */
  guint32 size;      /* whole entry, a multiple of 512 */
  guint32 flags;
  guint32 sequence;
  guint32 bins_size; /* the hive's bins data size once this entry applies */
  guint32 n_pages;
} BootfixHiveLogEntry;

typedef struct {
  BootfixHiveLogFormat format;
  BootfixHiveHeader header;  /* the log's copy of the base block */
  GBytes *bytes;             /* the log, referenced */
  GArray *entries;           /* BootfixHiveLogEntry, valid and in sequence */
  BootfixHiveLogStop stop;   /* why no further entry was taken */
  gsize stop_at;             /* file offset where that was found */
  /* Old format: the dirty vector's pages (512 bytes each). */
  gsize dirt_pages_at;       /* file offset of the first page */
  guint32 dirt_n_pages;
} BootfixHiveLog;

/* Parse a log.  Fails (BOOTFIX_ERROR_GUEST) when the bytes are no log at
 * all: no valid base block copy, an unknown file type, no "DIRT" vector
 * in an old log, or larger than BOOTFIX_HIVE_LOG_MAX_LOG_SIZE.  Bad
 * entries are not errors: they end the entry list (stop says why). */
BootfixHiveLog *bootfix_hive_log_parse (GBytes *bytes, GError **error);
void bootfix_hive_log_free (BootfixHiveLog *log);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixHiveLog, bootfix_hive_log_free)

/* ---- replay -------------------------------------------------------- */

/* What the pipeline does with a hive; docs/hive-logs.md. */
typedef enum {
  BOOTFIX_HIVE_REPLAY_CLEAN,        /* nothing to replay; logs ignored */
  BOOTFIX_HIVE_REPLAY_REPLAYED,     /* log entries applied: edit the result */
  BOOTFIX_HIVE_REPLAY_LOGS_MISSING, /* dirty, and no log file was given */
  BOOTFIX_HIVE_REPLAY_LOGS_DO_NOT_APPLY, /* dirty; logs there, none applies */
  BOOTFIX_HIVE_REPLAY_DAMAGED,      /* not a hive, or a bad checksum */
} BootfixHiveReplayVerdict;

/* What became of one log file. */
typedef enum {
  BOOTFIX_HIVE_LOG_UNUSED,    /* not looked at: the primary is clean or damaged */
  BOOTFIX_HIVE_LOG_ABSENT,    /* not given, or empty */
  BOOTFIX_HIVE_LOG_UNUSABLE,  /* no valid log (see error_message) */
  BOOTFIX_HIVE_LOG_STALE,     /* older than the primary: ignored */
  BOOTFIX_HIVE_LOG_NOT_NEXT,  /* does not continue the other log */
  BOOTFIX_HIVE_LOG_NO_ENTRY,  /* applies, but its first entry is bad */
  BOOTFIX_HIVE_LOG_APPLIED,   /* at least one entry (or the dirty pages) applied */
} BootfixHiveLogUse;

typedef struct {
  BootfixHiveLogUse use;
  BootfixHiveLogFormat format;
  guint32 base_sequence;    /* from the log's base block */
  guint n_entries;          /* valid entries found */
  guint entries_applied;
  guint32 first_sequence, last_sequence; /* of those applied */
  BootfixHiveLogStop stop;
  char *error_message;      /* for UNUSABLE */
} BootfixHiveLogReport;

typedef struct {
  BootfixHiveReplayVerdict verdict;
  BootfixHiveHeader primary;    /* the primary's base block as found */
  BootfixHiveLogReport logs[2]; /* [0] LOG1 (or the single .LOG), [1] LOG2 */
  int order[2];                 /* log indexes in the order tried, -1 none */
  guint entries_applied;        /* over both logs */
  guint pages_applied;
  guint32 last_sequence;        /* the result's sequence numbers */
  guint32 bins_size;            /* the result's hive bins data size */
  BootfixHiveLogStop stop;      /* why the last log used stopped */
} BootfixHiveReplayReport;

void bootfix_hive_replay_report_clear (BootfixHiveReplayReport *report);

/* Replay log1 and log2 (either may be NULL or empty) over primary as
 * Windows does at boot.  *out_hive is, by verdict: CLEAN, LOGS_MISSING,
 * LOGS_DO_NOT_APPLY: primary itself (what Windows loads); REPLAYED: the
 * replayed hive with a clean, consistent base block (both sequence
 * numbers = report->last_sequence, checksum right); DAMAGED: NULL.
 * FALSE only when primary is over BOOTFIX_HIVE_LOG_MAX_HIVE_SIZE
 * (BOOTFIX_ERROR_GUEST); a log over its cap is just UNUSABLE.
 * Clear the report with bootfix_hive_replay_report_clear. */
gboolean bootfix_hive_replay (GBytes *primary, GBytes *log1, GBytes *log2,
                              GBytes **out_hive,
                              BootfixHiveReplayReport *report,
                              GError **error);

/* One line for the report, e.g. "replayed 24 log entries (SYSTEM.LOG1,
 * SYSTEM.LOG2) up to sequence number 2130".  name is the hive's. */
char *bootfix_hive_replay_describe (const BootfixHiveReplayReport *report,
                                    const char *name);
const char *bootfix_hive_replay_verdict_name (BootfixHiveReplayVerdict v);

/* The sequence number a primary written back to the guest must carry
 * (both fields) so that Windows can never take an entry of these logs
 * for one newer than the hive: one past every sequence number in the
 * primary, the logs' base blocks and every entry that still looks like
 * one (valid or not).  FALSE when that would wrap past 2^32 - 1. */
gboolean bootfix_hive_log_safe_sequence (const BootfixHiveHeader *primary,
                                         GBytes *log1, GBytes *log2,
                                         guint32 *out, GError **error);

G_END_DECLS

#endif
