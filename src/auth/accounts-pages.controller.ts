import { AgenciesService } from '../agencies/agencies.service';
import { ROOT_AGENCY_ID } from '../agencies/entities/agency.entity';
import { fieldMessagesBesides } from '../common/form-options';
import { formatShanghaiDateTime } from '../common/format';
import { statusOf } from '../common/http-error.filter';
import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { DomainError } from '../domain/errors';
import { ApplicantPrivacyService } from '../requests/applicant-privacy.service';
import { staffActor } from './actor';
import { AuthService } from './auth.service';
import { CurrentStaff } from './current-staff.decorator';
import { PERMISSION_LABELS, PERMISSION_MATRIX, PERMISSIONS, RequirePermission, ROOT_ONLY_GRANTS } from './permissions';
import { Role, ROLE_LABELS, ROLES, StaffPrincipal } from './roles';
import { presentedToken } from './staff-auth.guard';

function rolesFrom(body: Record<string, unknown>): Role[] {
  const raw = body.roles;
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
  return list.filter((r): r is Role => (ROLES as readonly string[]).includes(String(r)));
}

@ApiExcludeController()
@Controller('staff')
export class AccountsPagesController {
  constructor(
    private readonly auth: AuthService,
    private readonly privacy: ApplicantPrivacyService,
    private readonly agencies: AgenciesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private async accountsModel(staff: StaffPrincipal, extra: Record<string, unknown> = {}) {
    const accounts = await this.auth.listAccountsWithLocks();
    // The root agency's administrator creates accounts in any agency (D22); others in their own.
    const choices = await this.agencies.choices();
    const own = choices.find((c) => c.code === accounts.find((a) => a.id === staff.id)?.agency);
    return {
      title: '账号管理',
      agencyOptions: choices.length > 1 && staff.agencyId === ROOT_AGENCY_ID ? choices.map((c) => ({ ...c, indent: '　'.repeat(c.depth), selected: c === own })) : null,
      showAgency: choices.length > 1 && staff.agencyId === ROOT_AGENCY_ID,
      accounts: accounts.map((a) => ({
        ...a,
        roleList: a.roles.map((r) => ROLE_LABELS[r]).join('、'),
        lockedUntilLabel: a.lockedUntil ? formatShanghaiDateTime(a.lockedUntil) : null,
        roleOptions: ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r], checked: a.roles.includes(r) })),
      })),
      roleOptions: ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] })),
      matrix: PERMISSIONS.map((p) => ({ label: PERMISSION_LABELS[p], cells: ROLES.map((r) => (PERMISSION_MATRIX[p].includes(r) ? (ROOT_ONLY_GRANTS[p]?.includes(r) ? '✓ 仅根机关' : '✓') : '')) })),
      roleHeaders: ROLES.map((r) => ROLE_LABELS[r]),
      ...extra,
    };
  }

  @RequirePermission('accounts.manage')
  @Get('accounts')
  async accounts(@Query('saved') saved: string, @CurrentStaff() staff: StaffPrincipal, @Res() res: Response): Promise<void> {
    res.render('staff/accounts', await this.accountsModel(staff, { notice: saved ? '已保存。' : null }));
  }

  @RequirePermission('accounts.manage')
  @Post('accounts')
  async createAccount(@Body() body: Record<string, unknown>, @CurrentStaff() staff: StaffPrincipal, @Res() res: Response): Promise<void> {
    const str = (k: string) => (typeof body[k] === 'string' ? body[k].trim() : '');
    try {
      const agencyId = await this.auth.accountAgency(str('agency'));
      await this.auth.createUser(str('username'), str('displayName'), typeof body.password === 'string' ? body.password : '', rolesFrom(body), str('email') || null, agencyId);
      res.redirect(303, '/staff/accounts?saved=1');
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      res.status(statusOf(e)).render(
        'staff/accounts',
        await this.accountsModel(staff, {
          message: e.message,
          errors: fieldMessagesBesides(e.message, e.fields),
          values: { username: str('username'), displayName: str('displayName'), email: str('email') },
        }),
      );
    }
  }

  @RequirePermission('accounts.manage')
  @Post('accounts/:id')
  async updateAccount(@Param('id') id: string, @Body() body: Record<string, unknown>, @CurrentStaff() staff: StaffPrincipal, @Res() res: Response): Promise<void> {
    try {
      if (body.action === 'disable' || body.action === 'enable') await this.auth.updateAccount(id, { active: body.action === 'enable' }, staff.id);
      else if (body.action === 'roles') await this.auth.updateAccount(id, { roles: rolesFrom(body) }, staff.id);
      else if (body.action === 'password') await this.auth.resetPassword(id, typeof body.password === 'string' ? body.password : '');
      else throw new DomainError('VALIDATION_FAILED', '未知的操作。');
      res.redirect(303, '/staff/accounts?saved=1');
    } catch (e) {
      if (!(e instanceof DomainError) || e.code === 'NOT_FOUND') throw e;
      res.status(statusOf(e)).render('staff/accounts', await this.accountsModel(staff, { message: e.message, errors: fieldMessagesBesides(e.message, e.fields) }));
    }
  }

  @RequirePermission('staff.self')
  @Get('password')
  passwordForm(@Query('saved') saved: string, @Res() res: Response): void {
    res.render('staff/password', { title: '修改密码', notice: saved ? '密码已修改；本账号在其他浏览器的登录和 API 令牌已全部失效。' : null });
  }

  @RequirePermission('staff.self')
  @Post('password')
  async changePassword(@Body() body: Record<string, unknown>, @CurrentStaff() staff: StaffPrincipal, @Req() req: Request, @Res() res: Response): Promise<void> {
    const current = typeof body.current === 'string' ? body.current : '';
    const next = typeof body.password === 'string' ? body.password : '';
    try {
      if (next !== body.confirm) throw new DomainError('VALIDATION_FAILED', '两次输入的新密码不一致。', { confirm: '两次输入的新密码不一致。' });
      // Every other browser session and API token of the account ends; this session stays.
      await this.auth.changePassword(staff.id, current, next, presentedToken(req));
      res.redirect(303, '/staff/password?saved=1');
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      res.status(400).render('staff/password', { title: '修改密码', message: e.message, errors: fieldMessagesBesides(e.message, e.fields) });
    }
  }

  @RequirePermission('data.retention')
  @Get('retention')
  async retention(@Query('erased') erased: string, @Res() res: Response): Promise<void> {
    const { count, cutoff } = await this.privacy.erasableCount(this.config.retentionYears);
    res.render('staff/retention', { title: '个人信息保存期限', years: this.config.retentionYears, count, cutoff, notice: erased ? `已清除 ${erased} 件申请的申请人身份和联系信息。` : null });
  }

  @RequirePermission('data.retention')
  @Post('retention')
  async erase(@CurrentStaff() staff: StaffPrincipal, @Res() res: Response): Promise<void> {
    const erased = await this.privacy.erasePersonalData(this.config.retentionYears, staffActor(staff));
    res.redirect(303, `/staff/retention?erased=${erased}`);
  }
}
