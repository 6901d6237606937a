import koffi from 'koffi';

/** The C library, loaded once per process; every binding in core/sys/ declares its functions on it. */
export const libc = koffi.load('libc.so.6');

/** errno of the last failed libc call made on this thread. */
export function lastErrno(): number {
  return koffi.errno();
}
