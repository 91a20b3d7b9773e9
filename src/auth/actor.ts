import { Role, StaffPrincipal } from './roles';

/** Who records a step: a staff account, the applicant online, or a command-line run. */
export interface Actor {
  id: string | null;
  label: string;
  /** When set, the step's own permission is checked (permissionForEvent). */
  roles?: Role[];
}

/** Who is looking at a request, and through what. */
export interface Viewer {
  staff: StaffPrincipal;
  via: 'page' | 'api';
}

export const PUBLIC_ACTOR: Actor = { id: null, label: '申请人（网上提交）' };
/** The applicant's own withdrawal with the access code: named in the timeline, no personal data. */
export const APPLICANT_WITHDRAWAL_ACTOR: Actor = { id: null, label: '申请人（网上撤回）' };

export function staffActor(staff: StaffPrincipal): Actor {
  return { id: staff.id, label: staff.displayName, roles: staff.roles };
}
