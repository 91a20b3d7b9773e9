import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

// scrypt is memory-hard and built into Node: N=2^15, r=8, p=1 uses 32 MiB per hash.
const N = 32768;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const MAX_MEM = 64 * 1024 * 1024;

function derive(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { N: n, r, p, maxmem: MAX_MEM }, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, N, R, P);
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map(Number);
  const expected = Buffer.from(parts[5], 'base64');
  const key = await derive(password, Buffer.from(parts[4], 'base64'), n, r, p);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash computed once so that an unknown username costs as much time as a wrong password. */
let dummyHash: Promise<string> | null = null;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword('dummy-password-for-timing');
  return dummyHash;
}

const COMMON = ['password', '1234567890', 'qwertyuiop', 'admin12345', 'abc1234567', 'iloveyou12', '1qaz2wsx3edc', 'zaq12wsxcde'];

/** Minimum strength: at least 10 characters, letters and digits (or symbols), not the user name, not a common one. */
export function passwordProblem(password: string, username = ''): string | null {
  if (typeof password !== 'string' || password.length < 10) return '密码至少 10 个字符。';
  if (password.length > 200) return '密码最多 200 个字符。';
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (classes < 2) return '密码须包含字母、数字、符号中的至少两类。';
  if (username && password.toLowerCase().includes(username.toLowerCase())) return '密码不能包含用户名。';
  if (COMMON.includes(password.toLowerCase()) || /^(.)\1+$/.test(password)) return '密码过于常见。';
  return null;
}
