export const ROLES = ['registrar', 'handler', 'approver', 'report_officer', 'administrator', 'supervisor'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  registrar: '登记',
  handler: '承办',
  approver: '审核',
  report_officer: '年报',
  administrator: '系统管理',
  // D22: reads its agency's subtree (lists, reports, roll-ups, 督办), never writes a record.
  supervisor: '督办',
};

export interface StaffPrincipal {
  id: string;
  username: string;
  displayName: string;
  roles: Role[];
  /** The agency the account acts for (D22). */
  agencyId: number;
}
