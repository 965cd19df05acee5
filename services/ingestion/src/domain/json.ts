/** A parsed JSON object. Own keys only are ever read, so `__proto__` or `constructor` keys are plain data. */
export type JsonObject = { [key: string]: unknown };

export function isJsonObject(value: unknown): value is JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  // Compared structurally, not with `=== Object.prototype`: a parser or test runner in another realm
  // (vm context) hands over objects whose Object.prototype is a different object.
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || (Object.getPrototypeOf(proto) === null && Object.prototype.toString.call(value) === '[object Object]');
}

/** Reads an own property; inherited members such as `toString` never count as payload fields. */
export function own(object: JsonObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/**
 * Stores a payload-chosen key as data. Assigning `__proto__` would change the object's prototype
 * instead, so that key alone is defined; every other key is assigned, because defineProperty moves
 * V8 objects to slow dictionary mode and this runs for every key of every event.
 */
export function setOwn(object: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  else object[key] = value;
}

/** Deep copy of plain objects and arrays, so cleaning never mutates the caller's payload. */
export function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => cloneJson(item)) as T;
  if (isJsonObject(value)) {
    const copy: JsonObject = {};
    for (const key of Object.keys(value)) setOwn(copy, key, cloneJson(value[key]));
    return copy as T;
  }
  return value;
}

/** `over` wins; nested objects merge key by key, anything else is replaced. */
export function deepMerge(base: JsonObject, over: JsonObject): JsonObject {
  const merged = cloneJson(base);
  for (const key of Object.keys(over)) {
    const mine = own(merged, key);
    const theirs = over[key];
    setOwn(merged, key, isJsonObject(mine) && isJsonObject(theirs) ? deepMerge(mine, theirs) : cloneJson(theirs));
  }
  return merged;
}

/** Bytes of the UTF-8 encoding, counted without allocating it (lone surrogates count as U+FFFD). */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** UTF-8 encoding (WHATWG rules: lone surrogates become U+FFFD), for hashing names. */
export function utf8Encode(text: string): Uint8Array {
  const out = new Uint8Array(utf8ByteLength(text));
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) {
      cp = 0x10000 + ((cp - 0xd800) << 10) + (text.charCodeAt(i + 1) - 0xdc00);
      i++;
    } else if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    if (cp < 0x80) out[at++] = cp;
    else if (cp < 0x800) {
      out[at++] = 0xc0 | (cp >> 6);
      out[at++] = 0x80 | (cp & 0x3f);
    } else if (cp < 0x10000) {
      out[at++] = 0xe0 | (cp >> 12);
      out[at++] = 0x80 | ((cp >> 6) & 0x3f);
      out[at++] = 0x80 | (cp & 0x3f);
    } else {
      out[at++] = 0xf0 | (cp >> 18);
      out[at++] = 0x80 | ((cp >> 12) & 0x3f);
      out[at++] = 0x80 | ((cp >> 6) & 0x3f);
      out[at++] = 0x80 | (cp & 0x3f);
    }
  }
  return out;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}
