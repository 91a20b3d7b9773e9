import { article29Gaps } from './article29';
import { isPossibleRepeat, NOT_ANSWERED_OUTCOMES, REPEAT_SIMILARITY, textSimilarity } from './repeat-request';

describe('Art. 29: identity and a way to reach the applicant', () => {
  it('a complete natural person has no gaps', () => {
    expect(article29Gaps({ type: 'natural_person', idDocumentNumber: '11010519491231002X', phone: '13800138000' })).toEqual({});
  });
  it('a natural person without an ID number and without any contact gets both messages', () => {
    expect(article29Gaps({ type: 'natural_person' })).toEqual({
      'applicant.idDocumentNumber': '请填写身份证明号码（《条例》第二十九条）。',
      'applicant.phone': '请至少填写一种联系方式：电话、电子邮箱或通信地址。',
    });
  });
  it('an organisation needs a credit code or, failing that, an ID number', () => {
    expect(article29Gaps({ type: 'commercial_enterprise', address: '某市某路 1 号' })).toEqual({ 'applicant.organisationCode': '请填写统一社会信用代码（《条例》第二十九条）。' });
    expect(article29Gaps({ type: 'commercial_enterprise', organisationCode: '91350100M000100Y43', email: 'a@b.cn' })).toEqual({});
    expect(article29Gaps({ type: 'commercial_enterprise', idDocumentNumber: '11010519491231002X', email: 'a@b.cn' })).toEqual({});
  });
});

describe('Art. 36(六): similar earlier requests', () => {
  it('ignores spaces and punctuation, and is symmetric', () => {
    expect(textSimilarity('2024 年 财政 预算！', '2024年财政预算')).toBe(1);
    expect(textSimilarity('某路段拓宽工程的批复文件', '某路段拓宽工程批复文件')).toBe(textSimilarity('某路段拓宽工程批复文件', '某路段拓宽工程的批复文件'));
  });
  it('scores shared bigrams (Dice), rounded to two places', () => {
    // ab bc cd vs ab bc ce: 2 shared of 3 + 3 → 0.67
    expect(textSimilarity('abcd', 'abce')).toBe(0.67);
    expect(textSimilarity('甲乙', '丙丁')).toBe(0);
    expect(textSimilarity('甲', '乙')).toBe(0);
  });
  it('shows earlier requests from the threshold up', () => {
    expect(isPossibleRepeat(REPEAT_SIMILARITY)).toBe(true);
    expect(isPossibleRepeat(REPEAT_SIMILARITY - 0.01)).toBe(false);
  });
});

describe('outcomes that answered nothing', () => {
  it('are the three of row （六）', () => {
    expect([...NOT_ANSWERED_OUTCOMES].sort()).toEqual(['other_other', 'other_overdue_correction', 'other_unpaid_fee']);
  });
});
