/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Files from Microsoft cabinets (.cab): the driver cache of Windows
 * 2000/XP/2003 (Driver Cache\i386\driver.cab and the service-pack
 * cabinets spN.cab beside it).  A bounded walk of the cabinet's own
 * structure (CFHEADER, CFFOLDER, CFFILE, CFDATA headers) checks every
 * size libgcab will trust, then libgcab decompresses the one file asked
 * for, in a child process: its LZX decoder is not memory-safe on
 * hostile data.  Pure (no guest access); fuzzed by fuzz-cabinet. */
#ifndef BOOTFIX_CABINET_H
#define BOOTFIX_CABINET_H

#include <glib.h>

G_BEGIN_DECLS

/* Larger cabinets are refused outright. */
#define BOOTFIX_CABINET_MAX_SIZE (512u * 1024 * 1024)
/* Larger files are refused (a boot driver is well under 1 MiB). */
#define BOOTFIX_CABINET_MAX_FILE_SIZE (64u * 1024 * 1024)
/* Folders and files each; the format's 16-bit counts cannot exceed it. */
#define BOOTFIX_CABINET_MAX_ENTRIES 65536
/* How long libgcab may take over one file before its child is killed. */
#define BOOTFIX_CABINET_TIMEOUT_SECONDS 120

/* The bytes of the file called name in the cabinet cab (any size; the
 * caller may map it).  name matches case-insensitively (ASCII) either a
 * member's whole name ("i386\atapi.sys") or its last component
 * ("atapi.sys"); a whole-name match wins, then the first member in the
 * cabinet.  Absent: *out = NULL and TRUE.  display_name (the guest path,
 * say) names the cabinet in errors.
 *
 * Fails with BOOTFIX_ERROR_GUEST when the cabinet is not a cabinet, is
 * truncated or inconsistent, the file is larger than
 * BOOTFIX_CABINET_MAX_FILE_SIZE, its data is damaged (bad checksum,
 * undecodable blocks) or libgcab crashed on it; with
 * BOOTFIX_ERROR_UNSUPPORTED when the file's folder uses Quantum
 * compression, and with BOOTFIX_ERROR_FAILED when the child process
 * could not be run.  A failure on one cabinet says nothing about the
 * others: a caller may go on to the next one. */
gboolean bootfix_cabinet_extract (GBytes *cab, const char *display_name,
                                  const char *name, GBytes **out,
                                  GError **error);

/* The same, but libgcab runs in this process: for the fuzz target and
 * tests only.  A hostile LZX folder can corrupt this process's memory. */
gboolean bootfix_cabinet_extract_in_process (GBytes *cab,
                                             const char *display_name,
                                             const char *name, GBytes **out,
                                             GError **error);

/* The driver-cache cabinets among names (file names from one Driver
 * Cache folder, any case), newest first: spN.cab by descending N (sp10
 * before sp9), then driver.cab; anything else is left out.  Returns a
 * new NULL-terminated array of copies of the chosen names (g_strfreev),
 * empty when there are none.  Pure. */
char **bootfix_cabinet_order (const char *const *names);

G_END_DECLS

#endif
