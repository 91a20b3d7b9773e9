/** An instant as an Asia/Shanghai wall-clock time, "YYYY-MM-DD HH:mm" (UTC+8, no DST). */
export function formatShanghaiDateTime(iso: string): string {
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  return new Date(t + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}
