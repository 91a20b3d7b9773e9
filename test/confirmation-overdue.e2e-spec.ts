import request from 'supertest';
import { CalendarService } from '../src/calendar/calendar.service';
import { isConfirmationOverdue } from '../src/domain/lifecycle';
import { DailyDigestService } from '../src/notifications/daily-digest.service';
import { MailWorker } from '../src/notifications/mail-worker';
import { applicant, CLERK_PASSWORD, Desk, Registered, signIn, staffWithToken } from './support/builders';
import { SmtpSink } from './support/smtp-sink';
import { createTestApp, TestApp } from './support/test-app';

/**
 * D19: submissions unconfirmed for more than one working day are flagged on the dashboard, the
 * awaiting list and the daily digest; withdrawn submissions are never counted as open or awaiting.
 */
describe('Unconfirmed submissions', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let clerk: { Authorization: string };
  let desk: Desk;
  const filed: Record<string, Registered> = {};

  /** Files an online submission at a given instant (UTC). */
  const fileAt = async (key: string, instant: string) => {
    t.clock.setNow(instant);
    filed[key] = await desk.file({ description: `申请公开某停车场收费批复（${key}）` });
  };
  const dashboard = async () => (await request(t.http).get('/api/v1/dashboard?year=2025').set(clerk).expect(200)).body;

  beforeAll(async () => {
    sink = new SmtpSink();
    await sink.start();
    t = await createTestApp({ SMTP_URL: sink.url });
    ({ auth: clerk } = await staffWithToken(t, 'ledger_clerk'));
    desk = new Desk(t, clerk, { applicant: applicant('natural_person', '吴十', { phone: '13700000000' }) });

    // Today will be Monday 16 June 2025 (Shanghai); the cut-off is Friday 13 June, which began at 2025-06-12T16:00Z.
    await fileAt('lateThursdayNight', '2025-06-12T15:59:00Z'); // Thu 23:59 in Shanghai: late
    await fileAt('fridayMidnight', '2025-06-12T16:00:00Z'); // Fri 00:00 in Shanghai: its working day is Monday
    await fileAt('saturday', '2025-06-14T02:00:00Z');
    await fileAt('lastMonday', '2025-06-09T02:00:00Z'); // late
    await fileAt('withdrawn', '2025-06-10T02:00:00Z'); // would be late, but withdrawn
    await fileAt('confirmed', '2025-06-11T02:00:00Z'); // would be late, but confirmed
    t.clock.setNow('2025-06-16T02:00:00Z');
  }, 60_000);
  afterAll(async () => {
    await t.close();
    await sink.stop();
  });

  it('withdrawn submissions are counted neither as awaiting nor as open', async () => {
    const before = await dashboard();
    expect(before).toMatchObject({ awaitingConfirmation: 6, openNow: 0 });
    await desk.step(filed.withdrawn.id, { type: 'withdrawn', on: '2025-06-16' }).expect(201);
    await desk.step(filed.confirmed.id, { type: 'receipt_confirmed', on: '2025-06-16' }).expect(201);
    expect(await dashboard()).toMatchObject({ awaitingConfirmation: 4, openNow: 1 });
  });

  it('the dashboard API counts the late ones: submitted before the working day before today', async () => {
    expect(await dashboard()).toMatchObject({ awaitingConfirmation: 4, awaitingConfirmationLate: 2 });
  });

  it('the SQL count agrees with the domain predicate, day after day', async () => {
    const calendar = await t.app.get(CalendarService).current();
    const submittedOn = async (id: string) => (await request(t.http).get(`/api/v1/requests/${id}`).set(clerk).expect(200)).body.events[0].on as string;
    const awaiting = await Promise.all(['lateThursdayNight', 'fridayMidnight', 'saturday', 'lastMonday'].map((k) => submittedOn(filed[k].id)));
    const counts: Array<[string, number, number]> = [];
    for (const now of ['2025-06-13T02:00:00Z', '2025-06-16T02:00:00Z', '2025-06-16T15:59:59Z', '2025-06-16T16:00:00Z', '2025-06-18T02:00:00Z']) {
      t.clock.setNow(now);
      const today = t.clock.today();
      const domain = awaiting.filter((s) => isConfirmationOverdue({ status: 'awaiting_confirmation', submittedOn: s }, calendar, today)).length;
      counts.push([now, (await dashboard()).awaitingConfirmationLate, domain]);
    }
    t.clock.setNow('2025-06-16T02:00:00Z');
    expect(counts.map(([now, sql, domain]) => [now, sql - domain])).toEqual(counts.map(([now]) => [now, 0]));
    expect(counts.map(([, sql]) => sql)).toEqual([1, 2, 2, 4, 4]);
  });

  it('the dashboard page shows a tile, and the awaiting list marks the late ones, oldest first', async () => {
    const agent = await signIn(t, { username: 'ledger_clerk', password: CLERK_PASSWORD });
    const home = (await agent.get('/staff').expect(200)).text;
    expect(home).toMatch(/<a class="tile danger" id="awaiting-late" href="\/staff\/awaiting#late"><span class="num">2<\/span><span>超过 1 个工作日未确认<\/span><\/a>/);
    const page = (await agent.get('/staff/awaiting').expect(200)).text;
    expect(page).toContain('其中 2 件已超过 1 个工作日未确认（2025-06-13 之前提交）');
    const rows = [...page.matchAll(/<tr class="(overdue|)">\s*<td><a href="\/staff\/requests\/[^"]+">([^<]+)<\/a>/g)].map((m) => [m[2], m[1] === 'overdue']);
    expect(rows).toEqual([
      [filed.lastMonday.trackingNumber, true],
      [filed.lateThursdayNight.trackingNumber, true],
      [filed.fridayMidnight.trackingNumber, false],
      [filed.saturday.trackingNumber, false],
    ]);
  });

  it('the daily digest lists them, and never a withdrawn submission', async () => {
    await t.dataSource.query(`UPDATE staff_user SET email = 'officer@agency.test'`);
    const result = await t.app.get(DailyDigestService).sendDailyDigest();
    expect(result).toMatchObject({ ran: true, awaitingLate: 2 });
    sink.messages.length = 0;
    while ((await t.app.get(MailWorker).runOnce()) > 0);
    const mail = sink.messages.find((m) => m.subject?.includes('每日提醒'))!;
    expect(mail.subject).toContain('超时未确认收到 2 件');
    const [section] = mail.text!.split('已逾期');
    expect(section).toContain('超过 1 个工作日未确认收到（2 件）');
    expect(section).toContain(`${filed.lastMonday.trackingNumber}：2025-06-09 提交`);
    expect(section).toContain(`${filed.lateThursdayNight.trackingNumber}：2025-06-12 提交`);
    expect(section).not.toContain(filed.fridayMidnight.trackingNumber);
    expect(mail.text).not.toContain(filed.withdrawn.trackingNumber);
    expect(mail.html).toContain(filed.lastMonday.trackingNumber);
    expect(mail.text).not.toContain('吴十');
  });
});
