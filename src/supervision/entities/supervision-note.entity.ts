import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A 督办意见 sent to an agency about one of its requests; waits here for the agency's next daily digest. */
@Entity('supervision_note')
@Index('IDX_supervision_note_digest', ['agencyId', 'digestedOn'])
export class SupervisionNoteEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** The agency of the request (the one told). */
  @Column({ name: 'agency_id', type: 'integer' })
  agencyId: number;

  @Index('IDX_supervision_note_request')
  @Column({ name: 'request_id', type: 'varchar', length: 36 })
  requestId: string;

  @Column({ name: 'tracking_number', type: 'varchar', length: 20 })
  trackingNumber: string;

  @Column({ type: 'varchar', length: 1000 })
  note: string;

  @Column({ name: 'created_at', type: 'varchar', length: 30 })
  createdAt: string;

  /** The supervisor's display name (and agency) as printed in the digest. */
  @Column({ name: 'created_by', type: 'varchar', length: 100 })
  createdBy: string;

  @Column({ name: 'created_by_id', type: 'varchar', length: 36, nullable: true })
  createdById: string | null;

  /** The day of the digest that carried it; null until then. */
  @Column({ name: 'digested_on', type: 'varchar', length: 10, nullable: true })
  digestedOn: string | null;
}
