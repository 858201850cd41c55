// The CLI entry: every command module registers itself here.
import { registerCommand } from './main';
export { main } from './main';
export { registerCommand };
