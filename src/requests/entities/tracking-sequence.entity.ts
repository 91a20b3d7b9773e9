import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('tracking_sequence')
export class TrackingSequenceEntity {
  @PrimaryColumn({ type: 'integer' })
  year: number;

  @Column({ name: 'last_value', type: 'integer' })
  lastValue: number;
}
