import { spawnWorkload } from './workloads/client.ts';
import { ProcessMadviseMechanism } from './bench/mechanisms/process-madvise.ts';
import { readSmaps, smapsFieldIn } from './core/proc/smaps.ts';
import { readVmstat } from './core/proc/vmstat.ts';
import { MEMORY_KINDS } from './core/schema/enums.ts';
const sum = (pid: number, regions: any[], f: string) => {
  const s = readSmaps(pid);
  return regions.reduce((n, r) => n + smapsFieldIn(s, f, r.startAddr, r.lengthBytes), 0) / 1048576;
};
for (const kind of MEMORY_KINDS)
  for (const advice of ['cold', 'pageout'] as const) {
    const w = await spawnWorkload({ kind, content: 'random', sizeMiB: 16, vmas: 2 });
    const m = new ProcessMadviseMechanism();
    await m.open({ pid: w.pid });
    const f = ['Rss', 'Swap', 'AnonHugePages', 'Private_Dirty', 'Shared_Dirty'];
    const b = f.map((x) => sum(w.pid, w.regions, x));
    const v0 = readVmstat();
    const out = await m.hint({ target: { pid: w.pid }, advice, ranges: w.regions });
    const v1 = readVmstat();
    const a = f.map((x) => sum(w.pid, w.regions, x));
    const rt = await w.retouch();
    const v = await w.verify();
    console.log(
      kind,
      advice,
      'adv',
      out.bytesAdvised / 1048576,
      'before',
      b.join('/'),
      'after',
      a.join('/'),
      'thp split',
      v1.thp_split_page - v0.thp_split_page,
      'swpout',
      v1.thp_swpout - v0.thp_swpout,
      'fallback',
      v1.thp_swpout_fallback - v0.thp_swpout_fallback,
      'retouch maj',
      rt.majorFaults,
      'intact',
      v.intact,
      out.error,
    );
    await m.dispose();
    await w.exit();
  }
