/* Safe XML loading shared by the domain reader and the data loaders. */
#ifndef BOOTFIX_XML_UTIL_H
#define BOOTFIX_XML_UTIL_H

#include "bootfix-cleanup.h"

G_BEGIN_DECLS

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

G_END_DECLS

#endif
