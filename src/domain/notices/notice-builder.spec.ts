import { DECIDABLE_OUTCOMES, Outcome, OUTCOMES } from '../lifecycle/codes';
import { DomainError } from '../errors';
import { chineseDate } from './chinese-date';
import { NOTICE_KINDS, NoticeKind, noticeEventIndex, noticeText, NoticeView } from './notice-builder';
import { BODIES, notice, registered, Step, TWO_ITEMS } from './notice-builder.fixture';
import { NO_REMEDY_BODIES } from './remedies';

/** Everything a reader must never see in a formal notice. */
const FORBIDDEN = [
  '。，',
  '。。',
  '，。',
  '；。',
  '：。',
  '、。',
  '。；',
  '。、',
  '。：',
  '，，',
  '；；',
  '：：',
  '、、',
  '，、',
  '，；',
  '；，',
  '：，',
  '，：',
  '（）',
  '  ',
  'undefined',
  'null',
  'NaN',
  '{{',
  '}}',
  '{',
  '}',
  '[object',
  '暂定',
  '—',
];

function defects(text: string): string[] {
  const found = FORBIDDEN.filter((bad) => text.includes(bad));
  if (/\d{4}-\d{2}-\d{2}/.test(text)) found.push('ISO date');
  if (/年0|月0/.test(text)) found.push('leading zero in a date');
  if (/[\p{Script=Han}，。；：（）] | [\p{Script=Han}，。；：（）]/u.test(text)) found.push('space beside Chinese text');
  // 《条例》 only after the full name was given with （以下简称《条例》）, and that only when it is used again.
  const body = text.split('\n依据：')[0];
  const defined = body.indexOf('（以下简称《条例》）');
  const firstShort = body.replace('（以下简称《条例》）', '').indexOf('《条例》');
  if (firstShort >= 0 && (defined < 0 || defined > firstShort)) found.push('《条例》 before it is defined');
  if (defined >= 0 && firstShort < 0) found.push('《条例》 defined but never used');
  if (body.split('《中华人民共和国政府信息公开条例》（以下简称').length > 2) found.push('defined twice');
  return found;
}

/** Received 2026-12-21: the due date falls in 2027, whose calendar is not loaded (provisional). */
const registeredLate: Step = ['registered', '2026-12-21', { channel: 'in_person' }];

/** Each scenario: a notice kind, the steps, and options. Built with and without the remedy settings. */
function scenarios(): Array<[string, NoticeKind, Step[], { items?: string[] }]> {
  const list: Array<[string, NoticeKind, Step[], { items?: string[] }]> = [
    ['receipt', 'receipt', [registered], {}],
    ['receipt, provisional due date', 'receipt', [registeredLate], {}],
    [
      'receipt after online confirmation',
      'receipt',
      [
        ['submitted', '2025-03-01', { channel: 'online' }],
        ['receipt_confirmed', '2025-03-03'],
      ],
      {},
    ],
    ['correction with a note ending in 。', 'correction', [registered, ['correction_requested', '2025-03-05', { correctionDueOn: '2025-03-20', note: '请写明文号。' }]], {}],
    ['correction without a note', 'correction', [registered, ['correction_requested', '2025-03-05', { correctionDueOn: '2025-03-20' }]], {}],
    ['extension, reason with 因 and 。', 'extension', [registered, ['extension_granted', '2025-03-20', { extraWorkingDays: 10, approvedBy: '王主任', reason: '因需调取档案，无法按期答复。' }]], {}],
    ['extension, provisional', 'extension', [registeredLate, ['extension_granted', '2026-12-28', { extraWorkingDays: 20, approvedBy: '王主任', reason: '需要调取档案' }]], {}],
    [
      'extension during a consultation',
      'extension',
      [registered, ['consultation_started', '2025-03-10', { party: 'third_party' }], ['extension_granted', '2025-03-20', { extraWorkingDays: 5, approvedBy: '王主任', reason: '需调取档案；' }]],
      {},
    ],
    ['delay with a reason ending in 。', 'delay', [registered, ['deadline_set', '2025-03-10', { dueOn: '2025-06-30', reason: '申请数量达300件，需协调发放时间。' }]], {}],
    [
      'delay after reasons were asked',
      'delay',
      [registered, ['reasons_requested', '2025-03-05', { note: '请说明用途' }], ['deadline_set', '2025-03-10', { dueOn: '2025-06-30', reason: '理由合理' }]],
      {},
    ],
    ['reasons', 'reasons', [registered, ['reasons_requested', '2025-03-05', { note: '请说明一个月内申请300件的用途。' }]], {}],
    ['reasons, provisional', 'reasons', [registeredLate, ['reasons_requested', '2026-12-22', { note: '请说明用途' }]], {}],
    ['consultation of a third party', 'consultation', [registered, ['consultation_started', '2025-03-10', { party: 'third_party', note: '涉及被处罚企业。' }]], {}],
    ['consultation of an agency', 'consultation', [registered, ['consultation_started', '2025-03-10', { party: 'agency' }]], {}],
    ['fee received later', 'fee', [registered, ['fee_notice_issued', '2025-03-10', { amountYuan: 500, deliveredOn: '2025-03-14', pausesClock: true, note: '按件计收。' }]], {}],
    ['fee not pausing', 'fee', [registered, ['fee_notice_issued', '2025-03-10', { amountYuan: 100, pausesClock: false }]], {}],
    ['fee, provisional payment date', 'fee', [registeredLate, ['fee_notice_issued', '2026-12-22', { amountYuan: 100 }]], {}],
    ['fee lapsed', 'reply', [registered, ['fee_notice_issued', '2025-03-04', { amountYuan: 100, deliveredOn: '2025-03-05' }], ['fee_lapsed', '2025-04-03']], {}],
    ['correction lapsed', 'reply', [registered, ['correction_requested', '2025-03-05', { correctionDueOn: '2025-03-20' }], ['correction_lapsed', '2025-03-21']], {}],
    ['withdrawal', 'reply', [registered, ['withdrawn', '2025-03-06']], {}],
    ['delivery by post', 'delivery', [registered, ['decided', '2025-03-20', { outcome: 'granted' }], ['delivered', '2025-03-24', { method: 'post', reference: 'EMS1098765432' }]], {}],
    ['delivery by e-mail', 'delivery', [registered, ['decided', '2025-03-20', { outcome: 'granted' }], ['delivered', '2025-03-20', { method: 'email' }]], {}],
  ];
  const reasons: Array<[string, Record<string, unknown>]> = [
    ['no reason', {}],
    ['a reason ending in 。', { reason: '涉及内部讨论。' }],
    ['a reason without end punctuation', { reason: '涉及个人隐私，且第三方不同意公开' }],
  ];
  for (const outcome of DECIDABLE_OUTCOMES) {
    for (const on of ['2023-12-29', '2025-03-20']) {
      const received: Step = on < '2024' ? ['registered', '2023-12-04', { channel: 'in_person' }] : registered;
      const before: Step[] =
        outcome === 'unable_unclear_after_correction'
          ? [
              ['correction_requested', on < '2024' ? '2023-12-05' : '2025-03-04', { correctionDueOn: on < '2024' ? '2023-12-15' : '2025-03-14' }],
              ['correction_received', on < '2024' ? '2023-12-06' : '2025-03-05'],
            ]
          : [];
      const extra: Step[] = outcome === 'not_processed_excessive' ? [['reasons_requested', on < '2024' ? '2023-12-07' : '2025-03-06', { note: '请说明用途' }]] : [];
      for (const [reasonName, reason] of reasons) {
        const referTo = outcome === 'unable_not_held' ? [{}, { referTo: { agency: '测试县住房和城乡建设局', contact: '0000-7654321' } }, { referTo: { agency: '测试县住房和城乡建设局' } }] : [{}];
        for (const r of referTo) {
          const repeat = outcome === 'not_processed_repeat' ? [{}, { repeatOf: { trackingNumber: '2024-000007', concludedOn: '2024-05-06' } }] : [{}];
          for (const p of repeat) {
            const decided = { outcome, ...reason, ...r, ...p };
            list.push([`${outcome} on ${on}, ${reasonName}`, 'reply', [received, ...before, ...extra, ['decided', on, decided]], {}]);
            // Two items: the first granted (or not held), the second with this outcome and its own reason.
            for (const first of ['granted', 'unable_not_held'] as Outcome[]) {
              const declared = outcome === 'granted' ? (first === 'granted' ? 'granted' : 'partially_granted') : first === 'granted' || outcome === 'partially_granted' ? 'partially_granted' : outcome;
              const items = [
                { item: 0, outcome: first },
                { item: 1, outcome, reason: reasonName === 'no reason' ? undefined : '该项涉及第三方商业秘密。' },
              ];
              list.push([
                `${outcome} as item 2 beside ${first}, ${on}, ${reasonName}`,
                'reply',
                [received, ...before, ...extra, ['decided', on, { ...decided, outcome: declared, itemOutcomes: items }]],
                { items: TWO_ITEMS },
              ]);
            }
          }
        }
      }
    }
  }
  return list;
}

describe('notices', () => {
  it('writes dates as 2025年6月20日', () => {
    expect([chineseDate('2025-06-20'), chineseDate('2026-01-05'), chineseDate('2024-12-31')]).toEqual(['2025年6月20日', '2026年1月5日', '2024年12月31日']);
  });

  it('no notice of any kind or outcome has doubled punctuation, placeholders, ISO dates or 暂定', () => {
    const built = new Set<string>();
    const bad: string[] = [];
    let refused = 0;
    for (const [name, kind, steps, opts] of scenarios()) {
      for (const bodies of [NO_REMEDY_BODIES, BODIES]) {
        let n: NoticeView;
        try {
          n = notice(kind, steps, { ...opts, bodies });
        } catch (e) {
          // Combinations the lifecycle refuses (a withheld item without any reason) have no notice.
          if (!(e instanceof DomainError)) throw e;
          refused++;
          continue;
        }
        const text = noticeText(n);
        built.add(kind === 'reply' ? `reply:${(steps.at(-1)![2]?.outcome as string) ?? steps.at(-1)![0]}` : kind);
        for (const d of defects(text)) bad.push(`${name} (${bodies.court ? 'settings' : 'no settings'}): ${d}\n${text}`);
      }
    }
    expect(bad.slice(0, 3)).toEqual([]);
    // Every kind, and the reply for every outcome (declared or produced by a step), was looked at.
    for (const kind of NOTICE_KINDS) if (kind !== 'reply') expect(built).toContain(kind);
    for (const o of DECIDABLE_OUTCOMES) expect(built).toContain(`reply:${o}`);
    for (const step of ['fee_lapsed', 'correction_lapsed', 'withdrawn']) expect(built).toContain(`reply:${step}`);
    expect(built.size).toBe(NOTICE_KINDS.length - 1 + DECIDABLE_OUTCOMES.length + 3);
    expect(refused).toBeLessThan(200);
    expect(OUTCOMES.length).toBe(DECIDABLE_OUTCOMES.length + 3);
  });

  it('cleans typed text: no "答复。，本机关", no "时间。。"', () => {
    const ext = noticeText(notice('extension', [registered, ['extension_granted', '2025-03-20', { extraWorkingDays: 10, approvedBy: '王主任', reason: '因需调取档案，无法按期答复。' }]]));
    expect(ext).toContain('因需调取档案，无法按期答复，本机关无法在');
    const delay = noticeText(notice('delay', [registered, ['deadline_set', '2025-03-10', { dueOn: '2025-06-30', reason: '申请数量达300件，需协调发放时间。' }]]));
    expect(delay).toContain('理由：申请数量达300件，需协调发放时间。');
    expect(delay).toContain('将于2025年6月30日前作出答复');
  });

  it('states a firm due date in words and a date, and a provisional one in words only', () => {
    expect(noticeText(notice('receipt', [registered]))).toContain('本机关将自收到申请之日起20个工作日内予以答复（即2025年3月31日前）');
    const provisional = noticeText(notice('receipt', [registeredLate]));
    expect(provisional).toContain('本机关将自收到申请之日起20个工作日内予以答复；');
    expect(provisional).not.toMatch(/2027/);
    expect(noticeText(notice('correction', [registered, ['correction_requested', '2025-03-05', { correctionDueOn: '2025-03-20' }]]))).toContain('请于2025年3月20日前补正');
  });

  it('D18: the fee notice gives the payment window from the day after receipt, with its last day', () => {
    const fee = noticeText(notice('fee', [registered, ['fee_notice_issued', '2025-03-10', { amountYuan: 100, deliveredOn: '2025-03-14' }]]));
    expect(fee).toContain('请自您收到本通知次日起20个工作日内（即2025年4月14日前）缴纳');
    expect(fee).toContain('信息处理费100.00元');
  });

  it('prints a clean basis line: the Regulations named once, in full', () => {
    const withheld = notice('reply', [registered, ['decided', '2025-03-20', { outcome: 'withheld_process_info', reason: '内部讨论记录' }]]);
    expect(withheld.basis).toBe('《中华人民共和国政府信息公开条例》第十六条第二款');
    const partial = notice(
      'reply',
      [
        registered,
        [
          'decided',
          '2025-03-20',
          {
            outcome: 'partially_granted',
            itemOutcomes: [
              { item: 0, outcome: 'granted' },
              { item: 1, outcome: 'withheld_third_party_rights', reason: '个人隐私' },
            ],
          },
        ],
      ],
      { items: TWO_ITEMS },
    );
    expect(partial.basis).toBe('《中华人民共和国政府信息公开条例》第三十七条、第十五条、第三十二条');
    const fee = notice('reply', [registered, ['fee_notice_issued', '2025-03-04', { amountYuan: 100 }], ['fee_lapsed', '2025-04-03']]);
    expect(fee.basis).toBe('《中华人民共和国政府信息公开条例》第四十二条；《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）');
    expect(noticeText(notice('reply', [registered, ['withdrawn', '2025-03-06']]))).not.toContain('依据');
  });

  it('D1: a two-item reply lists every item with its outcome and ground', () => {
    const n = notice(
      'reply',
      [
        registered,
        [
          'decided',
          '2025-03-20',
          {
            outcome: 'partially_granted',
            reason: '会议记录属于过程性信息',
            itemOutcomes: [
              { item: 0, outcome: 'granted' },
              { item: 1, outcome: 'withheld_process_info' },
            ],
          },
        ],
      ],
      { items: TWO_ITEMS },
    );
    expect(n.paragraphs).toEqual([
      '本机关于2025年3月3日收到您提出的政府信息公开申请（申请编号：2025-000042）。根据《中华人民共和国政府信息公开条例》（以下简称《条例》）的规定，现对您申请的各项内容分别答复如下：',
      '一、2024年度某小区规划许可证：予以公开。',
      '二、该许可证的审批会议记录：不予公开（属于四类过程性信息）。理由：会议记录属于过程性信息。依据《条例》第十六条第二款。',
      '根据《条例》第三十六条第（二）项，对予以公开的信息，本机关按您选择的获取方式提供：电子数据（网上查阅或下载）。',
    ]);
  });

  it('a single-item reply is one natural paragraph', () => {
    const n = notice('reply', [registered, ['decided', '2025-03-20', { outcome: 'withheld_third_party_rights', reason: '涉及他人个人隐私' }]]);
    expect(n.paragraphs).toHaveLength(2);
    expect(n.paragraphs[1]).toBe(
      '经审查，您申请公开的政府信息涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害。根据《条例》第十五条、第三十二条，本机关决定不予公开。理由：涉及他人个人隐私。',
    );
  });

  it('D21: a not-held reply names the agency that holds the information and its contact', () => {
    const text = noticeText(notice('reply', [registered, ['decided', '2025-03-20', { outcome: 'unable_not_held', referTo: { agency: '测试县住房和城乡建设局', contact: '0000-7654321' } }]]));
    expect(text).toContain(
      '经检索，本机关未制作或者获取您申请公开的政府信息。根据《条例》第三十六条第（五）项，现告知您：该政府信息由测试县住房和城乡建设局掌握，联系方式：0000-7654321，您可以向其提出申请。',
    );
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    [
      'a repeat request (Art. 36(六))',
      { outcome: 'not_processed_repeat', repeatOf: { trackingNumber: '2024-000007', concludedOn: '2024-05-06' } },
      ['本机关已于2024年5月6日就您申请公开的相同政府信息作出答复（申请编号：2024-000007）', '本机关不予重复处理'],
    ],
    ['a petition (Art. 39(1))', { outcome: 'not_processed_petition_complaint' }, ['根据《条例》第三十九条第一款，本机关不作为政府信息公开申请处理，您可以通过信访、投诉、举报等相应渠道提出']],
    ['a publication (Art. 39(2))', { outcome: 'not_processed_publication' }, ['根据《条例》第三十九条第二款，本机关不作为政府信息公开申请处理，您可以通过公开出版物的发行、销售、借阅等途径获取']],
    [
      'an excessive request (Art. 35)',
      { outcome: 'not_processed_excessive', reason: '一个月内申请300件且理由不合理' },
      ['根据《条例》第三十五条，本机关不予处理。理由：一个月内申请300件且理由不合理。'],
    ],
    ['information to be created (Art. 38)', { outcome: 'unable_needs_creation' }, ['根据《条例》第三十八条', '本机关不需要另行制作或者加工、分析，因此无法提供']],
    ['a request to confirm or reissue', { outcome: 'not_processed_confirm_or_reissue' }, ['本机关不予处理']],
  ])('%s has its own wording', (_name, decided, phrases) => {
    const text = noticeText(notice('reply', [registered, ['decided', '2025-03-20', decided]]));
    for (const p of phrases) expect(text).toContain(p);
  });

  it('the reasons notice (Art. 35) asks for the reasons and says the period is not suspended', () => {
    const text = noticeText(notice('reasons', [registered, ['reasons_requested', '2025-03-05', { note: '请说明一个月内申请300件的用途' }]]));
    expect(text).toContain('请您以书面形式向本机关说明申请理由：请说明一个月内申请300件的用途。');
    expect(text).toContain('要求说明理由不中止答复期限，本机关将在答复期限内（即2025年3月31日前）依法处理您的申请。');
  });

  it('D17: the 送达回证 has its form lines and, on paper, signature lines', () => {
    const n = notice('delivery', [registered, ['decided', '2025-03-20', { outcome: 'granted' }], ['delivered', '2025-03-24', { method: 'post', reference: 'EMS1098765432' }]]);
    expect(n.fields).toEqual([
      { label: '受送达人', value: '钱七' },
      { label: '送达文书名称', value: '政府信息公开申请答复告知书' },
      { label: '申请编号', value: '2025-000042' },
      { label: '送达方式', value: '邮寄' },
      { label: '送达日期', value: '2025年3月24日' },
      { label: '送达凭证', value: 'EMS1098765432' },
    ]);
    expect(n.signatures.join()).toContain('受送达人签收');
    expect(notice('delivery', [registered, ['decided', '2025-03-20', { outcome: 'granted' }], ['delivered', '2025-03-20', { method: 'email' }]]).signatures).toEqual([]);
  });

  it('D19: a withdrawal before receipt has no reply notice', () => {
    expect(noticeEventIndex('reply', [{ type: 'submitted' }, { type: 'withdrawn' }])).toBe(-1);
    expect(noticeEventIndex('reply', [{ type: 'submitted' }, { type: 'receipt_confirmed' }, { type: 'withdrawn' }])).toBe(2);
  });
});
