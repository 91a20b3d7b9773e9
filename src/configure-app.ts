import { agencyScopeMiddleware } from './agencies/agency-scope';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import express, { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ServerSecretService } from './auth/server-secret.service';
import { createCsrfMiddleware } from './common/csrf.middleware';
import { sendError, toErrorResponse } from './common/http-error.filter';
import { STATIC_DIR, VIEWS_DIR } from './common/paths';
import { handlebars } from './common/view-helpers';
import { AppConfig } from './config/app-config';
import { ValidationFailedError } from './domain/errors';

let viewEngineReady = false;

function registerViews(): void {
  if (viewEngineReady) return;
  const dir = join(VIEWS_DIR, 'partials');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.hbs'))) {
    handlebars.registerPartial(basename(file, '.hbs').replace(/-/g, '_'), readFileSync(join(dir, file), 'utf8'));
  }
  viewEngineReady = true;
}

/** Errors raised by body parsing happen before Nest routing: answer them in the same shapes. */
function earlyErrorHandler(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  const { status, body } = toErrorResponse(err);
  sendError(req, res, status, body);
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** NUL and unpaired surrogates: PostgreSQL refuses them and some validators throw on them. */
// eslint-disable-next-line no-control-regex -- finding control characters is this pattern's purpose
const INVALID_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Keys that class-transformer treats specially never reach validation (refused as unknown
 * fields), and text that no field may hold is refused before any validator sees it.
 */
function badInput(value: unknown, path = ''): { path: string; message: string } | null {
  if (typeof value === 'string') return INVALID_TEXT.test(value) ? { path: path || 'body', message: '包含无效字符。' } : null;
  if (!value || typeof value !== 'object') return null;
  for (const key of Object.keys(value)) {
    const here = path ? `${path}.${key}` : key;
    if (FORBIDDEN_KEYS.has(key)) return { path: here, message: '不允许的字段。' };
    if (INVALID_TEXT.test(key)) return { path: 'body', message: '字段名包含无效字符。' };
    const nested = badInput((value as Record<string, unknown>)[key], here);
    if (nested) return nested;
  }
  return null;
}

/** Bodies the app accepts nest three levels at most; recursive code further on (validation, hashing) must never see thousands. */
export const MAX_BODY_DEPTH = 16;

/** Iterative, so that measuring the depth cannot itself overflow the stack. */
function nestingExceeds(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (!v || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Object.values(v)) if (child && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

function refuseBadInput(req: Request, res: Response, next: NextFunction): void {
  const tooDeep = nestingExceeds(req.body, MAX_BODY_DEPTH) ? { path: 'body', message: `嵌套层级过深（最多 ${MAX_BODY_DEPTH} 层）。` } : null;
  const bad = tooDeep ?? badInput(req.body) ?? badInput(req.query);
  if (!bad) return next();
  const { status, body } = toErrorResponse(new ValidationFailedError({ [bad.path]: bad.message }));
  sendError(req, res, status, body);
}

/** Everything main.ts and every e2e test share: views, security headers, parsers, docs. */
export function configureApp(app: NestExpressApplication, config: AppConfig): void {
  app.disable('x-powered-by');
  // Only the configured proxies may name the client (X-Forwarded-For) and the scheme: rate limits and sign-in locks key on req.ip.
  app.set('trust proxy', config.trustProxy);
  const strictCsp = helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
  });
  // Swagger UI ships inline styles; only its page gets them.
  const docsCsp = helmet({ contentSecurityPolicy: { directives: { styleSrc: ["'self'", "'unsafe-inline'"], upgradeInsecureRequests: null } } });
  app.use((req: Request, res: Response, next: NextFunction) => (req.path.startsWith('/api/docs') ? docsCsp : strictCsp)(req, res, next));
  app.use(agencyScopeMiddleware);
  app.use(cookieParser());
  app.use(express.json({ limit: '256kb' }));
  app.use(express.urlencoded({ extended: true, limit: '256kb', parameterLimit: 300 }));
  app.use(earlyErrorHandler);
  app.use(refuseBadInput);
  const secrets = app.get(ServerSecretService);
  app.use(createCsrfMiddleware(() => secrets.csrfSecret));
  app.useStaticAssets(STATIC_DIR, { prefix: '/static/', maxAge: '1h' });
  app.setBaseViewsDir(VIEWS_DIR);
  app.setViewEngine('hbs');
  app.set('view options', { layout: 'layouts/main' });
  // Templates are compiled once, not read from disk and compiled again for every page (Express
  // caches them only with NODE_ENV=production): a page then needs no file I/O to render.
  app.set('view cache', true);
  app.setLocal('agencyName', config.agencyName);
  registerViews();

  const openApi = new DocumentBuilder()
    .setTitle('OGI Desk API')
    .setDescription('政府信息公开申请办理与年度报告（第三、四部分）接口。错误体：{"error": {"code", "message", "fields"}}。')
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, openApi), { jsonDocumentUrl: 'api/docs-json' });
}
