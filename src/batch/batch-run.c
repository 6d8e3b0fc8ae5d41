/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The batch scheduler: list → guests → groups → worker processes. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "appliance.h"
#include "batch-list.h"
#include "batch-progress.h"
#include "batch-record.h"
#include "batch-run.h"
#include "bootfix-error.h"
#include "group.h"
#include "json-text.h"

/* Most guests one appliance takes by default: a larger group saves
 * little more launch time, and its guests commit only when its
 * appliance shuts down. */
#define DEFAULT_MAX_GROUP 10
/* What one appliance costs: libguestfs's default memsize and qemu's
 * own overhead, in MiB. */
#define APPLIANCE_MIB (1280 + 256)

typedef struct {
  const BootfixBatchEntry *entry;
  BootfixDomain *dom;          /* NULL when it could not be read */
  GError *dom_error;
  GStrv disks;                 /* the domain's disk paths */
  gboolean run;                /* not skipped by --shard or --resume */
  pid_t owner;                 /* the worker that has it, 0 when none */
  BootfixGuestReport *report;  /* once finished */
} Guest;

typedef struct {
  pid_t pid;
  int fd;
  GString *buf;
  GArray *group;               /* guint: guest indexes */
} Worker;

typedef struct {
  const BootfixContext *ctx;
  const BootfixBatchOptions *o;
  GPtrArray *entries;
  Guest *guests;
  guint n_guests;
  guint jobs;
  GQueue pending;              /* GArray* of guint */
  GPtrArray *workers;          /* Worker* */
  BootfixJsonl *jsonl;
  BootfixBatchCounts counts;
  GTimer *timer;
  gboolean stopping;
  gboolean bar_shown;
} Batch;

/* ---- signals: a flag and a pipe that wakes poll() ---- */

static volatile sig_atomic_t stop_requested;
static int signal_pipe[2] = { -1, -1 };

static void
on_stop_signal (int sig)
{
  int saved = errno;
  stop_requested = 1;
  if (signal_pipe[1] >= 0)
    (void) !write (signal_pipe[1], "x", 1);
  errno = saved;
}

static void
catch_stop_signals (void (*handler) (int))
{
  struct sigaction sa = { .sa_handler = handler };
  sigemptyset (&sa.sa_mask);
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGTERM, &sa, NULL);
}

guint
bootfix_batch_default_jobs (void)
{
  guint cores = MAX (g_get_num_processors (), 1);
  g_autofree char *meminfo = NULL;
  guint64 avail_kib = 0;
  if (g_file_get_contents ("/proc/meminfo", &meminfo, NULL, NULL)) {
    const char *p = strstr (meminfo, "MemAvailable:");
    if (p)
      avail_kib = g_ascii_strtoull (p + strlen ("MemAvailable:"), NULL, 10);
  }
  guint by_memory = avail_kib ? (guint) (avail_kib / 1024 / APPLIANCE_MIB) : cores;
  return CLAMP (MIN (cores, by_memory), 1, 64);
}

/* ---- reading the guests ---- */

static GStrv
domain_disks (const BootfixDomain *dom)
{
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
  for (guint i = 0; dom && i < dom->disks->len; i++) {
    const BootfixDisk *d = g_ptr_array_index (dom->disks, i);
    if (d->source)
      g_strv_builder_add (b, d->source);
  }
  return g_strv_builder_end (b);
}

static void
guests_free (Guest *guests, guint n)
{
  for (guint i = 0; i < n; i++) {
    g_clear_pointer (&guests[i].dom, bootfix_domain_free);
    g_clear_error (&guests[i].dom_error);
    g_strfreev (guests[i].disks);
    g_clear_pointer (&guests[i].report, bootfix_guest_report_free);
  }
  g_free (guests);
}

/* Every domain of the list is read (cheap) so that shared disks, and
 * with --output shared names, are found across the whole list,
 * whatever the shard. */
static gboolean
load_guests (Batch *b, GError **error)
{
  b->n_guests = b->entries->len;
  b->guests = g_new0 (Guest, b->n_guests);
  g_autofree const char *const **disks = g_new0 (const char *const *, b->n_guests + 1);
  g_autofree const char **names = g_new0 (const char *, b->n_guests + 1);
  for (guint i = 0; i < b->n_guests; i++) {
    Guest *g = &b->guests[i];
    g->entry = g_ptr_array_index (b->entries, i);
    g->dom = bootfix_domain_parse_file (g->entry->path, b->ctx->controllers,
                                        &g->dom_error);
    g->disks = domain_disks (g->dom);
    disks[i] = (const char *const *) g->disks;
    names[i] = g->dom ? g->dom->name : NULL;
  }
  return bootfix_batch_check_disjoint (b->entries, disks, error) &&
         (b->o->fix->output_dir == NULL ||
          bootfix_batch_check_unique_names (b->entries, names, error));
}

/* --shard and --resume: which guests this run does. */
static gboolean
choose_guests (Batch *b, GError **error)
{
  guint k = 0, n = 1;
  if (b->o->shard && !bootfix_batch_shard_parse (b->o->shard, &k, &n, error))
    return FALSE;
  g_autoptr (BootfixResume) resume = NULL;
  if (b->o->resume) {
    resume = bootfix_resume_load (b->o->resume, error);
    if (resume == NULL)
      return FALSE;
  }
  for (guint i = 0; i < b->n_guests; i++) {
    Guest *g = &b->guests[i];
    g->run = bootfix_batch_in_shard (g->entry, k, n) &&
             !(resume && bootfix_resume_is_done (resume, g->entry,
                                                 (const char *const *) g->disks));
    if (g->run)
      b->counts.total++;
  }
  if (!b->o->quiet && b->counts.total < b->n_guests)
    printf (_("%u guests in the list; %u to run here (the others are in "
              "other shards or already done)\n"), b->n_guests, b->counts.total);
  return TRUE;
}

/* Guests in list order, cut into groups that fit one appliance. */
static void
make_groups (Batch *b)
{
  guint to_run = 0;
  for (guint i = 0; i < b->n_guests; i++)
    to_run += b->guests[i].run && b->guests[i].dom;
  guint size = b->o->group_size;
  if (size == 0)
    size = CLAMP ((to_run + b->jobs - 1) / MAX (b->jobs, 1), 1, DEFAULT_MAX_GROUP);
  guint max_disks = bootfix_appliance_max_disks ();
  GArray *group = NULL;
  guint disks = 0;
  for (guint i = 0; i < b->n_guests; i++) {
    const Guest *g = &b->guests[i];
    if (!g->run || g->dom == NULL)
      continue;
    guint n = g->dom->disks->len;
    if (group && (group->len >= size || disks + n > max_disks)) {
      g_queue_push_tail (&b->pending, group);
      group = NULL;
    }
    if (group == NULL) {
      group = g_array_new (FALSE, FALSE, sizeof (guint));
      disks = 0;
    }
    g_array_append_val (group, i);
    disks += n;
  }
  if (group)
    g_queue_push_tail (&b->pending, group);
}

/* ---- what the user sees ---- */

static guint
terminal_columns (void)
{
  struct winsize ws;
  if (ioctl (STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
    return ws.ws_col;
  return 80;
}

static void
clear_bar (Batch *b)
{
  if (b->bar_shown) {
    fputs ("\r\033[K", stdout);
    b->bar_shown = FALSE;
  }
}

static void
draw_bar (Batch *b)
{
  if (b->o->quiet || !b->o->progress_bar)
    return;
  b->counts.elapsed = g_timer_elapsed (b->timer, NULL);
  g_autofree char *bar = bootfix_batch_progress_bar (&b->counts,
                                                     terminal_columns () - 1);
  printf ("\r\033[K%s", bar);
  fflush (stdout);
  b->bar_shown = TRUE;
}

/* On a terminal the bar, with a line for each guest that did not end
 * well above it; elsewhere a line for every guest. */
static void
show_finished (Batch *b, const BootfixGuestReport *r)
{
  if (b->o->quiet)
    return;
  gboolean bad = r->status == BOOTFIX_STATUS_ERROR ||
                 r->status == BOOTFIX_STATUS_REFUSED;
  if (!b->o->progress_bar || bad) {
    clear_bar (b);
    g_autofree char *line = bootfix_batch_progress_line (&b->counts, r);
    puts (line);
  }
  draw_bar (b);
}

/* A guest's report is final: count, record, show. */
static void
finish_guest (Batch *b, guint i, BootfixGuestReport *report)
{
  Guest *g = &b->guests[i];
  g_return_if_fail (g->report == NULL);
  g->report = report;
  bootfix_batch_counts_add (&b->counts, report->status);
  if (b->jsonl) {
    g_autoptr (JsonNode) record =
      bootfix_batch_record_new (report, g->entry, (const char *const *) g->disks);
    g_autoptr (GError) error = NULL;
    if (!bootfix_jsonl_append (b->jsonl, record, &error)) {
      clear_bar (b);
      g_warning ("%s", error->message);
    }
  }
  show_finished (b, report);
}

/* ---- the worker: one group in one appliance, in a child process ---- */

typedef struct {
  int fd;
  GArray *group;
} WorkerState;

static void
send_line (WorkerState *w, guint index, JsonNode *report)
{
  g_autoptr (JsonBuilder) jb = json_builder_new ();
  json_builder_begin_object (jb);
  json_builder_set_member_name (jb, "index");
  json_builder_add_int_value (jb, g_array_index (w->group, guint, index));
  json_builder_set_member_name (jb, report ? "report" : "retry");
  if (report)
    json_builder_add_value (jb, json_node_copy (report));
  else
    json_builder_add_boolean_value (jb, TRUE);
  json_builder_end_object (jb);
  g_autoptr (JsonNode) root = json_builder_get_root (jb);
  g_autofree char *text = json_to_string (root, FALSE);
  g_autofree char *line = g_strconcat (text, "\n", NULL);
  size_t len = strlen (line);
  for (size_t done = 0; done < len;) {
    ssize_t n = write (w->fd, line + done, len - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      /* The parent is gone: finish what is in flight, start nothing. */
      stop_requested = 1;
      return;
    }
    done += (size_t) n;
  }
}

static void
worker_done (guint index, BootfixGuestReport *report, gpointer user)
{
  g_autoptr (BootfixGuestReport) r = report;
  g_autoptr (JsonNode) node = bootfix_report_guest_to_json (r);
  send_line (user, index, node);
}

static void
worker_retry (guint index, gpointer user)
{
  send_line (user, index, NULL);
}

static gboolean
worker_stop (gpointer user)
{
  return stop_requested != 0;
}

static void G_GNUC_NORETURN
worker_main (Batch *b, GArray *group, int fd)
{
  /* Its own process group, so a Ctrl-C reaches only the parent, which
   * tells the workers to stop after the guest in flight. */
  (void) setpgid (0, 0);
  close (signal_pipe[0]);
  close (signal_pipe[1]);
  signal_pipe[0] = signal_pipe[1] = -1;
  stop_requested = 0;
  catch_stop_signals (on_stop_signal);
  (void) prctl (PR_SET_PDEATHSIG, SIGTERM);
  if (getppid () == 1)
    _exit (3);
  signal (SIGPIPE, SIG_IGN);
  g_autoptr (GPtrArray) domains = g_ptr_array_new ();
  for (guint i = 0; i < group->len; i++)
    g_ptr_array_add (domains, b->guests[g_array_index (group, guint, i)].dom);
  BootfixFixOptions fix = *b->o->fix;
  fix.progress = NULL;
  WorkerState w = { .fd = fd, .group = group };
  const BootfixGroupCallbacks cb = { worker_done, worker_retry, worker_stop, &w };
  bootfix_fix_group (b->ctx, domains, &fix, &cb);
  fflush (NULL);
  _exit (0);
}

/* ---- the parent: start workers, read their lines, see them end ---- */

static void
worker_free (Worker *w)
{
  if (w->fd >= 0)
    close (w->fd);
  g_string_free (w->buf, TRUE);
  g_array_unref (w->group);
  g_free (w);
}

static gboolean
start_worker (Batch *b, GArray *group, GError **error)
{
  int fds[2];
  if (pipe2 (fds, O_CLOEXEC) != 0) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("cannot create a pipe: %s"), g_strerror (errno));
    return FALSE;
  }
  fflush (NULL);
  pid_t pid = fork ();
  if (pid < 0) {
    int saved = errno;
    close (fds[0]);
    close (fds[1]);
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("cannot start a worker process: %s"), g_strerror (saved));
    return FALSE;
  }
  if (pid == 0) {
    close (fds[0]);
    worker_main (b, group, fds[1]);
  }
  close (fds[1]);
  for (guint k = 0; k < group->len; k++)
    b->guests[g_array_index (group, guint, k)].owner = pid;
  Worker *w = g_new0 (Worker, 1);
  w->pid = pid;
  w->fd = fds[0];
  w->buf = g_string_new (NULL);
  w->group = group;
  g_ptr_array_add (b->workers, w);
  return TRUE;
}

/* Run guest i again, alone, before the groups still waiting. */
static void
queue_alone (Batch *b, guint i)
{
  GArray *alone = g_array_new (FALSE, FALSE, sizeof (guint));
  g_array_append_val (alone, i);
  g_queue_push_head (&b->pending, alone);
  b->guests[i].owner = 0;
}

static void
handle_line (Batch *b, Worker *w, const char *line)
{
  g_autoptr (GError) error = NULL;
  /* A worker runs the same code, but what it sends may come from a
   * crash: read it as hostile. */
  g_autoptr (JsonNode) root = bootfix_json_parse_hostile (line, strlen (line), 16,
                                                          &error);
  JsonObject *o = root && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  gint64 i = o ? json_object_get_int_member_with_default (o, "index", -1) : -1;
  if (i < 0 || i >= b->n_guests || b->guests[i].owner != w->pid ||
      b->guests[i].report) {
    g_warning ("ignoring a garbled line from worker %d", (int) w->pid);
    return;
  }
  if (json_object_has_member (o, "retry")) {
    queue_alone (b, (guint) i);
    return;
  }
  BootfixGuestReport *r =
    bootfix_report_guest_from_json (json_object_get_member (o, "report"), &error);
  if (r == NULL) {
    g_prefix_error (&error, _("the report of guest %s from its worker: "),
                    b->guests[i].entry->path);
    r = bootfix_report_for_error (b->guests[i].dom->name, error);
  }
  finish_guest (b, (guint) i, r);
}

/* Read what is there; FALSE at end of file. */
static gboolean
read_worker (Batch *b, Worker *w)
{
  char chunk[65536];
  ssize_t n = read (w->fd, chunk, sizeof chunk);
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return TRUE;
  if (n <= 0)
    return FALSE;
  g_string_append_len (w->buf, chunk, n);
  char *nl;
  while ((nl = memchr (w->buf->str, '\n', w->buf->len)) != NULL) {
    *nl = '\0';
    handle_line (b, w, w->buf->str);
    g_string_erase (w->buf, 0, nl - w->buf->str + 1);
  }
  return TRUE;
}

static char *
describe_status (int status)
{
  if (WIFSIGNALED (status))
    return g_strdup_printf (_("killed by signal %d (%s)"), WTERMSIG (status),
                            g_strsignal (WTERMSIG (status)));
  return g_strdup_printf (_("exit status %d"), WEXITSTATUS (status));
}

/* The worker is gone: whatever of its group did not finish runs again
 * alone, unless it was alone already, or the batch is stopping. */
static void
reap_worker (Batch *b, Worker *w)
{
  int status = 0;
  while (waitpid (w->pid, &status, 0) < 0 && errno == EINTR)
    ;
  for (guint k = 0; k < w->group->len; k++) {
    guint i = g_array_index (w->group, guint, k);
    Guest *g = &b->guests[i];
    if (g->report || g->owner != w->pid || b->stopping)
      continue;
    if (w->group->len > 1) {
      queue_alone (b, i);
      continue;
    }
    g_autofree char *how = describe_status (status);
    g_autoptr (GError) error =
      g_error_new (BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                   _("guest %s: its worker process ended (%s) before the "
                     "guest was finished; the journal, if any, says what "
                     "was written"), g->dom->name, how);
    finish_guest (b, i, bootfix_report_for_error (g->dom->name, error));
  }
}

static void
tell_workers_to_stop (Batch *b)
{
  if (b->stopping)
    return;
  b->stopping = TRUE;
  clear_bar (b);
  if (!b->o->quiet)
    fprintf (stderr, _("virt-bootfix: stopping after the guests in flight; "
                       "the others can be run with --resume\n"));
  for (guint k = 0; k < b->workers->len; k++)
    kill (((Worker *) g_ptr_array_index (b->workers, k))->pid, SIGTERM);
}

/* One round: fill the free slots, wait for output (or a second, for
 * the bar), read it. */
static gboolean
pool_round (Batch *b, GError **error)
{
  while (!b->stopping && b->workers->len < b->jobs && b->pending.length > 0)
    if (!start_worker (b, g_queue_pop_head (&b->pending), error))
      return FALSE;
  g_autofree struct pollfd *pfd = g_new0 (struct pollfd, b->workers->len + 1);
  pfd[0] = (struct pollfd) { .fd = signal_pipe[0], .events = POLLIN };
  for (guint k = 0; k < b->workers->len; k++)
    pfd[k + 1] = (struct pollfd) {
      .fd = ((Worker *) g_ptr_array_index (b->workers, k))->fd, .events = POLLIN };
  if (poll (pfd, b->workers->len + 1, 1000) < 0 && errno != EINTR)
    return TRUE;
  if (stop_requested)
    tell_workers_to_stop (b);
  if (pfd[0].revents) {
    char drain[64];
    (void) !read (signal_pipe[0], drain, sizeof drain);
  }
  for (guint k = b->workers->len; k-- > 0;) {
    Worker *w = g_ptr_array_index (b->workers, k);
    if (pfd[k + 1].revents && !read_worker (b, w)) {
      reap_worker (b, w);
      g_ptr_array_remove_index (b->workers, k);
    }
  }
  draw_bar (b);
  return TRUE;
}

/* ---- the batch ---- */

/* Guests whose domain could not be read fail here, without a worker. */
static void
finish_unreadable (Batch *b)
{
  for (guint i = 0; i < b->n_guests; i++) {
    Guest *g = &b->guests[i];
    if (g->run && g->dom == NULL)
      finish_guest (b, i, bootfix_report_for_error (g->entry->path, g->dom_error));
  }
}

static gboolean
run_pool (Batch *b, GError **error)
{
  if (pipe2 (signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 _("cannot create a pipe: %s"), g_strerror (errno));
    return FALSE;
  }
  stop_requested = 0;
  catch_stop_signals (on_stop_signal);
  gboolean ok = TRUE;
  while (ok && (b->workers->len > 0 || (!b->stopping && b->pending.length > 0)))
    ok = pool_round (b, error);
  catch_stop_signals (SIG_DFL);
  close (signal_pipe[0]);
  close (signal_pipe[1]);
  signal_pipe[0] = signal_pipe[1] = -1;
  clear_bar (b);
  return ok;
}

static void
batch_clear (Batch *b)
{
  GArray *group;
  while ((group = g_queue_pop_head (&b->pending)) != NULL)
    g_array_unref (group);
  g_clear_pointer (&b->workers, g_ptr_array_unref);
  g_clear_pointer (&b->jsonl, bootfix_jsonl_close);
  g_clear_pointer (&b->timer, g_timer_destroy);
  guests_free (b->guests, b->n_guests);
  g_clear_pointer (&b->entries, g_ptr_array_unref);
}

gboolean
bootfix_batch_run (const BootfixContext *ctx, const BootfixBatchOptions *o,
                   GPtrArray *reports, gboolean *interrupted, GError **error)
{
  Batch b = { .ctx = ctx, .o = o };
  g_queue_init (&b.pending);
  b.workers = g_ptr_array_new_with_free_func ((GDestroyNotify) worker_free);
  b.timer = g_timer_new ();
  b.jobs = o->jobs ? o->jobs : bootfix_batch_default_jobs ();
  *interrupted = FALSE;
  gboolean ok = (b.entries = bootfix_batch_list_load (o->source, error)) != NULL &&
                load_guests (&b, error) && choose_guests (&b, error) &&
                (o->jsonl == NULL ||
                 (b.jsonl = bootfix_jsonl_open (o->jsonl, error)) != NULL);
  if (ok) {
    make_groups (&b);
    draw_bar (&b);
    finish_unreadable (&b);
    ok = run_pool (&b, error);
  }
  for (guint i = 0; ok && i < b.n_guests; i++) {
    Guest *g = &b.guests[i];
    if (g->report)
      g_ptr_array_add (reports, g_steal_pointer (&g->report));
    else if (g->run)
      *interrupted = TRUE;
  }
  batch_clear (&b);
  return ok;
}
