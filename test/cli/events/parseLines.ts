import { csvLine } from '../../../src/cli/events/csvLine';
import { LogBuilder } from '../../../src/cli/events/logBuilder';
import { csvLayout, type LogLayout } from '../../../src/cli/events/logLayout';
import { ndjsonLine } from '../../../src/cli/events/ndjsonLine';

/** The rows a parser makes of `lines` (after a CSV header, if given): [user, item, type, ms]. */
export function parseLines(format: 'csv' | 'ndjson', lines: string[], header?: string) {
  const layout: LogLayout =
    format === 'csv'
      ? csvLayout(header ?? 'user,item,timestamp,type').layout
      : { format, columns: [], hasTypeColumn: true };
  const b = new LogBuilder(4, layout, false);
  const buf = Buffer.from(lines.join('\n'));
  let start = 0;
  for (const line of lines) {
    const end = start + Buffer.byteLength(line);
    if (format === 'csv') csvLine(b, buf, start, end);
    else ndjsonLine(b, buf, start, end);
    start = end + 1;
  }
  b.flush();
  const rows: [string, string, number, number][] = [];
  for (let r = 0; r < b.rows.length; r++)
    rows.push([
      b.users.ids[b.rows.users[r]],
      b.items.ids[b.rows.items[r]],
      b.rows.types[r],
      b.rows.times[r],
    ]);
  return { rows, skipped: b.skipped };
}
