import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Append-only: each lifecycle step is a row; the request's state is derived from them. */
@Entity('request_event')
@Index('UQ_request_event_seq', ['requestId', 'seq'], { unique: true })
// Partial expression indexes of migration 1795761200000 (the lapsed correction and fee deadlines).
@Index('IDX_request_event_correction_due', { synchronize: false })
@Index('IDX_request_event_fee_received', { synchronize: false })
export class RequestEventEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'request_id', type: 'varchar', length: 36 })
  requestId: string;

  @Column({ type: 'integer' })
  seq: number;

  @Column({ type: 'varchar', length: 40 })
  type: string;

  /** The date the step took effect (Asia/Shanghai). */
  @Column({ name: 'occurred_on', type: 'varchar', length: 10 })
  occurredOn: string;

  @Column({ name: 'recorded_at', type: 'varchar', length: 30 })
  recordedAt: string;

  @Column({ name: 'actor_id', type: 'varchar', length: 36, nullable: true })
  actorId: string | null;

  @Column({ name: 'actor_label', type: 'varchar', length: 100 })
  actorLabel: string;

  @Column({ type: 'varchar', length: 200 })
  basis: string;

  @Column({ type: 'text' })
  payload: string;
}
