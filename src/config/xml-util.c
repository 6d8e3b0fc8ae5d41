/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Safe XML loading: every XML we read may come from a stranger. */
#include "config.h"

#include <glib/gstdio.h>

#include "xml-util.h"
#include "bootfix-error.h"

/* Options for untrusted XML: never touch the network, never substitute
 * entities or load external DTDs, keep libxml2's size limits on. */
#define SAFE_XML_OPTIONS \
  (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA)

static void
set_parse_error (xmlParserCtxt *ctxt, const char *what, GError **error)
{
  const xmlError *e = xmlCtxtGetLastError (ctxt);
  /* libxml2 quotes the input's bytes as they are ("tag mismatch:
   * domai\xd1n"); our messages end up in terminals and JSON. */
  g_autofree char *msg = g_utf8_make_valid (e && e->message ? e->message
                                            : "not well-formed XML", -1);
  g_strchomp (msg);
  g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_INVALID_DATA,
               "%s:%d: %s", what, e ? e->line : 0, msg);
}

/* An internal DTD can still declare entities that expand to megabytes
 * (billion laughs) or name a host file.  We never need one. */
static gboolean
reject_dtd (xmlDoc *doc, const char *what, GError **error)
{
  if (doc->intSubset != NULL || doc->extSubset != NULL) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_INVALID_DATA,
                 "%s: a DOCTYPE declaration is not allowed here", what);
    return FALSE;
  }
  return TRUE;
}

/* libxml2 reports some errors (encoding conversion, I/O) without a
 * parser context, through the generic handler that prints to stderr
 * whatever XML_PARSE_NOERROR says.  The parse still fails and we say
 * why; keep hostile input from writing to the user's terminal. */
static void
ignore_generic_error (void *ctx, const char *msg, ...)
{
}

xmlDoc *
bootfix_xml_parse (const char *data, gsize len, const char *what,
                   GError **error)
{
  if (len > BOOTFIX_MAX_XML_SIZE || len > G_MAXINT) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_INVALID_DATA,
                 "%s: larger than %d bytes", what, BOOTFIX_MAX_XML_SIZE);
    return NULL;
  }
  g_autoptr (xmlParserCtxt) ctxt = xmlNewParserCtxt ();
  if (ctxt == NULL) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 "%s: out of memory", what);
    return NULL;
  }
  /* The generic handler is per thread in libxml2: restore it after. */
  xmlGenericErrorFunc saved_func = xmlGenericError;
  void *saved_ctx = xmlGenericErrorContext;
  xmlSetGenericErrorFunc (NULL, ignore_generic_error);
  g_autoptr (xmlDoc) doc = xmlCtxtReadMemory (ctxt, data, (int) len, what,
                                              NULL, SAFE_XML_OPTIONS);
  xmlSetGenericErrorFunc (saved_ctx, saved_func);
  if (doc == NULL || !ctxt->wellFormed) {
    set_parse_error (ctxt, what, error);
    return NULL;
  }
  if (!reject_dtd (doc, what, error))
    return NULL;
  if (xmlDocGetRootElement (doc) == NULL) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_INVALID_DATA,
                 "%s: empty document", what);
    return NULL;
  }
  return g_steal_pointer (&doc);
}

xmlDoc *
bootfix_xml_parse_file (const char *path, GError **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr (GError) local = NULL;
  GStatBuf st;

  /* Refuse a huge file before reading it into memory. */
  if (g_stat (path, &st) == 0 && st.st_size > BOOTFIX_MAX_XML_SIZE) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_INVALID_DATA,
                 "%s: larger than %d bytes", path, BOOTFIX_MAX_XML_SIZE);
    return NULL;
  }
  if (!g_file_get_contents (path, &data, &len, &local)) {
    g_set_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_FAILED,
                 "%s", local->message);
    return NULL;
  }
  return bootfix_xml_parse (data, len, path, error);
}

char *
bootfix_xml_get_attr (xmlNode *node, const char *name)
{
  g_autoptr (BootfixXmlString) v = xmlGetProp (node, (const xmlChar *) name);
  return v ? g_strdup ((const char *) v) : NULL;
}

char *
bootfix_xml_get_text (xmlNode *node)
{
  if (node == NULL)
    return NULL;
  g_autoptr (BootfixXmlString) v = xmlNodeGetContent (node);
  return v ? g_strstrip (g_strdup ((const char *) v)) : NULL;
}

gboolean
bootfix_xml_is_element (xmlNode *node, const char *name)
{
  return node->type == XML_ELEMENT_NODE && node->ns == NULL &&
         g_str_equal ((const char *) node->name, name);
}

xmlNode *
bootfix_xml_first_child (xmlNode *node, const char *name)
{
  for (xmlNode *c = node ? node->children : NULL; c != NULL; c = c->next)
    if (bootfix_xml_is_element (c, name))
      return c;
  return NULL;
}

int
bootfix_xml_line (xmlNode *node)
{
  long line = xmlGetLineNo (node);
  return line > 0 && line < G_MAXINT ? (int) line : 0;
}
