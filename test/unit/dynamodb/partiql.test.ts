// The PartiQL parser: statements of each verb, parameters bound in order, WHERE clauses as
// condition trees the shared evaluator runs, and DynamoDB's wording for malformed statements.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStatement } from '../../../src/services/dynamodb/partiql/index.ts';
import { evaluateCondition } from '../../../src/services/dynamodb/expressions/index.ts';
import { thrown } from '../../helpers/sdk-errors.ts';


const malformed = (detail: string) => ({ code: 'ValidationException', message: `Statement wasn't well formed, can't be processed: ${detail}` });

test('SELECT: projection, table and index, WHERE evaluated by the condition evaluator', () => {
  const s = parseStatement('SELECT title, info.year, tags[0] FROM "Music"."ByYear" WHERE "Artist" = ? AND plays >= 10 AND begins_with(title, \'Pa\') AND genre IN [\'rock\', \'pop\'] AND extra IS MISSING', [{ S: 'Acme' }]);
  assert.equal(s.kind, 'select');
  if (s.kind !== 'select') return;
  assert.equal(s.table, 'Music');
  assert.equal(s.index, 'ByYear');
  assert.deepEqual(s.projection, [
    [{ kind: 'name', name: 'title' }],
    [{ kind: 'name', name: 'info' }, { kind: 'name', name: 'year' }],
    [{ kind: 'name', name: 'tags' }, { kind: 'index', index: 0 }],
  ]);
  const song = { Artist: { S: 'Acme' }, plays: { N: '12' }, title: { S: 'PartiQL Rocks' }, genre: { S: 'pop' } };
  assert.equal(evaluateCondition(s.where!, song), true);
  assert.equal(evaluateCondition(s.where!, { ...song, plays: { N: '9' } }), false);
  assert.equal(evaluateCondition(s.where!, { ...song, extra: { NULL: true } }), false);
  assert.equal(evaluateCondition(s.where!, { ...song, genre: { S: 'jazz' } }), false);
});

test('INSERT: a tuple literal with every value type; bags become sets', () => {
  const s = parseStatement("INSERT INTO Music VALUE {'Artist': 'Acme', 'n': -1.5, 'ok': TRUE, 'none': NULL, 'l': [1, 'a'], 'm': {'k': 'v'}, 'ss': <<'a', 'b'>>, 'ns': <<1, 2>>, 'p': ?};", [{ B: new Uint8Array([1]) }]);
  assert.deepEqual(s, {
    kind: 'insert',
    table: 'Music',
    item: {
      M: {
        Artist: { S: 'Acme' },
        n: { N: '-1.5' },
        ok: { BOOL: true },
        none: { NULL: true },
        l: { L: [{ N: '1' }, { S: 'a' }] },
        m: { M: { k: { S: 'v' } } },
        ss: { SS: ['a', 'b'] },
        ns: { NS: ['1', '2'] },
        p: { B: new Uint8Array([1]) },
      },
    },
  });
});

test('UPDATE and DELETE: SET forms, REMOVE, RETURNING', () => {
  const s = parseStatement("UPDATE \"Music\" SET plays = plays + 1, tags = set_add(tags, <<'new'>>), l = list_append(l, [1]) REMOVE old WHERE Artist = 'Acme' RETURNING ALL NEW *");
  assert.equal(s.kind, 'update');
  if (s.kind !== 'update') return;
  assert.deepEqual(s.actions.map((a) => a.kind), ['SET', 'ADD', 'SET', 'REMOVE']);
  assert.deepEqual(s.actions[0], {
    kind: 'SET',
    path: [{ kind: 'name', name: 'plays' }],
    value: { kind: '+', left: { kind: 'path', path: [{ kind: 'name', name: 'plays' }] }, right: { kind: 'value', placeholder: '?', value: { N: '1' } } },
  });
  assert.equal(s.returning, 'ALL NEW');
  const d = parseStatement("delete from Music where Artist = 'Acme' returning all old *");
  assert.deepEqual({ kind: d.kind, table: d.table, returning: d.kind === 'delete' ? d.returning : undefined }, { kind: 'delete', table: 'Music', returning: 'ALL OLD' });
});

test('malformed statements and parameter counts, in DynamoDB wording', () => {
  assert.deepEqual(thrown(() => parseStatement('CREATE TABLE x')), malformed('Expected data manipulation'));
  assert.deepEqual(thrown(() => parseStatement('SELECT * FROM')), malformed('Unexpected end of statement'));
  assert.deepEqual(thrown(() => parseStatement('SELECT * WHERE a = 1')), malformed('Unexpected keyword'));
  assert.deepEqual(thrown(() => parseStatement("SELECT * FROM T WHERE a = 'unterminated")), malformed('Unexpected end of statement'));
  assert.deepEqual(thrown(() => parseStatement('SELECT * FROM T WHERE a = ?')), { code: 'ValidationException', message: "Number of parameters in request and statement don't match." });
  assert.deepEqual(thrown(() => parseStatement('SELECT * FROM T', [{ S: 'x' }])), { code: 'ValidationException', message: "Number of parameters in request and statement don't match." });
});
