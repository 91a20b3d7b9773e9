import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('idempotency_record')
export class IdempotencyRecordEntity {
  @PrimaryColumn({ type: 'varchar', length: 60 })
  scope: string;

  @PrimaryColumn({ name: 'idempotency_key', type: 'varchar', length: 200 })
  key: string;

  @Column({ name: 'body_hash', type: 'varchar', length: 64 })
  bodyHash: string;

  @Column({ name: 'status_code', type: 'integer', nullable: true })
  statusCode: number | null;

  @Column({ type: 'text', nullable: true })
  response: string | null;

  @Column({ name: 'created_at', type: 'varchar', length: 30 })
  createdAt: string;
}
