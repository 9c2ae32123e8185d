/* include/longmen/columns.h -- how a record type of the results database is declared: once,
 * as a column list, so that the C struct, the table, its checked insert, reading rows back,
 * CSV, the reduction over a period and the check of docs/output.md all come from the same
 * list (src/io/rows.c) and cannot disagree. longmen/results.h and longmen/ecosystem.h
 * declare their per-year records this way.
 *
 * A column list is a macro of two arguments, LM_<ROW>_COLUMNS(X, V):
 *   X(ctype, field, kind, role, doc)                  one field, one column (REGION: two)
 *   V(ctype, field, prefix, WORDS, kind, role, doc)   an array field, one column per word of
 *                                                     WORDS, named prefix_word
 * kind: INTEGER or REAL (the SQL type of the column); REGION (a region index, stored as the
 *   columns `region`, the region's name, and `region_id`); TEXT (a const char *); SKILL (a
 *   skill index, stored as its word, LM_SKILL_WORDS); LAYER (a chain-layer index, stored as
 *   the scenario's layer id); STAGE, INVESTOR, STATUS (an index stored as its word of
 *   LM_STAGE_WORDS, LM_INVESTOR_KIND_WORDS, LM_STATUS_WORDS); MONTH (a month index,
 *   year*12 + month-1, stored as 'YYYY-MM', -1 as NULL).
 *   A REGION field `x` other than `region` is stored as `x` and `x_id`.
 * role: KEY (part of the primary key, after run_id; NOT NULL), ID (an integer of the
 *   primary key, not declared NOT NULL: alone, the row's id, SQLite's rowid; several, the
 *   key of a job's table, as calibration_moment's was first created), ATTR (a NOT NULL property of the key), UNIQUE (an
 *   ATTR; a table's UNIQUE columns together are unique within its run), FLAG (a NOT NULL
 *   0/1 ATTR, DEFAULT 1), VALUE (a value that is neither a flow nor a stock of a period, may
 *   be NULL), SPAN (the months the row covers; NOT NULL; summed over a period), FLOW (summed
 *   over a period), STOCK (the value at the period's last month), SHARE (a ratio of flows:
 *   averaged over a period, weighted by the months of each row).
 * doc: one line, the column's meaning (docs/output.md says more).
 *
 * Words are lists too, W(index, word, a) in code order, `a` passed through for the caller;
 * they are part of the database layout (changing one is a schema change). */
#ifndef LONGMEN_COLUMNS_H
#define LONGMEN_COLUMNS_H

/* Where founders come from (lm_source). */
#define LM_SOURCE_WORDS(W, a)                                                                   \
    W(0, platform, a) W(1, spinout, a) W(2, serial, a) W(3, returnee, a) W(4, other, a)
/* The talent pools' skills. */
#define LM_SKILL_WORDS(W, a)                                                                    \
    W(0, software, a) W(1, hardware, a) W(2, science, a) W(3, manufacturing, a) W(4, design, a)
/* Business models (lm_model). */
#define LM_MODEL_WORDS(W, a) W(0, to_c, a) W(1, to_b, a) W(2, to_g, a)
/* Firm status (lm_firm_status). */
#define LM_STATUS_WORDS(W, a) W(0, alive, a) W(1, dead, a) W(2, ipo, a) W(3, acquired, a)
/* Stages of a financing round (lm_stage). */
#define LM_STAGE_WORDS(W, x) W(0, seed, x) W(1, a, x) W(2, b, x) W(3, c, x) W(4, growth, x)
/* Investor kinds (lm_investor_kind). */
#define LM_INVESTOR_KIND_WORDS(W, a)                                                            \
    W(0, gov_st, a) W(1, gov_innovation, a) W(2, vc, a) W(3, strategic, a) W(4, angel, a)
/* Bits of lm_tier, in order. */
#define LM_TIER_WORDS(W, a)                                                                     \
    W(0, tech_sme, a) W(1, high_tech, a) W(2, little_giant, a) W(3, unicorn, a) W(4, dragon, a)

/* Helpers to expand a word list: as strings (`{LM_SOURCE_WORDS(LM_WORD_STRING, ~)}`) and as
 * a count (`LM_SOURCE_WORDS(LM_WORD_COUNT, ~)` is `+1 +1 ...`). */
#define LM_WORD_STRING(i, word, a) #word,
#define LM_WORD_COUNT(i, word, a) +1

/* The struct of a column list: `typedef struct x { LM_ROW_STRUCT(LM_X_COLUMNS) } x;`. */
#define LM_ROW_FIELD_(ctype, field, kind, role, doc) ctype field;
#define LM_ROW_ARRAY_(ctype, field, prefix, words, kind, role, doc)                             \
    ctype field[words(LM_WORD_COUNT, ~)];
#define LM_ROW_STRUCT(columns) columns(LM_ROW_FIELD_, LM_ROW_ARRAY_)
/* The same as one declaration: `LM_ROW_TYPEDEF(x, LM_X_COLUMNS);`. */
#define LM_ROW_TYPEDEF(type, columns)                                                           \
    typedef struct type {                                                                       \
        LM_ROW_STRUCT(columns)                                                                  \
    } type

#endif
