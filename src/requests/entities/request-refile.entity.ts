import { Column, Entity, PrimaryColumn } from 'typeorm';

/** D21, D23: the one new application an applicant filed from a request's referral reply (keyed by the first request: once). */
@Entity('request_refile')
export class RequestRefileEntity {
  /** The first request, whose reply named the agency. */
  @PrimaryColumn({ name: 'request_id', type: 'varchar', length: 36 })
  requestId: string;

  /** The first request's agency. */
  @Column({ name: 'agency_id', type: 'integer' })
  agencyId: number;

  @Column({ name: 'refiled_request_id', type: 'varchar', length: 36 })
  refiledRequestId: string;

  @Column({ name: 'refiled_tracking_number', type: 'varchar', length: 20 })
  refiledTrackingNumber: string;

  @Column({ name: 'refiled_agency_id', type: 'integer' })
  refiledAgencyId: number;

  @Column({ name: 'created_at', type: 'varchar', length: 30 })
  createdAt: string;
}
