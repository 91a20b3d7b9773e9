import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { DataSource, EntityManager, In, LessThan } from 'typeorm';
import { Actor } from '../auth/actor';
import { Clock } from '../common/clock';
import { isUniqueViolation } from '../common/db-errors';
import { IdempotencyService } from '../common/idempotency.service';
import { insertRows } from '../common/insert-rows';
import { UnitOfWork } from '../common/unit-of-work';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ATTACHMENT_KINDS, AttachmentKind, checkFileName, contentTypeFor, inspectZip, sniffContent } from '../domain/attachments';
import { ConflictError, NotFoundError, TooLargeError, ValidationFailedError } from '../domain/errors';
import { RequestEventEntity } from '../requests/entities/request-event.entity';
import { RequestStore } from '../requests/request-store';
import { chunkStream, deleteChunks, writeChunk } from './attachment-chunks';
import { ReceivedUpload, receiveUpload } from './attachment-upload';
import { AttachmentView, DELIVERING_VIAS, sizeLabel, toAttachmentView, toUploaded, UploadedAttachment } from './attachment-views';
import { AttachmentDownloadEntity, AttachmentEntity } from './entities/attachment.entity';

/** An upload that never finished (the process stopped mid-way) is removed after this long. */
const STALE_UPLOAD_MS = 6 * 3600_000;
const MB = 1024 * 1024;

export interface OpenedFile {
  attachment: AttachmentEntity;
  stream: Readable;
}

/**
 * Files of a request (issue 18): uploaded by staff in chunks as they arrive, checked by their
 * content, listed with every download, withdrawn while never delivered.
 *
 * An upload is written chunk by chunk in short transactions under an invisible `uploading` row,
 * then checked and made visible in one transaction (or removed): a slow upload never holds a
 * transaction (on SQLite it would stop every other write; on PostgreSQL hold a pooled connection).
 */
@Injectable()
export class AttachmentsService {
  private readonly logger = new Logger('Attachments');

  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: RequestStore,
    private readonly idempotency: IdempotencyService,
  ) {}

  /**
   * With an Idempotency-Key the body is known only once it has arrived: it is staged as usual, and
   * a replay (same key, same file and fields) discards the copy and answers as the first time.
   */
  async upload(requestId: string, req: Request, actor: Actor, idempotencyKey?: string): Promise<UploadedAttachment> {
    const request = await this.store.row(this.dataSource.manager, requestId);
    await this.removeStaleUploads();
    const held = await this.heldBytes(this.dataSource.manager, request.id);
    const room = this.config.attachmentMaxRequestBytes - held;
    const limit = Math.max(0, Math.min(this.config.attachmentMaxFileBytes, room));
    const id = randomUUID();
    await this.unitOfWork.run((m) =>
      insertRows(m, AttachmentEntity, {
        id,
        requestId: request.id,
        kind: 'internal',
        title: '',
        fileName: '',
        contentType: '',
        size: 0,
        sha256: '',
        visibleToApplicant: false,
        status: 'uploading',
        chunkCount: 0,
        uploadedById: actor.id,
        uploadedByLabel: actor.label.slice(0, 100),
        uploadedAt: this.clock.nowIso(),
        withdrawnAt: null,
        withdrawnByLabel: null,
        erasedAt: null,
      }),
    );
    try {
      const received = await receiveUpload(req, limit, (seq, data) => this.unitOfWork.run((m) => writeChunk(m, id, seq, data)));
      const checked = this.check(received, room);
      const result = await this.idempotency.run(`api:attachments:${actor.id}`, idempotencyKey, { requestId: request.id, ...checked }, async () => {
        await this.finish(id, request.id, checked, actor);
        this.logger.log(`request ${request.id}: attachment ${id} (${checked.kind}, ${checked.size} bytes)`);
        return { status: 201, body: toUploaded(await this.dataSource.manager.findOneByOrFail(AttachmentEntity, { id })) };
      });
      if (result.replayed) await this.discard(id);
      return result.body;
    } catch (e) {
      await this.discard(id);
      throw e;
    }
  }

  /** Every refusal of the issue: nothing of the file is kept (the caller discards it). */
  private check(received: ReceivedUpload, room: number) {
    const { fields, file } = received;
    const malformed = '上传的内容不完整或格式有误，请重新上传。';
    if (received.malformed) throw new ValidationFailedError({ file: malformed }, malformed);
    if (!file) throw new ValidationFailedError({ file: '请选择要上传的文件。' });
    const name = checkFileName(file.rawName);
    if (!name.ok) throw new ValidationFailedError({ file: name.message }, name.message);
    if (file.overLimit) {
      const perFile = this.config.attachmentMaxFileBytes;
      throw new TooLargeError(
        room < perFile
          ? `本申请的文件合计不能超过 ${this.config.attachmentMaxRequestBytes / MB} MB（设置项 ATTACHMENT_MAX_REQUEST_MB），还可上传 ${sizeLabel(Math.max(0, room))}。未保存该文件。`
          : `单个文件不能超过 ${perFile / MB} MB（设置项 ATTACHMENT_MAX_FILE_MB）。未保存该文件，请压缩或拆分后上传。`,
      );
    }
    if (file.size === 0) throw new ValidationFailedError({ file: '文件是空的（0 字节），请检查后重新上传。' }, '文件是空的（0 字节），请检查后重新上传。');
    const family = sniffContent(file.head);
    const type = contentTypeFor(family, name.value);
    if (!type.ok) throw new ValidationFailedError({ file: type.message }, type.message);
    if (family === 'zip') {
      const zip = inspectZip(file.tail, file.size);
      if (!zip.ok) throw new ValidationFailedError({ file: zip.message }, zip.message);
    }
    const kind = (fields.kind ?? '').trim();
    const errors: Record<string, string> = {};
    if (!(ATTACHMENT_KINDS as readonly string[]).includes(kind)) errors.kind = '文件类别必须是 reply（答复告知书）、released（公开的政府信息）或 internal（内部材料）。';
    const visible = (fields.visibleToApplicant ?? '').trim();
    if (visible !== 'true' && visible !== 'false') errors.visibleToApplicant = '请选择申请人是否可以查看和下载该文件（true 或 false）。';
    if (kind === 'internal' && visible === 'true') errors.visibleToApplicant = '内部材料不能向申请人公开。';
    const title = (fields.title ?? '').trim() || name.value.replace(/\.[^.]*$/, '');
    if (title.length > 200) errors.title = '标题最多 200 个字符。';
    if (Object.keys(errors).length) throw new ValidationFailedError(errors);
    return { kind: kind as AttachmentKind, title, visible: visible === 'true', fileName: name.value, contentType: type.value, size: file.size, sha256: file.sha256, chunkCount: file.chunkCount };
  }

  /** Made visible in one transaction with its timeline entry; the request's total is checked again (another upload may have finished meanwhile). */
  private async finish(id: string, requestId: string, f: ReturnType<AttachmentsService['check']>, actor: Actor): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.unitOfWork.run(async (m) => {
          if ((await this.heldBytes(m, requestId)) + f.size > this.config.attachmentMaxRequestBytes) {
            throw new TooLargeError(`本申请的文件合计不能超过 ${this.config.attachmentMaxRequestBytes / MB} MB（设置项 ATTACHMENT_MAX_REQUEST_MB）。未保存该文件。`);
          }
          const updated = await m.update(
            AttachmentEntity,
            { id, status: 'uploading' },
            {
              status: 'active',
              kind: f.kind,
              title: f.title,
              fileName: f.fileName,
              contentType: f.contentType,
              size: f.size,
              sha256: f.sha256,
              visibleToApplicant: f.visible,
              chunkCount: f.chunkCount,
            },
          );
          if (updated.affected !== 1) throw new ConflictError('上传已超时，请重新上传。');
          await this.appendInformational(m, requestId, { type: 'attachment_added', data: { attachmentId: id, title: f.title, kind: f.kind, size: f.size, sha256: f.sha256 } }, actor);
        });
        return;
      } catch (e) {
        // A step recorded at the same moment took the same timeline position: once more after it.
        if (isUniqueViolation(e) && attempt < 3) continue;
        throw e;
      }
    }
  }

  private async appendInformational(m: EntityManager, requestId: string, e: { type: 'attachment_added' | 'attachment_withdrawn'; data: Record<string, unknown> }, actor: Actor): Promise<void> {
    const seq = await m.count(RequestEventEntity, { where: { requestId } });
    await this.store.appendEvent(m, requestId, seq + 1, { type: e.type, on: this.clock.today(), data: e.data }, actor);
  }

  private async heldBytes(m: EntityManager, requestId: string): Promise<number> {
    const row = await m
      .createQueryBuilder(AttachmentEntity, 'a')
      .select('COALESCE(SUM(a.size), 0)', 'total')
      .where("a.request_id = :requestId AND a.status = 'active'", { requestId })
      .getRawOne<{ total: string | number }>();
    return Number(row?.total ?? 0);
  }

  private async discard(id: string): Promise<void> {
    await this.unitOfWork.run(async (m) => {
      await deleteChunks(m, id);
      await m.delete(AttachmentEntity, { id, status: 'uploading' });
    });
  }

  /** Uploads left half-way by a stopped process. */
  private async removeStaleUploads(): Promise<void> {
    const before = new Date(this.clock.now().getTime() - STALE_UPLOAD_MS).toISOString();
    const stale = await this.dataSource.manager.find(AttachmentEntity, { select: { id: true }, where: { status: 'uploading', uploadedAt: LessThan(before) } });
    for (const s of stale) await this.discard(s.id);
  }

  /** Staff: every file of the request, withdrawn and erased ones included, with each download. */
  async list(requestId: string): Promise<AttachmentView[]> {
    const request = await this.store.row(this.dataSource.manager, requestId);
    const rows = await this.dataSource.manager.find(AttachmentEntity, { where: { requestId: request.id, status: In(['active', 'withdrawn', 'erased']) }, order: { uploadedAt: 'ASC' } });
    const downloads = rows.length ? await this.dataSource.manager.find(AttachmentDownloadEntity, { where: { attachmentId: In(rows.map((r) => r.id)) }, order: { downloadedAt: 'ASC' } }) : [];
    return rows.map((r) =>
      toAttachmentView(
        r,
        downloads.filter((d) => d.attachmentId === r.id),
      ),
    );
  }

  /** A file uploaded by mistake, while it never reached the applicant; its bytes go, its record and timeline entry stay. */
  async withdraw(requestId: string, attachmentId: string, actor: Actor): Promise<AttachmentView> {
    await this.unitOfWork.run(async (m) => {
      const a = await this.find(m, requestId, attachmentId);
      if (a.status !== 'active') throw new ConflictError('该文件已撤回或已清除。');
      const delivered = await m.count(AttachmentDownloadEntity, { where: { attachmentId: a.id, via: In(DELIVERING_VIAS) } });
      if (delivered) throw new ConflictError('申请人已经下载或通过电子邮件收到该文件，不能再撤回。如文件有误，请上传更正后的文件并说明。');
      const updated = await m.update(AttachmentEntity, { id: a.id, status: 'active' }, { status: 'withdrawn', withdrawnAt: this.clock.nowIso(), withdrawnByLabel: actor.label.slice(0, 100) });
      if (updated.affected !== 1) throw new ConflictError('该文件已撤回。');
      await deleteChunks(m, a.id);
      await this.appendInformational(m, a.requestId, { type: 'attachment_withdrawn', data: { attachmentId: a.id, title: a.title, kind: a.kind } }, actor);
    });
    return (await this.list(requestId)).find((v) => v.id === attachmentId)!;
  }

  /** Staff download: logged with the account. */
  async openForStaff(requestId: string, attachmentId: string, actor: Actor): Promise<OpenedFile> {
    const attachment = await this.unitOfWork.run(async (m) => {
      const a = await this.find(m, requestId, attachmentId);
      if (a.status !== 'active') throw new NotFoundError('该文件已撤回或已清除。');
      await this.logDownload(m, a, 'staff', actor);
      return a;
    });
    return { attachment, stream: chunkStream(this.dataSource, attachment.id, attachment.chunkCount) };
  }

  async logDownload(m: EntityManager, a: AttachmentEntity, via: 'online' | 'email' | 'staff', actor: Actor | null): Promise<void> {
    await insertRows(m, AttachmentDownloadEntity, {
      id: randomUUID(),
      attachmentId: a.id,
      requestId: a.requestId,
      via,
      staffId: via === 'staff' ? (actor?.id ?? null) : null,
      staffLabel: via === 'staff' ? (actor?.label.slice(0, 100) ?? null) : null,
      downloadedAt: this.clock.nowIso(),
    });
  }

  /** An attachment of this request only: an id from another request (or agency) answers 404. */
  private async find(m: EntityManager, requestId: string, attachmentId: string): Promise<AttachmentEntity> {
    const valid = /^[0-9a-f-]{36}$/i;
    if (!valid.test(String(requestId)) || !valid.test(String(attachmentId))) throw new NotFoundError('未找到该文件。');
    // The request first: another agency's request answers 404 (D22).
    await this.store.row(m, requestId);
    const a = await m.findOneBy(AttachmentEntity, { id: attachmentId, requestId });
    if (!a || a.status === 'uploading') throw new NotFoundError('未找到该文件。');
    return a;
  }
}
