import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One publication of a year's tables (D13, D20): numbered 1, 2, … per year, signed, dated and
 * frozen. Rows are only ever inserted; a correction is a new publication with its reason.
 */
@Entity('report_publication')
export class ReportPublicationEntity {
  /** The agency the row belongs to (D22); rows from before agencies belong to the root (id 1). */
  @PrimaryColumn({ name: 'agency_id', type: 'integer', default: 1 })
  agencyId: number;

  @PrimaryColumn({ type: 'integer' })
  year: number;

  @PrimaryColumn({ type: 'integer' })
  number: number;

  @Column({ type: 'varchar', length: 4 })
  format: string;

  @Column({ name: 'published_at', type: 'varchar', length: 30 })
  publishedAt: string;

  /** The signing account; null for publications carried over from release 0.1, which kept only the name. */
  @Column({ name: 'published_by_id', type: 'varchar', length: 36, nullable: true })
  publishedById: string | null;

  /** The signer's display name at the time of publishing. */
  @Column({ name: 'published_by', type: 'varchar', length: 100 })
  publishedBy: string;

  /** 更正说明: required from the second publication of a year on. */
  @Column({ type: 'varchar', length: 1000, nullable: true })
  reason: string | null;

  /** JSON: Section 3 rows, in the format published. */
  @Column({ type: 'text' })
  section3: string;

  /** JSON: Section 4 groups. */
  @Column({ type: 'text' })
  section4: string;

  /** JSON: the check relations as evaluated when published; null for release 0.1 publications. */
  @Column({ type: 'text', nullable: true })
  checks: string | null;

  /** JSON: the 统计口径 lines printed under the tables. */
  @Column({ type: 'text' })
  basis: string;
}

/** Which cells each request (or case) was counted in by one publication: the diff names the records that moved. */
@Entity('report_publication_entry')
export class ReportPublicationEntryEntity {
  /** The agency the row belongs to (D22); rows from before agencies belong to the root (id 1). */
  @PrimaryColumn({ name: 'agency_id', type: 'integer', default: 1 })
  agencyId: number;

  @PrimaryColumn({ type: 'integer' })
  year: number;

  @PrimaryColumn({ type: 'integer' })
  number: number;

  @PrimaryColumn({ name: 'subject_id', type: 'varchar', length: 36 })
  subjectId: string;

  @Column({ name: 'subject_kind', type: 'varchar', length: 10 })
  subjectKind: string;

  @Column({ type: 'varchar', length: 32 })
  col: string;

  /** Comma-separated row keys. */
  @Column({ type: 'varchar', length: 300 })
  cells: string;
}
