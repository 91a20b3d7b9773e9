import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * Issue 14's structure, checked on every run: no file under src/ longer than 400 lines, no
 * import cycle (type-only imports included: they tie the files' designs together all the same),
 * and src/domain importing nothing outside itself but the standard library.
 */
const SRC = __dirname;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') && !path.endsWith('.fixture.ts') ? [path] : [];
  });
}

const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'/gm;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) out.push(m[1] ?? m[2]);
  return out;
}

function resolveLocal(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(from), spec);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) if (existsSync(candidate)) return candidate;
  return null;
}

const all = files(SRC);
const graph = new Map(
  all.map((f) => [
    f,
    importsOf(f)
      .map((s) => resolveLocal(f, s))
      .filter((x): x is string => x !== null),
  ]),
);
const rel = (f: string) => relative(SRC, f);

describe('source layout (issue 14)', () => {
  it('no file under src/ is longer than 400 lines', () => {
    const long = all.map((f) => ({ file: rel(f), lines: readFileSync(f, 'utf8').split('\n').length })).filter((f) => f.lines > 400);
    expect(long).toEqual([]);
  });

  it('src/domain imports only itself and the standard library', () => {
    const domain = join(SRC, 'domain');
    const outside = all
      .filter((f) => f.startsWith(domain))
      .flatMap((f) => importsOf(f).map((spec) => ({ file: rel(f), spec, target: resolveLocal(f, spec) })))
      .filter(({ spec, target }) => (target ? !target.startsWith(domain) : !spec.startsWith('node:')));
    expect(outside).toEqual([]);
  });

  it('no import cycle', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (f: string) => {
      state.set(f, 'open');
      stack.push(f);
      for (const next of graph.get(f) ?? []) {
        if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].map(rel).join(' → '));
        else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of all) if (!state.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });
});
