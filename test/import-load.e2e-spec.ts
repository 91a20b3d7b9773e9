import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import request from 'supertest';
import { AuthService } from '../src/auth/auth.service';
import { generateLedger } from '../scripts/ledger-fixture';
import { ROLE_PASSWORD } from './support/roles';
import { createTestApp, openForm, TestApp } from './support/test-app';

/**
 * Rows imported: 10,000 keeps this test near a minute on a busy 2-core machine; IMPORT_LOAD_ROWS=100000
 * for the full figure (`npm run bench:import` measures 100,000 with the app in its own process).
 */
const ROWS = Number(process.env.IMPORT_LOAD_ROWS ?? 10_000);
const LIMIT_MS = 100;
/** Above this, the machine itself (other processes competing for 2 cores) already pauses us. */
const QUIET_MS = LIMIT_MS / 2;

describe(`Ledger import under load: ${ROWS} rows while other users keep working (finding 2)`, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ IMPORT_MAX_BYTES: String(64 * 1024 * 1024) });
    t.clock.setNow('2026-06-15T02:00:00Z');
    // One listening server for every request (supertest would otherwise open one per request).
    await t.app.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await t.close();
  });

  it(`no request of another user and no turn of the event loop waits ${LIMIT_MS} ms or more`, async () => {
    await t.app.get(AuthService).createUser('u_loader', '补录员', ROLE_PASSWORD, ['registrar', 'handler', 'approver']);
    const agent = request.agent(t.http);
    const login = await openForm(agent, '/staff/login');
    await agent.post('/staff/login').type('form').send({ _csrf: login.csrf, username: 'u_loader', password: ROLE_PASSWORD }).expect(303);
    const { csrf } = await openForm(agent, '/staff/import');
    const ledger = generateLedger(ROWS);
    // Warm up the paths the other users take, so that first-call compilation is not counted.
    for (let i = 0; i < 20; i++) {
      await request(t.http).get('/status').expect(200);
      await request(t.http).get(`/api/v1/public/requests/2099-${String(i).padStart(6, '0')}`).set('X-Access-Code', 'ABCDEFGH').expect(404);
    }

    const delay = monitorEventLoopDelay({ resolution: 10 });
    let importing = true;
    const latencies: number[] = [];
    const others = (async () => {
      // A citizen's page and a database read (a look-up), one after another without pause.
      for (let i = 0; importing; i++) {
        const start = performance.now();
        if (i % 2) await request(t.http).get('/status').expect(200);
        else await request(t.http).get(`/api/v1/public/requests/2099-${String(i).padStart(6, '0')}`).set('X-Access-Code', 'ABCDEFGH').expect(404);
        latencies.push(performance.now() - start);
      }
    })();

    // Baseline: the same requests without an import, to tell the machine's own pauses from the import's.
    delay.enable();
    await new Promise((r) => setTimeout(r, 3000));
    delay.disable();
    const baseline = Math.max(...latencies, delay.max / 1e6);
    latencies.length = 0;
    delay.reset();

    delay.enable();
    const started = performance.now();
    const upload = await agent.post('/staff/import').set('X-CSRF-Token', csrf).attach('ledger', ledger, 'ledger.csv');
    // Too large to be answered at once: the progress page, which refreshes itself until done.
    expect(upload.status).toBe(303);
    let page = await agent.get(upload.headers.location).expect(200);
    expect(page.headers.refresh).toBe('2');
    expect(page.text).toMatch(/<progress id="import-progress"/);
    let sawWriting = false;
    while (page.headers.refresh) {
      await new Promise((r) => setTimeout(r, 250));
      page = await agent.get(upload.headers.location).expect(200);
      sawWriting ||= /第二步：写入中，已写入 \d+ \/ \d+ 行/.test(page.text);
    }
    const seconds = (performance.now() - started) / 1000;
    delay.disable();
    importing = false;
    await others;

    const maxLatency = Math.max(...latencies);
    const eld = { maxMs: delay.max / 1e6, p99Ms: delay.percentile(99) / 1e6, meanMs: delay.mean / 1e6 };
    console.log(
      `baseline without an import: worst pause ${baseline.toFixed(1)} ms; ` +
        `import of ${ROWS} rows (${(ledger.length / 1048576).toFixed(1)} MB): ${seconds.toFixed(1)} s; ${latencies.length} other requests, latency max ${maxLatency.toFixed(1)} ms; ` +
        `event-loop delay max ${eld.maxMs.toFixed(1)} ms, p99 ${eld.p99Ms.toFixed(1)} ms, mean ${eld.meanMs.toFixed(1)} ms`,
    );
    expect(page.text).toContain(`已导入 ${ROWS} 件`);
    expect(sawWriting).toBe(true);
    expect(await t.count('information_request')).toBe(ROWS);
    expect(latencies.length).toBeGreaterThan(100);
    // On a quiet machine the limit holds as it stands; on one whose other processes already pause
    // us, the import may not add more than the limit to the pauses the machine makes anyway.
    const limit = baseline < QUIET_MS ? LIMIT_MS : baseline + LIMIT_MS;
    if (limit !== LIMIT_MS) console.warn(`the machine is busy (worst pause ${baseline.toFixed(1)} ms without an import): checking pauses < ${limit.toFixed(1)} ms`);
    expect(maxLatency).toBeLessThan(limit);
    expect(eld.maxMs).toBeLessThan(limit);
  }, 180_000);
});
