import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { StaffPrincipal } from './roles';

export const CurrentStaff = createParamDecorator((_: unknown, ctx: ExecutionContext): StaffPrincipal => {
  return ctx.switchToHttp().getRequest().staff;
});
