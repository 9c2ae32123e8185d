/* src/server/runs.c -- the runs folder as the server sees it (server_int.h): which results
 * folders it holds, each run's report data, and one region's rows. A run's id is its folder
 * name, checked before it touches the file system (no '/', no leading '.', no control
 * characters), and a folder is only used when it is a real folder directly inside the runs
 * folder (not a symbolic link), so no request reaches a file outside it.
 *
 * Results folders never change once renamed into place (src/io/outdir.c), but they may be
 * replaced (--force) or removed, so the caches are keyed by the database's inode, size and
 * modification time; the report data of a few recent runs is kept, as the dashboard asks for
 * it again and again. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "report/report_int.h"
#include "server/server_int.h"

#define LIST_MAX 1000     /* folders listed at most */
#define REPORT_CACHE 16   /* report texts kept (a whole one or a part of one each) */
#define FILE_MAX (64u << 20) /* largest report.html / headline.svg served */

typedef struct stamp {
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
} stamp;

typedef struct list_entry {
    char id[256];
    stamp st;
    cJSON *info; /* the listing's object for this run */
} list_entry;

typedef struct report_entry {
    char id[256];
    unsigned parts; /* LM_REPORT_PART_*: the whole data or one part of it */
    stamp st;
    char *json;
    unsigned long used; /* for least-recently-used eviction */
} report_entry;

struct lm__runs {
    char dir[4096];
    pthread_mutex_t mu;
    list_entry *list;
    size_t n_list, cap_list;
    report_entry reports[REPORT_CACHE];
    unsigned long tick;
};

bool lm__run_id_valid(const char *id)
{
    if (!id || !*id || id[0] == '.')
        return false;
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)id; *p; ++p, ++n)
        if (*p < 0x20 || *p == 0x7f || *p == '/' || *p == '\\' || n >= 200)
            return false;
    return true;
}

lm_status lm__runs_open(const char *dir, lm__runs **out, lm_error *err)
{
    *out = NULL;
    if (!dir || !*dir)
        dir = "runs";
    lm__runs *r = calloc(1, sizeof *r);
    if (!r)
        LM_FAIL(err, LM_ENOMEM, "runs folder");
    if (snprintf(r->dir, sizeof r->dir, "%s", dir) >= (int)sizeof r->dir - 300) {
        free(r);
        LM_FAIL(err, LM_EINVAL, "--runs-dir: path too long");
    }
    size_t n = strlen(r->dir);
    while (n > 1 && r->dir[n - 1] == '/')
        r->dir[--n] = '\0';
    if (mkdir(r->dir, 0777) != 0 && errno != EEXIST) {
        const int e = errno;
        free(r);
        return lm_error_set_at(err, LM_EIO, dir, 0, 0, "", "cannot create the runs folder %s: %s",
                               dir, strerror(e));
    }
    struct stat sb;
    if (stat(r->dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        free(r);
        return lm_error_set_at(err, LM_EINVAL, dir, 0, 0, "", "%s is not a folder", dir);
    }
    pthread_mutex_init(&r->mu, NULL);
    *out = r;
    return LM_OK;
}

void lm__runs_close(lm__runs *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_list; ++i)
        cJSON_Delete(r->list[i].info);
    free(r->list);
    for (int i = 0; i < REPORT_CACHE; ++i)
        free(r->reports[i].json);
    pthread_mutex_destroy(&r->mu);
    free(r);
}

const char *lm__runs_dir(const lm__runs *r) { return r->dir; }

/* The database of run id, when id names a real results folder; its stamp in *st. */
static lm_status locate(const lm__runs *r, const char *id, char *db, size_t size, stamp *st,
                        lm_error *err)
{
    if (!lm__run_id_valid(id))
        return lm_error_set_at(err, LM_EINVAL, "", 0, 0, "id",
                               "not a run id (a results folder's name: no '/', no leading '.')");
    char folder[4400];
    snprintf(folder, sizeof folder, "%s/%s", r->dir, id);
    struct stat sb;
    if (lstat(folder, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return lm_error_set_at(err, LM_EIO, "", 0, 0, "id", "no run '%s' in the runs folder", id);
    snprintf(db, size, "%s/results.sqlite", folder);
    if (lstat(db, &sb) != 0 || !S_ISREG(sb.st_mode))
        return lm_error_set_at(err, LM_EIO, "", 0, 0, "id", "no run '%s' in the runs folder", id);
    *st = (stamp){.dev = sb.st_dev, .ino = sb.st_ino, .size = sb.st_size, .mtime = sb.st_mtim};
    return LM_OK;
}

static bool same_stamp(const stamp *a, const stamp *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec;
}

/* The listing's object of one run, read from its database. NULL when it is no readable
 * longmen database (it is then left out). */
/* What made the folder, for the list: "compare" (arms baseline and counterfactual), "sweep"
 * (arms "point N"; "sensitivity" with its tables), "replications" (several runs), "run". */
static const char *folder_kind(sqlite3 *db)
{
    sqlite3_stmt *q = NULL;
    const char *kind = "run";
    if (sqlite3_prepare_v2(db,
                           "SELECT count(*), (SELECT count(*) FROM run WHERE arm = "
                           "'counterfactual'), (SELECT count(*) FROM run WHERE arm LIKE "
                           "'point %'), (SELECT count(*) FROM sqlite_master WHERE name LIKE "
                           "'sensitivity%') FROM run",
                           -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        kind = sqlite3_column_int(q, 1) > 0   ? "compare"
               : sqlite3_column_int(q, 3) > 0 ? "sensitivity"
               : sqlite3_column_int(q, 2) > 0 ? "sweep"
               : sqlite3_column_int(q, 0) > 1 ? "replications"
                                              : "run";
    sqlite3_finalize(q);
    return kind;
}

/* An optimise folder has no run table; the list shows its region, seed, replications per
 * mix and period, and its report.html is its own (src/report/optimise_html.c). */
static cJSON *optimise_info(const char *id, const char *db_path, sqlite3 *db)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db, "SELECT key, value FROM optimise_config", -1, &q, NULL) !=
        SQLITE_OK) {
        sqlite3_finalize(q);
        return NULL;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", id);
    cJSON_AddStringToObject(o, "kind", "optimise");
    while (o && sqlite3_step(q) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(q, 0);
        const char *v = (const char *)sqlite3_column_text(q, 1);
        if (!k || !v)
            continue;
        if (strcmp(k, "seed") == 0 || strcmp(k, "runs") == 0)
            cJSON_AddNumberToObject(o, k, atof(v));
        else if (strcmp(k, "region") == 0 || strcmp(k, "objective") == 0)
            cJSON_AddStringToObject(o, k, v);
        else if (strcmp(k, "period") == 0 && strlen(v) == 16) { /* YYYY-MM..YYYY-MM */
            char a[8], b[8];
            snprintf(a, sizeof a, "%.7s", v);
            snprintf(b, sizeof b, "%.7s", v + 9);
            cJSON_AddStringToObject(o, "start_month", a);
            cJSON_AddStringToObject(o, "end_month", b);
        }
    }
    sqlite3_finalize(q);
    /* no started_at in the tables: the database's last change orders it in the list */
    struct stat sb;
    if (o && stat(db_path, &sb) == 0) {
        char when[32];
        struct tm tm;
        gmtime_r(&sb.st_mtime, &tm);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        cJSON_AddStringToObject(o, "started_at", when);
    }
    return o;
}

static cJSON *read_info(const char *id, const char *db_path)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 1000);
    cJSON *o = NULL;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT scenario, seed, start_month, end_month, months, started_at, "
                           "longmen_version, (SELECT count(*) FROM run), "
                           "(SELECT count(*) FROM region WHERE run_id = run.run_id) "
                           "FROM run ORDER BY run_id LIMIT 1",
                           -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW) {
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", id);
        static const char *const keys[] = {"scenario",   "seed",       "start_month",
                                           "end_month",  "months",     "started_at",
                                           "longmen_version", "runs", "regions"};
        for (int i = 0; o && i < 9; ++i) {
            switch (sqlite3_column_type(q, i)) {
            case SQLITE_INTEGER:
                cJSON_AddNumberToObject(o, keys[i], (double)sqlite3_column_int64(q, i));
                break;
            case SQLITE_TEXT:
                cJSON_AddStringToObject(o, keys[i], (const char *)sqlite3_column_text(q, i));
                break;
            default:
                cJSON_AddNullToObject(o, keys[i]);
            }
        }
    }
    sqlite3_finalize(q);
    q = NULL;
    if (o)
        cJSON_AddStringToObject(o, "kind", folder_kind(db));
    else
        o = optimise_info(id, db_path, db);
    /* Firms alive at the end, over all regions: one number for the list. */
    if (o && sqlite3_prepare_v2(db,
                                "SELECT sum(alive) FROM region_year WHERE run_id = "
                                "(SELECT min(run_id) FROM run) AND year = (SELECT max(year) FROM "
                                "region_year)",
                                -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        cJSON_AddNumberToObject(o, "firms_alive", (double)sqlite3_column_int64(q, 0));
    sqlite3_finalize(q);
    sqlite3_close(db);
    return o;
}

static int by_started_desc(const void *a, const void *b)
{
    const cJSON *x = *(cJSON *const *)a, *y = *(cJSON *const *)b;
    const cJSON *sx = cJSON_GetObjectItemCaseSensitive(x, "started_at");
    const cJSON *sy = cJSON_GetObjectItemCaseSensitive(y, "started_at");
    const char *tx = cJSON_IsString(sx) ? sx->valuestring : "";
    const char *ty = cJSON_IsString(sy) ? sy->valuestring : "";
    const int c = strcmp(ty, tx);
    if (c)
        return c;
    return strcmp(cJSON_GetObjectItemCaseSensitive(x, "id")->valuestring,
                  cJSON_GetObjectItemCaseSensitive(y, "id")->valuestring);
}

cJSON *lm__runs_list(lm__runs *r)
{
    DIR *d = opendir(r->dir);
    if (!d)
        return cJSON_CreateArray();
    /* Folder names first, then the infos (read outside the directory walk). */
    char(*names)[256] = malloc(LIST_MAX * sizeof *names);
    size_t n = 0;
    const struct dirent *e;
    while (names && n < LIST_MAX && (e = readdir(d)) != NULL)
        if (lm__run_id_valid(e->d_name) && !strstr(e->d_name, ".tmp-") &&
            !strstr(e->d_name, ".old-") &&
            !strstr(e->d_name, ".partial")) /* experiments issue: an unfinished --runs job */
            snprintf(names[n++], 256, "%s", e->d_name);
    closedir(d);
    cJSON **items = names ? calloc(n + 1, sizeof *items) : NULL;
    size_t m = 0;
    pthread_mutex_lock(&r->mu);
    for (size_t i = 0; items && i < n; ++i) {
        char db[4600];
        stamp st;
        lm_error err;
        if (locate(r, names[i], db, sizeof db, &st, &err) != LM_OK)
            continue;
        list_entry *hit = NULL;
        for (size_t k = 0; k < r->n_list && !hit; ++k)
            if (strcmp(r->list[k].id, names[i]) == 0)
                hit = &r->list[k];
        if (hit && !same_stamp(&hit->st, &st)) {
            cJSON_Delete(hit->info);
            hit->info = NULL;
        }
        if (!hit) {
            if (r->n_list == r->cap_list) {
                const size_t cap = r->cap_list ? 2 * r->cap_list : 64;
                list_entry *grown = realloc(r->list, cap * sizeof *grown);
                if (!grown)
                    continue;
                r->list = grown;
                r->cap_list = cap;
            }
            hit = &r->list[r->n_list++];
            memset(hit, 0, sizeof *hit);
            snprintf(hit->id, sizeof hit->id, "%s", names[i]);
        }
        if (!hit->info) {
            hit->info = read_info(names[i], db);
            hit->st = st;
        }
        if (hit->info)
            items[m++] = cJSON_Duplicate(hit->info, 1);
    }
    /* Forget folders that are gone, so the cache stays as large as the folder. */
    for (size_t k = 0; k < r->n_list;) {
        bool seen = false;
        for (size_t i = 0; i < n && !seen; ++i)
            seen = strcmp(r->list[k].id, names[i]) == 0;
        if (seen) {
            ++k;
            continue;
        }
        cJSON_Delete(r->list[k].info);
        r->list[k] = r->list[--r->n_list];
    }
    pthread_mutex_unlock(&r->mu);
    free(names);
    cJSON *arr = cJSON_CreateArray();
    if (items) {
        size_t kept = 0;
        for (size_t i = 0; i < m; ++i)
            if (items[i])
                items[kept++] = items[i];
        qsort(items, kept, sizeof *items, by_started_desc);
        for (size_t i = 0; i < kept; ++i)
            if (!arr || !cJSON_AddItemToArray(arr, items[i]))
                cJSON_Delete(items[i]);
        free(items);
    }
    return arr;
}

lm_status lm__runs_report_part(lm__runs *r, const char *id, unsigned parts, char **json,
                               lm_error *err)
{
    *json = NULL;
    char db[4600];
    stamp st;
    lm_status s = locate(r, id, db, sizeof db, &st, err);
    if (s != LM_OK)
        return s;
    pthread_mutex_lock(&r->mu);
    for (int i = 0; i < REPORT_CACHE; ++i)
        if (r->reports[i].json && strcmp(r->reports[i].id, id) == 0 &&
            r->reports[i].parts == parts && same_stamp(&r->reports[i].st, &st)) {
            r->reports[i].used = ++r->tick;
            *json = strdup(r->reports[i].json);
            pthread_mutex_unlock(&r->mu);
            if (!*json)
                LM_FAIL(err, LM_ENOMEM, "report data");
            return LM_OK;
        }
    pthread_mutex_unlock(&r->mu);
    /* Built outside the lock: it reads the database, which may take a moment. */
    char *text = NULL;
    if ((s = lm__report_json_parts(db, parts, &text, err)) != LM_OK)
        return s;
    pthread_mutex_lock(&r->mu);
    int slot = 0;
    for (int i = 1; i < REPORT_CACHE; ++i)
        if (r->reports[i].used < r->reports[slot].used)
            slot = i;
    char *copy = strdup(text);
    if (copy) {
        free(r->reports[slot].json);
        snprintf(r->reports[slot].id, sizeof r->reports[slot].id, "%s", id);
        r->reports[slot].parts = parts;
        r->reports[slot].st = st;
        r->reports[slot].json = copy;
        r->reports[slot].used = ++r->tick;
    }
    pthread_mutex_unlock(&r->mu);
    *json = text;
    return LM_OK;
}

lm_status lm__runs_report(lm__runs *r, const char *id, char **json, lm_error *err)
{
    return lm__runs_report_part(r, id, LM_REPORT_PART_ALL, json, err);
}

lm_status lm__runs_region_year(lm__runs *r, const char *id, const char *region, cJSON **out,
                               lm_error *err)
{
    *out = NULL;
    char db_path[4600];
    stamp st;
    lm_status s = locate(r, id, db_path, sizeof db_path, &st, err);
    if (s != LM_OK)
        return s;
    if (!region || !*region)
        return lm_error_set_at(err, LM_EINVAL, "", 0, 0, "region",
                               "give a region by name or index, e.g. ?region=0");
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        sqlite3_close(db);
        LM_FAIL(err, LM_EDB, "run '%s': cannot open its database", id);
    }
    sqlite3_busy_timeout(db, 1000);
    /* The region: by name, English name, or index. */
    sqlite3_stmt *q = NULL;
    int region_id = -1;
    char name[256] = "";
    if (sqlite3_prepare_v2(db,
                           "SELECT region_id, name FROM region WHERE run_id = (SELECT min(run_id) "
                           "FROM run) AND (name = ?1 OR name_en = ?1 OR CAST(region_id AS TEXT) = ?1)",
                           -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, region, -1, SQLITE_STATIC);
        if (sqlite3_step(q) == SQLITE_ROW) {
            region_id = sqlite3_column_int(q, 0);
            snprintf(name, sizeof name, "%s", (const char *)sqlite3_column_text(q, 1));
        }
    }
    sqlite3_finalize(q);
    q = NULL;
    if (region_id < 0) {
        sqlite3_close(db);
        return lm_error_set_at(err, LM_EIO, "", 0, 0, "region", "run '%s' has no region '%s'", id,
                               region);
    }
    cJSON *o = cJSON_CreateObject();
    cJSON *rows = NULL;
    if (o) {
        cJSON_AddStringToObject(o, "id", id);
        cJSON_AddStringToObject(o, "region", name);
        cJSON_AddNumberToObject(o, "region_id", region_id);
        rows = cJSON_AddArrayToObject(o, "rows");
    }
    int rc = SQLITE_ERROR;
    if (rows && sqlite3_prepare_v2(db, "SELECT * FROM region_year WHERE region_id = ?1 "
                                       "ORDER BY run_id, year",
                                   -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_int(q, 1, region_id);
        const int nc = sqlite3_column_count(q);
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            cJSON *row = cJSON_CreateObject();
            if (!row || !cJSON_AddItemToArray(rows, row)) {
                cJSON_Delete(row);
                rc = SQLITE_NOMEM;
                break;
            }
            for (int i = 0; i < nc; ++i) {
                const char *col = sqlite3_column_name(q, i);
                switch (sqlite3_column_type(q, i)) {
                case SQLITE_INTEGER:
                    cJSON_AddNumberToObject(row, col, (double)sqlite3_column_int64(q, i));
                    break;
                case SQLITE_FLOAT:
                    cJSON_AddNumberToObject(row, col, sqlite3_column_double(q, i));
                    break;
                case SQLITE_TEXT:
                    cJSON_AddStringToObject(row, col, (const char *)sqlite3_column_text(q, i));
                    break;
                default:
                    cJSON_AddNullToObject(row, col);
                }
            }
        }
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(o);
        LM_FAIL(err, LM_EDB, "run '%s': cannot read region_year", id);
    }
    *out = o;
    return LM_OK;
}

lm_status lm__runs_file(lm__runs *r, const char *id, const char *name, char **data, size_t *len,
                        lm_error *err)
{
    *data = NULL;
    *len = 0;
    char db[4600];
    stamp st;
    lm_status s = locate(r, id, db, sizeof db, &st, err);
    if (s != LM_OK)
        return s;
    char path[4800];
    snprintf(path, sizeof path, "%s/%s/%s", r->dir, id, name);
    /* O_NOFOLLOW: a link planted in a results folder leads nowhere. */
    const int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size > (off_t)FILE_MAX) {
        if (fd >= 0)
            close(fd);
        return lm_error_set_at(err, LM_EIO, "", 0, 0, "id", "run '%s' has no %s", id, name);
    }
    char *buf = malloc((size_t)sb.st_size + 1);
    size_t got = 0;
    while (buf && got < (size_t)sb.st_size) {
        const ssize_t k = read(fd, buf + got, (size_t)sb.st_size - got);
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    close(fd);
    if (!buf || got != (size_t)sb.st_size) {
        free(buf);
        LM_FAIL(err, LM_EIO, "run '%s': cannot read %s", id, name);
    }
    buf[got] = '\0';
    *data = buf;
    *len = got;
    return LM_OK;
}
