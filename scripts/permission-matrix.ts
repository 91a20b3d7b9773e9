/** Prints the permission matrix as a Markdown table (for README.md): node dist/scripts/permission-matrix.js */
import { PERMISSIONS, PERMISSION_LABELS, PERMISSION_MATRIX, ROOT_ONLY_GRANTS } from '../src/auth/permissions';
import { ROLES, ROLE_LABELS } from '../src/auth/roles';

const lines = [`| permission | ${ROLES.map((r) => `${r} ${ROLE_LABELS[r]}`).join(' | ')} |`, `|---|${ROLES.map(() => ':-:').join('|')}|`];
for (const p of PERMISSIONS)
  lines.push(`| \`${p}\` ${PERMISSION_LABELS[p]} | ${ROLES.map((r) => (PERMISSION_MATRIX[p].includes(r) ? (ROOT_ONLY_GRANTS[p]?.includes(r) ? '✓ 仅根机关' : '✓') : '')).join(' | ')} |`);
console.log(lines.join('\n'));
