/**
 * A generated ledger for load tests and the import benchmark: realistic rows (Chinese names,
 * contact data, granted and withheld replies, extensions, open requests) that all pass the
 * checks, so the whole file is written. Importing it needs registrar, handler and approver.
 */
const HEADER =
  'applicant_type,applicant_name,id_document_number,phone,email,channel,received_on,description,delivery_method,extension_on,extension_days,extension_approved_by,extension_reason,outcome,concluded_on,reason';
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚';
const CHANNELS = ['in_person', 'mail', 'ordinary_mail', 'fax', 'online'];

function isoDay(base: number, offsetDays: number): string {
  return new Date(base + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

export function ledgerRow(i: number): string {
  const base = Date.UTC(2023, 0, 3);
  const received = isoDay(base, i % 600);
  const name = `${SURNAMES[i % SURNAMES.length]}${GIVEN[(i * 7) % GIVEN.length]}${GIVEN[(i * 13) % GIVEN.length]}`;
  const common = `natural_person,${name},11010519491231002X,13800138000,a${i}@example.com,${CHANNELS[i % CHANNELS.length]},${received},申请公开第${i}号文件及其附件,electronic`;
  switch (i % 10) {
    case 0:
      return `${common},${isoDay(base, (i % 600) + 5)},10,王主任,需要调取档案并征求意见,withheld_state_secret,${isoDay(base, (i % 600) + 20)},经审查属于国家秘密`;
    case 1:
    case 2:
      return `${common},,,,,withheld_internal_affairs,${isoDay(base, (i % 600) + 10)},属于内部事务信息`;
    case 3:
      return `${common},,,,,,,`;
    default:
      return `${common},,,,,granted,${isoDay(base, (i % 600) + 10)},`;
  }
}

/** `rows` data rows after the header, as one UTF-8 CSV. */
export function generateLedger(rows: number): Buffer {
  const lines = [HEADER];
  for (let i = 0; i < rows; i++) lines.push(ledgerRow(i));
  return Buffer.from(`${lines.join('\r\n')}\r\n`);
}

/** A file of about `bytes` bytes whose second row opens a quoted field that never closes. */
export function oneQuotedField(bytes: number): Buffer {
  const head = Buffer.from(`${HEADER}\r\nnatural_person,"`);
  const body = Buffer.alloc(Math.max(0, bytes - head.length), 'x');
  return Buffer.concat([head, body]);
}
