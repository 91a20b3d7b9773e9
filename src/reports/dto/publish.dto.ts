import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { REASON_MAX_LENGTH } from '../report-publications.service';

export class PublishDto {
  @ApiPropertyOptional({ enum: ['2019', '2021'], description: '表式；缺省按年度（D12）' })
  @IsOptional()
  @IsIn(['2019', '2021'], { message: '表式必须是 2019 或 2021。' })
  format?: '2019' | '2021';

  @ApiPropertyOptional({ maxLength: REASON_MAX_LENGTH, description: '更正说明：本年度第二次及以后的发布必填（D20）' })
  @IsOptional()
  @IsString({ message: '更正说明必须是文本。' })
  @MaxLength(REASON_MAX_LENGTH, { message: `更正说明最多 ${REASON_MAX_LENGTH} 个字。` })
  reason?: string;
}
