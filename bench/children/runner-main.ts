/** `cdk8s-mcs <args>` from the compiled build: the runner as its own process, as in production. */
import { main } from '../../lib/cli';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
