/* src/io/store_rows.h -- the rows of the run's tables whose model record is not its row one to
 * one (longmen/finance.h): each table's column list (longmen/columns.h) declares its row
 * type, and the store fills a row from the model's record in one small function. The model
 * keeps the records it computes with (a matrix of deals by kind and stage, fields in the
 * order it fills them); the layout of the database is declared here. */
#ifndef LM_IO_STORE_ROWS_H
#define LM_IO_STORE_ROWS_H

#include <stdint.h>

#include "longmen/columns.h"

/* The run: one row per run of the file, its own key. */
#define LM_RUN_COLUMNS(X, V)                                                                    \
    X(int64_t, run_id, INTEGER, ID, "1 in a single-run file")                                   \
    X(const char *, scenario, TEXT, VALUE, "scenario name")                                     \
    X(const char *, scenario_path, TEXT, VALUE, "scenario file as given")                       \
    X(int64_t, seed, INTEGER, ATTR, "the run's random seed")                                    \
    X(int64_t, run, INTEGER, ATTR, "replication index")                                         \
    X(int64_t, threads, INTEGER, ATTR, "OpenMP threads used")                                   \
    X(const char *, started_at, TEXT, VALUE, "start time, ISO 8601 UTC")                        \
    X(const char *, longmen_version, TEXT, ATTR, "version of longmen that wrote the file")      \
    X(int64_t, schema_version, INTEGER, ATTR, "layout version")                                 \
    X(int64_t, months, INTEGER, ATTR, "simulated months")                                       \
    X(int32_t, start_month, MONTH, VALUE, "first simulated month")                              \
    X(int32_t, end_month, MONTH, VALUE, "last simulated month")                                 \
    X(const char *, scenario_yaml, TEXT, VALUE, "the scenario file's text as read")             \
    X(const char *, arm, TEXT, VALUE, "arm of a comparison or sweep, NULL otherwise")           \
    X(int32_t, detail, INTEGER, FLAG, "1: every firm and deal; 0: a brief run")
LM_ROW_TYPEDEF(lm_run_row, LM_RUN_COLUMNS);

/* The scenario's regions and sectors, by index; an optional name the scenario leaves "" is
 * NULL. */
#define LM_REGION_COLUMNS(X, V)                                                                 \
    X(int64_t, region_id, INTEGER, KEY, "0-based index in the scenario's region list")          \
    X(const char *, name, TEXT, ATTR, "the region's name, UTF-8")                               \
    X(const char *, name_en, TEXT, VALUE, "English name")                                       \
    X(const char *, province, TEXT, VALUE, "province, UTF-8")
LM_ROW_TYPEDEF(lm_region_row, LM_REGION_COLUMNS);
#define LM_SECTOR_COLUMNS(X, V)                                                                 \
    X(int64_t, sector_id, INTEGER, KEY, "0-based index in the scenario's sector list")          \
    X(const char *, id, TEXT, UNIQUE, "the sector's ASCII id")                                  \
    X(const char *, name, TEXT, VALUE, "display name, UTF-8")
LM_ROW_TYPEDEF(lm_sector_row, LM_SECTOR_COLUMNS);

/* One firm (lm_firm_record): codes as the words the store gives them (its sector's id, the
 * founder's origin region or 'outside', tiers as 'tech_sme,high_tech'). */
#define LM_FIRM_COLUMNS(X, V)                                                                   \
    X(int64_t, firm_id, INTEGER, KEY, "in order of birth")                                      \
    X(int32_t, region, REGION, ATTR, "the firm's region")                                       \
    X(const char *, sector, TEXT, ATTR, "sector id")                                            \
    X(const char *, business_model, TEXT, ATTR, "'to_c', 'to_b' or 'to_g'")                     \
    X(int32_t, founded_month, MONTH, ATTR, "month of founding")                                 \
    X(const char *, founder_origin, TEXT, ATTR, "the founder's region, or 'outside'")            \
    X(const char *, founder_source, TEXT, ATTR, "where the founder came from")                  \
    X(double, founder_quality, REAL, VALUE, "the founder's quality")                            \
    X(const char *, status, TEXT, ATTR, "'alive', 'dead', 'ipo' or 'acquired'")                 \
    X(int32_t, launched_month, MONTH, VALUE, "first product launch")                            \
    X(int32_t, ended_month, MONTH, VALUE, "death or exit")                                      \
    X(int32_t, headcount, INTEGER, VALUE, "employees at the end")                               \
    X(int32_t, peak_headcount, INTEGER, VALUE, "most employees ever")                           \
    X(int32_t, breakthroughs, INTEGER, VALUE, "technical breakthroughs")                        \
    X(double, theta, REAL, VALUE, "latent potential now")                                       \
    X(double, quality, REAL, VALUE, "product quality")                                          \
    X(double, cash_cny, REAL, VALUE, "cash at the end")                                         \
    X(double, revenue_cny_month, REAL, VALUE, "revenue of the last month")                      \
    X(double, peak_revenue_cny_month, REAL, VALUE, "best monthly revenue")                      \
    X(double, cum_rd_cny, REAL, VALUE, "cumulative R&D spending")                               \
    X(double, visibility, REAL, VALUE, "visibility to investors")                               \
    X(const char *, tiers, TEXT, VALUE, "tiers held at the end, NULL for none")                 \
    X(int32_t, dragon_month, MONTH, VALUE, "first certified a little dragon")                   \
    X(int32_t, platform, INTEGER, VALUE, "1 if the firm became a platform")
LM_ROW_TYPEDEF(lm_firm_row, LM_FIRM_COLUMNS);

/* A firm that became a little dragon, with its firm's words (region's name only). */
#define LM_DRAGON_COLUMNS(X, V)                                                                 \
    X(int64_t, firm_id, INTEGER, KEY, "as firm.firm_id")                                        \
    X(const char *, region, TEXT, ATTR, "the firm's region")                                    \
    X(const char *, sector, TEXT, ATTR, "sector id")                                            \
    X(const char *, business_model, TEXT, ATTR, "business model")                               \
    X(int32_t, founded_year, INTEGER, ATTR, "year of founding")                                 \
    X(const char *, founder_origin, TEXT, ATTR, "the founder's region, or 'outside'")           \
    X(int32_t, dragon_year, INTEGER, ATTR, "year first certified")
LM_ROW_TYPEDEF(lm_dragon_row, LM_DRAGON_COLUMNS);

/* The deal ledger: lm_deal_record and its index. The fields after deal_id are the record's,
 * by the same names. */
#define LM_DEAL_RECORD_COLUMNS_(X)                                                              \
    X(int32_t, month, MONTH, ATTR, "month of the round")                                        \
    X(int64_t, firm_id, INTEGER, ATTR, "as firm.firm_id")                                       \
    X(int64_t, investor_id, INTEGER, ATTR, "as fund.fund_id")                                   \
    X(int32_t, investor_kind, INVESTOR, ATTR, "kind of the investor")                           \
    X(int32_t, stage, STAGE, ATTR, "stage of the round")                                        \
    X(double, amount_cny, REAL, VALUE, "paid by this investor into the firm")                   \
    X(double, pre_money_cny, REAL, VALUE, "of the whole round")                                 \
    X(double, post_money_cny, REAL, VALUE, "of the whole round")                                \
    X(double, equity, REAL, VALUE, "share of the firm this investor bought")                    \
    X(int32_t, region, REGION, ATTR, "the firm's region")                                       \
    X(int32_t, investor_region, REGION, ATTR, "the investor's home region")                     \
    X(int32_t, lead, INTEGER, VALUE, "1 for the investor that set the price")                   \
    X(int32_t, local, INTEGER, VALUE, "1 when the deal counts toward the investor's 返投")       \
    X(double, expected_loss, REAL, VALUE, "the investor's estimate of losing the money")        \
    X(double, expected_multiple, REAL, VALUE, "its expected multiple at the round's price")
#define LM_DEAL_COLUMNS(X, V)                                                                   \
    X(int64_t, deal_id, INTEGER, KEY, "0-based, in booking order")                              \
    LM_DEAL_RECORD_COLUMNS_(X)
LM_ROW_TYPEDEF(lm_deal_row, LM_DEAL_COLUMNS);

/* The books of an investor: lm_fund_record with its policy's name, NULL for none (policy,
 * policy_index) and its stage mask as words ('seed,a,b'). */
#define LM_FUND_COLUMNS(X, V)                                                                   \
    X(int64_t, fund_id, INTEGER, KEY, "0-based in order of creation")                           \
    X(int32_t, kind, INVESTOR, ATTR, "investor kind")                                           \
    X(int32_t, region, REGION, ATTR, "home region")                                             \
    X(const char *, policy, TEXT, VALUE, "name (or kind) of the policy that raised it")         \
    X(int64_t, policy_index, INTEGER, VALUE, "index of that policy in its region's list")       \
    X(int32_t, direct, INTEGER, VALUE, "1 for a direct-injection vehicle")                      \
    X(int32_t, vintage, MONTH, ATTR, "month of creation")                                       \
    X(int32_t, invest_end, MONTH, VALUE, "last month of the investment period")                 \
    X(int32_t, life_end, MONTH, VALUE, "last month of the life")                                \
    X(const char *, stages, TEXT, VALUE, "stages it invests in")                                \
    X(double, size_cny, REAL, VALUE, "committed capital")                                       \
    X(double, gov_share, REAL, VALUE, "realised government share of the commitments")           \
    X(double, committed_gov_cny, REAL, VALUE, "commitments of government LPs")                  \
    X(double, committed_private_cny, REAL, VALUE, "of private LPs")                             \
    X(double, committed_strategic_cny, REAL, VALUE, "of strategic LPs")                         \
    X(double, committed_national_cny, REAL, VALUE, "of national funds")                         \
    X(double, paid_in, REAL, VALUE, "capital called for investments and fees")                  \
    X(double, invested_cny, REAL, VALUE, "paid into firms")                                     \
    X(double, fees_cny, REAL, VALUE, "management fees")                                         \
    X(double, proceeds_cny, REAL, VALUE, "received from exits")                                 \
    X(double, distributed, REAL, VALUE, "paid to LPs, net of carry")                            \
    X(double, carry_cny, REAL, VALUE, "carried interest kept by the managers")                  \
    X(double, nav, REAL, VALUE, "open holdings at their firms' last post-money")                \
    X(double, tvpi, REAL, VALUE, "(distributed + nav) / paid_in")                               \
    X(double, dpi, REAL, VALUE, "distributed / paid_in")                                        \
    X(double, irr, REAL, VALUE, "per year; NULL when undefined")                                \
    X(double, loss_ratio, REAL, VALUE, "realised loss / invested")                              \
    X(double, loss_tolerance, REAL, VALUE, "L (1: no constraint)")                              \
    X(double, expected_loss_ratio, REAL, VALUE, "(realised + expected loss) / invested")        \
    X(double, reinvest_required_cny, REAL, VALUE, "返投 requirement")                           \
    X(double, local_invested_cny, REAL, VALUE, "invested in local firms")                       \
    X(double, reinvest_shortfall_cny, REAL, VALUE, "requirement not (yet) met")                 \
    X(int32_t, deals, INTEGER, VALUE, "stakes bought")                                          \
    X(int32_t, frozen_months, INTEGER, VALUE, "months its managers were frozen")                \
    X(double, signal_noise, REAL, VALUE, "its due-diligence noise")                             \
    X(double, hurdle, REAL, VALUE, "least expected multiple")
LM_ROW_TYPEDEF(lm_fund_row, LM_FUND_COLUMNS);

/* One exit: lm_exit_record in the table's order; buyer_id -1 is NULL. */
#define LM_EXIT_COLUMNS(X, V)                                                                   \
    X(int64_t, firm_id, INTEGER, KEY, "the firm that exited")                                   \
    X(int32_t, month, MONTH, ATTR, "month of the exit")                                         \
    X(int32_t, kind, STATUS, ATTR, "'ipo' or 'acquired'")                                       \
    X(double, valuation_cny, REAL, VALUE, "exit value, paid out pro rata")                      \
    X(int32_t, region, REGION, ATTR, "the firm's region")                                       \
    X(int64_t, buyer_id, INTEGER, VALUE, "acquiring strategic investor, NULL if none")          \
    X(double, to_founders_cny, REAL, VALUE, "the founders' part of the payout")                 \
    X(double, to_employees_cny, REAL, VALUE, "the employees' part")                             \
    X(double, to_investors_cny, REAL, VALUE, "the investors' part")                             \
    X(double, raised_cny, REAL, VALUE, "what the firm had raised in rounds")
LM_ROW_TYPEDEF(lm_exit_row, LM_EXIT_COLUMNS);

/* Money of a region and year: lm_finance_year with its deals matrix summed. The columns
 * before and after deals are the record's fields by the same names. */
#define LM_FINANCE_YEAR_HEAD_(X)                                                                \
    X(int32_t, region, REGION, KEY, "the region")                                               \
    X(int32_t, year, INTEGER, KEY, "calendar year")                                             \
    X(int32_t, months, INTEGER, SPAN, "simulated months of this year")                          \
    X(int64_t, rounds, INTEGER, FLOW, "rounds closed by the region's firms")                    \
    X(int64_t, rounds_failed, INTEGER, FLOW, "firm-months that sought money and closed none")   \
    X(double, raised_cny, REAL, FLOW, "raised by the region's firms")
#define LM_FINANCE_YEAR_TAIL_(X)                                                                \
    X(int64_t, funds_raised, INTEGER, FLOW, "funds of the region's investors that closed")      \
    X(double, gov_committed_cny, REAL, FLOW, "government commitments to guidance sub-funds")    \
    X(double, social_committed_cny, REAL, FLOW, "other LPs' commitments to them")               \
    X(double, gov_invested_cny, REAL, FLOW, "government share of their investments, direct")    \
    X(double, guidance_invested_cny, REAL, FLOW, "all the guidance sub-funds invested")         \
    X(double, direct_cny, REAL, FLOW, "direct injections")                                      \
    X(double, leverage, REAL, STOCK, "cumulative social / government commitments")              \
    X(double, guidance_loss_ratio, REAL, STOCK, "realised losses / invested, sub-funds")        \
    X(double, guidance_loss_tolerance, REAL, STOCK, "their commitment-weighted L")              \
    X(int64_t, frozen_funds, INTEGER, STOCK, "sub-funds whose managers are frozen")             \
    X(int64_t, guidance_offers, INTEGER, FLOW, "offers of guidance sub-funds weighed")          \
    X(int64_t, guidance_loss_bound, INTEGER, FLOW, "of which cut by the loss tolerance")        \
    X(double, guidance_deal_flow_cny, REAL, STOCK, "eligible rounds a year the policies saw")   \
    X(double, gov_uncommitted_cny, REAL, STOCK, "fund policies' budget left uncommitted")       \
    X(int64_t, ipos, INTEGER, FLOW, "IPOs of the region's firms")                               \
    X(int64_t, acquisitions, INTEGER, FLOW, "acquisitions of the region's firms")               \
    X(double, exit_value_cny, REAL, FLOW, "their value")                                        \
    X(double, exit_wealth_cny, REAL, FLOW, "exit proceeds that became private capital")         \
    X(double, private_capital_cny, REAL, STOCK, "the region's private capital")                 \
    X(double, dry_powder_cny, REAL, STOCK, "what the region's investors could invest next")
#define LM_FINANCE_YEAR_COLUMNS(X, V)                                                           \
    LM_FINANCE_YEAR_HEAD_(X)                                                                    \
    X(int64_t, deals, INTEGER, FLOW, "stakes bought in the region's firms")                     \
    LM_FINANCE_YEAR_TAIL_(X)
LM_ROW_TYPEDEF(lm_finance_year_row, LM_FINANCE_YEAR_COLUMNS);

/* Investment by investor kind and stage: one cell of lm_finance_year's matrices. */
#define LM_INVESTMENT_YEAR_COLUMNS(X, V)                                                        \
    X(int32_t, region, REGION, KEY, "the firm's region")                                        \
    X(int32_t, year, INTEGER, KEY, "calendar year")                                             \
    X(int32_t, investor_kind, INVESTOR, KEY, "kind of the investor")                            \
    X(int32_t, stage, STAGE, KEY, "stage of the round")                                         \
    X(int64_t, deals, INTEGER, FLOW, "stakes bought")                                           \
    X(double, amount_cny, REAL, FLOW, "invested")
LM_ROW_TYPEDEF(lm_investment_year_row, LM_INVESTMENT_YEAR_COLUMNS);

#endif
