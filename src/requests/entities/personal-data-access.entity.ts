import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('personal_data_access')
export class PersonalDataAccessEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'staff_id', type: 'varchar', length: 36 })
  staffId: string;

  @Column({ name: 'staff_name', type: 'varchar', length: 100 })
  staffName: string;

  @Index('IDX_personal_data_access_request')
  @Column({ name: 'request_id', type: 'varchar', length: 36 })
  requestId: string;

  @Column({ name: 'accessed_at', type: 'varchar', length: 30 })
  accessedAt: string;

  /** page or api */
  @Column({ type: 'varchar', length: 10 })
  via: string;
}
