import { batchBodyParts, batchItemBytes, nestingDepth, topLevelMember } from './batch-items';

describe('batchItemBytes', () => {
  const items = (text: string) => batchItemBytes(Buffer.from(text, 'utf8')).map((b) => b.toString('utf8'));

  it('given a batch body, returns each item byte for byte, whitespace, escapes and non-ASCII included', () => {
    const body = `{ "sentAt": "2026-01-01T00:00:00Z", "context": {"batch": [1]}, "batch" : [ {"a": "x\\"]}"} ,\n  { "b" : [1, {"c": "日本"}] }, 12.5e3, "str", null, true ] }`;
    expect(items(body)).toEqual(['{"a": "x\\"]}"}', '{ "b" : [1, {"c": "日本"}] }', '12.5e3', '"str"', 'null', 'true']);
  });

  it('takes the last batch key, as JSON.parse does, and ignores batch keys nested deeper', () => {
    expect(items('{"batch": [1, 2], "x": {"batch": [3]}, "batch": [{"k": 4}]}')).toEqual(['{"k": 4}']);
  });

  it('returns nothing for bodies without a top-level batch array', () => {
    expect(items('{"batch": {"a": 1}}')).toEqual([]);
    expect(items('[{"batch": [1]}]')).toEqual([]);
    expect(items('{"batch": []}')).toEqual([]);
  });

  it('agrees with JSON.parse on the items of generated batches', () => {
    const batch = [{ s: 'a,b]}{"' }, [1, [2, [3]]], -0.5, 'tab\there', { nested: { batch: ['x'] } }, false];
    const body = JSON.stringify({ before: 1, batch, after: [] }, null, 2);
    expect(items(body).map((text) => JSON.parse(text) as unknown)).toEqual(batch);
  });
});

describe('topLevelMember and nestingDepth', () => {
  it('finds the bytes of a top-level member, the last one when repeated', () => {
    const body = Buffer.from('{"context": {"a": [1]}, "x": {"context": 2}, "context" : {"b": "}"} }');
    expect(topLevelMember(body, 'context')?.toString()).toBe('{"b": "}"}');
    expect(topLevelMember(body, 'missing')).toBeUndefined();
  });

  it('measures nesting, ignoring brackets inside strings', () => {
    expect(nestingDepth(Buffer.from('"[[[{"'))).toBe(0);
    expect(nestingDepth(Buffer.from('{"a": [1, {"b": "]]]"}], "c": {}}'))).toBe(3);
    expect(nestingDepth(Buffer.from(`${'['.repeat(5000)}${']'.repeat(5000)}`))).toBe(5000);
  });
});

describe('batchBodyParts', () => {
  const bodies = [
    `{ "sentAt": "2026-01-01T00:00:00Z", "context": {"batch": [1]}, "batch" : [ {"a": "x\\"]}"} ,\n  { "b" : [1, {"c": "日本"}] }, 12.5e3, "str", null, true ] }`,
    '{"batch": [1, 2], "x": {"batch": [3]}, "batch": [{"k": [[4]]}], "context": {"a": 1}, "context": {"b": "}"}}',
    '{"batch": [[1]], "batch": {"a": 1}}',
    '{"batch": [], "context": "x"}',
    '[{"batch": [1]}]',
    JSON.stringify({ before: 1, context: { library: { name: 'x' } }, batch: [{ s: 'a,b]}{"' }, [1, [2, [3]]], -0.5, 'tab\there', { nested: { batch: ['x'] } }, false] }, null, 2),
  ];

  it.each(bodies)('given %s, finds in one pass what batchItemBytes, nestingDepth and topLevelMember find', (text) => {
    const body = Buffer.from(text, 'utf8');
    const parts = batchBodyParts(body);
    expect(parts.items.map((item) => item.bytes.toString('utf8'))).toEqual(batchItemBytes(body).map((bytes) => bytes.toString('utf8')));
    expect(parts.items.map((item) => item.depth)).toEqual(batchItemBytes(body).map((bytes) => nestingDepth(bytes)));
    expect(parts.context?.toString('utf8')).toEqual(topLevelMember(body, 'context')?.toString('utf8'));
  });
});
