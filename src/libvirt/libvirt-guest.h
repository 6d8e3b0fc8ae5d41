/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Guests named in libvirt: -c URI -d NAME, as in virt-customize and
 * virt-inspector.  Their definition is read through libvirt, and a guest
 * libvirt says is active (running, paused, ...) or has a saved memory
 * state is refused before any of its disks is opened. */
#ifndef BOOTFIX_LIBVIRT_GUEST_H
#define BOOTFIX_LIBVIRT_GUEST_H

#include <glib.h>
#include "domain.h"

G_BEGIN_DECLS

/* How -d ARG is read: a domain XML file, or the name (or UUID) of a
 * libvirt guest.  With -c (uri_given) it is always a guest.  Without,
 * it is a file when ARG contains '/' (libvirt refuses '/' in names) or
 * names an existing file, which keeps the old "-d FILE" working; else a
 * guest on libvirt's default URI. */
gboolean bootfix_libvirt_arg_is_file (const char *arg, gboolean uri_given);

/* A read-only connection to libvirt. */
typedef struct _BootfixLibvirt BootfixLibvirt;

/* uri NULL: libvirt's default (LIBVIRT_DEFAULT_URI, then uri_default in
 * libvirt.conf, then what libvirt finds running).  libvirt's own error
 * printing is turned off: its messages end up in our GErrors. */
BootfixLibvirt *bootfix_libvirt_open (const char *uri, GError **error);
void bootfix_libvirt_free (BootfixLibvirt *lv);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixLibvirt, bootfix_libvirt_free)

/* The URI libvirt connected to (the default resolved). */
const char *bootfix_libvirt_uri (const BootfixLibvirt *lv);

/* Why a guest must not be touched now, from what libvirt says of it:
 * state is a virDomainState, managed_save whether a saved memory state
 * waits for its next start.  FALSE with BOOTFIX_ERROR_REFUSED naming the
 * guest, the URI and what to do; TRUE when it is shut off and has no
 * saved state. */
gboolean bootfix_libvirt_check_state (const char *guest, const char *uri,
                                      int state, gboolean managed_save,
                                      GError **error);

/* The guest named name (or with that UUID): refused when it is not shut
 * off cleanly (above), else its inactive definition (the one its next
 * start uses) through the domain reader, with the path of each disk
 * that is a volume of a storage pool (type='volume') filled in. */
BootfixDomain *bootfix_libvirt_read_domain (BootfixLibvirt *lv,
                                            const char *name,
                                            const BootfixControllerDb *db,
                                            GError **error);

G_END_DECLS

#endif
