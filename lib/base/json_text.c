/* JSON string escaping (lib/base/json_text.h). */
#include "lib/base/json_text.h"

/* Length of the well-formed UTF-8 sequence starting at s[i], or 0: no
 * overlong forms, no surrogates, nothing above U+10FFFF (RFC 3629), so
 * strict decoders accept what we write. */
static size_t utf8_len(const char *s, size_t i, size_t n)
{
    unsigned char c = (unsigned char)s[i];
    size_t len = c >= 0xF0 && c <= 0xF4   ? 4
                 : c >= 0xE0 && c <= 0xEF ? 3
                 : c >= 0xC2 && c <= 0xDF ? 2
                                          : 0;
    if (!len || i + 1 >= n)
        return 0;
    unsigned char c1 = (unsigned char)s[i + 1];
    unsigned char lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
    unsigned char hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
    if (c1 < lo || c1 > hi)
        return 0;
    size_t k = 2;
    while (k < len && i + k < n && ((unsigned char)s[i + k] & 0xC0) == 0x80)
        k++;
    return k == len ? len : 0;
}

size_t tf_json_escape(char *out, size_t cap, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
#define PUT(ch) do { if (o >= cap) return 0; out[o++] = (char)(ch); } while (0)
    PUT('"');
    for (size_t i = 0; i < n && s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c >= 0x80 ? utf8_len(s, i, n) : 0;
        if (len) {
            for (size_t k = 0; k < len; k++)
                PUT(s[i + k]);
            i += len - 1;
        } else if (c == '"' || c == '\\') {
            PUT('\\');
            PUT(c);
        } else if (c < 0x20 || c >= 0x7f) {
            PUT('\\'); PUT('u'); PUT('0'); PUT('0');
            PUT(hex[c >> 4]);
            PUT(hex[c & 15]);
        } else {
            PUT(c);
        }
    }
    PUT('"');
#undef PUT
    return o;
}

/* Chunks of at most 64 bytes plus a sequence's 4 continuation bytes. */
#define TF__JSON_CHUNK 64
_Static_assert(TF_JSON_ESCAPED_MAX(TF__JSON_CHUNK + 4) <= 512, "a chunk always fits the buffer");

void tf_json_fputs(FILE *f, const char *s, size_t n)
{
    char buf[512];
    /* Escape in pieces that fit the buffer, never splitting a UTF-8 sequence. */
    fputc('"', f);
    size_t i = 0;
    while (i < n && s[i]) {
        size_t take = 0;
        while (i + take < n && s[i + take] && take < TF__JSON_CHUNK)
            take++;
        while (i + take < n && s[i + take] && ((unsigned char)s[i + take] & 0xC0) == 0x80 &&
               take < TF__JSON_CHUNK + 4)
            take++;
        size_t w = tf_json_escape(buf, sizeof buf, s + i, take);
        if (w >= 2)
            fwrite(buf + 1, 1, w - 2, f); /* without its quotes */
        i += take;
    }
    fputc('"', f);
}
