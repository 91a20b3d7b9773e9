import { Injectable } from '@nestjs/common';
import { isInSubtree, subtreeOf } from '../agencies/agency-tree';
import { AgenciesService } from '../agencies/agencies.service';
import { AgencyEntity, ROOT_AGENCY_ID } from '../agencies/entities/agency.entity';
import { PERMISSION_MATRIX } from '../auth/permissions';
import { StaffPrincipal } from '../auth/roles';
import { NotFoundError } from '../domain/errors';

export type SubtreeAgency = AgencyEntity & { depth: number };

/** A node someone may read, with its subtree (the node first, then its descendants depth-first). */
export interface ReadableNode {
  node: AgencyEntity;
  subtree: SubtreeAgency[];
  /** How many agencies the platform has (a subtree of all of them needs no agency condition). */
  platformSize?: number;
}

const NOT_FOUND = '未找到该机关。';

/**
 * Who may read which agency's reports and roll-ups (D22). The route's permission says who may
 * read reports at all; here the node decides. A node out of reach answers 404, like another
 * agency's request: its existence is not confirmed.
 *  - report_officer / administrator of the root agency: any node;
 *  - report_officer / administrator of another agency: that agency (its report, and the roll-up of its node);
 *  - supervisor: its agency's node and everything below it.
 */
@Injectable()
export class RollupAccess {
  constructor(private readonly agencies: AgenciesService) {}

  async readable(staff: StaffPrincipal, code: string): Promise<ReadableNode> {
    const all = await this.agencies.all();
    const node = all.find((a) => a.code === String(code ?? '').toLowerCase());
    if (!node || !mayRead(staff, node.id, all)) throw new NotFoundError(NOT_FOUND);
    return { node, subtree: subtreeOf(all, node.id), platformSize: all.length };
  }

  /** Publishing a roll-up: the node's own report_officer, or the root agency's (reports.publish checked by the route). */
  async publishable(staff: StaffPrincipal, code: string): Promise<ReadableNode> {
    const found = await this.readable(staff, code);
    if (staff.agencyId !== ROOT_AGENCY_ID && staff.agencyId !== found.node.id) throw new NotFoundError(NOT_FOUND);
    return found;
  }

  /** The 督办 view and notes: a supervisor's subtree; the root agency's administrator the whole tree. */
  async supervised(staff: StaffPrincipal, code?: string): Promise<ReadableNode> {
    const all = await this.agencies.all();
    const own = all.find((a) => a.id === staff.agencyId);
    const node = code ? all.find((a) => a.code === String(code).toLowerCase()) : own;
    if (!node || !maySupervise(staff, node.id, all)) throw new NotFoundError(NOT_FOUND);
    return { node, subtree: subtreeOf(all, node.id), platformSize: all.length };
  }
}

const REPORT_ROLES = ['report_officer', 'administrator'] as const;

export function mayRead(staff: StaffPrincipal, nodeId: number, all: readonly AgencyEntity[]): boolean {
  const reportRole = staff.roles.some((r) => (REPORT_ROLES as readonly string[]).includes(r));
  if (reportRole && (staff.agencyId === ROOT_AGENCY_ID || staff.agencyId === nodeId)) return true;
  return staff.roles.includes('supervisor') && isInSubtree(all, staff.agencyId, nodeId);
}

export function maySupervise(staff: StaffPrincipal, nodeId: number, all: readonly AgencyEntity[]): boolean {
  if (staff.roles.includes('administrator') && staff.agencyId === ROOT_AGENCY_ID) return true;
  return staff.roles.includes('supervisor') && isInSubtree(all, staff.agencyId, nodeId);
}

/**
 * Who reads a supervised agency's request: the supervisor, without any role of its own agency
 * that opens applicants' identity and contact data. Those roles work their own agency's requests;
 * supervising another agency's reads them masked, and records no access there (D22).
 */
export function supervisingViewer(staff: StaffPrincipal, nodeId: number): StaffPrincipal {
  if (nodeId === staff.agencyId) return staff;
  return { ...staff, roles: staff.roles.filter((r) => !PERMISSION_MATRIX['requests.personal_data'].includes(r)) };
}
