// What the bench ran on: CPU, cores, memory, Node.js and the operating system.
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  arch: string;
}

export function describeMachine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${distribution() ?? os.type()} (${os.platform()} ${os.release()})`,
    arch: os.arch(),
  };
}

/** The distribution's name on Linux (`/etc/os-release`), if readable. */
function distribution(): string | undefined {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(text)?.[1];
  } catch {
    return undefined;
  }
}
