import { SetMetadata } from '@nestjs/common';
import { Role, ROLE_LABELS } from './roles';

/** What a route or step needs; the matrix below is also printed in README.md. */
export const PERMISSIONS = [
  'requests.view',
  'requests.personal_data',
  'requests.register',
  'requests.confirm',
  'requests.process',
  'requests.approve',
  'requests.import',
  'reports.view',
  'reports.publish',
  'reports.rollup',
  'supervision.view',
  'supervision.note',
  'review_cases.manage',
  'calendar.manage',
  'accounts.manage',
  'agencies.manage',
  'settings.manage',
  'data.retention',
  'jobs.run',
  'staff.self',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const PERMISSION_MATRIX: Record<Permission, Role[]> = {
  'requests.view': ['registrar', 'handler', 'approver', 'report_officer', 'administrator', 'supervisor'],
  'requests.personal_data': ['registrar', 'handler', 'approver'],
  'requests.register': ['registrar'],
  'requests.confirm': ['registrar'],
  'requests.process': ['handler'],
  'requests.approve': ['approver'],
  // Back-entering a ledger registers requests: clerical work, not the administrator's (separation of duties).
  'requests.import': ['registrar'],
  'reports.view': ['report_officer', 'administrator', 'supervisor'],
  'reports.publish': ['report_officer'],
  // Which nodes each may read is decided by RollupAccess (own node, subtree, or any from the root).
  'reports.rollup': ['report_officer', 'administrator', 'supervisor'],
  // The 督办 view and its note: supervisors of a node, and the root agency's administrator.
  'supervision.view': ['administrator', 'supervisor'],
  'supervision.note': ['administrator', 'supervisor'],
  'review_cases.manage': ['report_officer'],
  'calendar.manage': ['administrator'],
  'accounts.manage': ['administrator'],
  // The root agency's administrator only (AgenciesService checks the agency).
  'agencies.manage': ['administrator'],
  'settings.manage': ['report_officer', 'administrator'],
  'data.retention': ['administrator'],
  'jobs.run': ['administrator'],
  'staff.self': ['registrar', 'handler', 'approver', 'report_officer', 'administrator', 'supervisor'],
};

export const PERMISSION_LABELS: Record<Permission, string> = {
  'requests.view': '查看申请（证件号、电话打码）',
  'requests.personal_data': '查看申请人完整身份和联系信息（留痕）',
  'requests.register': '登记申请',
  'requests.confirm': '确认收到（网上、传真、平常信函）',
  'requests.process': '办理步骤：补正、征求意见、收费、答复（非不予公开类）、撤回、指定承办人',
  'requests.approve': '批准延期；签发不予公开、部分公开的答复',
  'requests.import': '批量补录台账',
  'reports.view': '查看、导出年度报表',
  'reports.publish': '发布年度报表',
  'reports.rollup': '查看各机关报表和汇总报表（本机关、下级机关）',
  'supervision.view': '督办：查看下级机关逾期、即将到期、按时答复率',
  'supervision.note': '督办：对下级机关的申请发出督办意见（不改变办理状态）',
  'review_cases.manage': '登记、审结复议诉讼案件',
  'calendar.manage': '维护节假日安排（仅平台根机关）',
  'accounts.manage': '管理账号',
  'agencies.manage': '管理机关（仅平台根机关）',
  'settings.manage': '修改统计口径等设置',
  'data.retention': '按保存期限清除申请人个人信息',
  'jobs.run': '手动运行每日提醒（仅平台根机关）',
  'staff.self': '修改本人密码',
};

/**
 * Acts on the whole platform, not on one agency's records (D22): the agency tree, the holiday
 * calendar (a change moves every agency's deadlines) and the digest of every agency. Only the
 * root agency's holders of the permission may use them (StaffAuthGuard).
 */
export const PLATFORM_PERMISSIONS: readonly Permission[] = ['agencies.manage', 'calendar.manage', 'jobs.run'];

/**
 * Grants a role gives only in the root agency: an administrator supervises the platform's agencies
 * from the root; another agency's administrator manages its accounts, not a 督办 view (a node's
 * 督办 is its `supervisor`'s).
 */
export const ROOT_ONLY_GRANTS: Partial<Record<Permission, readonly Role[]>> = {
  'supervision.view': ['administrator'],
  'supervision.note': ['administrator'],
};

export function can(roles: readonly Role[], permission: Permission): boolean {
  return PERMISSION_MATRIX[permission].some((r) => roles.includes(r));
}

/** `can` for an account of an agency: platform permissions and root-only grants count only in the root agency. */
export function canInAgency(roles: readonly Role[], permission: Permission, atRoot: boolean): boolean {
  if (PLATFORM_PERMISSIONS.includes(permission) && !atRoot) return false;
  return PERMISSION_MATRIX[permission].some((r) => roles.includes(r) && (atRoot || !ROOT_ONLY_GRANTS[permission]?.includes(r)));
}

export const REQUIRED_PERMISSION = 'ogi:permission';

/** Every staff route names the permission it needs; the route audit test fails on one that does not. */
export const RequirePermission = (permission: Permission): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_PERMISSION, permission);

const WITHHOLDING = /^(withheld_|partially_granted$)/;

/** Steps need more than the route: receipt confirmation is the registrar's, extensions and withholding replies the approver's. */
export function permissionForEvent(type: string, outcome?: string | null, itemOutcomes?: Array<{ outcome: string }> | null): Permission {
  if (type === 'receipt_confirmed') return 'requests.confirm';
  if (type === 'extension_granted') return 'requests.approve';
  if (type === 'decided') {
    const withholding = WITHHOLDING.test(outcome ?? '') || (itemOutcomes ?? []).some((i) => WITHHOLDING.test(i.outcome) || i.outcome !== outcome);
    return withholding ? 'requests.approve' : 'requests.process';
  }
  return 'requests.process';
}

/** The roles that hold `permission`, by their labels ("审核", "登记"…), read from the matrix above. */
export function roleLabelsFor(permission: Permission): string[] {
  return PERMISSION_MATRIX[permission].map((r) => ROLE_LABELS[r]);
}

/** The sentence a refused step shows: who may act and what the permission covers. */
export function refusalFor(permission: Permission): string {
  return `该步骤须由${roleLabelsFor(permission).join('或')}人员办理（${PERMISSION_LABELS[permission]}）。`;
}
