/*
 * Posts and their versions through the C ABI, from a C99 program: every function of those two
 * sections of quire.h, what it hands back, and its error paths (NULL handle and strings, malformed
 * JSON, wrong types, unknown fields, stale versions, invalid transitions, permissions, another
 * tenant's posts). Everything handed over is freed, so LeakSanitizer checks the ABI leaks nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static quire_db* db = NULL;
static struct team team;

/* The id of the post a call handed back, freeing it. */
static int64_t take_id(char* json) {
  const int64_t id = int_field(json, "id");
  quire_free(json);
  return id;
}

static int64_t create(quire_ctx* ctx, const char* post_json) {
  char* out = NULL;
  OK(quire_post_create(&out, ctx, post_json));
  return take_id(out);
}

/* ---- create, get, update ------------------------------------------------------------------ */

static void test_create_get_update(void) {
  quire_ctx* editor = context_as(db, team.editor);
  quire_ctx* author = context_as(db, team.author);
  quire_ctx* viewer = context_as(db, team.viewer);
  char* out = (char*)&out;
  char* before = NULL;
  int64_t id;

  OK(quire_post_create(&out, author,
                       "{\"title\":\"Caf\\u00e9 Stra\\u00dfe\",\"body\":\"One two three.\\n\","
                       "\"tags\":[\"intro\",\"food\"],\"category\":\"news\","
                       "\"seo\":{\"description\":\"d\"},\"fields\":{\"rating\":5}}"));
  CHECK(has(out, "\"slug\":\"cafe-strasse\"") && has(out, "\"type\":\"post\""));
  CHECK(has(out, "\"status\":\"draft\"") && has(out, "\"version\":1"));
  CHECK(has(out, "\"published_version\":null") && has(out, "\"parent_id\":null"));
  CHECK(has(out, "\"excerpt\":\"One two three.\"") && has(out, "\"reading_time\":1"));
  CHECK(has(out, "\"tags\":[\"food\",\"intro\"]") || has(out, "\"tags\":[\"intro\",\"food\"]"));
  CHECK(has(out, "\"category\":\"news\"") && has(out, "\"seo\":{\"description\":\"d\"}"));
  CHECK(has(out, "\"fields\":{\"rating\":5}") && has(out, "\"deleted_at\":null"));
  CHECK(int_field(out, "author_id") == team.author &&
        int_field(out, "tenant_id") == team.tenant_id);
  id = int_field(out, "id");
  before = out;

  /* get and get_by_slug agree */
  OK(quire_post_get(&out, author, id));
  CHECK(strcmp(out, before) == 0);
  quire_free(out);
  OK(quire_post_get_by_slug(&out, author, "cafe-strasse", NULL));
  CHECK(strcmp(out, before) == 0);
  quire_free(out);
  OK(quire_post_get_by_slug(&out, author, "cafe-strasse", "post"));
  quire_free(out);
  quire_free(before);
  FAILS(quire_post_get_by_slug(&out, author, "cafe-strasse", "page"), QUIRE_ENOTFOUND, "");
  CHECK(out == NULL);

  /* create: bad input changes nothing */
  FAILS(quire_post_create(&out, author, "{\"body\":\"no title\"}"), QUIRE_EINVAL,
        "post_json.title is required");
  FAILS(quire_post_create(&out, author, "{\"title\":\"T\",\"tagz\":[]}"), QUIRE_EINVAL,
        "post_json: unknown field \"tagz\"");
  FAILS(quire_post_create(&out, author, "{\"title\":\"T\",\"tags\":\"a\"}"), QUIRE_EINVAL,
        "post_json.tags must be an array");
  FAILS(quire_post_create(&out, author, "{\"title\":\"T\",\"tags\":[1]}"), QUIRE_EINVAL,
        "post_json.tags");
  FAILS(quire_post_create(&out, author, "{\"title\":\"T\",\"seo\":[]}"), QUIRE_EINVAL,
        "post_json.seo must be a JSON object");
  FAILS(quire_post_create(&out, author, "{\"title\":\"T\",\"parent_id\":\"3\"}"), QUIRE_EINVAL,
        "post_json.parent_id");
  FAILS(quire_post_create(&out, author, "{\"title\":\"T\",\"parent_id\":424242}"), QUIRE_ENOTFOUND,
        "424242");
  FAILS(quire_post_create(&out, author, "{\"title\":\"T\",\"status\":\"published\"}"), QUIRE_EINVAL,
        "status");
  FAILS(quire_post_create(&out, author, "{\"title\":\"T\",\"slug\":\"Bad Slug\"}"), QUIRE_EINVAL,
        "slug");
  FAILS(quire_post_create(&out, author, "{\"title\":\"\"}"), QUIRE_EINVAL, "title");
  FAILS(quire_post_create(&out, author, "{\"title\":\"T\""), QUIRE_EINVAL,
        "post_json is not valid JSON");
  FAILS(quire_post_create(&out, author, "[]"), QUIRE_EINVAL, "post_json must be a JSON object");
  FAILS(quire_post_create(&out, author, NULL), QUIRE_EINVAL, "post_json must not be NULL");
  FAILS(quire_post_create(NULL, author, "{\"title\":\"T\"}"), QUIRE_EINVAL,
        "out_json must not be NULL");
  FAILS(quire_post_create(&out, NULL, "{\"title\":\"T\"}"), QUIRE_EINVAL, "ctx must not be NULL");
  FAILS(quire_post_create(&out, viewer, "{\"title\":\"T\"}"), QUIRE_EPERM, "denied");
  FAILS(quire_post_create(&out, author, "{\"title\":\"Other\",\"slug\":\"cafe-strasse\"}"),
        QUIRE_EEXISTS, "cafe-strasse");
  CHECK(out == NULL);
  OK(quire_post_list(&out, editor, NULL));
  CHECK(count_of(out, "\"id\":") == 1); /* none of the refused creates wrote a post */
  quire_free(out);

  /* A second post with the same title gets the next slug. */
  out = NULL;
  OK(quire_post_create(&out, author, "{\"title\":\"Caf\\u00e9 Stra\\u00dfe\"}"));
  CHECK(has(out, "\"slug\":\"cafe-strasse-2\""));
  quire_free(out);

  /* get: errors */
  FAILS(quire_post_get(&out, author, 424242), QUIRE_ENOTFOUND, "post 424242 not found");
  FAILS(quire_post_get(NULL, author, id), QUIRE_EINVAL, "out_json must not be NULL");
  FAILS(quire_post_get(&out, NULL, id), QUIRE_EINVAL, "ctx must not be NULL");
  FAILS(quire_post_get(&out, viewer, id), QUIRE_ENOTFOUND, ""); /* a draft: not for viewers */
  FAILS(quire_post_get_by_slug(&out, author, NULL, NULL), QUIRE_EINVAL, "slug must not be NULL");

  /* update: partial, versioned, renames keep resolving */
  OK(quire_post_update(&out, author, id, 1,
                       "{\"title\":\"Renamed\",\"slug\":\"renamed\",\"category\":null,"
                       "\"tags\":[\"intro\"]}"));
  CHECK(has(out, "\"version\":2") && has(out, "\"slug\":\"renamed\"") &&
        has(out, "\"category\":null") && has(out, "\"body\":\"One two three.\\n\""));
  quire_free(out);
  OK(quire_post_get_by_slug(&out, author, "cafe-strasse", NULL)); /* the old slug */
  CHECK(int_field(out, "id") == id && has(out, "\"slug\":\"renamed\""));
  quire_free(out);
  out = NULL;
  FAILS(quire_post_update(&out, author, id, 1, "{\"title\":\"Stale\"}"), QUIRE_ECONFLICT,
        "is at version 2, not 1");
  CHECK(out == NULL);
  FAILS(quire_post_update(&out, author, id, 2, "{\"titel\":\"x\"}"), QUIRE_EINVAL,
        "patch_json: unknown field \"titel\"");
  FAILS(quire_post_update(&out, author, id, 2, "{\"title\":null}"), QUIRE_EINVAL,
        "patch_json.title must be a string");
  FAILS(quire_post_update(&out, author, id, 2, "{\"fields\":7}"), QUIRE_EINVAL,
        "patch_json.fields must be a JSON object");
  FAILS(quire_post_update(&out, author, id, 2, NULL), QUIRE_EINVAL, "patch_json must not be NULL");
  FAILS(quire_post_update(&out, author, 424242, 1, "{}"), QUIRE_ENOTFOUND, "424242");
  OK(quire_post_get(&out, author, id));
  CHECK(has(out, "\"version\":2") && has(out, "\"title\":\"Renamed\"")); /* unchanged */
  quire_free(out);

  quire_ctx_free(viewer);
  quire_ctx_free(author);
  quire_ctx_free(editor);
}

/* ---- JSON escaping of long text ---------------------------------------------------------- */

/* A body whose special characters sit at every offset of an 8-byte word, so the fast scan over
 * plain runs is checked at each alignment: quotes, backslashes, control characters, DEL, and 2-,
 * 3- and 4-byte UTF-8 sequences. */
static void test_escaping(void) {
  /* Written the same way in JSON input and in quire's output. */
  static const char* const kinds[] = {"\\\"",    "\\\\",     "\\n",          "\\t",
                                      "\\u0001", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
                                      "\x7f"};
  quire_ctx* editor = context_as(db, team.editor);
  char json[8192];
  char expected[8192];
  char* out = NULL;
  size_t j = 0, e = 0;
  int i, p;

  j = (size_t)sprintf(json, "{\"title\":\"Escapes\",\"body\":\"");
  e = (size_t)sprintf(expected, "\"body\":\"");
  for (i = 0; i < 81; ++i) {
    const int kind = i % 9;
    for (p = 0; p < i % 8; ++p) json[j++] = expected[e++] = (char)('a' + p);
    j += (size_t)sprintf(json + j, "%s", kinds[kind]);
    e += (size_t)sprintf(expected + e, "%s", kinds[kind]);
  }
  sprintf(json + j, "plain tail\"}");
  sprintf(expected + e, "plain tail\"");
  OK(quire_post_create(&out, editor, json));
  CHECK(has(out, expected));
  quire_free(out);
  quire_ctx_free(editor);
}

/* ---- workflow and trash ------------------------------------------------------------------- */

static void test_workflow(void) {
  quire_ctx* editor = context_as(db, team.editor);
  quire_ctx* author = context_as(db, team.author);
  quire_ctx* viewer = context_as(db, team.viewer);
  char* out = NULL;
  int64_t id = create(author, "{\"title\":\"Workflow\",\"body\":\"w\"}");
  int64_t later = create(editor, "{\"title\":\"Later\"}");

  OK(quire_post_submit(&out, author, id));
  CHECK(has(out, "\"status\":\"in_review\""));
  quire_free(out);
  FAILS(quire_post_submit(&out, author, id), QUIRE_EINVAL, "in_review");
  FAILS(quire_post_archive(&out, editor, id), QUIRE_EINVAL, "cannot go from in_review to archived");
  FAILS(quire_post_publish(&out, viewer, id), QUIRE_EPERM, "role viewer lacks post.publish");
  OK(quire_post_publish(&out, editor, id));
  CHECK(has(out, "\"status\":\"published\"") && has(out, "\"published_at\":\"20") &&
        int_field(out, "published_version") > 0);
  quire_free(out);
  OK(quire_post_get(&out, viewer, id)); /* now the viewer sees it */
  quire_free(out);
  OK(quire_post_archive(&out, editor, id));
  CHECK(has(out, "\"status\":\"archived\""));
  quire_free(out);
  OK(quire_post_publish(&out, editor, id));
  quire_free(out);
  OK(quire_post_unpublish(&out, editor, id));
  CHECK(has(out, "\"status\":\"draft\""));
  quire_free(out);
  FAILS(quire_post_unpublish(NULL, editor, id), QUIRE_EINVAL, "out_json must not be NULL");
  FAILS(quire_post_publish(&out, NULL, id), QUIRE_EINVAL, "ctx must not be NULL");

  /* scheduling */
  OK(quire_post_schedule(&out, editor, later, "2030-01-01T09:00:00Z"));
  CHECK(has(out, "\"status\":\"scheduled\"") &&
        has(out, "\"scheduled_at\":\"2030-01-01T09:00:00.000Z\""));
  quire_free(out);
  FAILS(quire_post_schedule(&out, editor, later, "next tuesday"), QUIRE_EINVAL, "at");
  FAILS(quire_post_schedule(&out, editor, later, NULL), QUIRE_EINVAL, "at must not be NULL");
  OK(quire_post_publish_due(&out, editor, "2029-12-31T00:00:00Z"));
  CHECK(strcmp(out, "[]") == 0);
  quire_free(out);
  OK(quire_post_publish_due(&out, editor, "2030-01-01T09:00:00.000Z"));
  CHECK(out[0] == '[' && count_of(out, "\"status\":\"published\"") == 1 &&
        int_field(out, "id") == later);
  quire_free(out);
  OK(quire_post_publish_due(&out, editor, NULL));
  CHECK(strcmp(out, "[]") == 0);
  quire_free(out);
  FAILS(quire_post_publish_due(&out, editor, "2030-13-01T00:00:00Z"), QUIRE_EINVAL, "now");
  OK(quire_post_publish_due(&out, author, NULL)); /* nothing of the author's is due */
  CHECK(strcmp(out, "[]") == 0);
  quire_free(out);

  /* trash */
  OK(quire_post_delete(&out, author, id));
  CHECK(has(out, "\"deleted_at\":\"20"));
  quire_free(out);
  FAILS(quire_post_get(&out, author, id), QUIRE_ENOTFOUND, "");
  OK(quire_post_list(&out, author, "{\"deleted\":true}"));
  CHECK(int_field(out, "id") == id && count_of(out, "\"id\":") == 1);
  quire_free(out);
  FAILS(quire_post_update(&out, author, id, 99, "{}"), QUIRE_ECONFLICT, "in the trash");
  OK(quire_post_restore(&out, author, id));
  CHECK(has(out, "\"deleted_at\":null"));
  quire_free(out);
  FAILS(quire_post_purge(author, id), QUIRE_EPERM, "denied");
  OK(quire_post_purge(editor, id));
  FAILS(quire_post_get(&out, editor, id), QUIRE_ENOTFOUND, "");
  FAILS(quire_post_purge(editor, id), QUIRE_ENOTFOUND, "");
  FAILS(quire_post_purge(NULL, id), QUIRE_EINVAL, "ctx must not be NULL");
  FAILS(quire_post_delete(&out, editor, 424242), QUIRE_ENOTFOUND, "424242");
  FAILS(quire_post_restore(NULL, editor, later), QUIRE_EINVAL, "out_json must not be NULL");

  quire_ctx_free(viewer);
  quire_ctx_free(author);
  quire_ctx_free(editor);
}

/* ---- listing, search, categories, feeds --------------------------------------------------- */

static void test_listing(void) {
  quire_ctx* editor = context_as(db, team.editor);
  char* out = NULL;
  char cursor[512];
  char query[700];
  int i, seen = 0;

  for (i = 0; i < 5; ++i) {
    char json[200];
    char* made = NULL;
    snprintf(json, sizeof json,
             "{\"title\":\"Listed %d\",\"type\":\"doc\",\"body\":\"zebra crossing number %d\","
             "\"category\":\"guides\",\"tags\":[\"zoo\"]}",
             i, i);
    OK(quire_post_create(&made, editor, json));
    OK(quire_post_publish(&out, editor, int_field(made, "id")));
    quire_free(out);
    quire_free(made);
  }

  /* Two pages of three by title, through the cursor. */
  OK(quire_post_list(&out, editor, "{\"type\":\"doc\",\"order\":\"title\",\"limit\":3}"));
  CHECK(count_of(out, "\"type\":\"doc\"") == 3 && has(out, "\"title\":\"Listed 0\""));
  CHECK(has(out, "\"body\":\"\"")); /* listings carry no body */
  string_field(out, "next_cursor", cursor, sizeof cursor);
  CHECK(cursor[0] != '\0');
  seen += count_of(out, "\"type\":\"doc\"");
  quire_free(out);
  snprintf(query, sizeof query,
           "{\"type\":\"doc\",\"order\":\"title\",\"limit\":3,\"cursor\":\"%s\"}", cursor);
  OK(quire_post_list(&out, editor, query));
  CHECK(has(out, "\"title\":\"Listed 4\"") && !has(out, "\"title\":\"Listed 0\"") &&
        has(out, "\"next_cursor\":null"));
  seen += count_of(out, "\"type\":\"doc\"");
  quire_free(out);
  CHECK(seen == 5);
  OK(quire_post_list(&out, editor,
                     "{\"tag\":\"zoo\",\"status\":\"published\",\"order\":\"-title\"}"));
  CHECK(count_of(out, "\"tags\":[\"zoo\"]") == 5 &&
        strstr(out, "Listed 4") < strstr(out, "Listed 0"));
  quire_free(out);
  OK(quire_post_list(&out, editor, "{\"type\":\"doc\",\"since\":\"2000-01-01T00:00:00Z\"}"));
  CHECK(count_of(out, "\"type\":\"doc\"") == 5);
  quire_free(out);
  OK(quire_post_list(&out, editor, "{\"type\":\"doc\",\"until\":\"2000-01-01T00:00:00Z\"}"));
  CHECK(has(out, "\"items\":[]"));
  quire_free(out);
  out = NULL;
  FAILS(quire_post_list(&out, editor, "{\"order\":\"random\"}"), QUIRE_EINVAL, "order");
  FAILS(quire_post_list(&out, editor, "{\"limit\":0}"), QUIRE_EINVAL, "limit");
  FAILS(quire_post_list(&out, editor, "{\"author\":1}"), QUIRE_EINVAL,
        "query_json: unknown field \"author\"");
  FAILS(quire_post_list(&out, editor, "{\"cursor\":\"not-a-cursor\"}"), QUIRE_EINVAL, "cursor");
  FAILS(quire_post_list(&out, editor, "{\"deleted\":\"yes\"}"), QUIRE_EINVAL,
        "query_json.deleted must be true or false");
  FAILS(quire_post_list(NULL, editor, NULL), QUIRE_EINVAL, "out_page_json must not be NULL");

  /* search: ranked, snippets, any text safe */
  OK(quire_post_search(&out, editor, "zebra", 10));
  CHECK(count_of(out, "\"post_id\":") == 5 && has(out, "\"snippet\":") && has(out, "\"score\":"));
  quire_free(out);
  OK(quire_post_search(&out, editor, "zeb*", 2));
  CHECK(count_of(out, "\"post_id\":") == 2);
  quire_free(out);
  OK(quire_post_search(&out, editor, "\"crossing number 3\"", 10));
  CHECK(count_of(out, "\"post_id\":") == 1 && has(out, "\"title\":\"Listed 3\""));
  quire_free(out);
  OK(quire_post_search(&out, editor, "\" OR ) NEAR( *", 10)); /* FTS syntax is just text */
  CHECK(out[0] == '[');
  quire_free(out);
  out = NULL;
  FAILS(quire_post_search(&out, editor, "", 10), QUIRE_EINVAL, "query");
  FAILS(quire_post_search(&out, editor, "zebra", 0), QUIRE_EINVAL, "limit");
  FAILS(quire_post_search(&out, editor, "zebra", 1001), QUIRE_EINVAL, "limit");
  FAILS(quire_post_search(&out, editor, "\xff\xfe", 10), QUIRE_EINVAL, "UTF-8");
  FAILS(quire_post_search(&out, editor, NULL, 10), QUIRE_EINVAL, "query must not be NULL");

  /* categories and tags with counts */
  OK(quire_post_categories(&out, editor));
  CHECK(has(out, "{\"name\":\"guides\",\"count\":5}"));
  quire_free(out);
  OK(quire_post_tags(&out, editor));
  CHECK(has(out, "{\"name\":\"zoo\",\"count\":5}"));
  quire_free(out);
  FAILS(quire_post_tags(NULL, editor), QUIRE_EINVAL, "out_json_array must not be NULL");
  FAILS(quire_post_categories(&out, NULL), QUIRE_EINVAL, "ctx must not be NULL");

  /* feeds */
  OK(quire_post_feed(&out, editor, "rss", 3));
  CHECK(has(out, "<rss") && count_of(out, "<item>") == 3 && has(out, "https://acme.test/"));
  quire_free(out);
  OK(quire_post_feed(&out, editor, "atom", 10));
  CHECK(has(out, "<feed") && count_of(out, "<entry>") >= 5);
  quire_free(out);
  OK(quire_post_sitemap(&out, editor));
  CHECK(has(out, "<urlset") && count_of(out, "<url>") >= 5);
  quire_free(out);
  out = NULL;
  FAILS(quire_post_feed(&out, editor, "json", 10), QUIRE_EINVAL, "format");
  FAILS(quire_post_feed(&out, editor, "rss", 0), QUIRE_EINVAL, "limit");
  FAILS(quire_post_feed(&out, editor, NULL, 10), QUIRE_EINVAL, "format must not be NULL");
  FAILS(quire_post_sitemap(NULL, editor), QUIRE_EINVAL, "out_xml must not be NULL");
  CHECK(out == NULL);

  quire_ctx_free(editor);
}

/* ---- versions ----------------------------------------------------------------------------- */

static void test_versions(void) {
  quire_ctx* editor = context_as(db, team.editor);
  quire_ctx* author = context_as(db, team.author);
  quire_ctx* viewer = context_as(db, team.viewer);
  char* out = NULL;
  char* v1 = NULL;
  int64_t id = create(author, "{\"title\":\"History\",\"body\":\"line one\\nline two\\n\"}");

  OK(quire_post_update(&out, author, id, 1, "{\"body\":\"line one\\nline 2\\nline three\\n\"}"));
  quire_free(out);

  /* list and get */
  OK(quire_version_list(&out, author, id));
  CHECK(out[0] == '[' && count_of(out, "\"number\":") == 2);
  CHECK(strstr(out, "\"number\":2") < strstr(out, "\"number\":1")); /* newest first */
  CHECK(has(out, "\"kind\":\"create\"") && has(out, "\"kind\":\"update\"") &&
        !has(out, "line one"));
  quire_free(out);
  OK(quire_version_get(&v1, author, id, 1));
  CHECK(has(v1, "\"number\":1") && has(v1, "\"body\":\"line one\\nline two\\n\"") &&
        has(v1, "\"title\":\"History\"") && has(v1, "\"slug\":\"history\""));
  FAILS(quire_version_get(&out, author, id, 9), QUIRE_ENOTFOUND, "has no version 9");
  FAILS(quire_version_get(&out, author, 424242, 1), QUIRE_ENOTFOUND, "424242");
  FAILS(quire_version_get(NULL, author, id, 1), QUIRE_EINVAL, "out_json must not be NULL");
  FAILS(quire_version_list(&out, NULL, id), QUIRE_EINVAL, "ctx must not be NULL");
  FAILS(quire_version_list(&out, viewer, id), QUIRE_ENOTFOUND, ""); /* a draft */

  /* diff */
  OK(quire_version_diff(&out, author, id, 1, 2));
  CHECK(has(out, "\"from\":1") && has(out, "\"to\":2") && has(out, "\"changed_fields\":[") &&
        has(out, "\"body\""));
  CHECK(has(out, "-line two\\n") && has(out, "+line 2\\n") && has(out, "+line three\\n"));
  CHECK(has(out, "\"added\":2") && has(out, "\"removed\":1"));
  CHECK(has(out, "\"body_hunks\":[{\"old_start\":") && has(out, "\"kind\":\"removed\""));
  quire_free(out);
  FAILS(quire_version_diff(&out, author, id, 1, 7), QUIRE_ENOTFOUND, "7");

  /* snapshot, restore */
  OK(quire_version_snapshot(&out, author, id, "before the rewrite"));
  CHECK(has(out, "\"kind\":\"manual\"") && has(out, "\"summary\":\"before the rewrite\"") &&
        has(out, "\"number\":3"));
  quire_free(out);
  OK(quire_version_snapshot(&out, author, id, NULL));
  CHECK(has(out, "\"number\":4"));
  quire_free(out);
  OK(quire_version_restore(&out, editor, id, 1));
  CHECK(has(out, "\"version\":5") && has(out, "\"body\":\"line one\\nline two\\n\""));
  quire_free(out);
  OK(quire_version_get(&out, editor, id, 5));
  CHECK(has(out, "\"kind\":\"restore\"") && has(out, "\"body\":\"line one\\nline two\\n\""));
  quire_free(out);
  FAILS(quire_version_restore(&out, author, id, 2), QUIRE_EPERM, "version.restore");
  FAILS(quire_version_restore(&out, editor, id, 99), QUIRE_ENOTFOUND, "99");

  /* autosave: one slot per (post, user), not a version; promotion checks the version */
  OK(quire_version_autosave_get(&out, author, id));
  CHECK(strcmp(out, "null") == 0);
  quire_free(out);
  OK(quire_version_autosave(&out, author, id, "Draft title", "draft body"));
  CHECK(has(out, "\"title\":\"Draft title\"") && has(out, "\"base_version\":5") &&
        int_field(out, "user_id") == team.author);
  quire_free(out);
  OK(quire_version_autosave(&out, author, id, "Draft title 2", "draft body 2"));
  quire_free(out);
  OK(quire_version_autosave_get(&out, author, id));
  CHECK(has(out, "\"title\":\"Draft title 2\""));
  quire_free(out);
  OK(quire_version_autosave_get(&out, editor, id)); /* the editor's own slot is empty */
  CHECK(strcmp(out, "null") == 0);
  quire_free(out);
  OK(quire_version_list(&out, author, id));
  CHECK(count_of(out, "\"number\":") == 5); /* autosaves are not versions */
  quire_free(out);
  out = NULL;
  FAILS(quire_version_promote(&out, author, id, 4), QUIRE_ECONFLICT, "is at version 5, not 4");
  CHECK(out == NULL);
  OK(quire_version_promote(&out, author, id, 5));
  CHECK(has(out, "\"version\":6") && has(out, "\"title\":\"Draft title 2\"") &&
        has(out, "\"body\":\"draft body 2\""));
  quire_free(out);
  OK(quire_version_autosave_get(&out, author, id));
  CHECK(strcmp(out, "null") == 0); /* promotion dropped it */
  quire_free(out);
  FAILS(quire_version_promote(&out, author, id, 6), QUIRE_ENOTFOUND, "autosave");
  OK(quire_version_autosave(&out, author, id, "x", "y"));
  quire_free(out);
  OK(quire_version_discard(author, id));
  OK(quire_version_discard(author, id)); /* none is no error */
  OK(quire_version_autosave_get(&out, author, id));
  CHECK(strcmp(out, "null") == 0);
  quire_free(out);
  FAILS(quire_version_autosave(&out, author, id, NULL, "y"), QUIRE_EINVAL,
        "title must not be NULL");
  FAILS(quire_version_autosave(&out, author, id, "x", NULL), QUIRE_EINVAL, "body must not be NULL");
  FAILS(quire_version_autosave(&out, viewer, id, "x", "y"), QUIRE_EPERM, "role viewer lacks");
  FAILS(quire_version_discard(NULL, id), QUIRE_EINVAL, "ctx must not be NULL");

  /* A restored post equals its snapshot. */
  OK(quire_version_restore(&out, editor, id, 1));
  quire_free(out);
  OK(quire_version_get(&out, editor, id, 7));
  {
    /* Same content as v1: compare everything after "size" (title, body, slug, ...). */
    const char* a = strstr(v1, "\"title\"");
    const char* b = strstr(out, "\"title\"");
    CHECK(a != NULL && b != NULL && strcmp(a, b) == 0);
  }
  quire_free(out);
  quire_free(v1);

  quire_ctx_free(viewer);
  quire_ctx_free(author);
  quire_ctx_free(editor);
}

/* ---- ownership and tenants ---------------------------------------------------------------- */

static void test_isolation(void) {
  quire_ctx* author = context_as(db, team.author);
  quire_ctx* editor = context_as(db, team.editor);
  quire_ctx* admin = NULL;
  quire_ctx* stranger = NULL;
  char* out = NULL;
  char json[200];
  int64_t mine = create(author, "{\"title\":\"Mine\"}");
  int64_t theirs = create(editor, "{\"title\":\"Theirs\"}");
  int64_t user;

  /* An author writes their own posts, not others'. */
  OK(quire_post_update(&out, author, mine, 1, "{\"body\":\"ok\"}"));
  quire_free(out);
  out = NULL;
  FAILS(quire_post_update(&out, author, theirs, 1, "{\"body\":\"no\"}"), QUIRE_EPERM, "denied");
  FAILS(quire_post_delete(&out, author, theirs), QUIRE_EPERM, "denied");
  CHECK(out == NULL);

  /* Another tenant sees none of acme's posts, whatever it asks. */
  OK(quire_db_system(&admin, db, NULL));
  OK(quire_tenant_create(&out, admin, "{\"slug\":\"rival\",\"name\":\"Rival\",\"plan\":\"pro\"}"));
  quire_free(out);
  OK(quire_user_create(&out, admin,
                       "{\"username\":\"rex\",\"email\":\"rex@rival.test\","
                       "\"password\":\"correct horse\"}"));
  user = int_field(out, "id");
  quire_free(out);
  OK(quire_member_add(&out, admin, "rival", user, "owner"));
  quire_free(out);
  snprintf(json, sizeof json, "{\"tenant\":\"rival\",\"user\":%lld}", (long long)user);
  OK(quire_db_context(&stranger, db, json));
  out = NULL;
  FAILS(quire_post_get(&out, stranger, mine), QUIRE_ENOTFOUND, "");
  FAILS(quire_post_get_by_slug(&out, stranger, "mine", NULL), QUIRE_ENOTFOUND, "");
  FAILS(quire_post_update(&out, stranger, mine, 2, "{\"title\":\"x\"}"), QUIRE_ENOTFOUND, "");
  FAILS(quire_post_delete(&out, stranger, mine), QUIRE_ENOTFOUND, "");
  FAILS(quire_post_purge(stranger, mine), QUIRE_ENOTFOUND, "");
  FAILS(quire_version_list(&out, stranger, mine), QUIRE_ENOTFOUND, "");
  FAILS(quire_version_get(&out, stranger, mine, 1), QUIRE_ENOTFOUND, "");
  FAILS(quire_version_restore(&out, stranger, mine, 1), QUIRE_ENOTFOUND, "");
  CHECK(out == NULL);
  OK(quire_post_search(&out, stranger, "mine", 10));
  CHECK(strcmp(out, "[]") == 0);
  quire_free(out);
  OK(quire_post_list(&out, stranger, NULL));
  CHECK(has(out, "\"items\":[]"));
  quire_free(out);
  OK(quire_post_get(&out, author, mine)); /* untouched */
  CHECK(has(out, "\"version\":2") && has(out, "\"title\":\"Mine\""));
  quire_free(out);

  quire_ctx_free(stranger);
  quire_ctx_free(admin);
  quire_ctx_free(editor);
  quire_ctx_free(author);
}

/* ---- 100,000 calls ------------------------------------------------------------------------ */

/* Post records and version lists in and out 100,000 times: memory must not grow with the calls. */
static void test_loop(void) {
  enum { pairs = 50000, warmup = 2000 };
  quire_ctx* editor = context_as(db, team.editor);
  int64_t id = create(editor, "{\"title\":\"Looped\",\"body\":\"Some text\\nin two lines\"}");
  long before = 0, after;
  int i;
  for (i = 0; i < warmup + pairs; ++i) {
    char* out = NULL;
    if (i == warmup) before = resident_kib();
    if (quire_post_get(&out, editor, id) != QUIRE_OK) fail_at(__FILE__, __LINE__, "post get");
    quire_free(out);
    out = NULL;
    if (quire_version_list(&out, editor, id) != QUIRE_OK) fail_at(__FILE__, __LINE__, "versions");
    quire_free(out);
  }
  after = resident_kib();
  printf("loop: %d calls, resident %ld -> %ld KiB\n", 2 * pairs, before, after);
#ifndef UNDER_ASAN
  CHECK(before > 0 && after - before < 2048);
#endif
  quire_ctx_free(editor);
}

int main(void) {
  OK(quire_db_open(&db, "sqlite::memory:", test_options));
  team = make_team(db);
  test_create_get_update();
  test_escaping();
  test_workflow();
  test_listing();
  test_versions();
  test_isolation();
  test_loop();
  quire_db_free(db);
  printf("capi_posts_test: %ld checks passed\n", checks);
  return 0;
}
