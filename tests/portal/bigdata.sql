-- A large dataset for the certificate table's query plans (tests/portal/test_plans.py, or by
-- hand: tests/portal/explain_table.py). On an empty, migrated database:
--   psql -h 127.0.0.1 -U postgres -d h_table_big -v ON_ERROR_STOP=1 -f tests/portal/bigdata.sql
-- Builds 1 partner, 400 facilities, 120,000 contractors and :assignments assignments (default
-- 1,000,000; facility 1 "Big General Hospital" has :big of them, default 200,000, spread over
-- 2021-2026), one certificate per assignment (1% void) plus 2% superseded ones, then ANALYZEs.
\if :{?assignments}
\else
\set assignments 1000000
\endif
\if :{?big}
\else
\set big 200000
\endif
BEGIN;
INSERT INTO facilities_partner (id, name, slug, support_email, producer_name, producer_address,
  producer_contact_name, producer_phone, producer_email, created_at)
VALUES (1, 'Shiftwise Staffing', 'shiftwise', '', 'Broker', '', '', '', '', now());

INSERT INTO facilities_facility (id, partner_id, external_id, name, address_line1, address_line2,
  city, region, postal_code, country, bulk_download_enabled, created_at, updated_at)
SELECT i, 1, 'F' || i, CASE WHEN i = 1 THEN 'Big General Hospital' ELSE 'Facility ' || i END,
  '1 Main St', '', 'Columbus', 'OH', '43215', 'US', false, now(), now()
FROM generate_series(1, 400) AS i;

-- Names: 60 first names x syllable-built last names (about 8,000 different last names).
CREATE TEMP TABLE syl(n int, s text);
INSERT INTO syl SELECT row_number() OVER () - 1, s FROM unnest(ARRAY['ka','lo','mi','ren','son',
  'dar','vel','tor','an','be','cor','di','el','fa','gu','har','ib','jo','ke','lan']) AS s;
CREATE TEMP TABLE fnames(n int, f text);
INSERT INTO fnames SELECT row_number() OVER () - 1, f FROM unnest(ARRAY['James','Mary','John',
  'Patricia','Robert','Jennifer','Michael','Linda','William','Elizabeth','David','Barbara',
  'Richard','Susan','Joseph','Jessica','Thomas','Sarah','Charles','Karen','Chris','Nancy',
  'Daniel','Lisa','Matthew','Betty','Anthony','Margaret','Mark','Sandra','Donald','Ashley',
  'Steven','Kimberly','Paul','Emily','Andrew','Donna','Joshua','Michelle','Kenneth','Dorothy',
  'Kevin','Carol','Brian','Amanda','George','Melissa','Edward','Deborah','Ronald','Stephanie',
  'Timothy','Rebecca','Jason','Sharon','Jeffrey','Laura','Ryan','Cynthia']) AS f;

INSERT INTO certificates_contractor (id, partner_id, external_id, first_name, last_name, email,
  address_line1, address_line2, city, region, postal_code, country, search_name, created_at,
  updated_at)
SELECT c.i, 1, 'C' || c.i, f.f, initcap(s1.s || s2.s || s3.s), '', '', '', '', '', '', 'US',
  lower(f.f) || ' ' || s1.s || s2.s || s3.s, now(), now()
FROM generate_series(1, 120000) AS c(i)
JOIN fnames f ON f.n = (c.i * 7) % 60
JOIN syl s1 ON s1.n = (c.i / 3) % 20
JOIN syl s2 ON s2.n = (c.i / 61) % 20
JOIN syl s3 ON s3.n = (c.i / 1201) % 20;

-- Assignments: facility 1 gets :big (contractors 1-20,000); 399 others share the rest.
CREATE TEMP TABLE gen AS
SELECT g.i AS id,
  CASE WHEN g.i <= :big THEN 1 ELSE 2 + (g.i - :big - 1) % 399 END AS facility_id,
  CASE WHEN g.i <= :big THEN 1 + (hashint4(g.i) & 2147483647) % 20000
       ELSE 20001 + (hashint4(g.i) & 2147483647) % 100000 END AS contractor_id,
  date '2021-01-01' + ((hashint4(g.i * 31) & 2147483647) % 2000) AS effective_date,
  (hashint4(g.i * 17) & 2147483647) % 1000 AS r,
  (hashint4(g.i * 13) & 2147483647) % 400 AS r2
FROM generate_series(1, :assignments) AS g(i);

INSERT INTO certificates_assignment (id, partner_id, facility_id, contractor_id, external_id,
  effective_date, end_date, description, status, contractor_name, sort_name, search_name,
  created_at, updated_at, cancelled_at, current_certificate_id)
SELECT g.id, 1, g.facility_id, g.contractor_id, 'A' || g.id, g.effective_date,
  g.effective_date + CASE WHEN g.r < 700 THEN 0 WHEN g.r < 900 THEN 1 + g.r2 % 6
    WHEN g.r < 990 THEN 7 + g.r2 % 54 ELSE 61 + g.r2 % 305 END,
  'Registered nurse, night shift', CASE WHEN g.r2 < 4 THEN 'cancelled' ELSE 'active' END,
  c.first_name || ' ' || c.last_name, lower(c.last_name) || ' ' || lower(c.first_name),
  c.search_name, now(), now(), CASE WHEN g.r2 < 4 THEN now() END, NULL
FROM gen g JOIN certificates_contractor c ON c.id = g.contractor_id;

-- Superseded certificates for 2% of assignments, then the current one (void if cancelled).
INSERT INTO certificates_certificate (id, assignment_id, number, check_code, issued_at, status,
  snapshot, template_version, superseded_at, voided_at, pdf, sha256, size, rendered_at,
  supersedes_id)
SELECT 3 * :assignments + a.id, a.id, 'CH-S' || lpad(to_hex(a.id::int), 8, '0'), 'CHECK', now() - interval '1 day',
  'superseded', '{"insured": {"name": "x"}}'::jsonb, 'coi-v1', now(), NULL, '', '', NULL, NULL, NULL
FROM certificates_assignment a WHERE a.id % 50 = 0;
INSERT INTO certificates_certificate (id, assignment_id, number, check_code, issued_at, status,
  snapshot, template_version, superseded_at, voided_at, pdf, sha256, size, rendered_at,
  supersedes_id)
SELECT a.id, a.id, 'CH-' || lpad(to_hex(a.id::int), 8, '0'), 'CHECK', now(),
  CASE WHEN a.status = 'cancelled' THEN 'void' ELSE 'issued' END,
  jsonb_build_object('insured', jsonb_build_object('name', a.contractor_name),
    'assignment', jsonb_build_object('effective_date', a.effective_date, 'end_date', a.end_date),
    'coverages', jsonb_build_array(jsonb_build_object('kind', 'general_liability',
      'policy_number', 'GL-0001', 'limits', jsonb_build_array(jsonb_build_array('Each occurrence', 1000000))))),
  'coi-v1', NULL, CASE WHEN a.status = 'cancelled' THEN now() END, '', '', NULL, NULL,
  CASE WHEN a.id % 50 = 0 THEN 3 * :assignments + a.id END
FROM certificates_assignment a;
UPDATE certificates_assignment SET current_certificate_id = id;
-- What the hub's assignment writes keep: each facility's "active during" bound.
UPDATE facilities_facility f SET longest_assignment_days = a.days
FROM (SELECT facility_id, max(end_date - effective_date) AS days FROM certificates_assignment
  GROUP BY facility_id) a WHERE a.facility_id = f.id;
SELECT setval(pg_get_serial_sequence('certificates_assignment', 'id'), :assignments);
SELECT setval(pg_get_serial_sequence('certificates_certificate', 'id'), 4 * :assignments);
SELECT setval(pg_get_serial_sequence('certificates_contractor', 'id'), 120000);
SELECT setval(pg_get_serial_sequence('facilities_facility', 'id'), 400);
SELECT setval(pg_get_serial_sequence('facilities_partner', 'id'), 1);
COMMIT;
VACUUM ANALYZE certificates_assignment;
VACUUM ANALYZE certificates_certificate;
VACUUM ANALYZE certificates_contractor;
VACUUM ANALYZE facilities_facility;
