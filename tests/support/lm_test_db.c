/* tests/support/lm_test_db.c -- reading results databases back in tests (lm_test_db.h). */
#include <criterion/criterion.h>
#include <stdio.h>

#include "lm_test_db.h"

char *lm_test_dump_run(sqlite3 *db, const char *sql, int run_id)
{
    sqlite3_stmt *st = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
    sqlite3_bind_int(st, 1, run_id);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (int c = 1; c < sqlite3_column_count(st); ++c) /* column 0 is run_id */
            fprintf(f, "%s|", sqlite3_column_text(st, c) ? (const char *)sqlite3_column_text(st, c)
                                                         : "NULL");
        fputc('\n', f);
    }
    fclose(f);
    sqlite3_finalize(st);
    return text;
}
