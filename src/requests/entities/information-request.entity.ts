import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('information_request')
@Index('IDX_information_request_received', ['agencyId', 'receivedOn', 'applicantType', 'concludedOn', 'trackingNumber', 'dueOn'])
// The list indexes (descending and partial) and the partial indexes of concluded requests:
// migration 1795761000000. PostgreSQL's search indexes are on request_search_text (1795763700000).
@Index('IDX_information_request_list', { synchronize: false })
@Index('IDX_information_request_status_list', { synchronize: false })
@Index('IDX_information_request_open_list', { synchronize: false })
@Index('IDX_information_request_type_list', { synchronize: false })
@Index('IDX_information_request_channel_list', { synchronize: false })
@Index('IDX_information_request_assignee_list', { synchronize: false })
@Index('IDX_information_request_concluded', { synchronize: false })
@Index('IDX_information_request_outcome', { synchronize: false })
@Index('IDX_information_request_received_year', { synchronize: false })
@Index('IDX_information_request_concluded_year', { synchronize: false })
// The requests waiting for a correction or a fee, by number (partial): migration 1795765100000.
@Index('IDX_information_request_waiting', { synchronize: false })
@Index('IDX_information_request_report', ['agencyId', 'receivedOn', 'concludedOn', 'applicantType', 'outcome'])
export class InformationRequestEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** The agency the row belongs to (D22); rows from before agencies belong to the root (id 1). */
  @Column({ name: 'agency_id', type: 'integer', default: 1 })
  agencyId: number;

  @Index('UQ_information_request_tracking_number', { unique: true })
  @Column({ name: 'tracking_number', type: 'varchar', length: 20 })
  trackingNumber: string;

  @Column({ name: 'access_code_hash', type: 'varchar', length: 64 })
  accessCodeHash: string;

  @Index('IDX_information_request_applicant')
  @Column({ name: 'applicant_id', type: 'varchar', length: 36 })
  applicantId: string;

  /** Cached from the applicant at registration so that report queries need no join. */
  @Column({ name: 'applicant_type', type: 'varchar', length: 32 })
  applicantType: string;

  @Column({ type: 'varchar', length: 20 })
  channel: string;

  @Column({ name: 'submitted_at', type: 'varchar', length: 30 })
  submittedAt: string;

  /** 收到申请之日 (Art. 31); null until an online/fax/ordinary-mail submission is confirmed. */
  @Column({ name: 'received_on', type: 'varchar', length: 10, nullable: true })
  receivedOn: string | null;

  @Column({ type: 'varchar', length: 30 })
  status: string;

  @Column({ type: 'text' })
  description: string;

  @Column({ name: 'delivery_method', type: 'varchar', length: 20 })
  deliveryMethod: string;

  @Column({ name: 'due_on', type: 'varchar', length: 10, nullable: true })
  dueOn: string | null;

  @Column({ name: 'due_is_provisional', type: 'boolean', default: false })
  dueIsProvisional: boolean;

  @Column({ type: 'varchar', length: 60, nullable: true })
  outcome: string | null;

  @Column({ name: 'concluded_on', type: 'varchar', length: 10, nullable: true })
  concludedOn: string | null;

  @Column({ name: 'assignee_id', type: 'varchar', length: 36, nullable: true })
  assigneeId: string | null;

  /** Optimistic lock: every state change bumps it, a stale writer gets a conflict. */
  @Column({ type: 'integer', default: 1 })
  version: number;

  @Column({ name: 'created_at', type: 'varchar', length: 30 })
  createdAt: string;

  @Column({ name: 'updated_at', type: 'varchar', length: 30 })
  updatedAt: string;
}
