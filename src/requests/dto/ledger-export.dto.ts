import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { LEDGER_FORMATS, LedgerFormat } from '../ledger-writers';
import { ListRequestsQueryDto } from './request.dto';

const YEAR_MESSAGE = '请填写 2008 至 2100 之间的四位年份，如 2025。';

/** The list's filters (what the list shows) and the file format: the staff page's export. */
export class LedgerFilterDto extends OmitType(ListRequestsQueryDto, ['page'] as const) {
  @ApiPropertyOptional({ enum: LEDGER_FORMATS, default: 'csv' })
  @IsOptional()
  @IsIn(LEDGER_FORMATS, { message: '导出格式只能是 csv 或 xlsx。' })
  format?: LedgerFormat;
}

/** GET /api/v1/requests/export: the applications received in `year` (D2), optionally narrowed by the list's filters. */
export class LedgerExportQueryDto extends LedgerFilterDto {
  @ApiProperty({ example: 2025, description: '收到申请之日所在年度' })
  @Type(() => Number)
  @IsInt({ message: YEAR_MESSAGE })
  @Min(2008, { message: YEAR_MESSAGE })
  @Max(2100, { message: YEAR_MESSAGE })
  year: number;
}
