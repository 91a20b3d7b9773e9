import { statSync } from 'node:fs';
import { WalCheckpointer } from '../src/database/wal-checkpointer';
import { seed } from './support/random-requests';
import { createTestApp, TestApp } from './support/test-app';

/**
 * Issue 13: on SQLite the app's connection never checkpoints the WAL (a commit that did made every
 * query queued behind it wait); a second connection copies the WAL into the database file.
 */
const sqlite = !process.env.TEST_DATABASE_URL;

(sqlite ? describe : describe.skip)('SQLite WAL checkpoints on a connection of their own', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it("the app's connection does not checkpoint; the checkpointer's connection copies the WAL into the database file", async () => {
    const [{ wal_autocheckpoint }] = await t.dataSource.query<Array<{ wal_autocheckpoint: number }>>('PRAGMA wal_autocheckpoint');
    expect(wal_autocheckpoint).toBe(0);
    const file = t.config.sqlitePath!;
    await t.app.get(WalCheckpointer).checkpoint();
    const before = statSync(file).size;
    // About 2 MB of pages: under the 1,000 pages an automatic checkpoint would wait for.
    await seed(t, 800, 13);
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(1_000_000);
    // The timer's own checkpoint may be running (this call is then skipped), or a reader's snapshot
    // may stop a PASSIVE one short under load (a CI run: 512,000 bytes copied): asked again for up to 5 s.
    for (let i = 0; i < 50; i++) {
      await t.app.get(WalCheckpointer).checkpoint();
      if (statSync(file).size > before + 500_000) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(statSync(file).size).toBeGreaterThan(before + 500_000);
  });
});
