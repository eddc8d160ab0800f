-- hostile.sql - makes a run's database hostile for the browser test: group
-- members get markup and bidi overrides as names, and the tables of the
-- later stages (written here by hand, with an extra column each) carry
-- payloads, so every section of the report has to escape them.
UPDATE accounts SET screen_name = '<img src=x onerror=alert(5)>' || char(8238) || 'evil'
 WHERE account_idx = (SELECT min(account_idx) FROM group_members);
UPDATE accounts SET screen_name = '</script><!--<script>alert(6)</script>'
 WHERE account_idx = (SELECT max(account_idx) FROM group_members);
UPDATE input_files SET path = '<b onmouseover=alert(7)>' || char(8238) || 'vsc.csv' WHERE file_idx = 0;
DROP TABLE IF EXISTS narrative_summary;
CREATE TABLE narrative_summary(narrative_id TEXT, label TEXT, texts INTEGER, accounts INTEGER,
  first_time TEXT, last_time TEXT, note TEXT);
INSERT INTO narrative_summary VALUES
  ('N1', '<script>alert(8)</script> port deal', 2, 2, '2019-03-10T12:00:00Z', '2019-03-10T12:05:00Z', '=1+1'),
  ('N2', char(8238) || 'reversed label', 1, 1, '2019-03-10T12:10:00Z', '2019-03-10T12:10:00Z', NULL);
DROP TABLE IF EXISTS matches;
CREATE TABLE matches(doc_id TEXT, narrative_id TEXT, score REAL, start INTEGER, "end" INTEGER,
  passage TEXT, extra INTEGER);
INSERT INTO matches VALUES
  ('9100000000000000001', 'N1', 0.9, 0, 40, '</script><!-- <script>alert(9)</script>', 1),
  ('9100000000000000002', 'N1', 0.8, 0, 40, 'the port deal <img src=x onerror=alert(10)>', 2),
  ('9100000000000000003', 'N2', 0.7, 0, 40, '=HYPERLINK("http://evil.test")', 3);
DROP TABLE IF EXISTS laundering;
CREATE TABLE laundering(outlet_doc_id TEXT, outlet TEXT, origin_post_id TEXT, origin_account TEXT,
  lag_s REAL, identity REAL, coverage REAL, passage TEXT, extra TEXT);
INSERT INTO laundering VALUES
  ('9100000000000000002', '<iframe src=javascript:alert(11)>', '9100000000000000001', 'hostileA',
   300, 0.8, 0.6, 'the port deal was signed in secret', 'x'),
  ('doc-not-in-posts', 'Outlet' || char(8238) || 'desrever', '9100000000000000003', 'hostileC',
   600, 0.5, 0.4, 'separators <!-- comment -->', NULL);
DROP TABLE IF EXISTS cluster_summary;
CREATE TABLE cluster_summary(cluster_id INTEGER, size INTEGER, accounts INTEGER, first_time TEXT,
  last_time TEXT, earliest_post TEXT, representative_text TEXT);
INSERT INTO cluster_summary VALUES (1, 2, 2, '2019-03-10T12:00:00Z', '2019-03-10T12:05:00Z',
  '9100000000000000001', '<svg onload=alert(12)>' || char(8238) || ' text');
