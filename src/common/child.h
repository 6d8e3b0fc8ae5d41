/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Run a function in a forked child with a deadline and a cap on what it
 * may answer: the isolation for libraries that crash or hang on hostile
 * guest bytes (libhivex, libgcab). */
#ifndef BOOTFIX_CHILD_H
#define BOOTFIX_CHILD_H

#include <glib.h>

G_BEGIN_DECLS

#define BOOTFIX_CHILD_ERROR (bootfix_child_error_quark ())
GQuark bootfix_child_error_quark (void);

/* How the child ended, when it did not exit with status 0.  Callers
 * word the error for the user; the message is only the detail. */
typedef enum {
  BOOTFIX_CHILD_ERROR_FAILED,    /* pipe, fork or read failed */
  BOOTFIX_CHILD_ERROR_SIGNALED,  /* crashed; message: g_strsignal () */
  BOOTFIX_CHILD_ERROR_EXITED,    /* exit status other than 0 */
  BOOTFIX_CHILD_ERROR_TIMED_OUT, /* still running at the deadline: killed */
  BOOTFIX_CHILD_ERROR_TOO_LONG,  /* answered more than the cap: killed */
} BootfixChildError;

/* Runs in the child: write the answer to fd, return the exit status.
 * The child ends in _exit (), so no atexit or cleanup handler of the
 * parent's libraries runs there. */
typedef int (*BootfixChildFunc) (int fd, gpointer user_data);

/* Fork, run func (fd, user_data) in the child with the crash signals
 * at their defaults and stderr on /dev/null, and collect at most
 * max_output bytes of its answer into *output (may be NULL).  The child
 * is killed at timeout_ms.  TRUE only if it exited with status 0. */
gboolean bootfix_child_run (BootfixChildFunc func, gpointer user_data,
                            guint timeout_ms, gsize max_output,
                            GBytes **output, GError **error);

/* Write all of data to fd (for the child's answer). */
gboolean bootfix_child_write (int fd, const void *data, gsize len);

G_END_DECLS

#endif
