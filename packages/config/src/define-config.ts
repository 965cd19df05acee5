import { z } from 'zod';
import { ConfigError, type ConfigIssue } from './config.error';

/** Where configuration comes from: an environment-shaped record of optional strings. */
export type EnvSource = Readonly<Record<string, string | undefined>>;

/** A zod schema per environment variable, keyed by the variable's name. */
export type EnvShape = Record<string, z.ZodType<unknown, string | undefined>>;

export type EnvValues<S extends EnvShape> = { [K in keyof S]: z.output<S[K]> };

/**
 * A validated, typed configuration built from environment variables. `variables` lists every
 * variable it reads (for documentation and for `--help`-style output); `build` maps the validated
 * variables onto the shape the application uses.
 */
export interface ConfigSchema<T> {
  readonly variables: readonly string[];
  readonly shape: EnvShape;
  parse(env: EnvSource): T;
}

export function defineConfig<S extends EnvShape>(shape: S): ConfigSchema<EnvValues<S>>;
export function defineConfig<S extends EnvShape, T>(shape: S, build: (values: EnvValues<S>) => T): ConfigSchema<T>;
export function defineConfig<S extends EnvShape, T>(
  shape: S,
  build?: (values: EnvValues<S>) => T,
): ConfigSchema<T | EnvValues<S>> {
  const object = z.object(shape);
  const variables = Object.keys(shape).sort();
  return {
    variables,
    shape,
    parse(env: EnvSource) {
      // Only declared variables are read; an empty string means "not set" so that `FOO=` in an
      // env file falls back to the default instead of failing as a malformed value.
      const input: Record<string, string | undefined> = {};
      for (const name of variables) {
        const raw = env[name];
        input[name] = raw === undefined || raw.trim() === '' ? undefined : raw.trim();
      }
      const result = object.safeParse(input);
      if (!result.success) throw new ConfigError(describeIssues(result.error.issues, input));
      const values = result.data as EnvValues<S>;
      return build ? build(values) : values;
    },
  };
}

/**
 * Validates `env` (the process environment by default) against `schema`, failing fast with one
 * message that names every bad variable. This is the only place in the platform that reads
 * `process.env`.
 */
export function loadConfig<T>(schema: ConfigSchema<T>, env: EnvSource = process.env): T {
  return schema.parse(env);
}

function describeIssues(issues: readonly z.core.$ZodIssue[], input: Record<string, string | undefined>): ConfigIssue[] {
  const byVariable = new Map<string, ConfigIssue>();
  for (const issue of issues) {
    const variable = String(issue.path[0] ?? '(config)');
    if (byVariable.has(variable)) continue; // the first complaint per variable is the useful one
    const received = input[variable];
    byVariable.set(variable, {
      variable,
      reason: received === undefined ? 'required but not set' : issue.message,
      received,
    });
  }
  return [...byVariable.values()].sort((a, b) => a.variable.localeCompare(b.variable));
}
