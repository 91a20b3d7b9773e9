import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One publication of a node's roll-up (全县/全市汇总, D20, D22): numbered per node and year, signed,
 * dated and frozen, with each agency's own rows and counting settings as they were summed.
 */
@Entity('rollup_publication')
export class RollupPublicationEntity {
  /** The node whose subtree was summed. */
  @PrimaryColumn({ name: 'agency_id', type: 'integer' })
  agencyId: number;

  @PrimaryColumn({ type: 'integer' })
  year: number;

  @PrimaryColumn({ type: 'integer' })
  number: number;

  @Column({ type: 'varchar', length: 4 })
  format: string;

  @Column({ name: 'published_at', type: 'varchar', length: 30 })
  publishedAt: string;

  @Column({ name: 'published_by_id', type: 'varchar', length: 36, nullable: true })
  publishedById: string | null;

  @Column({ name: 'published_by', type: 'varchar', length: 100 })
  publishedBy: string;

  /** 更正说明: required from the second publication of a node's year on. */
  @Column({ type: 'varchar', length: 1000, nullable: true })
  reason: string | null;

  /** JSON: the summed Section 3 rows. */
  @Column({ type: 'text' })
  section3: string;

  /** JSON: the summed Section 4 groups. */
  @Column({ type: 'text' })
  section4: string;

  /** JSON: each agency's code, name, own Section 3 rows, Section 4 groups and Section 4 basis. */
  @Column({ type: 'text' })
  agencies: string;

  @Column({ type: 'text' })
  checks: string;

  /** JSON: the 统计口径 lines, each agency's settings included. */
  @Column({ type: 'text' })
  basis: string;
}
