import { SchedulerRegistry } from '@nestjs/schedule';
import { UnitOfWork } from '../src/common/unit-of-work';
import { createTestApp, TestApp, WRITING_JOBS } from './support/test-app';

/**
 * SQLite: TypeORM gives every caller the same query runner on the one connection. A transaction
 * opened on it beside the UnitOfWork queue used to fail the queued one's BEGIN ("cannot start a
 * transaction within a transaction"), whose rollback then ended the other transaction too: its
 * owner's rollback threw, and later writes could land in a transaction nobody committed (fresh-clone
 * CI, pages-at-scale: the test's EXPLAIN transaction against the search index's merge timer).
 */
(process.env.TEST_DATABASE_URL ? describe.skip : describe)('UnitOfWork on the shared SQLite connection', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses to start while a transaction opened outside it is open, and leaves that one whole', async () => {
    const uow = t.app.get(UnitOfWork);
    const runner = t.dataSource.createQueryRunner();
    const queued = uow.run((m) => m.query("INSERT INTO agency_setting (key, value, updated_at, updated_by) VALUES ('uow-queued', 'x', 'x', 'x')"));
    await runner.startTransaction();
    await expect(queued).rejects.toThrow('outside the UnitOfWork');
    expect(runner.isTransactionActive).toBe(true);
    await runner.query("INSERT INTO agency_setting (key, value, updated_at, updated_by) VALUES ('uow-outside', 'x', 'x', 'x')");
    await runner.rollbackTransaction();
    expect(await t.dataSource.query("SELECT key FROM agency_setting WHERE key LIKE 'uow-%'")).toEqual([]);
    // The queue goes on: the next run commits.
    await uow.run((m) => m.query("INSERT INTO agency_setting (key, value, updated_at, updated_by) VALUES ('uow-after', 'x', 'x', 'x')"));
    expect(await t.dataSource.query("SELECT key FROM agency_setting WHERE key LIKE 'uow-%'")).toEqual([{ key: 'uow-after' }]);
  });

  it("test apps leave out the app's timers that write (their transactions a test's own writes could join) and the digest's real-clock schedule", () => {
    const timers = t.app.get(SchedulerRegistry);
    expect(WRITING_JOBS.filter(([kind, name]) => timers.doesExist(kind, name))).toEqual([]);
  });
});
