import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { buildDist } from './support/build';
import { createTestApp, TestApp, testDatabaseUrl, validResidentId } from './support/test-app';
import { readXlsx } from './support/office';

const ROOT = join(__dirname, '..');

describe('Command-line tools (built, run as a user would)', () => {
  let t: TestApp;
  let env: NodeJS.ProcessEnv;
  const run = (script: string, args: string[]) => spawnSync(process.execPath, [join(ROOT, 'dist/scripts', script), ...args], { env, encoding: 'utf8', cwd: t.dir });

  beforeAll(async () => {
    buildDist();
    t = await createTestApp();
    t.clock.setNow('2026-06-15T02:00:00Z');
    const auth = { Authorization: `Bearer ${await t.token()}` };
    const res = await request(t.http)
      .post('/api/v1/requests')
      .set(auth)
      .send({ applicant: { type: 'natural_person', name: '郑十一', idDocumentNumber: validResidentId(), phone: '13600136000' }, channel: 'in_person', receivedOn: '2024-05-06', description: '某信息' })
      .expect(201);
    await request(t.http).post(`/api/v1/requests/${res.body.id}/events`).set(auth).send({ type: 'decided', on: '2024-05-20', outcome: 'granted' }).expect(201);
    await t.app.close();
    env = { ...process.env, OGI_DATA_DIR: t.dir, DATABASE_URL: testDatabaseUrl() ?? `sqlite:${join(t.dir, 'test.sqlite')}`, OGI_ADMIN_USERNAME: '', OGI_ADMIN_PASSWORD: '' };
  }, 120_000);

  it('npm run report prints both tables and no applicant data', () => {
    const out = run('report-cli.js', ['--year', '2024']);
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('（一）予以公开\t1\t0\t0\t0\t0\t0\t1');
    expect(out.stdout).toContain('四、结转下年度继续办理\t0\t0\t0\t0\t0\t0\t0');
    expect(out.stdout).toContain('行政复议');
    for (const secret of ['郑十一', validResidentId(), '13600136000']) {
      expect(out.stdout + out.stderr).not.toContain(secret);
    }
  });

  it('writes xlsx, docx, csv and json with --out, and refuses bad arguments', async () => {
    for (const ext of ['xlsx', 'docx', 'csv', 'json']) {
      const file = join(t.dir, `r.${ext}`);
      const out = run('report-cli.js', ['--year', '2024', '--format', '2019', '--out', file]);
      expect(out.status).toBe(0);
      expect(existsSync(file)).toBe(true);
    }
    const json = JSON.parse(readFileSync(join(t.dir, 'r.json'), 'utf8'));
    expect(json.section3).toMatchObject({ year: 2024, format: '2019' });
    expect(json.section3.rows.granted).toEqual([1, 0, 0, 0, 0, 0, 1]);
    const sheet = await readXlsx(readFileSync(join(t.dir, 'r.xlsx')));
    expect(sheet.rows.flat()).toContain('（六）其他处理');
    expect(run('report-cli.js', []).status).toBe(2);
    expect(run('report-cli.js', ['--year', '2024', '--out', 'x.pdf']).status).toBe(2);
    expect(run('report-cli.js', ['--year', '1900']).status).toBe(2);
  });

  it('npm run import validates all rows first, reports line numbers, and writes all or nothing', () => {
    const sample = readFileSync(join(ROOT, 'docs/ledger-sample.csv'), 'utf8');
    const bad = join(t.dir, 'bad.csv');
    writeFileSync(bad, sample.replace('natural_person,李四', 'alien,李四'));
    const refused = run('import-cli.js', [bad]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('第 4 行：applicant_type 无效：alien');
    const ok = run('import-cli.js', [join(ROOT, 'docs/ledger-sample.csv')]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('6/6');
    expect(ok.stdout).toContain('已导入 6 件');
    const report = run('report-cli.js', ['--year', '2023']);
    expect(report.stdout).toMatch(/（七）总计\t2\t1\t0\t0\t0\t0\t3/);
  });
});
