import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../src/database/data-source';
import { ADMIN, createTestApp, TestApp, testDatabaseUrl } from './support/test-app';

/**
 * Upgrade from release 0.1, which kept one snapshot per year: test/fixtures/release-0.1.sqlite was
 * written by that release (see release-0.1.build.ts), with 2024 and 2025 published and a 2025 record
 * changed afterwards. The app starts on it, runs its migrations, and each old snapshot must be
 * publication 1 of its year with the same figures. On PostgreSQL the same rows are loaded into a
 * database migrated as release 0.1 left it.
 */
const FIXTURE = join(__dirname, 'fixtures/release-0.1.sqlite');
const LAST_OLD_MIGRATION = 'PersonalDataAccessAndErasure1795760300000';

type Row = Record<string, unknown>;

function sqliteAll(path: string, sql: string): Promise<Row[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sqlite3 = require('sqlite3') as typeof import('sqlite3');
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(path, sqlite3.OPEN_READONLY, (e) => e && reject(e));
    db.all(sql, (e, rows) => db.close(() => (e ? reject(e) : resolve(rows as Row[]))));
  });
}

/** PostgreSQL as release 0.1 left it: its migrations, then the fixture's rows, table by table. */
async function loadFixtureIntoPostgres(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;');
  await client.end();
  const oldMigrations = MIGRATIONS.slice(0, MIGRATIONS.findIndex((m) => m.name === LAST_OLD_MIGRATION) + 1);
  const ds = new DataSource({ type: 'postgres', url, entities: [], migrations: oldMigrations });
  await ds.initialize();
  try {
    await ds.runMigrations({ transaction: 'all' });
    const tables = await sqliteAll(FIXTURE, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'migrations'`);
    for (const { name } of tables) {
      for (const row of await sqliteAll(FIXTURE, `SELECT * FROM "${String(name)}"`)) {
        const cols = Object.keys(row);
        await ds.query(`INSERT INTO "${String(name)}" (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`, Object.values(row));
      }
    }
  } finally {
    await ds.destroy();
  }
}

describe("Upgrade from release 0.1: each year's single snapshot becomes publication 1", () => {
  let t: TestApp;
  let auth: { Authorization: string };
  let dir: string;
  let old: Row[];
  let oldEntries: Row[];

  beforeAll(async () => {
    old = await sqliteAll(FIXTURE, 'SELECT * FROM report_snapshot ORDER BY year');
    oldEntries = await sqliteAll(FIXTURE, 'SELECT * FROM report_snapshot_entry');
    expect(old.map((r) => r.year)).toEqual([2024, 2025]);
    const pgUrl = testDatabaseUrl();
    if (pgUrl) {
      await loadFixtureIntoPostgres(pgUrl);
      // createTestApp would reset the PostgreSQL schema: point it at the prepared database instead.
      delete process.env.TEST_DATABASE_URL;
      try {
        t = await createTestApp({ DATABASE_URL: pgUrl });
      } finally {
        process.env.TEST_DATABASE_URL = pgUrl;
      }
    } else {
      dir = mkdtempSync(join(tmpdir(), 'ogi-upgrade-'));
      copyFileSync(FIXTURE, join(dir, 'release-0.1.sqlite'));
      t = await createTestApp({ DATABASE_URL: `sqlite:${join(dir, 'release-0.1.sqlite')}` });
    }
    t.clock.setNow('2026-06-15T02:00:00Z');
    auth = { Authorization: `Bearer ${(await request(t.http).post('/api/v1/auth/token').send(ADMIN).expect(200)).body.token}` };
  });
  afterAll(async () => {
    await t.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('each old snapshot is publication 1 of its year, with identical figures, signer, date and 统计口径', async () => {
    for (const snapshot of old) {
      const year = Number(snapshot.year);
      const list = (await request(t.http).get(`/api/v1/reports/${year}/publications`).set(auth).expect(200)).body;
      expect(list.items).toEqual([{ year, number: 1, publishedAt: snapshot.published_at, publishedBy: snapshot.published_by, publishedById: null, format: snapshot.format, reason: null }]);
      const p = (await request(t.http).get(`/api/v1/reports/${year}/publications/1`).set(auth).expect(200)).body;
      expect(p.section3.rows).toEqual(JSON.parse(String(snapshot.section3)));
      expect(p.section3.format).toBe(snapshot.format);
      const { year: y4, basis: basis4, ...groups } = p.section4;
      expect(y4).toBe(year);
      expect(groups).toEqual(JSON.parse(String(snapshot.section4)));
      expect({ ...p.section3.basis, ...basis4 }).toEqual(JSON.parse(String(snapshot.basis)));
      expect(Object.keys(basis4)).toEqual(['yearBasis', 'coDefendant']);
    }
    const entries = await t.dataSource.query('SELECT year, number, subject_id, subject_kind, col, cells FROM report_publication_entry');
    const key = (e: Row) => [e.year, e.subject_id, e.subject_kind, e.col, e.cells].map(String).join('|');
    expect(entries.map(key).sort()).toEqual(oldEntries.map(key).sort());
    expect(entries.every((e: Row) => Number(e.number) === 1)).toBe(true);
  });

  it('the diff against the migrated publication names the record changed after it; a new publication is number 2 and needs a reason', async () => {
    const changed = oldEntries.find((e) => e.year === 2025 && e.col === 'natural_person' && String(e.cells).includes('carried_to_next_year'))!;
    const diff = (await request(t.http).get('/api/v1/reports/2025/diff?publication=1').set(auth).expect(200)).body;
    expect(diff.number).toBe(1);
    expect(diff.cells).toEqual(expect.arrayContaining([{ section: 3, row: 'granted', column: 'natural_person', published: 1, current: 2 }]));
    expect(diff.records).toEqual([
      {
        id: changed.subject_id,
        kind: 'request',
        label: expect.any(String),
        before: 'natural_person:new_received,carried_to_next_year',
        after: 'natural_person:new_received,granted,concluded_total',
        beforeLabel: '自然人：一、本年新收政府信息公开申请数量；四、结转下年度继续办理',
        afterLabel: '自然人：一、本年新收政府信息公开申请数量；（一）予以公开；（七）总计',
      },
    ]);

    const before = (await request(t.http).get('/api/v1/reports/2025/publications/1').set(auth).expect(200)).body;
    const refused = await request(t.http).post('/api/v1/reports/2025/publish').set(auth).send({ format: '2021' }).expect(400);
    expect(refused.body.error.fields.reason).toMatch(/更正说明/);
    const second = await request(t.http).post('/api/v1/reports/2025/publish').set(auth).send({ format: '2021', reason: '补录 2025 年 12 月 30 日的答复' }).expect(201);
    expect(second.body).toMatchObject({ number: 2, reason: '补录 2025 年 12 月 30 日的答复', publishedBy: '系统管理员' });
    expect((await request(t.http).get('/api/v1/reports/2025/publications/1').set(auth).expect(200)).body).toEqual(before);
    expect((await request(t.http).get('/api/v1/reports/2025/diff').set(auth).expect(200)).body).toMatchObject({ number: 2, cells: [] });
  });
});
