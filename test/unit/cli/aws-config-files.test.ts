import { test } from 'node:test';
import assert from 'node:assert/strict';
import { upsertIniSection } from '../../../src/cli/aws-config-files.ts';

test('adds a section to an empty file', () => {
  assert.equal(upsertIniSection('', 'bonsai', { a: '1', b: '2' }), '[bonsai]\na = 1\nb = 2\n');
});

test('replaces only the named section and keeps the others', () => {
  const before = '[default]\naws_access_key_id = X\n\n[bonsai]\naws_access_key_id = OLD\nextra = gone\n\n[other]\nk = v\n';
  assert.equal(
    upsertIniSection(before, 'bonsai', { aws_access_key_id: 'NEW' }),
    '[default]\naws_access_key_id = X\n\n[other]\nk = v\n\n[bonsai]\naws_access_key_id = NEW\n',
  );
});

test('matches "profile name" sections of the config file exactly', () => {
  const before = '[profile bonsai]\nregion = us-west-2\n[profile bonsai2]\nregion = eu-west-1\n';
  assert.equal(
    upsertIniSection(before, 'profile bonsai', { region: 'us-east-1' }),
    '[profile bonsai2]\nregion = eu-west-1\n\n[profile bonsai]\nregion = us-east-1\n',
  );
});
