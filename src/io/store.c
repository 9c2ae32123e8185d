/* src/io/store.c -- writes a run's observations into a new SQLite database (MODEL.md 6).
 * The database is the product of a run: analysts open it with sqlite3, pandas or R, so tables
 * hold readable values (region names, 'YYYY-MM' months, status words) next to the integer
 * keys, and the layout is versioned (PRAGMA user_version = LM_SCHEMA_VERSION). Column by column
 * reference: docs/output.md. The store knows rows, not the model: results.c gathers them.
 *
 * Speed and safety: everything goes in one transaction through prepared statements reused
 * for every row, so 10^6 firms take seconds. The file lives in a private temporary folder
 * that outdir.c renames into place at the end; that rename, not SQLite's journal, is the
 * commit point. So the journal stays in memory (a failed write can still roll back, but no
 * journal file is written) and SQLite does not sync; the file is fsync'ed once when closed.
 *
 * Seeds are uint64 but SQLite integers are int64; a seed of 2^63 or more would read back as a
 * negative number, so such seeds are rejected (LM_EINVAL) rather than stored as bit patterns. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "io/rows.h"
#include "io/store.h"
#include "io/store_rows.h"

/* The rows' run_id: 1 for a database of one run; lm__store_append adds
 * runs 1..R of replications and arms. Every function that binds it has `in` in scope. */
#define RUN_ID lm__store_run_id(in)

/* Words stored for the integer codes of lm_firm_record: part of the database layout, declared
 * with the columns (longmen/columns.h). */
static const char *const model_names[] = {LM_MODEL_WORDS(LM_WORD_STRING, ~)};
static const char *const source_names[] = {LM_SOURCE_WORDS(LM_WORD_STRING, ~)};
static const char *const status_names[] = {LM_STATUS_WORDS(LM_WORD_STRING, ~)};
static const char *const tier_names[] = {LM_TIER_WORDS(LM_WORD_STRING, ~)}; /* bits, in order */
#define COUNT_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* The open database and where errors go. */
typedef struct store {
    sqlite3 *db;
    const char *path;
    lm_error *err;
} store;

static lm_status db_fail(const store *s, const char *what)
{
    return lm_error_set_at(s->err, LM_EDB, s->path, 0, 0, NULL, "%s: %s: %s", s->path, what,
                           sqlite3_errmsg(s->db));
}

static lm_status exec(const store *s, const char *sql, const char *what)
{
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(s, what);
    return LM_OK;
}

static lm_status bad_input(const store *s, const char *what, uint64_t id, const char *field,
                           long long value)
{
    return lm_error_set_at(s->err, LM_EINVAL, s->path, 0, 0, NULL,
                           "%s: %s %" PRIu64 ": %s %lld out of range", s->path, what, id,
                           field, value);
}

static bool month_ok(int32_t m) { return m >= -1 && m / 12 <= 9999; }

/* Optional names: the scenario leaves them "" when absent; NULL reads better in SQL. */
static const char *opt_text(const char *s) { return s && s[0] ? s : NULL; }

static lm_status write_run(const store *s, const lm_store_input *in)
{
    const lm_run_info *info = in->info;
    if (!month_ok(in->start_month))
        return bad_input(s, "run", RUN_ID, "start_month", in->start_month);
    if (!month_ok(in->end_month))
        return bad_input(s, "run", RUN_ID, "end_month", in->end_month);
    const lm_run_row r = {.run_id = RUN_ID, .scenario = info->scenario,
                          .scenario_path = info->scenario_path,
                          .seed = (int64_t)info->seed, /* < 2^63, checked in validate() */
                          .run = info->run, .threads = info->threads,
                          .started_at = info->started_at, .longmen_version = LM_VERSION,
                          .schema_version = LM_SCHEMA_VERSION, .months = in->months,
                          .start_month = in->start_month, .end_month = in->end_month,
                          .scenario_yaml = in->scenario_text,
                          .arm = opt_text(info->arm), /* NULL outside a comparison */
                          .detail = info->brief ? 0 : 1};
    return lm__rows_insert(s->db, s->path, &lm__rows_run, RUN_ID, NULL, &r, 1, s->err);
}

static const char *opt_name(const char *const *names, int i)
{
    return names ? opt_text(names[i]) : NULL;
}

/* The region and sector tables (rows.c): the scenario's names by index. */
static lm_status write_indices(const store *s, const lm_store_input *in)
{
    lm_region_row *regions = calloc(in->n_regions ? (size_t)in->n_regions : 1, sizeof *regions);
    lm_sector_row *sectors = calloc(in->n_sectors ? (size_t)in->n_sectors : 1, sizeof *sectors);
    lm_status rc = LM_OK;
    if (!regions || !sectors)
        rc = lm_error_set_at(s->err, LM_ENOMEM, s->path, 0, 0, NULL,
                             "%s: no memory for region rows", s->path);
    for (int r = 0; rc == LM_OK && r < in->n_regions; ++r)
        regions[r] = (lm_region_row){r, in->region_names[r], opt_name(in->region_names_en, r),
                                     opt_name(in->region_provinces, r)};
    for (int k = 0; rc == LM_OK && k < in->n_sectors; ++k)
        sectors[k] = (lm_sector_row){k, in->sector_ids[k], opt_name(in->sector_names, k)};
    if (rc == LM_OK)
        rc = lm__rows_insert(s->db, s->path, &lm__rows_region, RUN_ID, NULL, regions,
                             (size_t)in->n_regions, s->err);
    if (rc == LM_OK)
        rc = lm__rows_insert(s->db, s->path, &lm__rows_sector, RUN_ID, NULL, sectors,
                             (size_t)in->n_sectors, s->err);
    free(regions);
    free(sectors);
    return rc;
}

/* The declared per-year tables (rows.c), each through one checked insert. */
static lm_status write_years(const store *s, const lm_store_input *in)
{
    const lm_row_names names = {in->region_names, in->n_regions, in->layer_ids, in->n_layers};
    lm_status rc = lm__rows_insert(s->db, s->path, &lm__rows_region_year, RUN_ID, &names,
                                   in->region_years, in->n_region_years, s->err);
    if (rc == LM_OK)
        rc = lm__rows_insert(s->db, s->path, &lm__rows_region_skill_year, RUN_ID, &names,
                             in->skill_years, in->n_skill_years, s->err);
    if (rc == LM_OK)
        rc = lm__rows_insert(s->db, s->path, &lm__rows_region_layer_year, RUN_ID, &names,
                             in->layer_years, in->n_layer_years, s->err);
    return rc;
}

/* Checks the codes of one firm record, so a bad index becomes an error naming the firm
 * rather than an out-of-bounds read. */
static lm_status check_firm(const store *s, const lm_store_input *in, const lm_firm_record *f,
                            uint32_t id)
{
    if (f->region < 0 || f->region >= in->n_regions)
        return bad_input(s, "firm", id, "region", f->region);
    if (f->origin < -1 || f->origin >= in->n_regions)
        return bad_input(s, "firm", id, "origin", f->origin);
    if (f->sector < 0 || f->sector >= in->n_sectors)
        return bad_input(s, "firm", id, "sector", f->sector);
    if (f->business_model < 0 || f->business_model >= COUNT_OF(model_names))
        return bad_input(s, "firm", id, "business_model", f->business_model);
    if (f->founder_source < 0 || f->founder_source >= COUNT_OF(source_names))
        return bad_input(s, "firm", id, "founder_source", f->founder_source);
    if (f->status < 0 || f->status >= COUNT_OF(status_names))
        return bad_input(s, "firm", id, "status", f->status);
    return LM_OK;
}

/* The firm's row and, for a little dragon, its dragon row (*is_dragon); the firm's codes
 * checked first, so that an error names the firm. tiers must outlive the rows. */
static lm_status firm_rows(const store *s, const lm_store_input *in, const lm_firm_record *f,
                           uint32_t id, lm_firm_row *r, lm_dragon_row *d, bool *is_dragon,
                           char tiers[64])
{
    lm_status rc = check_firm(s, in, f, id);
    if (rc != LM_OK)
        return rc;
    if (f->founded_month < 0 || !month_ok(f->founded_month))
        return bad_input(s, "firm", id, "founded_month", f->founded_month);
    if (!month_ok(f->launched_month))
        return bad_input(s, "firm", id, "launched_month", f->launched_month);
    if (!month_ok(f->ended_month))
        return bad_input(s, "firm", id, "ended_month", f->ended_month);
    if (!month_ok(f->dragon_month))
        return bad_input(s, "firm", id, "dragon_month", f->dragon_month);
    tiers[0] = '\0';
    for (int t = 0; t < COUNT_OF(tier_names); ++t)
        if (f->tier & (1 << t))
            snprintf(tiers + strlen(tiers), 64 - strlen(tiers), "%s%s", tiers[0] ? "," : "",
                     tier_names[t]);
    const char *origin = f->origin < 0 ? "outside" : in->region_names[f->origin];
    *r = (lm_firm_row){
        .firm_id = id, .region = f->region, .sector = in->sector_ids[f->sector],
        .business_model = model_names[f->business_model], .founded_month = f->founded_month,
        .founder_origin = origin, .founder_source = source_names[f->founder_source],
        .founder_quality = f->founder_quality, .status = status_names[f->status],
        .launched_month = f->launched_month, .ended_month = f->ended_month,
        .headcount = f->headcount, .peak_headcount = f->peak_headcount,
        .breakthroughs = f->breakthroughs, .theta = f->theta, .quality = f->quality,
        .cash_cny = f->cash_cny, .revenue_cny_month = f->revenue_cny_month,
        .peak_revenue_cny_month = f->peak_revenue_cny_month, .cum_rd_cny = f->cum_rd_cny,
        .visibility = f->visibility, .tiers = tiers[0] ? tiers : NULL,
        .dragon_month = f->dragon_month, .platform = f->platform};
    *is_dragon = f->dragon_month >= 0;
    *d = (lm_dragon_row){id,
                         in->region_names[f->region],
                         r->sector,
                         r->business_model,
                         f->founded_month / 12,
                         origin,
                         f->dragon_month / 12};
    return LM_OK;
}

/* The firms a brief run keeps (lm_run_info.brief): those the dragon and exit tables name,
 * and the unicorns and platforms, so every firm_id of the run's other tables has its row. */
static bool notable(const lm_firm_record *f)
{
    return f->dragon_month >= 0 || (f->tier & (LM_TIER_UNICORN | LM_TIER_DRAGON)) != 0 ||
           f->status == LM_FIRM_IPO || f->status == LM_FIRM_ACQUIRED || f->platform != 0;
}

/* Firms are written in batches: the rows of 10^6 firms need not be in memory at once. */
enum { FIRM_BATCH = 4096 };

typedef struct firm_batch {
    lm_firm_row firms[FIRM_BATCH];
    lm_dragon_row dragons[FIRM_BATCH];
    char tiers[FIRM_BATCH][64];
    size_t n_firms, n_dragons;
} firm_batch;

static lm_status flush_firms(const store *s, const lm_store_input *in, firm_batch *b)
{
    const lm_row_names names = {in->region_names, in->n_regions, NULL, 0};
    lm_status rc = lm__rows_insert(s->db, s->path, &lm__rows_firm, RUN_ID, &names, b->firms,
                                   b->n_firms, s->err);
    if (rc == LM_OK)
        rc = lm__rows_insert(s->db, s->path, &lm__rows_dragon, RUN_ID, &names, b->dragons,
                             b->n_dragons, s->err);
    b->n_firms = b->n_dragons = 0;
    return rc;
}

static lm_status write_firms(const store *s, const lm_store_input *in)
{
    if (in->n_firms > UINT32_MAX)
        return lm_error_set_at(s->err, LM_EINVAL, s->path, 0, 0, NULL,
                               "%s: %zu firms exceed the 32-bit firm id", s->path, in->n_firms);
    firm_batch *b = calloc(1, sizeof *b);
    if (!b)
        return lm_error_set_at(s->err, LM_ENOMEM, s->path, 0, 0, NULL,
                               "%s: no memory for firm rows", s->path);
    lm_status rc = LM_OK;
    for (size_t i = 0; rc == LM_OK && i < in->n_firms; ++i) {
        const uint32_t id = (uint32_t)i;
        lm_firm_record f;
        memset(&f, 0, sizeof f);
        const lm_status got = in->firm_at(in->firm_ctx, id, &f);
        if (got != LM_OK) {
            /* The callback has no lm_error of its own; say which firm and what kind. */
            rc = lm_error_set_at(s->err, got, s->path, 0, 0, NULL,
                                 "%s: reading firm %" PRIu32 " failed: %s", s->path, id,
                                 lm_status_name(got));
            break;
        }
        if (in->info->brief && !notable(&f))
            continue;
        bool is_dragon = false;
        rc = firm_rows(s, in, &f, id, &b->firms[b->n_firms], &b->dragons[b->n_dragons],
                       &is_dragon, b->tiers[b->n_firms]);
        b->n_firms += rc == LM_OK;
        b->n_dragons += rc == LM_OK && is_dragon;
        if (rc == LM_OK && b->n_firms == FIRM_BATCH)
            rc = flush_firms(s, in, b);
    }
    if (rc == LM_OK)
        rc = flush_firms(s, in, b);
    free(b);
    return rc;
}

/* Everything that can be checked before a file is created, so that bad input leaves no
 * file behind and needs no cleanup. */
static lm_status validate(const char *db_path, const lm_store_input *in, lm_error *err)
{
    if (!db_path || !db_path[0])
        LM_FAIL(err, LM_EINVAL, "results database path is empty");
    if (!in || !in->info)
        return lm_error_set_at(err, LM_EINVAL, db_path, 0, 0, NULL, "%s: no run to write",
                               db_path);
    if (in->info->seed > (uint64_t)INT64_MAX)
        return lm_error_set_at(err, LM_EINVAL, db_path, 0, 0, NULL,
                               "%s: seed %" PRIu64 " cannot be stored: seeds must be below 2^63",
                               db_path, in->info->seed);
    if (in->n_regions < 0 || (in->n_regions > 0 && !in->region_names) || in->n_sectors < 0 ||
        (in->n_sectors > 0 && !in->sector_ids) || (in->n_region_years > 0 && !in->region_years) ||
        (in->n_firms > 0 && !in->firm_at))
        return lm_error_set_at(err, LM_EINVAL, db_path, 0, 0, NULL,
                               "%s: incomplete results input (internal error)", db_path);
    for (int r = 0; r < in->n_regions; ++r)
        if (!in->region_names[r])
            return lm_error_set_at(err, LM_EINVAL, db_path, 0, 0, NULL,
                                   "%s: region %d has no name", db_path, r);
    for (int k = 0; k < in->n_sectors; ++k)
        if (!in->sector_ids[k])
            return lm_error_set_at(err, LM_EINVAL, db_path, 0, 0, NULL,
                                   "%s: sector %d has no id", db_path, k);
    for (size_t i = 0; i < in->n_region_years; ++i) {
        const int32_t r = in->region_years[i].region;
        if (r < 0 || r >= in->n_regions)
            return lm_error_set_at(err, LM_EINVAL, db_path, 0, 0, NULL,
                                   "%s: region_year %zu: region %" PRId32 " out of range",
                                   db_path, i, r);
    }
    return LM_OK;
}

/* Creates the file exclusively (O_EXCL), so an existing database, or a symlink planted at
 * the path, is never opened and overwritten; SQLite treats the empty file as a new database. */
static lm_status create_file(const char *path, lm_error *err)
{
    const int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        const int e = errno;
        if (e == EEXIST)
            return lm_error_set_at(err, LM_EEXIST, path, 0, 0, NULL,
                                   "results database %s already exists", path);
        return lm_error_set_at(err, LM_EIO, path, 0, 0, NULL,
                               "cannot create results database %s: %s", path, strerror(e));
    }
    close(fd);
    return LM_OK;
}

/* SQLite was told not to sync; this is the one sync, after close, so the bytes are on disk
 * before the out folder is renamed into place. */
static lm_status sync_file(const char *path, lm_error *err)
{
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        const int e = errno;
        if (fd >= 0)
            close(fd);
        return lm_error_set_at(err, LM_EIO, path, 0, 0, NULL, "cannot sync %s: %s", path,
                               strerror(e));
    }
    close(fd);
    return LM_OK;
}

/* Creates the tables of a run: the hand-written ones and the declared ones (rows.c). */
static lm_status create_tables(const store *s)
{
    const lm_row_table *const declared[] = {
        &lm__rows_schema,      &lm__rows_run,              &lm__rows_region,
        &lm__rows_sector,      &lm__rows_firm,             &lm__rows_dragon,
        &lm__rows_region_year, &lm__rows_region_skill_year, &lm__rows_region_layer_year};
    lm_status rc = LM_OK;
    for (size_t k = 0; rc == LM_OK && k < sizeof declared / sizeof declared[0]; ++k)
        rc = lm__rows_create(s->db, s->path, declared[k], false, s->err);
    return rc == LM_OK ? lm__rows_version(s->db, s->path, &lm__rows_schema, s->err) : rc;
}

static lm_status create_indices(const store *s)
{
    const lm_status rc = lm__rows_index(s->db, s->path, &lm__rows_firm, s->err);
    return rc == LM_OK ? lm__rows_index(s->db, s->path, &lm__rows_dragon, s->err) : rc;
}

static lm_status write_all(const store *s, const lm_store_input *in)
{
    /* Journal in memory: no file to clean up, yet an error mid-way still rolls back. No
     * syncs: the folder rename is the commit point (header comment). */
    lm_status rc = exec(s,
                        "PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF;"
                        " PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;",
                        "setting up the database");
    if (rc == LM_OK)
        rc = exec(s, "BEGIN IMMEDIATE", "starting the transaction");
    if (rc != LM_OK)
        return rc;
    if ((rc = create_tables(s)) == LM_OK &&
        (rc = write_run(s, in)) == LM_OK && (rc = write_indices(s, in)) == LM_OK &&
        (rc = write_years(s, in)) == LM_OK &&
        (rc = write_firms(s, in)) == LM_OK &&
        (rc = lm__store_finance(s->db, s->path, in, s->err)) == LM_OK &&
        (rc = create_indices(s)) == LM_OK)
        rc = exec(s, "COMMIT", "committing");
    return rc;
}

lm_status lm__store_write(const char *db_path, const lm_store_input *in, lm_error *err)
{
    lm_status rc = validate(db_path, in, err);
    if (rc != LM_OK)
        return rc;
    if ((rc = create_file(db_path, err)) != LM_OK)
        return rc; /* not ours: never unlink a file we did not create */

    store s = {NULL, db_path, err};
    /* sqlite3_open_v2 may hand back a handle even when it fails; it must be closed. */
    /* NOMUTEX: the connection never leaves this function, so SQLite's locks are pure cost. */
    if (sqlite3_open_v2(db_path, &s.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK)
        rc = s.db ? db_fail(&s, "opening")
                  : lm_error_set_at(err, LM_ENOMEM, db_path, 0, 0, NULL,
                                    "%s: no memory to open the database", db_path);
    else
        rc = write_all(&s, in);

    /* Every statement is finalized by now, so close cannot be busy; an open transaction
     * left by a failure is rolled back by it. */
    if (sqlite3_close(s.db) != SQLITE_OK && rc == LM_OK)
        rc = db_fail(&s, "closing");
    if (rc == LM_OK)
        rc = sync_file(db_path, err);
    if (rc != LM_OK)
        unlink(db_path);
    return rc;
}

/* ---- several runs in one database (store.h, lm__store_append) ----
 * A job of R replications (or two arms) adds its runs one at a time as they finish, each in
 * its own transaction. Unlike lm__store_write, this database is the thing a crash must not
 * spoil, since --resume reads it: the rollback journal is a file and SQLite syncs, so a kill
 * at any moment leaves the runs committed before it and nothing of the run being written.
 * The first run creates the tables (and indices) in the same transaction as its rows. */

static lm_status append_all(const store *s, const lm_store_input *given)
{
    lm_store_input copy = *given;
    const lm_store_input *in = &copy;
    lm_status rc = exec(s, "PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL;"
                           " PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;",
                        "setting up the database");
    if (rc == LM_OK)
        rc = exec(s, "BEGIN IMMEDIATE", "starting the transaction");
    if (rc != LM_OK)
        return rc;
    bool ok;
    const int64_t version = lm__rows_scalar(s->db, "PRAGMA user_version", 0, &ok);
    if (!ok)
        return db_fail(s, "reading the schema version");
    if (version == 0) {
        if (lm__rows_scalar(s->db, "SELECT count(*) FROM sqlite_master", 0, &ok) != 0 || !ok)
            return lm_error_set_at(s->err, LM_EDB, s->path, 0, 0, NULL,
                                   "%s: not a longmen results database", s->path);
        if ((rc = create_tables(s)) != LM_OK || (rc = create_indices(s)) != LM_OK)
            return rc;
        copy.existing = false; /* store_finance creates its tables and indices too */
    } else if (version != LM_SCHEMA_VERSION) {
        return lm_error_set_at(s->err, LM_EDB, s->path, 0, 0, NULL,
                               "%s: results database of schema version %lld, this longmen "
                               "writes version %d",
                               s->path, (long long)version, LM_SCHEMA_VERSION);
    } else {
        copy.existing = true;
        if (lm__rows_scalar(s->db, "SELECT count(*) FROM run WHERE run_id = ?", RUN_ID, &ok) !=
                0 ||
            !ok)
            return lm_error_set_at(s->err, LM_EEXIST, s->path, 0, 0, NULL,
                                   "%s: run %lld is already in the database", s->path,
                                   (long long)RUN_ID);
    }
    if ((rc = write_run(s, in)) == LM_OK && (rc = write_indices(s, in)) == LM_OK &&
        (rc = write_years(s, in)) == LM_OK &&
        (rc = write_firms(s, in)) == LM_OK &&
        (rc = lm__store_finance(s->db, s->path, in, s->err)) == LM_OK)
        rc = exec(s, "COMMIT", "committing");
    return rc;
}

lm_status lm__store_append(const char *db_path, const lm_store_input *in, lm_error *err)
{
    lm_status rc = validate(db_path, in, err);
    if (rc != LM_OK)
        return rc;
    store s = {NULL, db_path, err};
    if (sqlite3_open_v2(db_path, &s.db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK)
        rc = s.db ? db_fail(&s, "opening")
                  : lm_error_set_at(err, LM_ENOMEM, db_path, 0, 0, NULL,
                                    "%s: no memory to open the database", db_path);
    else
        rc = append_all(&s, in);
    if (rc != LM_OK && s.db && !sqlite3_get_autocommit(s.db))
        (void)sqlite3_exec(s.db, "ROLLBACK", NULL, NULL, NULL);
    if (sqlite3_close(s.db) != SQLITE_OK && rc == LM_OK)
        rc = db_fail(&s, "closing");
    return rc;
}
