/* src/scenario/load.c -- the public scenario API (include/longmen/longmen.h): read a YAML
 * scenario, check it, keep it. Reading is bounded (16 MiB, refused before it is read) and
 * bytes are checked as UTF-8 before libfyaml sees them, so that every failure, from a missing
 * file to a spillover that would make knowledge explode, comes back as one lm_error with
 * file, line, column and field. The steps are listed in load_int.h. Months ("YYYY-MM") are
 * parsed and printed here too, since the scenario format defines them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scenario/confine.h"

#include "scenario/edits_int.h" /* experiments issue */
#include "scenario/load_int.h"

#define TEXT_MAX ((size_t)16 << 20) /* a scenario of 256 regions is well under 1 MiB */

/* ---- months ---- */

bool lm_month_parse(const char *text, int32_t *out)
{
    if (!text)
        return false;
    for (int i = 0; i < 7; ++i)
        if (i == 4 ? text[i] != '-' : !(text[i] >= '0' && text[i] <= '9'))
            return false;
    if (text[7] != '\0')
        return false;
    const int year =
        (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
    const int month = (text[5] - '0') * 10 + (text[6] - '0');
    if (year < 1900 || year > 2200 || month < 1 || month > 12)
        return false;
    if (out)
        *out = lm_month_of(year, month);
    return true;
}

char *lm_month_format(int32_t m, char *buf)
{
    /* "YYYY-MM" has room for years 0..9999 only; months outside print as the nearest end. */
    const int32_t last = 9999 * 12 + 11;
    const unsigned um = (unsigned)(m < 0 ? 0 : m > last ? last : m);
    snprintf(buf, 8, "%04u-%02u", um / 12 % 10000u, um % 12 + 1);
    return buf;
}

/* ---- building a scenario from text ---- */

static void params_free(lm_params *p)
{
    free(p->regions);
    free(p->integration);
    p->regions = NULL;
    p->integration = NULL;
}

static lm_status check_text(const char *text, size_t len, const char *file, lm_error *err)
{
    if (len > TEXT_MAX)
        return lm_error_set_at(err, LM_EINVAL, file, 0, 0, "",
                               "file is %.1f MB, larger than the 16 MB limit for scenarios",
                               (double)len / (1 << 20));
    if (len == 0)
        return lm_error_set_at(err, LM_EINVAL, file, 1, 1, "", "the file is empty");
    return lm__utf8_check(text, len, file, err);
}

/* Parses and validates sc->text into sc->p. A scenario that extends another is merged with
 * it first (extends.c), and the parents' texts are kept after its own in sc->text. */
static lm_status build(lm_scenario *sc, const char *file, const lm_scenario_edits *edits,
                       lm_error *err)
{
    lm__ydoc doc;
    lm_status st = lm__yaml_parse(sc->text, sc->text_len, file, &doc, err);
    if (st != LM_OK)
        return st;
    lm__extends ext;
    memset(&ext, 0, sizeof ext);
    const lm__ynode *root = doc.root;
    if (root && root->kind == LM_Y_MAP && lm__ymap_get(root, "extends"))
        st = lm__extends_resolve(&ext, file, doc.root, &root, err);
    if (st == LM_OK) /* calibration issue: the file's own `set:` edits (set.c) */
        st = lm__scenario_apply_set(&doc, &root, file, err);
    if (st == LM_OK && edits) /* experiments issue: counterfactual edits (edits.c) */
        st = lm__scenario_apply_edits(&doc, &root, file, edits, err);
    lm__lctx c = {.file = file, .err = err, .p = &sc->p, .root = root};
    lm__params_defaults(&sc->p);
    if (st != LM_OK)
        ; /* the chain of extends failed: err is set */
    else if (!root || lm__ynull(root))
        st = lm_error_set_at(err, LM_EINVAL, file, 1, 1, "",
                             "the file is empty (it holds only comments or blank lines)");
    else if (doc.root->kind != LM_Y_MAP) {
        char got[128];
        st = lm__fail(&c, doc.root, "",
                      "expected a mapping of scenario keys (name, sectors, "
                      "regions, ...) at the top level, got %s",
                      lm__ydescribe(doc.root, got, sizeof got));
    }
    if (st == LM_OK)
        st = lm__scenario_check_stop(file, err);
    if (st == LM_OK)
        st = lm__fill_params(&c);
    if (st == LM_OK)
        st = lm__scenario_check_stop(file, err);
    if (st == LM_OK)
        st = lm__validate_params(&c);
    if (st == LM_OK && ext.n > 0) {
        size_t len = 0;
        char *all = lm__extends_text(&ext, sc->text, sc->text_len, &len);
        if (!all)
            st = lm_error_set_at(err, LM_ENOMEM, file, 0, 0, "", "out of memory for the text");
        else {
            free(sc->text);
            sc->text = all;
            sc->text_len = len;
        }
    }
    lm__extends_free(&ext);
    lm__yaml_free(&doc);
    return st;
}

/* Takes ownership of text (malloc'd, len bytes plus a NUL). */
static lm_status load_owned(char *text, size_t len, const char *file, const char *path,
                            const lm_scenario_edits *edits, lm_scenario **out, lm_error *err)
{
    lm_scenario *sc = calloc(1, sizeof *sc);
    if (!sc) {
        free(text);
        return lm_error_set_at(err, LM_ENOMEM, file, 0, 0, "", "out of memory for a scenario");
    }
    sc->text = text;
    sc->text_len = len;
    snprintf(sc->path, sizeof sc->path, "%s", path);
    lm_status st = check_text(text, len, file, err);
    if (st == LM_OK)
        st = build(sc, file, edits, err);
    if (st != LM_OK) {
        lm_scenario_free(sc);
        return st;
    }
    lm_error_clear(err);
    *out = sc;
    return LM_OK;
}

lm_status lm_scenario_load_string(const char *text, size_t len, const char *name, lm_scenario **out,
                                  lm_error *err)
{
    if (!out)
        LM_FAIL(err, LM_EINVAL, "lm_scenario_load_string: out is NULL");
    *out = NULL;
    const char *file = name ? name : "<string>";
    if (!text && len > 0)
        return lm_error_set_at(err, LM_EINVAL, file, 0, 0, "", "no text given");
    if (len > TEXT_MAX) /* before copying it */
        return check_text(text, len, file, err);
    char *copy = malloc(len + 1);
    if (!copy)
        return lm_error_set_at(err, LM_ENOMEM, file, 0, 0, "", "out of memory for the text");
    if (len)
        memcpy(copy, text, len);
    copy[len] = '\0';
    return load_owned(copy, len, file, "", NULL, out, err);
}

/* ---- reading a file ---- */

static lm_status io_error(const char *path, const char *what, int errnum, lm_error *err)
{
    return lm_error_set_at(err, LM_EIO, path, 0, 0, "", "%s: %s", what, strerror(errnum));
}

/* Seconds a FIFO or pipe may go without a byte before the read gives up. */
#define PIPE_IDLE_S 10

/* Reads fd to its end into a buffer grown as needed, at most TEXT_MAX + 1 bytes; *len >
 * TEXT_MAX means the file is too large (a pipe, whose size is unknown until read). fd is
 * non-blocking, so a FIFO that has no data yet is waited for with poll, in steps that a
 * signal's handler can end (the read then fails with EINTR). */
static lm_status read_bounded(int fd, const char *path, size_t cap, char **text, size_t *len,
                              lm_error *err)
{
    char *buf = NULL;
    size_t n = 0;
    int idle_ms = 0;
    for (;;) {
        if (!buf || n == cap) {
            if (buf && cap > TEXT_MAX)
                break;
            if (buf)
                cap = cap * 2 > TEXT_MAX + 1 ? TEXT_MAX + 1 : cap * 2;
            char *grown = realloc(buf, cap + 1);
            if (!grown) {
                free(buf);
                return lm_error_set_at(err, LM_ENOMEM, path, 0, 0, "",
                                       "out of memory for the file");
            }
            buf = grown;
        }
        const ssize_t k = read(fd, buf + n, cap - n);
        if (k > 0) {
            n += (size_t)k;
            idle_ms = 0;
            continue;
        }
        if (k == 0)
            break;
        int e = errno;
        if (e == EAGAIN || e == EWOULDBLOCK) {
            struct pollfd p = {.fd = fd, .events = POLLIN};
            const int r = poll(&p, 1, 250);
            if (r == 0 && (idle_ms += 250) >= PIPE_IDLE_S * 1000) {
                free(buf);
                return lm_error_set_at(err, LM_EIO, path, 0, 0, "",
                                       "cannot read: nothing arrived for %d s", PIPE_IDLE_S);
            }
            if (r >= 0)
                continue;
            e = errno;
        }
        free(buf);
        if (e == EINTR) /* Ctrl-C while waiting for a pipe: the caller stops */
            return lm_error_set_at(err, LM_EINTR, path, 0, 0, "", "interrupted while reading");
        return io_error(path, "cannot read", e, err);
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return LM_OK;
}

/* A file larger than the limit is refused from its size, before it is read. */
static lm_status read_all(int fd, const char *path, char **text, size_t *len, lm_error *err)
{
    struct stat sb;
    if (fstat(fd, &sb) != 0)
        return io_error(path, "cannot read", errno, err);
    if (S_ISDIR(sb.st_mode))
        return io_error(path, "cannot read", EISDIR, err);
    if (S_ISREG(sb.st_mode) && (unsigned long long)sb.st_size > TEXT_MAX)
        return lm_error_set_at(err, LM_EINVAL, path, 0, 0, "",
                               "file is %.1f MB, larger than the 16 MB limit for scenarios",
                               (double)sb.st_size / (1 << 20));
    /* One byte more than the size, so that a file that grew since fstat is still noticed. */
    const size_t cap = S_ISREG(sb.st_mode) ? (size_t)sb.st_size + 1 : 65536;
    lm_status st = read_bounded(fd, path, cap, text, len, err);
    if (st == LM_OK && *len > TEXT_MAX) {
        free(*text);
        *text = NULL;
        return lm_error_set_at(err, LM_EINVAL, path, 0, 0, "",
                               "file is larger than the 16 MB limit for scenarios");
    }
    if (st == LM_OK && *len == 0 && S_ISFIFO(sb.st_mode)) {
        free(*text);
        *text = NULL;
        return lm_error_set_at(err, LM_EINVAL, path, 0, 0, "",
                               "a FIFO or pipe with nothing written to it");
    }
    return st;
}

/* Opens and reads path whole; a file the server may not serve is refused in one sentence
 * that does not depend on whether it exists. */
static lm_status open_and_read(const char *path, char **text, size_t *len, lm_error *err)
{
    int errnum = 0;
    const int fd = lm__scenario_open(path, &errnum);
    if (fd < 0 && errnum == LM__NOT_SERVED)
        return lm_error_set_at(err, LM_EIO, path, 0, 0, "",
                               "cannot open: not a scenario file of the served folders");
    if (fd < 0)
        return io_error(path, "cannot open", errnum, err);
    lm_status st = read_all(fd, path, text, len, err);
    close(fd);
    return st;
}

lm_status lm_scenario_load(const char *path, lm_scenario **out, lm_error *err)
{
    return lm__scenario_load_with(path, NULL, out, err);
}

/* experiments issue: lm_scenario_load with counterfactual edits (edits.c). */
lm_status lm__scenario_load_with(const char *path, const lm_scenario_edits *edits,
                                 lm_scenario **out, lm_error *err)
{
    if (!out)
        LM_FAIL(err, LM_EINVAL, "lm_scenario_load: out is NULL");
    *out = NULL;
    if (!path || !path[0])
        return lm_error_set_at(err, LM_EINVAL, "", 0, 0, "", "no scenario path given");
    if (strlen(path) >= sizeof((lm_scenario *)0)->path)
        return lm_error_set_at(err, LM_EINVAL, path, 0, 0, "", "the path is longer than %zu bytes",
                               sizeof((lm_scenario *)0)->path - 1);
    char *text = NULL;
    size_t len = 0;
    lm_status st = open_and_read(path, &text, &len, err);
    if (st != LM_OK)
        return st;
    return load_owned(text, len, path, path, edits, out, err);
}

lm_status lm__read_text(const char *path, char **text, size_t *len, lm_error *err)
{
    *text = NULL;
    *len = 0;
    lm_status st = open_and_read(path, text, len, err);
    if (st == LM_OK)
        st = check_text(*text, *len, path, err);
    return st;
}

void lm_scenario_free(lm_scenario *sc)
{
    if (!sc)
        return;
    params_free(&sc->p);
    free(sc->text);
    free(sc);
}

/* ---- accessors ---- */

const lm_params *lm__scenario_params(const lm_scenario *sc) { return sc ? &sc->p : NULL; }

const char *lm_scenario_name(const lm_scenario *sc) { return sc ? sc->p.name : NULL; }
const char *lm_scenario_path(const lm_scenario *sc) { return sc ? sc->path : NULL; }
const char *lm_scenario_text(const lm_scenario *sc) { return sc ? sc->text : NULL; }
int lm_scenario_region_count(const lm_scenario *sc) { return sc ? sc->p.n_regions : 0; }
int lm_scenario_sector_count(const lm_scenario *sc) { return sc ? sc->p.n_sectors : 0; }
uint64_t lm_scenario_seed(const lm_scenario *sc) { return sc ? sc->p.seed : 0; }

const char *lm_scenario_region_name(const lm_scenario *sc, int region)
{
    if (!sc || region < 0 || region >= sc->p.n_regions)
        return NULL;
    return sc->p.regions[region].name;
}

const char *lm_scenario_sector_id(const lm_scenario *sc, int sector)
{
    if (!sc || sector < 0 || sector >= sc->p.n_sectors)
        return NULL;
    return sc->p.sectors[sector].id;
}

void lm_scenario_period(const lm_scenario *sc, int32_t *start, int32_t *end)
{
    if (start)
        *start = sc ? sc->p.start : 0;
    if (end)
        *end = sc ? sc->p.end : 0;
}

lm_status lm_scenario_set_period(lm_scenario *sc, int32_t start, int32_t end, lm_error *err)
{
    char a[16], b[16], c[16], d[16];
    if (!sc)
        LM_FAIL(err, LM_EINVAL, "lm_scenario_set_period: no scenario");
    if (start > end)
        return lm_error_set_at(err, LM_EINVAL, NULL, 0, 0, "period", "from %s is after to %s",
                               lm_month_format(start, a), lm_month_format(end, b));
    if (start < sc->p.start || end > sc->p.end)
        return lm_error_set_at(err, LM_EINVAL, NULL, 0, 0, "period",
                               "%s..%s is outside the scenario's period %s..%s",
                               lm_month_format(start, a), lm_month_format(end, b),
                               lm_month_format(sc->p.start, c), lm_month_format(sc->p.end, d));
    sc->p.start = start;
    sc->p.end = end;
    lm_error_clear(err);
    return LM_OK;
}
