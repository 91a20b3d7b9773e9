import { currentAgencyId } from '../agencies/agency-scope';
import { AgenciesService } from '../agencies/agencies.service';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { isUniqueViolation } from '../common/db-errors';
import { insertChunks, insertRows } from '../common/insert-rows';
import { UnitOfWork } from '../common/unit-of-work';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ConflictError, NotFoundError, ValidationFailedError } from '../domain/errors';
import { changedCells, DiffCell, SECTION4_BASIS_KEYS, placementLabel, ReportFormat, SECTION3_COLUMNS, Section3Table, section4CellOf, Section4Table } from '../domain/report';
import { InformationRequestEntity } from '../requests/entities/information-request.entity';
import { ReportPublicationEntity, ReportPublicationEntryEntity } from './entities/report-publication.entity';
import { findPublication, latestPublication, listPublications, PublicationSummary, toPublicationSummary } from './publication-store';
import { AnnualReport, ReportsService, Section3Report, Section4Report } from './reports.service';

export const REASON_MAX_LENGTH = 1000;

/** Arbitrary: with the year, the PostgreSQL advisory lock that numbers a year's publications one at a time. */
const PUBLISH_LOCK_KEY = 20_200_520;

export interface PublicationDetail extends PublicationSummary {
  /** Shaped as GET …/section3 and …/section4 answer, frozen when published. */
  section3: Section3Report;
  section4: Section4Report;
}

/** What publish answers: the summary plus the frozen rows and groups, as release 0.1 answered. */
export interface PublishedView extends PublicationSummary {
  section3Rows: Record<string, number[]>;
  section4Table: Section4Table;
}

export interface PublicationDiff {
  number: number;
  publishedAt: string;
  publishedBy: string;
  format: ReportFormat;
  reason: string | null;
  cells: DiffCell[];
  /** `before`/`after` are codes (column:rows); `beforeLabel`/`afterLabel` the same in the table's words. */
  records: Array<{ id: string; kind: string; label: string; before: string; after: string; beforeLabel?: string; afterLabel?: string }>;
}

export interface Signer {
  id: string;
  displayName: string;
}

/** D13, D20: publishing a year's tables keeps every publication, numbered, signed, dated and frozen. */
@Injectable()
export class ReportPublicationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly reports: ReportsService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly agencies: AgenciesService,
  ) {}

  list(year: number): Promise<PublicationSummary[]> {
    return listPublications(this.dataSource.manager, year);
  }

  async get(year: number, number: number): Promise<PublicationDetail> {
    const p = await this.mustFind(year, number);
    return { ...toPublicationSummary(p), ...this.frozenReports(p) };
  }

  /** The frozen publication in the shape the exports take. */
  async asAnnualReport(year: number, number: number): Promise<AnnualReport & { number: number }> {
    const p = await this.mustFind(year, number);
    const { section3, section4 } = this.frozenReports(p);
    const table3 = { year, format: section3.format, columns: section3.columns, rows: section3.rows, checks: section3.checks } as Section3Table;
    const table4 = JSON.parse(p.section4) as Section4Table;
    return { year, number, format: section3.format, agencyName: await this.agencies.nameOf(currentAgencyId()), section3, section4, table3, table4, published: toPublicationSummary(p) };
  }

  /**
   * Freezes the year's tables, the 统计口径 and the cells each record is counted in, as a new
   * publication. Everything is read inside the one transaction that writes it.
   */
  async publish(year: number, format: ReportFormat, signer: Signer, reasonRaw?: string | null): Promise<PublishedView> {
    const reason = reasonRaw?.trim() || null;
    if (reason && reason.length > REASON_MAX_LENGTH) throw new ValidationFailedError({ reason: `更正说明最多 ${REASON_MAX_LENGTH} 个字。` });
    try {
      return await this.unitOfWork.run(async (m) => {
        // SQLite: the unit of work already runs one transaction at a time.
        if (!this.unitOfWork.isSqlite) await m.query('SELECT pg_advisory_xact_lock($1, $2)', [PUBLISH_LOCK_KEY, year * 100000 + (currentAgencyId() % 100000)]);
        const previous = await latestPublication(m, year);
        if (previous && !reason) {
          throw new ValidationFailedError({ reason: `${year} 年度报表已发布 ${previous.number} 次；再次发布须填写更正说明，写明更正了什么、为什么。` }, '再次发布须填写更正说明。');
        }
        const s3 = await this.reports.compileSection3(year, format, m);
        const s4 = await this.reports.compileSection4(year, m);
        const agencyId = currentAgencyId();
        const row: ReportPublicationEntity = {
          agencyId,
          year,
          number: (previous?.number ?? 0) + 1,
          format,
          publishedAt: this.clock.nowIso(),
          publishedById: signer.id,
          publishedBy: signer.displayName,
          reason,
          section3: JSON.stringify(s3.table.rows),
          section4: JSON.stringify(s4.table),
          checks: JSON.stringify(s3.report.checks),
          basis: JSON.stringify({ ...s3.report.basis, ...s4.report.basis }),
        };
        await insertRows(m, ReportPublicationEntity, row);
        const entries = [...(await this.reports.requestCells(year, format, m)).entries()].map(([subjectId, v]) => ({
          agencyId,
          year,
          number: row.number,
          subjectId,
          subjectKind: 'request',
          col: v.col,
          cells: v.cells,
        }));
        for (const c of s4.cases) {
          const cell = section4CellOf(c, year, s4.basis);
          if (cell) entries.push({ agencyId, year, number: row.number, subjectId: c.id, subjectKind: 'case', col: cell.group, cells: cell.column });
        }
        await insertChunks(m, ReportPublicationEntryEntity, entries);
        return { ...toPublicationSummary(row), section3Rows: s3.table.rows, section4Table: s4.table };
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError('本年度报表刚刚由他人发布，请刷新页面后重试。');
      throw e;
    }
  }

  /**
   * The records now against one publication (default: the latest): the cells that differ and the
   * records that moved. Null when the year was never published.
   */
  async diff(year: number, number?: number): Promise<PublicationDiff | null> {
    const m = this.dataSource.manager;
    const p = number === undefined ? await latestPublication(m, year) : await this.mustFind(year, number);
    if (!p) return null;
    const format = p.format as ReportFormat;
    const fresh3 = await this.reports.compileSection3(year, format, m);
    const fresh4 = await this.reports.compileSection4(year, m);
    const published3 = JSON.parse(p.section3) as Record<string, number[]>;
    const published4 = JSON.parse(p.section4) as Section4Table;
    const cells = changedCells(published3, fresh3.table.rows, published4, fresh4.table);
    const records = cells.length ? await this.movedRecords(m, p, fresh4) : [];
    return { number: p.number, publishedAt: p.publishedAt, publishedBy: p.publishedBy, format, reason: p.reason, cells, records };
  }

  private async movedRecords(m: EntityManager, p: ReportPublicationEntity, fresh4: Awaited<ReturnType<ReportsService['compileSection4']>>): Promise<PublicationDiff['records']> {
    const { year } = p;
    const records: PublicationDiff['records'] = [];
    const entries = await m.find(ReportPublicationEntryEntity, { where: { agencyId: p.agencyId, year, number: p.number } });
    const before = new Map(entries.map((e) => [e.subjectId, e]));
    const now = await this.reports.requestCells(year, p.format as ReportFormat, m);
    const ids = new Set([...entries.filter((e) => e.subjectKind === 'request').map((e) => e.subjectId), ...now.keys()]);
    const missing: string[] = [];
    for (const id of ids) {
      const b = before.get(id);
      const a = now.get(id);
      const bs = b ? `${b.col}:${b.cells}` : '';
      const as = a ? `${a.col}:${a.cells}` : '';
      if (bs !== as) {
        records.push({ id, kind: 'request', label: a?.trackingNumber ?? id, before: bs, after: as });
        if (!a) missing.push(id);
      }
    }
    if (missing.length) {
      const found = await m.createQueryBuilder(InformationRequestEntity, 'r').select(['r.id', 'r.trackingNumber']).where('r.id IN (:...ids)', { ids: missing }).getMany();
      const tn = new Map(found.map((r) => [r.id, r.trackingNumber]));
      for (const r of records) if (tn.has(r.id)) r.label = tn.get(r.id)!;
    }
    for (const c of fresh4.cases) {
      const cell = section4CellOf(c, year, fresh4.basis);
      const b = before.get(c.id);
      const bs = b ? `${b.col}:${b.cells}` : '';
      const as = cell ? `${cell.group}:${cell.column}` : '';
      if (bs !== as) records.push({ id: c.id, kind: 'case', label: c.id, before: bs, after: as });
    }
    for (const r of records) {
      r.beforeLabel = placementLabel(r.kind, r.before, p.format as ReportFormat);
      r.afterLabel = placementLabel(r.kind, r.after, p.format as ReportFormat);
    }
    return records;
  }

  private async mustFind(year: number, number: number): Promise<ReportPublicationEntity> {
    const p = Number.isInteger(number) && number > 0 ? await findPublication(this.dataSource.manager, year, number) : null;
    if (!p) throw new NotFoundError(Number.isInteger(number) ? `${year} 年度报表没有第 ${number} 次发布。` : `${year} 年度报表没有该次发布。`);
    return p;
  }

  /** Section 3 and 4 as the live endpoints answer them, from the frozen JSON. */
  private frozenReports(p: ReportPublicationEntity): { section3: Section3Report; section4: Section4Report } {
    const basis = JSON.parse(p.basis) as Record<string, string>;
    const basis4 = Object.fromEntries(Object.entries(basis).filter(([k]) => (SECTION4_BASIS_KEYS as readonly string[]).includes(k)));
    const basis3 = Object.fromEntries(Object.entries(basis).filter(([k]) => !(k in basis4)));
    const table4 = JSON.parse(p.section4) as Section4Table;
    return {
      section3: {
        year: p.year,
        format: p.format as ReportFormat,
        columns: [...SECTION3_COLUMNS],
        rows: JSON.parse(p.section3) as Record<string, number[]>,
        // Release 0.1 did not keep the checks of its publications.
        checks: p.checks ? (JSON.parse(p.checks) as Section3Report['checks']) : [],
        basis: basis3,
      },
      section4: { year: p.year, ...table4, basis: basis4 },
    };
  }
}
