import { Permission } from '../auth/permissions';
import { DomainError } from '../domain/errors';
import { LedgerImportStatus } from './entities/ledger-import.entity';
import { describePermission, LedgerError } from './ledger-import';

/** What an import ends with: its refusals (nothing written), its result and its progress. */
export class LedgerInvalidError extends DomainError {
  constructor(
    readonly errors: LedgerError[],
    readonly errorCount = errors.length,
  ) {
    super('VALIDATION_FAILED', `台账有 ${errorCount} 行有误，未导入任何记录。`, Object.fromEntries(errors.slice(0, 200).map((e) => [`line ${e.line}`, e.message])));
  }
}

export interface MissingPermission {
  permission: Permission;
  lines: number[];
  count: number;
}

/** Rows whose steps the importing account could not record live (permissionForEvent). */
export class LedgerForbiddenError extends DomainError {
  readonly errors: LedgerError[];

  constructor(
    readonly missing: MissingPermission[],
    readonly rowCount: number,
  ) {
    const errors = missing.map((m) => ({
      line: m.lines[0],
      message: `第 ${m.lines.join('、')}${m.count > m.lines.length ? ` 等 ${m.count}` : ''} 行须有权限${describePermission(m.permission)}，本账号没有。`,
    }));
    super(
      'FORBIDDEN',
      `台账中有 ${rowCount} 行的办理步骤需要本账号没有的权限，未导入任何记录。请由具有相应权限的账号导入，或删去这些行。`,
      Object.fromEntries(missing.map((m, i) => [m.permission, errors[i].message])),
    );
    this.errors = errors;
  }
}

export interface ImportResult {
  imported: number;
  first: string | null;
  last: string | null;
}

export interface ImportProgress {
  phase: 'checking' | 'writing';
  done: number;
  total: number;
}

/** What the progress page shows. */
export interface ImportJobView {
  id: string;
  status: LedgerImportStatus;
  running: boolean;
  encoding: string | null;
  totalRows: number;
  checkedRows: number;
  writtenRows: number;
  /** Null while checking: the number of rows is known only at the end of the first pass. */
  percent: number | null;
  result: ImportResult | null;
  message: string | null;
  code: 'VALIDATION_FAILED' | 'FORBIDDEN' | null;
  errors: LedgerError[];
  more: number;
}
