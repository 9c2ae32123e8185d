/* tests/support/lm_test_db.h -- reading results databases back in tests. */
#ifndef LM_TEST_DB_H
#define LM_TEST_DB_H

#include <sqlite3.h>

/* The rows of sql, with ?1 bound to run_id, as text (malloc'd): every column but the first
 * (the run_id, so runs of different ids compare equal) followed by '|', a row a line. The
 * test fails if sql does not prepare. */
char *lm_test_dump_run(sqlite3 *db, const char *sql, int run_id);

#endif
