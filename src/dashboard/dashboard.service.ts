import { inAgencyScope, scopedAgencyId } from '../agencies/agency-scope';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CalendarService } from '../calendar/calendar.service';
import { Clock } from '../common/clock';
import { InjectReadDataSource } from '../database/read-data-source';
import { addDays, IsoDate } from '../domain/calendar';
import { APPLICANT_TYPES, Outcome, OUTCOME_INFO, OUTCOMES } from '../domain/lifecycle';
import { InformationRequestEntity } from '../requests/entities/information-request.entity';
import { countRequests } from '../requests/request-list-query';
import { whereConfirmationOverdue } from '../requests/awaiting-confirmation.service';
import { outcomesOfYear, receivedPerMonth, replyDateRange, replyWorkingDays } from '../requests/request-tally';

export interface DashboardStats {
  year: number;
  receivedByMonth: Array<{ month: number; byType: Record<string, number>; total: number }>;
  outcomes: Array<{ outcome: string; count: number }>;
  concluded: number;
  answeredOnTime: number;
  onTimeShare: number | null;
  medianWorkingDaysToReply: number | null;
  openNow: number;
  overdueNow: number;
  awaitingConfirmation: number;
  /** D19: of those, submitted more than CONFIRMATION_WORKING_DAYS working days ago. */
  awaitingConfirmationLate: number;
}

type YearFigures = Pick<DashboardStats, 'year' | 'receivedByMonth' | 'outcomes' | 'concluded' | 'answeredOnTime' | 'onTimeShare' | 'medianWorkingDaysToReply'>;

/** How old the staff home's copy of the year's figures may be before a new one is computed. */
export const HOME_FIGURES_MAX_AGE_MS = 60_000;

/** The median of values given with their counts: the middle one, or the mean of the two middle ones. */
export function weightedMedian(values: Array<[value: number, count: number]>): number | null {
  const total = values.reduce((n, [, c]) => n + c, 0);
  if (!total) return null;
  const sorted = [...values].sort((a, b) => a[0] - b[0]);
  const at = (index: number) => {
    let seen = 0;
    for (const [v, c] of sorted) if ((seen += c) > index) return v;
    return sorted[sorted.length - 1][0];
  };
  const mid = Math.floor(total / 2);
  return total % 2 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
}

/** The figures of the staff home page and of GET /api/v1/dashboard, from the records. */
@Injectable()
export class DashboardService {
  constructor(
    /** Reads only, through the reader that never queues behind a write (src/database/read-data-source.ts). */
    @InjectReadDataSource() private readonly dataSource: DataSource,
    private readonly calendars: CalendarService,
    private readonly clock: Clock,
  ) {}

  /** Every figure, computed now (GET /api/v1/dashboard). */
  async stats(year: number): Promise<DashboardStats> {
    const figures = await this.yearFigures(year);
    return { ...figures, ...(await this.nowCounts()) };
  }

  /**
   * The staff home's figures: the counts of now (open, overdue, awaiting) live, the year's figures
   * from a copy at most HOME_FIGURES_MAX_AGE_MS old. An older copy is shown while a new one is
   * computed in the background (one at a time per year), so no page load waits for the year's
   * aggregates; the page says as of when they are.
   */
  async homeStats(year: number): Promise<{ stats: DashboardStats; figuresAsOf: string }> {
    const now = this.clock.now().getTime();
    // One copy per agency and year: each agency sees its own figures (D22).
    const key = `${scopedAgencyId() ?? ''}:${year}`;
    let entry = this.homeFigures.get(key);
    if (!entry) {
      if (this.homeFigures.size >= 16) this.homeFigures.clear();
      const asOf = this.clock.nowIso();
      entry = { at: now, asOf, figures: await this.yearFigures(year), refreshing: false };
      this.homeFigures.set(key, entry);
    } else if (now - entry.at >= HOME_FIGURES_MAX_AGE_MS && !entry.refreshing) {
      const stale = entry;
      stale.refreshing = true;
      const asOf = this.clock.nowIso();
      void this.yearFigures(year)
        .then((figures) => this.homeFigures.set(key, { at: now, asOf, figures, refreshing: false }))
        .catch(() => (stale.refreshing = false));
    }
    return { stats: { ...entry.figures, ...(await this.nowCounts()) }, figuresAsOf: entry.asOf };
  }

  private readonly homeFigures = new Map<string, { at: number; asOf: string; figures: YearFigures; refreshing: boolean }>();

  private async yearFigures(year: number): Promise<YearFigures> {
    const start = `${year}-01-01`;
    const end = `${year}-12-31`;
    const repo = this.dataSource.manager;
    // Sums over the tallies (request-tally.ts): a few thousand rows however many requests.
    const receivedByMonth = Array.from({ length: 12 }, (_, i) => ({ month: i + 1, byType: Object.fromEntries(APPLICANT_TYPES.map((t) => [t, 0])), total: 0 }));
    for (const row of await receivedPerMonth(repo, year)) {
      const m = receivedByMonth[Number(row.month.slice(5, 7)) - 1];
      if (!m || !(row.type in m.byType)) continue;
      m.byType[row.type] += row.n;
      m.total += row.n;
    }
    // Replies of the year by working days from receipt, and outcomes of the year.
    const outcomeCounts = await outcomesOfYear(repo, year);
    const calendar = await this.calendars.current();
    // Each day from the earliest receipt of the year's replies to the year's end, numbered by the
    // working days before it with the calendar's own count; SQL takes the differences
    // (replyWorkingDays). A reply recorded meanwhile with an earlier receipt: number more days.
    const numberDays = (lo: IsoDate) => {
      const ordinals: Array<[IsoDate, number]> = [[lo, 0]];
      for (let day = lo, count = 0; day < end;) {
        const next = addDays(day, 1);
        count += calendar.countWorkingDays(day, next).count;
        ordinals.push([(day = next), count]);
      }
      return ordinals;
    };
    const readGroups = async () => {
      for (let attempt = 0; attempt < 5; attempt++) {
        const range = await replyDateRange(repo, start, end);
        const read = await replyWorkingDays(repo, start, end, numberDays(range && range.lo < start ? range.lo : start));
        if (!read.missing) return read.groups;
      }
      throw new Error('replies kept being recorded with earlier dates of receipt while the dashboard was read');
    };
    const groups = await readGroups();
    let concluded = 0;
    let onTime = 0;
    let withDue = 0;
    const days: Array<[days: number, count: number]> = [];
    for (const g of groups) {
      concluded += g.n;
      onTime += g.onTime;
      withDue += g.dated;
      if (g.n) days.push([g.days, g.n]);
    }
    return {
      year,
      receivedByMonth,
      outcomes: OUTCOMES.filter((o) => outcomeCounts.get(o)).map((o) => ({ outcome: o, count: outcomeCounts.get(o)! })),
      concluded,
      answeredOnTime: onTime,
      onTimeShare: withDue ? onTime / withDue : null,
      medianWorkingDaysToReply: weightedMedian(days),
    };
  }

  /** Open, overdue and awaiting confirmation today: ranges of the open and status indexes. */
  private async nowCounts(): Promise<Omit<DashboardStats, keyof YearFigures>> {
    const today = this.clock.today();
    const repo = this.dataSource.manager;
    const calendar = await this.calendars.current();
    // Exact counts from the tallies (request-tally.ts).
    const openNow = await countRequests(repo, { status: 'open' }, today);
    const overdueNow = await countRequests(repo, { overdue: 'true' }, today);
    // Awaiting confirmation and, of those, the late ones (D19): one range of the status index.
    const awaiting = await whereConfirmationOverdue(inAgencyScope(repo.createQueryBuilder(InformationRequestEntity, 'r'), 'r'), calendar, today)
      .select('COUNT(*)', 'late')
      .getRawOne<{ late: string | number }>();
    const agencyId = scopedAgencyId();
    const awaitingConfirmation = await repo.countBy(InformationRequestEntity, agencyId === null ? { status: 'awaiting_confirmation' } : { status: 'awaiting_confirmation', agencyId });
    const awaitingConfirmationLate = Number(awaiting?.late ?? 0);
    return {
      openNow,
      overdueNow,
      awaitingConfirmation,
      awaitingConfirmationLate,
    };
  }
}

export function outcomeShortLabel(o: string): string {
  const info = OUTCOME_INFO[o as Outcome];
  return info ? `${info.row}${info.label.length > 12 ? info.label.slice(0, 11) + '…' : info.label}` : o;
}
