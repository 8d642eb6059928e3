/** Samples a child process's resident memory from /proc while it runs, to bound memory in tests. */
import { readFileSync } from 'node:fs';

/** Starts sampling `pid`'s VmRSS every `everyMs`; call the returned function for the peak in bytes. */
export function watchPeakRss(pid: number, everyMs = 20): () => number {
  let peak = 0;
  const sample = () => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]) * 1024);
    } catch {
      // The process has exited.
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return () => {
    clearInterval(timer);
    return peak;
  };
}
