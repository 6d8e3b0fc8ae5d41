/* g_autoptr cleanups for the C libraries we use that do not define them. */
#ifndef BOOTFIX_CLEANUP_H
#define BOOTFIX_CLEANUP_H

#include <glib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

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

#ifdef BOOTFIX_WITH_GUESTFS
#include <guestfs.h>
G_DEFINE_AUTOPTR_CLEANUP_FUNC (guestfs_h, guestfs_close)
#endif

#ifdef BOOTFIX_WITH_HIVEX
#include <hivex.h>
static inline void
bootfix_hivex_close (hive_h *h)
{
  (void) hivex_close (h);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (hive_h, bootfix_hivex_close)
#endif


#endif
