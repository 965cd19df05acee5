import { cpus, freemem, loadavg, platform, release, totalmem } from 'node:os';

/** What a figure was measured on; benchmark numbers mean nothing without it. */
export function machineInfo(): Record<string, unknown> {
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model ?? 'unknown',
    cpuCount: cpu.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    freeMemoryGiB: Math.round((freemem() / 2 ** 30) * 10) / 10,
    loadAverage1m: Math.round(loadavg()[0] * 100) / 100,
    os: `${platform()} ${release()}`,
    node: process.version,
  };
}
