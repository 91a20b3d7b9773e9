import { RequirePermission } from '../auth/permissions';
import { Controller, Get, Post, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CurrentStaff } from '../auth/current-staff.decorator';
import type { StaffPrincipal } from '../auth/roles';
import { PROJECT_ROOT } from '../common/paths';
import { staffActor } from '../requests/requests.service';
import { LEDGER_COLUMNS } from './ledger-import';
import { ImportService, LedgerInvalidError, MAX_LEDGER_BYTES } from './import.service';

@ApiExcludeController()
@Controller('staff/import')
export class ImportPagesController {
  constructor(private readonly imports: ImportService) {}

  @RequirePermission('requests.import')
  @Get()
  page(@Res() res: Response): void {
    res.render('import/index', { title: '批量补录台账', columns: LEDGER_COLUMNS });
  }

  @RequirePermission('requests.import')
  @Get('sample.csv')
  sample(@Res() res: Response): void {
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="ledger-sample.csv"');
    res.send(readFileSync(join(PROJECT_ROOT, 'docs', 'ledger-sample.csv')));
  }

  @RequirePermission('requests.import')
  @Post()
  @UseInterceptors(FileInterceptor('ledger', { limits: { fileSize: MAX_LEDGER_BYTES, files: 1 } }))
  async upload(@UploadedFile() file: { buffer: Buffer; originalname: string } | undefined, @CurrentStaff() staff: StaffPrincipal, @Res() res: Response): Promise<void> {
    if (!file) {
      res.status(400).render('import/index', { title: '批量补录台账', columns: LEDGER_COLUMNS, message: '请选择要上传的 CSV 文件。' });
      return;
    }
    try {
      const result = await this.imports.importLedger(file.buffer.toString('utf8'), staffActor(staff));
      res.status(201).render('import/index', { title: '批量补录台账', columns: LEDGER_COLUMNS, result });
    } catch (e) {
      if (!(e instanceof LedgerInvalidError)) throw e;
      res.status(400).render('import/index', { title: '批量补录台账', columns: LEDGER_COLUMNS, message: e.message, errors: e.errors.slice(0, 500), more: Math.max(0, e.errors.length - 500) });
    }
  }
}
