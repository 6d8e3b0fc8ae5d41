/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Forked children with a deadline: one implementation of the isolation
 * that hive.c (libhivex) and cabinet.c (libgcab) need. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"

G_DEFINE_QUARK (bootfix-child-error-quark, bootfix_child_error)

typedef enum { READ_EOF, READ_TOO_LONG, READ_TIMEOUT, READ_ERROR } ReadEnd;

gboolean
bootfix_child_write (int fd, const void *data, gsize len)
{
  const guint8 *p = data;

  while (len > 0) {
    ssize_t n = write (fd, p, MIN (len, (gsize) G_MAXSSIZE));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return FALSE;
    p += n;
    len -= (gsize) n;
  }
  return TRUE;
}

static void G_GNUC_NORETURN
child_main (int fd, BootfixChildFunc func, gpointer user_data)
{
  static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL };
  int null_fd = open ("/dev/null", O_WRONLY | O_CLOEXEC);

  /* Die of the signal, whatever handler the process had installed, so
   * the parent can tell a crash from an exit. */
  for (gsize i = 0; i < G_N_ELEMENTS (crash_signals); i++)
    signal (crash_signals[i], SIG_DFL);
  signal (SIGPIPE, SIG_IGN);
  /* A library's assertion text would only confuse the user: the caller
   * reports the crash in its own words. */
  if (null_fd >= 0)
    (void) dup2 (null_fd, STDERR_FILENO);
  _exit (func (fd, user_data));
}

/* The child's answer, up to EOF, limit bytes or the deadline. */
static ReadEnd
read_output (int fd, gint64 deadline, gsize limit, GByteArray *out, int *err)
{
  guint8 buf[16384];

  for (;;) {
    gint64 left = deadline - g_get_monotonic_time ();
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    ssize_t n;
    int ready;

    if (left <= 0)
      return READ_TIMEOUT;
    ready = poll (&pfd, 1, (int) MIN (left / 1000 + 1, 1000));
    if (ready < 0 && errno != EINTR) {
      *err = errno;
      return READ_ERROR;
    }
    if (ready <= 0)
      continue;
    n = read (fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      *err = errno;
      return READ_ERROR;
    }
    if (n == 0)
      return READ_EOF;
    if ((gsize) n > limit - out->len)
      return READ_TOO_LONG;
    g_byte_array_append (out, buf, (guint) n);
  }
}

/* Reap the child, killing it if it is still there at the deadline (it
 * may close its end of the pipe and then hang).  TRUE if it was late. */
static gboolean
reap (pid_t pid, gint64 deadline, gboolean kill_now, int *status)
{
  gulong nap = 100;
  pid_t got;

  if (kill_now)
    (void) kill (pid, SIGKILL);
  while ((got = waitpid (pid, status, WNOHANG)) == 0 || (got < 0 && errno == EINTR)) {
    gint64 left = deadline - g_get_monotonic_time ();
    if (left <= 0) {
      (void) kill (pid, SIGKILL);
      while (waitpid (pid, status, 0) < 0 && errno == EINTR)
        ;
      return TRUE;
    }
    g_usleep (MIN ((gint64) nap, left));
    nap = MIN (nap * 2, 10000);
  }
  return FALSE;
}

/* Turn how the child ended into the result. */
static gboolean
judge (ReadEnd end, int read_errno, gboolean late, int status, guint timeout_ms,
       gsize max_output, GError **error)
{
  if (end == READ_TIMEOUT || late) {
    g_set_error (error, BOOTFIX_CHILD_ERROR, BOOTFIX_CHILD_ERROR_TIMED_OUT,
                 "still running after %u ms", timeout_ms);
    return FALSE;
  }
  if (end == READ_TOO_LONG) {
    g_set_error (error, BOOTFIX_CHILD_ERROR, BOOTFIX_CHILD_ERROR_TOO_LONG,
                 "answered more than %" G_GSIZE_FORMAT " bytes", max_output);
    return FALSE;
  }
  if (end == READ_ERROR) {
    g_set_error (error, BOOTFIX_CHILD_ERROR, BOOTFIX_CHILD_ERROR_FAILED,
                 "read: %s", g_strerror (read_errno));
    return FALSE;
  }
  if (WIFSIGNALED (status)) {
    g_set_error_literal (error, BOOTFIX_CHILD_ERROR, BOOTFIX_CHILD_ERROR_SIGNALED,
                         g_strsignal (WTERMSIG (status)));
    return FALSE;
  }
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0) {
    g_set_error (error, BOOTFIX_CHILD_ERROR, BOOTFIX_CHILD_ERROR_EXITED,
                 "exit status %d", WIFEXITED (status) ? WEXITSTATUS (status) : -1);
    return FALSE;
  }
  return TRUE;
}

static gboolean
failed_errno (GError **error, const char *what, int saved)
{
  g_set_error (error, BOOTFIX_CHILD_ERROR, BOOTFIX_CHILD_ERROR_FAILED, "%s: %s",
               what, g_strerror (saved));
  return FALSE;
}

gboolean
bootfix_child_run (BootfixChildFunc func, gpointer user_data, guint timeout_ms,
                   gsize max_output, GBytes **output, GError **error)
{
  g_autoptr (GByteArray) out = NULL;  /* made after the fork: the child
                                       * would carry it unfreed */
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  int fds[2], status = 0, read_errno = 0;
  ReadEnd end;
  gboolean late;
  pid_t pid;

  g_return_val_if_fail (func != NULL, FALSE);
  if (output != NULL)
    *output = NULL;
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return failed_errno (error, "pipe", errno);
  fflush (NULL);  /* or the child would write the parent's buffers again */
  pid = fork ();
  if (pid == 0) {
    close (fds[0]);
    child_main (fds[1], func, user_data);
  }
  close (fds[1]);
  if (pid < 0) {
    int saved = errno;
    close (fds[0]);
    return failed_errno (error, "fork", saved);
  }
  out = g_byte_array_new ();
  end = read_output (fds[0], deadline, max_output, out, &read_errno);
  close (fds[0]);
  late = reap (pid, deadline, end != READ_EOF, &status);
  if (!judge (end, read_errno, late, status, timeout_ms, max_output, error))
    return FALSE;
  if (output != NULL)
    *output = g_byte_array_free_to_bytes (g_steal_pointer (&out));
  return TRUE;
}
