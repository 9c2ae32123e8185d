/* src/io/store.h -- the results database (SQLite) and the crash-safe out folder.
 * The store knows rows, not the model: lm_results_write() (results.c) gathers a simulation's
 * observations into an lm_store_input and the store writes them in one transaction.
 * Layout of the tables: docs/output.md. */
#ifndef LM_IO_STORE_H
#define LM_IO_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "longmen/finance.h"
#include "longmen/longmen.h"

typedef lm_status (*lm_store_firm_fn)(const void *ctx, uint32_t firm_id, lm_firm_record *rec);

typedef struct lm_store_input {
    const lm_run_info *info;
    const char *scenario_text;          /* YAML as read, stored with the run */
    int32_t start_month, end_month;     /* simulated period, inclusive */
    int32_t months;                     /* simulated months */
    int n_regions;
    const char *const *region_names;    /* UTF-8 */
    const char *const *region_names_en; /* may hold "" */
    const char *const *region_provinces;
    int n_sectors;
    const char *const *sector_ids;
    const char *const *sector_names;
    const lm_region_year *region_years;
    size_t n_region_years;
    size_t n_firms;                     /* firm ids 0 .. n_firms-1 */
    lm_store_firm_fn firm_at;
    const void *firm_ctx;
    /* talent pools and chain layers (longmen/ecosystem.h) */
    int n_layers;
    const char *const *layer_ids;       /* n_layers ids */
    const lm_region_skill_year *skill_years;
    size_t n_skill_years;
    const lm_region_layer_year *layer_years;
    size_t n_layer_years;
    /* deals, funds, exits, finance rows (longmen/finance.h) */
    const lm_deal_record *deals;
    size_t n_deals;
    const lm_fund_record *funds;
    const char *const *fund_policy_names; /* per fund: its policy's name or kind, or NULL */
    size_t n_funds;
    const lm_exit_record *exits;
    size_t n_exits;
    const lm_finance_year *finance_years;
    size_t n_finance_years;
    const lm_public_year *public_years; /* the public purse per region and year */
    size_t n_public_years;
    /* several runs in one database (lm__store_append) */
    int64_t run_id; /* the rows' run_id; 0 means 1 (a database of one run) */
    bool existing;  /* the tables exist already: add rows only (set by lm__store_append) */
} lm_store_input;

/* The run_id of in's rows. */
static inline int64_t lm__store_run_id(const lm_store_input *in)
{
    return in->run_id > 0 ? in->run_id : 1;
}

/* Creates the database at db_path (must not exist) and writes every table in one
 * transaction. On failure the file is removed. */
lm_status lm__store_write(const char *db_path, const lm_store_input *in, lm_error *err);
/* Adds one run (in->run_id) to the database at db_path, creating the
 * file and its tables when absent, in one durable transaction (rollback journal, synced):
 * a crash or a failure leaves the database as it was, holding complete runs only. Fails
 * with LM_EEXIST when run_id is already there, LM_EDB when the file is no results
 * database of this schema version. */
lm_status lm__store_append(const char *db_path, const lm_store_input *in, lm_error *err);
/* The finance tables (store_finance.c), inside lm__store_write's transaction. */
struct sqlite3;
lm_status lm__store_finance(struct sqlite3 *db, const char *path, const lm_store_input *in,
                            lm_error *err);

/* Crash-safe out folder: results are written into a fresh temporary sibling folder
 * (`<final>.tmp-<pid>`), then renamed into place, so `final` either does not exist or is
 * complete. prepare fails with LM_EEXIST when `final` exists and !force, and with LM_EIO
 * when the parent is not writable. tmp receives the temporary path (size >= 4096). */
lm_status lm__outdir_prepare(const char *final_dir, bool force, char *tmp, size_t tmp_size,
                             lm_error *err);
/* Renames tmp to final_dir (replacing an existing final_dir only when force). */
lm_status lm__outdir_commit(const char *tmp, const char *final_dir, bool force, lm_error *err);
/* Removes the temporary folder and everything in it (after a failure). */
void lm__outdir_abort(const char *tmp);

/* The resumable out folder of the experiment commands (run --runs, compare, sweep,
 * sensitivity, calibrate, optimise): `partial` (DIR.partial, a fixed name so that a later
 * process finds it) is created, or kept for --resume, and locked with flock; *fd receives
 * the lock's descriptor (close it to unlock), *created (may be NULL) whether the folder is
 * new. LM_EEXIST when `final` exists and !force, when `partial` holds an interrupted job and
 * neither resume nor force ("... holds an interrupted <what>"), or when another process
 * holds the lock. --force (without resume) starts over: the database goes first, so a kill
 * while the folder is removed cannot leave a half-written transaction's pages without the
 * journal that would roll them back. */
lm_status lm__outdir_open_partial(const char *final, const char *partial, bool resume,
                                  bool force, const char *what, int *fd, bool *created,
                                  lm_error *err);

#endif
