import { packagedCalendarYears } from '../calendar/base-calendar';
import { WorkingCalendar } from '../domain/calendar';
import { parseCsv } from './csv';
import { validateLedger } from './ledger-import';

const calendar = new WorkingCalendar(packagedCalendarYears());
const header = 'applicant_type,applicant_name,channel,received_on,description,outcome,concluded_on,reason';

describe('parseCsv', () => {
  it('handles quotes, doubled quotes, commas, CRLF and a BOM', () => {
    expect(parseCsv('\uFEFFa,"b,c","d ""e"""\r\n1,2,3\n')).toEqual([
      ['a', 'b,c', 'd "e"'],
      ['1', '2', '3'],
    ]);
    expect(parseCsv('a\n"multi\nline",x')).toEqual([['a'], ['multi\nline', 'x']]);
  });
});

describe('validateLedger', () => {
  it('turns rows into lifecycle histories', () => {
    const { rows, errors } = validateLedger(`${header}\nnatural_person,张三,in_person,2023-03-06,某信息,withheld_state_secret,2023-03-20,涉密`, calendar, '2026-06-15');
    expect(errors).toEqual([]);
    expect(rows[0].state).toMatchObject({ receivedOn: '2023-03-06', concludedOn: '2023-03-20', outcome: 'withheld_state_secret', status: 'concluded' });
    expect(rows[0].events.map((e) => e.type)).toEqual(['registered', 'decided']);
  });

  it.each([
    ['other_org,某单位,in_person,2023-03-06,x,withheld_state_secret,2023-03-20,', '必须说明理由'],
    ['natural_person,张三,in_person,2023-03-06,x,granted,', 'outcome 与 concluded_on'],
    ['natural_person,张三,in_person,2030-03-06,x,,,', '未来'],
    ['natural_person,张三,in_person,2023-02-30,x,,,', 'received_on 不是有效日期'],
    ['natural_person,,in_person,2023-03-06,x,,,', 'applicant_name 不能为空'],
    ['natural_person,张三,in_person,2023-03-06,x,unable_unclear_after_correction,2023-03-20,', '补正'],
  ])('reports a bad row with its line number: %s', (line, message) => {
    const { rows, errors } = validateLedger(`${header}\nnatural_person,张三,in_person,2023-03-06,好的,,,\n${line}`, calendar, '2026-06-15');
    expect(rows).toHaveLength(1);
    expect(errors).toHaveLength(1);
    expect(errors[0].line).toBe(3);
    expect(errors[0].message).toContain(message);
  });

  it('refuses an unknown or missing column', () => {
    expect(validateLedger('applicant_type,foo\nx,y', calendar, '2026-06-15').errors[0].message).toMatch(/未知列 foo/);
  });
});
