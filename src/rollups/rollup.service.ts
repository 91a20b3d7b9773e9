import { InjectJobReadDataSource } from '../database/read-data-source';
import { NotFoundError } from '../domain/errors';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { AgenciesService } from '../agencies/agencies.service';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import {
  carriedFromRecords,
  checkCarryOver,
  compileSection3,
  compileSection4,
  ReportFormat,
  ReviewCaseRecord,
  rowsOf,
  section3BasisText,
  section3Rows,
  SECTION3_COLUMNS,
  Section3Bucket,
  Section3Table,
  Section4Basis,
  SECTION4_BASIS_LABELS,
  SECTION4_BASIS_VALUES,
  SECTION4_COLUMNS,
  SECTION4_GROUPS,
  Section4Table,
} from '../domain/report';
import { AgencySettingEntity } from '../reports/entities/agency-setting.entity';
import { ReportPublicationEntity } from '../reports/entities/report-publication.entity';
import { PublicationSummary, toPublicationSummary } from '../reports/publication-store';
import { AnnualReport, Section3Report, Section4Report } from '../reports/reports.service';
import { ReviewCaseEntity } from '../review-cases/entities/review-case.entity';
import { RollupPublicationEntity } from './entities/rollup-publication.entity';
import { ReadableNode, SubtreeAgency } from './rollup-access';
import { AgencyBucket, AgencySet, agencyInSql, cellCountsByAgency, cellPagesByAgency, repliesByAgency, rollupBuckets } from './rollup-sql';
import { FEE_PAUSES_CLOCK, feePausesClockOf } from '../agencies/agency-settings';

export const ROLLUP_CELL_PAGE_SIZE = 50;

/** One agency under a roll-up: its own tables, settings, checks and publication, and its line of the breakdown. */
export interface RollupAgency {
  id: number;
  code: string;
  name: string;
  depth: number;
  table3: Section3Table;
  table4: Section4Table;
  section4Basis: Section4Basis;
  checksOk: boolean;
  published: PublicationSummary | null;
  newReceived: number;
  concluded: number;
  carriedForward: number;
  /** Replies of the year made after their due date (the reply tally). */
  lateReplies: number;
  onTimeShare: number | null;
}

export interface RollupSection3Report extends Section3Report {
  agencies: Array<{ code: string; name: string; rows: Record<string, number[]> }>;
}

export interface RollupSection4Report extends Section4Report {
  agencies: Array<{ code: string; name: string; section4Basis: Section4Basis } & Section4Table>;
}

/** A roll-up in the shape the agency report's page and exports take, plus every agency's own part. */
export interface RollupReport extends AnnualReport {
  node: { id: number; code: string; name: string };
  section3: RollupSection3Report;
  section4: RollupSection4Report;
  agencies: RollupAgency[];
}

/** A roll-up publication without its figures, as an agency's publications are listed. */
export function toRollupSummary(p: RollupPublicationEntity): PublicationSummary {
  return { year: p.year, number: p.number, publishedAt: p.publishedAt, publishedBy: p.publishedBy, publishedById: p.publishedById, format: p.format as ReportFormat, reason: p.reason };
}

/** A table's rows, all zero, in the format's order. */
export function emptyRows(format: ReportFormat): Record<string, number[]> {
  return Object.fromEntries(section3Rows(format).map((spec) => [spec.key, Array(SECTION3_COLUMNS.length).fill(0) as number[]]));
}

export const zeros4 = (): Section4Table => Object.fromEntries(SECTION4_GROUPS.map((g) => [g, Object.fromEntries(SECTION4_COLUMNS.map((c) => [c, 0]))])) as Section4Table;

/**
 * 全县/全市汇总 (D22): a node's roll-up is the sum over its own records and all its descendants',
 * computed from the records (D4), never from typed totals. Section 3 is one GROUP BY over the
 * subtree's requests, grouped by agency too; each agency's buckets make its own table and all of
 * them the sum (the tables are sums of buckets, so the two agree cell by cell). Section 4 applies
 * each agency's own year basis (D8) to its own cases, then sums.
 */
@Injectable()
export class RollupService {
  constructor(
    /**
     * SQLite: the read-only connection of the background jobs. A roll-up at 1M requests reads for
     * about 0.5 s: on the writer it held every write, on the pages' reader every page read queued
     * behind it (a connection runs one statement at a time).
     */
    @InjectJobReadDataSource() private readonly dataSource: DataSource,
    private readonly agencies: AgenciesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The subtree's agency ids, or null when it is the whole platform (the query then needs no condition). */
  async agencySet(subtree: readonly SubtreeAgency[], platformSize?: number): Promise<AgencySet> {
    return subtree.length === (platformSize ?? (await this.agencies.count())) ? null : subtree.map((a) => a.id);
  }

  async section3(
    target: ReadableNode,
    year: number,
    format: ReportFormat,
    m: EntityManager = this.dataSource.manager,
  ): Promise<{ report: RollupSection3Report; perAgency: Map<number, Record<string, number[]>>; buckets: AgencyBucket[] }> {
    const ids = await this.agencySet(target.subtree, target.platformSize);
    // The three reads are independent: on PostgreSQL they run side by side on the pool.
    const [buckets, previous, feePauses] = await Promise.all([
      rollupBuckets(m, year, ids),
      // R5 against last year's latest roll-up publication of the node (below).
      m.findOne(RollupPublicationEntity, { where: { agencyId: target.node.id, year: year - 1 }, order: { number: 'DESC' } }),
      feePausesClockOf(m, target.node.id, this.config.feePausesClock),
    ]);
    // One pass: each bucket into its agency's rows and into the buckets merged across agencies (a few
    // dozen), from which the sum is compiled once, checks included: the same table as Σ of the agencies'.
    const perAgency = new Map(target.subtree.map((a) => [a.id, emptyRows(format)]));
    const placed = new Map<string, string[]>();
    const merged = new Map<string, Section3Bucket>();
    const total = SECTION3_COLUMNS.length - 1;
    for (const b of buckets) {
      const position = `${b.received}|${b.concluded}|${b.outcome}`;
      let keys = placed.get(position);
      if (!keys) placed.set(position, (keys = rowsOf(b, format)));
      const rows = perAgency.get(b.agencyId);
      const col = (SECTION3_COLUMNS as readonly string[]).indexOf(b.applicantType);
      if (rows && col >= 0 && col < total) {
        for (const key of keys) {
          rows[key][col] += b.count;
          rows[key][total] += b.count;
        }
      }
      const key = `${b.applicantType}|${position}`;
      const found = merged.get(key);
      if (found) found.count += b.count;
      else merged.set(key, { applicantType: b.applicantType, received: b.received, concluded: b.concluded, outcome: b.outcome, count: b.count });
    }
    const table = compileSection3([...merged.values()], year, format);
    // R5 against last year's latest roll-up publication of the node; without one, last year's 四
    // from the records is the same set as this year's 二 (D4).
    table.checks.push(
      previous
        ? checkCarryOver(table, (JSON.parse(previous.section3) as Record<string, number[]>).carried_to_next_year, 'published')
        : { ...checkCarryOver(table, carriedFromRecords([...merged.values()]), 'compiled'), detail: '上年汇总报表未发布：上年“四”按现有记录计算，与本年“二”为同一批申请，二者相等。' },
    );
    table.checks.sort((a, b) => a.rule.localeCompare(b.rule));
    const report: RollupSection3Report = {
      year,
      format,
      columns: table.columns,
      rows: table.rows,
      checks: table.checks,
      // The node's own D6 setting; each agency's is printed with Section 4's 统计口径.
      basis: section3BasisText(format, feePauses),
      agencies: target.subtree.map((a) => ({ code: a.code, name: a.name, rows: perAgency.get(a.id)! })),
    };
    return { report, perAgency, buckets };
  }

  /** Each agency's cases under its own Section 4 basis (D8), summed; two reads for the whole subtree. */
  async section4(
    target: ReadableNode,
    year: number,
    m: EntityManager = this.dataSource.manager,
  ): Promise<{ report: RollupSection4Report; perAgency: Map<number, { table: Section4Table; basis: Section4Basis }> }> {
    const ids = target.subtree.map((a) => a.id);
    // The whole platform needs no agency condition (a list of hundreds of parameters costs PostgreSQL more than the rows).
    const agencyId = (await this.agencySet(target.subtree, target.platformSize)) === null ? undefined : In(ids);
    // Raw rows, not entities: a platform's cases are read whole on every roll-up.
    const caseQuery = m
      .createQueryBuilder(ReviewCaseEntity, 'c')
      .select('c.agency_id', 'a')
      .addSelect('c.id', 'id')
      .addSelect('c.kind', 'kind')
      .addSelect('c.filed_on', 'f')
      .addSelect('c.concluded_on', 'co')
      .addSelect('c.result', 'result')
      .addSelect('c.agency_role', 'role')
      .where(agencyInSql('c', agencyId ? ids : null));
    const [cases, settings] = await Promise.all([
      caseQuery.getRawMany<{ a: string | number; id: string; kind: string; f: string; co: string | null; result: string | null; role: string }>(),
      m.find(AgencySettingEntity, { where: { agencyId, key: In(['section4_basis', FEE_PAUSES_CLOCK]) } }),
    ]);
    const basisOf = new Map(settings.filter((s) => s.key === 'section4_basis' && (SECTION4_BASIS_VALUES as string[]).includes(s.value)).map((s) => [s.agencyId, s.value as Section4Basis]));
    // D6 is set per agency too (the configuration's FEE_PAUSES_CLOCK until an agency sets it).
    const feeOf = new Map(settings.filter((s) => s.key === FEE_PAUSES_CLOCK).map((s) => [s.agencyId, s.value === 'true']));
    const casesOf = new Map<number, ReviewCaseRecord[]>(ids.map((id) => [id, []]));
    for (const c of cases) {
      casesOf.get(Number(c.a))?.push({
        id: c.id,
        kind: c.kind as ReviewCaseRecord['kind'],
        filedOn: c.f,
        concludedOn: c.co,
        result: c.result as ReviewCaseRecord['result'],
        agencyRole: c.role as ReviewCaseRecord['agencyRole'],
      });
    }
    const perAgency = new Map(ids.map((id) => [id, { basis: basisOf.get(id) ?? 'filed_in_year', table: compileSection4(casesOf.get(id)!, year, basisOf.get(id) ?? 'filed_in_year') }]));
    const table = zeros4();
    for (const { table: own } of perAgency.values()) for (const g of SECTION4_GROUPS) for (const c of SECTION4_COLUMNS) table[g][c] += own[g][c];
    const report: RollupSection4Report = {
      year,
      ...table,
      basis: this.section4Basis(target.subtree, perAgency, feeOf),
      agencies: target.subtree.map((a) => ({ code: a.code, name: a.name, section4Basis: perAgency.get(a.id)!.basis, ...perAgency.get(a.id)!.table })),
    };
    return { report, perAgency };
  }

  /** The 统计口径 of Section 4, with each agency's own settings printed under the roll-up (D22). */
  private section4Basis(subtree: readonly SubtreeAgency[], perAgency: Map<number, { basis: Section4Basis }>, feeOf: Map<number, boolean>): Record<string, string> {
    const lines: Record<string, string> = {
      yearBasis: `第四部分统计口径：各机关按本机关的设置分别统计后相加（共 ${subtree.length} 个机关，见下）`,
      coDefendant: '各机关仅作为复议机关与原行政机关作共同被告的行政诉讼案件，不计入该机关报表（国办公开办函〔2016〕201号）',
    };
    for (const a of subtree) {
      lines[`settings.${a.code}`] =
        `${a.name}：第四部分 ${SECTION4_BASIS_LABELS[perAgency.get(a.id)!.basis]}；收费通知后暂停计算答复期限：${(feeOf.get(a.id) ?? this.config.feePausesClock) ? '是' : '否'}`;
    }
    return lines;
  }

  /** Both sections, the breakdown per agency and the node's latest roll-up publication: the page, the exports and publishing. */
  async report(target: ReadableNode, year: number, format: ReportFormat, m: EntityManager = this.dataSource.manager): Promise<RollupReport> {
    const s3 = await this.section3(target, year, format, m);
    const s4 = await this.section4(target, year, m);
    const ids = target.subtree.map((a) => a.id);
    const [publications, replies, latest] = [
      await m.find(ReportPublicationEntity, {
        select: { agencyId: true, year: true, number: true, publishedAt: true, publishedBy: true, publishedById: true, format: true, reason: true, section3: true },
        where: { agencyId: In(ids), year: In([year - 1, year]) },
      }),
      await repliesByAgency(m, year, await this.agencySet(target.subtree, target.platformSize)),
      await m.findOne(RollupPublicationEntity, { where: { agencyId: target.node.id, year }, order: { number: 'DESC' } }),
    ];
    const latestOf = (agencyId: number, y: number) =>
      publications.filter((p) => p.agencyId === agencyId && p.year === y).reduce<ReportPublicationEntity | null>((best, p) => (!best || p.number > best.number ? p : best), null);
    const bucketsOf = new Map<number, AgencyBucket[]>(ids.map((id) => [id, []]));
    for (const b of s3.buckets) bucketsOf.get(b.agencyId)?.push(b);
    const agencies: RollupAgency[] = target.subtree.map((a) => {
      // The agency's own checks, as its own report compiles them (the API's roll-up needs only its rows).
      const own = compileSection3(bucketsOf.get(a.id)!, year, format);
      const previous = latestOf(a.id, year - 1);
      // The agency's own R5, as its own report checks it: against its last year's publication, else its records.
      const r5 = previous
        ? checkCarryOver(own, (JSON.parse(previous.section3) as Record<string, number[]>).carried_to_next_year, 'published')
        : checkCarryOver(own, carriedFromRecords(bucketsOf.get(a.id)!), 'compiled');
      const reply = replies.get(a.id) ?? { concluded: 0, dated: 0, onTime: 0 };
      const published = latestOf(a.id, year);
      const total = (key: string) => own.rows[key][own.rows[key].length - 1];
      return {
        id: a.id,
        code: a.code,
        name: a.name,
        depth: a.depth,
        table3: own,
        table4: s4.perAgency.get(a.id)!.table,
        section4Basis: s4.perAgency.get(a.id)!.basis,
        checksOk: own.checks.every((c) => c.ok) && (r5.ok || r5.severity === 'warning'),
        published: published ? toPublicationSummary(published) : null,
        newReceived: total('new_received'),
        concluded: total('concluded_total'),
        carriedForward: total('carried_to_next_year'),
        lateReplies: reply.dated - reply.onTime,
        onTimeShare: reply.dated ? reply.onTime / reply.dated : null,
      };
    });
    const table3: Section3Table = { year, format, columns: s3.report.columns, rows: s3.report.rows, checks: s3.report.checks as Section3Table['checks'] };
    return {
      year,
      format,
      agencyName: `${target.node.name}（含下级机关汇总）`,
      node: { id: target.node.id, code: target.node.code, name: target.node.name },
      section3: s3.report,
      section4: s4.report,
      table3,
      table4: { review: s4.report.review, litigation_direct: s4.report.litigation_direct, litigation_after_review: s4.report.litigation_after_review },
      published: latest ? toRollupSummary(latest) : null,
      agencies,
    };
  }

  /** The agencies behind one roll-up cell, each with a page of its applications (D22: roll-up → agencies → applications). */
  async section3Cell(
    target: ReadableNode,
    year: number,
    format: ReportFormat,
    row: string,
    column: string,
    page = 1,
    onlyAgency?: string,
  ): Promise<{ total: number; agencies: Array<{ code: string; name: string; total: number; items: Array<{ id: string; trackingNumber: string }> }> }> {
    if (onlyAgency && !target.subtree.some((a) => a.code === onlyAgency)) throw new NotFoundError('该机关不在此汇总范围内。');
    const m = this.dataSource.manager;
    const ids = await this.agencySet(target.subtree, target.platformSize);
    const counts = await cellCountsByAgency(m, year, format, row, column, ids);
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const listed = target.subtree.filter((a) => (counts.get(a.id) ?? 0) > 0 && (!onlyAgency || a.code === onlyAgency));
    const pages = listed.length ? await cellPagesByAgency(m, year, format, row, column, listed.length === 1 ? [listed[0].id] : ids, page, ROLLUP_CELL_PAGE_SIZE) : new Map();
    return {
      total,
      agencies: listed.map((a) => ({ code: a.code, name: a.name, total: counts.get(a.id)!, items: pages.get(a.id) ?? [] })),
    };
  }
}
