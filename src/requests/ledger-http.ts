import { Logger } from '@nestjs/common';
import type { Response } from 'express';
import { LEDGER_MIME, LedgerFormat } from './ledger-writers';
import { LedgerQuery, RequestLedgerService } from './request-ledger.service';

const logger = new Logger('RequestLedger');

/**
 * Sends the ledger as a download. The rows stream after the headers, so an error half-way can
 * only cut the download short: the connection is closed rather than left hanging.
 */
export async function sendLedger(res: Response, ledger: RequestLedgerService, p: { query: LedgerQuery; format: LedgerFormat; fileName: string; staffId: string }): Promise<void> {
  const rows = ledger.rows(p.query);
  res.status(200);
  res.setHeader('Content-Type', LEDGER_MIME[p.format]);
  // `fileName` is ASCII (a year, a date); the UTF-8 name is for browsers that read filename*.
  res.setHeader('Content-Disposition', `attachment; filename="request-ledger-${p.fileName}.${p.format}"; filename*=UTF-8''${encodeURIComponent(`依申请公开台账-${p.fileName}.${p.format}`)}`);
  // Names of applicants: never kept by a browser or proxy cache.
  res.setHeader('Cache-Control', 'no-store');
  try {
    const count = await ledger.writeRows(res, rows, p.format);
    // Who exported how much, never the filter (a search term may be a name).
    logger.log(`ledger export (${p.format}) by ${p.staffId}: ${count} rows${res.destroyed ? ', cut short: the client went away' : ''}`);
  } catch (e) {
    logger.error(`ledger export (${p.format}) by ${p.staffId} failed: ${String((e as Error)?.message).slice(0, 200)}`);
    res.destroy(e as Error);
  }
}
