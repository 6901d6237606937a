/** Paths of the fixture host trees under test/fixtures/host/. */
import { fileURLToPath } from 'node:url';

/** A machine like the project's: hybrid cgroups, zram + file swap, zswap on, DAMON and reclaim daemons running. */
export const HYBRID = fileURLToPath(new URL('../../fixtures/host/hybrid', import.meta.url));
/** A pure cgroup v2 machine on Linux 5.4 without swap or tracefs, running with CAP_SYS_NICE only. */
export const V2 = fileURLToPath(new URL('../../fixtures/host/v2', import.meta.url));
