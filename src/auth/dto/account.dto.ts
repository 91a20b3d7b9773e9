import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsBoolean, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import { ROLES } from '../roles';

// Shapes only: the rules (username format, password policy, known roles) live in AuthService,
// which the accounts page uses too, and answer together in one 400 with every field.

export class CreateAccountDto {
  @ApiProperty({ example: 'zhang.san', description: '3 到 64 个字母、数字或 _ . -' })
  @IsString({ message: '请填写用户名。' })
  @MaxLength(64, { message: '用户名最多 64 个字符。' })
  username: string;

  @ApiProperty({ example: '张三' })
  @IsString({ message: '请填写姓名。' })
  @MaxLength(100, { message: '姓名最多 100 个字符。' })
  displayName: string;

  @ApiProperty({ description: '初始密码：至少 10 个字符，含字母、数字、符号中的两类，不含用户名' })
  @IsString({ message: '请填写密码。' })
  @MaxLength(200, { message: '密码最多 200 个字符。' })
  password: string;

  @ApiProperty({ enum: ROLES, isArray: true, example: ['registrar', 'handler'] })
  @IsArray({ message: '角色必须是列表。' })
  @IsString({ each: true, message: '角色必须是文本。' })
  roles: string[];

  @ApiPropertyOptional({ description: '每日提醒发往的电子邮箱' })
  @IsOptional()
  @IsString({ message: '电子邮箱必须是文本。' })
  @MaxLength(254, { message: '电子邮箱最多 254 个字符。' })
  email?: string;

  @ApiPropertyOptional({ description: '账号所属机关的代码（D22）；默认为创建者的机关。根机关的系统管理员可在任一机关创建账号，其他机关的只能在本机关' })
  @IsOptional()
  @IsString({ message: '机关代码必须是文本。' })
  agency?: string;
}

export class UpdateAccountDto {
  @ApiPropertyOptional({ enum: ROLES, isArray: true, description: '替换全部角色' })
  @IsOptional()
  @IsArray({ message: '角色必须是列表。' })
  @IsString({ each: true, message: '角色必须是文本。' })
  roles?: string[];

  @ApiPropertyOptional({ description: 'false 停用账号并立即吊销其全部会话和令牌' })
  @IsOptional()
  @IsBoolean({ message: 'active 必须是 true 或 false。' })
  active?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: '姓名必须是文本。' })
  @MaxLength(100, { message: '姓名最多 100 个字符。' })
  displayName?: string;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'null 清除' })
  @ValidateIf((_, v) => v !== null && v !== undefined)
  @IsString({ message: '电子邮箱必须是文本。' })
  @MaxLength(254, { message: '电子邮箱最多 254 个字符。' })
  email?: string | null;
}

export class ResetPasswordDto {
  @ApiProperty({ description: '新密码；该账号的全部会话和 API 令牌随即失效' })
  @IsString({ message: '请填写新密码。' })
  @MaxLength(200, { message: '密码最多 200 个字符。' })
  password: string;
}

export class ChangeOwnPasswordDto {
  @ApiProperty()
  @IsString({ message: '请填写当前密码。' })
  @MaxLength(200, { message: '密码最多 200 个字符。' })
  currentPassword: string;

  @ApiProperty({ description: '至少 10 个字符，含字母、数字、符号中的两类，不含用户名' })
  @IsString({ message: '请填写新密码。' })
  @MaxLength(200, { message: '密码最多 200 个字符。' })
  newPassword: string;
}

export class AccountResponse {
  @ApiProperty() id: string;
  @ApiProperty() username: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ enum: ROLES, isArray: true }) roles: string[];
  @ApiProperty() active: boolean;
  @ApiProperty({ nullable: true, type: String }) email: string | null;
  @ApiProperty({ description: '账号因多次登录失败而临时锁定' }) locked: boolean;
}

export class AccountListResponse {
  @ApiProperty({ type: [AccountResponse] }) items: AccountResponse[];
}
