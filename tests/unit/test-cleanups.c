/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Cleanups (<cleanup> in data/rules): parsing, matching, the view a
 * module is given, bad input against both the loader and the RELAX NG
 * schema, and the shipped data. */
#include "config.h"

#include <string.h>
#include <libxml/relaxng.h>

#include "rules.h"
#include "rules-util.h"
#include "xml-util.h"
#include "bootfix-error.h"

#define DISK "{4D36E967-E325-11CE-BFC1-08002BE10318}"

/* --- helpers ------------------------------------------------------ */


static BootfixRuleSet *
load_ok (const char *xml)
{
  g_autoptr (GError) error = NULL;
  BootfixRuleSet *rs = load_string (xml, &error);
  g_assert_no_error (error);
  g_assert_nonnull (rs);
  return rs;
}





/* The ids of the matching cleanups, space-separated ("" for none). */
static char *
matching_ids (const BootfixRuleSet *rs, const BootfixRuleQuery *q)
{
  g_autoptr (GPtrArray) found = bootfix_rule_set_match_cleanups (rs, q);
  g_autoptr (GString) s = g_string_new (NULL);
  for (guint i = 0; i < found->len; i++)
    g_string_append_printf (s, "%s%s", i ? " " : "",
                            ((const BootfixRule *) found->pdata[i])->id);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* --- parsing and matching ----------------------------------------- */

static const char set_xml[] =
  "<rules>\n"
  "  <rule id='ide' description='IDE'>\n"
  "    <match nt-min='6.0' nt-max='6.1'><controller id='piix3-ide'/></match>\n"
  "    <service name='atapi' start='0'/>\n"
  "  </rule>\n"
  "  <cleanup id='everywhere' description='any Windows'>\n"
  "    <match/>\n"
  "    <disable-service name='rhelscsi' reason='Xen PV'/>\n"
  "    <remove-filter class-guid='" DISK "' value='LowerFilters'"
  "                   name='prl_strg' reason='Parallels filter'/>\n"
  "  </cleanup>\n"
  "  <cleanup id='nt6-only' description='NT 6.x'>\n"
  "    <match nt-min='6.0' nt-max='6.3'/>\n"
  "    <disable-service name='six' reason='r6'/>\n"
  "  </cleanup>\n"
  "  <rule id='ahci' description='AHCI'>\n"
  "    <match nt-min='6.0' nt-max='6.1'><controller id='ich9-ahci'/></match>\n"
  "    <service name='msahci' start='0'/>\n"
  "  </rule>\n"
  "  <cleanup id='x64-on-ahci' description='64-bit on AHCI'>\n"
  "    <match arch='x86_64' osinfo='win7' variant='client'>\n"
  "      <controller id='ich9-ahci'/>\n"
  "    </match>\n"
  "    <remove-filter class-guid='{4d36e97b-e325-11ce-bfc1-08002be10318}'"
  "                   value='UpperFilters' name='up' reason='ru'/>\n"
  "  </cleanup>\n"
  "  <rule id='virtio' description='virtio'>\n"
  "    <match><controller id='virtio-blk'/></match>\n"
  "    <refuse reason='no driver'/>\n"
  "  </rule>\n"
  "  <cleanup id='xp' description='NT 5'>\n"
  "    <match nt-max='5.2'/>\n"
  "    <disable-service name='five' reason='r5'/>\n"
  "  </cleanup>\n"
  "</rules>\n";

static void
test_parse (void)
{
  g_autoptr (BootfixRuleSet) rs = load_ok (set_xml);
  /* Cleanups are not storage rules. */
  g_assert_cmpuint (bootfix_rule_set_size (rs), ==, 3);
  g_assert_cmpuint (bootfix_rule_set_n_cleanups (rs), ==, 4);
  for (guint i = 0; i < bootfix_rule_set_size (rs); i++)
    g_assert_false (bootfix_rule_set_index (rs, i)->cleanup);

  const BootfixRule *c = bootfix_rule_set_cleanup (rs, 0);
  g_assert_true (c->cleanup);
  g_assert_cmpstr (c->id, ==, "everywhere");
  g_assert_cmpstr (c->description, ==, "any Windows");
  g_assert_cmpstr (c->file, ==, "mem.xml");
  g_assert_cmpint (c->line, ==, 6);
  g_assert_cmpint (c->nt_min, ==, 0);
  g_assert_cmpint (c->nt_max, ==, G_MAXINT);
  static const char *const everywhere[] = {
    "disable-service name=rhelscsi reason=Xen PV",
    "remove-filter class-guid=" DISK " name=prl_strg reason=Parallels filter"
      " value=LowerFilters",
    NULL,
  };
  assert_items (c, everywhere);
  g_assert_cmpint (((BootfixRuleItem *) c->items->pdata[1])->line, ==, 9);
  /* The loaded items carry no "rule": only the view adds it. */
  g_assert_null (bootfix_rule_item_attr (c->items->pdata[0], "rule"));

  c = bootfix_rule_set_cleanup (rs, 2);
  g_assert_cmpstr (c->id, ==, "x64-on-ahci");
  g_assert_cmpstr (c->arch, ==, "x86_64");
  g_assert_cmpstr (c->osinfo, ==, "win7");
  g_assert_cmpstr (c->variant, ==, "client");
  g_assert_cmpuint (c->controllers->len, ==, 1);
  g_assert_cmpstr (c->controllers->pdata[0], ==, "ich9-ahci");
  g_assert_cmpstr (bootfix_rule_set_cleanup (rs, 3)->id, ==, "xp");
}

typedef struct {
  int major, minor;
  const char *arch, *osinfo, *variant, *controller;
  const char *rule;      /* bootfix_rule_set_match, NULL: none */
  const char *cleanups;  /* matching cleanups, in load order */
} CleanupMatchCase;

static void
test_match_several (void)
{
  static const CleanupMatchCase cases[] = {
    { 6, 1, "x86_64", "win7", "client", "piix3-ide", "ide",
      "everywhere nt6-only" },
    { 6, 1, "x86_64", "win7", "client", "ich9-ahci", "ahci",
      "everywhere nt6-only x64-on-ahci" },
    { 6, 1, "X86_64", "WIN7", "Client", "ICH9-AHCI", "ahci",
      "everywhere nt6-only x64-on-ahci" },
    /* A constraint on an unknown fact is not met. */
    { 6, 1, NULL, "win7", "client", "ich9-ahci", "ahci",
      "everywhere nt6-only" },
    { 6, 1, "i386", "win7", "client", "ich9-ahci", "ahci",
      "everywhere nt6-only" },
    { 6, 3, "x86_64", NULL, NULL, "piix3-ide", NULL, "everywhere nt6-only" },
    { 5, 1, "i386", "winxp", "client", "piix3-ide", NULL, "everywhere xp" },
    { 10, 0, "x86_64", NULL, NULL, "virtio-blk", "virtio", "everywhere" },
    { 4, 0, NULL, NULL, NULL, NULL, NULL, "everywhere xp" },
    /* Out-of-range versions match nothing, not even an open <match/>. */
    { 6, 100, "x86_64", NULL, NULL, "piix3-ide", NULL, "" },
    { -1, 0, "x86_64", NULL, NULL, "piix3-ide", NULL, "" },
    { 100, 0, NULL, NULL, NULL, NULL, NULL, "" },
  };
  g_autoptr (BootfixRuleSet) rs = load_ok (set_xml);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    const CleanupMatchCase *c = &cases[i];
    BootfixRuleQuery q = { c->major, c->minor, c->arch, c->osinfo,
                           c->variant, c->controller, NULL };
    g_autoptr (GError) error = NULL;
    g_test_message ("case %u", i);
    const BootfixRule *r = bootfix_rule_set_match (rs, &q, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (r ? r->id : NULL, ==, c->rule);
    g_autofree char *ids = matching_ids (rs, &q);
    g_assert_cmpstr (ids, ==, c->cleanups);
  }
}

/* A cleanup never competes with rules: one more specific than every
 * rule does not change which rule wins, nor make a tie. */
static void
test_match_unaffected (void)
{
  static const char xml[] =
    "<rules>\n"
    "<rule id='a' description='d'><match/>"
    "<service name='a' start='0'/></rule>\n"
    "<cleanup id='c' description='d'>"
    "<match nt-min='6.1' nt-max='6.1' arch='x86_64' osinfo='win7'"
    " variant='client'><controller id='piix3-ide'/></match>"
    "<disable-service name='x' reason='r'/></cleanup>\n"
    "<cleanup id='c2' description='d'><match/>"
    "<disable-service name='y' reason='r'/></cleanup>\n"
    "</rules>\n";
  g_autoptr (BootfixRuleSet) rs = load_ok (xml);
  BootfixRuleQuery q = { 6, 1, "x86_64", "win7", "client", "piix3-ide", NULL };
  g_autoptr (GError) error = NULL;
  const BootfixRule *r = bootfix_rule_set_match (rs, &q, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (r->id, ==, "a");
  g_assert_cmpuint (bootfix_rule_set_size (rs), ==, 1);
  g_autofree char *ids = matching_ids (rs, &q);
  g_assert_cmpstr (ids, ==, "c c2");
}

/* A file may hold cleanups only. */
static void
test_cleanup_only_file (void)
{
  g_autoptr (BootfixRuleSet) only = load_ok (
    "<rules><cleanup id='c' description='d'><match/>"
    "<disable-service name='x' reason='r'/></cleanup></rules>");
  g_assert_cmpuint (bootfix_rule_set_size (only), ==, 0);
  g_assert_cmpuint (bootfix_rule_set_n_cleanups (only), ==, 1);
  BootfixRuleQuery q = { 6, 1, NULL, NULL, NULL, "piix3-ide", NULL };
  g_autoptr (GError) error = NULL;
  g_assert_null (bootfix_rule_set_match (only, &q, &error));
  g_assert_no_error (error);
}

/* --- the view a module is given ----------------------------------- */

static void
test_view_items (void)
{
  g_autoptr (BootfixRuleSet) rs = load_ok (set_xml);
  BootfixRuleQuery q = { 6, 1, "x86_64", "win7", "client", "ich9-ahci", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixRule) view = bootfix_rule_set_resolve (rs, &q, &error);
  g_assert_no_error (error);
  g_assert_nonnull (view);
  const BootfixRule *rule = bootfix_rule_set_match (rs, &q, &error);
  /* The storage rule's identity, the storage items first, then every
   * matching cleanup's items in load order, each naming its source. */
  g_assert_true (view != rule);
  g_assert_cmpstr (view->id, ==, "ahci");
  g_assert_cmpstr (view->description, ==, "AHCI");
  g_assert_cmpstr (view->file, ==, "mem.xml");
  g_assert_cmpint (view->line, ==, rule->line);
  g_assert_false (view->cleanup);
  g_assert_cmpint (view->nt_min, ==, 600);
  g_assert_cmpint (view->nt_max, ==, 601);
  g_assert_cmpuint (view->controllers->len, ==, 1);
  static const char *const expect[] = {
    "service name=msahci rule=ahci start=0",
    "disable-service name=rhelscsi reason=Xen PV rule=everywhere",
    "remove-filter class-guid=" DISK " name=prl_strg reason=Parallels filter"
      " rule=everywhere value=LowerFilters",
    "disable-service name=six reason=r6 rule=nt6-only",
    "remove-filter class-guid={4d36e97b-e325-11ce-bfc1-08002be10318} name=up"
      " reason=ru rule=x64-on-ahci value=UpperFilters",
    NULL,
  };
  assert_items (view, expect);
  /* Items keep the line they were written on. */
  g_assert_cmpint (((BootfixRuleItem *) view->items->pdata[1])->line, ==, 8);
  /* The set itself is not changed by building a view. */
  g_assert_cmpuint (rule->items->len, ==, 1);
  g_assert_null (bootfix_rule_item_attr (rule->items->pdata[0], "rule"));
  /* Two views are independent copies. */
  g_autoptr (BootfixRule) again = bootfix_rule_set_resolve (rs, &q, &error);
  g_assert_true (again->items->pdata[0] != view->items->pdata[0]);
}

/* A refusal changes nothing, so no cleanup joins it; no rule at all is
 * a refusal too (the module refuses "no rule covers"). */
static void
test_view_alone (void)
{
  g_autoptr (BootfixRuleSet) rs = load_ok (set_xml);
  BootfixRuleQuery q = { 10, 0, "x86_64", NULL, NULL, "virtio-blk", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (BootfixRule) refusal = bootfix_rule_set_resolve (rs, &q, &error);
  g_assert_no_error (error);
  static const char *const expect[] = {
    "refuse reason=no driver rule=virtio", NULL };
  assert_items (refusal, expect);

  q = (BootfixRuleQuery) { 6, 3, "x86_64", NULL, NULL, "piix3-ide", NULL };
  g_autofree char *ids = matching_ids (rs, &q);
  g_assert_cmpstr (ids, ==, "everywhere nt6-only");
  g_assert_null (bootfix_rule_set_resolve (rs, &q, &error));
  g_assert_no_error (error);

  /* No cleanup matches: the view is the rule. */
  static const char just_rule[] =
    "<rules><rule id='r' description='d'><match nt-min='6.0'/>"
    "<service name='a' start='0'/></rule>"
    "<cleanup id='c' description='d'><match nt-max='5.2'/>"
    "<disable-service name='x' reason='r'/></cleanup></rules>";
  g_autoptr (BootfixRuleSet) rs2 = load_ok (just_rule);
  q = (BootfixRuleQuery) { 6, 1, NULL, NULL, NULL, NULL, NULL };
  g_autoptr (BootfixRule) plain = bootfix_rule_set_resolve (rs2, &q, &error);
  g_assert_no_error (error);
  static const char *const expect_plain[] = {
    "service name=a rule=r start=0", NULL };
  assert_items (plain, expect_plain);
}

static void
test_view_errors (void)
{
  /* A cleanup must not disable what the storage rule enables (names
   * compare like Windows service names: ignoring case). */
  static const char conflict[] =
    "<rules>\n"
    "<rule id='ide' description='d'><match/>\n"
    "<service name='atapi' start='0'/>\n"
    "<service name='old' start='4'/></rule>\n"
    "<cleanup id='bad' description='d'><match nt-min='6.0'/>\n"
    "<disable-service name='old' reason='fine: the rule disables it too'/>\n"
    "<disable-service name='ATAPI' reason='r'/></cleanup>\n"
    "</rules>\n";
  g_autoptr (BootfixRuleSet) rs = load_ok (conflict);
  BootfixRuleQuery q = { 6, 1, NULL, NULL, NULL, "piix3-ide", NULL };
  g_autoptr (GError) error = NULL;
  g_assert_null (bootfix_rule_set_resolve (rs, &q, &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_INVALID_DATA);
  g_assert_cmpstr (error->message, ==,
                   "mem.xml:7: cleanup 'bad' disables service 'ATAPI', which "
                   "rule 'ide' (mem.xml:3) enables");
  g_clear_error (&error);
  /* Where the cleanup does not match, there is no conflict. */
  q.major = 5;
  g_autoptr (BootfixRule) view = bootfix_rule_set_resolve (rs, &q, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (view->items->len, ==, 2);

  /* A tie between storage rules is reported as by match. */
  static const char tie[] =
    "<rules>\n"
    "<rule id='a' description='d'><match/>"
    "<service name='a' start='0'/></rule>\n"
    "<rule id='b' description='d'><match/>"
    "<service name='b' start='0'/></rule>\n"
    "</rules>\n";
  g_autoptr (BootfixRuleSet) tied = load_ok (tie);
  g_assert_null (bootfix_rule_set_resolve (tied, &q, &error));
  g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "match equally well"));
}

/* --- bad input: the loader and the schema agree ------------------- */

static xmlRelaxNGPtr
load_schema (void)
{
  g_autofree char *path = g_build_filename (bootfix_data_dir (), "schema",
                                            "bootfix-rules.rng", NULL);
  xmlRelaxNGParserCtxtPtr pc = xmlRelaxNGNewParserCtxt (path);
  g_assert_nonnull (pc);
  xmlRelaxNGPtr schema = xmlRelaxNGParse (pc);
  xmlRelaxNGFreeParserCtxt (pc);
  g_assert_nonnull (schema);
  return schema;
}

static void
quiet (void *user, const xmlError *err)
{
  (void) user;
  g_test_message ("  schema: %s", err->message ? err->message : "?");
}

static gboolean
schema_accepts (xmlRelaxNGPtr schema, const char *xml)
{
  g_autoptr (xmlDoc) doc = xmlReadMemory (xml, (int) strlen (xml), "mem.xml",
                                          NULL, XML_PARSE_NONET
                                          | XML_PARSE_NOERROR
                                          | XML_PARSE_NOWARNING);
  if (doc == NULL)
    return FALSE;
  xmlRelaxNGValidCtxtPtr vc = xmlRelaxNGNewValidCtxt (schema);
  xmlRelaxNGSetValidStructuredErrors (vc, (xmlStructuredErrorFunc) quiet, NULL);
  int rc = xmlRelaxNGValidateDoc (vc, doc);
  xmlRelaxNGFreeValidCtxt (vc);
  return rc == 0;
}

typedef struct {
  const char *name;
  const char *xml;        /* NULL: make () */
  char *(*make) (void);
  const char *expect;     /* substring of the loader's message */
  gboolean schema_too;    /* the schema can tell (not uniqueness, counts) */
} BadCleanup;

static char *
make_too_many_items (void)
{
  g_autoptr (GString) s = g_string_new ("<rules>\n<cleanup id='big' "
                                        "description='d'>\n<match/>\n");
  for (int i = 0; i < 129; i++)
    g_string_append_printf (s, "<disable-service name='s%d' reason='r'/>\n", i);
  g_string_append (s, "</cleanup>\n</rules>\n");
  return g_string_free (g_steal_pointer (&s), FALSE);
}

#define HEAD "<rules>\n<cleanup id='c' description='d'>\n"
#define TAIL "</cleanup>\n</rules>\n"
#define DS "<disable-service name='rhelscsi' reason='r'/>\n"
#define RF(attrs) "<remove-filter " attrs "/>\n"
#define RF_OK "class-guid='" DISK "' value='LowerFilters' name='prl_strg' " \
  "reason='r'"

static const BadCleanup bad_cleanups[] = {
  { "no-match", HEAD DS TAIL, NULL,
    "mem.xml:2: rule 'c' must start with <match>", TRUE },
  { "two-matches", HEAD "<match/>\n" DS "<match/>\n" TAIL, NULL,
    "mem.xml:5: rule 'c' has more than one <match>", TRUE },
  { "no-items", HEAD "<match/>\n" TAIL, NULL,
    "mem.xml:2: rule 'c' has no items", TRUE },
  { "storage-item", HEAD "<match/>\n<service name='atapi' start='0'/>\n" TAIL,
    NULL, "mem.xml:4: <service> belongs in a <rule>, not in a <cleanup>",
    TRUE },
  { "refuse", HEAD "<match/>\n<refuse reason='no'/>\n" TAIL, NULL,
    "mem.xml:4: <refuse> belongs in a <rule>, not in a <cleanup>", TRUE },
  { "cleanup-item-in-rule", "<rules>\n<rule id='r' description='d'>\n"
    "<match/>\n" DS "</rule>\n</rules>\n", NULL,
    "mem.xml:4: <disable-service> belongs in a <cleanup>, not in a <rule>",
    TRUE },
  { "unknown-item", HEAD "<match/>\n<delete-service name='x'/>\n" TAIL, NULL,
    "mem.xml:4: unknown element <delete-service> in a cleanup", TRUE },
  { "namespaced-item", "<rules xmlns:x='urn:x'>\n<cleanup id='c' "
    "description='d'>\n<match/>\n<x:disable-service name='a' reason='r'/>\n"
    TAIL, NULL, "mem.xml:4: unknown element <disable-service> in a cleanup",
    TRUE },
  { "no-description", "<rules>\n<cleanup id='c'>\n<match/>\n" DS TAIL, NULL,
    "mem.xml:2: <cleanup> needs attribute 'description'", TRUE },
  { "bad-id", "<rules>\n<cleanup id='-c' description='d'>\n<match/>\n" DS
    TAIL, NULL, "mem.xml:2: <cleanup> attribute 'id'", TRUE },
  { "unknown-attribute", "<rules>\n<cleanup id='c' description='d' "
    "when='always'>\n<match/>\n" DS TAIL, NULL,
    "mem.xml:2: unknown attribute 'when' on <cleanup>", TRUE },
  { "bad-match", HEAD "<match arch='arm64'/>\n" DS TAIL, NULL,
    "mem.xml:3: <match> attribute 'arch'", TRUE },
  { "match-range", HEAD "<match nt-min='10.0' nt-max='6.1'/>\n" DS TAIL, NULL,
    "mem.xml:3: nt-min 10.0 is above nt-max 6.1", FALSE },
  { "service-no-reason", HEAD "<match/>\n<disable-service name='x'/>\n" TAIL,
    NULL, "mem.xml:4: <disable-service> needs attribute 'reason'", TRUE },
  { "service-no-name", HEAD "<match/>\n<disable-service reason='r'/>\n" TAIL,
    NULL, "mem.xml:4: <disable-service> needs attribute 'name'", TRUE },
  { "service-path", HEAD "<match/>\n"
    "<disable-service name='..\\Services\\atapi' reason='r'/>\n" TAIL, NULL,
    "mem.xml:4: <disable-service> attribute 'name'", TRUE },
  { "service-empty-reason", HEAD "<match/>\n"
    "<disable-service name='x' reason=''/>\n" TAIL, NULL,
    "mem.xml:4: <disable-service> attribute 'reason': must not be empty",
    TRUE },
  { "service-control-char", HEAD "<match/>\n"
    "<disable-service name='x' reason='a&#9;b'/>\n" TAIL, NULL,
    "mem.xml:4: <disable-service> attribute 'reason': contains a control "
    "character", TRUE },
  /* The view's "rule" attribute cannot be written in a file. */
  { "service-rule-attribute", HEAD "<match/>\n"
    "<disable-service name='x' reason='r' rule='other'/>\n" TAIL, NULL,
    "mem.xml:4: unknown attribute 'rule' on <disable-service>", TRUE },
  { "service-start", HEAD "<match/>\n"
    "<disable-service name='x' reason='r' start='3'/>\n" TAIL, NULL,
    "mem.xml:4: unknown attribute 'start' on <disable-service>", TRUE },
  { "filter-value", HEAD "<match/>\n" RF ("class-guid='" DISK "' "
    "value='MiddleFilters' name='x' reason='r'") TAIL, NULL,
    "mem.xml:4: <remove-filter> attribute 'value': must be \"UpperFilters\" "
    "or \"LowerFilters\"", TRUE },
  { "filter-value-case", HEAD "<match/>\n" RF ("class-guid='" DISK "' "
    "value='lowerfilters' name='x' reason='r'") TAIL, NULL,
    "mem.xml:4: <remove-filter> attribute 'value'", TRUE },
  { "filter-guid", HEAD "<match/>\n" RF ("class-guid='4D36E967-E325-11CE-"
    "BFC1-08002BE10318' value='LowerFilters' name='x' reason='r'") TAIL,
    NULL, "mem.xml:4: <remove-filter> attribute 'class-guid': must be a GUID",
    TRUE },
  { "filter-guid-path", HEAD "<match/>\n" RF ("class-guid='{4D36E967-E325-"
    "11CE-BFC1-08002BE10318}\\x' value='LowerFilters' name='x' reason='r'")
    TAIL, NULL, "mem.xml:4: <remove-filter> attribute 'class-guid'", TRUE },
  { "filter-no-guid", HEAD "<match/>\n" RF ("value='LowerFilters' name='x' "
    "reason='r'") TAIL, NULL,
    "mem.xml:4: <remove-filter> needs attribute 'class-guid'", TRUE },
  { "filter-no-value", HEAD "<match/>\n" RF ("class-guid='" DISK "' "
    "name='x' reason='r'") TAIL, NULL,
    "mem.xml:4: <remove-filter> needs attribute 'value'", TRUE },
  { "filter-no-name", HEAD "<match/>\n" RF ("class-guid='" DISK "' "
    "value='UpperFilters' reason='r'") TAIL, NULL,
    "mem.xml:4: <remove-filter> needs attribute 'name'", TRUE },
  { "filter-no-reason", HEAD "<match/>\n" RF ("class-guid='" DISK "' "
    "value='UpperFilters' name='x'") TAIL, NULL,
    "mem.xml:4: <remove-filter> needs attribute 'reason'", TRUE },
  { "filter-name-space", HEAD "<match/>\n" RF ("class-guid='" DISK "' "
    "value='UpperFilters' name='a b' reason='r'") TAIL, NULL,
    "mem.xml:4: <remove-filter> attribute 'name'", TRUE },
  { "filter-child", HEAD "<match/>\n<remove-filter " RF_OK "><x/>"
    "</remove-filter>\n" TAIL, NULL,
    "mem.xml:4: <remove-filter> takes no child elements", TRUE },
  { "text", HEAD "<match/>\nhello\n" DS TAIL, NULL,
    "mem.xml:2: unexpected content inside <cleanup>", TRUE },
  { "duplicate-id-with-rule", "<rules>\n<rule id='c' description='d'>"
    "<match/><service name='a' start='0'/></rule>\n"
    "<cleanup id='c' description='d'>\n<match/>\n" DS TAIL, NULL,
    "mem.xml:3: duplicate rule id 'c' (first defined at mem.xml:2)", FALSE },
  { "too-many-items", NULL, make_too_many_items,
    "mem.xml:132: rule 'big' has more than 128 items", FALSE },
};

static void
test_bad_cleanups (void)
{
  xmlRelaxNGPtr schema = load_schema ();
  for (guint i = 0; i < G_N_ELEMENTS (bad_cleanups); i++) {
    const BadCleanup *c = &bad_cleanups[i];
    g_autofree char *made = c->make ? c->make () : NULL;
    const char *xml = made ? made : c->xml;
    g_autoptr (GError) error = NULL;
    g_test_message ("bad cleanup %s", c->name);
    g_autoptr (BootfixRuleSet) rs = load_string (xml, &error);
    g_assert_null (rs);
    g_assert_error (error, BOOTFIX_ERROR, BOOTFIX_ERROR_INVALID_DATA);
    if (strstr (error->message, c->expect) == NULL)
      g_error ("case %s: \"%s\" does not contain \"%s\"", c->name,
               error->message, c->expect);
    if (c->schema_too && schema_accepts (schema, xml))
      g_error ("case %s: the schema accepts what the loader refuses",
               c->name);
  }
  xmlRelaxNGFree (schema);
}

/* What the loader accepts, the schema accepts too. */
static void
test_good_cleanups (void)
{
  static const char *const good[] = {
    set_xml,
    HEAD "<match/>\n" DS TAIL,
    HEAD "<match nt-min='5.0' nt-max='10.0' arch='i386' osinfo='winxp' "
    "variant='client'>\n<controller id='piix3-ide'/></match>\n"
    RF (RF_OK) DS RF ("class-guid='{4d36e97b-e325-11ce-bfc1-08002be10318}' "
                      "value='UpperFilters' name='a.b_c-d' reason='r &amp; s'")
    TAIL,
    "<rules>\n<!-- c -->\n<cleanup id='c' description='d'><!-- c -->"
    "<match/>" DS "</cleanup>\n</rules>",
  };
  xmlRelaxNGPtr schema = load_schema ();
  for (guint i = 0; i < G_N_ELEMENTS (good); i++) {
    g_test_message ("good document %u", i);
    g_autoptr (BootfixRuleSet) rs = load_ok (good[i]);
    g_assert_cmpuint (bootfix_rule_set_n_cleanups (rs), >, 0);
    g_assert_true (schema_accepts (schema, good[i]));
  }
  xmlRelaxNGFree (schema);
}

#undef HEAD
#undef TAIL
#undef DS
#undef RF
#undef RF_OK

/* --- the shipped cleanups ----------------------------------------- */

static void
test_shipped (void)
{
  g_autoptr (BootfixRuleSet) rs = load_shipped ();
  static const char *const ids[] = {
    "p2v-xen-pv-storage", "p2v-parallels-storage" };
  g_assert_cmpuint (bootfix_rule_set_n_cleanups (rs), ==, G_N_ELEMENTS (ids));
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++) {
    const BootfixRule *c = bootfix_rule_set_cleanup (rs, i);
    g_assert_cmpstr (c->id, ==, ids[i]);
    g_assert_cmpstr (c->file, ==, "cleanup-hypervisors.xml");
    g_assert_true (c->cleanup);
    g_assert_cmpint (c->line, >, 0);
  }
  static const char *const xen[] = {
    "disable-service name=rhelscsi reason=leftover Xen PV storage driver of"
      " the old hypervisor (disabled; the key stays for its uninstaller)",
    NULL,
  };
  static const char *const parallels[] = {
    "remove-filter class-guid=" DISK " name=prl_strg reason=leftover"
      " Parallels storage filter of the old hypervisor value=LowerFilters",
    "disable-service name=prl_strg reason=leftover Parallels storage filter"
      " driver of the old hypervisor (disabled; the key stays for its"
      " uninstaller)",
    NULL,
  };
  assert_items (bootfix_rule_set_cleanup (rs, 0), xen);
  assert_items (bootfix_rule_set_cleanup (rs, 1), parallels);
}

/* A filter whose service is disabled can itself stop Windows with 0x7B
 * (docs/storage-fixups.md, "Leftover drivers of other hypervisors"): a
 * cleanup that disables a service some cleanup removes as a filter
 * must remove that filter itself, so the two never apply apart. */
static void
test_shipped_filters_go_with_services (void)
{
  g_autoptr (BootfixRuleSet) rs = load_shipped ();
  g_autoptr (GHashTable) filters = g_hash_table_new_full (g_str_hash,
                                                         g_str_equal, g_free,
                                                         NULL);
  guint n = bootfix_rule_set_n_cleanups (rs);
  for (guint i = 0; i < n; i++) {
    GPtrArray *items = bootfix_rule_set_cleanup (rs, i)->items;
    for (guint j = 0; j < items->len; j++)
      if (g_str_equal (((BootfixRuleItem *) items->pdata[j])->kind,
                       "remove-filter"))
        g_hash_table_add (filters, g_ascii_strdown (
          bootfix_rule_item_attr (items->pdata[j], "name"), -1));
  }
  g_assert_cmpuint (g_hash_table_size (filters), >, 0);
  for (guint i = 0; i < n; i++) {
    const BootfixRule *c = bootfix_rule_set_cleanup (rs, i);
    for (guint j = 0; j < c->items->len; j++) {
      const BootfixRuleItem *item = c->items->pdata[j];
      g_autofree char *name = g_ascii_strdown (
        bootfix_rule_item_attr (item, "name"), -1);
      if (!g_str_equal (item->kind, "disable-service")
          || !g_hash_table_contains (filters, name))
        continue;
      gboolean removed_here = FALSE;
      for (guint k = 0; k < c->items->len; k++) {
        const BootfixRuleItem *other = c->items->pdata[k];
        removed_here |= g_str_equal (other->kind, "remove-filter")
          && g_ascii_strcasecmp (bootfix_rule_item_attr (other, "name"),
                                 name) == 0;
      }
      if (!removed_here)
        g_error ("cleanup %s (%s:%d) disables %s without removing it as a "
                 "filter", c->id, c->file, item->line, name);
    }
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cleanups/parse", test_parse);
  g_test_add_func ("/cleanups/match-several", test_match_several);
  g_test_add_func ("/cleanups/match-unaffected", test_match_unaffected);
  g_test_add_func ("/cleanups/cleanup-only-file", test_cleanup_only_file);
  g_test_add_func ("/cleanups/view/items", test_view_items);
  g_test_add_func ("/cleanups/view/alone", test_view_alone);
  g_test_add_func ("/cleanups/view/errors", test_view_errors);
  g_test_add_func ("/cleanups/bad-input", test_bad_cleanups);
  g_test_add_func ("/cleanups/good-input", test_good_cleanups);
  g_test_add_func ("/cleanups/shipped/load", test_shipped);
  g_test_add_func ("/cleanups/shipped/filters-go-with-services",
                   test_shipped_filters_go_with_services);
  return g_test_run ();
}
