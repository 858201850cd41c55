/**
 * Reads the repository's Dockerfile far enough for tests to run and check its final stage without
 * a container engine: the stages, and the final stage's WORKDIR, USER, ENV and exec-form ENTRYPOINT.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Instruction {
  readonly keyword: string;
  readonly rest: string;
}

export interface Stage {
  readonly from: string;
  readonly name?: string;
  readonly instructions: readonly Instruction[];
}

export interface FinalStage {
  readonly workdir: string;
  readonly user?: string;
  readonly env: Readonly<Record<string, string>>;
  readonly entrypoint: readonly string[];
}

export const DOCKERFILE = path.join(__dirname, '..', '..', '..', 'Dockerfile');

/** Instructions per stage; comments dropped, `\` continuations joined. */
export function readStages(file = DOCKERFILE): Stage[] {
  const text = fs.readFileSync(file, 'utf8').replace(/\\\n/g, ' ');
  const stages: { from: string; name?: string; instructions: Instruction[] }[] = [];
  for (const line of text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))) {
    const [, keyword, rest] = /^(\S+)\s*(.*)$/.exec(line)!;
    if (keyword.toUpperCase() === 'FROM') {
      const [from, as, name] = rest.split(/\s+/);
      stages.push({ from, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (stages.length > 0) {
      stages[stages.length - 1].instructions.push({ keyword: keyword.toUpperCase(), rest });
    }
  }
  return stages;
}

export function finalStage(file = DOCKERFILE): FinalStage {
  const stages = readStages(file);
  const last = stages[stages.length - 1];
  const all = (k: string) => last.instructions.filter((i) => i.keyword === k).map((i) => i.rest);
  const entry = all('ENTRYPOINT').pop();
  if (!entry || !entry.startsWith('[')) {
    throw new Error(`the final stage of ${file} needs an exec-form ENTRYPOINT ["..."], got ${entry}`);
  }
  const env = Object.fromEntries(all('ENV').flatMap((e) => e.split(/\s+/)).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  return { workdir: all('WORKDIR').pop() ?? '/', user: all('USER').pop(), env, entrypoint: JSON.parse(entry) as string[] };
}
