/* JSON string escaping, the one implementation every tool uses (tfstat's
 * and tfsim's JSON output, tfquery's answers). Whole UTF-8 sequences pass
 * as they are; quotes and backslashes are escaped; control bytes and bytes
 * that are not part of a whole UTF-8 sequence become \u00XX, so the output
 * is valid JSON whatever the input memory holds. Cold path. */
#ifndef TF_BASE_JSON_TEXT_H
#define TF_BASE_JSON_TEXT_H

#include <stddef.h>
#include <stdio.h>

/* Worst case: every byte becomes \u00XX. */
#define TF_JSON_ESCAPED_MAX(n) (6 * (n) + 2)

/* Writes the quoted, escaped string of s[0..n) (stopping early at a NUL)
 * into out[cap]; returns its length, or 0 when it does not fit (out is then
 * unspecified). No terminating NUL is written. */
size_t tf_json_escape(char *out, size_t cap, const char *s, size_t n);

/* The same to a stream. */
void tf_json_fputs(FILE *f, const char *s, size_t n);

#endif
