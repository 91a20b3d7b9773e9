import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { isUniqueViolation } from '../common/db-errors';
import { insertRows } from '../common/insert-rows';
import { UnitOfWork } from '../common/unit-of-work';
import { ConflictError, NotFoundError, ValidationFailedError } from '../domain/errors';
import { changedCells, DiffCell, ReportFormat, SECTION3_COLUMNS, Section3Table, Section4Table } from '../domain/report';
import { PublicationSummary } from '../reports/publication-store';
import { PublicationDiff, REASON_MAX_LENGTH, Signer } from '../reports/report-publications.service';
import { RollupPublicationEntity } from './entities/rollup-publication.entity';
import { ReadableNode } from './rollup-access';
import { emptyRows, RollupReport, RollupSection3Report, RollupSection4Report, RollupService, toRollupSummary, zeros4 } from './rollup.service';

/** Arbitrary: with the node and year, the PostgreSQL advisory lock that numbers a roll-up's publications one at a time. */
const PUBLISH_LOCK_KEY = 20_261_601;

/** The roll-up against one of its publications: the summed cells that differ, and which agencies' own figures moved. */
export interface RollupPublicationDiff extends Omit<PublicationDiff, 'records'> {
  /** The agencies whose own rows or Section 4 differ (an agency added or gone since counts as all zero on the other side). */
  agencies: Array<{ code: string; name: string; cells: DiffCell[] }>;
}

interface FrozenAgency {
  code: string;
  name: string;
  rows: Record<string, number[]>;
  section4: Section4Table;
  section4Basis: RollupSection4Report['agencies'][number]['section4Basis'];
}

/** D20 for roll-ups: each publication of a node's year is numbered, signed, dated and frozen; a later one states its reason. */
@Injectable()
export class RollupPublicationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly rollups: RollupService,
    private readonly clock: Clock,
  ) {}

  async list(nodeId: number, year: number): Promise<PublicationSummary[]> {
    const rows = await this.dataSource.manager.find(RollupPublicationEntity, {
      select: { agencyId: true, year: true, number: true, publishedAt: true, publishedBy: true, publishedById: true, format: true, reason: true },
      where: { agencyId: nodeId, year },
      order: { number: 'ASC' },
    });
    return rows.map(toRollupSummary);
  }

  /** Freezes the node's roll-up, read inside the transaction that writes it. */
  async publish(target: ReadableNode, year: number, format: ReportFormat, signer: Signer, reasonRaw?: string | null): Promise<PublicationSummary> {
    const reason = reasonRaw?.trim() || null;
    if (reason && reason.length > REASON_MAX_LENGTH) throw new ValidationFailedError({ reason: `更正说明最多 ${REASON_MAX_LENGTH} 个字。` });
    try {
      return await this.unitOfWork.run(async (m) => {
        if (!this.unitOfWork.isSqlite) await m.query('SELECT pg_advisory_xact_lock($1, $2)', [PUBLISH_LOCK_KEY, year * 100000 + (target.node.id % 100000)]);
        const previous = await m.findOne(RollupPublicationEntity, { where: { agencyId: target.node.id, year }, order: { number: 'DESC' } });
        if (previous && !reason) {
          throw new ValidationFailedError({ reason: `${year} 年度汇总报表已发布 ${previous.number} 次；再次发布须填写更正说明，写明更正了什么、为什么。` }, '再次发布须填写更正说明。');
        }
        const report = await this.rollups.report(target, year, format, m);
        const row: RollupPublicationEntity = {
          agencyId: target.node.id,
          year,
          number: (previous?.number ?? 0) + 1,
          format,
          publishedAt: this.clock.nowIso(),
          publishedById: signer.id,
          publishedBy: signer.displayName,
          reason,
          section3: JSON.stringify(report.table3.rows),
          section4: JSON.stringify(report.table4),
          agencies: JSON.stringify(report.agencies.map((a) => ({ code: a.code, name: a.name, rows: a.table3.rows, section4: a.table4, section4Basis: a.section4Basis }))),
          checks: JSON.stringify(report.section3.checks),
          basis: JSON.stringify({ section3: report.section3.basis, section4: report.section4.basis }),
        };
        await insertRows(m, RollupPublicationEntity, row);
        return toRollupSummary(row);
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError('本年度汇总报表刚刚由他人发布，请刷新页面后重试。');
      throw e;
    }
  }

  /**
   * D13, D20 as an agency's report compares: the roll-up now against one publication (default: the
   * latest), recomputed in the publication's format. A roll-up publication freezes each agency's own
   * rows, so the change is traced to the agencies; each agency's own report names the records.
   * Null when the node's year was never published.
   */
  async diff(target: ReadableNode, year: number, number?: number): Promise<RollupPublicationDiff | null> {
    const m = this.dataSource.manager;
    const p =
      number === undefined
        ? await m.findOne(RollupPublicationEntity, { where: { agencyId: target.node.id, year }, order: { number: 'DESC' } })
        : Number.isInteger(number) && number > 0
          ? await m.findOneBy(RollupPublicationEntity, { agencyId: target.node.id, year, number })
          : null;
    if (!p) {
      if (number === undefined) return null;
      throw new NotFoundError(Number.isInteger(number) ? `${year} 年度汇总报表没有第 ${number} 次发布。` : `${year} 年度汇总报表没有该次发布。`);
    }
    const format = p.format as ReportFormat;
    const fresh = await this.rollups.report(target, year, format, m);
    const cells = changedCells(JSON.parse(p.section3) as Record<string, number[]>, fresh.table3.rows, JSON.parse(p.section4) as Section4Table, fresh.table4);
    const frozen = new Map((JSON.parse(p.agencies) as FrozenAgency[]).map((a) => [a.code, a]));
    const now = new Map(fresh.agencies.map((a) => [a.code, a]));
    const agencies: RollupPublicationDiff['agencies'] = [];
    for (const code of new Set([...now.keys(), ...frozen.keys()])) {
      const before = frozen.get(code);
      const after = now.get(code);
      const changed = changedCells(before?.rows ?? emptyRows(format), after?.table3.rows ?? emptyRows(format), before?.section4 ?? zeros4(), after?.table4 ?? zeros4());
      if (changed.length) agencies.push({ code, name: after?.name ?? before!.name, cells: changed });
    }
    return { number: p.number, publishedAt: p.publishedAt, publishedBy: p.publishedBy, format, reason: p.reason, cells, agencies };
  }

  /** One publication as frozen, shaped as the live roll-up (and as the exports take it). */
  async get(target: ReadableNode, year: number, number: number): Promise<RollupReport & { number: number }> {
    const p = Number.isInteger(number) && number > 0 ? await this.dataSource.manager.findOneBy(RollupPublicationEntity, { agencyId: target.node.id, year, number }) : null;
    if (!p) throw new NotFoundError(`${year} 年度汇总报表没有第 ${number} 次发布。`);
    const format = p.format as ReportFormat;
    const rows = JSON.parse(p.section3) as Record<string, number[]>;
    const table4 = JSON.parse(p.section4) as Section4Table;
    const agencies = JSON.parse(p.agencies) as FrozenAgency[];
    const basis = JSON.parse(p.basis) as { section3: Record<string, string>; section4: Record<string, string> };
    const checks = JSON.parse(p.checks) as RollupSection3Report['checks'];
    const section3: RollupSection3Report = {
      year,
      format,
      columns: [...SECTION3_COLUMNS],
      rows,
      checks,
      basis: basis.section3,
      agencies: agencies.map((a) => ({ code: a.code, name: a.name, rows: a.rows })),
    };
    const section4: RollupSection4Report = { year, ...table4, basis: basis.section4, agencies: agencies.map((a) => ({ code: a.code, name: a.name, section4Basis: a.section4Basis, ...a.section4 })) };
    const table3: Section3Table = { year, format, columns: [...SECTION3_COLUMNS], rows, checks: checks as Section3Table['checks'] };
    return {
      year,
      number: p.number,
      format,
      agencyName: `${target.node.name}（含下级机关汇总）`,
      node: { id: target.node.id, code: target.node.code, name: target.node.name },
      section3,
      section4,
      table3,
      table4,
      published: toRollupSummary(p),
      agencies: [],
    };
  }
}
