-- bench_100k.sql - a synthetic run database for timing report.html at
-- 100 000 grouped accounts (bench/README.md, "Report"): 2000 groups of 50,
-- 300 000 posts, two signals of intra-group pairs, two co-actions a pair.
-- sqlite3 /tmp/big100k/chorus.db < tests/browser/bench_100k.sql
CREATE TABLE accounts(account_idx INTEGER PRIMARY KEY, account_id TEXT, screen_name TEXT, created_at TEXT, n_posts INTEGER);
CREATE TABLE posts(post_idx INTEGER PRIMARY KEY, post_id TEXT, account_idx INTEGER, time_ms INTEGER, text TEXT, client TEXT);
CREATE TABLE group_members(account_idx INTEGER PRIMARY KEY, group_id INTEGER, score REAL, edges INTEGER, strength INTEGER);
CREATE TABLE edges(signal TEXT, account_a INTEGER, account_b INTEGER, objects INTEGER, coactions INTEGER, first_time_ms INTEGER, last_time_ms INTEGER);
CREATE TABLE evidence(signal TEXT, account_a INTEGER, account_b INTEGER, object TEXT, time_a_ms INTEGER, time_b_ms INTEGER);
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM n WHERE i < 99999)
INSERT INTO accounts SELECT i, 'acct' || i, 'user_' || i, '2018-0' || (1 + i % 9) || '-01', 3 FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM n WHERE i < 299999)
INSERT INTO posts SELECT i, 'p' || i, i % 100000, 1551398400000 + i * 8640, 'text', 'client' || (i % 7) FROM n;
INSERT INTO group_members SELECT account_idx, account_idx / 50, 1.0 + (account_idx % 13), 2, 4 FROM accounts;
INSERT INTO edges SELECT 'retweet', account_idx, account_idx + 1, 2, 3, 1551398400000, 1551398500000 FROM accounts WHERE account_idx % 50 != 49;
INSERT INTO edges SELECT 'link', account_idx, account_idx + 7, 1, 1, 1551398400000, 1551398500000 FROM accounts WHERE account_idx % 50 < 43;
INSERT INTO evidence SELECT signal, account_a, account_b, 'obj' || account_a, first_time_ms, first_time_ms + 5000 FROM edges;
INSERT INTO evidence SELECT signal, account_a, account_b, 'objb' || account_a, first_time_ms + 100, first_time_ms + 9000 FROM edges;
