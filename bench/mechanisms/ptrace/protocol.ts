/**
 * The JSON-lines protocol between PtraceMechanism (the runner side) and tracer-main.ts. Its
 * messages are declared once, as schemas, in core/schema/tracer-protocol.ts; this module
 * names their types and reads protocol lines with errors that name the field.
 */
import type { z } from 'zod';
import { TracerReadySchema, TracerRequestSchema, type TracerResponseSchema, TracerResponseSchemas } from '../../../core/schema/tracer-protocol.ts';
import { check, parseJson, SchemaViolation } from '../../../core/schema/validate.ts';

/** A request to the tracer. */
export type TracerRequest = z.infer<typeof TracerRequestSchema>;
/** A response from the tracer. */
export type TracerResponse = z.infer<typeof TracerResponseSchema>;
/** The first line the tracer prints once it is ready. */
export type TracerReady = z.infer<typeof TracerReadySchema>;

/** Longest part of a bad line quoted in an error. */
const QUOTED_CHARS = 120;

/**
 * Parses one line against the schema `pick` chooses for its value (so that an error names the
 * field of the message it is, not every alternative); throws an Error naming the wrong field.
 */
function parseLine<T>(line: string, what: string, pick: (value: Record<string, unknown>) => z.ZodType<T>): T {
  try {
    const value = parseJson(line, '');
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SchemaViolation('', 'not a JSON object', '');
    return check(pick(value as Record<string, unknown>), value, '');
  } catch (err) {
    if (!(err instanceof SchemaViolation)) throw err;
    throw new Error(`bad ${what}: ${err.message} (line ${JSON.stringify(line.slice(0, QUOTED_CHARS))})`);
  }
}

/** Parses one request line (tracer side); throws an Error naming the field on malformed input. */
export function parseRequest(line: string): TracerRequest {
  return parseLine(line, 'tracer request', () => TracerRequestSchema);
}

/** Parses one line the tracer wrote (runner side): its ready announcement or a response. */
export function parseTracerLine(line: string): TracerReady | TracerResponse {
  return parseLine<TracerReady | TracerResponse>(line, 'tracer line', (v) => {
    if ('event' in v) return TracerReadySchema;
    if (v.ok === false) return TracerResponseSchemas.error;
    const key = (['report', 'pong', 'pinned', 'unpinned'] as const).find((k) => k in v);
    return key === undefined ? TracerResponseSchemas.error : TracerResponseSchemas[key];
  });
}
