import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('agency_setting')
export class AgencySettingEntity {
  /** The agency the row belongs to (D22); rows from before agencies belong to the root (id 1). */
  @PrimaryColumn({ name: 'agency_id', type: 'integer', default: 1 })
  agencyId: number;

  @PrimaryColumn({ type: 'varchar', length: 60 })
  key: string;

  @Column({ type: 'varchar', length: 200 })
  value: string;

  @Column({ name: 'updated_at', type: 'varchar', length: 30 })
  updatedAt: string;

  @Column({ name: 'updated_by', type: 'varchar', length: 100 })
  updatedBy: string;
}
