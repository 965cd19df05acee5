import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly contentType: string | undefined;
  readonly authorization: string | undefined;
  readonly body: string;
}

/**
 * A minimal Confluent-compatible schema registry over real HTTP: POST /subjects/{subject}/versions and
 * GET /schemas/ids/{id}, with Confluent's status codes and error bodies. No Confluent registry artifact
 * runs on these machines, so the client is tested against this instead.
 */
export class ConfluentRegistryStub {
  readonly requests: RecordedRequest[] = [];
  /** Subjects for which registration answers 409 (incompatible). */
  readonly incompatibleSubjects = new Set<string>();
  /** Number of upcoming requests to answer with 503. */
  failNext = 0;
  private readonly schemas: string[] = [];
  private readonly subjects = new Map<string, number[]>();
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.server?.close((err) => (err ? reject(err) : resolve())));
  }

  subjectsRegistered(): string[] {
    return [...this.subjects.keys()];
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += chunk;
    const path = req.url ?? '';
    this.requests.push({ method: req.method ?? '', path, contentType: req.headers['content-type'], authorization: req.headers.authorization, body });
    if (this.failNext > 0) {
      this.failNext--;
      return this.reply(res, 503, { error_code: 50301, message: 'warming up' });
    }
    const register = /^\/subjects\/([^/]+)\/versions$/.exec(path);
    if (req.method === 'POST' && register) {
      const subject = decodeURIComponent(register[1]);
      if (this.incompatibleSubjects.has(subject)) {
        return this.reply(res, 409, { error_code: 409, message: 'Schema being registered is incompatible with an earlier schema' });
      }
      const schema = (JSON.parse(body) as { schema: string }).schema;
      let id = this.schemas.indexOf(schema) + 1;
      if (id === 0) id = this.schemas.push(schema);
      const versions = this.subjects.get(subject) ?? [];
      if (!versions.includes(id)) versions.push(id);
      this.subjects.set(subject, versions);
      return this.reply(res, 200, { id });
    }
    const byId = /^\/schemas\/ids\/(\d+)$/.exec(path);
    if (req.method === 'GET' && byId) {
      const schema = this.schemas[Number(byId[1]) - 1];
      if (schema === undefined) return this.reply(res, 404, { error_code: 40403, message: 'Schema not found' });
      return this.reply(res, 200, { schema });
    }
    return this.reply(res, 404, { error_code: 404, message: 'HTTP 404 Not Found' });
  }

  private reply(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
    res.end(JSON.stringify(body));
  }
}
