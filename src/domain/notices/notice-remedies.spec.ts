import { noticeText } from './notice-builder';
import { BODIES, notice, registered, TWO_ITEMS } from './notice-builder.fixture';

describe('notices', () => {
  describe('D16: remedies in force on the reply date, naming the settings', () => {
    const withheld = (on: string) =>
      noticeText(
        notice(
          'reply',
          [
            ['registered', '2023-12-04', { channel: 'in_person' }],
            ['decided', on, { outcome: 'withheld_state_secret', reason: '已定密' }],
          ],
          { bodies: BODIES },
        ),
      );
    const granted = (on: string) =>
      noticeText(
        notice(
          'reply',
          [
            ['registered', '2023-12-04', { channel: 'in_person' }],
            ['decided', on, { outcome: 'granted' }],
          ],
          { bodies: BODIES },
        ),
      );

    it('a withholding reply from 2024: review first, at the named organ, then the named court', () => {
      const text = withheld('2024-01-02');
      expect(text).toContain(
        '对本机关不予公开的决定不服的，应当依照《中华人民共和国行政复议法》第二十三条第一款第（四）项的规定先申请行政复议：自收到本告知书之日起六十日内向测试县人民政府申请行政复议，对行政复议决定不服的，可以自收到行政复议决定书之日起十五日内向测试县人民法院提起行政诉讼。',
      );
      expect(text).not.toContain('六个月');
    });

    it('a withholding reply of 2023 and any granting reply: review within 60 days or suit within six months', () => {
      expect(withheld('2023-12-29')).toContain(
        '如对本答复不服，可以自收到本告知书之日起六十日内向测试县人民政府申请行政复议，也可以自收到本告知书之日起六个月内向测试县人民法院提起行政诉讼（《中华人民共和国行政复议法》第九条第一款、《中华人民共和国行政诉讼法》第四十六条第一款）。',
      );
      expect(granted('2023-12-29')).toContain('《中华人民共和国行政复议法》第九条第一款');
      const later = granted('2024-01-02');
      expect(later).toContain(
        '如对本答复不服，可以自收到本告知书之日起六十日内向测试县人民政府申请行政复议，也可以自收到本告知书之日起六个月内向测试县人民法院提起行政诉讼（《中华人民共和国行政复议法》第二十条第一款、《中华人民共和国行政诉讼法》第四十六条第一款）。',
      );
      expect(later).not.toContain('的规定先申请行政复议');
    });

    it('a partial reply from 2024: review first for the withheld part, either remedy for the rest', () => {
      const text = noticeText(
        notice(
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
                  { item: 1, outcome: 'withheld_process_info', reason: '讨论记录' },
                ],
              },
            ],
          ],
          { items: TWO_ITEMS, bodies: BODIES },
        ),
      );
      expect(text).toContain('对本答复中不予公开的部分不服的，应当依照《中华人民共和国行政复议法》第二十三条第一款第（四）项的规定先申请行政复议');
      expect(text).toContain('；对本答复的其他内容不服的，可以自收到本告知书之日起六十日内向测试县人民政府申请行政复议，也可以自收到本告知书之日起六个月内向测试县人民法院提起行政诉讼。');
    });

    it('without settings: a neutral wording, never a blank', () => {
      const text = noticeText(notice('reply', [registered, ['decided', '2025-03-20', { outcome: 'withheld_state_secret', reason: '已定密' }]]));
      expect(text).toContain('六十日内依法向行政复议机关申请行政复议');
      expect(text).toContain('十五日内依法向有管辖权的人民法院提起行政诉讼');
    });

    it('names kept with the step win over the current settings (the notice reads as sent)', () => {
      const text = noticeText(
        notice('reply', [registered, ['decided', '2025-03-20', { outcome: 'granted', remedyBodies: { reviewOrgan: '旧县人民政府', court: '旧县人民法院' } }]], { bodies: BODIES }),
      );
      expect(text).toContain('向旧县人民政府申请行政复议');
      expect(text).toContain('向旧县人民法院提起行政诉讼');
    });
  });
});
