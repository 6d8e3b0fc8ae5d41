/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Disk image formats as qemu names them: which ones virt-bootfix
 * handles, what an image's first bytes claim it is (only for --format
 * auto and for hints: an image can claim anything), and the one check
 * every file name read from an image header passes.  Pure; layouts:
 * docs/image-formats.md. */
#ifndef BOOTFIX_IMAGE_FORMAT_H
#define BOOTFIX_IMAGE_FORMAT_H

#include <glib.h>

G_BEGIN_DECLS

/* Bytes of an image's start and end the probe looks at. */
#define BOOTFIX_IMAGE_PROBE_HEAD 512
#define BOOTFIX_IMAGE_PROBE_TAIL 512
/* Longest file name an image header may hold (qcow2's limit; qemu
 * reads VMDK extent names into 512 bytes). */
#define BOOTFIX_IMAGE_MAX_REFERENCE 1023

/* raw, qcow2, vmdk, vpc (VHD) and vhdx. */
gboolean bootfix_image_format_handled (const char *format);

/* The format the bytes claim: "qcow2", "vmdk", "vpc", "vhdx", one qemu
 * knows that we do not handle ("qcow", "qed", "vdi", "luks"), or "raw"
 * when they claim nothing.  tail is the file's last 512 bytes (a fixed
 * VHD has its footer only there); either may be short. */
const char *bootfix_image_format_probe (const guint8 *head, gsize head_len,
                                        const guint8 *tail, gsize tail_len);

/* A file name stored in an image header (len bytes, no terminator),
 * as a string: refused (BOOTFIX_ERROR_GUEST) when empty, longer than
 * BOOTFIX_IMAGE_MAX_REFERENCE, not UTF-8, or holding a NUL or another
 * control character.  `what` names it in the message. */
char *bootfix_image_reference_dup (const guint8 *bytes, gsize len,
                                   const char *what, GError **error);

G_END_DECLS

#endif
