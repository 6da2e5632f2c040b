// Prow writes durations in Go's syntax ("1h30m", "90m", "2.5h", "1m0s", "500ms"); this project's
// config takes whole hours, minutes and seconds ("1h30m"). Converting rounds up to a whole second,
// so a timeout never becomes shorter than it was.

const UNIT_SECONDS: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, μs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
const GO_DURATION = /^(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h)/;

/** Seconds in a Go duration, or undefined when `text` is not one (negative durations included). */
export function goDurationSeconds(text: string): number | undefined {
  if (text === '0') return 0;
  let rest = text;
  let total = 0;
  while (rest !== '') {
    const m = GO_DURATION.exec(rest);
    if (!m) return undefined;
    const unit = /[a-zµμ]+$/.exec(m[0])![0];
    total += Number(m[0].slice(0, -unit.length)) * UNIT_SECONDS[unit]!;
    rest = rest.slice(m[0].length);
  }
  return text === '' ? undefined : total;
}

/** 5400 -> "1h30m"; 0 -> "0s". */
export function formatDuration(seconds: number): string {
  const whole = Math.ceil(seconds - 1e-9);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  const text = `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
  return text === '' ? '0s' : text;
}
