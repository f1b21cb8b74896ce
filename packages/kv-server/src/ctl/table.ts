/** ASCII tables in the look of `etcdctl -w table` (tablewriter): centred headers, right-aligned cells. */

function centre(text: string, width: number): string {
  const gap = width - text.length;
  const left = Math.floor(gap / 2);
  return ' '.repeat(left) + text + ' '.repeat(gap - left);
}

export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const border = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  const out = [border, line(headers.map((h, i) => centre(h, widths[i]!))), border];
  for (const row of rows) out.push(line(widths.map((w, i) => (row[i] ?? '').padStart(w))));
  out.push(border);
  return `${out.join('\n')}\n`;
}
