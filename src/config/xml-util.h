/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Safe XML loading shared by the domain reader and the data loaders. */
#ifndef BOOTFIX_XML_UTIL_H
#define BOOTFIX_XML_UTIL_H

#include <glib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

G_BEGIN_DECLS

/* g_autoptr for the libxml2 types we hold (libxml2 defines none). */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlParserCtxt, xmlFreeParserCtxt)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlXPathContext, xmlXPathFreeContext)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlXPathObject, xmlXPathFreeObject)

typedef xmlChar BootfixXmlString;
static inline void
bootfix_xml_string_free (BootfixXmlString *s)
{
  xmlFree (s);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BootfixXmlString, bootfix_xml_string_free)

/* Largest XML document we parse (domain XML, rule files). */
#define BOOTFIX_MAX_XML_SIZE (8 * 1024 * 1024)

/* Parse with a private context: no network, no entity substitution, no
 * DTD loading, no huge-node mode.  Errors become a GError that names
 * `what` (a file name) and the line. */
xmlDoc *bootfix_xml_parse (const char *data, gsize len, const char *what,
                           GError **error);
xmlDoc *bootfix_xml_parse_file (const char *path, GError **error);

/* Attribute as a g_malloc'd string, or NULL. */
char *bootfix_xml_get_attr (xmlNode *node, const char *name);

/* Element text, trimmed, as a g_malloc'd string; NULL when node is. */
char *bootfix_xml_get_text (xmlNode *node);

/* Whether node is the element <name> in no namespace (our formats and
 * libvirt's use none). */
gboolean bootfix_xml_is_element (xmlNode *node, const char *name);

/* The first child element <name> of node (may be NULL), or NULL. */
xmlNode *bootfix_xml_first_child (xmlNode *node, const char *name);

/* The line node starts on, for messages; 0 when libxml2 does not know
 * or it does not fit an int. */
int bootfix_xml_line (xmlNode *node);

G_END_DECLS

#endif
