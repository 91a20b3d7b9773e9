import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('agency_setting')
export class AgencySettingEntity {
  @PrimaryColumn({ type: 'varchar', length: 60 })
  key: string;

  @Column({ type: 'varchar', length: 200 })
  value: string;

  @Column({ name: 'updated_at', type: 'varchar', length: 30 })
  updatedAt: string;

  @Column({ name: 'updated_by', type: 'varchar', length: 100 })
  updatedBy: string;
}
