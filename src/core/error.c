/* src/core/error.c -- filling and printing lm_error (include/longmen/error.h). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "longmen/error.h"

void lm_error_clear(lm_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

static void copy_str(char *dst, size_t size, const char *src)
{
    if (!src)
        src = "";
    snprintf(dst, size, "%s", src);
}

lm_status lm_error_set(lm_error *err, lm_status code, const char *src_file, int src_line,
                       const char *fmt, ...)
{
    if (!err)
        return code;
    lm_error_clear(err);
    err->code = code;
    err->src_file = src_file;
    err->src_line = src_line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return code;
}

lm_status lm_error_set_at(lm_error *err, lm_status code, const char *file, int line, int column,
                          const char *field, const char *fmt, ...)
{
    if (!err)
        return code;
    lm_error_clear(err);
    err->code = code;
    copy_str(err->file, sizeof err->file, file);
    err->line = line;
    err->column = column;
    copy_str(err->field, sizeof err->field, field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return code;
}

/* Control characters a message may carry from user text (a YAML scalar folded over lines,
 * a path typed with a newline) would break the one line, or rewrite it on a terminal (CR, an
 * escape sequence): they are written as \n, \r, \t, \xNN. Cut at a UTF-8 boundary. */
static void escape_controls(char *buf, size_t size)
{
    char raw[2048];
    snprintf(raw, sizeof raw, "%s", buf);
    size_t k = 0;
    for (const char *p = raw; *p;) {
        const unsigned char c = (unsigned char)*p;
        char unit[8];
        size_t n = 1; /* bytes of raw this unit consumes */
        if (c == '\n' || c == '\r' || c == '\t') {
            snprintf(unit, sizeof unit, "\\%c", c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
        } else if (c < 0x20 || c == 0x7f) {
            snprintf(unit, sizeof unit, "\\x%02x", c);
        } else {
            n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1; /* a whole UTF-8 character */
            size_t i = 0;
            for (; i < n && p[i]; ++i)
                unit[i] = p[i];
            if (i < n)
                break; /* half a character, left by a cut of the formatting */
            unit[n] = '\0';
        }
        const size_t len = strlen(unit);
        if (k + len >= size)
            break;
        memcpy(buf + k, unit, len);
        k += len;
        p += n;
    }
    buf[k] = '\0';
}

static void format_line(const lm_error *err, char *buf, unsigned long size);

const char *lm_error_format(const lm_error *err, char *buf, unsigned long size)
{
    if (!buf || size == 0)
        return buf;
    format_line(err, buf, size);
    escape_controls(buf, size);
    return buf;
}

static void format_line(const lm_error *err, char *buf, unsigned long size)
{
    if (!err) {
        snprintf(buf, size, "error: unknown error");
        return;
    }
    const char *msg = err->message[0] ? err->message : lm_status_name(err->code);
    /* A message that already names its file (I/O errors: "cannot create runs/x: ...") is
       printed as it is, so the path is not said twice. */
    const bool names_file = err->file[0] && err->line <= 0 && strstr(msg, err->file);
    if (names_file)
        snprintf(buf, size, "%s", msg);
    else if (err->file[0] && err->line > 0 && err->field[0])
        snprintf(buf, size, "%s:%d:%d: %s: %s", err->file, err->line, err->column, err->field,
                 msg);
    else if (err->file[0] && err->line > 0)
        snprintf(buf, size, "%s:%d:%d: %s", err->file, err->line, err->column, msg);
    else if (err->file[0] && err->field[0])
        snprintf(buf, size, "%s: %s: %s", err->file, err->field, msg);
    else if (err->file[0])
        snprintf(buf, size, "%s: %s", err->file, msg);
    else if (err->field[0])
        snprintf(buf, size, "%s: %s", err->field, msg);
    else
        snprintf(buf, size, "%s", msg);
}

const char *lm_status_name(lm_status st)
{
    switch (st) {
    case LM_OK: return "ok";
    case LM_EINVAL: return "invalid input";
    case LM_ENOMEM: return "out of memory";
    case LM_EIO: return "input/output error";
    case LM_EDB: return "database error";
    case LM_ESTATE: return "wrong state";
    case LM_EEXIST: return "already exists";
    case LM_EINTR: return "interrupted";
    }
    return "unknown error";
}
