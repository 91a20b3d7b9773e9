import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const LEDGER_IMPORT_STATUSES = ['validating', 'writing', 'completed', 'refused', 'failed'] as const;
export type LedgerImportStatus = (typeof LEDGER_IMPORT_STATUSES)[number];

/**
 * One ledger import, run as a job: its progress is read by whichever instance serves the
 * progress page, and an import interrupted while writing is found and undone from here.
 */
@Entity('ledger_import')
@Index('IDX_ledger_import_status', ['status'])
@Index('IDX_ledger_import_agency', ['agencyId'])
export class LedgerImportEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** The agency the row belongs to (D22); rows from before agencies belong to the root (id 1). */
  @Column({ name: 'agency_id', type: 'integer', default: 1 })
  agencyId: number;

  @Column({ type: 'varchar', length: 20 })
  status: LedgerImportStatus;

  @Column({ name: 'actor_id', type: 'varchar', length: 36, nullable: true })
  actorId: string | null;

  @Column({ name: 'actor_label', type: 'varchar', length: 100 })
  actorLabel: string;

  /** The character set the file was read in: utf-8 or gb18030. */
  @Column({ type: 'varchar', length: 20, nullable: true })
  encoding: string | null;

  @Column({ name: 'total_rows', type: 'integer' })
  totalRows: number;

  @Column({ name: 'checked_rows', type: 'integer' })
  checkedRows: number;

  @Column({ name: 'written_rows', type: 'integer' })
  writtenRows: number;

  @Column({ name: 'first_tracking_number', type: 'varchar', length: 20, nullable: true })
  firstTrackingNumber: string | null;

  @Column({ name: 'last_tracking_number', type: 'varchar', length: 20, nullable: true })
  lastTrackingNumber: string | null;

  /** Why it was refused: VALIDATION_FAILED or FORBIDDEN (the domain error codes). */
  @Column({ name: 'error_code', type: 'varchar', length: 30, nullable: true })
  errorCode: string | null;

  /** Why it was refused or failed, in Chinese. */
  @Column({ type: 'varchar', length: 500, nullable: true })
  message: string | null;

  @Column({ name: 'error_count', type: 'integer' })
  errorCount: number;

  /** JSON: the first bad lines, `[{"line": 3, "message": "…"}]`. */
  @Column({ type: 'text', nullable: true })
  errors: string | null;

  @Column({ name: 'created_at', type: 'varchar', length: 30 })
  createdAt: string;

  /** Touched after every chunk: an import writing with no sign of life for long was interrupted. */
  @Column({ name: 'updated_at', type: 'varchar', length: 30 })
  updatedAt: string;
}

/** Which requests an import wrote: provenance, and what to remove if it cannot finish. */
@Entity('ledger_import_request')
export class LedgerImportRequestEntity {
  @PrimaryColumn({ name: 'import_id', type: 'varchar', length: 36 })
  importId: string;

  @PrimaryColumn({ name: 'request_id', type: 'varchar', length: 36 })
  requestId: string;
}
