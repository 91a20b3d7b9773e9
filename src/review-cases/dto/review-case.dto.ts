import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsIsoDateString, Trim } from '../../requests/dto/validators';

export const REVIEW_CASE_KINDS = ['administrative_review', 'litigation_direct', 'litigation_after_review'] as const;
export const REVIEW_CASE_RESULTS = ['upheld', 'corrected', 'other'] as const;
export const AGENCY_ROLES = ['original_agency', 'co_defendant_review_organ'] as const;

export class CreateReviewCaseDto {
  @ApiProperty({ enum: REVIEW_CASE_KINDS })
  @IsIn(REVIEW_CASE_KINDS, { message: '请选择案件类型：行政复议、直接起诉的行政诉讼或复议后起诉的行政诉讼。' })
  kind: (typeof REVIEW_CASE_KINDS)[number];

  @ApiProperty({ example: '2024-05-10', description: '申请复议或起诉（立案）之日' })
  @IsIsoDateString()
  filedOn: string;

  @ApiPropertyOptional({ description: '所涉申请的 id' })
  @IsOptional()
  @Matches(/^[0-9a-f-]{36}$/, { message: '所涉申请无效。' })
  requestId?: string;

  @ApiPropertyOptional({ example: '某府复决〔2024〕23号' })
  @Trim()
  @IsOptional()
  @IsString({ message: '案号必须是文本。' })
  @MaxLength(100, { message: '案号最多 100 个字符。' })
  caseNumber?: string;

  @ApiPropertyOptional({ enum: AGENCY_ROLES, default: 'original_agency', description: 'co_defendant_review_organ：本机关仅作为复议机关与原机关作共同被告，不计入本机关报表' })
  @IsOptional()
  @IsIn(AGENCY_ROLES, { message: '请选择本机关角色：原行政机关或复议机关（共同被告）。' })
  agencyRole?: (typeof AGENCY_ROLES)[number];

  @ApiPropertyOptional()
  @Trim()
  @IsOptional()
  @IsString({ message: '备注必须是文本。' })
  @MaxLength(500, { message: '备注最多 500 个字符。' })
  note?: string;
}

export class ConcludeReviewCaseDto {
  @ApiProperty({ example: '2024-08-01' })
  @IsIsoDateString()
  concludedOn: string;

  @ApiProperty({ enum: REVIEW_CASE_RESULTS })
  @IsIn(REVIEW_CASE_RESULTS, { message: '请选择审结结果：结果维持、结果纠正或其他结果。' })
  result: (typeof REVIEW_CASE_RESULTS)[number];
}
