import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Sign-in history of one account from one client (SHA-256 of its address): its own lock, and whether it is known. */
@Entity('staff_login_client')
export class StaffLoginClientEntity {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @PrimaryColumn({ name: 'client_key', type: 'varchar', length: 64 })
  clientKey: string;

  @Column({ name: 'failed_attempts', type: 'integer', default: 0 })
  failedAttempts: number;

  @Column({ name: 'locked_until', type: 'varchar', length: 30, nullable: true })
  lockedUntil: string | null;

  @Column({ name: 'last_failed_at', type: 'varchar', length: 30, nullable: true })
  lastFailedAt: string | null;

  @Column({ name: 'last_success_at', type: 'varchar', length: 30, nullable: true })
  lastSuccessAt: string | null;
}
