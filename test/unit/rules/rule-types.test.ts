// The rule types (src/rules/rule-spec.generated.ts) are generated from the rule schema
// (RULE_SCHEMA): one source of truth. This fails while the committed file is stale.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript build script, without type declarations
import { GENERATED_FILE, ruleSpecTypes } from '../../../bench/rule-types.js';
import { RULE_SCHEMA } from '../../../src/rules/schema.js';

const generate = ruleSpecTypes as (schema: object) => string;

describe('rule types generated from RULE_SCHEMA', () => {
  it('are up to date (else: npm run build && node bench/rule-types.js)', () => {
    expect(readFileSync(GENERATED_FILE as string, 'utf8')).toBe(generate(RULE_SCHEMA));
  });

  it('follow the schema: required or optional fields, enums, tuples, named subschemas, descriptions', () => {
    const text = generate(RULE_SCHEMA);
    expect(text).toMatch(/export interface RuleTestSpec \{[^}]*\n {2}match: boolean;/);
    expect(text).toContain('  confidence?: [number, number];');
    expect(text).toContain('export type RuleSeverity = "info" | "low" | "medium" | "high" | "critical";');
    expect(text).toMatch(/\/\*\* A substring of the filled-in summary\. \*\/\n {2}summary\?: string;/);
    expect(text).toContain('  stack?: StackStepSpec[];');
    // A change in the schema is a change in the types.
    const tests = RULE_SCHEMA.properties.tests.items;
    const changed = { ...RULE_SCHEMA, properties: { ...RULE_SCHEMA.properties, tests: { ...RULE_SCHEMA.properties.tests, items: { ...tests, required: [] } } } };
    expect(generate(changed)).toMatch(/export interface RuleTestSpec \{[^}]*\n {2}match\?: boolean;/);
  });

  it('refuse schema keywords they cannot type, rather than type them wrongly', () => {
    expect(() => generate({ title: 'X', type: 'object', properties: { a: { type: 'string', format: 'uri' } }, additionalProperties: false })).toThrow(/unsupported schema keyword format/);
    expect(() => generate({ title: 'X', type: 'object', properties: { a: { type: 'null' } }, additionalProperties: false })).toThrow(/unsupported schema type/);
    expect(() => generate({ title: 'X', type: 'object', properties: {} })).toThrow(/additionalProperties/);
  });
});
