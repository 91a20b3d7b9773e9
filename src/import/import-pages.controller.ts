import { RequirePermission } from '../auth/permissions';
import { ArgumentsHost, Catch, Controller, ExceptionFilter, Get, Inject, Injectable, Param, PayloadTooLargeException, Post, Res, UploadedFile, UseFilters, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CurrentStaff } from '../auth/current-staff.decorator';
import type { StaffPrincipal } from '../auth/roles';
import { PROJECT_ROOT } from '../common/paths';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { NotFoundError } from '../domain/errors';
import { staffActor } from '../auth/actor';
import { ImportService } from './import.service';
import { ImportJobView } from './import-outcomes';
import { ledgerColumnGuide } from './ledger-columns';
import { bufferSource } from './ledger-reader';
import { sampleWorkbook } from './xlsx-reader';

/** How long an upload's response waits for its import: a small ledger is answered at once, a large one gets the progress page. */
const ANSWER_WITHIN_MS = 2000;
const PROGRESS_REFRESH_SECONDS = 2;

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} 字节`;
}

function indexView(config: AppConfig, extra: Record<string, unknown> = {}) {
  return { title: '批量补录台账', columns: ledgerColumnGuide(), maxSize: formatBytes(config.importMaxBytes), ...extra };
}

const SAMPLE_CSV = join(PROJECT_ROOT, 'docs', 'ledger-sample-zh.csv');
/** RFC 6266: a Chinese file name for browsers, an ASCII one for the rest. */
const attachment = (name: string, ascii: string) => `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;

/** The upload limit (IMPORT_MAX_BYTES, enforced by multer while the file arrives): the page again, with a 413. */
@Injectable()
@Catch(PayloadTooLargeException)
export class LedgerTooLargeFilter implements ExceptionFilter {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  catch(_exception: PayloadTooLargeException, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const limit = formatBytes(this.config.importMaxBytes);
    res
      .status(413)
      .render('import/index', indexView(this.config, { message: `文件超过上传上限 ${limit}（设置项 IMPORT_MAX_BYTES），未导入任何记录。请把台账拆成几个不超过 ${limit} 的文件，分批上传。` }));
  }
}

@ApiExcludeController()
@Controller('staff/import')
export class ImportPagesController {
  constructor(
    private readonly imports: ImportService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @RequirePermission('requests.import')
  @Get()
  page(@Res() res: Response): void {
    res.render('import/index', indexView(this.config));
  }

  /** The sample ledger in Chinese (UTF-8 with a BOM, so Excel opens it as it is). */
  @RequirePermission('requests.import')
  @Get('sample.csv')
  sample(@Res() res: Response): void {
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', attachment('台账示例.csv', 'ledger-sample.csv'));
    res.send(readFileSync(SAMPLE_CSV));
  }

  /** The same sample as an Excel workbook, its dates as date cells. */
  @RequirePermission('requests.import')
  @Get('sample.xlsx')
  async sampleXlsx(@Res() res: Response): Promise<void> {
    res.setHeader('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    res.setHeader('Content-Disposition', attachment('台账示例.xlsx', 'ledger-sample.xlsx'));
    res.send(await sampleWorkbook(readFileSync(SAMPLE_CSV)));
  }

  /** Starts the import as a job; answers with its outcome if it is done within ANSWER_WITHIN_MS, else with its progress page. */
  @RequirePermission('requests.import')
  @Post()
  @UseFilters(LedgerTooLargeFilter)
  @UseInterceptors(FileInterceptor('ledger'))
  async upload(@UploadedFile() file: { buffer: Buffer } | undefined, @CurrentStaff() staff: StaffPrincipal, @Res() res: Response): Promise<void> {
    if (!file) {
      res.status(400).render('import/index', indexView(this.config, { message: '请选择要上传的台账文件（Excel 工作簿或 CSV）。' }));
      return;
    }
    const { id, done } = await this.imports.start(bufferSource(file.buffer), staffActor(staff));
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([done.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ANSWER_WITHIN_MS)))]);
    clearTimeout(timer);
    const job = finished ? await this.imports.job(id, staff.id) : null;
    if (!job || job.running) {
      res.redirect(303, `/staff/import/jobs/${id}`);
      return;
    }
    const status = job.status === 'completed' ? 201 : job.code === 'FORBIDDEN' ? 403 : job.status === 'refused' ? 400 : 503;
    res.status(status).render('import/index', indexView(this.config, outcome(job)));
  }

  /** The progress of an import; refreshes itself (no script needed) until it is done. */
  @RequirePermission('requests.import')
  @Get('jobs/:id')
  async progress(@Param('id') id: string, @CurrentStaff() staff: StaffPrincipal, @Res() res: Response): Promise<void> {
    const job = await this.imports.job(id, staff.id);
    if (!job) throw new NotFoundError('未找到该导入任务。');
    if (job.running) res.setHeader('Refresh', String(PROGRESS_REFRESH_SECONDS));
    res.render('import/job', { title: '批量补录台账：导入进度', job, refreshSeconds: job.running ? PROGRESS_REFRESH_SECONDS : null, ...outcome(job) });
  }
}

const ENCODING_NOTES: Record<string, string> = { gb18030: '文件按 GBK/GB18030 编码读取。', xlsx: '已读取 Excel 工作簿的第一个工作表。' };

function outcome(job: ImportJobView) {
  if (job.status === 'completed') return { result: job.result, encodingNote: ENCODING_NOTES[job.encoding ?? ''] ?? null };
  if (job.running) return {};
  return { message: job.message, errors: job.errors, more: job.more };
}
