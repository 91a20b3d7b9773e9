import { ApiProperty } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

/** Shape only; the code's pattern, the name and the parent are checked by AgenciesService (field messages in Chinese). */
export class CreateAgencyDto {
  @ApiProperty({ example: 'zrzy', description: '2–8 位小写字母或数字，以字母开头' })
  @IsString({ message: '请填写机关代码。' })
  @MaxLength(40, { message: '机关代码过长。' })
  code: string;

  @ApiProperty({ example: '某县自然资源局' })
  @IsString({ message: '请填写机关名称。' })
  @MaxLength(200, { message: '机关名称过长。' })
  name: string;

  @ApiProperty({ example: 'main', required: false })
  @IsOptional()
  @IsString({ message: '上级机关代码必须是文本。' })
  @MaxLength(40, { message: '上级机关代码过长。' })
  parent?: string;
}
