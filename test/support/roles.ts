import request from 'supertest';
import { AuthService } from '../../src/auth/auth.service';
import { Role, ROLES } from '../../src/auth/roles';
import { signIn } from './builders';
import { openForm, TestApp } from './test-app';

export const ROLE_PASSWORD = 'Str0ng-passphrase!';

/** One account per role, each holding only that role; returns API tokens and signed-in agents. */
export async function createRoleUsers(t: TestApp): Promise<Record<Role, { token: string; agent: ReturnType<typeof request.agent>; csrf: string; id: string }>> {
  const auth = t.app.get(AuthService);
  const out = {} as Record<Role, { token: string; agent: ReturnType<typeof request.agent>; csrf: string; id: string }>;
  for (const role of ROLES) {
    const user = await auth.createUser(`u_${role}`, `${role} 用户`, ROLE_PASSWORD, [role]);
    const token = (
      await request(t.http)
        .post('/api/v1/auth/token')
        .send({ username: `u_${role}`, password: ROLE_PASSWORD })
        .expect(200)
    ).body.token;
    const agent = await signIn(t, { username: `u_${role}`, password: ROLE_PASSWORD });
    // The CSRF token is bound to the session: the signed-in agent gets a new one.
    const { csrf } = await openForm(agent, '/staff/password');
    out[role] = { token, agent, csrf, id: user.id };
  }
  return out;
}

/** Every route registered in Express, as "METHOD /path". */
export function registeredRoutes(t: TestApp): string[] {
  const instance = t.app.getHttpAdapter().getInstance() as { router?: { stack: unknown[] }; _router?: { stack: unknown[] } };
  const stack = (instance.router ?? instance._router)!.stack as Array<{ route?: { path: string; methods: Record<string, boolean> } }>;
  const routes: string[] = [];
  for (const layer of stack) {
    if (!layer.route) continue;
    for (const method of Object.keys(layer.route.methods)) if (method !== '_all') routes.push(`${method.toUpperCase()} ${layer.route.path}`);
  }
  return [...new Set(routes)].sort();
}
