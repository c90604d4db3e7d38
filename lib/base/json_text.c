/* JSON string escaping (lib/base/json_text.h). */
#include "lib/base/json_text.h"

/* Length of the whole UTF-8 sequence starting at s[i], or 0. */
static size_t utf8_len(const char *s, size_t i, size_t n)
{
    unsigned char c = (unsigned char)s[i];
    size_t len = c >= 0xF0 && c <= 0xF4   ? 4
                 : c >= 0xE0 && c <= 0xEF ? 3
                 : c >= 0xC2 && c <= 0xDF ? 2
                                          : 0;
    size_t k = 1;
    while (len && k < len && i + k < n && ((unsigned char)s[i + k] & 0xC0) == 0x80)
        k++;
    return len && k == len ? len : 0;
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

void tf_json_fputs(FILE *f, const char *s, size_t n)
{
    char buf[512];
    /* Escape in pieces that fit the buffer, never splitting a UTF-8 sequence. */
    fputc('"', f);
    size_t i = 0;
    while (i < n && s[i]) {
        size_t take = 0;
        while (i + take < n && s[i + take] && take < 64)
            take++;
        while (i + take < n && s[i + take] && ((unsigned char)s[i + take] & 0xC0) == 0x80 && take < 68)
            take++;
        size_t w = tf_json_escape(buf, sizeof buf, s + i, take);
        fwrite(buf + 1, 1, w - 2, f); /* without its quotes */
        i += take;
    }
    fputc('"', f);
}
