import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('staff_user')
@Index('IDX_staff_user_agency', ['agencyId'])
export class StaffUserEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** The agency the row belongs to (D22); rows from before agencies belong to the root (id 1). */
  @Column({ name: 'agency_id', type: 'integer', default: 1 })
  agencyId: number;

  @Index('UQ_staff_user_username', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  username: string;

  @Column({ name: 'display_name', type: 'varchar', length: 100 })
  displayName: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 255 })
  passwordHash: string;

  /** Comma-separated role codes. */
  @Column({ type: 'varchar', length: 200 })
  roles: string;

  /** Where the daily digest goes; optional. */
  @Column({ type: 'varchar', length: 254, nullable: true })
  email: string | null;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Column({ name: 'failed_attempts', type: 'integer', default: 0 })
  failedAttempts: number;

  @Column({ name: 'locked_until', type: 'varchar', length: 30, nullable: true })
  lockedUntil: string | null;

  @Column({ name: 'created_at', type: 'varchar', length: 30 })
  createdAt: string;
}
