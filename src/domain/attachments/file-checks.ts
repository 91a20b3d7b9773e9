/** What an uploaded file is, judged from its bytes and never from its name, and whether it may be kept. */

export const ATTACHMENT_KINDS = ['reply', 'released', 'internal'] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];
export const ATTACHMENT_KIND_LABELS: Record<AttachmentKind, string> = { reply: '答复告知书', released: '公开的政府信息', internal: '内部材料' };

/** Retention (domain.md §7): the reply is addressed to the applicant and internal papers (the application form) name them; released information does not. */
export const IDENTIFYING_KINDS: readonly AttachmentKind[] = ['reply', 'internal'];

/** How many leading bytes the content check needs. */
export const SNIFF_BYTES = 512;

export type ContentFamily = 'pdf' | 'png' | 'jpeg' | 'gif' | 'tiff' | 'zip' | 'ole2' | 'executable' | 'unknown';

/** The file's family from its first bytes. */
export function sniffContent(head: Buffer): ContentFamily {
  const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  const ascii = (s: string) => head.subarray(0, s.length).toString('latin1') === s;
  if (ascii('MZ') || starts(0x7f, 0x45, 0x4c, 0x46) || ascii('#!')) return 'executable';
  // Mach-O, 32/64-bit either byte order, and fat binaries.
  if (starts(0xfe, 0xed, 0xfa, 0xce) || starts(0xfe, 0xed, 0xfa, 0xcf) || starts(0xce, 0xfa, 0xed, 0xfe) || starts(0xcf, 0xfa, 0xed, 0xfe) || starts(0xca, 0xfe, 0xba, 0xbe)) return 'executable';
  if (ascii('%PDF-')) return 'pdf';
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
  if (starts(0xff, 0xd8, 0xff)) return 'jpeg';
  if (ascii('GIF87a') || ascii('GIF89a')) return 'gif';
  if (starts(0x49, 0x49, 0x2a, 0x00) || starts(0x4d, 0x4d, 0x00, 0x2a)) return 'tiff';
  if (starts(0x50, 0x4b, 0x03, 0x04) || starts(0x50, 0x4b, 0x05, 0x06)) return 'zip';
  if (starts(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1)) return 'ole2';
  return 'unknown';
}

/** The extensions each family may carry, and the Content-Type each is served with. */
const TYPES: Record<Exclude<ContentFamily, 'executable' | 'unknown'>, Record<string, string>> = {
  pdf: { pdf: 'application/pdf' },
  png: { png: 'image/png' },
  jpeg: { jpg: 'image/jpeg', jpeg: 'image/jpeg' },
  gif: { gif: 'image/gif' },
  tiff: { tif: 'image/tiff', tiff: 'image/tiff' },
  zip: {
    zip: 'application/zip',
    docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    odt: 'application/vnd.oasis.opendocument.text',
    ods: 'application/vnd.oasis.opendocument.spreadsheet',
    odp: 'application/vnd.oasis.opendocument.presentation',
    // GB/T 33190: the Chinese fixed-layout format (a ZIP package).
    ofd: 'application/ofd',
  },
  ole2: { doc: 'application/msword', xls: 'application/vnd.ms-excel', ppt: 'application/vnd.ms-powerpoint', wps: 'application/vnd.ms-works', et: 'application/vnd.ms-excel' },
};

export const ACCEPTED_EXTENSIONS = Object.values(TYPES).flatMap((t) => Object.keys(t));

export function extensionOf(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? fileName.slice(dot + 1).toLowerCase() : '';
}

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * The name the browser sent, for Content-Disposition: any path part dropped (a browser may send
 * "C:\\fakepath\\x.pdf"); refused with control characters, "..", or nothing left.
 */
export function checkFileName(raw: string): Checked<string> {
  // Control characters, and the bidirectional overrides that disguise an extension ("名字\u202egpj.pdf").
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(raw)) return { ok: false, message: '文件名含有控制字符，请改名后再上传。' };
  if (raw.split(/[\\/]/).includes('..')) return { ok: false, message: '文件名不能含有“..”等路径，请改名后再上传。' };
  const name = raw.split(/[\\/]/).pop()!.trim();
  if (!name || name === '.' || name.startsWith('..')) return { ok: false, message: '文件名无效，请改名后再上传。' };
  if (name.length > 200) return { ok: false, message: '文件名过长（最多 200 个字符），请改名后再上传。' };
  return { ok: true, value: name };
}

/** The served Content-Type, when the content is of an accepted family and the name's extension belongs to it; else why not. */
export function contentTypeFor(family: ContentFamily, fileName: string): Checked<string> {
  if (family === 'executable') return { ok: false, message: '不能上传可执行程序或脚本。' };
  const accepted = `只能上传 PDF、图片（PNG、JPEG、GIF、TIFF）、Office 文档（Word、Excel、PowerPoint、WPS、OFD）或 ZIP 压缩包。`;
  if (family === 'unknown') return { ok: false, message: `无法识别该文件的类型。${accepted}` };
  const ext = extensionOf(fileName);
  const type = TYPES[family][ext];
  if (!type) return { ok: false, message: `文件内容与扩展名“.${ext || '（无）'}”不符（内容是 ${family.toUpperCase()} 格式），请检查是否选错了文件。` };
  return { ok: true, value: type };
}

export interface ZipLimits {
  /** Largest total size the entries may declare, unpacked. */
  maxUnpackedBytes: number;
  /** Largest unpacked : packed ratio. */
  maxRatio: number;
}

export const ZIP_LIMITS: ZipLimits = { maxUnpackedBytes: 1024 * 1024 * 1024, maxRatio: 100 };

/**
 * A ZIP package judged from its central directory alone (never unpacked): the end record is in
 * `tail`, the last bytes of a file of `size` bytes. Refused when the entries declare more than
 * the limits unpacked (a ZIP bomb), or when the directory cannot be read from the tail.
 */
export function inspectZip(tail: Buffer, size: number, limits: ZipLimits = ZIP_LIMITS): Checked<{ entries: number; unpackedBytes: number; names: string[] }> {
  const broken = { ok: false as const, message: '压缩包已损坏或格式无法识别，请重新打包后上传。' };
  const tailStart = size - tail.length;
  let eocd = -1;
  for (let i = tail.length - 22; i >= Math.max(0, tail.length - 22 - 0xffff); i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return broken;
  const cdSize = tail.readUInt32LE(eocd + 12);
  const cdOffset = tail.readUInt32LE(eocd + 16);
  // ZIP64 marks: sizes past 4 GiB, far beyond any accepted upload.
  if (cdSize === 0xffffffff || cdOffset === 0xffffffff) return { ok: false, message: '压缩包声明的内容过大，不予接收（疑似压缩炸弹）。' };
  if (cdOffset < tailStart || cdOffset + cdSize > tailStart + eocd) return cdOffset + cdSize > size ? broken : { ok: false, message: '压缩包目录过大，请拆分后上传。' };
  let p = cdOffset - tailStart;
  const end = p + cdSize;
  let unpacked = 0;
  let entries = 0;
  const names: string[] = [];
  while (p < end) {
    if (p + 46 > end || tail.readUInt32LE(p) !== 0x02014b50) return broken;
    const declared = tail.readUInt32LE(p + 24);
    const nameLength = tail.readUInt16LE(p + 28);
    const skip = 46 + nameLength + tail.readUInt16LE(p + 30) + tail.readUInt16LE(p + 32);
    if (p + skip > end) return broken;
    unpacked += declared === 0xffffffff ? 2 ** 32 : declared;
    entries++;
    if (names.length < 50) names.push(tail.subarray(p + 46, p + 46 + nameLength).toString('utf8'));
    p += skip;
  }
  if (unpacked > limits.maxUnpackedBytes || unpacked > Math.max(size, 1) * limits.maxRatio) {
    return { ok: false, message: `压缩包解压后声明为 ${Math.round(unpacked / 1024 / 1024)} MB，超过允许的大小或压缩比（疑似压缩炸弹），不予接收。` };
  }
  return { ok: true, value: { entries, unpackedBytes: unpacked, names } };
}

/** How many trailing bytes inspectZip is handed: the end record and a central directory of thousands of entries. */
export const ZIP_TAIL_BYTES = 1024 * 1024;
