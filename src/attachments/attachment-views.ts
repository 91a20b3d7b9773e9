import { can } from '../auth/permissions';
import type { Role } from '../auth/roles';
import { formatShanghaiDateTime } from '../common/format';
import { ATTACHMENT_KIND_LABELS, ATTACHMENT_KINDS, AttachmentKind } from '../domain/attachments';
import { AttachmentDownloadEntity, AttachmentEntity } from './entities/attachment.entity';

/** The contract's answer to an upload. */
export interface UploadedAttachment {
  id: string;
  title: string;
  kind: string;
  size: number;
  sha256: string;
  contentType: string;
}

export interface AttachmentDownloadView {
  via: string;
  viaLabel: string;
  by: string | null;
  at: string;
  atLabel: string;
}

export interface AttachmentView extends UploadedAttachment {
  kindLabel: string;
  fileName: string;
  sizeLabel: string;
  visibleToApplicant: boolean;
  status: string;
  statusLabel: string;
  uploadedAt: string;
  uploadedAtLabel: string;
  uploadedBy: string;
  withdrawnAt: string | null;
  withdrawnAtLabel: string | null;
  withdrawnBy: string | null;
  downloads: AttachmentDownloadView[];
  /** Staff may still withdraw it: active and never delivered. */
  canWithdraw: boolean;
}

/** What the applicant sees: nothing about who uploaded or downloaded. */
export interface PublicAttachmentView {
  id: string;
  title: string;
  kind: string;
  kindLabel: string;
  fileName: string;
  contentType: string;
  size: number;
  sizeLabel: string;
  sha256: string;
}

const VIA_LABELS: Record<string, string> = { online: '申请人网上下载', email: '随电子邮件发送', staff: '工作人员下载' };
const STATUS_LABELS: Record<string, string> = { active: '有效', withdrawn: '已撤回', erased: '已依保存期限清除' };
/** A download by the applicant or a sent e-mail: the file has reached the applicant. */
export const DELIVERING_VIAS = ['online', 'email'];

export function sizeLabel(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} 字节`;
}

export function toUploaded(a: AttachmentEntity): UploadedAttachment {
  return { id: a.id, title: a.title, kind: a.kind, size: a.size, sha256: a.sha256, contentType: a.contentType };
}

export function toAttachmentView(a: AttachmentEntity, downloads: AttachmentDownloadEntity[]): AttachmentView {
  return {
    ...toUploaded(a),
    kindLabel: ATTACHMENT_KIND_LABELS[a.kind as AttachmentKind] ?? a.kind,
    fileName: a.fileName,
    sizeLabel: sizeLabel(a.size),
    visibleToApplicant: a.visibleToApplicant,
    status: a.status,
    statusLabel: STATUS_LABELS[a.status] ?? a.status,
    uploadedAt: a.uploadedAt,
    uploadedAtLabel: formatShanghaiDateTime(a.uploadedAt),
    uploadedBy: a.uploadedByLabel,
    withdrawnAt: a.withdrawnAt,
    withdrawnAtLabel: a.withdrawnAt ? formatShanghaiDateTime(a.withdrawnAt) : null,
    withdrawnBy: a.withdrawnByLabel,
    downloads: downloads.map((d) => ({
      via: d.via,
      viaLabel: VIA_LABELS[d.via] ?? d.via,
      by: d.via === 'staff' ? d.staffLabel : d.via === 'online' ? '申请人' : null,
      at: d.downloadedAt,
      atLabel: formatShanghaiDateTime(d.downloadedAt),
    })),
    canWithdraw: a.status === 'active' && !downloads.some((d) => DELIVERING_VIAS.includes(d.via)),
  };
}

export function toPublicAttachmentView(a: AttachmentEntity): PublicAttachmentView {
  return {
    id: a.id,
    title: a.title,
    kind: a.kind,
    kindLabel: ATTACHMENT_KIND_LABELS[a.kind as AttachmentKind] ?? a.kind,
    fileName: a.fileName,
    contentType: a.contentType,
    size: a.size,
    sizeLabel: sizeLabel(a.size),
    sha256: a.sha256,
  };
}

/** RFC 6266 / 5987: the original (Chinese) name for browsers, an ASCII stand-in for the rest. */
export function contentDisposition(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  const ext = dot > 0 ? fileName.slice(dot).replace(/[^A-Za-z0-9.]/g, '') : '';
  const ascii = fileName.replace(/[^A-Za-z0-9._-]/g, '_');
  const fallback = /^[A-Za-z0-9._-]+$/.test(fileName) ? fileName : `attachment${ext}`;
  return `attachment; filename="${ascii === fileName ? fileName : fallback}"; filename*=UTF-8''${encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

const CONFIRMATIONS: Record<string, string> = {
  attachment_added: '文件已上传。',
  attachment_withdrawn: '文件已撤回；撤回记录保留在办理记录中。',
  attachments_mailed: '答复和文件已放入发信队列；邮件服务器接收后自动登记送达（电子邮件）。',
};

/** The sentence confirming an attachment action, when the request's files bear it out (a code in the address alone shows nothing). */
export function attachmentConfirmation(done: unknown, items: AttachmentView[]): string | null {
  if (typeof done !== 'string' || !Object.hasOwn(CONFIRMATIONS, done)) return null;
  const borneOut = done === 'attachment_withdrawn' ? items.some((i) => i.status === 'withdrawn') : items.some((i) => i.status === 'active');
  return borneOut ? CONFIRMATIONS[done] : null;
}

/** The request page's files panel: the list, and the forms the viewer's roles allow. */
export function attachmentsPanel(items: AttachmentView[], request: { status: string; applicant: { email: string | null } }, roles: readonly Role[]) {
  const mayProcess = can(roles, 'requests.process');
  return {
    items: items.map((i) => ({ ...i, withdrawable: mayProcess && i.canWithdraw })),
    canUpload: mayProcess,
    kinds: ATTACHMENT_KINDS.map((k) => ({ value: k, label: ATTACHMENT_KIND_LABELS[k] })),
    canEmail: mayProcess && request.status === 'concluded' && !!request.applicant.email && items.some((i) => i.status === 'active' && i.kind === 'reply' && i.visibleToApplicant),
    hiddenUntilConcluded: request.status !== 'concluded',
  };
}
