import { type AttributePath, parseAttributePath } from './attribute-path';
import type { ScimError } from './errors';
import { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, MAX_FILTER_TERMS } from './limits';

/**
 * The filter grammar of RFC 7644 §3.4.2.2 and the PATCH path grammar of RFC 7644 §3.5.2, which share their
 * pieces. This module only knows syntax: attribute names are resolved against the schema by the caller.
 *
 *   FILTER    = attrExp / logExp / valuePath / *1"not" "(" FILTER ")"
 *   valuePath = attrPath "[" valFilter "]"
 *   attrExp   = (attrPath SP "pr") / (attrPath SP compareOp SP compValue)
 *   PATH      = attrPath / valuePath [subAttr]
 *
 * Precedence is `not`/parentheses, then `and`, then `or`. Operators and the literals true/false/null are
 * case-insensitive (ABNF literals are).
 */
export type CompareOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type CompareValue = string | number | boolean | null;

export type FilterNode =
  | {
      readonly kind: 'compare';
      readonly path: AttributePath;
      readonly op: CompareOperator;
      readonly value: CompareValue;
    }
  | { readonly kind: 'present'; readonly path: AttributePath }
  | { readonly kind: 'and' | 'or'; readonly left: FilterNode; readonly right: FilterNode }
  | { readonly kind: 'not'; readonly filter: FilterNode }
  | { readonly kind: 'valuePath'; readonly path: AttributePath; readonly filter: FilterNode };

export interface PatchPathSyntax {
  readonly path: AttributePath;
  readonly filter?: FilterNode;
  readonly subAttribute?: string;
}

const COMPARE_OPERATORS = new Set<string>(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

type Token =
  | { readonly type: '(' | ')' | '[' | ']'; readonly at: number }
  | { readonly type: 'word'; readonly text: string; readonly at: number }
  | { readonly type: 'string'; readonly value: string; readonly at: number };

type Fail = (detail: string) => ScimError;

export interface FilterSyntaxOptions {
  /**
   * API Gateway REST leaves `+` undecoded in query strings, and old Okta captures encode spaces as `+`
   * (`userName+eq+%22x%40y%22`): outside quoted strings, `+` is then read as a space.
   */
  readonly plusIsSpace?: boolean;
}

function tokenize(text: string, fail: Fail, options: FilterSyntaxOptions): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  const isSpace = (char: string) => char === ' ' || char === '\t' || (options.plusIsSpace === true && char === '+');
  while (index < text.length) {
    const char = text[index] as string;
    if (isSpace(char)) {
      index += 1;
    } else if (char === '(' || char === ')' || char === '[' || char === ']') {
      tokens.push({ type: char, at: index });
      index += 1;
    } else if (char === '"') {
      const start = index;
      index += 1;
      while (index < text.length && text[index] !== '"') index += text[index] === '\\' ? 2 : 1;
      if (index >= text.length) throw fail(`Unterminated string starting at position ${start + 1}`);
      index += 1;
      let value: unknown;
      try {
        value = JSON.parse(text.slice(start, index));
      } catch {
        throw fail(`Invalid string at position ${start + 1}`);
      }
      tokens.push({ type: 'string', value: value as string, at: start });
    } else {
      const start = index;
      while (index < text.length) {
        const next = text[index] as string;
        if (isSpace(next) || next === '(' || next === ')' || next === '[' || next === ']' || next === '"') break;
        index += 1;
      }
      tokens.push({ type: 'word', text: text.slice(start, index), at: start });
    }
  }
  return tokens;
}

class Parser {
  private position = 0;
  private terms = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly fail: Fail,
  ) {}

  get done(): boolean {
    return this.position >= this.tokens.length;
  }

  peek(): Token | undefined {
    return this.tokens[this.position];
  }

  next(): Token | undefined {
    const token = this.tokens[this.position];
    this.position += 1;
    return token;
  }

  expect(type: '(' | ')' | '[' | ']'): void {
    const token = this.next();
    if (token?.type !== type) throw this.fail(`Expected "${type}" ${this.where(token)}`);
  }

  where(token: Token | undefined): string {
    return token ? `at position ${token.at + 1}` : 'at the end of the expression';
  }

  isKeyword(token: Token | undefined, keyword: string): boolean {
    return token?.type === 'word' && token.text.toLowerCase() === keyword;
  }

  /** FILTER, or valFilter when `inValuePath` (no nested value paths there). */
  parseOr(depth: number, inValuePath: boolean): FilterNode {
    let left = this.parseAnd(depth, inValuePath);
    while (this.isKeyword(this.peek(), 'or')) {
      this.next();
      left = { kind: 'or', left, right: this.parseAnd(depth, inValuePath) };
    }
    return left;
  }

  parseAnd(depth: number, inValuePath: boolean): FilterNode {
    let left = this.parseUnary(depth, inValuePath);
    while (this.isKeyword(this.peek(), 'and')) {
      this.next();
      left = { kind: 'and', left, right: this.parseUnary(depth, inValuePath) };
    }
    return left;
  }

  parseUnary(depth: number, inValuePath: boolean): FilterNode {
    if (depth > MAX_FILTER_DEPTH) throw this.fail(`The filter is nested deeper than ${MAX_FILTER_DEPTH} levels`);
    const token = this.peek();
    if (this.isKeyword(token, 'not') && this.tokens[this.position + 1]?.type === '(') {
      this.next();
      this.next();
      const filter = this.parseOr(depth + 1, inValuePath);
      this.expect(')');
      return { kind: 'not', filter };
    }
    if (token?.type === '(') {
      this.next();
      const filter = this.parseOr(depth + 1, inValuePath);
      this.expect(')');
      return filter;
    }
    return this.parseAttributeExpression(depth, inValuePath);
  }

  parseAttributeExpression(depth: number, inValuePath: boolean): FilterNode {
    const path = this.parsePath();
    if (this.peek()?.type === '[') {
      if (inValuePath) throw this.fail(`A value filter cannot contain another value filter ${this.where(this.peek())}`);
      this.next();
      const filter = this.parseOr(depth + 1, true);
      this.expect(']');
      return { kind: 'valuePath', path, filter };
    }
    this.countTerm();
    const operatorToken = this.next();
    if (operatorToken?.type !== 'word') throw this.fail(`Expected an operator ${this.where(operatorToken)}`);
    const op = operatorToken.text.toLowerCase();
    if (op === 'pr') return { kind: 'present', path };
    if (!COMPARE_OPERATORS.has(op)) {
      throw this.fail(`Unknown operator "${operatorToken.text}" ${this.where(operatorToken)}`);
    }
    return { kind: 'compare', path, op: op as CompareOperator, value: this.parseValue() };
  }

  parsePath(): AttributePath {
    const token = this.next();
    if (token?.type !== 'word') throw this.fail(`Expected an attribute name ${this.where(token)}`);
    const path = parseAttributePath(token.text);
    if (!path) throw this.fail(`"${token.text}" is not a valid attribute path (${this.where(token)})`);
    return path;
  }

  parseValue(): CompareValue {
    const token = this.next();
    if (token?.type === 'string') return token.value;
    if (token?.type === 'word') {
      const word = token.text.toLowerCase();
      if (word === 'true') return true;
      if (word === 'false') return false;
      if (word === 'null') return null;
      if (JSON_NUMBER.test(token.text)) return Number(token.text);
      throw this.fail(`"${token.text}" is not a valid value ${this.where(token)}; strings are quoted`);
    }
    throw this.fail(`Expected a value ${this.where(token)}`);
  }

  countTerm(): void {
    this.terms += 1;
    if (this.terms > MAX_FILTER_TERMS) throw this.fail(`The filter has more than ${MAX_FILTER_TERMS} terms`);
  }
}

function checkLength(text: string, fail: Fail, what: string): void {
  if (text.length > MAX_FILTER_LENGTH) throw fail(`The ${what} is longer than ${MAX_FILTER_LENGTH} characters`);
  if (text.trim() === '') throw fail(`The ${what} is empty`);
}

/** Parses a filter expression (RFC 7644 §3.4.2.2); malformed input throws `fail(detail)`. */
export function parseFilterSyntax(text: string, fail: Fail, options: FilterSyntaxOptions = {}): FilterNode {
  checkLength(text, fail, 'filter');
  const parser = new Parser(tokenize(text, fail, options), fail);
  const filter = parser.parseOr(0, false);
  if (!parser.done) throw fail(`Unexpected input ${parser.where(parser.peek())}`);
  return filter;
}

/** Parses a PATCH `path` (RFC 7644 §3.5.2: `attrPath / valuePath [subAttr]`); malformed input throws. */
export function parsePatchPathSyntax(text: string, fail: Fail): PatchPathSyntax {
  checkLength(text, fail, 'path');
  const tokens = tokenize(text, fail, {});
  const parser = new Parser(tokens, fail);
  const path = parser.parsePath();
  if (parser.done) return { path };
  parser.expect('[');
  const filter = parser.parseOr(1, true);
  parser.expect(']');
  if (parser.done) return { path, filter };
  const subToken = parser.next();
  const subAttribute = subToken?.type === 'word' && /^\.[A-Za-z$][A-Za-z0-9_$-]*$/.test(subToken.text);
  if (!subAttribute || !parser.done) throw fail(`Unexpected input ${parser.where(subToken)}`);
  return { path, filter, subAttribute: subToken.text.slice(1) };
}
