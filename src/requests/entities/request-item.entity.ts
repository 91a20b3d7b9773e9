import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('request_item')
@Index('UQ_request_item_position', ['requestId', 'position'], { unique: true })
export class RequestItemEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'request_id', type: 'varchar', length: 36 })
  requestId: string;

  @Column({ type: 'integer' })
  position: number;

  @Column({ type: 'text' })
  description: string;

  @Column({ type: 'varchar', length: 60, nullable: true })
  outcome: string | null;
}
