import { AsyncLocalStorage } from 'node:async_hooks';
import type { NextFunction, Request, Response } from 'express';
import { ROOT_AGENCY_ID } from './entities/agency.entity';

/**
 * The agency a piece of work acts for (D22): set by the staff guard from the signed-in account,
 * or by a job for the agency it runs for. The request store, the list and report queries and the
 * tallies read it, so that isolation is decided in one place rather than route by route. No scope
 * (public routes, platform jobs) means the whole platform.
 */
interface Scope {
  agencyId: number | null;
}

const storage = new AsyncLocalStorage<Scope>();

/** Express middleware: every HTTP request gets its own, empty scope. */
export function agencyScopeMiddleware(_req: Request, _res: Response, next: NextFunction): void {
  storage.run({ agencyId: null }, next);
}

/** The staff guard: the signed-in account's agency from here on, for this HTTP request. */
export function enterAgencyScope(agencyId: number): void {
  const scope = storage.getStore();
  if (scope) scope.agencyId = agencyId;
  else storage.enterWith({ agencyId });
}

/** The agency of the current work, or null for the whole platform. */
export function scopedAgencyId(): number | null {
  return storage.getStore()?.agencyId ?? null;
}

/** Runs `fn` for one agency (jobs, tests, the command line). */
export function runForAgency<T>(agencyId: number | null, fn: () => T): T {
  return storage.run({ agencyId }, fn);
}

/** The agency new records and per-agency reads belong to: the scope's, else the root (the command line). */
export function currentAgencyId(): number {
  return scopedAgencyId() ?? ROOT_AGENCY_ID;
}

/** Adds "of the scope's agency" to a query over a table with an agency column (nothing without a scope). */
export function inAgencyScope<Q extends { andWhere(where: string, params?: Record<string, unknown>): Q }>(qb: Q, alias: string): Q {
  const agencyId = scopedAgencyId();
  return agencyId === null ? qb : qb.andWhere(`${alias}.agency_id = :scopeAgencyId`, { scopeAgencyId: agencyId });
}
