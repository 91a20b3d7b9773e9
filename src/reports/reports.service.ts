import { currentAgencyId } from '../agencies/agency-scope';
import { AgenciesService } from '../agencies/agencies.service';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { Clock } from '../common/clock';
import { COUNTED_SQL, positionCase, rowConditionSql } from './section3-sql';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { NotFoundError, ValidationFailedError } from '../domain/errors';
import {
  bucketOf,
  checkCarryOver,
  CheckResult,
  compileSection3,
  compileSection4,
  defaultFormatFor,
  ReportFormat,
  REPORT_FORMATS,
  ReviewCaseRecord,
  rowsOf,
  section3Rows,
  Section3Bucket,
  Section3Table,
  SECTION3_COLUMNS,
  Section4Basis,
  section4CellOf,
  SECTION4_COLUMNS,
  SECTION4_GROUPS,
  Section4Table,
  YearPosition,
  section3RowCondition,
  section3BasisText,
  section4BasisText,
  carriedFromRecords,
} from '../domain/report';
import { InformationRequestEntity } from '../requests/entities/information-request.entity';
import { APPLICANT_TYPE_LABELS, ApplicantType, Outcome, outcomeLabel } from '../domain/lifecycle';

export interface CellItemView {
  id: string;
  trackingNumber: string;
  applicantTypeLabel: string;
  receivedOn: string | null;
  concludedOn: string | null;
  outcomeLabel: string | null;
}
import { ReviewCasesService } from '../review-cases/review-cases.service';
import { latestPublication, PublicationSummary, toPublicationSummary } from './publication-store';
import { SettingsService } from './settings.service';
import { reportCellTotal } from './report-cell-tally';
import { InjectReadDataSource } from '../database/read-data-source';

export const MIN_REPORT_YEAR = 2008;

export interface Section3Report {
  year: number;
  format: ReportFormat;
  columns: string[];
  rows: Record<string, number[]>;
  checks: Array<Omit<CheckResult, 'severity'> & { severity: string }>;
  basis: Record<string, string>;
}

export interface Section4Report {
  year: number;
  review: Record<string, number>;
  litigation_direct: Record<string, number>;
  litigation_after_review: Record<string, number>;
  basis: Record<string, string>;
}

export interface AnnualReport {
  year: number;
  format: ReportFormat;
  agencyName: string;
  section3: Section3Report;
  section4: Section4Report;
  table3: Section3Table;
  table4: Section4Table;
  /** The latest publication of the year (D20 keeps them all; see ReportPublicationsService). */
  published: PublicationSummary | null;
}

/** The 统计口径 lines of Section 4; a publication stores all lines in one object (as release 0.1 did). */

const PAGE_SIZE = 50;

@Injectable()
export class ReportsService {
  constructor(
    /** Reads only (publishing passes its own transaction's manager): the reader of src/database/read-data-source.ts. */
    @InjectReadDataSource() private readonly dataSource: DataSource,
    private readonly settings: SettingsService,
    private readonly reviewCases: ReviewCasesService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly agencies: AgenciesService,
  ) {}

  parseYear(raw: unknown): number {
    const year = Number(raw);
    const max = Number(this.clock.today().slice(0, 4));
    if (!Number.isInteger(year) || year < MIN_REPORT_YEAR || year > max) {
      throw new ValidationFailedError({ year: `年份必须是 ${MIN_REPORT_YEAR} 到 ${max} 之间的整数。` });
    }
    return year;
  }

  parseFormat(raw: unknown, year: number): ReportFormat {
    if (raw === undefined || raw === null || raw === '') return defaultFormatFor(year);
    if (!(REPORT_FORMATS as unknown[]).includes(raw)) throw new ValidationFailedError({ format: '表式必须是 2019 或 2021。' });
    return raw as ReportFormat;
  }

  /** One GROUP BY over the covering index; the domain does the rest (D1–D4). */
  async section3Buckets(year: number, m: EntityManager = this.dataSource.manager): Promise<Section3Bucket[]> {
    const start = `${year}-01-01`;
    const end = `${year}-12-31`;
    const rows = await m
      .createQueryBuilder(InformationRequestEntity, 'r')
      .select('r.applicant_type', 't')
      .addSelect(positionCase('r.received_on', false), 'rb')
      .addSelect(positionCase('r.concluded_on', true), 'cb')
      .addSelect(`CASE WHEN r.concluded_on <= :end THEN r.outcome ELSE NULL END`, 'oc')
      .addSelect('COUNT(*)', 'n')
      .where(COUNTED_SQL)
      .andWhere('r.agency_id = :agencyId')
      .setParameters({ start, end, agencyId: currentAgencyId() })
      .groupBy('t')
      .addGroupBy('rb')
      .addGroupBy('cb')
      .addGroupBy('oc')
      .getRawMany<{ t: string; rb: YearPosition; cb: YearPosition | 'open'; oc: string | null; n: string | number }>();
    return rows.map((r) => ({ applicantType: r.t, received: r.rb, concluded: r.cb, outcome: r.oc, count: Number(r.n) }));
  }

  async compileSection3(year: number, format: ReportFormat, m: EntityManager = this.dataSource.manager): Promise<{ table: Section3Table; report: Section3Report }> {
    const buckets = await this.section3Buckets(year, m);
    const table = compileSection3(buckets, year, format);
    // R5 against last year's latest publication. Without one, last year's 四 computed from the records
    // is, by definition (D4), the same set as this year's 二: no second query is needed to know it.
    const previous = await latestPublication(m, year - 1);
    table.checks.push(
      previous
        ? checkCarryOver(table, (JSON.parse(previous.section3) as Record<string, number[]>).carried_to_next_year, 'published')
        : { ...checkCarryOver(table, carriedFromRecords(buckets), 'compiled'), detail: '上年报表未发布：上年“四”按现有记录计算，与本年“二”为同一批申请，二者相等。' },
    );
    table.checks.sort((a, b) => a.rule.localeCompare(b.rule));
    return { table, report: { year, format, columns: table.columns, rows: table.rows, checks: table.checks, basis: section3BasisText(format, await this.settings.feePausesClock(m)) } };
  }

  async compileSection4(year: number, m: EntityManager = this.dataSource.manager): Promise<{ table: Section4Table; report: Section4Report; basis: Section4Basis; cases: ReviewCaseRecord[] }> {
    const basis = await this.settings.section4Basis(m);
    const cases = await this.reviewCases.records(m);
    const table = compileSection4(cases, year, basis);
    return { table, basis, cases, report: { year, ...table, basis: section4BasisText(basis) } };
  }

  async annualReport(year: number, format: ReportFormat): Promise<AnnualReport> {
    const m = this.dataSource.manager;
    const [s3, s4, latest] = [await this.compileSection3(year, format, m), await this.compileSection4(year, m), await latestPublication(m, year)];
    return {
      year,
      format,
      agencyName: await this.agencies.nameOf(currentAgencyId()),
      section3: s3.report,
      section4: s4.report,
      table3: s3.table,
      table4: s4.table,
      published: latest ? toPublicationSummary(latest) : null,
    };
  }

  /** The applications behind one Section 3 cell. */
  async section3Cell(year: number, format: ReportFormat, row: string, column: string, page = 1): Promise<{ items: Array<{ id: string; trackingNumber: string }>; total: number }> {
    const spec = section3Rows(format).find((s) => s.key === row);
    if (!spec || !(SECTION3_COLUMNS as readonly string[]).includes(column)) throw new NotFoundError(`单元格不存在：${row}/${column}`);
    // The total from the report tally; the page from the index led by the year received (or
    // concluded) when the cell holds one year of it: the next numbers of that year in order, the
    // cell's other conditions read from the same index entries (written as expressions, so that
    // no other index is chosen and its rows sorted). Other cells (carried over or forward, a few
    // per cent of a year) are sorted.
    const condition = section3RowCondition(spec);
    const agencyId = currentAgencyId();
    const total = await reportCellTotal(this.dataSource.manager, year, condition, column === 'total' ? null : column, agencyId);
    const yearColumn = condition.received.length === 1 && condition.received[0] === 'in' ? 'received_on' : condition.concluded.length === 1 && condition.concluded[0] === 'in' ? 'concluded_on' : null;
    const { where, params } = rowConditionSql(condition);
    const walk = (sql: string) => (yearColumn ? sql.replace(/\br\.(received_on|concluded_on|outcome|applicant_type)\b/g, "(r.$1 || '')") : sql);
    const qb = this.dataSource.manager
      .createQueryBuilder(InformationRequestEntity, 'r')
      .where('r.agency_id = :agencyId', { agencyId })
      .andWhere(walk('r.received_on IS NOT NULL'))
      .andWhere(walk(where), { start: `${year}-01-01`, end: `${year}-12-31`, ...params });
    if (column !== 'total') qb.andWhere(walk('r.applicant_type = :column'), { column });
    if (yearColumn) qb.andWhere(`SUBSTR(r.${yearColumn}, 1, 4) = :cellYear`, { cellYear: String(year) });
    const numbers = await qb
      .select('r.tracking_number', 'tn')
      .orderBy(yearColumn ? 'r.tracking_number' : "r.tracking_number || ''")
      .offset((page - 1) * PAGE_SIZE)
      .limit(PAGE_SIZE)
      .getRawMany<{ tn: string }>();
    const rows = numbers.length
      ? await this.dataSource.manager.find(InformationRequestEntity, {
          select: { id: true, trackingNumber: true },
          where: { agencyId, trackingNumber: In(numbers.map((r) => r.tn)) },
          order: { trackingNumber: 'ASC' },
        })
      : [];
    return { items: rows.map((r) => ({ id: r.id, trackingNumber: r.trackingNumber })), total };
  }

  async section4Cell(year: number, group: string, column: string): Promise<{ items: Array<{ id: string; caseNumber: string | null }>; total: number }> {
    if (!(SECTION4_GROUPS as readonly string[]).includes(group) || !(SECTION4_COLUMNS as readonly string[]).includes(column)) {
      throw new NotFoundError(`单元格不存在：${group}/${column}`);
    }
    const basis = await this.settings.section4Basis();
    const ids = (await this.reviewCases.records())
      .filter((c) => {
        const cell = section4CellOf(c, year, basis);
        return cell !== null && cell.group === group && (column === 'total' || cell.column === column);
      })
      .map((c) => c.id);
    const cases = await this.reviewCases.listCases(ids);
    return { items: cases.map((c) => ({ id: c.id, caseNumber: c.caseNumber })), total: cases.length };
  }

  /** Every record the year counts, with the Section 3 cells it sits in. */
  async requestCells(year: number, format: ReportFormat, m: EntityManager): Promise<Map<string, { col: string; cells: string; trackingNumber: string }>> {
    const rows = await m
      .createQueryBuilder(InformationRequestEntity, 'r')
      .select(['r.id', 'r.trackingNumber', 'r.applicantType', 'r.receivedOn', 'r.concludedOn', 'r.outcome'])
      .where(COUNTED_SQL, { start: `${year}-01-01`, end: `${year}-12-31` })
      .andWhere('r.agency_id = :agencyId', { agencyId: currentAgencyId() })
      .getMany();
    const map = new Map<string, { col: string; cells: string; trackingNumber: string }>();
    for (const r of rows) {
      const b = bucketOf({ id: r.id, applicantType: r.applicantType, receivedOn: r.receivedOn, concludedOn: r.concludedOn, outcome: r.outcome }, year);
      if (b) map.set(r.id, { col: r.applicantType, cells: rowsOf(b, format).join(','), trackingNumber: r.trackingNumber });
    }
    return map;
  }

  /**
   * What a drill-down page shows of each request behind a cell: what placed it there (applicant type,
   * receipt and conclusion dates, outcome), never the applicant's identity.
   */
  async describeCellItems(items: Array<{ id: string }>): Promise<CellItemView[]> {
    if (!items.length) return [];
    const rows = await this.dataSource.manager.find(InformationRequestEntity, {
      select: { id: true, trackingNumber: true, applicantType: true, receivedOn: true, concludedOn: true, outcome: true },
      where: { agencyId: currentAgencyId(), id: In(items.map((i) => i.id)) },
      order: { trackingNumber: 'ASC' },
    });
    return rows.map((r) => ({
      id: r.id,
      trackingNumber: r.trackingNumber,
      applicantTypeLabel: APPLICANT_TYPE_LABELS[r.applicantType as ApplicantType] ?? r.applicantType,
      receivedOn: r.receivedOn,
      concludedOn: r.concludedOn,
      outcomeLabel: r.outcome ? outcomeLabel(r.outcome as Outcome) : null,
    }));
  }
}
