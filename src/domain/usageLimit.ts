// Recognising "the account's usage limit is reached" and when it resets, from what the CLI prints
// (PROTOCOL.md §3.4/§3.7/§6.4 and Claude Code issue threads):
//   - result text `Claude AI usage limit reached|1750708800` (older CLIs: epoch seconds after the bar);
//   - `You've hit your limit · resets 8pm (Australia/Sydney)` / `Limit reached · resets 11:30am (Asia/Calcutta) · …`
//     (subscription logins; a wall-clock time in a named zone);
//   - `rate_limit_event` with `rate_limit_info.status: "rejected"` and `resetsAt` (epoch seconds);
//   - `API Error: Request rejected (429) · <message>` with `api_error_status: 429` (API keys, gateways).
// Pure; time comes in as `now`.

export interface LimitHold {
  /** Epoch ms when the queue runs again. */
  until: number;
  /** What the CLI said. */
  text: string;
  /** The reset time could not be read: retry every hour. */
  hourly: boolean;
}

export const HOUR_MS = 3_600_000;

const LIMIT_TEXT = /usage limit|hit your limit|limit reached|out of usage|rate limit|Request rejected \(429\)|\b429\b/i;

/** Is this error result a usage limit? (`status`: api_error_status; `rejectedReset`: from a rate_limit_event of the same turn.) */
export function isUsageLimit(text: string, status: number | null | undefined, rejected: boolean): boolean {
  return rejected || status === 429 || /usage limit reached|hit your limit|Limit reached · resets/i.test(text) || (LIMIT_TEXT.test(text) && /resets?/i.test(text));
}

/** When the limit resets, in epoch ms, or undefined when the text does not say in a way we can read. */
export function resetTimeOf(text: string, now: number, resetsAtS?: number): number | undefined {
  if (resetsAtS !== undefined && resetsAtS > 0) return resetsAtS * 1000;
  const bar = /usage limit reached\|(\d{9,11})/i.exec(text);
  if (bar) return Number(bar[1]) * 1000;
  const epoch = /resets? (?:at )?(\d{10})\b/i.exec(text);
  if (epoch) return Number(epoch[1]) * 1000;
  const clock = /resets? (?:at )?(\d{1,2})(?::(\d{2}))?\s*(am|pm)?(?:\s*\(([A-Za-z_]+(?:\/[A-Za-z_+-]+)*)\))?/i.exec(text);
  if (!clock) return undefined;
  let hour = Number(clock[1]);
  const minute = Number(clock[2] ?? 0);
  const ampm = clock[3]?.toLowerCase();
  if (!ampm && clock[2] === undefined) return undefined; // "resets 5" is not a time
  if (hour > 23 || minute > 59 || (ampm && (hour < 1 || hour > 12))) return undefined;
  if (ampm === 'pm' && hour < 12) hour += 12;
  if (ampm === 'am' && hour === 12) hour = 0;
  return nextWallClock(now, hour, minute, clock[4] ?? 'UTC');
}

/** The next instant after `now` when the clock in `zone` shows hour:minute (undefined: unknown zone). */
export function nextWallClock(now: number, hour: number, minute: number, zone: string): number | undefined {
  let offsetMin: number;
  try {
    offsetMin = zoneOffsetMinutes(now, zone);
  } catch {
    return undefined;
  }
  const local = new Date(now + offsetMin * 60_000);
  let t = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate(), hour, minute) - offsetMin * 60_000;
  if (t <= now) t += 24 * HOUR_MS;
  return t;
}

function zoneOffsetMinutes(at: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).formatToParts(new Date(at));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'));
  return Math.round((asUtc - Math.floor(at / 60_000) * 60_000) / 60_000);
}

/** The hold for a limit result: its reset time, or an hour from now when it cannot be read. */
export function holdFor(text: string, now: number, resetsAtS?: number): LimitHold {
  const at = resetTimeOf(text, now, resetsAtS);
  return at !== undefined && at > now ? { until: at, text, hourly: false } : { until: now + HOUR_MS, text, hourly: true };
}

const hhmm = (t: number) => new Date(t).toISOString().slice(11, 16);

/** What the chat is told when a hold starts. */
export function holdNotice(h: LimitHold, now: number): string {
  const mins = Math.max(1, Math.round((h.until - now) / 60_000));
  const when = `${hhmm(h.until)} UTC (in ${mins >= 120 ? `${Math.round(mins / 60)} h` : `${mins} min`})`;
  const head = `⏸ Claude's usage limit is reached: "${h.text.slice(0, 200)}".`;
  return h.hourly
    ? `${head} I could not read when it resets, so this session retries every hour, next at ${when}. Your message stays queued and is answered then; /stop all cancels.`
    : `${head} This session's queue is on hold until ${when}; your message stays queued and is answered then, automatically. /stop all cancels.`;
}
