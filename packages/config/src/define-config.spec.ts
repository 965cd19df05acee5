import { ConfigError, defineConfig, env, EnvVariable, loadConfig } from './index';

describe('defineConfig / loadConfig', () => {
  const schema = defineConfig({
    API_TOKEN: env.string().required(),
    WORKERS: env.int({ min: 1, max: 64 }).default('4'),
    VERBOSE: env.boolean().default('false'),
    CALLBACK_URL: env.url().optional(),
  });

  it('turns environment text into typed values, applying defaults', () => {
    expect(loadConfig(schema, { API_TOKEN: 'secret', VERBOSE: 'yes' })).toEqual({
      API_TOKEN: 'secret',
      WORKERS: 4,
      VERBOSE: true,
      CALLBACK_URL: undefined,
    });
  });

  it('treats an empty or blank variable as not set', () => {
    expect(loadConfig(schema, { API_TOKEN: 'secret', WORKERS: '', CALLBACK_URL: '  ' })).toMatchObject({
      WORKERS: 4,
      CALLBACK_URL: undefined,
    });
  });

  it('names every bad variable, why it was rejected and what it got, in one error', () => {
    let error: unknown;
    try {
      loadConfig(schema, { WORKERS: '100', VERBOSE: 'maybe', CALLBACK_URL: 'not a url' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.code).toBe('CONFIG_INVALID');
    expect(configError.issues.map((i) => i.variable)).toEqual(['API_TOKEN', 'CALLBACK_URL', 'VERBOSE', 'WORKERS']);
    expect(configError.message).toBe(
      'Invalid configuration: API_TOKEN: required but not set; ' +
        'CALLBACK_URL: expected a http:// or https:// URL, got "not a url"; ' +
        'VERBOSE: expected true or false, got "maybe"; ' +
        'WORKERS: expected an integer from 1 to 64, got "100"',
    );
  });

  it('reads only the variables it declares', () => {
    const config = loadConfig(schema, { API_TOKEN: 't', UNRELATED: 'x' }) as Record<string, unknown>;
    expect(config).not.toHaveProperty('UNRELATED');
    expect(schema.variables).toEqual(['API_TOKEN', 'CALLBACK_URL', 'VERBOSE', 'WORKERS']);
  });

  it('maps validated variables onto the shape the application uses', () => {
    const mapped = defineConfig({ WORKERS: env.int().default('2') }, (v) => ({ pool: { workers: v.WORKERS } }));
    expect(loadConfig(mapped, {})).toEqual({ pool: { workers: 2 } });
  });

  it('never echoes a password embedded in a rejected URL', () => {
    const urls = defineConfig({ DATABASE_URL: env.url(['postgres:']).required() });
    expect(() => loadConfig(urls, { DATABASE_URL: 'mysql://admin:hunter2@db:3306/x' })).toThrow(
      'DATABASE_URL: expected a postgres:// URL, got "mysql://admin:***@db:3306/x"',
    );
  });
});

describe('env variable kinds', () => {
  const parse = <T>(variable: EnvVariable<T>, raw: string): T =>
    loadConfig(defineConfig({ V: variable.required() }), { V: raw }).V;

  it.each([
    ['127.0.0.1:9092', ['127.0.0.1:9092']],
    ['kafka-1:9092, kafka-2.internal:9093', ['kafka-1:9092', 'kafka-2.internal:9093']],
    ['[::1]:9092', ['[::1]:9092']],
  ])('accepts the broker list %s', (raw, expected) => {
    expect(parse(env.hostPortList(), raw)).toEqual(expected);
  });

  it.each(['x', 'host', 'host:', ':9092', 'host:0', 'host:99999', 'a:1,,b:2', 'bad_host!:9092'])(
    'rejects the broker list %s',
    (raw) => {
      expect(() => parse(env.hostPortList(), raw)).toThrow(`V: expected comma-separated host:port list, got "${raw}"`);
    },
  );

  it('accepts ports 0-65535 and nothing else', () => {
    expect(parse(env.port(), '0')).toBe(0);
    expect(parse(env.port(), '65535')).toBe(65535);
    for (const raw of ['65536', '-1', '80.5', 'http']) {
      expect(() => parse(env.port(), raw)).toThrow('expected a TCP port number (0-65535)');
    }
  });

  it('accepts only the listed choices', () => {
    expect(parse(env.oneOf(['a', 'b'] as const), 'b')).toBe('b');
    expect(() => parse(env.oneOf(['a', 'b'] as const), 'c')).toThrow('V: expected one of a, b, got "c"');
  });
});
