import { Inject, Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { InjectReadDataSource } from '../database/read-data-source';
import { DataSource, EntityManager } from 'typeorm';
import { StaffPrincipal } from '../auth/roles';
import { Clock } from '../common/clock';
import { isUniqueViolation } from '../common/db-errors';
import { UnitOfWork } from '../common/unit-of-work';
import { AGENCY_CODE_PATTERN, APP_CONFIG, AppConfig } from '../config/app-config';
import { ConflictError, DomainError, NotFoundError, UnprocessableError, ValidationFailedError } from '../domain/errors';
import { AgencyEntity, ROOT_AGENCY_ID } from './entities/agency.entity';

export interface AgencyView {
  code: string;
  name: string;
  parent: string | null;
}

export interface AgencyNode extends AgencyView {
  children: AgencyNode[];
}

/** An agency in a chooser: its place in the tree as an indent and the names of its ancestors. */
export interface AgencyChoice extends AgencyView {
  depth: number;
  path: string;
}

/** The agency tree (D22): who is on the platform, the root's administrator adds agencies. */
@Injectable()
export class AgenciesService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Agencies');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    /** Look-ups outside a transaction (every staff page and roll-up asks) read on SQLite's read-only connection. */
    @InjectReadDataSource() private readonly reader: DataSource,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly http?: HttpAdapterHost,
  ) {}

  /**
   * While the root is the only agency, its code and name follow AGENCY_CODE and AGENCY_NAME. Once
   * there are several they are fixed (tracking numbers carry the codes): the variables are then
   * ignored, with a warning, and the pages' header names the root as stored, not the variable.
   */
  async onApplicationBootstrap(): Promise<void> {
    const rows = await this.dataSource.manager.find(AgencyEntity, { order: { id: 'ASC' } });
    const root = rows.find((a) => a.id === ROOT_AGENCY_ID);
    if (!root) return;
    const configured = root.code === this.config.agencyCode && root.name === this.config.agencyName;
    if (!configured && rows.length === 1) {
      await this.dataSource.manager.update(AgencyEntity, { id: ROOT_AGENCY_ID }, { code: this.config.agencyCode, name: this.config.agencyName });
      this.logger.log(`root agency set to ${this.config.agencyCode}`);
      return;
    }
    if (configured) return;
    this.logger.warn(`AGENCY_CODE/AGENCY_NAME ignored: the platform has ${rows.length} agencies, so the root agency stays ${root.code} (${root.name})`);
    const locals = this.http?.httpAdapter?.getInstance()?.locals;
    if (locals) locals.agencyName = root.name;
  }

  /** Every agency, in creation order (hundreds at most: read whole). */
  all(m: EntityManager = this.reader.manager): Promise<AgencyEntity[]> {
    return m.find(AgencyEntity, { order: { id: 'ASC' } });
  }

  async count(m: EntityManager = this.reader.manager): Promise<number> {
    return m.count(AgencyEntity);
  }

  async byId(id: number, m: EntityManager = this.reader.manager): Promise<AgencyEntity> {
    const row = await m.findOneBy(AgencyEntity, { id });
    if (!row) throw new NotFoundError('未找到该机关。');
    return row;
  }

  /** The agency with this code, or null (codes are compared in lower case). */
  byCode(code: string, m: EntityManager = this.reader.manager): Promise<AgencyEntity | null> {
    const c = String(code ?? '')
      .trim()
      .toLowerCase();
    return AGENCY_CODE_PATTERN.test(c) ? m.findOneBy(AgencyEntity, { code: c }) : Promise.resolve(null);
  }

  /** The name printed on an agency's notices, mails and reports. */
  async nameOf(id: number, m?: EntityManager): Promise<string> {
    return (await this.byId(id, m)).name;
  }

  /** The tree, each node with its children in creation order. */
  async tree(): Promise<AgencyNode[]> {
    const rows = await this.all();
    const codeOf = new Map(rows.map((r) => [r.id, r.code]));
    const nodes = new Map(rows.map((r) => [r.id, { code: r.code, name: r.name, parent: r.parentId === null ? null : (codeOf.get(r.parentId) ?? null), children: [] as AgencyNode[] }]));
    const roots: AgencyNode[] = [];
    for (const r of rows) {
      const parent = r.parentId === null ? undefined : nodes.get(r.parentId);
      (parent ? parent.children : roots).push(nodes.get(r.id)!);
    }
    return roots;
  }

  /** The tree flattened depth-first, for a chooser grouped by the tree. */
  async choices(): Promise<AgencyChoice[]> {
    const out: AgencyChoice[] = [];
    const walk = (nodes: AgencyNode[], depth: number, path: string[]) => {
      for (const n of nodes) {
        out.push({ code: n.code, name: n.name, parent: n.parent, depth, path: path.join(' / ') });
        walk(n.children, depth + 1, [...path, n.name]);
      }
    };
    walk(await this.tree(), 0, []);
    return out;
  }

  /**
   * The filing page's chooser, grouped by the tree: one group per agency with sub-agencies,
   * holding it (first) and those of its children without their own group; every agency once.
   */
  async filingGroups(selected?: string | null): Promise<Array<{ label: string; options: Array<{ code: string; name: string; selected: boolean }> }>> {
    const groups: Array<{ label: string; options: Array<{ code: string; name: string; selected: boolean }> }> = [];
    const option = (n: AgencyNode) => ({ code: n.code, name: n.name, selected: n.code === selected });
    const walk = (node: AgencyNode, path: string[]) => {
      const label = [...path, node.name].join(' / ');
      groups.push({ label, options: [option(node), ...node.children.filter((c) => !c.children.length).map(option)] });
      for (const c of node.children) if (c.children.length) walk(c, [...path, node.name]);
    };
    for (const root of await this.tree()) walk(root, []);
    return groups;
  }

  /** Only the root agency's administrator manages agencies (the guard checked the role). */
  assertPlatformAdministrator(staff: StaffPrincipal): void {
    if (staff.agencyId !== ROOT_AGENCY_ID || !staff.roles.includes('administrator')) throw new DomainError('FORBIDDEN', '只有平台（根机关）的系统管理员可以管理机关。');
  }

  async create(input: { code?: unknown; name?: unknown; parent?: unknown }, staff: StaffPrincipal): Promise<AgencyView> {
    this.assertPlatformAdministrator(staff);
    const code = typeof input.code === 'string' ? input.code.trim().toLowerCase() : '';
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    const parentCode = typeof input.parent === 'string' && input.parent.trim() ? input.parent.trim().toLowerCase() : null;
    const fields: Record<string, string> = {};
    if (!AGENCY_CODE_PATTERN.test(code)) fields.code = '机关代码须为 2–8 位小写字母或数字，以字母开头（用于网址和申请编号）。';
    if (!name) fields.name = '请填写机关名称。';
    else if (name.length > 100) fields.name = '机关名称最多 100 个字。';
    if (!parentCode) fields.parent = '请选择上级机关。';
    if (Object.keys(fields).length) throw new ValidationFailedError(fields);
    try {
      return await this.unitOfWork.run(async (m) => {
        const parent = await this.byCode(parentCode!, m);
        if (!parent) throw new UnprocessableError('上级机关不存在。', { parent: '上级机关不存在。' });
        if (await this.byCode(code, m)) throw new ConflictError(`机关代码 ${code} 已被使用。`);
        // Two agencies of one name under one parent could not be told apart by citizens or in the roll-up.
        if (await m.existsBy(AgencyEntity, { parentId: parent.id, name })) {
          throw new ConflictError(`${parent.name}下已有名为“${name}”的机关。`, { name: `${parent.name}下已有名为“${name}”的机关，请核对；同一上级机关下的机关名称不能重复。` });
        }
        await m.insert(AgencyEntity, { code, name, parentId: parent.id, createdAt: this.clock.nowIso() });
        return { code, name, parent: parent.code };
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError(`机关代码 ${code} 已被使用。`);
      throw e;
    }
  }
}
