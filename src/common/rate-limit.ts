import { ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerModuleOptions, ThrottlerRequest } from '@nestjs/throttler';
import { AppConfig } from '../config/app-config';
import { normaliseTrackingNumber } from '../domain/applicants';

export type RateLimitName = 'public' | 'lookup' | 'login';
const RATE_LIMITS = 'ogi:rateLimits';

/** Which limits a route is under: per client (public, login), and per tracking number (lookup). */
export const RateLimited = (...names: RateLimitName[]): MethodDecorator => SetMetadata(RATE_LIMITS, names);

function trackingNumberOf(req: Record<string, unknown>): string {
  const params = (req.params ?? {}) as Record<string, unknown>;
  const body = (req.body ?? {}) as Record<string, unknown>;
  const raw = params.trackingNumber ?? body.trackingNumber ?? '';
  // Normalised as the look-up normalises it: "2026000001" and "2026－000001" count against 2026-000001.
  return normaliseTrackingNumber(typeof raw === 'string' ? raw.slice(0, 40) : '')
    .slice(0, 20)
    .toUpperCase();
}

export function rateLimitOptions(config: AppConfig): ThrottlerModuleOptions {
  return {
    errorMessage: '请求过于频繁，请稍后再试。',
    throttlers: [
      { name: 'public', ttl: 60_000, limit: config.rateLimitPublic },
      // Per tracking number, whoever asks and through whichever route (API or /status form): an
      // access code cannot be guessed from many addresses. No headers: they would tell anyone how
      // often a number was looked up.
      {
        name: 'lookup',
        ttl: 60_000,
        limit: config.rateLimitLookupPerNumber,
        getTracker: (req) => `tn:${trackingNumberOf(req)}`,
        generateKey: (_context, tracker, name) => `${name}:${tracker}`,
        setHeaders: false,
      },
      { name: 'login', ttl: 60_000, limit: config.rateLimitLogin },
    ],
  };
}

/** A global guard that only applies the limits a route names with @RateLimited. */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    return Promise.resolve(!this.namesFor(context)?.length);
  }

  protected override async handleRequest(requestProps: ThrottlerRequest): Promise<boolean> {
    const names = this.namesFor(requestProps.context) ?? [];
    if (!names.includes(requestProps.throttler.name as RateLimitName)) return true;
    return super.handleRequest(requestProps);
  }

  private namesFor(context: ExecutionContext): RateLimitName[] | undefined {
    return this.reflector.getAllAndOverride<RateLimitName[]>(RATE_LIMITS, [context.getHandler(), context.getClass()]);
  }
}
