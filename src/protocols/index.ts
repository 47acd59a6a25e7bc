/**
 * One codec per wire protocol. `codecFor` hands out the default codec of a protocol; services with
 * wire quirks the models do not describe (DynamoDB's qualified error types, a wrapped rest-xml error
 * envelope) build their own with the factory and its hooks.
 */
import type { ProtocolCodec } from './codec.ts';
import { createEc2Codec } from './ec2.ts';
import { createJsonCodec } from './json.ts';
import type { Protocol } from './model.ts';
import { createQueryCodec } from './query.ts';
import { createRestJsonCodec } from './rest-json.ts';
import { createRestXmlCodec } from './rest-xml.ts';

export { createEc2Codec } from './ec2.ts';
export { createJsonCodec, type JsonCodecHooks } from './json.ts';
export { createQueryCodec } from './query.ts';
export { createRestJsonCodec } from './rest-json.ts';
export { createRestXmlCodec, type RestXmlCodecHooks } from './rest-xml.ts';

const defaults = new Map<Protocol, ProtocolCodec>();

export function codecFor(protocol: Protocol): ProtocolCodec {
  let codec = defaults.get(protocol);
  if (!codec) {
    switch (protocol) {
      case 'query': codec = createQueryCodec(); break;
      case 'ec2': codec = createEc2Codec(); break;
      case 'json': codec = createJsonCodec(); break;
      case 'rest-json': codec = createRestJsonCodec(); break;
      case 'rest-xml': codec = createRestXmlCodec(); break;
      default: throw new Error(`Bonsai has no codec for the ${protocol} protocol`);
    }
    defaults.set(protocol, codec);
  }
  return codec;
}
