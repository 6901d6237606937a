/** The mount table (/proc/self/mountinfo), for telling what is mounted where. */
import { HOST_ROOT, readHostText } from './hostfs.ts';

/** One mount of /proc/self/mountinfo. */
export interface MountEntry {
  /** Where it is mounted (octal escapes such as `\040` decoded). */
  mountPoint: string;
  /** File system type, e.g. `cgroup2`, `tracefs`. */
  fsType: string;
  /** Per-superblock options, e.g. `rw,freezer` for a v1 cgroup hierarchy. */
  superOptions: string[];
}

/** Decodes the octal escapes (`\040` for a space) of a mountinfo field. */
function unescapeField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Parses /proc/PID/mountinfo text (see proc(5)); malformed lines are skipped. */
export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const mountPoint = line.slice(0, sep).split(' ')[4];
    const [fsType, , superOptions = ''] = line.slice(sep + 3).split(' ');
    if (mountPoint === undefined || fsType === undefined) continue;
    out.push({ mountPoint: unescapeField(mountPoint), fsType, superOptions: superOptions.split(',') });
  }
  return out;
}

/** The mounts of /proc/self/mountinfo below `root`, or null when it cannot be read. */
export function readMounts(root: string = HOST_ROOT): MountEntry[] | null {
  const text = readHostText(root, '/proc/self/mountinfo');
  return text === null ? null : parseMountinfo(text);
}
