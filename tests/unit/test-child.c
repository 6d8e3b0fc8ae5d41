/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests for the isolated child (child.c): every way a child can end,
 * with deadlines short enough that the whole file takes milliseconds. */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

#include "child.h"

/* For children that end at once: costs nothing when they do, and
 * leaves room for a loaded machine or valgrind, where a forked child
 * can take well over 200 ms to answer. */
#define SHORT_MS 10000

static int
child_answers (int fd, gpointer data)
{
  const char *text = data;
  return bootfix_child_write (fd, text, strlen (text)) ? 0 : 1;
}

static int
child_crashes (int fd, gpointer data)
{
  (void) fd;
  (void) data;
  raise (SIGSEGV);
  return 0;
}

static int
child_aborts (int fd, gpointer data)
{
  (void) fd;
  (void) data;
  abort ();
}

static int
child_hangs (int fd, gpointer data)
{
  if (GPOINTER_TO_INT (data))
    close (fd);  /* EOF for the parent, but the child is still there */
  for (;;)
    pause ();  /* until the parent's SIGKILL */
  return 0;
}

static int
child_floods (int fd, gpointer data)
{
  static const guint8 block[4096];
  (void) data;
  for (int i = 0; i < 1024; i++)
    if (!bootfix_child_write (fd, block, sizeof block))
      return 1;
  return 0;
}

static int
child_exits (int fd, gpointer data)
{
  (void) bootfix_child_write (fd, "partial", 7);
  return GPOINTER_TO_INT (data);
}

static void
test_success (void)
{
  g_autoptr (GBytes) out = NULL;
  g_autoptr (GError) error = NULL;
  gsize len = 0;

  g_assert_true (bootfix_child_run (child_answers, (gpointer) "hello", SHORT_MS, 5,
                                    &out, &error));
  g_assert_no_error (error);
  const char *p = g_bytes_get_data (out, &len);
  g_assert_cmpmem (p, len, "hello", 5);

  /* Nothing written is an empty answer, not NULL. */
  g_clear_pointer (&out, g_bytes_unref);
  g_assert_true (bootfix_child_run (child_answers, (gpointer) "", SHORT_MS, 0, &out,
                                    &error));
  g_assert_cmpuint (g_bytes_get_size (out), ==, 0);
  g_assert_true (bootfix_child_run (child_answers, (gpointer) "x", SHORT_MS, 1, NULL,
                                    &error));
}

static void
test_crash (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) out = NULL;

  g_assert_false (bootfix_child_run (child_crashes, NULL, SHORT_MS, 16, &out, &error));
  g_assert_error (error, BOOTFIX_CHILD_ERROR, BOOTFIX_CHILD_ERROR_SIGNALED);
  g_assert_cmpstr (error->message, ==, g_strsignal (SIGSEGV));
  g_assert_null (out);
  g_clear_error (&error);
  g_assert_false (bootfix_child_run (child_aborts, NULL, SHORT_MS, 16, &out, &error));
  g_assert_error (error, BOOTFIX_CHILD_ERROR, BOOTFIX_CHILD_ERROR_SIGNALED);
  g_assert_cmpstr (error->message, ==, g_strsignal (SIGABRT));
}

static void
test_timeout (void)
{
  for (int closes = 0; closes <= 1; closes++) {
    g_autoptr (GError) error = NULL;
    gint64 start = g_get_monotonic_time ();

    g_assert_false (bootfix_child_run (child_hangs, GINT_TO_POINTER (closes), 50, 16,
                                       NULL, &error));
    g_assert_error (error, BOOTFIX_CHILD_ERROR, BOOTFIX_CHILD_ERROR_TIMED_OUT);
    /* Killed at the deadline, not long after it. */
    g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
  }
}

static void
test_too_long (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) out = NULL;

  g_assert_false (bootfix_child_run (child_floods, NULL, 5000, 1000, &out, &error));
  g_assert_error (error, BOOTFIX_CHILD_ERROR, BOOTFIX_CHILD_ERROR_TOO_LONG);
  g_assert_null (out);
  /* Exactly the cap is still an answer. */
  g_clear_error (&error);
  g_assert_true (bootfix_child_run (child_floods, NULL, 5000, 4096 * 1024, &out,
                                    &error));
  g_assert_cmpuint (g_bytes_get_size (out), ==, 4096 * 1024);
}

static void
test_exit_status (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) out = NULL;

  g_assert_false (bootfix_child_run (child_exits, GINT_TO_POINTER (3), SHORT_MS, 16,
                                     &out, &error));
  g_assert_error (error, BOOTFIX_CHILD_ERROR, BOOTFIX_CHILD_ERROR_EXITED);
  g_assert_cmpstr (error->message, ==, "exit status 3");
  g_assert_null (out);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/child/success", test_success);
  g_test_add_func ("/child/crash", test_crash);
  g_test_add_func ("/child/timeout", test_timeout);
  g_test_add_func ("/child/too-long", test_too_long);
  g_test_add_func ("/child/exit-status", test_exit_status);
  return g_test_run ();
}
