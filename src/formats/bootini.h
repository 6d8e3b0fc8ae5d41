/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* XP / 2003 boot.ini and ARC paths: parse, rewrite the partition an
 * entry points at (every other byte kept), and number partitions the
 * way ARC paths do.  Pure; format: docs/boot-formats.md, "boot.ini and
 * ARC paths". */
#ifndef BOOTFIX_BOOTINI_H
#define BOOTFIX_BOOTINI_H

#include <glib.h>
#include "disk-layout.h"

G_BEGIN_DECLS

/* A real boot.ini is well under 1 KiB; NTLDR's menu shows a handful of
 * entries. */
#define BOOTFIX_MAX_BOOTINI_SIZE (64 * 1024)
#define BOOTFIX_MAX_BOOTINI_LINES 4096
/* Largest adapter / disk / rdisk / partition number accepted. */
#define BOOTFIX_MAX_ARC_NUMBER 255

typedef enum {
  BOOTFIX_ARC_MULTI,     /* multi(X)disk(Y)rdisk(Z)partition(W): BIOS INT 13h */
  BOOTFIX_ARC_SCSI,      /* scsi(X)…: through ntbootdd.sys */
  BOOTFIX_ARC_SIGNATURE, /* signature(S)…: disk found by MBR signature */
} BootfixArcKind;

typedef struct {
  BootfixArcKind kind;
  guint32 adapter;   /* multi(X) / scsi(X); 0 for signature() */
  guint32 signature; /* signature(S); 0 otherwise */
  guint32 disk;
  guint32 rdisk;
  guint32 partition; /* ARC numbering: see bootfix_bootini_partition_number */
  char *path;        /* "\WINDOWS"; "" when absent */
} BootfixArcPath;

void bootfix_arc_path_clear (BootfixArcPath *arc);
/* Parse "multi(0)disk(0)rdisk(0)partition(1)\WINDOWS" (names in any
 * case).  Fails with BOOTFIX_ERROR_GUEST saying what is wrong. */
gboolean bootfix_arc_path_parse (const char *text, BootfixArcPath *arc,
                                 GError **error);
/* Canonical lower-case text, path included. */
char *bootfix_arc_path_to_string (const BootfixArcPath *arc);
/* Same device: kind, adapter or signature, disk, rdisk, partition
 * (the path is not compared). */
gboolean bootfix_arc_path_same_device (const BootfixArcPath *a,
                                       const BootfixArcPath *b);

typedef struct {
  guint line;          /* 1-based */
  char *key;           /* left of '=', trimmed, as UTF-8 */
  gboolean is_arc;     /* FALSE for "C:\=…" and other non-ARC keys */
  BootfixArcPath arc;  /* when is_arc */
  char *description;   /* inside the quotes; NULL when there are none */
  char *switches;      /* the rest, trimmed ("/fastdetect"); never NULL */
} BootfixBootIniEntry;

typedef struct {
  gboolean has_bom;     /* UTF-8 byte order mark, skipped */
  gboolean crlf;        /* the first line ending is CR LF */
  guint n_lines;
  gboolean has_timeout;
  gint64 timeout;
  char *default_key;    /* the first [boot loader] default=, or NULL */
  gboolean default_is_arc;
  BootfixArcPath default_arc;
  guint default_line;
  GPtrArray *entries;   /* BootfixBootIniEntry *, [operating systems] */
  GPtrArray *warnings;  /* char *: oddities that did not stop parsing */
} BootfixBootIni;

void bootfix_bootini_free (BootfixBootIni *ini);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixBootIni, bootfix_bootini_free)

/* Parse boot.ini bytes (ANSI; CR LF or LF; optional UTF-8 BOM).  Fails
 * with BOOTFIX_ERROR_GUEST for files over the limits, UTF-16 or NUL
 * bytes, bad section headers, malformed ARC paths, unterminated
 * descriptions and a missing [operating systems] section. */
BootfixBootIni *bootfix_bootini_parse (const guint8 *buf, gsize size,
                                       GError **error);

/* Point every ARC path that names old_device (each default= line of
 * [boot loader] and each [operating systems] entry with an '='; see
 * bootfix_arc_path_same_device) at
 * new_device.  Of old and new only the device part counts: an entry's
 * "\WINDOWS" stays.  When the kinds are equal only the numbers that
 * differ are replaced; otherwise the whole device prefix is written in
 * canonical form.  Every other byte is kept.  Returns the new file
 * (g_free; NUL-terminated beyond *out_size); *n_changed = paths changed. */
guint8 *bootfix_bootini_rewrite (const guint8 *buf, gsize size,
                                 const BootfixArcPath *old_device,
                                 const BootfixArcPath *new_device,
                                 gsize *out_size, guint *n_changed,
                                 GError **error);

/* ARC partition number W of a partition of an MBR disk
 * (docs/boot-formats.md, "boot.ini and ARC paths"): 1-based, primaries
 * in slot order skipping empty slots and extended containers, then
 * logical partitions in EBR chain order.  0 for extended containers
 * and GPT disks. */
guint bootfix_bootini_partition_number (const BootfixDiskLayout *layout,
                                        const BootfixPartition *part);

G_END_DECLS

#endif
