import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import { Protocol } from '../fleet/model';

// One PodManagementPolicy: cdk8s-plus's (OrderedReady, Parallel).
export { PodManagementPolicy } from 'cdk8s-plus-28';

/** A named port of the exported service. */
export interface WorkloadPort {
  /** Port name: an IANA service name (lowercase, at most 15 characters). Needed for SRV records and to match imports. */
  readonly name: string;
  /** Port number the Service and the ServiceImport expose. */
  readonly port: number;
  /**
   * Transport protocol of the port.
   * @default Protocol.TCP
   */
  readonly protocol?: Protocol;
  /**
   * Port the container listens on.
   * @default - the same as `port`
   */
  readonly containerPort?: number;
  /**
   * Application protocol hint, e.g. `mysql`.
   * @default - none
   */
  readonly appProtocol?: string;
}

/** An environment variable read from a key of an existing Secret (never written to Git). */
export interface SecretEnv {
  /** Name of the environment variable, e.g. `MYSQL_ROOT_PASSWORD`. */
  readonly name: string;
  /** Name of the Secret in the workload's namespace, created out of band (kubectl, SealedSecret, ExternalSecret). */
  readonly secretName: string;
  /** Key inside the Secret. */
  readonly key: string;
  /**
   * Start the pod even when the Secret or key is missing.
   * @default false
   */
  readonly optional?: boolean;
}

/** Access modes of a persistent volume claim. */
export enum AccessMode {
  READ_WRITE_ONCE = 'ReadWriteOnce',
  READ_WRITE_ONCE_POD = 'ReadWriteOncePod',
  READ_ONLY_MANY = 'ReadOnlyMany',
  READ_WRITE_MANY = 'ReadWriteMany',
}

/** A volume claim template: one PersistentVolumeClaim per pod, mounted into the container. */
export interface VolumeClaim {
  /** Claim template name; PVCs are named `<name>-<statefulset>-<ordinal>`. */
  readonly name: string;
  /** Where the volume is mounted in the container, e.g. `/var/lib/mysql`. */
  readonly mountPath: string;
  /** Requested size: a Kubernetes quantity such as `50Gi`, or a cdk8s `Size` (`Size.gibibytes(50)`). */
  readonly size: string | Size;
  /**
   * How the volume may be mounted.
   * @default [AccessMode.READ_WRITE_ONCE]
   */
  readonly accessModes?: AccessMode[];
  /**
   * Storage class of the claims.
   * @default - the `storageClass` of each provider cluster (storage classes are vendor-specific)
   */
  readonly storageClass?: string;
}

/**
 * CPU and memory for the container: Kubernetes quantities (`'500m'`, `'2Gi'`), or cdk8s-plus's
 * `Cpu` and cdk8s's `Size` as cdk8s-plus takes them (`Cpu.millis(500)`, `Size.gibibytes(2)`).
 */
export interface ContainerResources {
  /**
   * CPU the scheduler reserves for the container.
   * @default '250m'
   */
  readonly cpuRequest?: string | Cpu;
  /**
   * Memory the scheduler reserves for the container.
   * @default '512Mi'
   */
  readonly memoryRequest?: string | Size;
  /**
   * CPU the container may use at most.
   * @default - no CPU limit (throttling a database stalls its replication and health checks)
   */
  readonly cpuLimit?: string | Cpu;
  /**
   * Memory the container may use at most.
   * @default - no memory limit (set one equal to the request for the Guaranteed QoS class)
   */
  readonly memoryLimit?: string | Size;
}

/** What happens to a StatefulSet's PersistentVolumeClaims. */
export enum PvcRetention {
  /** Keep the claims (and the data). */
  RETAIN = 'Retain',
  /** Delete the claims (and, with most storage classes, the data). */
  DELETE = 'Delete',
}
