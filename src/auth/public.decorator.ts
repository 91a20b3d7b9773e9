import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'ogi:isPublic';

/** Marks a route that needs no staff sign-in (citizen pages and endpoints, sign-in itself). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
