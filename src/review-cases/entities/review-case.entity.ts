import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** An administrative review or lawsuit about the agency's disclosure work (Section 4 input). */
@Entity('review_case')
@Index('IDX_review_case_agency', ['agencyId', 'filedOn'])
export class ReviewCaseEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** The agency the row belongs to (D22); rows from before agencies belong to the root (id 1). */
  @Column({ name: 'agency_id', type: 'integer', default: 1 })
  agencyId: number;

  @Column({ type: 'varchar', length: 30 })
  kind: string;

  @Index('IDX_review_case_filed_on')
  @Column({ name: 'filed_on', type: 'varchar', length: 10 })
  filedOn: string;

  @Column({ name: 'case_number', type: 'varchar', length: 100, nullable: true })
  caseNumber: string | null;

  @Column({ name: 'request_id', type: 'varchar', length: 36, nullable: true })
  requestId: string | null;

  /** original_agency, or co_defendant_review_organ (not counted, D9). */
  @Column({ name: 'agency_role', type: 'varchar', length: 30 })
  agencyRole: string;

  @Column({ type: 'varchar', length: 20, nullable: true })
  result: string | null;

  @Column({ name: 'concluded_on', type: 'varchar', length: 10, nullable: true })
  concludedOn: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  note: string | null;

  @Column({ name: 'created_at', type: 'varchar', length: 30 })
  createdAt: string;

  @Column({ name: 'created_by', type: 'varchar', length: 100 })
  createdBy: string;

  @Column({ type: 'integer', default: 1 })
  version: number;
}
