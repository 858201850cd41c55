/** Processes of this machine, for tests that check a script left nothing running. */
import * as fs from 'node:fs';

/** `<pid>: <command line>` of every process whose command line contains `text` (e.g. a private bed's folder). */
export function processesMentioning(text: string): string[] {
  return fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).flatMap((pid) => {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      return cmdline.includes(text) ? [`${pid}: ${cmdline.slice(0, 200)}`] : [];
    } catch {
      return [];
    }
  });
}
