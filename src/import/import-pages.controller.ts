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
import { staffActor } from '../requests/requests.service';
import { ImportJobView, ImportService } from './import.service';
import { LEDGER_COLUMNS } from './ledger-import';
import { bufferSource } from './ledger-reader';

/** How long an upload's response waits for its import: a small ledger is answered at once, a large one gets the progress page. */
const ANSWER_WITHIN_MS = 2000;
const PROGRESS_REFRESH_SECONDS = 2;

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} 字节`;
}

function indexView(config: AppConfig, extra: Record<string, unknown> = {}) {
  return { title: '批量补录台账', columns: LEDGER_COLUMNS, maxSize: formatBytes(config.importMaxBytes), ...extra };
}

/** The upload limit (IMPORT_MAX_BYTES, enforced by multer while the file arrives): the page again, with a 413. */
@Injectable()
@Catch(PayloadTooLargeException)
export class LedgerTooLargeFilter implements ExceptionFilter {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  catch(_exception: PayloadTooLargeException, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const limit = formatBytes(this.config.importMaxBytes);
    res.status(413).render('import/index', indexView(this.config, { message: `文件超过上传上限 ${limit}（设置项 IMPORT_MAX_BYTES），未导入任何记录。请把台账拆成几个不超过 ${limit} 的文件，分批上传。` }));
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

  @RequirePermission('requests.import')
  @Get('sample.csv')
  sample(@Res() res: Response): void {
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="ledger-sample.csv"');
    res.send(readFileSync(join(PROJECT_ROOT, 'docs', 'ledger-sample.csv')));
  }

  /** Starts the import as a job; answers with its outcome if it is done within ANSWER_WITHIN_MS, else with its progress page. */
  @RequirePermission('requests.import')
  @Post()
  @UseFilters(LedgerTooLargeFilter)
  @UseInterceptors(FileInterceptor('ledger'))
  async upload(@UploadedFile() file: { buffer: Buffer } | undefined, @CurrentStaff() staff: StaffPrincipal, @Res() res: Response): Promise<void> {
    if (!file) {
      res.status(400).render('import/index', indexView(this.config, { message: '请选择要上传的 CSV 文件。' }));
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

function outcome(job: ImportJobView) {
  if (job.status === 'completed') return { result: job.result, encodingNote: job.encoding === 'gb18030' ? '文件按 GBK/GB18030 编码读取。' : null };
  if (job.running) return {};
  return { message: job.message, errors: job.errors, more: job.more };
}
