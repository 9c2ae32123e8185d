/* include/longmen/error.h -- status codes and the error record every lm_ call fills.
 * An error that comes from a user's file points into it (file, 1-based line and column,
 * field path), so the CLI can print `x.yaml:14:9: regions[2].population: ...`. */
#ifndef LONGMEN_ERROR_H
#define LONGMEN_ERROR_H

#include <stdarg.h>

#if defined(__GNUC__)
#define LM_API __attribute__((visibility("default")))
#else
#define LM_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lm_status {
    LM_OK = 0,
    LM_EINVAL = 1,  /* bad input: a scenario, a flag, a value out of range */
    LM_ENOMEM = 2,  /* allocation failed or a size limit was hit */
    LM_EIO = 3,     /* a file could not be read or written */
    LM_EDB = 4,     /* SQLite reported an error */
    LM_ESTATE = 5,  /* a call made in the wrong state (e.g. step after the horizon) */
    LM_EEXIST = 6,  /* an output that already exists and must not be overwritten */
    LM_EINTR = 7    /* interrupted by the user */
} lm_status;

typedef struct lm_error {
    lm_status code;
    char file[256];       /* the user's file as typed; "" when not from a file */
    int line, column;     /* 1-based; 0 when not from a file */
    char field[160];      /* path of the offending field, e.g. regions[2].population */
    char message[512];    /* one plain sentence */
    const char *src_file; /* where longmen raised it (debug aid) */
    int src_line;
} lm_error;

/* Clears err (code LM_OK, empty strings). NULL is a no-op. */
LM_API void lm_error_clear(lm_error *err);

/* Fills err and returns code. err may be NULL (then only code is returned). */
LM_API lm_status lm_error_set(lm_error *err, lm_status code, const char *src_file, int src_line,
                              const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Same, with a location in a user's file. file may be NULL. */
LM_API lm_status lm_error_set_at(lm_error *err, lm_status code, const char *file, int line,
                                 int column, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* Writes the one-line form `file:line:col: field: message` (or `error: message`) into buf.
 * Returns buf. */
LM_API const char *lm_error_format(const lm_error *err, char *buf, unsigned long size);

/* A short name of the status ("invalid input", "out of memory", ...). Borrowed, static. */
LM_API const char *lm_status_name(lm_status st);

#define LM_FAIL(err, code, ...) return lm_error_set((err), (code), __FILE__, __LINE__, __VA_ARGS__)

#ifdef __cplusplus
}
#endif
#endif
