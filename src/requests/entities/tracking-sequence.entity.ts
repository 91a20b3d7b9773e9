import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('tracking_sequence')
export class TrackingSequenceEntity {
  /** The agency the row belongs to (D22); rows from before agencies belong to the root (id 1). */
  @PrimaryColumn({ name: 'agency_id', type: 'integer', default: 1 })
  agencyId: number;

  @PrimaryColumn({ type: 'integer' })
  year: number;

  @Column({ name: 'last_value', type: 'integer' })
  lastValue: number;
}
