// busboy 1.x (installed with multer, which @nestjs/platform-express uses) ships no types: the part used here.
declare module 'busboy' {
  import type { IncomingHttpHeaders } from 'node:http';
  import type { Readable, Writable } from 'node:stream';

  interface BusboyConfig {
    headers: IncomingHttpHeaders;
    defParamCharset?: string;
    preservePath?: boolean;
    limits?: { fieldSize?: number; fields?: number; fileSize?: number; files?: number; parts?: number; headerPairs?: number };
  }
  interface FileInfo {
    filename: string | undefined;
    encoding: string;
    mimeType: string;
  }
  interface Busboy extends Writable {
    on(event: 'file', listener: (name: string, stream: Readable & { truncated?: boolean }, info: FileInfo) => void): this;
    on(event: 'field', listener: (name: string, value: string, info: { valueTruncated: boolean }) => void): this;
    on(event: 'close' | 'finish', listener: () => void): this;
    on(event: 'error', listener: (error: Error) => void): this;
    on(event: 'filesLimit' | 'fieldsLimit' | 'partsLimit', listener: () => void): this;
  }
  function busboy(config: BusboyConfig): Busboy;
  export = busboy;
}
