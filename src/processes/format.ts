// Numbers and units only: the tree puts them into localized sentences.

const RSS_UNITS = ['KiB', 'MiB', 'GiB', 'TiB'];

/** `812 KiB`, `12.3 MiB`, `256 MiB`, `1.5 GiB`: binary units, as top and ps report memory. */
export function formatRss(kib: number): string {
  if (!Number.isFinite(kib) || kib <= 0) {
    return '0 KiB';
  }
  let value = kib;
  let unit = 0;
  while (value >= 1024 && unit < RSS_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) {
    return `${Math.round(value)} KiB`;
  }
  // A decimal helps below 100 units and is noise above.
  return `${value < 100 ? value.toFixed(1) : Math.round(value)} ${RSS_UNITS[unit]}`;
}

/** CPU time as `M:SS.hh` (minutes unbounded), the form of top's TIME+ column: `0:01.23`. */
export function formatCpuTime(ticks: number, hz: number): string {
  if (!Number.isFinite(ticks) || ticks <= 0 || !(hz > 0)) {
    return '0:00.00';
  }
  const hundredths = Math.floor((ticks * 100) / hz);
  const minutes = Math.floor(hundredths / 6000);
  const seconds = Math.floor(hundredths / 100) % 60;
  return `${minutes}:${pad2(seconds)}.${pad2(hundredths % 100)}`;
}

/** `3.2%`, `145.0%` (several busy threads); empty when there is no second sample yet. */
export function formatCpuPercent(percent: number | undefined): string {
  if (percent === undefined || !Number.isFinite(percent) || percent < 0) {
    return '';
  }
  return `${percent.toFixed(1)}%`;
}

/** Seconds since the process started, from the listing's uptime and the process's start. */
export function processAgeSeconds(
  uptimeSeconds: number | undefined,
  startTicks: number,
  hz: number,
): number | undefined {
  if (uptimeSeconds === undefined || !(hz > 0)) {
    return undefined;
  }
  return Math.max(0, uptimeSeconds - startTicks / hz);
}

/** Elapsed time like ps's ETIME: `MM:SS`, `HH:MM:SS`, `D-HH:MM:SS`. */
export function formatElapsed(seconds: number): string {
  const total = Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds) : 0;
  const days = Math.floor(total / 86400);
  const hours = Math.floor(total / 3600) % 24;
  const clock = `${pad2(Math.floor(total / 60) % 60)}:${pad2(total % 60)}`;
  if (days > 0) {
    return `${days}-${pad2(hours)}:${clock}`;
  }
  return hours > 0 ? `${pad2(hours)}:${clock}` : clock;
}

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}

/**
 * Text from the cluster or the container (a user name from the target's /etc/passwd, a status
 * message a container wrote) as plain text inside Markdown: every character Markdown or HTML
 * could act on is escaped, and line breaks become spaces, so no link, image or heading appears.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/[\\`*_{}[\]()#+\-.!|<>&~"'$:]/g, '\\$&');
}

/** Inline code in Markdown, for names and command lines that may hold any character. */
export function markdownCode(text: string): string {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) {
    longest = Math.max(longest, run.length);
  }
  const fence = '`'.repeat(longest + 1);
  return `${fence} ${text.replace(/[\r\n]+/g, ' ')} ${fence}`;
}
