import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { contentDisposition } from './attachment-views';
import { OpenedFile } from './attachments.service';

/** Streams a stored file to the client, chunk by chunk; never rendered inline, never sniffed, never cached. */
export async function sendAttachment(res: Response, { attachment, stream }: OpenedFile): Promise<void> {
  res.status(200);
  res.setHeader('Content-Type', attachment.contentType);
  res.setHeader('Content-Length', String(attachment.size));
  res.setHeader('Content-Disposition', contentDisposition(attachment.fileName));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Attachment-SHA256', attachment.sha256);
  try {
    await pipeline(stream, res);
  } catch {
    // The client went away, or a chunk vanished (withdrawn meanwhile): the connection is cut, never a partial file passed off as whole.
    res.destroy();
  }
}

/** An upload refused before its body was read: the rest is read and dropped so the client gets the answer. */
export function drain(req: Request): void {
  if (!req.readableEnded) req.resume();
}
