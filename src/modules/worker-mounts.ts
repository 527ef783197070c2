import type { WorkerMountFactories } from '../core/cluster-worker';
import { fileMounts } from './httpboot/mounts';

/** What worker processes serve themselves: each module's `workerMounts`, loaded without the module's routes. */
export const WORKER_MOUNTS: WorkerMountFactories = {
  httpboot: fileMounts,
};
