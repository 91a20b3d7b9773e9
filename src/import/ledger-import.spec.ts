import { encode } from 'iconv-lite';
import { Role } from '../auth/roles';
import { calendarFixture } from '../domain/lifecycle/calendar.fixture';
import { checkLedgerHeader, LedgerError, LedgerRow, LedgerRowChecker, permissionsForRow } from './ledger-import';
import { bufferSource, detectEncoding, LedgerFormatError, MAX_RECORD_BYTES, Pacer, readLedgerRecords } from './ledger-reader';

const calendar = calendarFixture();
const header = 'applicant_type,applicant_name,channel,received_on,description,email,extension_on,extension_days,extension_approved_by,extension_reason,outcome,concluded_on,reason';

async function records(input: Buffer | string): Promise<Array<[number, string[]]>> {
  const buffer = typeof input === 'string' ? Buffer.from(input) : input;
  const source = bufferSource(buffer);
  const out: Array<[number, string[]]> = [];
  await readLedgerRecords(source, await detectEncoding(source, new Pacer()), new Pacer(), (cells, line) => void out.push([line, cells]));
  return out;
}

/** The rows and errors of a ledger, through the same reader and checker as the import. */
async function check(text: string | Buffer, roles: Role[] | null = null): Promise<{ rows: LedgerRow[]; errors: LedgerError[]; missing: Array<[number, string[]]> }> {
  const rows: LedgerRow[] = [];
  const errors: LedgerError[] = [];
  const missing: Array<[number, string[]]> = [];
  let checker: LedgerRowChecker | null = null;
  for (const [line, cells] of await records(text)) {
    if (!checker) {
      const h = checkLedgerHeader(cells);
      if (h.error !== null) return { rows, errors: [{ line, message: h.error }], missing };
      checker = new LedgerRowChecker(h.header, calendar, '2026-06-15', roles);
      continue;
    }
    const result = checker.check(cells, line);
    if (result.row) rows.push(result.row);
    if (result.error) errors.push(result.error);
    if (result.missing.length) missing.push([line, result.missing]);
  }
  return { rows, errors, missing };
}

describe('reading a ledger (csv-parse, streamed)', () => {
  it('handles quotes, doubled quotes, commas, CRLF, a BOM, and numbers rows as Excel does', async () => {
    expect(await records('\uFEFFa,"b,c","d ""e"""\r\n1,2,3\n')).toEqual([
      [1, ['a', 'b,c', 'd "e"']],
      [2, ['1', '2', '3']],
    ]);
    // A quoted line break stays in its cell: still one row; a blank row keeps its number.
    expect(await records('a\n"multi\nline",x\n,,\nlast')).toEqual([
      [1, ['a']],
      [2, ['multi\nline', 'x']],
      [4, ['last']],
    ]);
  });

  it('reads a GB18030 file (Chinese Excel "CSV") as GB18030, and a UTF-8 file with a BOM as UTF-8', async () => {
    const text = `${header}\nnatural_person,欧阳𠀀娜,in_person,2023-03-06,申请公开某项目环评报告,,,,,,granted,2023-03-20,\n`;
    const gb = encode(text, 'gb18030');
    expect(await detectEncoding(bufferSource(gb), new Pacer())).toBe('gb18030');
    const fromGb = await check(gb);
    expect(fromGb.errors).toEqual([]);
    expect(fromGb.rows[0].applicant.name).toBe('欧阳𠀀娜');
    expect(fromGb.rows[0].description).toBe('申请公开某项目环评报告');
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    expect(await detectEncoding(bufferSource(bom), new Pacer())).toBe('utf-8');
    expect((await check(bom)).rows[0].applicant.name).toBe('欧阳𠀀娜');
  });

  it('refuses bytes that are neither UTF-8 nor GB18030, UTF-16 and workbooks, instead of storing "\uFFFD"', async () => {
    const broken = Buffer.concat([Buffer.from(`${header}\nnatural_person,`), Buffer.from([0xd5, 0xc5, 0xff, 0xfe, 0x80]), Buffer.from(',in_person,2023-03-06,x,,,,,,,,\n')]);
    await expect(records(broken)).rejects.toThrow(/既不是有效的 UTF-8，也不是有效的 GBK\/GB18030/);
    await expect(records(Buffer.from([0xff, 0xfe, 0x61, 0x00]))).rejects.toThrow(/UTF-16/);
    await expect(records(Buffer.from('PK\u0003\u0004xxxx'))).rejects.toThrow(/xlsx/);
  });

  it('stops an endless quoted field at the record limit instead of buffering the file', async () => {
    const endless = `${header}\nnatural_person,"${'x'.repeat(MAX_RECORD_BYTES + 10)}`;
    const error = await records(endless).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LedgerFormatError);
    expect((error as Error).message).toMatch(/第 2 行超过 128 KB/);
  });
});

describe('checking ledger rows', () => {
  it('turns rows into lifecycle histories', async () => {
    const { rows, errors } = await check(`${header}\nnatural_person,张三,in_person,2023-03-06,某信息,,,,,,withheld_state_secret,2023-03-20,涉密`);
    expect(errors).toEqual([]);
    expect(rows[0].state).toMatchObject({ receivedOn: '2023-03-06', concludedOn: '2023-03-20', outcome: 'withheld_state_secret', status: 'concluded' });
    expect(rows[0].events.map((e) => e.type)).toEqual(['registered', 'decided']);
  });

  it.each([
    ['other_org,某单位,in_person,2023-03-06,x,,,,,,withheld_state_secret,2023-03-20,', '必须说明理由'],
    ['natural_person,张三,in_person,2023-03-06,x,,,,,,granted,', 'outcome 与 concluded_on'],
    ['natural_person,张三,in_person,2030-03-06,x,,,,,,,,', '未来'],
    ['natural_person,张三,in_person,2023-02-30,x,,,,,,,,', 'received_on 不是有效日期'],
    ['natural_person,,in_person,2023-03-06,x,,,,,,,,', 'applicant_name 不能为空'],
    ['natural_person,张三,in_person,2023-03-06,x,,,,,,unable_unclear_after_correction,2023-03-20,', '补正'],
    ['natural_person,张三,pigeon,2023-03-06,x,,,,,,,,', 'channel 无效：pigeon'],
    ['natural_person,"张\u0000三",in_person,2023-03-06,x,,,,,,,,', 'applicant_name：不能包含控制字符'],
    ['natural_person,张三\u0007,in_person,2023-03-06,x,,,,,,,,', 'applicant_name：不能包含控制字符'],
    ['natural_person,张三,in_person,2023-03-06,"申请\u001b[2J公开",,,,,,,,', 'description：不能包含控制字符'],
    ['natural_person,张三,in_person,2023-03-06,x,"a@example.com,b@example.com",,,,,,,', 'email：电子邮箱格式无效'],
    ['natural_person,张三,in_person,2023-03-06,x,a@example.com; b@example.com,,,,,,,', 'email：电子邮箱格式无效'],
    ['natural_person,张\uFFFD\uFFFD,in_person,2023-03-06,x,,,,,,,,', 'applicant_name 含有乱码字符'],
    ['natural_person,张三,in_person,2023-03-06,x,,2023-03-20,30,王主任,需要调取档案,,,', '最长不得超过 20 个工作日'],
    ['natural_person,张三,in_person,2023-03-06,x,,2023-03-20,5,,需要调取档案,,,', '负责人'],
  ])('reports a bad row with its line number: %s', async (line, message) => {
    const { rows, errors } = await check(`${header}\nnatural_person,张三,in_person,2023-03-06,好的,,,,,,,,\n${line}`);
    expect(rows).toHaveLength(1);
    expect(errors).toHaveLength(1);
    expect(errors[0].line).toBe(3);
    expect(errors[0].message).toContain(message);
  });

  it('drops right-to-left overrides and zero-width characters from names and free text', async () => {
    const { rows, errors } = await check(`${header}\nnatural_person,\u202E张\u200B三\u2066,in_person,2023-03-06,申请\u200D公开\uFEFF某信息,,,,,,withheld_state_secret,2023-03-20,涉\u202E密`);
    expect(errors).toEqual([]);
    expect(rows[0].applicant.name).toBe('张三');
    expect(rows[0].description).toBe('申请公开某信息');
    expect(rows[0].events.at(-1)!.data.reason).toBe('涉密');
  });

  it('refuses an unknown or missing column', async () => {
    expect((await check('applicant_type,foo\nx,y')).errors[0].message).toMatch(/未知列 foo/);
  });
});

describe('the permissions an imported row needs (as live entry, permissionForEvent)', () => {
  const row = `${header}\nnatural_person,张三,in_person,2023-03-06,某信息,,2023-03-20,20,王主任,需要调取档案,withheld_state_secret,2023-04-20,涉密`;

  it('registration, the extension and a withholding reply', async () => {
    const { rows } = await check(row);
    expect(permissionsForRow(rows[0]).sort()).toEqual(['requests.approve', 'requests.register']);
  });

  it.each<[Role[], string[]]>([
    [['registrar'], ['requests.approve']],
    [['administrator'], ['requests.register', 'requests.approve']],
    [['registrar', 'approver'], []],
  ])('%p lacks %p', async (roles, lacking) => {
    const { missing } = await check(row, roles);
    expect(missing).toEqual(lacking.length ? [[2, lacking]] : []);
  });

  it("a granted reply is the handler's step", async () => {
    const { missing } = await check(`${header}\nnatural_person,张三,in_person,2023-03-06,某信息,,,,,,granted,2023-03-20,`, ['registrar']);
    expect(missing).toEqual([[2, ['requests.process']]]);
  });
});
