import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One 行政机关 on the platform (D22): a node of the agency tree; the root has no parent. */
@Entity('agency')
export class AgencyEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  /** Lower-case letters and digits (2–8): the deep link /a/{code} and the tracking-number prefix. */
  @Index('UQ_agency_code', { unique: true })
  @Column({ type: 'varchar', length: 8 })
  code: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Index('IDX_agency_parent')
  @Column({ name: 'parent_id', type: 'integer', nullable: true })
  parentId: number | null;

  @Column({ name: 'created_at', type: 'varchar', length: 30 })
  createdAt: string;
}

/** The root agency's id: the first row of migration 1795763000000, and the default of every agency column. */
export const ROOT_AGENCY_ID = 1;
