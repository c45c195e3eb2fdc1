import { resourceUsage } from 'node:process';

/** Samples the process's resident memory while benchmarks run, so the peak of each phase can be reported. */
export interface MemorySampler {
  /** Peak RSS in MB since the last call, then starts a new phase. */
  takePhasePeak(): number;
  /** Highest RSS sampled overall, and the kernel's own maxRSS (which also sees spikes between samples), in MB. */
  stop(): { sampledPeakMb: number; maxRssMb: number };
}

export function startMemorySampler(intervalMs = 25): MemorySampler {
  let overall = 0;
  let phase = 0;
  const sample = () => {
    const rss = process.memoryUsage().rss;
    overall = Math.max(overall, rss);
    phase = Math.max(phase, rss);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
  return {
    takePhasePeak() {
      sample();
      const peak = phase;
      phase = process.memoryUsage().rss;
      return mb(peak);
    },
    stop() {
      clearInterval(timer);
      sample();
      // resourceUsage().maxRSS is in kilobytes.
      return { sampledPeakMb: mb(overall), maxRssMb: Math.round(resourceUsage().maxRSS / 1024) };
    },
  };
}
