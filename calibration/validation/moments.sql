-- calibration/validation/moments.sql -- per-replication essay moments of a results database
-- (docs/validation.md): creates the table moments_run(run_id, moment columns...). Run by
-- scripts/validate.sh; any results.sqlite of `longmen run --runs R` works.
drop table if exists moments_run;
create table moments_run as
with
reg as (select run_id, region, name_en from (select run_id, name as region, name_en from region)),
dr as (select d.run_id, r.name_en, d.business_model, d.founder_origin <> d.region as nonlocal
       from dragon d join reg r on r.run_id = d.run_id and r.region = d.region
       where d.founded_year between 2015 and 2024 and d.dragon_year <= 2025),
runs as (select run_id from run),
hz as (select run_id, count(*) n, sum(nonlocal) nl, sum(business_model = 'to_c') toc from dr where name_en = 'Hangzhou' group by run_id),
nj as (select run_id, sum(business_model = 'to_c') toc from dr where name_en = 'Nanjing' group by run_id),
hf as (select y.run_id,
         sum(case when year = 2024 then tech_sme end) sme24, sum(case when year = 2019 then tech_sme end) sme19,
         sum(case when year = 2024 then high_tech end) ht24, sum(case when year = 2021 then high_tech end) ht21,
         sum(case when year = 2023 then tech_sme end) sme23, sum(case when year = 2023 then high_tech end) ht23,
         sum(case when year = 2024 then little_giant end) lg24, sum(case when year = 2021 then little_giant end) lg21,
         sum(case when year = 2025 then little_giant end) lg25
       from region_year y join region r on r.run_id = y.run_id and r.region_id = y.region_id
       where r.name_en = 'Hefei' group by y.run_id),
hzlg as (select y.run_id, little_giant lg21 from region_year y join region r on r.run_id = y.run_id and r.region_id = y.region_id where r.name_en = 'Hangzhou' and year = 2021),
gf as (select f.run_id, sum(gov_committed_cny + social_committed_cny) / 1e9 approved, sum(social_committed_cny) / 1e9 social, sum(guidance_invested_cny) / 1e9 invested
       from finance_year f join region r on r.run_id = f.run_id and r.region_id = f.region_id
       where r.name_en = 'Hangzhou' and year between 2015 and 2024 group by f.run_id)
select runs.run_id, coalesce(hz.n, 0) hz_dragons, hz.nl * 1.0 / hz.n hz_nonlocal_share, coalesce(hz.nl, 0) hz_nonlocal,
       coalesce(hz.toc, 0) hz_toc, coalesce(nj.toc, 0) nj_toc, (coalesce(nj.toc, 0) < coalesce(hz.toc, 0)) nj_fewer,
       hf.sme24, hf.ht24, hf.lg24, hf.sme24 * 1.0 / hf.sme19 sme_x5, hf.ht24 * 1.0 / hf.ht21 ht_x3, hf.lg24 * 1.0 / hf.lg21 lg_x3,
       hf.sme23, hf.ht23, hf.lg25, hzlg.lg21 hz_lg21, gf.approved, gf.social, gf.invested
from runs left join hz using (run_id) left join nj using (run_id) left join hf using (run_id)
     left join hzlg using (run_id) left join gf using (run_id) order by run_id;
