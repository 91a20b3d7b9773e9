import { isApiRequest } from './http-error.filter';
import type { NextFunction, Request, Response } from 'express';
import { randomBytes, timingSafeEqual } from 'node:crypto';

export const CSRF_COOKIE = 'ogi_csrf';
export const CSRF_FIELD = '_csrf';

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Double-submit token for every HTML form: a random HttpOnly SameSite cookie whose value
 * each rendered form repeats in a hidden field. A POST to a page without it is refused.
 * The JSON API is exempt: it authenticates with bearer tokens, never cookies.
 */
export function csrfMiddleware(req: Request, res: Response, next: NextFunction): void {
  // The JSON API authenticates with bearer tokens, never cookies: no token to issue or check.
  if (isApiRequest(req)) return next();
  let token = (req.cookies as Record<string, string> | undefined)?.[CSRF_COOKIE];
  if (!token || !/^[A-Za-z0-9_-]{32}$/.test(token)) {
    token = randomBytes(24).toString('base64url');
    res.cookie(CSRF_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/' });
  }
  res.locals.csrfToken = token;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const body = req.body as Record<string, unknown> | undefined;
    // Multipart uploads are parsed later by the route, so they carry the token in a header or the URL.
    const sent = body?.[CSRF_FIELD] ?? req.headers['x-csrf-token'] ?? (req.query as Record<string, unknown>)[CSRF_FIELD];
    if (typeof sent !== 'string' || !same(sent, token)) {
      res.status(403).render('error', { title: '表单已过期', status: 403, message: '表单已过期或来源无效，请刷新页面后重新提交。' });
      return;
    }
    if (body) delete body[CSRF_FIELD];
  }
  next();
}
