// The CLI entry: every command module registers itself here.
import { applyCommand } from './apply';
import { corefileCommand } from './corefile';
import { preflightCommand } from './preflight';
import { statusCommand } from './status';
import { diffCommand } from './diff';
import { initCommand } from './init';
import { kubeconfigCommand } from './kubeconfig';
import { registerCommand } from './main';
export { main } from './main';
export { registerCommand };

registerCommand(kubeconfigCommand);
registerCommand(applyCommand);
registerCommand(diffCommand);
registerCommand(corefileCommand);
registerCommand(preflightCommand);
registerCommand(statusCommand);
registerCommand(initCommand);
