import { CsvError, parse } from 'csv-parse';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { ValidationFailedError } from '../domain/errors';
import { readXlsxRecords, XlsxUnreadableError } from './xlsx-reader';

/** A ledger file that can be read again from the start: once to check it, once to write it. */
export interface LedgerSource {
  chunks(): AsyncIterable<Buffer> | Iterable<Buffer>;
  /** The same bytes on every read (an upload held in memory); a file on disk may change between reads. */
  readonly stable: boolean;
}

const CHUNK_BYTES = 16 * 1024;

/**
 * Longest record accepted (bytes). The longest legitimate row (5,000-character description,
 * 2,000-character reasons, an address) stays well under it; one endless quoted field fails
 * here instead of growing the parser's buffer to the size of the file.
 */
export const MAX_RECORD_BYTES = 128 * 1024;

export function bufferSource(buffer: Buffer): LedgerSource {
  return {
    stable: true,
    *chunks() {
      for (let i = 0; i < buffer.length; i += CHUNK_BYTES) yield buffer.subarray(i, i + CHUNK_BYTES);
    },
  };
}

export function fileSource(path: string): LedgerSource {
  return { stable: false, chunks: () => createReadStream(path, { highWaterMark: CHUNK_BYTES }) };
}

/** How the file is read: CSV in a character set, or an Excel workbook (its first sheet). */
export type LedgerEncoding = 'utf-8' | 'gb18030' | 'xlsx';

/** The file cannot be read as a ledger at all (encoding, CSV syntax); nothing is written. */
export class LedgerFormatError extends ValidationFailedError {
  constructor(
    message: string,
    readonly line: number | null = null,
  ) {
    super(line === null ? {} : { [`line ${line}`]: message }, message);
  }
}

/**
 * Hands the event loop back to other requests after every `budgetMs` of work, so that a long
 * import never holds it for longer than that.
 */
export class Pacer {
  private last = performance.now();

  constructor(private readonly budgetMs = 5) {}

  async pace(): Promise<void> {
    if (performance.now() - this.last < this.budgetMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.last = performance.now();
  }
}

const ENCODING_HELP = '请在 Excel 中选择“另存为 → CSV UTF-8（逗号分隔）”后重新上传。';
const XLSX_HELP = '请在 Excel 中选择“另存为 → Excel 工作簿（.xlsx）”后重新上传，或上传 CSV 文件。';

/**
 * An Excel workbook (.xlsx, a zip) by its signature. For a CSV:
 * UTF-8 when the whole file is valid UTF-8 (with or without a BOM); otherwise GB18030, the
 * superset of GBK in which Chinese Excel saves "CSV (逗号分隔)". Whether it really is GB18030
 * is checked while reading it (a fatal decoder), so bytes are never stored as "\uFFFD".
 */
export async function detectEncoding(source: LedgerSource, pacer: Pacer): Promise<LedgerEncoding> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let first = true;
  try {
    for await (const chunk of source.chunks()) {
      if (first) {
        first = false;
        if ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff)) {
          throw new LedgerFormatError(`文件是 UTF-16 编码（Excel 的“Unicode 文本”），不是 CSV。${ENCODING_HELP}`);
        }
        if (chunk[0] === 0x50 && chunk[1] === 0x4b && chunk[2] === 0x03 && chunk[3] === 0x04) return 'xlsx';
        if (chunk[0] === 0xd0 && chunk[1] === 0xcf && chunk[2] === 0x11 && chunk[3] === 0xe0) {
          throw new LedgerFormatError(`这是旧版 Excel 工作簿（.xls），无法直接读取。${XLSX_HELP}`);
        }
      }
      decoder.decode(chunk, { stream: true });
      await pacer.pace();
    }
    decoder.decode();
    return 'utf-8';
  } catch (e) {
    if (isDecodeError(e)) return 'gb18030';
    throw e;
  }
}

/**
 * Streams the records of a CSV ledger (RFC 4180 as Excel writes it) through csv-parse, in
 * the given encoding, calling `visit` with each record and its row number as Excel shows it
 * (the header is row 1; a record with quoted line breaks is one row). Blank rows are skipped.
 */
export async function readLedgerRecords(source: LedgerSource, encoding: LedgerEncoding, pacer: Pacer, visit: (cells: string[], line: number) => void | Promise<void>): Promise<void> {
  if (encoding === 'xlsx') {
    try {
      return await readXlsxRecords(source, pacer, visit);
    } catch (e) {
      if (e instanceof XlsxUnreadableError) throw new LedgerFormatError(`无法读取该 Excel 工作簿（.xlsx）：文件可能已损坏，或不是 Excel 工作簿。${XLSX_HELP}`);
      throw e;
    }
  }
  const decoder = new TextDecoder(encoding, { fatal: true });
  async function* text(): AsyncGenerator<string> {
    for await (const chunk of source.chunks()) yield decoder.decode(chunk, { stream: true });
    const rest = decoder.decode();
    if (rest) yield rest;
  }
  const input = Readable.from(text(), { objectMode: false });
  const parser = parse({ bom: true, record_delimiter: ['\r\n', '\n', '\r'], relax_quotes: true, relax_column_count: true, skip_empty_lines: false, max_record_size: MAX_RECORD_BYTES });
  input.on('error', (e) => parser.destroy(e));
  input.pipe(parser);
  let line = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      line++;
      if (record.every((cell) => cell.trim() === '')) continue;
      await visit(record, line);
      await pacer.pace();
    }
  } catch (e) {
    // csv-parse counts the records it has read (blank ones too): the bad one is the next.
    const records = (e as { records?: unknown }).records;
    throw readError(e, typeof records === 'number' ? records + 1 : line + 1, encoding);
  } finally {
    input.destroy();
    parser.destroy();
  }
}

function readError(e: unknown, line: number, encoding: LedgerEncoding): unknown {
  if (e instanceof CsvError) {
    switch (e.code) {
      case 'CSV_MAX_RECORD_SIZE':
        return new LedgerFormatError(`第 ${line} 行超过 ${MAX_RECORD_BYTES / 1024} KB：多半是某个引号没有闭合，后面的内容都被读进了同一格。`, line);
      case 'CSV_QUOTE_NOT_CLOSED':
        return new LedgerFormatError(`第 ${line} 行起的引号直到文件末尾都没有闭合。`, line);
      default:
        return new LedgerFormatError(`第 ${line} 行的 CSV 格式有误（${e.code}）。`, line);
    }
  }
  if (isDecodeError(e)) {
    return new LedgerFormatError(
      encoding === 'gb18030' ? `文件既不是有效的 UTF-8，也不是有效的 GBK/GB18030 编码，中文无法可靠读取，未导入。${ENCODING_HELP}` : `文件不是有效的 UTF-8 编码，未导入。${ENCODING_HELP}`,
    );
  }
  return e;
}

function isDecodeError(e: unknown): boolean {
  return (e as { code?: unknown } | null)?.code === 'ERR_ENCODING_INVALID_ENCODED_DATA';
}
