import { INestApplication, LoggerService } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Test } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { AuthService } from '../../src/auth/auth.service';
import { Role } from '../../src/auth/roles';
import { Clock } from '../../src/common/clock';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { configureApp } from '../../src/configure-app';
import { SEARCH_MERGE_TIMER } from '../../src/requests/search-index.service';
import { TALLY_FOLD_TIMER } from '../../src/requests/tally-folder.service';
import { DIGEST_JOB } from '../../src/notifications/daily-digest.service';
import { copyMigratedTemplate } from './sqlite-template';

/** Where every test app's clock starts unless the spec sets another instant: Monday 15 June 2026, 10:00 in Shanghai. */
export const TEST_START = '2026-06-15T02:00:00Z';

/**
 * A clock the test can move: starts at `TEST_START` (never the real date, so no spec depends on the day
 * it runs), then runs on with real time and jumps on `setNow`/`advance`.
 */
export class TestClock extends Clock {
  private offsetMs = new Date(TEST_START).getTime() - Date.now();

  setNow(iso: string): void {
    this.offsetMs = new Date(iso).getTime() - Date.now();
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  override now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

/** The account created from OGI_ADMIN_USERNAME: `administrator` alone (accounts, settings; no clerical work). */
export const ADMIN = { username: 'admin', password: 'admin-password-1' };
/** A clerk holding every clerical role, created on first use (see `t.token()` and `t.clerk()`). */
export const CLERK = { username: 'clerk', password: 'Desk-work-2026' };
export const CLERK_NAME = '办事员';
export const CLERICAL_ROLES: Role[] = ['registrar', 'handler', 'approver', 'report_officer'];

export interface TestApp {
  app: NestExpressApplication;
  http: ReturnType<INestApplication['getHttpServer']>;
  config: AppConfig;
  clock: TestClock;
  dataSource: DataSource;
  dir: string;
  /** An API token of the clerk (registers, processes, approves, reports). */
  token(): Promise<string>;
  /** An API token of the administrator (accounts, calendar, settings, retention). */
  adminToken(): Promise<string>;
  /** Creates the clerk if needed; its credentials, for signing in through the pages. */
  clerk(): Promise<typeof CLERK>;
  count(table: string): Promise<number>;
  close(): Promise<void>;
}

/** postgres://… in TEST_DATABASE_URL runs the suite on PostgreSQL (npm run test:pg). */
export function testDatabaseUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL || undefined;
}

async function resetPostgres(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;');
  await client.end();
}

/**
 * The app's scheduled jobs that write, left out of test apps unless `writeTimers`. Tests write
 * "behind the app's back" through t.dataSource (seeds, drifted rows), outside the UnitOfWork queue
 * every write of the app takes: such a write made while a timer's transaction (the search index's
 * merge every 2 s, the tallies' fold every 30 s) is open on the one SQLite connection joins it, and
 * stays unseen by the read connection until that commits. The digest runs at 08:30 in Shanghai by
 * the real clock, whatever the test clock says. The specs that need a merge, a fold or a digest run
 * it themselves; a spec that writes only through the app keeps them all.
 */
export const WRITING_JOBS = [
  ['interval', SEARCH_MERGE_TIMER],
  ['interval', TALLY_FOLD_TIMER],
  ['cron', DIGEST_JOB],
] as const;

/** The production AppModule and configureApp on a fresh database, with the real migrations. */
export async function createTestApp(env: Record<string, string> = {}, opts: { logger?: LoggerService; writeTimers?: boolean } = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'ogi-e2e-'));
  const pgUrl = testDatabaseUrl();
  if (pgUrl) await resetPostgres(pgUrl);
  // The app's own empty database: a copy of this run's migrated template when there is one.
  else if (env.DATABASE_URL === undefined && env.OGI_DATA_DIR === undefined) await copyMigratedTemplate(join(dir, 'test.sqlite'));
  const config = loadConfig({
    OGI_DATA_DIR: dir,
    DATABASE_URL: pgUrl ?? `sqlite:${join(dir, 'test.sqlite')}`,
    OGI_ADMIN_USERNAME: ADMIN.username,
    OGI_ADMIN_PASSWORD: ADMIN.password,
    MAIL_POLL_MS: '3600000',
    RATE_LIMIT_PUBLIC: '100000',
    RATE_LIMIT_LOOKUP_PER_NUMBER: '100000',
    RATE_LIMIT_LOGIN: '100000',
    ...env,
  });
  const clock = new TestClock();
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.register(config)] })
    .overrideProvider(Clock)
    .useValue(clock)
    .compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: opts.logger ?? ['error', 'warn'] });
  configureApp(app, config);
  await app.init();
  const timers = app.get(SchedulerRegistry);
  for (const [kind, name] of opts.writeTimers ? [] : WRITING_JOBS) {
    if (!timers.doesExist(kind, name)) continue;
    if (kind === 'cron') timers.deleteCronJob(name);
    else timers.deleteInterval(name);
  }
  const http = app.getHttpServer();
  const dataSource = app.get<DataSource>(getDataSourceToken());
  let cachedToken: string | null = null;
  let cachedAdminToken: string | null = null;
  let clerkReady: Promise<typeof CLERK> | null = null;
  const clerk = () =>
    (clerkReady ??= app
      .get(AuthService)
      .createUser(CLERK.username, CLERK_NAME, CLERK.password, CLERICAL_ROLES)
      .then(() => CLERK));
  return {
    app,
    http,
    config,
    clock,
    dataSource,
    dir,
    async token() {
      if (cachedToken) return cachedToken;
      const res = await request(http)
        .post('/api/v1/auth/token')
        .send(await clerk())
        .expect(200);
      cachedToken = res.body.token as string;
      return cachedToken;
    },
    async adminToken() {
      if (cachedAdminToken) return cachedAdminToken;
      const res = await request(http).post('/api/v1/auth/token').send(ADMIN).expect(200);
      cachedAdminToken = res.body.token as string;
      return cachedAdminToken;
    },
    clerk,
    async count(table: string) {
      const rows = await dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`);
      return Number(rows[0].n);
    },
    async close() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const TABLES = ['applicant', 'information_request', 'request_item', 'request_event', 'mail_outbox', 'idempotency_record'];

export async function rowCounts(t: TestApp): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of TABLES) out[table] = await t.count(table);
  return out;
}

/** Fetches a page, returning the CSRF token of its forms and a cookie-keeping agent. */
export async function openForm(agent: ReturnType<typeof request.agent>, path: string): Promise<{ csrf: string; html: string; submissionToken: string | null }> {
  const res = await agent.get(path).expect(200);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(res.text)?.[1];
  if (!csrf) throw new Error(`no CSRF token on ${path}`);
  const submissionToken = /name="submissionToken" value="([^"]+)"/.exec(res.text)?.[1] ?? null;
  return { csrf, html: res.text, submissionToken };
}

export function validResidentId(): string {
  return '11010519491231002X';
}
