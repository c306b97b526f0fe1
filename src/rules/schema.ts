// The rule file format as a JSON Schema (draft 2020-12 subset that ajv checks). Rules are data:
// this schema is the whole contract a contributor writes against (docs/rules.md explains it).

// The categories (and the crash kinds, formats and signals the conditions are checked against by
// validate.ts) live in the model's one vocabulary.
import { CATEGORIES, type Category } from '../model/vocabulary.js';
export { CATEGORIES, type Category };

export const RULE_SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;

/** Fault address classes a rule can ask for (see conditions.ts for the exact ranges). */
export const ADDRESS_CLASSES = ['null-page', 'near-null', 'non-canonical', 'kernel', 'user', 'freed-pattern', 'stack'] as const;

/** Kinds of argument and local values the `values` condition recognizes (see clues.ts). */
export const VALUE_KIND_NAMES = ['null', 'null-member', 'unreadable', 'stack-unreadable', 'freed-pattern', 'empty-smart-pointer'] as const;

const text = { type: 'string', minLength: 1 };
const textPattern = {
  oneOf: [text, { type: 'object', properties: { regex: text }, required: ['regex'], additionalProperties: false }],
};
const textPatterns = { oneOf: [textPattern, { type: 'array', items: textPattern, minItems: 1 }] };
const globs = { oneOf: [text, { type: 'array', items: text, minItems: 1 }] };
const hex = { type: 'string', pattern: '^0[xX][0-9a-fA-F]+$' };

const framePatternProps = {
  function: textPatterns,
  module: globs,
  file: globs,
  args: textPatterns,
  locals: textPatterns,
};
const framePattern = {
  type: 'object',
  properties: framePatternProps,
  additionalProperties: false,
  minProperties: 1,
};
const stackStep = {
  type: 'object',
  properties: {
    ...framePatternProps,
    first_meaningful: { type: 'boolean' },
    max_gap: { type: 'integer', minimum: 0 },
  },
  additionalProperties: false,
  anyOf: [{ required: ['function'] }, { required: ['module'] }, { required: ['file'] }, { required: ['args'] }, { required: ['locals'] }],
};
const logPattern = {
  type: 'object',
  properties: { pattern: textPatterns, where: { enum: ['before', 'after', 'inside', 'any'] } },
  required: ['pattern'],
  additionalProperties: false,
};

/** Every condition kind; used both under [when] (all must hold) and in each [[evidence]] item. */
const conditionProps = {
  format: globs,
  signal: globs,
  crash_kind: globs,
  fault_address: { oneOf: [{ enum: [...ADDRESS_CLASSES] }, { type: 'array', items: { enum: [...ADDRESS_CLASSES] }, minItems: 1 }] },
  fault_address_below: hex,
  abort_message: textPatterns,
  modules: globs,
  stack: { type: 'array', items: stackStep, minItems: 1 },
  any_thread: { type: 'array', items: framePattern, minItems: 1 },
  other_thread: { type: 'array', items: framePattern, minItems: 1 },
  main_thread: { type: 'array', items: framePattern, minItems: 1 },
  threads: {
    type: 'object',
    properties: { min: { type: 'integer', minimum: 1 }, frames: { type: 'array', items: framePattern, minItems: 1 } },
    required: ['min', 'frames'],
    additionalProperties: false,
  },
  repeated: {
    type: 'object',
    properties: { min: { type: 'integer', minimum: 2 }, function: textPatterns },
    required: ['min'],
    additionalProperties: false,
  },
  log: { type: 'array', items: logPattern, minItems: 1 },
  values: {
    type: 'object',
    properties: {
      kind: { oneOf: [{ enum: [...VALUE_KIND_NAMES] }, { type: 'array', items: { enum: [...VALUE_KIND_NAMES] }, minItems: 1 }] },
      name: textPatterns,
      frames: { type: 'integer', minimum: 1, maximum: 50 },
      in: { enum: ['args', 'locals', 'any'] },
    },
    additionalProperties: false,
  },
  pc: { oneOf: [{ enum: [...ADDRESS_CLASSES] }, { type: 'array', items: { enum: [...ADDRESS_CLASSES] }, minItems: 1 }] },
  module_copies: globs,
  thread_count: {
    type: 'object',
    properties: { min: { type: 'integer', minimum: 1 }, max: { type: 'integer', minimum: 1 } },
    additionalProperties: false,
    minProperties: 1,
  },
};

/** What a rule id looks like: "pack/name". */
export const RULE_ID = /^[a-z0-9][a-z0-9_-]*\/[a-z0-9][a-z0-9_.-]*$/;

export const RULE_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string', pattern: RULE_ID.source },
    title: text,
    category: { enum: [...CATEGORIES] },
    severity: { enum: [...RULE_SEVERITIES] },
    scope: { enum: ['known-issue', 'crash-class'] },
    confidence: { type: 'number', minimum: 0, maximum: 1 },
    references: { type: 'array', items: { type: 'string', pattern: '^https?://' } },
    when: { type: 'object', properties: conditionProps, additionalProperties: false, minProperties: 1 },
    evidence: {
      type: 'array',
      items: {
        type: 'object',
        properties: { weight: { type: 'number', minimum: 0, maximum: 1 }, why: text, ...conditionProps },
        required: ['weight', 'why'],
        additionalProperties: false,
        minProperties: 3,
      },
    },
    diagnosis: {
      type: 'object',
      properties: {
        summary: text,
        root_cause: text,
        remediation: { type: 'array', items: text, minItems: 1 },
        notes: text,
      },
      required: ['summary', 'root_cause', 'remediation'],
      additionalProperties: false,
    },
    tests: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: text,
          sample: text,
          input: text,
          match: { type: 'boolean' },
          // What the rule must say when it fires (match = true only), beyond firing at all: each
          // evidence string is found in some evidence item's condition name or text, confidence
          // lies within [min, max], title and summary contain the substring.
          evidence: { type: 'array', items: text, minItems: 1 },
          confidence: { type: 'array', items: { type: 'number', minimum: 0, maximum: 1 }, minItems: 2, maxItems: 2 },
          title: text,
          summary: text,
        },
        required: ['match'],
        additionalProperties: false,
        oneOf: [{ required: ['sample'] }, { required: ['input'] }],
      },
    },
  },
  required: ['id', 'title', 'category', 'severity', 'when', 'diagnosis', 'tests'],
  additionalProperties: false,
} as const;

// The validated shape, for the compiler.
export type TextPatternSpec = string | { regex: string };
export type TextPatternsSpec = TextPatternSpec | TextPatternSpec[];
export type GlobsSpec = string | string[];
export interface FramePatternSpec { function?: TextPatternsSpec; module?: GlobsSpec; file?: GlobsSpec; args?: TextPatternsSpec; locals?: TextPatternsSpec }
export interface StackStepSpec extends FramePatternSpec { first_meaningful?: boolean; max_gap?: number }
export interface LogSpec { pattern: TextPatternsSpec; where?: 'before' | 'after' | 'inside' | 'any' }
export interface ConditionsSpec {
  format?: GlobsSpec;
  signal?: GlobsSpec;
  crash_kind?: GlobsSpec;
  fault_address?: string | string[];
  fault_address_below?: string;
  abort_message?: TextPatternsSpec;
  modules?: GlobsSpec;
  stack?: StackStepSpec[];
  any_thread?: FramePatternSpec[];
  other_thread?: FramePatternSpec[];
  main_thread?: FramePatternSpec[];
  threads?: { min: number; frames: FramePatternSpec[] };
  repeated?: { min: number; function?: TextPatternsSpec };
  log?: LogSpec[];
  values?: ValuesSpec;
  pc?: string | string[];
  module_copies?: GlobsSpec;
  thread_count?: { min?: number; max?: number };
}
export interface ValuesSpec { kind?: string | string[]; name?: TextPatternsSpec; frames?: number; in?: 'args' | 'locals' | 'any' }
export interface EvidenceSpec extends ConditionsSpec { weight: number; why: string }
export interface RuleTestSpec {
  name?: string;
  sample?: string;
  input?: string;
  match: boolean;
  /** Each string is in the condition name or the text of some evidence item of the diagnosis. */
  evidence?: string[];
  /** [min, max] the diagnosis' confidence lies within. */
  confidence?: [number, number];
  /** Substrings of the filled-in title and summary. */
  title?: string;
  summary?: string;
}
export interface RuleSpec {
  id: string;
  title: string;
  category: Category;
  severity: (typeof RULE_SEVERITIES)[number];
  scope?: 'known-issue' | 'crash-class';
  confidence?: number;
  references?: string[];
  when: ConditionsSpec;
  evidence?: EvidenceSpec[];
  diagnosis: { summary: string; root_cause: string; remediation: string[]; notes?: string };
  tests: RuleTestSpec[];
}
