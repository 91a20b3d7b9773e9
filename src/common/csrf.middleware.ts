import { doubleCsrf } from 'csrf-csrf';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { createHash } from 'node:crypto';
import { SESSION_COOKIE } from '../auth/session-cookie';
import { isApiRequest } from './http-error.filter';

export const CSRF_COOKIE = 'ogi_csrf';
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

/** Multipart forms put the token first; this much of the body is read to find it. */
const MULTIPART_PEEK_BYTES = 64 * 1024;
const MULTIPART_TOKEN = /Content-Disposition:\s*form-data;\s*name="_csrf"\r\n(?:[^\r\n]+\r\n)*\r\n([^\r\n]{1,300})\r\n--/i;

const multipartToken = Symbol('csrfMultipartToken');
type CsrfRequest = Request & { [multipartToken]?: string };

/** What a token is bound to: the session (its cookie, hashed), or "anonymous" before sign-in. */
function sessionIdentifier(req: Request): string {
  const session = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
  return session ? `session:${createHash('sha256').update(session).digest('hex')}` : 'anonymous';
}

/** The token sent with the request: the form body or the header, never the query string. */
function sentToken(req: CsrfRequest): string | undefined {
  const fromBody = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
  const sent = typeof fromBody === 'string' ? fromBody : (req.headers[CSRF_HEADER] ?? req[multipartToken]);
  return typeof sent === 'string' ? sent : undefined;
}

/**
 * Reads the start of a multipart body until the `_csrf` part is complete, then puts the bytes
 * back so that the upload parser later reads the stream from its first byte.
 */
function peekMultipartToken(req: Request): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (token: string | undefined, ended: boolean) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onEnd);
      if (!ended) {
        req.pause();
        req.unshift(Buffer.concat(chunks));
      }
      resolve(token);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      const found = MULTIPART_TOKEN.exec(Buffer.concat(chunks).toString('latin1'))?.[1];
      if (found || size >= MULTIPART_PEEK_BYTES) finish(found, false);
    };
    const onEnd = () => finish(MULTIPART_TOKEN.exec(Buffer.concat(chunks).toString('latin1'))?.[1], true);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onEnd);
  });
}

/**
 * CSRF protection for every HTML form (csrf-csrf's signed double-submit): the token is an
 * HMAC, under a key kept in the database, of the session it belongs to and a random value;
 * the same token sits in an HttpOnly cookie. It is bound to the session, so a new one is
 * issued at sign-in and one obtained before sign-in (or in another session) is refused.
 * Taken from the `_csrf` form field or the X-CSRF-Token header only, never the URL.
 * The JSON API is exempt: it authenticates with bearer tokens, never cookies.
 */
export function createCsrfMiddleware(secret: () => string): RequestHandler {
  const { generateCsrfToken, validateRequest } = doubleCsrf({
    getSecret: secret,
    getSessionIdentifier: sessionIdentifier,
    cookieName: CSRF_COOKIE,
    cookieOptions: { sameSite: 'lax', httpOnly: true, secure: false, path: '/' },
    getCsrfTokenFromRequest: sentToken,
  });
  return (req: Request, res: Response, next: NextFunction) => {
    if (isApiRequest(req)) return next();
    void (async () => {
      if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS') {
        // Multipart bodies are parsed later, by the route: their token is read from the stream's start.
        if (!sentToken(req) && req.is('multipart/form-data')) (req as CsrfRequest)[multipartToken] = await peekMultipartToken(req);
        if (!validateRequest(req)) {
          res.status(403).render('error', { title: '表单已过期', status: 403, message: '表单已过期或来源无效，请刷新页面后重新提交。' });
          return;
        }
        const body = req.body as Record<string, unknown> | undefined;
        if (body) delete body[CSRF_FIELD];
      }
      if (!req.path.startsWith('/static/')) {
        res.locals.csrfToken = generateCsrfToken(req, res, { cookieOptions: { sameSite: 'lax', httpOnly: true, secure: req.secure, path: '/' } });
      }
      next();
    })().catch(next);
  };
}

/** At sign-in and sign-out the session changes: the old token is dropped and a new one issued on the next page. */
export function dropCsrfToken(res: Response): void {
  res.clearCookie(CSRF_COOKIE, { path: '/' });
}
