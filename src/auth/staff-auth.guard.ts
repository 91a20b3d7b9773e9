import { CanActivate, ExecutionContext, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AgenciesService } from '../agencies/agencies.service';
import { enterAgencyScope } from '../agencies/agency-scope';
import { ROOT_AGENCY_ID } from '../agencies/entities/agency.entity';
import { isApiRequest } from '../common/http-error.filter';
import { DomainError } from '../domain/errors';
import { AuthService } from './auth.service';
import { IS_PUBLIC } from './public.decorator';
import { can, canInAgency, Permission, PERMISSIONS, PLATFORM_PERMISSIONS, REQUIRED_PERMISSION } from './permissions';
import { StaffPrincipal } from './roles';
import { SESSION_COOKIE } from './session-cookie';

export { SESSION_COOKIE } from './session-cookie';

export type StaffRequest = Request & { staff?: StaffPrincipal };

/** Global guard: every route needs a signed-in staff member unless marked @Public(). */
@Injectable()
export class StaffAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    @Optional() private readonly agencies?: AgenciesService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<StaffRequest>();
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    const staff = await this.identify(req);
    if (staff) req.staff = staff;
    // Everything a staff route reads or writes is the account's agency's (D22); public routes see the platform.
    if (staff && !isPublic) enterAgencyScope(staff.agencyId);
    if (staff && !isApiRequest(req)) {
      // The layout shows the staff navigation and sign-out form; JSON answers need neither.
      const locals = context.switchToHttp().getResponse().locals;
      locals.staff = staff;
      // The agency tree, the calendar, the digest of every agency and an administrator's 督办: the root agency's alone (D22).
      locals.can = Object.fromEntries(PERMISSIONS.map((p) => [p.replace('.', '_'), canInAgency(staff.roles, p, staff.agencyId === ROOT_AGENCY_ID)]));
      // The header names the agency the staff member acts for (D22), not the platform's root.
      const name = this.agencies ? await this.agencies.nameOf(staff.agencyId).catch(() => null) : null;
      if (name) locals.agencyName = name;
    }
    if (isPublic) return true;
    if (!staff) throw new DomainError('UNAUTHORIZED', '请先登录。');
    const permission = this.reflector.getAllAndOverride<Permission | undefined>(REQUIRED_PERMISSION, [context.getHandler(), context.getClass()]);
    // A staff route without a declared permission is refused, so a forgotten one fails closed.
    if (!permission) throw new DomainError('FORBIDDEN', '该功能未配置访问权限。');
    if (!can(staff.roles, permission)) throw new DomainError('FORBIDDEN', '您的角色没有执行此操作的权限。');
    if (!canInAgency(staff.roles, permission, staff.agencyId === ROOT_AGENCY_ID))
      throw new DomainError(
        'FORBIDDEN',
        PLATFORM_PERMISSIONS.includes(permission) ? '此操作影响平台上的所有机关，只有平台（根机关）的系统管理员可以执行。' : '督办由本级的督办人员或平台（根机关）的系统管理员进行。',
      );
    return true;
  }

  private identify(req: StaffRequest): Promise<StaffPrincipal | null> {
    const token = presentedToken(req);
    return token ? this.auth.resolve(token, isApiRequest(req) ? 'api' : 'web') : Promise.resolve(null);
  }
}

/** The credential this request signs in with: the bearer token (API) or the session cookie (pages), never both. */
export function presentedToken(req: Request): string | null {
  if (isApiRequest(req)) return /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? null;
  return (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE] || null;
}
