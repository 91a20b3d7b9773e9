import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('applicant')
@Index('IDX_applicant_id_document_number', ['idDocumentNumber'])
@Index('IDX_applicant_organisation_code', ['organisationCode'])
@Index('IDX_applicant_name_phone', ['name', 'phone'])
@Index('IDX_applicant_name_email', ['name', 'email'])
// PostgreSQL pg_trgm search indexes: migration 1795761000000.
@Index('IDX_applicant_search_name', { synchronize: false })
@Index('IDX_applicant_search_id_document_number', { synchronize: false })
@Index('IDX_applicant_search_organisation_code', { synchronize: false })
export class ApplicantEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 32 })
  type: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ name: 'id_document_type', type: 'varchar', length: 32, nullable: true })
  idDocumentType: string | null;

  /** 身份证明: stored for the file, never shown in full in lists or exports (domain §7). */
  @Column({ name: 'id_document_number', type: 'varchar', length: 64, nullable: true })
  idDocumentNumber: string | null;

  @Column({ name: 'organisation_code', type: 'varchar', length: 32, nullable: true })
  organisationCode: string | null;

  @Column({ type: 'varchar', length: 40, nullable: true })
  phone: string | null;

  @Column({ type: 'varchar', length: 254, nullable: true })
  email: string | null;

  @Column({ type: 'varchar', length: 300, nullable: true })
  address: string | null;

  @Column({ name: 'created_at', type: 'varchar', length: 30 })
  createdAt: string;

  /** Set when identity and contact data were erased under the retention setting. */
  @Column({ name: 'erased_at', type: 'varchar', length: 30, nullable: true })
  erasedAt: string | null;
}
