/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The image chain resolver (src/guest/image-chain.c) on small images
 * made here with qemu-img (no appliance): good chains of every format,
 * cross-checked with qemu-img info, a table of hostile ones, each
 * refused before qemu opens it, and a table of backing chains a domain
 * declares (<backingStore>), which widen the folder rule and nothing
 * else. */
#include "config.h"

#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "bootfix-error.h"
#include "image-chain.h"

static char *dir;    /* the guest's folder */
static char *other;  /* a folder beside it: "outside" */

static void
run (const char *cmd)
{
  g_autofree char *full = g_strdup_printf ("cd '%s' && %s", dir, cmd);
  g_autofree char *err = NULL;
  int status = 0;
  const char *argv[] = { "/bin/sh", "-c", full, NULL };
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, 0, NULL, NULL, NULL, &err,
                               &status, NULL));
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s: %s", cmd, err);
}

static char *
in_dir (const char *name)
{
  return g_build_filename (dir, name, NULL);
}

static BootfixImageChain *
check_declared (const char *name, const char *format, const GPtrArray *declared,
                gboolean unsafe, GError **error)
{
  g_autofree char *path = in_dir (name);
  return bootfix_image_chain_check (path, format, declared, FALSE, unsafe, error);
}

/* The -a form: no domain, nothing declared. */
static BootfixImageChain *
check (const char *name, const char *format, gboolean unsafe, GError **error)
{
  return check_declared (name, format, NULL, unsafe, error);
}

static void
test_good (void)
{
  static const struct {
    const char *make, *name, *format, *kind;
    guint layers, files;
    gboolean writable;
  } cases[] = {
    { "qemu-img create -q -f qcow2 base.qcow2 16M && "
      "qemu-img create -q -f qcow2 -b base.qcow2 -F qcow2 mid.qcow2 && "
      "qemu-img create -q -f raw sub/base.raw 16M && "
      "qemu-img create -q -f qcow2 -b sub/base.raw -F raw sub.qcow2 && "
      "qemu-img create -q -f qcow2 -b mid.qcow2 -F qcow2 top.qcow2",
      "top.qcow2", "qcow2", "v3", 3, 1, TRUE },
    { NULL, "sub.qcow2", "qcow2", "v3", 2, 1, TRUE },
    { "qemu-img create -q -f vmdk -o subformat=monolithicSparse ms.vmdk 16M",
      "ms.vmdk", "vmdk", "monolithicSparse", 1, 1, TRUE },
    { "qemu-img create -q -f vmdk -o subformat=twoGbMaxExtentSparse t2.vmdk 5G",
      "t2.vmdk", "vmdk", "twoGbMaxExtentSparse", 1, 4, TRUE },
    { "qemu-img create -q -f vmdk -o subformat=monolithicFlat mf.vmdk 16M",
      "mf.vmdk", "vmdk", "monolithicFlat", 1, 2, TRUE },
    { "qemu-img create -q -f vmdk -o subformat=twoGbMaxExtentFlat tf.vmdk 3G",
      "tf.vmdk", "vmdk", "twoGbMaxExtentFlat", 1, 3, TRUE },
    { "qemu-img create -q -f vmdk -o subformat=streamOptimized so.vmdk 16M",
      "so.vmdk", "vmdk", "streamOptimized", 1, 1, FALSE },
    { "qemu-img create -q -f vpc d.vhd 16M", "d.vhd", "vpc", "dynamic", 1, 1, TRUE },
    { "qemu-img create -q -f vpc -o subformat=fixed f.vhd 16M", "f.vhd", "vpc", "fixed", 1, 1, TRUE },
    { "qemu-img create -q -f vhdx x.vhdx 16M", "x.vhdx", "vhdx", "512-byte logical sectors",
      1, 1, TRUE },
    /* declared raw: its qcow2 header is never read as one */
    { "qemu-img create -q -f qcow2 -b /etc/passwd -F raw fake.img 16M",
      "fake.img", "raw", "raw", 1, 1, TRUE },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GError) error = NULL;
    if (cases[i].make)
      run (cases[i].make);
    g_test_message ("case: %s", cases[i].name);
    g_autoptr (BootfixImageChain) c = check (cases[i].name, cases[i].format, FALSE, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (c->layers->len, ==, cases[i].layers);
    BootfixImageLayer *top = g_ptr_array_index (c->layers, 0);
    g_assert_cmpstr (top->kind, ==, cases[i].kind);
    g_assert_cmpuint (top->files->len, ==, cases[i].files);
    g_assert_cmpint (c->not_writable == NULL, ==, cases[i].writable);
    g_assert_cmpstr (top->claims, ==, g_str_equal (cases[i].name, "fake.img") ? "qcow2" : NULL);
    g_autofree char *busy = NULL;
    gboolean ok = bootfix_image_chain_in_use (c, &busy, &error);
    g_assert_no_error (error);
    g_assert_true (ok);
    g_assert_null (busy);
  }
}

/* The hostile images: each refused (BOOTFIX_ERROR_REFUSED) before qemu
 * opens anything; unsafe_ok: accepted with --allow-unsafe-paths. */
static void
test_hostile (void)
{
  static const struct {
    const char *what, *make, *name, *format;
    gboolean unsafe_ok;
  } cases[] = {
    { "backing file in another folder",
      "qemu-img create -q -f raw ../OTHER/host.img 16M && "
      "qemu-img create -q -f qcow2 -b \"$(cd ../OTHER && pwd)/host.img\" -F raw h1.qcow2",
      "h1.qcow2", "qcow2", TRUE },
    { "backing file through '..'",
      "qemu-img create -q -f qcow2 -b ../OTHER/host.img -F raw h2.qcow2",
      "h2.qcow2", "qcow2", TRUE },
    { "backing file is a symbolic link",
      "ln -s base.qcow2 link.qcow2 && "
      "qemu-img create -q -f qcow2 -b link.qcow2 -F qcow2 h3.qcow2",
      "h3.qcow2", "qcow2", TRUE },
    { "backing folder is a link outside",
      "ln -s ../OTHER out && qemu-img create -q -f qcow2 -b out/host.img -F raw h4.qcow2",
      "h4.qcow2", "qcow2", TRUE },
    { "json: backing",
      "qemu-img create -q -f qcow2 -u -b 'json:{\"driver\":\"raw\",\"file\":"
      "{\"driver\":\"file\",\"filename\":\"/etc/passwd\"}}' -F raw h5.qcow2 16M",
      "h5.qcow2", "qcow2", FALSE },
    { "nbd:// backing",
      "qemu-img create -q -f qcow2 -u -b nbd://127.0.0.1:10809/x -F raw h6.qcow2 16M",
      "h6.qcow2", "qcow2", FALSE },
    { "nbd: backing",
      "qemu-img create -q -f qcow2 -u -b nbd:127.0.0.1:10809 -F raw h7.qcow2 16M",
      "h7.qcow2", "qcow2", FALSE },
    { "backing chain loop",
      "qemu-img create -q -f qcow2 la.qcow2 16M && "
      "qemu-img create -q -f qcow2 -b la.qcow2 -F qcow2 lb.qcow2 && "
      "qemu-img rebase -q -u -b lb.qcow2 -F qcow2 la.qcow2",
      "la.qcow2", "qcow2", FALSE },
    { "image is its own backing file",
      "qemu-img create -q -f qcow2 self.qcow2 16M && "
      "qemu-img rebase -q -u -b self.qcow2 -F qcow2 self.qcow2",
      "self.qcow2", "qcow2", FALSE },
    { "backing format not recorded",
      "qemu-img create -q -f qcow2 -b base.qcow2 -F qcow2 nofmt.qcow2 && "
      /* turn the backing format extension into an unknown one */
      "printf '\\022\\064\\126\\170' | dd of=nofmt.qcow2 bs=1 seek=112 conv=notrunc status=none",
      "nofmt.qcow2", "qcow2", FALSE },
    { "backing file is a FIFO",
      "mkfifo fifo.img && qemu-img create -q -f qcow2 -u -b fifo.img -F raw fifo.qcow2 16M",
      "fifo.qcow2", "qcow2", FALSE },
    { "backing file missing",
      "qemu-img create -q -f qcow2 -u -b nothere.img -F raw missing.qcow2 16M",
      "missing.qcow2", "qcow2", FALSE },
    { "VMDK extent is a symbolic link",
      "mkdir v1 && qemu-img create -q -f vmdk -o subformat=twoGbMaxExtentSparse v1/t.vmdk 3G && "
      "mv v1/t-s002.vmdk v1/real.vmdk && ln -s real.vmdk v1/t-s002.vmdk",
      "v1/t.vmdk", "vmdk", TRUE },
    { "VMDK extent outside its folder",
      "mkdir v2 && qemu-img create -q -f vmdk -o subformat=monolithicFlat v2/f.vmdk 16M && "
      "mv v2/f-flat.vmdk ../OTHER/f-flat.vmdk && "
      "sed -i \"s|\\\"f-flat.vmdk\\\"|\\\"$(cd ../OTHER && pwd)/f-flat.vmdk\\\"|\" v2/f.vmdk",
      "v2/f.vmdk", "vmdk", TRUE },
    { "VMDK extent through '..'",
      "mkdir v3 && cp v2/f.vmdk v3/f.vmdk && "
      "sed -i 's|\"/[^\"]*/f-flat.vmdk\"|\"../../OTHER/f-flat.vmdk\"|' v3/f.vmdk",
      "v3/f.vmdk", "vmdk", TRUE },
    { "VMDK snapshot with a parent",
      "mkdir v4 && qemu-img create -q -f vmdk -o subformat=monolithicFlat v4/p.vmdk 16M && "
      "echo 'parentFileNameHint=\"/etc/passwd\"' >> v4/p.vmdk",
      "v4/p.vmdk", "vmdk", FALSE },
    { "VMDK extent is the descriptor again",
      "mkdir v5 && qemu-img create -q -f vmdk -o subformat=monolithicFlat v5/l.vmdk 16M && "
      "sed -i 's|\"l-flat.vmdk\"|\"l.vmdk\"|' v5/l.vmdk",
      "v5/l.vmdk", "vmdk", FALSE },
    { "differencing VHD",
      "qemu-img create -q -f vpc diff.vhd 16M && "
      "printf '\\000\\000\\000\\004' | dd of=diff.vhd bs=1 seek=60 conv=notrunc status=none",
      "diff.vhd", "vpc", FALSE },
    { "qcow2 declared vmdk", NULL, "base.qcow2", "vmdk", FALSE },
    { "a format we do not handle", "qemu-img create -q -f qed q.qed 16M", "q.qed", "qed", FALSE },
    { "--format auto never reaches here", NULL, "base.qcow2", "auto", FALSE },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GError) error = NULL;
    if (cases[i].make)
      run (cases[i].make);
    g_test_message ("case: %s", cases[i].what);
    g_autoptr (BootfixImageChain) c = check (cases[i].name, cases[i].format, FALSE, &error);
    g_assert_null (c);
    g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED);
    g_test_message ("  refused: %s", error->message);
    g_clear_error (&error);
    g_autoptr (BootfixImageChain) u = check (cases[i].name, cases[i].format, TRUE, &error);
    if (cases[i].unsafe_ok)
      g_assert_no_error (error);
    else
      g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED);
  }
}

/* "@O/x" is x in the folder beside the guest's. */
static char *
expand (const char *path)
{
  return g_str_has_prefix (path, "@O/") ? g_build_filename (other, path + 3, NULL)
                                        : g_strdup (path);
}

/* A declared chain from "PATH FORMAT" pairs; NULL for NULL (no domain). */
static GPtrArray *
declared_chain (const char *const *layers)
{
  if (layers == NULL)
    return NULL;
  GPtrArray *chain =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_backing_store_free);
  for (guint i = 0; layers[i] != NULL; i++) {
    g_auto (GStrv) parts = g_strsplit (layers[i], " ", 2);
    g_autofree char *path = expand (parts[0]);
    g_ptr_array_add (chain, bootfix_backing_store_new (path, parts[1], FALSE));
  }
  return chain;
}

#define DECLARE(...) ((const char *const[]) { __VA_ARGS__, NULL })
#define NOTHING ((const char *const[]) { NULL })

/* Backing files outside the guest's folder, declared or not: accepted
 * (layers > 0) only when the domain declares that file, by its real
 * path, at that depth and in that format; the other rules hold for a
 * declared file all the same. */
static void
test_declared (void)
{
  run ("mkdir -p decl ../OTHER/decl ../OTHER/far && O=$(cd ../OTHER && pwd) && "
       "qemu-img create -q -f raw ../OTHER/decl/src.raw 16M && "
       "qemu-img create -q -f qcow2 -b $O/decl/src.raw -F raw decl/ov.qcow2 && "
       "qemu-img create -q -f qcow2 ../OTHER/decl/base.qcow2 16M && "
       "qemu-img create -q -f qcow2 -b base.qcow2 -F qcow2 ../OTHER/decl/mid.qcow2 && "
       "qemu-img create -q -f qcow2 -b $O/decl/mid.qcow2 -F qcow2 decl/ov2.qcow2 && "
       "qemu-img create -q -f raw ../OTHER/far/far.raw 16M && "
       "qemu-img create -q -f qcow2 -b $O/far/far.raw -F raw ../OTHER/decl/to-far.qcow2 && "
       "qemu-img create -q -f qcow2 -b $O/decl/to-far.qcow2 -F qcow2 decl/ov3.qcow2 && "
       "ln -s src.raw ../OTHER/decl/link.raw && "
       "qemu-img create -q -f qcow2 -u -b $O/decl/link.raw -F raw decl/ov-link.qcow2 16M && "
       "qemu-img create -q -f qcow2 -u -b ../../OTHER/decl/src.raw -F raw "
       "decl/ov-dotdot.qcow2 16M && "
       "qemu-img create -q -f vmdk -o subformat=monolithicFlat ../OTHER/decl/flat.vmdk 16M && "
       "qemu-img create -q -f qcow2 -b $O/decl/flat.vmdk -F vmdk decl/ov-vmdk.qcow2 && "
       "qemu-img create -q -f qcow2 -u -b 'json:{\"driver\":\"raw\",\"file\":"
       "{\"driver\":\"file\",\"filename\":\"/etc/passwd\"}}' -F raw "
       "decl/ov-json.qcow2 16M");
  /* Not static: the DECLARE lists are compound literals. */
  const struct {
    const char *what, *name;
    const char *const *declared; /* NULL: no domain */
    guint layers;                /* 0: refused */
    const char *says;            /* in the refusal */
  } cases[] = {
    { "declared, as --output writes it", "decl/ov.qcow2",
      DECLARE ("@O/decl/src.raw raw"), 2, NULL },
    { "declared by another spelling", "decl/ov.qcow2",
      DECLARE ("@O/far/../decl/src.raw raw"), 2, NULL },
    { "declared through a link to it", "decl/ov.qcow2",
      DECLARE ("@O/decl/link.raw raw"), 2, NULL },
    { "no domain", "decl/ov.qcow2", NULL, 0, "lies outside the image's folder" },
    { "the domain declares nothing", "decl/ov.qcow2", NOTHING, 0, "declares no file" },
    { "declared in another format", "decl/ov.qcow2",
      DECLARE ("@O/decl/src.raw qcow2"), 0, "is not the file" },
    { "another file declared", "decl/ov.qcow2",
      DECLARE ("@O/far/far.raw raw"), 0, "is not the file" },
    { "declared one layer too deep", "decl/ov.qcow2",
      DECLARE ("@O/far/far.raw raw", "@O/decl/src.raw raw"), 0, "is not the file" },
    { "the whole chain declared", "decl/ov2.qcow2",
      DECLARE ("@O/decl/mid.qcow2 qcow2", "@O/decl/base.qcow2 qcow2"), 3, NULL },
    { "beside a declared file", "decl/ov2.qcow2",
      DECLARE ("@O/decl/mid.qcow2 qcow2"), 3, NULL },
    { "below a declared file, in neither folder", "decl/ov3.qcow2",
      DECLARE ("@O/decl/to-far.qcow2 qcow2"), 0, "declares no file" },
    { "below a declared file, declared too", "decl/ov3.qcow2",
      DECLARE ("@O/decl/to-far.qcow2 qcow2", "@O/far/far.raw raw"), 3, NULL },
    { "a declared VMDK and its extent", "decl/ov-vmdk.qcow2",
      DECLARE ("@O/decl/flat.vmdk vmdk"), 2, NULL },
    { "the header names a link, declared", "decl/ov-link.qcow2",
      DECLARE ("@O/decl/link.raw raw"), 0, "symbolic link" },
    { "the header's name has '..', declared", "decl/ov-dotdot.qcow2",
      DECLARE ("@O/decl/src.raw raw"), 0, "contains '..'" },
    { "a json: header, its file declared", "decl/ov-json.qcow2",
      DECLARE ("/etc/passwd raw"), 0, "json:" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (GPtrArray) declared = declared_chain (cases[i].declared);
    g_test_message ("case: %s", cases[i].what);
    g_autoptr (BootfixImageChain) c =
      check_declared (cases[i].name, "qcow2", declared, FALSE, &error);
    if (cases[i].layers == 0) {
      g_assert_null (c);
      g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED);
      g_test_message ("  refused: %s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].says));
      continue;
    }
    g_assert_no_error (error);
    g_assert_cmpuint (c->layers->len, ==, cases[i].layers);
    const BootfixImageLayer *below = g_ptr_array_index (c->layers, 1);
    g_assert_true (g_str_has_prefix (below->path, other));
    g_assert_false (below->block);
  }
}

static void
test_depth (void)
{
  run ("qemu-img create -q -f qcow2 d0.qcow2 1M && "
       "for i in $(seq 1 18); do qemu-img create -q -f qcow2 -b d$((i - 1)).qcow2 "
       "-F qcow2 d$i.qcow2; done");
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixImageChain) ok = check ("d16.qcow2", "qcow2", FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ok->layers->len, ==, 17);
  g_autoptr (BootfixImageChain) deep = check ("d18.qcow2", "qcow2", FALSE, &error);
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_REFUSED);
}

static void
test_probe (void)
{
  static const struct { const char *name, *format; } cases[] = {
    { "base.qcow2", "qcow2" }, { "ms.vmdk", "vmdk" }, { "t2.vmdk", "vmdk" },
    { "d.vhd", "vpc" }, { "f.vhd", "vpc" }, { "x.vhdx", "vhdx" }, { "sub/base.raw", "raw" },
    { "fake.img", "qcow2" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *path = in_dir (cases[i].name);
    g_autofree char *f = bootfix_image_probe_file (path, NULL);
    g_assert_cmpstr (f, ==, cases[i].format);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_autofree char *qemu_img = g_find_program_in_path ("qemu-img");
  if (qemu_img == NULL) {
    g_test_skip ("qemu-img is not installed");
    return 0;
  }
  g_autofree char *top = g_dir_make_tmp ("test-image-chain-XXXXXX", NULL);
  dir = g_build_filename (top, "guest", NULL);
  other = g_build_filename (top, "OTHER", NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (other, 0755), ==, 0);
  run ("mkdir -p sub");
  g_test_add_func ("/image-chain/good", test_good);
  g_test_add_func ("/image-chain/hostile", test_hostile);
  g_test_add_func ("/image-chain/declared", test_declared);
  g_test_add_func ("/image-chain/depth", test_depth);
  g_test_add_func ("/image-chain/probe", test_probe);
  int rc = g_test_run ();
  g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", top);
  (void) !system (rm);
  return rc;
}
