import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CalendarService } from '../calendar/calendar.service';
import { Clock } from '../common/clock';
import { APPLICANT_TYPES, OPEN_WORK_STATUSES, Outcome, OUTCOME_INFO, OUTCOMES } from '../domain/lifecycle';
import { InformationRequestEntity } from '../requests/entities/information-request.entity';
import { whereConfirmationOverdue } from '../requests/awaiting-confirmation.service';

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

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The figures of the staff home page and of GET /api/v1/dashboard, from the records. */
@Injectable()
export class DashboardService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly calendars: CalendarService,
    private readonly clock: Clock,
  ) {}

  async stats(year: number): Promise<DashboardStats> {
    const start = `${year}-01-01`;
    const end = `${year}-12-31`;
    const today = this.clock.today();
    const repo = this.dataSource.manager;
    const monthly = await repo
      .createQueryBuilder(InformationRequestEntity, 'r')
      .select('SUBSTR(r.received_on, 6, 2)', 'm')
      .addSelect('r.applicant_type', 't')
      .addSelect('COUNT(*)', 'n')
      .where('r.received_on >= :start AND r.received_on <= :end', { start, end })
      .groupBy('m')
      .addGroupBy('t')
      .getRawMany<{ m: string; t: string; n: string | number }>();
    const receivedByMonth = Array.from({ length: 12 }, (_, i) => ({ month: i + 1, byType: Object.fromEntries(APPLICANT_TYPES.map((t) => [t, 0])) as Record<string, number>, total: 0 }));
    for (const row of monthly) {
      const m = receivedByMonth[Number(row.m) - 1];
      if (!m || !(row.t in m.byType)) continue;
      m.byType[row.t] += Number(row.n);
      m.total += Number(row.n);
    }
    const concludedRows = await repo
      .createQueryBuilder(InformationRequestEntity, 'r')
      .select(['r.receivedOn', 'r.concludedOn', 'r.dueOn', 'r.outcome'])
      .where('r.concluded_on >= :start AND r.concluded_on <= :end AND r.received_on IS NOT NULL', { start, end })
      .getMany();
    const outcomeCounts = new Map<string, number>();
    let onTime = 0;
    let withDue = 0;
    const calendar = await this.calendars.current();
    const days: number[] = [];
    for (const r of concludedRows) {
      outcomeCounts.set(r.outcome ?? 'unknown', (outcomeCounts.get(r.outcome ?? 'unknown') ?? 0) + 1);
      if (r.dueOn) {
        withDue++;
        if (r.concludedOn! <= r.dueOn) onTime++;
      }
      days.push(calendar.countWorkingDays(r.receivedOn!, r.concludedOn!).count);
    }
    const openQb = () => repo.createQueryBuilder(InformationRequestEntity, 'r').where('r.status IN (:...openStatuses)', { openStatuses: OPEN_WORK_STATUSES });
    const [openNow, overdueNow, awaitingConfirmation, awaitingConfirmationLate] = await Promise.all([
      openQb().getCount(),
      openQb().andWhere('r.due_on < :today', { today }).getCount(),
      repo.countBy(InformationRequestEntity, { status: 'awaiting_confirmation' }),
      whereConfirmationOverdue(repo.createQueryBuilder(InformationRequestEntity, 'r'), calendar, today).getCount(),
    ]);
    return {
      year,
      receivedByMonth,
      outcomes: OUTCOMES.filter((o) => outcomeCounts.get(o)).map((o) => ({ outcome: o, count: outcomeCounts.get(o)! })),
      concluded: concludedRows.length,
      answeredOnTime: onTime,
      onTimeShare: withDue ? onTime / withDue : null,
      medianWorkingDaysToReply: median(days),
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
