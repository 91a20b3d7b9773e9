import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDefined,
  IsEmail,
  IsObject,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  APPLICANT_TYPES,
  ApplicantType,
  Channel,
  CHANNELS,
  DELIVERY_METHODS,
  DELIVERY_WAYS,
  DeliveryMethod,
  ID_DOCUMENT_TYPES,
  IdDocumentType,
  OUTCOMES,
  STAFF_EVENT_TYPES,
  StaffEventType,
} from '../../domain/lifecycle';
import { normaliseCreditCode, normaliseEmail, normaliseIdDocumentNumber, normalisePhone } from '../../domain/applicants';
import { IsCreditCode, IsIdDocumentNumber, IsIsoDateString, PHONE_PATTERN, Trim } from './validators';

export class ApplicantDto {
  @ApiProperty({ enum: APPLICANT_TYPES })
  @IsIn(APPLICANT_TYPES, { message: '请选择申请人类型。' })
  type: ApplicantType;

  @ApiProperty({ description: '姓名或者名称', maxLength: 100 })
  @Trim()
  @IsString({ message: '请填写姓名或名称。' })
  @Length(1, 100, { message: '姓名或名称应为 1 到 100 个字符。' })
  name: string;

  @ApiPropertyOptional({ enum: ID_DOCUMENT_TYPES })
  @Trim()
  @IsOptional()
  @IsIn(ID_DOCUMENT_TYPES, { message: '证件类型无效。' })
  idDocumentType?: IdDocumentType;

  @ApiPropertyOptional({ description: '身份证明号码' })
  @Trim(normaliseIdDocumentNumber)
  @IsOptional()
  @IsString({ message: '证件号码必须是文本。' })
  @IsIdDocumentNumber()
  idDocumentNumber?: string;

  @ApiPropertyOptional({ description: '统一社会信用代码（法人或其他组织）' })
  @Trim(normaliseCreditCode)
  @IsOptional()
  @IsString({ message: '统一社会信用代码必须是文本。' })
  @IsCreditCode()
  organisationCode?: string;

  @ApiPropertyOptional()
  @Trim(normalisePhone)
  @IsOptional()
  @IsString({ message: '电话必须是文本。' })
  @Matches(PHONE_PATTERN, { message: '电话号码格式无效（手机 11 位，或带区号的固定电话）。' })
  phone?: string;

  @ApiPropertyOptional()
  @Trim(normaliseEmail)
  @IsOptional()
  @IsString({ message: '电子邮箱必须是文本。' })
  @MaxLength(254, { message: '电子邮箱过长。' })
  @IsEmail({}, { message: '电子邮箱格式无效。' })
  email?: string;

  @ApiPropertyOptional({ description: '通信地址', maxLength: 300 })
  @Trim()
  @IsOptional()
  @IsString({ message: '地址必须是文本。' })
  @MaxLength(300, { message: '地址最多 300 个字符。' })
  address?: string;
}

export class RequestItemDto {
  @ApiProperty({ maxLength: 2000 })
  @Trim()
  @IsString({ message: '请填写所需信息的描述。' })
  @Length(1, 2000, { message: '每项描述应为 1 到 2000 个字符。' })
  description: string;
}

export class CreateRequestDto {
  @ApiProperty({ type: ApplicantDto })
  @IsDefined({ message: '请填写申请人信息。' })
  @IsObject({ message: '申请人信息必须是对象。' })
  @ValidateNested({ message: '申请人信息无效。' })
  @Type(() => ApplicantDto)
  applicant: ApplicantDto;

  @ApiProperty({ enum: CHANNELS })
  @IsIn(CHANNELS, { message: '请选择提交渠道。' })
  channel: Channel;

  @ApiProperty({ example: '2024-03-05', description: '收到申请之日（《条例》第三十一条）' })
  @IsIsoDateString()
  receivedOn: string;

  @ApiProperty({ description: '申请公开的政府信息的名称、文号或者特征性描述', maxLength: 5000 })
  @Trim()
  @IsString({ message: '请填写申请内容。' })
  @Length(1, 5000, { message: '申请内容应为 1 到 5000 个字符。' })
  description: string;

  @ApiPropertyOptional({ type: [RequestItemDto] })
  @IsOptional()
  @IsArray({ message: '事项必须是数组。' })
  @ArrayMinSize(1, { message: '至少需要一项。' })
  @ArrayMaxSize(50, { message: '一件申请最多 50 项。' })
  @ValidateNested({ each: true })
  @Type(() => RequestItemDto)
  items?: RequestItemDto[];

  @ApiPropertyOptional({ enum: DELIVERY_METHODS, default: 'electronic' })
  @IsOptional()
  @IsIn(DELIVERY_METHODS, { message: '获取信息的方式无效。' })
  deliveryMethod?: DeliveryMethod;
}

export class PublicRequestDto extends OmitType(CreateRequestDto, ['channel', 'receivedOn'] as const) {
  @ApiPropertyOptional({ example: 'zrzy', description: '受理机关的代码；平台上有多个机关时必填（D22）' })
  @IsOptional()
  @IsString({ message: '机关代码必须是文本。' })
  @MaxLength(40, { message: '机关代码过长。' })
  agency?: string;
}

export class ItemOutcomeDto {
  @ApiProperty()
  @IsInt({ message: '事项序号必须是整数。' })
  @Min(0, { message: '事项序号不能为负。' })
  @Max(49, { message: '事项序号超出范围。' })
  item: number;

  @ApiProperty({ enum: OUTCOMES })
  @IsIn(OUTCOMES, { message: '不是有效的答复结果代码。' })
  outcome: string;

  @ApiPropertyOptional({ description: '该项的理由（D1：答复逐项说明）', maxLength: 2000 })
  @Trim()
  @IsOptional()
  @IsString({ message: '理由必须是文本。' })
  @MaxLength(2000, { message: '理由最多 2000 个字符。' })
  reason?: string;
}

/** D21: where information this agency does not hold can be obtained (Art. 36(五)). */
export class ReferToDto {
  @ApiProperty({ example: '某县自然资源局', maxLength: 200, description: '选了本平台上的机关（agencyCode）时可省略，取该机关的名称' })
  @Trim()
  @ValidateIf((o: ReferToDto) => !o.agencyCode || o.agency !== undefined)
  @IsString({ message: '机关名称必须是文本。' })
  @MaxLength(200, { message: '机关名称最多 200 个字符。' })
  agency: string;

  @ApiPropertyOptional({ example: '0000-1234567', maxLength: 200 })
  @Trim()
  @IsOptional()
  @IsString({ message: '联系方式必须是文本。' })
  @MaxLength(200, { message: '联系方式最多 200 个字符。' })
  contact?: string;

  @ApiPropertyOptional({ example: 'zrzy', description: '该机关在本平台上时其代码：申请人可在查询页一步改向该机关申请（D21、D23）' })
  @IsOptional()
  @IsString({ message: '机关代码必须是文本。' })
  @MaxLength(40, { message: '机关代码过长。' })
  agencyCode?: string;
}

export class RecordEventDto {
  @ApiProperty({ enum: STAFF_EVENT_TYPES })
  @IsIn(STAFF_EVENT_TYPES, { message: '不是有效的办理步骤。' })
  type: StaffEventType;

  @ApiProperty({ example: '2024-03-06' })
  @IsIsoDateString()
  on: string;

  @ApiPropertyOptional({ description: 'correction_requested: 补正期限' })
  @IsOptional()
  @IsIsoDateString()
  correctionDueOn?: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @Trim()
  @IsOptional()
  @IsString({ message: '说明必须是文本。' })
  @MaxLength(2000, { message: '说明最多 2000 个字符。' })
  note?: string;

  @ApiPropertyOptional({ enum: ['third_party', 'agency'] })
  @IsOptional()
  @IsIn(['third_party', 'agency'], { message: '征求意见对象必须是 third_party 或 agency。' })
  party?: 'third_party' | 'agency';

  @ApiPropertyOptional()
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 }, { message: '金额必须是数字（元）。' })
  amountYuan?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 20 })
  @IsOptional()
  @IsInt({ message: '延长的工作日数必须是整数。' })
  extraWorkingDays?: number;

  @ApiPropertyOptional()
  @Trim()
  @IsOptional()
  @IsString({ message: '批准人必须是文本。' })
  @MaxLength(100, { message: '批准人最多 100 个字符。' })
  approvedBy?: string;

  @ApiPropertyOptional()
  @Trim()
  @IsOptional()
  @IsString({ message: '理由必须是文本。' })
  @MaxLength(2000, { message: '理由最多 2000 个字符。' })
  reason?: string;

  @ApiPropertyOptional({ enum: OUTCOMES })
  @IsOptional()
  @IsIn(OUTCOMES, { message: '不是有效的答复结果代码。' })
  outcome?: string;

  @ApiPropertyOptional({ type: [ItemOutcomeDto] })
  @IsOptional()
  @IsArray({ message: '必须是数组。' })
  @ArrayMaxSize(50, { message: '最多 50 项。' })
  @ValidateNested({ each: true })
  @Type(() => ItemOutcomeDto)
  itemOutcomes?: ItemOutcomeDto[];

  @ApiPropertyOptional({ description: 'deadline_set: 延迟答复的期限（《条例》第三十五条）' })
  @IsOptional()
  @IsIsoDateString()
  dueOn?: string;

  @ApiPropertyOptional({ description: 'fee_notice_issued / consultation_started: 对方收到通知之日（D18）' })
  @IsOptional()
  @IsIsoDateString()
  deliveredOn?: string;

  @ApiPropertyOptional({ enum: DELIVERY_WAYS, description: 'delivered: 送达方式（D17）' })
  @IsOptional()
  @IsIn(DELIVERY_WAYS, { message: '送达方式必须是 email、post、in_person 或 online。' })
  method?: string;

  @ApiPropertyOptional({ description: 'delivered: 送达凭证，如 EMS 单号', maxLength: 100 })
  @Trim()
  @IsOptional()
  @IsString({ message: '送达凭证必须是文本。' })
  @MaxLength(100, { message: '送达凭证最多 100 个字符。' })
  reference?: string;

  @ApiPropertyOptional({ type: ReferToDto, description: 'decided（本机关不掌握）: 告知掌握该信息的机关（D21）' })
  @IsOptional()
  @IsObject({ message: 'referTo 必须是对象：{"agency": "…", "contact": "…"}。' })
  @ValidateNested()
  @Type(() => ReferToDto)
  referTo?: ReferToDto;

  @ApiPropertyOptional({ description: 'decided（重复申请）: 此前已答复的申请编号，答复告知书引用该答复（《条例》第三十六条第（六）项）', maxLength: 30 })
  @Trim()
  @IsOptional()
  @IsString({ message: '申请编号必须是文本。' })
  @MaxLength(30, { message: '申请编号最多 30 个字符。' })
  repeatOf?: string;

  @ApiPropertyOptional({ description: '乐观锁：期望的版本号；不一致时返回 409' })
  @IsOptional()
  @IsInt({ message: '版本号必须是整数。' })
  expectedVersion?: number;
}

export class ListRequestsQueryDto {
  @IsOptional()
  @IsString()
  @MaxLength(30)
  status?: string;

  @IsOptional()
  @IsIn(['true', 'false'], { message: 'overdue 只能是 true 或 false。' })
  overdue?: string;

  @IsOptional()
  @IsIsoDateString()
  dueBefore?: string;

  @Trim()
  @IsOptional()
  @IsString()
  @MaxLength(100, { message: '搜索词最多 100 个字符。' })
  q?: string;

  @IsOptional()
  @Matches(/^\d{1,5}$/, { message: '页码必须是正整数。' })
  page?: string;

  @IsOptional()
  @IsIn(CHANNELS, { message: '渠道无效。' })
  channel?: string;

  @IsOptional()
  @IsIn(APPLICANT_TYPES, { message: '申请人类型无效。' })
  applicantType?: string;

  @IsOptional()
  @Matches(/^(none|[0-9a-f-]{36})$/, { message: '承办人无效。' })
  assignee?: string;

  @IsOptional()
  @IsIsoDateString()
  receivedFrom?: string;

  @IsOptional()
  @IsIsoDateString()
  receivedTo?: string;

  @IsOptional()
  @IsIsoDateString()
  concludedFrom?: string;

  @IsOptional()
  @IsIsoDateString()
  concludedTo?: string;

  @IsOptional()
  @IsIn(OUTCOMES, { message: '结果代码无效。' })
  outcome?: string;
}

export class AssignRequestDto {
  @ApiPropertyOptional({ description: '承办人账号 id；null 表示取消指定', nullable: true })
  @IsOptional()
  @Matches(/^[0-9a-f-]{36}$/, { message: '承办人无效。' })
  assigneeId?: string | null;
}

/** D23: the agency to forward a submission awaiting confirmation to, and why. */
export class TransferRequestDto {
  @ApiProperty({ example: 'zrzy', description: '本平台上另一个机关的代码' })
  @IsString({ message: '请选择转送的机关。' })
  @MaxLength(40, { message: '机关代码过长。' })
  agency: string;

  @ApiPropertyOptional({ example: '所申请信息由自然资源局制作和保存', maxLength: 500 })
  @Trim()
  @IsOptional()
  @IsString({ message: '转送说明必须是文本。' })
  @MaxLength(500, { message: '转送说明最多 500 个字符。' })
  note?: string;
}
