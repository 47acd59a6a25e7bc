/**
 * Update expressions: SET (with +, -, list_append, if_not_exists), REMOVE, ADD and DELETE.
 * Parsing checks everything DynamoDB checks without the item; applying checks the rest
 * (attribute types, missing operands, invalid document paths) and returns a new item.
 */
import { validationError } from './errors.ts';
import { SyntaxFailure, TokenStream, checkExpressionText, syntaxError, tokenize } from './lexer.ts';
import { addNumbers, subtractNumbers } from './numbers.ts';
import { type RawPath, Resolver, checkPathOverlaps, parsePath, valueAtPath } from './paths.ts';
import type { AttributeValue, ExpressionInput, Item, Parsed, Path, Update, UpdateAction, UpdateValue } from './types.ts';
import { attributeValuesEqual, cloneValue, typeOf } from './values.ts';

const KIND = 'UpdateExpression';
const SECTIONS = ['SET', 'REMOVE', 'ADD', 'DELETE'] as const;
type Section = (typeof SECTIONS)[number];
const SECTION_WORDS: ReadonlySet<string> = new Set(SECTIONS);

// ---------------------------------------------------------------------------------------------
// Syntax

type RawValue =
  | RawPath
  | { kind: 'value'; placeholder: string }
  | { kind: 'call'; name: string; args: RawValue[] }
  | { kind: '+' | '-'; left: RawValue; right: RawValue };

type RawAction =
  | { kind: 'SET'; path: RawPath; value: RawValue }
  | { kind: 'REMOVE'; path: RawPath }
  | { kind: 'ADD' | 'DELETE'; path: RawPath; placeholder: string };

interface RawSection {
  section: Section;
  actions: RawAction[];
}

class UpdateParser {
  constructor(readonly stream: TokenStream) {}

  parse(): RawSection[] {
    const sections: RawSection[] = [];
    do sections.push(this.section());
    while (this.stream.peek().type !== 'eof');
    return sections;
  }

  private section(): RawSection {
    const token = this.stream.peek();
    const word = token.type === 'identifier' ? token.text.toUpperCase() : '';
    if (!SECTION_WORDS.has(word)) this.stream.fail();
    this.stream.next();
    const section = word as Section;
    const actions = [this.action(section)];
    while (this.stream.isSymbol(',')) {
      this.stream.next();
      actions.push(this.action(section));
    }
    return { section, actions };
  }

  private action(section: Section): RawAction {
    const path = parsePath(this.stream, SECTION_WORDS);
    switch (section) {
      case 'SET':
        this.stream.expectSymbol('=');
        return { kind: 'SET', path, value: this.setValue() };
      case 'REMOVE':
        return { kind: 'REMOVE', path };
      case 'ADD':
      case 'DELETE': {
        const token = this.stream.peek();
        if (token.type !== 'value') this.stream.fail();
        this.stream.next();
        return { kind: section, path, placeholder: token.text };
      }
    }
  }

  /** operand [ (+|-) operand ], optionally in parentheses. One arithmetic operator at most. */
  private setValue(): RawValue {
    if (this.stream.isSymbol('(')) {
      const start = this.stream.position;
      try {
        this.stream.next();
        const inner = this.arithmetic();
        this.stream.expectSymbol(')');
        return inner;
      } catch (error) {
        if (!(error instanceof SyntaxFailure)) throw error;
        this.stream.position = start;
      }
    }
    return this.arithmetic();
  }

  private arithmetic(): RawValue {
    const left = this.operand();
    if (this.stream.isSymbol('+') || this.stream.isSymbol('-')) {
      const op = this.stream.next().text as '+' | '-';
      return { kind: op, left, right: this.operand() };
    }
    return left;
  }

  private operand(): RawValue {
    const token = this.stream.peek();
    if (this.stream.isSymbol('(')) {
      this.stream.next();
      const inner = this.operand();
      this.stream.expectSymbol(')');
      return inner;
    }
    if (token.type === 'value') {
      this.stream.next();
      return { kind: 'value', placeholder: token.text };
    }
    if (token.type === 'identifier' && !SECTION_WORDS.has(token.text.toUpperCase()) && this.stream.isSymbol('(', 1)) {
      this.stream.next();
      this.stream.next();
      const args = [this.operand()];
      while (this.stream.isSymbol(',')) {
        this.stream.next();
        args.push(this.operand());
      }
      this.stream.expectSymbol(')');
      return { kind: 'call', name: token.text, args };
    }
    return parsePath(this.stream, SECTION_WORDS);
  }
}

// ---------------------------------------------------------------------------------------------
// Semantics

const ISSUE_ORDER = ['reserved', 'unknownFunction', 'section', 'undefined', 'nesting', 'overlap', 'conflict', 'operand', 'function'];
const CONDITION_FUNCTIONS: ReadonlySet<string> = new Set(['attribute_exists', 'attribute_not_exists', 'attribute_type', 'begins_with', 'contains', 'size']);
/** How ADD and DELETE name a value's type in "operand type: …". */
const OPERAND_TYPE_NAMES: Record<string, string> = { S: 'STRING', N: 'NUMBER', B: 'BINARY', NULL: 'NULL', BOOL: 'BOOLEAN', L: 'LIST', M: 'MAP' };

class UpdateResolver {
  constructor(readonly r: Resolver) {}

  action(raw: RawAction): UpdateAction {
    const path = this.r.path(raw.path);
    switch (raw.kind) {
      case 'SET':
        return { kind: 'SET', path, value: this.value(raw.value) };
      case 'REMOVE':
        return { kind: 'REMOVE', path };
      case 'ADD':
      case 'DELETE': {
        const value = this.r.value(raw.placeholder);
        const type = typeOf(value);
        const allowed = type === 'SS' || type === 'NS' || type === 'BS' || (raw.kind === 'ADD' && type === 'N');
        if (type !== undefined && !allowed) {
          this.r.issues.add('operand', `Incorrect operand type for operator or function; operator: ${raw.kind}, operand type: ${OPERAND_TYPE_NAMES[type]}`);
        }
        return { kind: raw.kind, path, value };
      }
    }
  }

  value(raw: RawValue): UpdateValue {
    switch (raw.kind) {
      case 'path':
        return { kind: 'path', path: this.r.path(raw) };
      case 'value':
        return { kind: 'value', placeholder: raw.placeholder, value: this.r.value(raw.placeholder) };
      case '+':
      case '-': {
        const left = this.value(raw.left);
        const right = this.value(raw.right);
        this.checkOperandTypes(raw.kind, [left, right], 'N');
        return { kind: raw.kind, left, right };
      }
      case 'call':
        return this.call(raw.name, raw.args);
    }
  }

  private call(name: string, rawArgs: RawValue[]): UpdateValue {
    if (name !== 'if_not_exists' && name !== 'list_append') {
      this.r.issues.add(
        'unknownFunction',
        CONDITION_FUNCTIONS.has(name)
          ? `The function is not allowed in an update expression; function: ${name}`
          : `Invalid function name; function: ${name}`,
      );
    }
    const args = rawArgs.map((a) => this.value(a));
    if (args.length !== 2) {
      this.r.issues.add('function', `Incorrect number of operands for operator or function; operator or function: ${name}, number of operands: ${args.length}`);
      return args[0]!;
    }
    const [first, second] = args as [UpdateValue, UpdateValue];
    if (name === 'if_not_exists') {
      if (first.kind !== 'path') {
        this.r.issues.add('function', 'Operator or function requires a document path; operator or function: if_not_exists');
        return second;
      }
      return { kind: 'if_not_exists', path: first.path, fallback: second };
    }
    this.checkOperandTypes('list_append', args, 'L');
    return { kind: 'list_append', first, second };
  }

  /** Literal operands of +, - and list_append must have the type the operator needs. */
  private checkOperandTypes(operator: string, args: UpdateValue[], wanted: 'N' | 'L'): void {
    for (const arg of args) {
      const type = arg.kind === 'value' ? typeOf(arg.value) : undefined;
      if (type !== undefined && type !== wanted) {
        this.r.issues.add('function', `Incorrect operand type for operator or function; operator or function: ${operator}, operand type: ${type}`);
        return;
      }
    }
  }
}

export function parseUpdateExpression(expr: string, input: ExpressionInput): Parsed<Update> {
  checkExpressionText(KIND, expr);
  const tokens = tokenize(expr);
  let sections: RawSection[];
  try {
    sections = new UpdateParser(new TokenStream(tokens)).parse();
  } catch (error) {
    if (error instanceof SyntaxFailure) throw syntaxError(KIND, expr, tokens, error.index);
    throw error;
  }
  const resolver = new Resolver(input);
  const seen = new Set<Section>();
  for (const { section } of sections) {
    if (seen.has(section)) resolver.issues.add('section', `The "${section}" section can only be used once in an update expression;`);
    seen.add(section);
  }
  const updateResolver = new UpdateResolver(resolver);
  const actions = sections.flatMap((s) => s.actions.map((a) => updateResolver.action(a)));
  checkPathOverlaps(
    actions.map((a) => a.path),
    resolver.issues,
  );
  resolver.issues.throwFirst(KIND, ISSUE_ORDER);
  return { ast: { actions }, usedNames: resolver.usedNames, usedValues: resolver.usedValues };
}

// ---------------------------------------------------------------------------------------------
// Applying an update to an item

const INCORRECT_TYPE = 'An operand in the update expression has an incorrect data type';
const MISSING_OPERAND = 'The provided expression refers to an attribute that does not exist in the item';
const INVALID_PATH = 'The document path provided in the update expression is invalid for update';

/** Evaluates a SET value against the item as it was before the update. */
function evaluate(value: UpdateValue, item: Item): AttributeValue {
  switch (value.kind) {
    case 'value':
      return value.value;
    case 'path': {
      const found = valueAtPath(item, value.path);
      if (found === undefined) throw validationError(MISSING_OPERAND);
      return found;
    }
    case 'if_not_exists':
      return valueAtPath(item, value.path) ?? evaluate(value.fallback, item);
    case 'list_append': {
      const first = evaluate(value.first, item);
      const second = evaluate(value.second, item);
      if (first.L === undefined || second.L === undefined) throw validationError(INCORRECT_TYPE);
      return { L: [...first.L, ...second.L] };
    }
    case '+':
    case '-': {
      const left = evaluate(value.left, item);
      const right = evaluate(value.right, item);
      if (left.N === undefined || right.N === undefined) throw validationError(INCORRECT_TYPE);
      return { N: value.kind === '+' ? addNumbers(left.N, right.N) : subtractNumbers(left.N, right.N) };
    }
  }
}

/** Where a path's last step lives: the map or list that holds it, and the step itself. */
type Slot =
  | { kind: 'map'; map: Record<string, AttributeValue>; key: string }
  | { kind: 'list'; list: AttributeValue[]; index: number };

/** Finds the container of the path's last step; throws when the parent is missing or of the wrong type. */
function slotOf(item: Item, path: Path): Slot {
  const last = path[path.length - 1]!;
  if (path.length === 1) return { kind: 'map', map: item, key: (last as { name: string }).name };
  const parent = valueAtPath(item, path.slice(0, -1));
  if (last.kind === 'name' && parent?.M !== undefined) return { kind: 'map', map: parent.M, key: last.name };
  if (last.kind === 'index' && parent?.L !== undefined) return { kind: 'list', list: parent.L, index: last.index };
  throw validationError(INVALID_PATH);
}

function read(slot: Slot): AttributeValue | undefined {
  if (slot.kind === 'map') return Object.hasOwn(slot.map, slot.key) ? slot.map[slot.key] : undefined;
  return slot.list[slot.index];
}

/** Writes into a slot; an index past the end of a list appends, as DynamoDB does. */
function write(slot: Slot, value: AttributeValue): void {
  if (slot.kind === 'map') slot.map[slot.key] = value;
  else if (slot.index < slot.list.length) slot.list[slot.index] = value;
  else slot.list.push(value);
}

function addToExisting(existing: AttributeValue | undefined, value: AttributeValue): AttributeValue {
  if (existing === undefined) return cloneValue(value);
  if (value.N !== undefined) {
    if (existing.N === undefined) throw validationError(INCORRECT_TYPE);
    return { N: addNumbers(existing.N, value.N) };
  }
  const type = typeOf(value) as 'SS' | 'NS' | 'BS';
  const current = existing[type] as AttributeValue[keyof AttributeValue] & unknown[];
  if (current === undefined) throw validationError(INCORRECT_TYPE);
  const merged = [...current];
  for (const member of value[type] as unknown[]) {
    if (!merged.some((m) => attributeValuesEqual({ [type]: [m] }, { [type]: [member] }))) merged.push(member);
  }
  return { [type]: merged } as AttributeValue;
}

/** DELETE: the set minus the members given; undefined when nothing remains (the attribute goes). */
function deleteFromExisting(existing: AttributeValue, value: AttributeValue): AttributeValue | undefined {
  const type = typeOf(value) as 'SS' | 'NS' | 'BS';
  const current = existing[type] as unknown[] | undefined;
  if (current === undefined) throw validationError(INCORRECT_TYPE);
  const remaining = current.filter(
    (m) => !(value[type] as unknown[]).some((d) => attributeValuesEqual({ [type]: [m] }, { [type]: [d] })),
  );
  return remaining.length === 0 ? undefined : ({ [type]: remaining } as AttributeValue);
}

function remove(slot: Slot): void {
  if (slot.kind === 'map') delete slot.map[slot.key];
  else if (slot.index < slot.list.length) slot.list.splice(slot.index, 1);
}

/**
 * Applies a parsed update to an item (an empty object when the item does not exist yet) and
 * returns the new item; the input is not modified. Key attributes cannot be updated.
 */
export function applyUpdate(update: Update, item: Item, keyAttributes: string[]): Item {
  for (const action of update.actions) {
    const head = action.path[0]!;
    if (head.kind === 'name' && keyAttributes.includes(head.name)) {
      throw validationError(`Cannot update attribute ${head.name}. This attribute is part of the key`);
    }
  }
  // Every SET operand reads the item as it was before this update.
  const values = update.actions.map((action) => (action.kind === 'SET' ? evaluate(action.value, item) : undefined));
  const next: Item = Object.fromEntries(Object.entries(item).map(([k, v]) => [k, cloneValue(v)]));

  const removals: Slot[] = [];
  update.actions.forEach((action, i) => {
    const slot = slotOf(next, action.path);
    switch (action.kind) {
      case 'SET':
        write(slot, cloneValue(values[i]!));
        break;
      case 'ADD':
        write(slot, addToExisting(read(slot), action.value));
        break;
      case 'DELETE': {
        const existing = read(slot);
        if (existing === undefined) break;
        const remaining = deleteFromExisting(existing, action.value);
        if (remaining === undefined) remove(slot);
        else write(slot, remaining);
        break;
      }
      case 'REMOVE':
        removals.push(slot);
        break;
    }
  });
  // List indexes in REMOVE name the positions before the update: remove from the end first.
  const indexOf = (slot: Slot) => (slot.kind === 'list' ? slot.index : -1);
  removals.sort((a, b) => indexOf(b) - indexOf(a)).forEach(remove);
  return next;
}

/** The top-level attributes an update touches, for ReturnValues UPDATED_OLD and UPDATED_NEW. */
export function updatedAttributes(update: Update): { updatedTopLevel: string[] } {
  const names: string[] = [];
  for (const action of update.actions) {
    const head = action.path[0]!;
    if (head.kind === 'name' && !names.includes(head.name)) names.push(head.name);
  }
  return { updatedTopLevel: names };
}
