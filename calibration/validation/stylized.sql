-- calibration/validation/stylized.sql -- per-replication stylized facts of a results database
-- (docs/validation.md): creates the table stylized_run(run_id, moment columns...). Run by
-- scripts/validate.sh; any results.sqlite of `longmen run --runs R` works.
drop table if exists stylized_run;
create table stylized_run as
with
fm as (select run_id, firm_id, status, headcount,
          cast(substr(founded_month,1,4) as int) * 12 + cast(substr(founded_month,6,2) as int) - 1 as f0,
          case when ended_month is null then null else cast(substr(ended_month,1,4) as int) * 12 + cast(substr(ended_month,6,2) as int) - 1 end as e0
       from firm),
-- survival: not dead t years after founding (exits by IPO or acquisition count as survivors)
surv as (select run_id,
          avg(case when f0 between 2015*12 and 2019*12+11 then (status <> 'dead' or e0 - f0 >= 12) end) s1,
          avg(case when f0 between 2015*12 and 2019*12+11 then (status <> 'dead' or e0 - f0 >= 60) end) s5,
          avg(case when f0 between 2010*12 and 2014*12+11 then (status <> 'dead' or e0 - f0 >= 120) end) s10
        from fm group by run_id),
-- venture-backed start-ups shut down: of the firms whose first round was in 2018, the share
-- dead within 7 years of that round (Carta's class of 2018; an exit is not a shutdown)
fr as (select run_id, firm_id, min(cast(substr(month,1,4) as int) * 12 + cast(substr(month,6,2) as int) - 1) m0
       from deal group by run_id, firm_id),
shut as (select f.run_id, avg(f.status = 'dead' and f.e0 - fr.m0 <= 84) shut7
         from fr join fm f on f.run_id = fr.run_id and f.firm_id = fr.firm_id
         where fr.m0 between 2018*12 and 2018*12+11 group by f.run_id),
-- Zipf: Hill estimator of the tail index of staff among firms alive at the end, top 500
top as (select run_id, headcount h, row_number() over (partition by run_id order by headcount desc) k
        from fm where status = 'alive' and headcount > 0),
xk as (select run_id, h hk from top where k = 500),
zipf as (select t.run_id, 499.0 / sum(ln(t.h * 1.0 / x.hk)) alpha from top t join xk x using (run_id) where t.k < 500 group by t.run_id),
-- venture-backed firms founded 2005-2014 whose story has ended (dead or exited): proceeds to
-- investors / equity raised
vb as (select d.run_id, d.firm_id, sum(d.amount_cny) raised from deal d group by d.run_id, d.firm_id),
res as (select f.run_id, coalesce(e.to_investors_cny, 0) / v.raised mult
        from fm f join vb v on v.run_id = f.run_id and v.firm_id = f.firm_id
        left join exit e on e.run_id = f.run_id and e.firm_id = f.firm_id
        where f.f0 between 2005*12 and 2014*12+11 and f.status in ('dead', 'ipo', 'acquired')),
deals as (select run_id, avg(mult < 1) below1, avg(mult >= 10) above10, count(*) n from res group by run_id),
-- fund multiples: VC funds of vintage 2005-2014
vf as (select run_id, tvpi, row_number() over (partition by run_id order by tvpi) k, count(*) over (partition by run_id) n
       from fund where kind = 'vc' and cast(substr(vintage,1,4) as int) between 2005 and 2014 and tvpi is not null),
funds as (select run_id, max(case when k = cast(0.25 * n as int) + 1 then tvpi end) q1,
                         max(case when k = cast(0.5 * n as int) + 1 then tvpi end) med,
                         max(case when k = cast(0.75 * n as int) + 1 then tvpi end) q3 from vf group by run_id),
-- unicorns: first round at a post-money >= CNY 7bn, years after founding; seed share
uni as (select d.run_id, d.firm_id, min(cast(substr(d.month,1,4) as int) * 12 + cast(substr(d.month,6,2) as int) - 1) m
        from deal d where d.post_money_cny >= 7e9 group by d.run_id, d.firm_id),
tu as (select u.run_id, (u.m - f.f0) / 12.0 yrs, row_number() over (partition by u.run_id order by u.m - f.f0) k, count(*) over (partition by u.run_id) n
       from uni u join fm f on f.run_id = u.run_id and f.firm_id = u.firm_id),
ttu as (select run_id, max(case when k = cast(0.5 * n as int) + 1 then yrs end) median_years, max(n) unicorns from tu group by run_id),
seeded as (select distinct d.run_id, d.firm_id from deal d join fm f on f.run_id = d.run_id and f.firm_id = d.firm_id
           where d.stage = 'seed' and f.f0 between 2005*12 and 2014*12+11),
s2u as (select s.run_id, avg(u.firm_id is not null) share from seeded s left join uni u on u.run_id = s.run_id and u.firm_id = s.firm_id group by s.run_id)
select r.run_id, s1, s5, s10, shut7, alpha, below1, above10, n deals_resolved, q1, med, q3, (q3 - q1) / med iqr_over_median,
       median_years, unicorns, s2u.share seed_to_unicorn
from run r left join surv using (run_id) left join shut using (run_id) left join zipf using (run_id) left join deals using (run_id)
     left join funds using (run_id) left join ttu using (run_id) left join s2u using (run_id) order by r.run_id;
