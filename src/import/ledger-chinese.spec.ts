import { encode } from 'iconv-lite';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packagedCalendarYears } from '../calendar/base-calendar';
import { WorkingCalendar } from '../domain/calendar';
import { ledgerCode } from './ledger-columns';
import { checkLedgerHeader, LedgerError, LedgerRow, LedgerRowChecker } from './ledger-import';
import { bufferSource, detectEncoding, Pacer, readLedgerRecords } from './ledger-reader';

const calendar = new WorkingCalendar(packagedCalendarYears());

async function check(buffer: Buffer): Promise<{ rows: LedgerRow[]; errors: LedgerError[] }> {
  const source = bufferSource(buffer);
  const rows: LedgerRow[] = [];
  const errors: LedgerError[] = [];
  let checker: LedgerRowChecker | null = null;
  await readLedgerRecords(source, await detectEncoding(source, new Pacer()), new Pacer(), (cells, line) => {
    if (!checker) {
      const h = checkLedgerHeader(cells);
      if (h.error !== null) {
        errors.push({ line, message: h.error });
        return;
      }
      checker = new LedgerRowChecker(h.header, calendar, '2026-06-15', null, h.titles);
      return;
    }
    const result = checker.check(cells, line);
    if (result.row) rows.push(result.row);
    if (result.error) errors.push(result.error);
  });
  return { rows, errors };
}

const SAMPLE = readFileSync(join(__dirname, '../../docs/ledger-sample-zh.csv'));
const HEADER = '申请人类型,申请人姓名或名称,申请方式,收到申请日期,申请内容,办理结果,办结日期';

describe('Chinese ledgers: headings, values and dates as offices write them', () => {
  it('reads the Chinese sample file (UTF-8 with BOM) into the same histories as the English one', async () => {
    const zh = await check(SAMPLE);
    const en = await check(readFileSync(join(__dirname, '../../docs/ledger-sample.csv')));
    expect(zh.errors).toEqual([]);
    expect(zh.rows).toHaveLength(6);
    const shape = (r: LedgerRow) => ({ applicant: { ...r.applicant, phone: r.applicant.phone }, channel: r.channel, deliveryMethod: r.deliveryMethod, events: r.events, state: r.state });
    expect(zh.rows.map(shape)).toEqual(en.rows.map(shape));
  });

  it('reads the same file saved by Excel as "CSV (逗号分隔)", i.e. GBK', async () => {
    const gbk = encode(SAMPLE.toString('utf8').replace(/^\uFEFF/, ''), 'gbk');
    expect(await detectEncoding(bufferSource(gbk), new Pacer())).toBe('gb18030');
    const { rows, errors } = await check(gbk);
    expect(errors).toEqual([]);
    expect(rows.map((r) => r.applicant.name)).toEqual(['张三', '某某建设有限公司', '李四', '某某律师事务所', '某大学法学院', '某村民委员会']);
  });

  it.each([
    ['自然人', 'applicant_type', 'natural_person'],
    ['商业企业', 'applicant_type', 'commercial_enterprise'],
    ['当面', 'channel', 'in_person'],
    ['邮寄', 'channel', 'mail'],
    ['邮寄（需签收）', 'channel', 'mail'],
    ['予以公开', 'outcome', 'granted'],
    ['（一）予以公开', 'outcome', 'granted'],
    ['1.属于国家秘密', 'outcome', 'withheld_state_secret'],
    ['属于国家秘密', 'outcome', 'withheld_state_secret'],
    ['部分公开', 'outcome', 'partially_granted'],
    ['其他', 'outcome', 'other_other'],
    ['纸质文本邮寄', 'delivery_method', 'paper_mail'],
    ['granted', 'outcome', 'granted'],
  ] as const)('%s in %s means %s', (value, column, code) => {
    expect(ledgerCode(column, value)).toBe(code);
  });

  it('refuses a word that fits no code or several', () => {
    expect(ledgerCode('applicant_type', '公司')).toBeNull();
    expect(ledgerCode('outcome', '申请人')).toBeNull();
    expect(ledgerCode('outcome', '不予公开')).toBeNull();
  });

  it('names columns in Chinese and lists the accepted values when a value is wrong', async () => {
    const { errors } = await check(Buffer.from(`${HEADER}\n公司,张三,当面,2025年3月7日,某信息,予以公开,2025/3/20\n自然人,李四,当面,2025年2月30日,某信息,,\n`));
    expect(errors[0]).toEqual({ line: 2, message: expect.stringContaining('申请人类型 无效：公司。可填：自然人（natural_person）、商业企业（commercial_enterprise）') });
    expect(errors[1]).toEqual({ line: 3, message: '收到申请日期 不是有效日期：2025年2月30日（可写作 2025-03-07、2025/3/7 或 2025年3月7日）。' });
  });

  it('takes dates as 2025-03-07, 2025/3/7 and 2025年3月7日', async () => {
    const { rows, errors } = await check(Buffer.from(`${HEADER}\n自然人,张三,当面,2025年3月7日,某信息,予以公开,2025/3/20\n`));
    expect(errors).toEqual([]);
    expect(rows[0].state).toMatchObject({ receivedOn: '2025-03-07', concludedOn: '2025-03-20', outcome: 'granted' });
  });

  it('says which Chinese heading is unknown or missing', () => {
    expect(checkLedgerHeader(['申请人类型', '申请人姓名或名称', '申请方式', '申请日子', '申请内容']).error).toBe('表头有误：缺少 收到申请日期（received_on）；未知列 申请日子');
    expect(checkLedgerHeader(['*申请人类型', '申请人姓名或名称（必填）', '申请方式', '收到申请日期', ' 申请内容 ']).error).toBeNull();
  });
});
