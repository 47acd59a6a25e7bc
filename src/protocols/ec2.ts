/**
 * The ec2 protocol: query-style input with its own naming (queryName, else the locationName with
 * its first letter upper-cased; lists always `Name.N`), output members named by locationName
 * straight under <OpResponse> beside <requestId>, and the <Response><Errors> error envelope.
 */
import { AwsError } from '../core/errors.ts';
import type { RawResponse } from '../core/http.ts';
import type { ProtocolCodec } from './codec.ts';
import { queryErrorCode } from './error-shapes.ts';
import { FormDecoder, type FormNaming } from './form-input.ts';
import type { ServiceModel } from './model.ts';
import { extraErrorFields, inputShape, operationForAction, readFormParams } from './query.ts';
import { writeXmlMembers, XML_DECLARATION, xmlElement, xmlTextElement, type XmlShapeWriterOptions } from './xml-writer.ts';

function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export const ec2Naming: FormNaming = {
  memberKey: (memberName, ref) => ref.queryName ?? (ref.locationName ? upperFirst(ref.locationName) : memberName),
  listItemsPrefix: (prefix) => prefix,
  emptyListMarker: false,
};

/** EC2 writes its namespace with a trailing slash; the model's copy lacks it. */
export function ec2Namespace(model: ServiceModel): string {
  const ns = model.metadata.xmlNamespace ?? `http://${model.metadata.endpointPrefix}.amazonaws.com/doc/${model.metadata.apiVersion}`;
  return ns.endsWith('/') ? ns : `${ns}/`;
}

function ec2Response(status: number, body: string, requestId: string, extraHeaders: Record<string, string> = {}): RawResponse {
  return {
    status,
    headers: { 'x-amzn-RequestId': requestId, 'Content-Type': 'text/xml;charset=UTF-8', ...extraHeaders },
    body: `${XML_DECLARATION}\n${body}`,
  };
}

export function createEc2Codec(): ProtocolCodec {
  return {
    protocol: 'ec2',

    resolveOperation(req, model) {
      return operationForAction(readFormParams(req, req.body), model, (action) =>
        new AwsError('InvalidAction', `The action ${action} is not valid for this web service.`));
    },

    parseInput(req, body, model, operation) {
      const shape = inputShape(model, operation);
      if (!shape) return {};
      return new FormDecoder(model, ec2Naming).decodeStructure(readFormParams(req, body), shape, '');
    },

    serializeOutput(output, model, operation, ctx) {
      const writer: XmlShapeWriterOptions = { model, timestampFormat: 'iso8601', alwaysMillis: true, listMemberName: 'item', skipBoundMembers: false };
      const shape = operation.output ? model.shapes[operation.output.shape] : undefined;
      const members = shape ? writeXmlMembers(shape, output, writer) : '';
      const body = xmlElement(`${operation.name}Response`, xmlTextElement('requestId', ctx.requestId) + members, { xmlns: ec2Namespace(model) });
      return ec2Response(200, body, ctx.requestId);
    },

    serializeError(error, model, _operation, ctx) {
      const inner = xmlTextElement('Code', queryErrorCode(model, error)) + xmlTextElement('Message', error.message) + extraErrorFields(error.fields);
      const body = xmlElement('Response', xmlElement('Errors', xmlElement('Error', inner)) + xmlTextElement('RequestID', ctx.requestId));
      return ec2Response(error.status, body, ctx.requestId, error.headers);
    },
  };
}
