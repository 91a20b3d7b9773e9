import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { isUniqueViolation } from '../common/db-errors';
import { insertRows } from '../common/insert-rows';
import { UnitOfWork } from '../common/unit-of-work';
import { ConflictError, NotFoundError, ValidationFailedError } from '../domain/errors';
import { ReportFormat, SECTION3_COLUMNS, Section3Table, Section4Table } from '../domain/report';
import { PublicationSummary } from '../reports/publication-store';
import { REASON_MAX_LENGTH, Signer } from '../reports/report-publications.service';
import { RollupPublicationEntity } from './entities/rollup-publication.entity';
import { ReadableNode } from './rollup-access';
import { RollupReport, RollupSection3Report, RollupSection4Report, RollupService, toRollupSummary } from './rollup.service';

/** Arbitrary: with the node and year, the PostgreSQL advisory lock that numbers a roll-up's publications one at a time. */
const PUBLISH_LOCK_KEY = 20_261_601;

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

  /** One publication as frozen, shaped as the live roll-up (and as the exports take it). */
  async get(target: ReadableNode, year: number, number: number): Promise<RollupReport & { number: number }> {
    const p = Number.isInteger(number) && number > 0 ? await this.dataSource.manager.findOneBy(RollupPublicationEntity, { agencyId: target.node.id, year, number }) : null;
    if (!p) throw new NotFoundError(`${year} 年度汇总报表没有第 ${number} 次发布。`);
    const format = p.format as ReportFormat;
    const rows = JSON.parse(p.section3) as Record<string, number[]>;
    const table4 = JSON.parse(p.section4) as Section4Table;
    const agencies = JSON.parse(p.agencies) as Array<{
      code: string;
      name: string;
      rows: Record<string, number[]>;
      section4: Section4Table;
      section4Basis: RollupSection4Report['agencies'][number]['section4Basis'];
    }>;
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
