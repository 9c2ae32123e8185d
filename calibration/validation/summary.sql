-- calibration/validation/summary.sql -- over the rows of the table long(moment, value), one
-- row per replication and moment (NULL values skipped): n, mean, median, the 5th and 95th
-- percentiles over replications, and the 90% t-interval of the mean (t = 1.66, the 0.95
-- quantile of Student's t for about 100 replications; scripts/validate.sh warns below 100).
-- Output: CSV with a header.
.mode csv
.headers on
with v as (select moment, value, row_number() over (partition by moment order by value) k,
                  count(*) over (partition by moment) n
           from long where value is not null),
s as (select moment, max(n) n, avg(value) mean,
             sqrt(max(0, (avg(value * value) - avg(value) * avg(value)) * max(n) / max(1, max(n) - 1))) sd,
             max(case when k = cast(0.05 * (n - 1) + 0.5 as int) + 1 then value end) p05,
             max(case when k = cast(0.50 * (n - 1) + 0.5 as int) + 1 then value end) median,
             max(case when k = cast(0.95 * (n - 1) + 0.5 as int) + 1 then value end) p95
      from v group by moment)
select moment, n, mean, median, p05, p95, mean - 1.66 * sd / sqrt(n) ci90_lo, mean + 1.66 * sd / sqrt(n) ci90_hi
from s order by moment;
