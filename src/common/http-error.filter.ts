import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, DomainErrorCode } from '../domain/errors';
import { isDatabaseUnavailable } from './db-errors';

const STATUS_BY_CODE: Record<DomainErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INVALID_TRANSITION: 409,
  UNPROCESSABLE: 422,
  RATE_LIMITED: 429,
  PAYLOAD_TOO_LARGE: 413,
};

const CODE_BY_STATUS: Record<number, { code: string; message: string }> = {
  400: { code: 'VALIDATION_FAILED', message: '请求格式有误。' },
  401: { code: 'UNAUTHORIZED', message: '请先登录。' },
  403: { code: 'FORBIDDEN', message: '没有执行此操作的权限。' },
  404: { code: 'NOT_FOUND', message: '未找到该页面或记录。' },
  405: { code: 'METHOD_NOT_ALLOWED', message: '不支持该请求方法。' },
  409: { code: 'CONFLICT', message: '操作冲突，请刷新后重试。' },
  413: { code: 'PAYLOAD_TOO_LARGE', message: '提交的内容过大。' },
  415: { code: 'UNSUPPORTED_MEDIA_TYPE', message: '不支持的内容类型。' },
  422: { code: 'UNPROCESSABLE', message: '无法处理该请求。' },
  429: { code: 'RATE_LIMITED', message: '请求过于频繁，请稍后再试。' },
};

export interface ErrorBody {
  error: { code: string; message: string; fields: Record<string, string> };
}

/** Maps any error to the contract's error body (API) or an error page (HTML). */
export function toErrorResponse(exception: unknown): { status: number; body: ErrorBody } {
  if (isDatabaseUnavailable(exception)) {
    return { status: 503, body: { error: { code: 'SERVICE_UNAVAILABLE', message: '系统繁忙或数据库暂时不可用，申请未保存，请稍后重试。', fields: {} } } };
  }
  if (exception instanceof DomainError) {
    return {
      status: STATUS_BY_CODE[exception.code],
      body: { error: { code: exception.code, message: exception.message, fields: exception.fields } },
    };
  }
  const status = exception instanceof HttpException ? exception.getStatus() : httpStatusOf(exception);
  if (status && status < 500) {
    const known = CODE_BY_STATUS[status] ?? { code: 'BAD_REQUEST', message: '请求有误。' };
    return { status, body: { error: { ...known, fields: {} } } };
  }
  return { status: 500, body: { error: { code: 'INTERNAL_ERROR', message: '服务器内部错误，请稍后再试。', fields: {} } } };
}

/** body-parser and similar middleware errors carry a status. */
function httpStatusOf(exception: unknown): number | null {
  const s = (exception as { status?: unknown; statusCode?: unknown })?.status ?? (exception as { statusCode?: unknown })?.statusCode;
  return typeof s === 'number' && s >= 400 && s < 600 ? s : null;
}

/** The HTTP status of a domain error; page controllers re-render their forms with it. */
export function statusOf(error: DomainError): number {
  return STATUS_BY_CODE[error.code];
}

/** Sends an error as the contract's JSON body (API) or the error page (HTML). */
export function sendError(req: Request, res: Response, status: number, body: ErrorBody): void {
  if (status === 503) res.setHeader('Retry-After', '5');
  if (isApiRequest(req)) {
    res.status(status).json(body);
    return;
  }
  res.status(status).render('error', { title: '出错了', status, message: body.error.message, fields: Object.values(body.error.fields) });
}

/** Express matches routes case-insensitively, so /API/v1/… reaches the API handlers: the test must too. */
export function isApiRequest(req: Request): boolean {
  return /^\/api(\/|$)/i.test(req.path);
}

@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    const { status, body } = toErrorResponse(exception);
    if (status === 503) {
      this.logger.warn(`${req.method} ${req.route?.path ?? req.path.slice(0, 80)} → 503 database unavailable: ${String((exception as Error)?.message).slice(0, 120)}`);
    } else if (status >= 500) {
      // Never the request body or query parameters: they may hold applicants' data.
      const err = exception as Error;
      this.logger.error(`${req.method} ${req.route?.path ?? req.path.slice(0, 80)} → 500 ${err?.name}: ${String(err?.message).slice(0, 200)}`);
    }
    if (res.headersSent) return;
    if (status === 401 && !isApiRequest(req) && req.path.startsWith('/staff')) {
      res.redirect(303, `/staff/login?next=${encodeURIComponent(req.originalUrl.slice(0, 200))}`);
      return;
    }
    sendError(req, res, status, body);
  }
}
