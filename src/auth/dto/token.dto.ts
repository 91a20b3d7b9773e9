import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class TokenRequestDto {
  @ApiProperty()
  @IsString({ message: '请填写用户名。' })
  @Length(1, 64, { message: '用户名应为 1 到 64 个字符。' })
  username: string;

  @ApiProperty()
  @IsString({ message: '请填写密码。' })
  @Length(1, 200, { message: '密码应为 1 到 200 个字符。' })
  password: string;
}
