import { isIP } from 'node:net';
import { z } from 'zod';

type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };
type Parser<T> = (raw: string) => Parsed<T>;

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (reason: string): Parsed<never> => ({ ok: false, reason });

/**
 * One environment variable: how its text becomes a typed value, and what happens when it is
 * absent. Defaults are written as they would be set in the environment and go through the same
 * parser, so a default can never be a value the variable itself would reject.
 */
export class EnvVariable<T> {
  constructor(private readonly parser: Parser<T>) {}

  required(): z.ZodType<T, string | undefined> {
    return this.schema(() => undefined, false) as z.ZodType<T, string | undefined>;
  }

  default(raw: string): z.ZodType<T, string | undefined> {
    return this.schema(() => raw, false) as z.ZodType<T, string | undefined>;
  }

  optional(): z.ZodType<T | undefined, string | undefined> {
    return this.schema(() => undefined, true);
  }

  private schema(fallback: () => string | undefined, optional: boolean): z.ZodType<T | undefined, string | undefined> {
    return z
      .string()
      .optional()
      .transform((given, ctx): T | undefined => {
        const raw = given ?? fallback();
        if (raw === undefined) {
          if (optional) return undefined;
          ctx.addIssue({ code: 'custom', message: 'required but not set' });
          return z.NEVER;
        }
        const parsed = this.parser(raw);
        if (parsed.ok) return parsed.value;
        ctx.addIssue({ code: 'custom', message: parsed.reason });
        return z.NEVER;
      });
  }
}

const HOST_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** A DNS host name or an IPv4/IPv6 address (IPv6 optionally in brackets, as in host:port). */
export function isHost(value: string): boolean {
  const unbracketed = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  return isIP(unbracketed) !== 0 || HOST_NAME.test(value);
}

function parsePort(raw: string): Parsed<number> {
  if (!/^\d+$/.test(raw)) return bad('expected a TCP port number (0-65535)');
  const port = Number(raw);
  return port <= 65535 ? ok(port) : bad('expected a TCP port number (0-65535)');
}

function parseHostPortList(raw: string): Parsed<string[]> {
  const entries = raw.split(',').map((entry) => entry.trim());
  const valid = entries.every((entry) => {
    const at = entry.lastIndexOf(':');
    if (at <= 0) return false;
    const port = parsePort(entry.slice(at + 1));
    return isHost(entry.slice(0, at)) && port.ok && port.value > 0;
  });
  return valid ? ok(entries) : bad('expected comma-separated host:port list');
}

function parseUrl(protocols: readonly string[]): Parser<string> {
  const expected = `expected a ${protocols.map((p) => `${p}//`).join(' or ')} URL`;
  return (raw) => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return bad(expected);
    }
    return protocols.includes(url.protocol) && url.hostname !== '' ? ok(raw) : bad(expected);
  };
}

function parseInt(min: number, max: number): Parser<number> {
  return (raw) => {
    const value = Number(raw);
    return /^-?\d+$/.test(raw) && value >= min && value <= max ? ok(value) : bad(`expected an integer from ${min} to ${max}`);
  };
}

function parseBoolean(raw: string): Parsed<boolean> {
  const value = raw.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(value)) return ok(true);
  if (['false', '0', 'no', 'off'].includes(value)) return ok(false);
  return bad('expected true or false');
}

function parseOneOf<const V extends string>(values: readonly V[]): Parser<V> {
  return (raw) => ((values as readonly string[]).includes(raw) ? ok(raw as V) : bad(`expected one of ${values.join(', ')}`));
}

type StringRule = RegExp | ((value: string) => boolean);

function parseString(rule?: StringRule, description?: string): Parser<string> {
  const accepts = (raw: string) => rule === undefined || (typeof rule === 'function' ? rule(raw) : rule.test(raw));
  return (raw) => (accepts(raw) ? ok(raw) : bad(description ?? `expected to match ${String(rule)}`));
}

/** Builders for the kinds of variables the platform reads. */
export const env = {
  string: (options: { pattern?: StringRule; description?: string } = {}) =>
    new EnvVariable(parseString(options.pattern, options.description)),
  port: () => new EnvVariable(parsePort),
  int: (options: { min?: number; max?: number } = {}) =>
    new EnvVariable(parseInt(options.min ?? Number.MIN_SAFE_INTEGER, options.max ?? Number.MAX_SAFE_INTEGER)),
  boolean: () => new EnvVariable(parseBoolean),
  oneOf: <const V extends string>(values: readonly V[]) => new EnvVariable(parseOneOf(values)),
  url: (protocols: readonly string[] = ['http:', 'https:']) => new EnvVariable(parseUrl(protocols)),
  hostPortList: () => new EnvVariable(parseHostPortList),
};
