/** Server-rendered SVG charts: no script, no CDN. Every text is escaped here. */
function esc(s: string | number): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export const TYPE_COLORS = ['#1f4e8c', '#2f7d5b', '#8a5a00', '#7b3f98', '#b3261e', '#4d5b6b'];

export interface StackedBar {
  label: string;
  href: string;
  segments: Array<{ value: number; color: string; name: string }>;
}

/** Stacked vertical bars (received per month by applicant type); each bar links to its requests. */
export function stackedBarChart(bars: StackedBar[], title: string): string {
  const width = 640;
  const height = 220;
  const left = 36;
  const bottom = 24;
  const max = Math.max(1, ...bars.map((b) => b.segments.reduce((n, s) => n + s.value, 0)));
  const step = (width - left) / bars.length;
  const scale = (height - bottom - 10) / max;
  const parts: string[] = [];
  for (const tick of [0, Math.ceil(max / 2), max]) {
    const y = height - bottom - tick * scale;
    parts.push(`<line x1="${left}" x2="${width}" y1="${y}" y2="${y}" stroke="#d8dde6"/><text x="${left - 6}" y="${y + 4}" text-anchor="end" font-size="11" fill="#3d4753">${tick}</text>`);
  }
  bars.forEach((bar, i) => {
    const x = left + i * step + step * 0.15;
    let y = height - bottom;
    const total = bar.segments.reduce((n, s) => n + s.value, 0);
    const rects = bar.segments
      .filter((s) => s.value > 0)
      .map((s) => {
        const h = s.value * scale;
        y -= h;
        return `<rect x="${x}" y="${y}" width="${step * 0.7}" height="${h}" fill="${s.color}"><title>${esc(`${bar.label} ${s.name}：${s.value}`)}</title></rect>`;
      })
      .join('');
    parts.push(
      `<a href="${esc(bar.href)}" aria-label="${esc(`${bar.label}：${total} 件`)}">${rects}<rect x="${x}" y="10" width="${step * 0.7}" height="${height - bottom - 10}" fill="transparent"/></a>` +
        `<text x="${x + step * 0.35}" y="${height - 8}" text-anchor="middle" font-size="11" fill="#3d4753">${esc(bar.label)}</text>`,
    );
  });
  return `<svg viewBox="0 0 ${width} ${height}" role="group" aria-label="${esc(title)}" class="chart">${parts.join('')}</svg>`;
}

/** Horizontal bars (outcome mix), each linking to its requests. */
export function horizontalBarChart(rows: Array<{ label: string; value: number; href: string }>, title: string): string {
  const width = 640;
  const rowHeight = 22;
  const labelWidth = 230;
  const height = Math.max(rowHeight, rows.length * rowHeight) + 4;
  const max = Math.max(1, ...rows.map((r) => r.value));
  const scale = (width - labelWidth - 50) / max;
  const parts = rows.map((r, i) => {
    const y = i * rowHeight + 2;
    return (
      `<a href="${esc(r.href)}" aria-label="${esc(`${r.label}：${r.value} 件`)}">` +
      `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end" font-size="12" fill="#1d232b">${esc(r.label)}</text>` +
      `<rect x="${labelWidth}" y="${y + 3}" width="${Math.max(2, r.value * scale)}" height="${rowHeight - 8}" fill="#1f4e8c"/>` +
      `<text x="${labelWidth + Math.max(2, r.value * scale) + 6}" y="${y + 15}" font-size="12" fill="#1d232b">${r.value}</text></a>`
    );
  });
  return `<svg viewBox="0 0 ${width} ${height}" role="group" aria-label="${esc(title)}" class="chart">${parts.join('')}</svg>`;
}
