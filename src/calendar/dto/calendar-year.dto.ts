import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsString, Length } from 'class-validator';
import { Trim } from '../../requests/dto/validators';
import { IsIsoDateString } from '../../requests/dto/validators';

export class PutCalendarYearDto {
  @ApiProperty({ type: [String], example: ['2027-01-01'], description: '放假日期（含调休形成的连休周末）' })
  @IsArray({ message: '放假日期必须是数组。' })
  @ArrayMaxSize(60, { message: '放假日期最多 60 天。' })
  @IsIsoDateString({ each: true, message: '每个放假日期都必须是 YYYY-MM-DD。' })
  holidays: string[];

  @ApiProperty({ type: [String], example: ['2027-02-06'], description: '调休上班日（周末）' })
  @IsArray({ message: '调休上班日必须是数组。' })
  @ArrayMaxSize(20, { message: '调休上班日最多 20 天。' })
  @IsIsoDateString({ each: true, message: '每个调休上班日都必须是 YYYY-MM-DD。' })
  makeUpWorkdays: string[];

  @ApiProperty({ example: '国办发明电〔2026〕7号', description: '国务院办公厅通知的文号' })
  @Trim()
  @IsString({ message: '请填写通知文号。' })
  @Length(2, 200, { message: '通知文号应为 2 到 200 个字符。' })
  source: string;
}
