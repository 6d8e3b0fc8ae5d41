/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Loading conversion modules: GModule plus the checks of the versioned
 * ABI in bootfix-module.h.  Every refusal is a BOOTFIX_ERROR_MODULE that
 * starts with the file's path, says what is wrong and what to do. */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "module-loader.h"
#include "bootfix-error.h"
#include "dirs.h"

/* Every API version has the fields up to and including plan. */
#define MODULE_STRUCT_MIN offsetof (struct bootfix_module, verify)

/* No real descriptor comes near this; a bigger size means the module's
 * memory is garbage, and we would not want to trust its pointers. */
#define MODULE_STRUCT_MAX (64 * 1024)

typedef const struct bootfix_module *(*BootfixModuleInitFunc) (void);

void
bootfix_module_free (BootfixModule *mod)
{
  if (mod == NULL)
    return;
  /* The descriptor's strings and callbacks live in the module, so the
   * GModule goes last. */
  if (mod->gmodule != NULL)
    g_module_close (mod->gmodule);
  g_free (mod->path);
  g_free (mod);
}

static void
set_module_error (GError **error, const char *path, const char *what)
{
  g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_MODULE, "%s: %s",
               path, what);
}

/* dlerror() usually starts with the file name; ours is already at the
 * start of the message, once is enough. */
static const char *
dlerror_reason (const char *dlerr, const char *abs)
{
  gsize n = strlen (abs);
  if (dlerr == NULL)
    return _("unknown error");
  if (strncmp (dlerr, abs, n) == 0 && strncmp (dlerr + n, ": ", 2) == 0)
    return dlerr + n + 2;
  return dlerr;
}

static GModule *
open_module (const char *path, GError **error)
{
  /* dlopen() searches the library path for a name without a slash, so
   * "mod.so" would not mean the file in the current directory. */
  g_autofree char *abs = g_canonicalize_filename (path, NULL);
  GModule *gmodule = g_module_open (abs, G_MODULE_BIND_LOCAL
                                    | G_MODULE_BIND_LAZY);
  if (gmodule == NULL) {
    g_autofree char *msg = g_strdup_printf (
        _("cannot load this conversion module (%s). Check that the file "
          "is a shared object built for this machine and that the "
          "libraries it needs are installed."),
        dlerror_reason (g_module_error (), abs));
    set_module_error (error, path, msg);
  }
  return gmodule;
}

static const struct bootfix_module *
call_init (GModule *gmodule, const char *path, GError **error)
{
  gpointer sym = NULL;
  if (!g_module_symbol (gmodule, BOOTFIX_MODULE_INIT_SYMBOL, &sym)
      || sym == NULL) {
    g_autofree char *msg = g_strdup_printf (
        _("not a virt-bootfix conversion module: it does not export %s(). "
          "Build it with BOOTFIX_REGISTER_MODULE() from bootfix-module.h, "
          "or remove it from the module directory."),
        BOOTFIX_MODULE_INIT_SYMBOL);
    set_module_error (error, path, msg);
    return NULL;
  }

  BootfixModuleInitFunc init = (BootfixModuleInitFunc) sym;
  const struct bootfix_module *p = init ();
  if (p == NULL) {
    g_autofree char *msg = g_strdup_printf (
        _("%s() returned NULL, so the module is broken. Rebuild it with "
          "BOOTFIX_REGISTER_MODULE() from bootfix-module.h."),
        BOOTFIX_MODULE_INIT_SYMBOL);
    set_module_error (error, path, msg);
  }
  return p;
}

/* The header fields decide how much of the module we may read at all,
 * so they are checked before anything is copied. */
static gboolean
check_header (const struct bootfix_module *p, const char *path,
              GError **error)
{
  g_autofree char *msg = NULL;
  guint64 size = p->_struct_size;

  if (p->_api_version < BOOTFIX_API_VERSION_MIN
      || p->_api_version > BOOTFIX_API_VERSION)
    msg = g_strdup_printf (
        _("module API version %d is not supported (this virt-bootfix "
          "supports versions %d to %d). Rebuild the module against the "
          "bootfix-module.h of this virt-bootfix."),
        p->_api_version, BOOTFIX_API_VERSION_MIN, BOOTFIX_API_VERSION);
  else if (size < MODULE_STRUCT_MIN)
    msg = g_strdup_printf (
        _("module descriptor is %llu bytes, smaller than "
          "the %u bytes every API version has. The module is corrupt or "
          "was not built with BOOTFIX_REGISTER_MODULE(); rebuild it."),
        (unsigned long long) size, (unsigned) MODULE_STRUCT_MIN);
  else if (size > MODULE_STRUCT_MAX)
    msg = g_strdup_printf (
        _("module descriptor claims %llu bytes, more than "
          "the %u bytes any module can have, so the file is corrupt. "
          "Rebuild or reinstall it."),
        (unsigned long long) size, (unsigned) MODULE_STRUCT_MAX);

  if (msg != NULL) {
    set_module_error (error, path, msg);
    return FALSE;
  }
  return TRUE;
}

static gboolean
valid_module_name (const char *name)
{
  for (const char *c = name; *c != '\0'; c++)
    if (!g_ascii_islower (*c) && !g_ascii_isdigit (*c) && *c != '-')
      return FALSE;
  return *name != '\0';
}

/* Checks on the host's copy: fields an older module lacks read NULL
 * here and are refused like fields the module left out. */
static gboolean
check_fields (const struct bootfix_module *m, const char *path,
              GError **error)
{
  g_autofree char *msg = NULL;

  if (m->name == NULL || m->name[0] == '\0') {
    msg = g_strdup (_("module has no name. Set the .name field of its "
                      "struct bootfix_module (lower-case letters, digits "
                      "and '-')."));
  } else if (!valid_module_name (m->name)) {
    /* Escaped: the name is whatever bytes the module has. */
    g_autofree char *shown = g_strescape (m->name, NULL);
    msg = g_strdup_printf (_("module name \"%s\" is invalid. A name may "
                             "only contain lower-case letters, digits "
                             "and '-'."), shown);
  } else if (m->probe == NULL) {
    msg = g_strdup_printf (_("module \"%s\" has no probe callback, which "
                             "is mandatory. Set .probe in its struct "
                             "bootfix_module."), m->name);
  } else if (m->plan == NULL) {
    msg = g_strdup_printf (_("module \"%s\" has no plan callback, which "
                             "is mandatory. Set .plan in its struct "
                             "bootfix_module."), m->name);
  }

  if (msg != NULL) {
    set_module_error (error, path, msg);
    return FALSE;
  }
  return TRUE;
}

BootfixModule *
bootfix_module_load (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_autoptr(BootfixModule) mod = g_new0 (BootfixModule, 1);
  mod->path = g_strdup (path);
  mod->gmodule = open_module (path, error);
  if (mod->gmodule == NULL)
    return NULL;

  const struct bootfix_module *p = call_init (mod->gmodule, path, error);
  if (p == NULL || !check_header (p, path, error))
    return NULL;

  /* mod->m is already zero: a module older than this host leaves the
   * newer fields NULL, a newer module's extra fields are not copied. */
  memcpy (&mod->m, p, MIN (sizeof mod->m, (gsize) p->_struct_size));
  if (!check_fields (&mod->m, path, error))
    return NULL;

  return g_steal_pointer (&mod);
}

/* name is the last component of path. */
static gboolean
is_module_file (const char *path, const char *name)
{
  /* Dot files are editor and download leftovers, not modules. */
  return name[0] != '.' && g_str_has_suffix (name, ".so")
         && g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

static gboolean
list_modules (const char *dir, gboolean recurse, GPtrArray *paths,
              GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(GDir) d = g_dir_open (dir, 0, &local);
  if (d == NULL) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_MODULE,
                 _("%s: cannot read the module directory (%s). Set "
                   "BOOTFIX_MODULEDIR to the directory that holds the "
                   "conversion modules."), dir, local->message);
    return FALSE;
  }

  const char *name;
  while ((name = g_dir_read_name (d)) != NULL) {
    g_autofree char *path = g_build_filename (dir, name, NULL);
    if (is_module_file (path, name))
      g_ptr_array_add (paths, g_steal_pointer (&path));
    /* The build tree keeps each module in plugin/<name>/; the installed
     * tree is flat.  One level covers both. */
    else if (recurse && name[0] != '.'
             && g_file_test (path, G_FILE_TEST_IS_DIR)
             && !list_modules (path, FALSE, paths, error))
      return FALSE;
  }
  return TRUE;
}

static int
compare_by_file_name (gconstpointer a, gconstpointer b)
{
  const char *pa = *(const char *const *) a;
  const char *pb = *(const char *const *) b;
  g_autofree char *ba = g_path_get_basename (pa);
  g_autofree char *bb = g_path_get_basename (pb);
  int r = strcmp (ba, bb);
  /* Same file name in two subdirectories: keep the order stable. */
  return r != 0 ? r : strcmp (pa, pb);
}

static gboolean
check_unique_name (GPtrArray *mods, const BootfixModule *mod,
                   GError **error)
{
  for (guint i = 0; i < mods->len; i++) {
    const BootfixModule *other = g_ptr_array_index (mods, i);
    if (strcmp (other->m.name, mod->m.name) == 0) {
      g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_MODULE,
                   _("%s: module name \"%s\" is already used by %s. Remove "
                     "one of the two files from the module directory."),
                   mod->path, mod->m.name, other->path);
      return FALSE;
    }
  }
  return TRUE;
}

GPtrArray *
bootfix_module_load_dir (const char *dir, GError **error)
{
  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  if (!list_modules (dir, TRUE, paths, error))
    return NULL;
  /* Directory order depends on the file system; name order lets a user
   * predict which module runs first. */
  g_ptr_array_sort (paths, compare_by_file_name);

  g_autoptr(GPtrArray) mods =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bootfix_module_free);
  for (guint i = 0; i < paths->len; i++) {
    g_autoptr(BootfixModule) mod =
      bootfix_module_load (g_ptr_array_index (paths, i), error);
    if (mod == NULL || !check_unique_name (mods, mod, error))
      return NULL;
    /* -v says which files ran: a module installed by hand shows here. */
    g_debug ("module %s loaded from %s", mod->m.name, mod->path);
    g_ptr_array_add (mods, g_steal_pointer (&mod));
  }
  return g_steal_pointer (&mods);
}

const char *
bootfix_module_dir (void)
{
  return bootfix_lookup_dir ("BOOTFIX_MODULEDIR", BOOTFIX_MODULEDIR_REL);
}
