/**
 * The bytes of each element of the top-level `batch` array of a JSON body, exactly as the client
 * sent them: dead letters must carry the original item, not a re-serialisation of it. Works on the
 * raw bytes: every structural JSON character is ASCII and UTF-8 never uses ASCII bytes inside a
 * multi-byte character. Call it only on bodies JSON.parse accepted; like JSON.parse, the last
 * `batch` key wins.
 */
export function batchItemBytes(body: Buffer): Buffer[] {
  const batch = topLevelMember(body, 'batch');
  return batch && batch[0] === OPEN_ARRAY ? new Scanner(batch).arrayItems() : [];
}

/** The bytes of the value of `key` in a top-level JSON object (the last one, as with JSON.parse). */
export function topLevelMember(body: Buffer, key: string): Buffer | undefined {
  let found: Buffer | undefined;
  walkTopLevelMembers(body, (name, scanner) => {
    const valueStart = scanner.pos;
    scanner.skipValue();
    if (name === key) found = body.subarray(valueStart, scanner.pos);
  });
  return found;
}

/**
 * Calls `onMember` for each member of the top-level JSON object, with the scanner at the start of
 * the member's value; `onMember` must consume that value. Anything but an object has no members.
 */
function walkTopLevelMembers(body: Buffer, onMember: (name: string, scanner: Scanner) => void): void {
  const scanner = new Scanner(body);
  scanner.skipWhitespace();
  if (scanner.peek() !== OPEN_OBJECT) return;
  scanner.pos++;
  for (;;) {
    scanner.skipWhitespace();
    if (scanner.peek() !== QUOTE) return;
    const keyStart = scanner.pos;
    scanner.skipString();
    const name = JSON.parse(body.subarray(keyStart, scanner.pos).toString('utf8')) as string;
    scanner.skipWhitespace();
    scanner.pos++; // ':'
    scanner.skipWhitespace();
    onMember(name, scanner);
    scanner.skipWhitespace();
    if (scanner.peek() === COMMA) scanner.pos++;
  }
}

/** One element of the `batch` array: its bytes as sent, and how deeply its objects and arrays nest. */
export interface BatchItem {
  bytes: Buffer;
  depth: number;
}

/**
 * What /v1/batch needs from the raw body in one pass over it: the items of the top-level `batch`
 * array (as batchItemBytes) with their nesting depth (as nestingDepth), and the top-level `context`
 * (as topLevelMember). The body is up to 500 KB, so every extra scan of it costs on every request.
 */
export function batchBodyParts(body: Buffer): { items: BatchItem[]; context: Buffer | undefined } {
  let items: BatchItem[] = [];
  let context: Buffer | undefined;
  walkTopLevelMembers(body, (name, scanner) => {
    const valueStart = scanner.pos;
    // Like JSON.parse, the last key wins; a `batch` that is not an array has no items.
    if (name === 'batch' && scanner.peek() === OPEN_ARRAY) items = scanner.arrayItemsWithDepth();
    else {
      scanner.skipValue();
      if (name === 'batch') items = [];
      if (name === 'context') context = body.subarray(valueStart, scanner.pos);
    }
  });
  return { items, context };
}

const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

class Scanner {
  pos = 0;
  /** The deepest nesting the last skipContainer reached, as nestingDepth counts it. */
  private maxDepth = 0;

  constructor(private readonly bytes: Buffer) {}

  done(): boolean {
    return this.pos >= this.bytes.length;
  }

  peek(): number | undefined {
    return this.bytes[this.pos];
  }

  skipWhitespace(): void {
    while (!this.done()) {
      const c = this.bytes[this.pos];
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.pos++;
    }
  }

  skipString(): void {
    this.pos++; // opening quote
    while (!this.done()) {
      const c = this.bytes[this.pos++];
      if (c === BACKSLASH) this.pos++;
      else if (c === QUOTE) return;
    }
  }

  skipValue(): void {
    const c = this.peek();
    if (c === QUOTE) return this.skipString();
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) return this.skipContainer();
    // number, true, false, null: up to the next delimiter
    while (!this.done()) {
      const d = this.bytes[this.pos];
      if (d === COMMA || d === CLOSE_OBJECT || d === CLOSE_ARRAY || d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09) return;
      this.pos++;
    }
  }

  arrayItems(): Buffer[] {
    return this.arrayItemsWithDepth().map((item) => item.bytes);
  }

  arrayItemsWithDepth(): BatchItem[] {
    const items: BatchItem[] = [];
    this.pos++; // '['
    for (;;) {
      this.skipWhitespace();
      if (this.peek() === CLOSE_ARRAY || this.done()) {
        this.pos++;
        return items;
      }
      const start = this.pos;
      this.maxDepth = 0;
      this.skipValue();
      items.push({ bytes: this.bytes.subarray(start, this.pos), depth: this.maxDepth });
      this.skipWhitespace();
      if (this.peek() === COMMA) this.pos++;
    }
  }

  private skipContainer(): void {
    let depth = 0;
    let max = 0;
    while (!this.done()) {
      const c = this.bytes[this.pos];
      if (c === QUOTE) {
        this.skipString();
        continue;
      }
      this.pos++;
      if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        if (++depth > max) this.maxDepth = max = depth;
      } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        depth--;
        if (depth === 0) return;
      }
    }
  }
}

/**
 * How deeply objects and arrays nest in a JSON text (0 for a scalar). Used to refuse absurd nesting
 * before any recursive code (JSON.stringify included) walks the value and runs out of stack.
 */
export function nestingDepth(json: Buffer): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === QUOTE) {
      for (i++; i < json.length && json[i] !== QUOTE; i++) if (json[i] === BACKSLASH) i++;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > max) max = depth;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) depth--;
  }
  return max;
}
