import request from 'supertest';
import { AuthService } from '../../src/auth/auth.service';
import { Role } from '../../src/auth/roles';
import { openForm, TestApp, validResidentId } from './test-app';

/** The header of an API call made with a bearer token. */
export type Auth = { Authorization: string };
/** One step of the lifecycle as POST /api/v1/requests/:id/events takes it. */
export type Step = Record<string, unknown> & { type: string; on: string };
/** The fields a request is filed or registered with; any field may be replaced per call. */
export type RequestFields = Record<string, unknown>;

export type Agent = ReturnType<typeof request.agent>;

export const CLERK_PASSWORD = 'Str0ng-passphrase!';

export const bearer = (token: string): Auth => ({ Authorization: `Bearer ${token}` });

/** An applicant of `type` with a valid resident ID number; `over` adds or replaces fields. */
export function applicant(type: string, name: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return { type, name, idDocumentNumber: validResidentId(), ...over };
}

/** A staff account holding `roles` (by default every step of a request), signed in over the API. */
export async function staffWithToken(t: TestApp, username: string, roles: Role[] = ['registrar', 'handler', 'approver'], name = '李办事'): Promise<{ id: string; auth: Auth }> {
  const { id } = await t.app.get(AuthService).createUser(username, name, CLERK_PASSWORD, roles);
  const token = (await request(t.http).post('/api/v1/auth/token').send({ username, password: CLERK_PASSWORD }).expect(200)).body.token as string;
  return { id, auth: bearer(token) };
}

/** A cookie-keeping agent signed in through the staff login form. */
export async function signIn(t: TestApp, credentials: { username: string; password: string }): Promise<Agent> {
  const agent = request.agent(t.http);
  const login = await openForm(agent, '/staff/login');
  await agent
    .post('/staff/login')
    .type('form')
    .send({ _csrf: login.csrf, ...credentials })
    .expect(303);
  return agent;
}

export interface Registered {
  id: string;
  trackingNumber: string;
}

/**
 * Files and registers requests and records steps over the JSON API, as one staff member (`auth`), with a
 * spec's own applicant and description (`fields`). Each call's `over` replaces whole top-level fields
 * (an `applicant` given there replaces the default one; nothing is merged into it).
 */
export class Desk {
  constructor(
    private readonly t: TestApp,
    private readonly auth: Auth | (() => Auth),
    private readonly fields: RequestFields = {},
  ) {}

  private get headers(): Auth {
    return typeof this.auth === 'function' ? this.auth() : this.auth;
  }

  /** The same desk worked by another staff member. */
  as(auth: Auth | (() => Auth)): Desk {
    return new Desk(this.t, auth, this.fields);
  }

  /** A request registered by staff (POST /api/v1/requests), received in person on `receivedOn`. */
  async register(receivedOn: string, over: RequestFields = {}): Promise<Registered> {
    const res = await request(this.t.http)
      .post('/api/v1/requests')
      .set(this.headers)
      .send({ channel: 'in_person', ...this.fields, receivedOn, ...over })
      .expect(201);
    return { id: res.body.id as string, trackingNumber: res.body.trackingNumber as string };
  }

  /** A request filed online by the applicant (POST /api/v1/public/requests), found by staff through its number. */
  async file(over: RequestFields = {}): Promise<Registered & { accessCode: string }> {
    const res = await request(this.t.http)
      .post('/api/v1/public/requests')
      .send({ ...this.fields, ...over })
      .expect(201);
    const found = await request(this.t.http).get(`/api/v1/requests?q=${res.body.trackingNumber}`).set(this.headers).expect(200);
    return { id: found.body.items[0].id as string, trackingNumber: res.body.trackingNumber as string, accessCode: res.body.accessCode as string };
  }

  /** Records one step (as `as`, by default the desk's own staff member); the caller checks the status. */
  step(id: string, body: Step, as: Auth = this.headers): request.Test {
    return request(this.t.http).post(`/api/v1/requests/${id}/events`).set(as).send(body);
  }

  /** The request's detail as staff see it (GET /api/v1/requests/:id). */
  async detail(id: string): Promise<request.Response['body']> {
    return (await request(this.t.http).get(`/api/v1/requests/${id}`).set(this.headers).expect(200)).body;
  }
}
