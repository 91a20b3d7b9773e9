import { encode } from 'iconv-lite';
import request from 'supertest';
import { AuthService } from '../src/auth/auth.service';
import { Role } from '../src/auth/roles';
import { ImportService } from '../src/import/import.service';
import { oneQuotedField } from '../scripts/ledger-fixture';
import { signIn } from './support/builders';
import { createRoleUsers, ROLE_PASSWORD } from './support/roles';
import { createTestApp, openForm, rowCounts, TestApp, testDatabaseUrl, validResidentId } from './support/test-app';

const HEADER = 'applicant_type,applicant_name,channel,received_on,description,email,extension_on,extension_days,extension_approved_by,extension_reason,outcome,concluded_on,reason';
/** A 20-working-day extension and a reply withholding a state secret: both the approver's steps. */
const APPROVER_ROW = 'natural_person,赵六,in_person,2024-03-05,申请公开某项目的审批文件,,2024-03-20,20,王主任,需要征求第三方意见,withheld_state_secret,2024-04-25,属于国家秘密';
const GRANTED_ROW = 'natural_person,钱七,mail,2024-05-06,申请公开某路段拓宽工程的批复,,,,,,granted,2024-05-20,';

type Agent = ReturnType<typeof request.agent>;

describe('Ledger import: limits, permissions, text, encodings (findings 2, 3, 15)', () => {
  let t: TestApp;
  let users: Awaited<ReturnType<typeof createRoleUsers>>;

  /** Signed in, with the CSRF token of the upload form. */
  async function importer(username: string): Promise<{ agent: Agent; csrf: string }> {
    const agent = await signIn(t, { username, password: ROLE_PASSWORD });
    const { csrf } = await openForm(agent, '/staff/import');
    return { agent, csrf };
  }

  async function account(username: string, roles: Role[]): Promise<{ agent: Agent; csrf: string }> {
    await t.app.get(AuthService).createUser(username, username, ROLE_PASSWORD, roles);
    return importer(username);
  }

  /** Uploads; when the answer is the progress page, follows it to the end. */
  async function upload(who: { agent: Agent; csrf: string }, file: Buffer): Promise<{ status: number; text: string }> {
    const res = await who.agent.post('/staff/import').set('X-CSRF-Token', who.csrf).attach('ledger', file, 'ledger.csv');
    if (res.status !== 303) return { status: res.status, text: res.text };
    for (;;) {
      await new Promise((r) => setTimeout(r, 200));
      const page = await who.agent.get(res.headers.location).expect(200);
      if (!page.headers.refresh) return { status: 303, text: page.text };
    }
  }

  async function names(): Promise<string[]> {
    return (await t.dataSource.query('SELECT name FROM applicant ORDER BY name')).map((r: { name: string }) => r.name);
  }

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.setNow('2026-06-15T02:00:00Z');
    users = await createRoleUsers(t);
  }, 60_000);

  afterAll(async () => {
    await t.close();
  });

  describe('finding 2: the upload limit', () => {
    it('answers a 45 MB ledger with one quoted field with 413 and a Chinese message, without reading it into the heap', async () => {
      const before = await rowCounts(t);
      const file = oneQuotedField(45 * 1024 * 1024);
      const heapBefore = process.memoryUsage().heapUsed;
      const res = await users.registrar.agent.post('/staff/import').set('X-CSRF-Token', users.registrar.csrf).attach('ledger', file, 'ledger.csv');
      const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
      expect(res.status).toBe(413);
      expect(res.text).toContain('文件超过上传上限 10 MB（设置项 IMPORT_MAX_BYTES），未导入任何记录');
      expect(res.text).toContain('id="import-form"');
      // The app keeps at most IMPORT_MAX_BYTES of the upload, outside the heap (a Buffer).
      expect(heapGrowth).toBeLessThan(64 * 1024 * 1024);
      expect(await rowCounts(t)).toEqual(before);
      expect(await t.count('ledger_import')).toBe(0);
    }, 60_000);
  });

  describe('finding 3: each row needs the permissions of live entry', () => {
    const ledger = Buffer.from(`${HEADER}\r\n${GRANTED_ROW}\r\n${APPROVER_ROW}\r\n`);

    it("refuses a registrar: the extension and the withholding reply are the approver's; nothing is written", async () => {
      const before = await rowCounts(t);
      const res = await upload(users.registrar, ledger);
      expect(res.status).toBe(403);
      expect(res.text).toContain('台账中有 2 行的办理步骤需要本账号没有的权限，未导入任何记录');
      expect(res.text).toContain('第 3 行须有权限“批准延期；签发不予公开、部分公开的答复”（requests.approve），本账号没有。');
      // The granted reply is the handler's step, which the registrar does not hold either.
      expect(res.text).toContain('第 2 行须有权限“办理步骤：补正、征求意见、收费、答复（非不予公开类）、撤回、指定承办人”（requests.process），本账号没有。');
      expect(await rowCounts(t)).toEqual(before);
      expect(await t.count('ledger_import_request')).toBe(0);
    });

    it('refuses an administrator without requests.register: importing registers requests, so the page itself is closed to it', async () => {
      const before = await rowCounts(t);
      const res = await upload(users.administrator, ledger);
      expect(res.status).toBe(403);
      expect(res.text).toContain('您的角色没有执行此操作的权限。');
      expect(await rowCounts(t)).toEqual(before);
    });

    it('imports for an account holding registrar, handler and approver, with the full history', async () => {
      const who = await account('u_clerks', ['registrar', 'handler', 'approver']);
      const before = await t.count('information_request');
      const res = await upload(who, ledger);
      expect(res.status).toBe(201);
      expect(res.text).toContain('已导入 2 件');
      expect(await t.count('information_request')).toBe(before + 2);
      const events = await t.dataSource.query(
        "SELECT e.type AS type FROM request_event e JOIN applicant a ON a.id = (SELECT applicant_id FROM information_request r WHERE r.id = e.request_id) WHERE a.name = '赵六' ORDER BY e.seq",
      );
      expect(events.map((e: { type: string }) => e.type)).toEqual(['registered', 'extension_granted', 'decided']);
    });
  });

  describe("finding 3: imported text goes through the online form's validators", () => {
    let clerk: { agent: Agent; csrf: string };
    beforeAll(async () => {
      clerk = await account('u_clerks2', ['registrar', 'handler', 'approver']);
    });

    it.each([
      ['NUL in a name', `natural_person,"张\u0000三",in_person,2024-03-05,某信息,,,,,,,,`, 'applicant_name：不能包含控制字符。'],
      ['a control character in the description', `natural_person,张三,in_person,2024-03-05,"某\u001b[31m信息",,,,,,,,`, 'description：不能包含控制字符。'],
      ['two addresses in one e-mail field', `natural_person,张三,in_person,2024-03-05,某信息,"a@example.com,b@example.com",,,,,,,`, 'email：电子邮箱格式无效。'],
    ])('refuses %s with its line number, writing nothing', async (_label, bad, message) => {
      const before = await rowCounts(t);
      const res = await upload(clerk, Buffer.from(`${HEADER}\n${GRANTED_ROW}\n${bad}\n`));
      expect(res.status).toBe(400);
      expect(res.text).toContain('台账有 1 行有误，未导入任何记录');
      expect(res.text).toContain(`<td>3</td><td>${message}</td>`);
      expect(await rowCounts(t)).toEqual(before);
    });

    it('reads a GB18030 ledger (Chinese Excel\'s "CSV") and stores the Chinese names correctly', async () => {
      const text = `${HEADER}\r\nnatural_person,欧阳娜娜,in_person,2024-03-05,申请公开某街道的拆迁补偿方案,,,,,,granted,2024-03-19,\r\ncommercial_enterprise,某某建设有限公司,fax,2024-03-06,申请公开某地块出让合同,,,,,,granted,2024-03-20,\r\n`;
      const res = await upload(clerk, encode(text, 'gb18030'));
      expect(res.status).toBe(201);
      expect(res.text).toContain('已导入 2 件');
      expect(res.text).toContain('文件按 GBK/GB18030 编码读取');
      const stored = await names();
      expect(stored).toEqual(expect.arrayContaining(['欧阳娜娜', '某某建设有限公司']));
      expect(stored.join('')).not.toContain('\uFFFD');
      const descriptions = await t.dataSource.query("SELECT description FROM information_request WHERE description LIKE '%拆迁补偿%'");
      expect(descriptions).toEqual([{ description: '申请公开某街道的拆迁补偿方案' }]);
    });

    it('reads a UTF-8 file with a BOM (Excel\'s "CSV UTF-8"): the first column keeps its name', async () => {
      const text = `\uFEFF${HEADER}\r\nnatural_person,司马光,in_person,2024-03-05,申请公开某水利工程验收报告,,,,,,granted,2024-03-19,\r\n`;
      const res = await upload(clerk, Buffer.from(text));
      expect(res.status).toBe(201);
      expect(await names()).toContain('司马光');
    });

    it('refuses a file that is neither UTF-8 nor GB18030 instead of storing "\uFFFD"', async () => {
      const before = await rowCounts(t);
      const bytes = Buffer.concat([Buffer.from(`${HEADER}\nnatural_person,`), Buffer.from([0xd5, 0xc5, 0xff, 0xfe, 0x80]), Buffer.from(',in_person,2024-03-05,x,,,,,,,,\n')]);
      const res = await upload(clerk, bytes);
      expect(res.status).toBe(400);
      expect(res.text).toContain('文件既不是有效的 UTF-8，也不是有效的 GBK/GB18030 编码');
      expect(await rowCounts(t)).toEqual(before);
    });
  });

  describe('finding 15: format characters are dropped on every intake path', () => {
    const spoofed = '\u202E张\u200B三\u2066';
    const body = (name: string) => ({
      applicant: { type: 'natural_person', name, idDocumentNumber: validResidentId(), phone: '13800138000' },
      description: '申请公开\u200B某文件\u202E',
    });

    async function storedFor(description: string): Promise<Array<{ name: string; description: string }>> {
      return t.dataSource.query(
        'SELECT a.name AS name, r.description AS description FROM information_request r JOIN applicant a ON a.id = r.applicant_id WHERE r.description = $1'.replace(
          '$1',
          testDatabaseUrl() ? '$1' : '?',
        ),
        [description],
      );
    }

    it('staff API, public API, staff form, public form and import store the name without U+202E and U+200B', async () => {
      const before = (await storedFor('申请公开某文件')).length;
      await request(t.http)
        .post('/api/v1/requests')
        .set('Authorization', `Bearer ${users.registrar.token}`)
        .send({ ...body(spoofed), channel: 'in_person', receivedOn: '2026-06-12' })
        .expect(201);
      await request(t.http).post('/api/v1/public/requests').send(body(spoofed)).expect(201);
      const staffForm = await openForm(users.registrar.agent, '/staff/requests/new');
      await users.registrar.agent
        .post('/staff/requests')
        .type('form')
        .send({ _csrf: staffForm.csrf, 'applicant[type]': 'natural_person', 'applicant[name]': spoofed, channel: 'in_person', receivedOn: '2026-06-12', description: '申请公开\u200B某文件' })
        .expect(303);
      const citizen = request.agent(t.http);
      const publicForm = await openForm(citizen, '/');
      await citizen
        .post('/apply')
        .type('form')
        .send({
          _csrf: publicForm.csrf,
          'applicant[type]': 'natural_person',
          'applicant[name]': spoofed,
          'applicant[idDocumentNumber]': validResidentId(),
          'applicant[phone]': '13800138000',
          description: '申请公开某文件\uFEFF',
          deliveryMethod: 'email',
        })
        .expect(201);
      const clerk = await account('u_clerks3', ['registrar', 'handler', 'approver']);
      const res = await upload(clerk, Buffer.from(`${HEADER}\nnatural_person,${spoofed},in_person,2024-03-05,申请公开\u200D某文件,,,,,,granted,2024-03-19,\n`));
      expect(res.status).toBe(201);
      const stored = await storedFor('申请公开某文件');
      expect(stored).toHaveLength(before + 5);
      expect(stored.every((r) => r.name === '张三')).toBe(true);
    });

    it('still refuses control characters in a name through the API', async () => {
      const res = await request(t.http).post('/api/v1/public/requests').send(body('张\u0007三')).expect(400);
      expect(res.body.error.fields['applicant.name']).toBe('不能包含控制字符。');
    });
  });

  describe('writing: all or nothing across chunks', () => {
    it('undoes the chunks already written when a later chunk fails, and says so', async () => {
      const clerk = await account('u_clerks4', ['registrar', 'handler', 'approver']);
      // A real database failure in the third chunk of 100 rows (a trigger, as a full disk would).
      if (testDatabaseUrl()) {
        await t.dataSource.query(
          "CREATE FUNCTION fail_import() RETURNS trigger AS $$ BEGIN IF NEW.description = '触发写入失败' THEN RAISE EXCEPTION 'simulated write failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
        );
        await t.dataSource.query('CREATE TRIGGER fail_import BEFORE INSERT ON information_request FOR EACH ROW EXECUTE FUNCTION fail_import()');
      } else {
        await t.dataSource.query("CREATE TRIGGER fail_import BEFORE INSERT ON information_request WHEN NEW.description = '触发写入失败' BEGIN SELECT RAISE(ABORT, 'simulated write failure'); END");
      }
      try {
        const before = await rowCounts(t);
        const linksBefore = await t.count('ledger_import_request');
        const lines = Array.from({ length: 250 }, (_, i) => `natural_person,孙${i},in_person,2024-03-05,${i === 229 ? '触发写入失败' : `申请公开第${i}号文件`},,,,,,granted,2024-03-19,`);
        const res = await upload(clerk, Buffer.from(`${HEADER}\n${lines.join('\n')}\n`));
        expect([503, 303]).toContain(res.status);
        expect(res.text).toContain('写入时出错，导入未完成，已撤销写入的 200 件，未留下任何记录');
        expect(await rowCounts(t)).toEqual(before);
        expect(await t.count('ledger_import_request')).toBe(linksBefore);
      } finally {
        await t.dataSource.query(testDatabaseUrl() ? 'DROP TRIGGER fail_import ON information_request' : 'DROP TRIGGER fail_import');
        if (testDatabaseUrl()) await t.dataSource.query('DROP FUNCTION fail_import()');
      }
    });

    it('an import whose process died while writing is undone when the app finds it', async () => {
      const clerk = await account('u_clerks5', ['registrar', 'handler', 'approver']);
      const before = await rowCounts(t);
      const res = await upload(clerk, Buffer.from(`${HEADER}\n${GRANTED_ROW.replace('钱七', '周八')}\n${GRANTED_ROW.replace('钱七', '吴九')}\n`));
      expect(res.status).toBe(201);
      expect((await rowCounts(t)).information_request).toBe(before.information_request + 2);
      // As the row looks after a crash in the middle of writing: status "writing", no sign of life since.
      const [job] = await t.dataSource.query("SELECT id FROM ledger_import WHERE status = 'completed' ORDER BY created_at DESC LIMIT 1");
      await t.dataSource.query(`UPDATE ledger_import SET status = 'writing', updated_at = '2026-01-01T00:00:00.000Z' WHERE id = '${job.id}'`);
      await t.app.get(ImportService).recoverInterrupted();
      expect((await rowCounts(t)).information_request).toBe(before.information_request);
      expect(await names()).not.toContain('周八');
      const page = await clerk.agent.get(`/staff/import/jobs/${job.id}`).expect(200);
      expect(page.text).toContain('导入中断（服务停止），已撤销写入的 2 件，未留下任何记录');
      await clerk.agent.get('/staff/import/jobs/00000000-0000-0000-0000-000000000000').expect(404);
      // Its bad lines may quote cells: another account does not see it.
      await users.registrar.agent.get(`/staff/import/jobs/${job.id}`).expect(404);
    });
  });
});
