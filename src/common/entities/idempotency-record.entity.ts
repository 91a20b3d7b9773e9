import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('idempotency_record')
@Index('IDX_idempotency_record_created_at', ['createdAt'])
export class IdempotencyRecordEntity {
  @PrimaryColumn({ type: 'varchar', length: 60 })
  scope: string;

  @PrimaryColumn({ name: 'idempotency_key', type: 'varchar', length: 200 })
  key: string;

  @Column({ name: 'body_hash', type: 'varchar', length: 64 })
  bodyHash: string;

  @Column({ name: 'status_code', type: 'integer', nullable: true })
  statusCode: number | null;

  /** The response with its secret fields (SECRET_FIELDS) null. */
  @Column({ type: 'text', nullable: true })
  response: string | null;

  /** Those fields, sealed with the server key (SecretBox); deleted with the record after 24 h. */
  @Column({ type: 'text', nullable: true })
  secrets: string | null;

  @Column({ name: 'created_at', type: 'varchar', length: 30 })
  createdAt: string;
}
