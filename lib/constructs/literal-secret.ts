import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { LABEL_APP_MANAGED_BY, MANAGER } from '../fleet/names';
import { Problem } from '../fleet/model';
import { Cluster } from './cluster';
import { FleetContribution, IFleetContributor } from './contribution';
import { stampCreation } from './fleet-tree';
import { checkInput, memberId, requireSameFleet } from './helpers';
import { requireClusterList, requireDnsLabel, requireDnsSubdomain, requireSecretKey } from './validate';

export interface LiteralSecretProps {
  /** Name of the Secret. */
  readonly secretName: string;
  /** Namespace of the Secret. */
  readonly namespace: string;
  /** The clusters to write it into. */
  readonly clusters: Cluster[];
  /** Key/value pairs, in clear text. They end up base64-encoded, i.e. readable, in Git. */
  readonly stringData: Record<string, string>;
  /**
   * Must be `true`: an explicit acknowledgement that the values are committed to Git in a
   * readable form. Prefer `secretEnv` with a Secret created out of band, a SealedSecret or an
   * ExternalSecret.
   */
  readonly acknowledgePlaintextInGit: boolean;
}

/**
 * A Secret written into `dist/` with its values: an explicit, warned-about opt-in for
 * throwaway environments. Every synth prints a warning naming it.
 */
export class LiteralSecret extends Construct implements IFleetContributor {
  private readonly warning: Problem;

  public constructor(scope: Construct, id: string, props: LiteralSecretProps) {
    super(scope, id);
    stampCreation(this);
    const where = `LiteralSecret "${this.node.path}"`;
    checkInput(this, () => {
      if (props.acknowledgePlaintextInGit !== true) {
        throw new Error(
          `${where}: a LiteralSecret writes "${props.secretName}" readable into Git. Fix: set acknowledgePlaintextInGit: true to accept that, ` +
          'or reference a Secret created out of band with secretEnv',
        );
      }
      requireDnsSubdomain(where, 'secretName', props.secretName);
      requireDnsLabel(where, 'namespace', props.namespace);
      requireClusterList(where, 'clusters', props.clusters);
      Object.keys(props.stringData).forEach((key) => requireSecretKey(where, 'each stringData key', key));
      requireSameFleet(where, this, props.clusters);
    });
    for (const cluster of props.clusters) {
      cluster.ensureNamespace(props.namespace);
      new k8s.KubeSecret(cluster, memberId(this), {
        metadata: { name: props.secretName, namespace: props.namespace, labels: { [LABEL_APP_MANAGED_BY]: MANAGER } },
        type: 'Opaque',
        stringData: props.stringData,
      });
    }
    this.warning = {
      path: this.node.path,
      message: `Secret ${props.namespace}/${props.secretName} is written in plaintext to the output of ${props.clusters.map((c) => `"${c.clusterId}"`).join(', ')} (acknowledgePlaintextInGit)`,
    };
  }

  /** A warning on every synth: the Secret's values are readable in Git. */
  public fleetContribution(): FleetContribution {
    return { warnings: [this.warning] };
  }
}
