/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The boot-chain module: after a restore onto a new disk, point the BCD
 * store, MountedDevices, the NTFS boot sectors and boot.ini at the
 * partitions that exist now.  Shared state of its three passes. */
#ifndef BOOTCHAIN_H
#define BOOTCHAIN_H

#include <glib.h>

#include "bcd-device.h"
#include "bcd-store.h"
#include "bootini.h"
#include "bootfix-module.h"
#include "mounted-devices.h"

/* A volume identity that no longer exists, and the partition that now
 * holds what it named. */
typedef struct {
  BootfixVolumeId old;
  const struct bootfix_partition *to;
} ChainMove;

typedef struct {
  const struct bootfix_host *h;
  GPtrArray *parts;                     /* const struct bootfix_partition * */
  const struct bootfix_partition *root; /* holds the Windows directory */
  GArray *moves;                        /* ChainMove */
  char letter;                          /* SystemRoot's drive, 'C' */
  char *sysroot_dir;                    /* "\\WINDOWS" as SystemRoot says */
} Chain;

#define CHAIN_REASON "boot chain"

/* Where bootmgr looks for its store: BIOS system partition (or the
 * Windows partition when there is none), and the ESP. */
#define CHAIN_BIOS_STORE "\\Boot\\BCD"
#define CHAIN_UEFI_STORE "\\EFI\\Microsoft\\Boot\\BCD"

/* A BCD store read from a partition, with the moves of its stale
 * identities learnt (bcd-fix.c). */
typedef struct {
  Chain *c;
  const struct bootfix_partition *home; /* holds the store */
  const char *path;
  BootfixBcdStore *store;
  GBytes *file;
} ChainStore;

/* 1 and *out, 0 when there is no such file, -1: *err_text says why a
 * store that is there cannot be read, else h->error() was called. */
int chain_store_open (Chain *c, const struct bootfix_partition *home,
                      const char *path, ChainStore **out, char **err_text);
void chain_store_free (ChainStore *s);
void chain_ref_to_id (const BootfixBcdPartitionRef *ref, BootfixVolumeId *id);
/* The partition a BCD reference names as it is, or NULL (stale). */
const struct bootfix_partition *chain_ref_partition (const Chain *c,
                                                     const BootfixBcdPartitionRef *ref);

/* The identity Windows records for a partition. */
void chain_volume_id (const struct bootfix_partition *p, BootfixVolumeId *id);
/* The partition with that identity, or NULL (the identity is stale). */
const struct bootfix_partition *chain_find (const Chain *c,
                                            const BootfixVolumeId *id);
void chain_add_move (Chain *c, const BootfixVolumeId *old,
                     const struct bootfix_partition *to);
/* The partition a stale identity was learnt to have moved to, or NULL. */
const struct bootfix_partition *chain_moved (const Chain *c,
                                             const BootfixVolumeId *old);
/* Where a stale identity went: a recorded move, else (MBR) the
 * partition at the same offset on the disk where the other partitions
 * of the same old disk went.  NULL when unknown. */
const struct bootfix_partition *chain_resolve (const Chain *c,
                                               const BootfixVolumeId *old);
/* A filesystem we can look into for files. */
gboolean chain_has_files (const struct bootfix_partition *p);

/* NT 5 (nt5-fix.c): what fixing p's boot sector would change, as
 * text ("" for nothing; NULL after h->error()); whether an ARC path
 * names the Windows folder but not its partition (want). */
char *chain_nt5_geometry_changes (Chain *c, const struct bootfix_partition *p);
gboolean chain_nt5_needs_repoint (const Chain *c, const BootfixArcPath *arc,
                                  const BootfixArcPath *want);

/* The passes; each returns 0 or -1 after h->error(). */
int chain_fix_bcd (Chain *c);
int chain_fix_nt5 (Chain *c);
int chain_fix_mounted_devices (Chain *c);
/* --check (links.c): report the links this module knows. */
int chain_check_links (Chain *c);

#endif
