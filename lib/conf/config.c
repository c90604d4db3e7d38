/* Configuration loading: YAML → validated tf_config. This file owns the
 * entry points: parsing a string or a file and syntax errors (secrets:
 * config_private.c). The walker is config_walk.c, the tables config_schema.c, the
 * section readers and cross-key checks config_checks.c; config_internal.h
 * is what they share. Calls go one way: config.c -> config_checks.c ->
 * config_walk.c, config_schema.c.
 *
 * DESIGN: libyaml's document API (yaml_parser_load) keeps the line and
 * column of every node, so the whole schema is a few static tables, one per
 * YAML mapping, each row saying key, type, range and where the value goes
 * (offset and size in the struct the mapping fills). One walker checks a
 * mapping for non-name, unknown and duplicate keys, then reads the rows in
 * table order; every failure is "<file>:<line>:<col>: <reason>" at the
 * offending node. libcyaml 1.3 (Debian 12) would map the structs for us but
 * reports errors without positions, which an operator editing a production
 * file needs. The walk is as deep as the tables, never as deep as the input,
 * so aliases (even cyclic ones) and odd shapes cannot recurse or crash.
 * Defaults come from one const tf_config; nothing here is mutable global
 * state. Cold path: runs once at start.
 */
#include "lib/conf/config_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shm/err.h"
#include "shm/fixed.h"

/* libyaml's own problem text at its mark; reader errors only give an offset. */
static int tf__cfg_syntax(tf__cfg_ctx *c, const yaml_parser_t *p, const char *text)
{
    yaml_mark_t m = p->problem_mark;
    char extra[96] = "";
    if (p->error == YAML_READER_ERROR) {
        m = (yaml_mark_t){0};
        for (size_t i = 0; i < p->problem_offset; i++) {
            m.column = text[i] == '\n' ? 0 : m.column + 1;
            m.line += text[i] == '\n';
        }
        if (p->problem_value >= 0)
            snprintf(extra, sizeof extra, " (byte 0x%02x)", p->problem_value);
    } else if (p->context) {
        snprintf(extra, sizeof extra, " (%s on line %zu)", p->context, p->context_mark.line + 1);
    }
    yaml_node_t at = {.start_mark = m};
    return tf__cfg_fail(c, &at, "YAML syntax error: %s%s",
                        p->error == YAML_MEMORY_ERROR ? "out of memory"
                        : p->problem                  ? p->problem
                                                  : "malformed document", extra);
}

int tf_config_parse(const char *yaml, size_t len, const char *name, int ncpus, tf_config *out,
                    char *err, size_t errlen)
{
    tf_config cfg = tf__cfg_default_config;
    cfg.orders = tf__cfg_default_orders;
    cfg.risk = tf__cfg_default_risk;
    cfg.exchange = tf__cfg_default_exchange;
    snprintf(cfg.source_file, sizeof cfg.source_file, "%s", name);
    yaml_document_t doc, next;
    tf__cfg_ctx c = {.read = &tf__cfg_section_readers, .doc = &doc, .file = name, .err = err, .errlen = errlen, .ncpus = ncpus,
                 .cfg = &cfg};
    if (errlen)
        err[0] = 0;
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        snprintf(err, errlen, "%s:1:1: out of memory for the YAML parser", name);
        return -1;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)yaml, len);
    int rc = -1;
    if (!yaml_parser_load(&p, &doc)) {
        rc = tf__cfg_syntax(&c, &p, yaml);
    } else {
        /* A second document would be ignored silently: refuse it (and find its syntax errors). */
        if (!yaml_parser_load(&p, &next)) {
            tf__cfg_syntax(&c, &p, yaml);
        } else {
            yaml_node_t *second = yaml_document_get_root_node(&next);
            yaml_node_t *root = yaml_document_get_root_node(&doc);
            if (second)
                tf__cfg_fail(&c, second, "a second YAML document starts here; a config file holds one");
            else if (!root || (tf__cfg_str(root) && !*tf__cfg_str(root)))
                tf__cfg_fail(&c, root, "the file is empty");
            else
                rc = tf__cfg_map(&c, root, tf__cfg_root_keys, (char *)&cfg, "");
            if (rc == 0)
                rc = tf__cfg_cross_checks(&c, root);
            yaml_document_delete(&next);
        }
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&p);
    if (rc == 0)
        *out = cfg;
    return rc;
}

int tf_config_load(const char *path, int ncpus, tf_config *out, char *err, size_t errlen)
{
    enum { TF__FILE_MAX = 1 << 20 };
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s:1:1: cannot open: %s", path, strerror(errno));
        return -1;
    }
    char *buf = malloc(TF__FILE_MAX + 1);
    size_t len = buf ? fread(buf, 1, TF__FILE_MAX + 1, f) : 0;
    int rc = -1;
    if (!buf)
        snprintf(err, errlen, "%s:1:1: out of memory", path);
    else if (ferror(f))
        snprintf(err, errlen, "%s:1:1: cannot read: %s", path, strerror(errno));
    else if (len > TF__FILE_MAX)
        snprintf(err, errlen, "%s:1:1: larger than %d bytes; not a config file", path, TF__FILE_MAX);
    else
        rc = tf_config_parse(buf, len, path, ncpus, out, err, errlen);
    free(buf);
    fclose(f);
    return rc;
}
