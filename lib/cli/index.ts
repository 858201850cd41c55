// The CLI entry: every command module registers itself here.
import { kubeconfigCommand } from './kubeconfig';
import { registerCommand } from './main';
export { main } from './main';
export { registerCommand };

registerCommand(kubeconfigCommand);
