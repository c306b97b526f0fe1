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
  title: 'TextPatternSpec',
  description: 'Text matched as a glob (a plain string) or as a regular expression ({ regex }).',
  oneOf: [text, { type: 'object', properties: { regex: text }, required: ['regex'], additionalProperties: false }],
};
const textPatterns = { title: 'TextPatternsSpec', oneOf: [textPattern, { type: 'array', items: textPattern, minItems: 1 }] };
const globs = { title: 'GlobsSpec', oneOf: [text, { type: 'array', items: text, minItems: 1 }] };
const hex = { type: 'string', pattern: '^0[xX][0-9a-fA-F]+$' };

const framePatternProps = {
  function: textPatterns,
  module: globs,
  file: globs,
  args: textPatterns,
  locals: textPatterns,
};
const framePattern = {
  title: 'FramePatternSpec',
  type: 'object',
  properties: framePatternProps,
  additionalProperties: false,
  minProperties: 1,
};
const stackStep = {
  title: 'StackStepSpec',
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
  title: 'LogSpec',
  type: 'object',
  properties: { pattern: textPatterns, where: { enum: ['before', 'after', 'inside', 'any'] } },
  required: ['pattern'],
  additionalProperties: false,
};

/** A fault address or pc class, or several. */
const addressClasses = { title: 'AddressClassesSpec', oneOf: [{ enum: [...ADDRESS_CLASSES] }, { type: 'array', items: { enum: [...ADDRESS_CLASSES] }, minItems: 1 }] };

/** Every condition kind; used both under [when] (all must hold) and in each [[evidence]] item. */
const conditionProps = {
  format: globs,
  signal: globs,
  crash_kind: globs,
  fault_address: addressClasses,
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
    title: 'ValuesSpec',
    type: 'object',
    properties: {
      kind: { oneOf: [{ enum: [...VALUE_KIND_NAMES] }, { type: 'array', items: { enum: [...VALUE_KIND_NAMES] }, minItems: 1 }] },
      name: textPatterns,
      frames: { type: 'integer', minimum: 1, maximum: 50 },
      in: { enum: ['args', 'locals', 'any'] },
    },
    additionalProperties: false,
  },
  pc: addressClasses,
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
  title: 'RuleSpec',
  description: 'A rule file (TOML), as validated.',
  type: 'object',
  properties: {
    id: { type: 'string', pattern: RULE_ID.source },
    title: text,
    category: { title: 'RuleCategory', enum: [...CATEGORIES] },
    severity: { title: 'RuleSeverity', enum: [...RULE_SEVERITIES] },
    scope: { enum: ['known-issue', 'crash-class'] },
    confidence: { type: 'number', minimum: 0, maximum: 1 },
    require_evidence: {
      type: 'boolean',
      description: 'The rule fires only when at least one [[evidence]] item holds as well as [when]: the evidence items are alternative corroborations, one of which is needed (a rule has one [when], so an either-or goes here).',
    },
    references: { type: 'array', items: { type: 'string', pattern: '^https?://' } },
    when: { title: 'ConditionsSpec', description: 'Conditions that must all hold (a [[evidence]] item has the same kinds).', type: 'object', properties: conditionProps, additionalProperties: false, minProperties: 1 },
    evidence: {
      type: 'array',
      items: {
        title: 'EvidenceSpec',
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
        title: 'RuleTestSpec',
        description: 'One test case: a sample file or inline input, whether the rule fires, and what it must say when it does (match = true only).',
        type: 'object',
        properties: {
          name: text,
          sample: text,
          input: text,
          match: { type: 'boolean' },
          evidence: { type: 'array', items: text, minItems: 1, description: 'Each string is in the condition name or the text of some evidence item of the diagnosis.' },
          confidence: { type: 'array', items: { type: 'number', minimum: 0, maximum: 1 }, minItems: 2, maxItems: 2, description: "[min, max] the diagnosis' confidence lies within." },
          title: { ...text, description: 'A substring of the title.' },
          summary: { ...text, description: 'A substring of the filled-in summary.' },
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

// The validated shape, for the compiler: generated from RULE_SCHEMA (bench/rule-types.js), never
// written by hand, so the types cannot drift from what validation lets through.
export type {
  AddressClassesSpec, ConditionsSpec, EvidenceSpec, FramePatternSpec, GlobsSpec, LogSpec, RuleCategory, RuleSeverity, RuleSpec,
  RuleTestSpec, StackStepSpec, TextPatternSpec, TextPatternsSpec, ValuesSpec,
} from './rule-spec.generated.js';
