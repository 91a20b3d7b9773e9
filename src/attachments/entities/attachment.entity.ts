import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One file of a request; its bytes are in attachment_chunk (SQL only, see attachment-chunks.ts). */
@Entity('attachment')
@Index('IDX_attachment_request', ['requestId', 'uploadedAt'])
@Index('IDX_attachment_status', ['status', 'uploadedAt'])
export class AttachmentEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'request_id', type: 'varchar', length: 36 })
  requestId: string;

  /** reply | released | internal */
  @Column({ type: 'varchar', length: 20 })
  kind: string;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ name: 'file_name', type: 'varchar', length: 255 })
  fileName: string;

  @Column({ name: 'content_type', type: 'varchar', length: 120 })
  contentType: string;

  @Column({ type: 'integer' })
  size: number;

  @Column({ type: 'varchar', length: 64 })
  sha256: string;

  @Column({ name: 'visible_to_applicant', type: 'boolean' })
  visibleToApplicant: boolean;

  /** uploading (not yet checked, invisible) | active | withdrawn | erased */
  @Column({ type: 'varchar', length: 12 })
  status: string;

  @Column({ name: 'chunk_count', type: 'integer' })
  chunkCount: number;

  @Column({ name: 'uploaded_by_id', type: 'varchar', length: 36, nullable: true })
  uploadedById: string | null;

  @Column({ name: 'uploaded_by_label', type: 'varchar', length: 100 })
  uploadedByLabel: string;

  @Column({ name: 'uploaded_at', type: 'varchar', length: 30 })
  uploadedAt: string;

  @Column({ name: 'withdrawn_at', type: 'varchar', length: 30, nullable: true })
  withdrawnAt: string | null;

  @Column({ name: 'withdrawn_by_label', type: 'varchar', length: 100, nullable: true })
  withdrawnByLabel: string | null;

  @Column({ name: 'erased_at', type: 'varchar', length: 30, nullable: true })
  erasedAt: string | null;
}

/** Each time a file left the system: downloaded by the applicant (online) or staff, or sent by e-mail. */
@Entity('attachment_download')
@Index('IDX_attachment_download_attachment', ['attachmentId', 'downloadedAt'])
export class AttachmentDownloadEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'attachment_id', type: 'varchar', length: 36 })
  attachmentId: string;

  @Column({ name: 'request_id', type: 'varchar', length: 36 })
  requestId: string;

  /** online (the applicant, with the access code) | email | staff */
  @Column({ type: 'varchar', length: 10 })
  via: string;

  @Column({ name: 'staff_id', type: 'varchar', length: 36, nullable: true })
  staffId: string | null;

  @Column({ name: 'staff_label', type: 'varchar', length: 100, nullable: true })
  staffLabel: string | null;

  @Column({ name: 'downloaded_at', type: 'varchar', length: 30 })
  downloadedAt: string;
}
