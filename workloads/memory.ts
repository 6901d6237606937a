/**
 * The memory of the anonymous workload: K separate private anonymous VMAs with PROT_NONE
 * guard pages around each (so the kernel cannot merge them with each other or with the
 * process's own mappings), filled page by page with a chosen content, and a checksum per page.
 */
import { randomFillSync } from 'node:crypto';
import type { Content, Region } from '../core/types.ts';
import { PROT_NONE, mmapAnon, viewBytes } from '../core/sys/mman.ts';
import { backingFor, type RegionBacking } from './kinds.ts';

/** randomFillSync chunk, bytes. */
const FILL_CHUNK_BYTES = 16 << 20;

/**
 * Longest typed-array view over a region, bytes. A view longer than 4 GiB aborts the process
 * inside koffi (Node 20), so regions are seen through views of at most 1 GiB each.
 */
export const MAX_VIEW_BYTES = 1 << 30;

/** One view over part of a region: whole pages, at most MAX_VIEW_BYTES. */
interface Chunk {
  bytes: Uint8Array;
  words: Uint32Array;
  /** Global index of the chunk's first page (pages are numbered across all regions). */
  firstPage: number;
  /** Address of the chunk's first byte. */
  startAddr: number;
}

/** One mapped region with its views. */
interface MappedRegion {
  region: Region;
  chunks: Chunk[];
}

/** Splits `totalPages` into `vmas` counts that differ by at most one. */
export function splitPages(totalPages: number, vmas: number): number[] {
  const base = Math.floor(totalPages / vmas);
  const extra = totalPages % vmas;
  return Array.from({ length: vmas }, (_, i) => base + (i < extra ? 1 : 0));
}

/**
 * FNV-1a over the 32-bit words of one page, seeded with the page's global index: a single
 * changed word always changes the result, and identical contents at different indices give
 * different checksums (so a page swapped with another is caught).
 */
export function pageChecksum(words: Uint32Array, firstWord: number, wordCount: number, pageIndex: number): number {
  let h = (0x811c9dc5 ^ Math.imul(pageIndex + 1, 0x9e3779b1)) >>> 0;
  const end = firstWord + wordCount;
  for (let i = firstWord; i < end; i++) h = Math.imul(h ^ words[i]!, 0x01000193);
  return h >>> 0;
}

/** One byte of one page, as the touch loops read it. */
export interface PageSlot {
  /** View holding the page. */
  bytes: Uint8Array;
  /** Offset of the page's first byte in `bytes`. */
  offset: number;
}

/** Rounds `value` up to a multiple of `align` (a power of two). */
function alignUp(value: bigint, align: number): bigint {
  const a = BigInt(align);
  return ((value + a - 1n) / a) * a;
}

/**
 * Workload memory of one kind (private anonymous unless a backing says otherwise, see
 * workloads/kinds.ts) filled with one content, with per-page checksums.
 */
export class AnonMemory {
  readonly pageSizeBytes: number;
  readonly content: Content;
  private readonly mapped: MappedRegion[] = [];
  private readonly checksums: Uint32Array;
  private readonly totalPages: number;

  /**
   * Maps `totalPages` pages split over `vmas` VMAs and fills them. `maxViewBytes` (a multiple
   * of the page size, default MAX_VIEW_BYTES) bounds each view over a region.
   */
  constructor(opts: { totalPages: number; vmas: number; content: Content; pageSizeBytes: number; maxViewBytes?: number; backing?: RegionBacking }) {
    const { totalPages, vmas, content, pageSizeBytes } = opts;
    const backing = opts.backing ?? backingFor('anon', { fileDir: '', pageSizeBytes });
    const maxViewBytes = opts.maxViewBytes ?? MAX_VIEW_BYTES;
    if (vmas < 1 || vmas > totalPages) throw new RangeError(`vmas must be between 1 and the page count ${totalPages}, got ${vmas}`);
    if (maxViewBytes < pageSizeBytes || maxViewBytes % pageSizeBytes !== 0)
      throw new RangeError(`maxViewBytes must be a multiple of the page size ${pageSizeBytes}, got ${maxViewBytes}`);
    this.pageSizeBytes = pageSizeBytes;
    this.content = content;
    this.totalPages = totalPages;
    this.checksums = new Uint32Array(totalPages);
    const counts = splitPages(totalPages, vmas);
    // One PROT_NONE reservation: guard, region, guard, region, ..., guard (plus room to
    // align each region's start when the backing asks for more than a page).
    const slackBytes = backing.alignBytes > pageSizeBytes ? (vmas + 1) * backing.alignBytes : 0;
    const reservedBytes = (totalPages + vmas + 1) * pageSizeBytes + slackBytes;
    const base = mmapAnon(reservedBytes, { prot: PROT_NONE });
    let addr = alignUp(base + BigInt(pageSizeBytes), backing.alignBytes);
    let firstPage = 0;
    for (const pages of counts) {
      const lengthBytes = pages * pageSizeBytes;
      backing.map(addr, lengthBytes);
      const chunks: Chunk[] = [];
      for (let off = 0; off < lengthBytes; off += maxViewBytes) {
        const buffer = viewBytes(addr + BigInt(off), Math.min(maxViewBytes, lengthBytes - off));
        chunks.push({ bytes: new Uint8Array(buffer), words: new Uint32Array(buffer), firstPage: firstPage + off / pageSizeBytes, startAddr: Number(addr) + off });
      }
      this.mapped.push({ region: { startAddr: Number(addr), lengthBytes, kind: backing.kind, content }, chunks });
      firstPage += pages;
      addr = alignUp(addr + BigInt(lengthBytes + pageSizeBytes), backing.alignBytes);
    }
    for (const c of this.chunks()) this.fill(c);
    for (const m of this.mapped) backing.afterFill(BigInt(m.region.startAddr), m.region.lengthBytes);
    backing.close();
    for (const c of this.chunks())
      this.checksumChunk(c, (page, sum) => {
        this.checksums[page] = sum;
      });
  }

  /** Every view, in address order. */
  private *chunks(): Generator<Chunk> {
    for (const m of this.mapped) yield* m.chunks;
  }

  /** The regions, in address order. */
  get regions(): Region[] {
    return this.mapped.map((m) => ({ ...m.region }));
  }

  /** Number of pages over all regions. */
  get pages(): number {
    return this.totalPages;
  }

  private fill(m: Chunk): void {
    const ps = this.pageSizeBytes;
    const len = m.bytes.length;
    switch (this.content) {
      case 'zero':
        // A write fault allocates a zero-filled page; zram stores it as a same-filled page.
        for (let off = 0; off < len; off += ps) m.bytes[off] = 0;
        return;
      case 'random':
        for (let off = 0; off < len; off += FILL_CHUNK_BYTES) randomFillSync(m.bytes, off, Math.min(FILL_CHUNK_BYTES, len - off));
        return;
      case 'mixed': {
        // First half of each page random, second half one repeated word: compresses about 2:1.
        const wordsPerPage = ps / 4;
        for (let off = 0; off < len; off += FILL_CHUNK_BYTES) randomFillSync(m.bytes, off, Math.min(FILL_CHUNK_BYTES, len - off));
        for (let p = 0; p < len / ps; p++) {
          const w = p * wordsPerPage;
          m.words.fill(Math.imul(m.firstPage + p + 1, 0x9e3779b1) >>> 0, w + wordsPerPage / 2, w + wordsPerPage);
        }
        return;
      }
    }
  }

  private checksumChunk(m: Chunk, sink: (page: number, sum: number) => void): void {
    const wordsPerPage = this.pageSizeBytes / 4;
    const pages = m.words.length / wordsPerPage;
    for (let p = 0; p < pages; p++) sink(m.firstPage + p, pageChecksum(m.words, p * wordsPerPage, wordsPerPage, m.firstPage + p));
  }

  /** Where each page's first byte is, in page order (for loops that touch some pages). */
  pageSlots(): PageSlot[] {
    const ps = this.pageSizeBytes;
    const out: PageSlot[] = [];
    for (const m of this.chunks()) for (let off = 0; off < m.bytes.length; off += ps) out.push({ bytes: m.bytes, offset: off });
    return out;
  }

  /** Reads one byte of every page (faulting swapped-out pages back in); returns their sum. */
  touchAll(): number {
    const ps = this.pageSizeBytes;
    let sum = 0;
    for (const m of this.chunks()) {
      const b = m.bytes;
      for (let off = 0; off < b.length; off += ps) sum = (sum + b[off]!) | 0;
    }
    return sum;
  }

  /** Recomputes every page's checksum: how many differ, and the address of the first. */
  verify(): { corruptPages: number; firstCorruptAddr: number | null } {
    let corruptPages = 0;
    let firstCorruptAddr: number | null = null;
    for (const m of this.chunks()) {
      this.checksumChunk(m, (page, sum) => {
        if (sum === this.checksums[page]) return;
        corruptPages += 1;
        firstCorruptAddr ??= m.startAddr + (page - m.firstPage) * this.pageSizeBytes;
      });
    }
    return { corruptPages, firstCorruptAddr };
  }
}
