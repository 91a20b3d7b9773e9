import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A published year's tables, frozen (D13). */
@Entity('report_snapshot')
export class ReportSnapshotEntity {
  @PrimaryColumn({ type: 'integer' })
  year: number;

  @Column({ type: 'varchar', length: 4 })
  format: string;

  @Column({ name: 'published_at', type: 'varchar', length: 30 })
  publishedAt: string;

  @Column({ name: 'published_by', type: 'varchar', length: 100 })
  publishedBy: string;

  /** JSON: Section 3 rows. */
  @Column({ type: 'text' })
  section3: string;

  /** JSON: Section 4 groups. */
  @Column({ type: 'text' })
  section4: string;

  /** JSON: the 统计口径 lines printed under the tables. */
  @Column({ type: 'text' })
  basis: string;
}

/** Which cells each request (or case) was counted in when the year was published. */
@Entity('report_snapshot_entry')
export class ReportSnapshotEntryEntity {
  @PrimaryColumn({ type: 'integer' })
  year: number;

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
